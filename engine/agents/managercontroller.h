// SPDX-License-Identifier: MIT
#pragma once

#include "api/callcontext.h"
#include "protocol/approvals.h"
#include "protocol/deployedconfig.h"
#include "result.h"

namespace hive::engine {

class Approvals;
class Harnesses;

/// The agent surface's config calls: `config` (any agent: its own deployed config) and the
/// manager's requests (request_apply_commit, request_spawn, request_spawn_draft,
/// request_spawn_commit), which are Forbidden on any other agent's socket.
class ManagerController
{
public:
    /// The engine makes the approvals after the agents' sockets; it attaches them before serving.
    void attach(Approvals &approvals) { m_approvals = &approvals; }
    /// `config` adds the harness settings and the model override from these (before serving).
    void setHarnesses(Harnesses &harnesses) { m_harnesses = &harnesses; }

    [[nodiscard]] Result<protocol::ConfigResult> handle(const protocol::ConfigParams &params,
                                                        const CallContext &context);
    [[nodiscard]] Result<protocol::ApprovalResult> handle(const protocol::RequestApplyCommitParams &params,
                                                          const CallContext &context);
    [[nodiscard]] Result<protocol::ApprovalResult> handle(const protocol::RequestSpawnParams &params,
                                                          const CallContext &context);
    [[nodiscard]] Result<protocol::DraftResult> handle(const protocol::RequestSpawnDraftParams &params,
                                                       const CallContext &context);
    [[nodiscard]] Result<protocol::ApprovalResult> handle(const protocol::RequestSpawnCommitParams &params,
                                                          const CallContext &context);

private:
    /// The approvals, or Unavailable while none are attached.
    Result<Approvals *> approvals() const;
    /// `call` on the approvals when the caller is the manager (else Forbidden).
    template<typename Call>
    auto asManager(const CallContext &context, Call call) const -> decltype(call(std::declval<Approvals &>()))
    {
        if (context.actor() != QLatin1String("manager")) {
            return fail(ErrorCode::Forbidden,
                        QStringLiteral("%1 is the manager's: ask the manager for it").arg(context.method));
        }
        auto approvals = this->approvals();
        if (!approvals)
            return fail(approvals.error());
        return call(**approvals);
    }

    Approvals *m_approvals = nullptr;
    Harnesses *m_harnesses = nullptr;
};

} // namespace hive::engine
