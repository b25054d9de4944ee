// SPDX-License-Identifier: MIT
#pragma once

#include "api/apiservices.h"
#include "api/callcontext.h"
#include "api/responder.h"
#include "protocol/agents.h"
#include "protocol/containers.h"
#include "result.h"

namespace hive::engine {

/// The manager's hands on the swarm (agent surface, API 1.6.0): `start`, `kill`, `restart` and
/// `update` run the operator's lifecycle operations (agent_start, ...) on the same queue, and
/// `list_agents` answers as agent_list does. Forbidden on any other agent's socket. The manager may
/// not kill, restart or update itself: the operation would end the container the call comes from.
/// Unlike the rest of the agent surface, the four operations are audited, since they change what
/// runs just as the operator's calls do.
class ManagerLifecycleController
{
public:
    /// The engine builds the API services after the agents' sockets; it attaches them before serving.
    void attach(ApiServices &services) { m_services = &services; }

    template<protocol::LifecycleOp Op>
    requires(Op == protocol::LifecycleOp::Start || Op == protocol::LifecycleOp::Kill ||
             Op == protocol::LifecycleOp::Restart ||
             Op == protocol::LifecycleOp::Update) void handle(const protocol::AgentOpParams<Op> &params,
                                                              const CallContext &context,
                                                              Reply<protocol::AgentInfo> reply)
    {
        run(Op, params.name, context, std::move(reply));
    }
    [[nodiscard]] Result<protocol::AgentListResult> handle(const protocol::AgentListParams &params,
                                                           const CallContext &context);

private:
    /// The services when the caller is the manager: Forbidden for other agents, Unavailable
    /// before the engine attached them.
    Result<ApiServices *> services(const CallContext &context) const;
    void run(protocol::LifecycleOp op, const QString &name, const CallContext &context,
             Reply<protocol::AgentInfo> reply);

    ApiServices *m_services = nullptr;
};

} // namespace hive::engine
