// SPDX-License-Identifier: MIT
#include "approvalscontroller.h"

#include "approvals/approvals.h"

#include <QLoggingCategory>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcApprovalsApi, "hive.api")

Result<protocol::ApprovalResult> wrap(const Result<protocol::ApprovalInfo> &approval)
{
    if (!approval)
        return fail(approval.error());
    return protocol::ApprovalResult{*approval};
}

} // namespace

Result<protocol::ApprovalListResult> ApprovalsController::handle(const protocol::ApprovalListParams &params,
                                                                 const CallContext & /*context*/)
{
    return m_services.approvals.list(params);
}

Result<protocol::ApprovalGetResult> ApprovalsController::handle(const protocol::ApprovalGetParams &params,
                                                                const CallContext & /*context*/)
{
    return m_services.approvals.get(params);
}

void ApprovalsController::handle(const protocol::ApprovalApproveParams &params, const CallContext &context,
                                 Reply<protocol::ApprovalResult> reply)
{
    qCInfo(lcApprovalsApi).noquote() << "approval" << params.id << "approved by" << context.actor();
    m_services.approvals.approve(
        params.id, context.actor(),
        [reply = std::move(reply)](const Result<protocol::ApprovalInfo> &approval) { reply(wrap(approval)); });
}

Result<protocol::ApprovalResult> ApprovalsController::handle(const protocol::ApprovalDenyParams &params,
                                                             const CallContext &context)
{
    return wrap(m_services.approvals.deny(params.id, context.actor(), params.note));
}

Result<protocol::ApprovalResult> ApprovalsController::handle(const protocol::RequestSpawnParams &params,
                                                             const CallContext & /*context*/)
{
    return wrap(m_services.approvals.requestSpawn(QStringLiteral("operator"), params));
}

Result<protocol::DraftListResult> ApprovalsController::handle(const protocol::DraftListParams & /*params*/,
                                                              const CallContext & /*context*/)
{
    return m_services.approvals.drafts();
}

Result<protocol::DraftResult> ApprovalsController::handle(const protocol::DraftDiscardParams &params,
                                                          const CallContext &context)
{
    auto draft = m_services.approvals.discardDraft(params.name, context.actor());
    if (!draft)
        return fail(draft.error());
    return protocol::DraftResult{*draft};
}

} // namespace hive::engine
