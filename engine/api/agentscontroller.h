// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "protocol/agents.h"
#include "result.h"

namespace hive::engine {

struct AgentRecord;

/// agent_add (admin), agent_list (viewer) and agent_set_recipients (operator): the operator's
/// way to register agents without a container and to set who they may send to.
class AgentsController
{
public:
    explicit AgentsController(ApiServices &services) : m_services(services) {}

    [[nodiscard]] Result<protocol::AgentAddResult> handle(const protocol::AgentAddParams &params,
                                                          const CallContext &context);
    [[nodiscard]] Result<protocol::AgentListResult> handle(const protocol::AgentListParams &params,
                                                           const CallContext &context);
    [[nodiscard]] Result<protocol::AgentSetRecipientsResult> handle(const protocol::AgentSetRecipientsParams &params,
                                                                    const CallContext &context);

private:
    /// The record with its inbox counts.
    Result<protocol::AgentInfo> info(const AgentRecord &record);

    ApiServices &m_services;
};

} // namespace hive::engine
