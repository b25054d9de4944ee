// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "protocol/session.h"
#include "result.h"

namespace hive::engine {

/// hello and engine_info.
class SessionController
{
public:
    explicit SessionController(ApiServices &services) : m_services(services) {}

    [[nodiscard]] Result<protocol::HelloResult> handle(const protocol::HelloParams &params, const CallContext &context);
    [[nodiscard]] Result<protocol::EngineInfoResult> handle(const protocol::EngineInfoParams &params,
                                                            const CallContext &context);

private:
    ApiServices &m_services;
};

} // namespace hive::engine
