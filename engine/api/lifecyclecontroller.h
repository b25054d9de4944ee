// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "containers/agentlifecycle.h"
#include "protocol/agents.h"
#include "protocol/containers.h"
#include "responder.h"

namespace hive::engine {

/// agent_spawn, agent_start, agent_kill, agent_restart, agent_update, agent_destroy,
/// agent_revive (operator) and agent_purge (admin): each queued on the AgentLifecycle and
/// answered when it has run, with the agent as it is then.
class LifecycleController
{
public:
    explicit LifecycleController(ApiServices &services) : m_services(services) {}

    void handle(const protocol::AgentSpawnParams &params, const CallContext &context, Reply<protocol::AgentInfo> reply);
    /// agent_start to agent_revive: the operation on the named agent, answered with the agent.
    template<protocol::LifecycleOp Op>
    requires(Op != protocol::LifecycleOp::Spawn && Op != protocol::LifecycleOp::Purge) void handle(
        const protocol::AgentOpParams<Op> &params, const CallContext &context, Reply<protocol::AgentInfo> reply)
    {
        run(Op, params.name, context, std::move(reply));
    }
    void handle(const protocol::AgentPurgeParams &params, const CallContext &context,
                Reply<protocol::AgentPurgeResult> reply);

private:
    /// The answer to a lifecycle call: the agent as it is after the operation, or its error.
    AgentLifecycle::Done answerWithAgent(const QString &name, Reply<protocol::AgentInfo> reply);
    void run(protocol::LifecycleOp op, const QString &name, const CallContext &context,
             Reply<protocol::AgentInfo> reply);

    ApiServices &m_services;
};

} // namespace hive::engine
