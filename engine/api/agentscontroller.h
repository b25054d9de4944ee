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

    /// The record with its inbox counts and its container's state.
    [[nodiscard]] static Result<protocol::AgentInfo> describe(ApiServices &services, const AgentRecord &record);
    /// The same by name; NotFound when there is no such agent.
    [[nodiscard]] static Result<protocol::AgentInfo> describe(ApiServices &services, const QString &name);

private:
    Result<protocol::AgentInfo> info(const AgentRecord &record) { return describe(m_services, record); }

    ApiServices &m_services;
};

} // namespace hive::engine
