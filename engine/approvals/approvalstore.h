// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/approvals.h"
#include "result.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace hive::engine {

class Database;

/// A drafted agent as recorded (see request_spawn_draft).
struct DraftRecord {
    QString name;
    QString requestedBy;
    QDateTime createdAt;
};

/// The config an agent runs (or is being deployed with): the commit, its agent.toml and the
/// prompt text it names.
struct DeployedConfig {
    QString agent;
    QString commit;
    std::optional<qint64> approval;
    QByteArray toml;
    QString prompt;
    QDateTime updatedAt;
};

/// The approvals, drafts and agent_configs tables. Callers hold the transactions.
class ApprovalStore
{
public:
    explicit ApprovalStore(Database &db) : m_db(db) {}

    /// A new pending approval; returns its id.
    [[nodiscard]] Result<qint64> insert(const protocol::ApprovalInfo &approval);
    [[nodiscard]] Result<std::optional<protocol::ApprovalInfo>> find(qint64 id);
    /// Newest first; see ApprovalListParams.
    [[nodiscard]] Result<QList<protocol::ApprovalInfo>> list(const protocol::ApprovalListParams &params);
    /// Those not in a terminal state, oldest first (the queue; what a restart resumes).
    [[nodiscard]] Result<QList<protocol::ApprovalInfo>> unresolved();
    /// The newest approval of `agent` below `beforeId` in one of `states`.
    [[nodiscard]] Result<std::optional<protocol::ApprovalInfo>> latest(const QString &agent, const QStringList &states,
                                                                       qint64 beforeId);
    /// Writes state, resolved_at/by, note and error as `approval` has them.
    [[nodiscard]] Result<void> update(const protocol::ApprovalInfo &approval);
    /// Whether the deploy restarts the agent's container (recorded when it begins).
    [[nodiscard]] Result<void> setRestartPlanned(qint64 id, bool restart);
    [[nodiscard]] Result<bool> restartPlanned(qint64 id);
    /// How many are pending (the operator's queue length).
    [[nodiscard]] Result<qint64> pendingCount();

    [[nodiscard]] Result<void> insertDraft(const DraftRecord &draft);
    [[nodiscard]] Result<std::optional<DraftRecord>> findDraft(const QString &name);
    [[nodiscard]] Result<QList<DraftRecord>> drafts();
    [[nodiscard]] Result<void> removeDraft(const QString &name);

    [[nodiscard]] Result<void> setConfig(const DeployedConfig &config);
    [[nodiscard]] Result<std::optional<DeployedConfig>> config(const QString &agent);
    [[nodiscard]] Result<void> removeConfig(const QString &agent);

private:
    Database &m_db;
};

} // namespace hive::engine
