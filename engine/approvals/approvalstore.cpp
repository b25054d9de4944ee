// SPDX-License-Identifier: MIT
#include "approvalstore.h"

#include "store/database.h"
#include "store/row.h"

namespace hive::engine {

namespace {

const QString ApprovalColumns = QStringLiteral(
    "id, kind, agent, commit_sha, description, requested_by, state, created_at, resolved_at, resolved_by, note, "
    "error");

Result<protocol::ApprovalInfo> readApproval(const QSqlQuery &query)
{
    Row row(query);
    protocol::ApprovalInfo approval;
    approval.id = row.integer("id");
    approval.kind = row.text("kind");
    approval.agent = row.text("agent");
    approval.commit = row.text("commit_sha");
    approval.description = row.text("description");
    approval.requestedBy = row.text("requested_by");
    approval.state = row.text("state");
    approval.createdAt = row.time("created_at");
    approval.resolvedAt = row.optionalTime("resolved_at");
    approval.resolvedBy = row.optionalText("resolved_by");
    approval.note = row.optionalText("note");
    approval.error = row.optionalText("error");
    if (auto status = row.status(); !status)
        return fail(status.error().wrapped(QStringLiteral("reading approval %1").arg(approval.id)));
    return approval;
}

Result<void> written(const Result<Database::Written> &result)
{
    if (!result)
        return fail(result.error());
    return {};
}

QVariant nullable(const std::optional<QString> &text)
{
    return text ? QVariant(*text) : QVariant();
}

} // namespace

Result<qint64> ApprovalStore::insert(const protocol::ApprovalInfo &approval)
{
    auto inserted = m_db.write(
        QStringLiteral("INSERT INTO approvals (kind, agent, commit_sha, description, requested_by, state, created_at) "
                       "VALUES (:kind, :agent, :commit, :description, :by, 'pending', :now)"),
        {{QStringLiteral(":kind"), approval.kind},
         {QStringLiteral(":agent"), approval.agent},
         {QStringLiteral(":commit"), approval.commit},
         {QStringLiteral(":description"), approval.description},
         {QStringLiteral(":by"), approval.requestedBy},
         {QStringLiteral(":now"), toDbTime(approval.createdAt)}});
    if (!inserted)
        return fail(inserted.error());
    return inserted->lastInsertId.toLongLong();
}

Result<std::optional<protocol::ApprovalInfo>> ApprovalStore::find(qint64 id)
{
    std::optional<protocol::ApprovalInfo> found;
    auto read = m_db.select(QStringLiteral("SELECT %1 FROM approvals WHERE id = :id").arg(ApprovalColumns),
                            {{QStringLiteral(":id"), id}}, [&](const QSqlQuery &query) -> Result<void> {
                                auto approval = readApproval(query);
                                if (!approval)
                                    return fail(approval.error());
                                found = std::move(*approval);
                                return {};
                            });
    if (!read)
        return fail(read.error());
    return found;
}

Result<QList<protocol::ApprovalInfo>> ApprovalStore::list(const protocol::ApprovalListParams &params)
{
    QStringList where;
    Bindings bindings;
    if (params.state == QLatin1String("open")) {
        where << QStringLiteral("state IN ('pending', 'approved', 'building')");
    } else if (params.state != QLatin1String("all")) {
        where << QStringLiteral("state = :state");
        bindings.emplace_back(QStringLiteral(":state"), params.state);
    }
    if (params.agent) {
        where << QStringLiteral("agent = :agent");
        bindings.emplace_back(QStringLiteral(":agent"), *params.agent);
    }
    if (params.beforeId) {
        where << QStringLiteral("id < :before");
        bindings.emplace_back(QStringLiteral(":before"), *params.beforeId);
    }
    bindings.emplace_back(QStringLiteral(":limit"), params.limit);
    const QString sql =
        QStringLiteral("SELECT %1 FROM approvals %2 ORDER BY id DESC LIMIT :limit")
            .arg(ApprovalColumns,
                 where.isEmpty() ? QString() : QStringLiteral("WHERE ") + where.join(QStringLiteral(" AND ")));
    QList<protocol::ApprovalInfo> approvals;
    auto read = m_db.select(sql, bindings, [&](const QSqlQuery &query) -> Result<void> {
        auto approval = readApproval(query);
        if (!approval)
            return fail(approval.error());
        approvals.append(std::move(*approval));
        return {};
    });
    if (!read)
        return fail(read.error());
    return approvals;
}

Result<QList<protocol::ApprovalInfo>> ApprovalStore::unresolved()
{
    QList<protocol::ApprovalInfo> approvals;
    auto read = m_db.select(
        QStringLiteral("SELECT %1 FROM approvals WHERE state IN ('pending', 'approved', 'building') ORDER BY id")
            .arg(ApprovalColumns),
        {}, [&](const QSqlQuery &query) -> Result<void> {
            auto approval = readApproval(query);
            if (!approval)
                return fail(approval.error());
            approvals.append(std::move(*approval));
            return {};
        });
    if (!read)
        return fail(read.error());
    return approvals;
}

Result<std::optional<protocol::ApprovalInfo>> ApprovalStore::latest(const QString &agent, const QStringList &states,
                                                                    qint64 beforeId)
{
    QStringList quoted;
    for (const QString &state : states)
        quoted << QLatin1Char('\'') + state + QLatin1Char('\''); // our own constants, never input
    std::optional<protocol::ApprovalInfo> found;
    auto read =
        m_db.select(QStringLiteral("SELECT %1 FROM approvals WHERE agent = :agent AND id < :before AND state IN (%2) "
                                   "ORDER BY id DESC LIMIT 1")
                        .arg(ApprovalColumns, quoted.join(QLatin1Char(','))),
                    {{QStringLiteral(":agent"), agent}, {QStringLiteral(":before"), beforeId}},
                    [&](const QSqlQuery &query) -> Result<void> {
                        auto approval = readApproval(query);
                        if (!approval)
                            return fail(approval.error());
                        found = std::move(*approval);
                        return {};
                    });
    if (!read)
        return fail(read.error());
    return found;
}

Result<void> ApprovalStore::update(const protocol::ApprovalInfo &approval)
{
    auto result = m_db.write(
        QStringLiteral("UPDATE approvals SET state = :state, resolved_at = :resolved, resolved_by = :by, note = :note, "
                       "error = :error WHERE id = :id"),
        {{QStringLiteral(":state"), approval.state},
         {QStringLiteral(":resolved"), approval.resolvedAt ? QVariant(toDbTime(*approval.resolvedAt)) : QVariant()},
         {QStringLiteral(":by"), nullable(approval.resolvedBy)},
         {QStringLiteral(":note"), nullable(approval.note)},
         {QStringLiteral(":error"), nullable(approval.error)},
         {QStringLiteral(":id"), approval.id}});
    if (!result)
        return fail(result.error());
    if (result->rowsAffected != 1)
        return fail(ErrorCode::NotFound, QStringLiteral("approval %1 does not exist").arg(approval.id));
    return {};
}

Result<void> ApprovalStore::setRestartPlanned(qint64 id, bool restart)
{
    return written(m_db.write(QStringLiteral("UPDATE approvals SET restart_container = :restart WHERE id = :id"),
                              {{QStringLiteral(":restart"), restart ? 1 : 0}, {QStringLiteral(":id"), id}}));
}

Result<bool> ApprovalStore::restartPlanned(qint64 id)
{
    auto value = m_db.scalar(QStringLiteral("SELECT restart_container FROM approvals WHERE id = :id"),
                             {{QStringLiteral(":id"), id}});
    if (!value)
        return fail(value.error());
    return *value != 0;
}

Result<qint64> ApprovalStore::pendingCount()
{
    return m_db.scalar(QStringLiteral("SELECT COUNT(*) FROM approvals WHERE state = 'pending'"));
}

Result<void> ApprovalStore::insertDraft(const DraftRecord &draft)
{
    return written(
        m_db.write(QStringLiteral("INSERT INTO drafts (name, requested_by, created_at) VALUES (:name, :by, :now)"),
                   {{QStringLiteral(":name"), draft.name},
                    {QStringLiteral(":by"), draft.requestedBy},
                    {QStringLiteral(":now"), toDbTime(draft.createdAt)}}));
}

Result<std::optional<DraftRecord>> ApprovalStore::findDraft(const QString &name)
{
    std::optional<DraftRecord> found;
    auto read = m_db.select(QStringLiteral("SELECT name, requested_by, created_at FROM drafts WHERE name = :name"),
                            {{QStringLiteral(":name"), name}}, [&](const QSqlQuery &query) -> Result<void> {
                                Row row(query);
                                DraftRecord draft{row.text("name"), row.text("requested_by"), row.time("created_at")};
                                if (auto status = row.status(); !status)
                                    return status;
                                found = std::move(draft);
                                return {};
                            });
    if (!read)
        return fail(read.error());
    return found;
}

Result<QList<DraftRecord>> ApprovalStore::drafts()
{
    QList<DraftRecord> drafts;
    auto read = m_db.select(QStringLiteral("SELECT name, requested_by, created_at FROM drafts ORDER BY name"), {},
                            [&](const QSqlQuery &query) -> Result<void> {
                                Row row(query);
                                DraftRecord draft{row.text("name"), row.text("requested_by"), row.time("created_at")};
                                if (auto status = row.status(); !status)
                                    return status;
                                drafts.append(std::move(draft));
                                return {};
                            });
    if (!read)
        return fail(read.error());
    return drafts;
}

Result<void> ApprovalStore::removeDraft(const QString &name)
{
    return written(
        m_db.write(QStringLiteral("DELETE FROM drafts WHERE name = :name"), {{QStringLiteral(":name"), name}}));
}

Result<void> ApprovalStore::setConfig(const DeployedConfig &config)
{
    return written(m_db.write(
        QStringLiteral("INSERT INTO agent_configs (agent, commit_sha, approval, toml, prompt, updated_at) "
                       "VALUES (:agent, :commit, :approval, :toml, :prompt, :now) ON CONFLICT (agent) DO UPDATE SET "
                       "commit_sha = excluded.commit_sha, approval = excluded.approval, toml = excluded.toml, "
                       "prompt = excluded.prompt, updated_at = excluded.updated_at"),
        {{QStringLiteral(":agent"), config.agent},
         {QStringLiteral(":commit"), config.commit},
         {QStringLiteral(":approval"), config.approval ? QVariant(*config.approval) : QVariant()},
         {QStringLiteral(":toml"), QString::fromUtf8(config.toml)},
         {QStringLiteral(":prompt"), config.prompt},
         {QStringLiteral(":now"), toDbTime(config.updatedAt)}}));
}

Result<std::optional<DeployedConfig>> ApprovalStore::config(const QString &agent)
{
    std::optional<DeployedConfig> found;
    auto read =
        m_db.select(QStringLiteral("SELECT agent, commit_sha, approval, toml, prompt, updated_at FROM agent_configs "
                                   "WHERE agent = :agent"),
                    {{QStringLiteral(":agent"), agent}}, [&](const QSqlQuery &query) -> Result<void> {
                        Row row(query);
                        DeployedConfig config;
                        config.agent = row.text("agent");
                        config.commit = row.text("commit_sha");
                        if (auto approval = row.optionalText("approval"))
                            config.approval = approval->toLongLong();
                        config.toml = row.text("toml").toUtf8();
                        config.prompt = row.text("prompt");
                        config.updatedAt = row.time("updated_at");
                        if (auto status = row.status(); !status)
                            return status;
                        found = std::move(config);
                        return {};
                    });
    if (!read)
        return fail(read.error());
    return found;
}

Result<void> ApprovalStore::removeConfig(const QString &agent)
{
    return written(m_db.write(QStringLiteral("DELETE FROM agent_configs WHERE agent = :agent"),
                              {{QStringLiteral(":agent"), agent}}));
}

} // namespace hive::engine
