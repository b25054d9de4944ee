// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "protocol/agents.h"
#include "protocol/harness.h"
#include "result.h"

namespace hive::engine {

/// agent_cancel_turn and agent_set_model (operator): the operator steering an agent's harness.
class HarnessesController
{
public:
    explicit HarnessesController(ApiServices &services) : m_services(services) {}

    [[nodiscard]] Result<protocol::AgentCancelTurnResult> handle(const protocol::AgentCancelTurnParams &params,
                                                                 const CallContext &context);
    [[nodiscard]] Result<protocol::AgentInfo> handle(const protocol::AgentSetModelParams &params,
                                                     const CallContext &context);

private:
    ApiServices &m_services;
};

} // namespace hive::engine
