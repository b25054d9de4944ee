// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "protocol/retention.h"
#include "result.h"

namespace hive::engine {

/// repo_gc (operator): the approval tags' retention (TagRetention) run now, or dry.
class RetentionController
{
public:
    explicit RetentionController(ApiServices &services) : m_services(services) {}

    [[nodiscard]] Result<protocol::RepoGcResult> handle(const protocol::RepoGcParams &params,
                                                        const CallContext &context);

private:
    ApiServices &m_services;
};

} // namespace hive::engine
