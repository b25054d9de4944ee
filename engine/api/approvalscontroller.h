// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "protocol/approvals.h"
#include "responder.h"
#include "result.h"

namespace hive::engine {

/// The operator's side of the approval queue: approval_list and approval_get (viewer),
/// approval_approve (answered when the deploy has finished or failed) and approval_deny
/// (operator), request_spawn (operator; the operator's own spawn request), draft_list (viewer)
/// and draft_discard (operator). The approver recorded is the caller's token name.
class ApprovalsController
{
public:
    explicit ApprovalsController(ApiServices &services) : m_services(services) {}

    [[nodiscard]] Result<protocol::ApprovalListResult> handle(const protocol::ApprovalListParams &params,
                                                              const CallContext &context);
    [[nodiscard]] Result<protocol::ApprovalGetResult> handle(const protocol::ApprovalGetParams &params,
                                                             const CallContext &context);
    void handle(const protocol::ApprovalApproveParams &params, const CallContext &context,
                Reply<protocol::ApprovalResult> reply);
    [[nodiscard]] Result<protocol::ApprovalResult> handle(const protocol::ApprovalDenyParams &params,
                                                          const CallContext &context);
    [[nodiscard]] Result<protocol::ApprovalResult> handle(const protocol::RequestSpawnParams &params,
                                                          const CallContext &context);
    [[nodiscard]] Result<protocol::DraftListResult> handle(const protocol::DraftListParams &params,
                                                           const CallContext &context);
    [[nodiscard]] Result<protocol::DraftResult> handle(const protocol::DraftDiscardParams &params,
                                                       const CallContext &context);

private:
    ApiServices &m_services;
};

} // namespace hive::engine
