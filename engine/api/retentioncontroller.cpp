// SPDX-License-Identifier: MIT
#include "retentioncontroller.h"

#include "approvals/approvals.h"
#include "approvals/tagretention.h"

#include <QLoggingCategory>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcRetentionApi, "hive.api")
}

Result<protocol::RepoGcResult> RetentionController::handle(const protocol::RepoGcParams &params,
                                                           const CallContext &context)
{
    Approvals &approvals = m_services.approvals;
    const TagRetention retention(approvals.repos(), m_services.clock, approvals.tagRetentionDays());
    const RetentionReport report = retention.run(params.dryRun);
    if (!params.dryRun) {
        qCInfo(lcRetentionApi).noquote() << "repo_gc by" << context.actor() << "removed" << report.removedCount()
                                         << "tag(s), kept" << report.keptCount();
    }
    if (const QStringList errors = report.errors(); !errors.isEmpty()) {
        // A repo that cannot be collected is a fault to fix on the host; the others were done.
        return fail(ErrorCode::Io, QStringLiteral("%1 (the other applied repos were collected: %2 tag(s) %3)")
                                       .arg(errors.join(QStringLiteral("; ")))
                                       .arg(report.removedCount())
                                       .arg(params.dryRun ? QStringLiteral("would go") : QStringLiteral("removed")));
    }
    protocol::RepoGcResult result;
    result.dryRun = report.dryRun;
    result.kept = report.keptCount();
    for (const RepoRetention &repo : report.repos) {
        for (const TagRemoval &removal : repo.removed)
            result.removed.append(protocol::RemovedTag{repo.agent, removal.tag, removal.reason});
    }
    return result;
}

} // namespace hive::engine
