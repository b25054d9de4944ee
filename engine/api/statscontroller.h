// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "protocol/telemetry.h"
#include "result.h"

namespace hive::engine {

/// stats_query (viewer): an agent's or the swarm's telemetry series and summary.
class StatsController
{
public:
    explicit StatsController(ApiServices &services) : m_services(services) {}

    [[nodiscard]] Result<protocol::StatsQueryResult> handle(const protocol::StatsQueryParams &params,
                                                            const CallContext &context);

private:
    ApiServices &m_services;
};

} // namespace hive::engine
