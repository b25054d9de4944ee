// SPDX-License-Identifier: MIT
#include "agentregistry.h"

#include "clock.h"
#include "store/database.h"
#include "store/row.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace hive::engine {

namespace {

const QStringList ReservedNames{QStringLiteral("operator"), QStringLiteral("manager"), QStringLiteral("system"),
                                QStringLiteral("*")};

Result<AgentRecord> readAgent(Row &row)
{
    AgentRecord record{row.text("name"), row.text("kind"), {}, row.time("created_at")};
    const QJsonArray recipients = QJsonDocument::fromJson(row.text("allowed_recipients").toUtf8()).array();
    for (const auto &recipient : recipients)
        record.allowedRecipients << recipient.toString();
    if (auto status = row.status(); !status)
        return fail(status.error().wrapped(QStringLiteral("reading agent")));
    return record;
}

} // namespace

AgentRegistry::AgentRegistry(Database &db, const Clock &clock) : m_db(db), m_clock(clock) {}

Result<void> AgentRegistry::validateName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z][a-z0-9-]{0,11}$"));
    if (ReservedNames.contains(name))
        return fail(ErrorCode::InvalidParams, QStringLiteral("'%1' is a reserved name").arg(name));
    if (!pattern.match(name).hasMatch()) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("invalid agent name '%1': 1-12 characters, lowercase letters, digits and '-', "
                                   "starting with a letter")
                        .arg(name));
    }
    return {};
}

Result<AgentRecord> AgentRegistry::add(const QString &name)
{
    if (auto valid = validateName(name); !valid)
        return fail(valid.error());
    auto existing = find(name);
    if (!existing)
        return fail(existing.error());
    if (*existing)
        return fail(ErrorCode::AlreadyExists, QStringLiteral("an agent named '%1' exists already").arg(name));
    const QDateTime now = m_clock.now();
    auto inserted =
        m_db.write(QStringLiteral("INSERT INTO agents (name, kind, created_at) VALUES (:name, 'agent', :now)"),
                   {{QStringLiteral(":name"), name}, {QStringLiteral(":now"), toDbTime(now)}});
    if (!inserted)
        return fail(inserted.error());
    AgentRecord record{name, QStringLiteral("agent"), {}, now};
    m_agents->insert(name, record); // find() above loaded the copy
    return record;
}

Result<void> AgentRegistry::ensureManager()
{
    auto inserted = m_db.write(QStringLiteral("INSERT OR IGNORE INTO agents (name, kind, created_at) "
                                              "VALUES (:name, 'manager', :now)"),
                               {{QStringLiteral(":name"), QString::fromLatin1(ManagerName)},
                                {QStringLiteral(":now"), toDbTime(m_clock.now())}});
    if (!inserted)
        return fail(inserted.error());
    if (inserted->rowsAffected > 0)
        m_agents.reset(); // read back on next use, with the stored time
    return {};
}

Result<void> AgentRegistry::remove(const QString &name)
{
    if (auto loaded = load(); !loaded)
        return fail(loaded.error());
    auto deleted =
        m_db.write(QStringLiteral("DELETE FROM agents WHERE name = :name"), {{QStringLiteral(":name"), name}});
    if (!deleted)
        return fail(deleted.error());
    if (deleted->rowsAffected == 0)
        return fail(ErrorCode::NotFound, QStringLiteral("no agent named '%1'").arg(name));
    m_agents->remove(name);
    return {};
}

Result<void> AgentRegistry::load()
{
    if (m_agents && m_loadedAtRollback == m_db.rollbackCount())
        return {};
    m_agents.reset();
    const quint64 rollbacks = m_db.rollbackCount();
    QMap<QString, AgentRecord> agents;
    auto read = m_db.select(QStringLiteral("SELECT name, kind, allowed_recipients, created_at FROM agents"), {},
                            [&](const QSqlQuery &query) -> Result<void> {
                                Row row(query);
                                auto record = readAgent(row);
                                if (!record)
                                    return fail(record.error());
                                agents.insert(record->name, std::move(*record));
                                return {};
                            });
    if (!read)
        return fail(read.error());
    m_agents = std::move(agents);
    m_loadedAtRollback = rollbacks;
    return {};
}

Result<std::optional<AgentRecord>> AgentRegistry::find(const QString &name)
{
    if (auto loaded = load(); !loaded)
        return fail(loaded.error());
    const auto found = m_agents->constFind(name);
    if (found == m_agents->cend())
        return std::optional<AgentRecord>();
    return std::optional<AgentRecord>(*found);
}

Result<QList<AgentRecord>> AgentRegistry::list()
{
    if (auto loaded = load(); !loaded)
        return fail(loaded.error());
    return m_agents->values();
}

Result<void> AgentRegistry::setAllowedRecipients(const QString &name, const QStringList &recipients)
{
    auto agent = find(name);
    if (!agent)
        return fail(agent.error());
    if (!*agent)
        return fail(ErrorCode::NotFound, QStringLiteral("no agent named '%1'").arg(name));
    QJsonArray array;
    for (const QString &recipient : recipients) {
        const bool special = recipient == QLatin1String("operator") || recipient == QLatin1String("*") ||
                             recipient == QLatin1String(ManagerName);
        if (!special) {
            auto known = find(recipient);
            if (!known)
                return fail(known.error());
            if (!*known) {
                return fail(ErrorCode::InvalidParams,
                            QStringLiteral("allowed recipient '%1' is not an agent, 'operator', 'manager' or '*'")
                                .arg(recipient));
            }
        }
        array.append(recipient);
    }
    auto updated =
        m_db.write(QStringLiteral("UPDATE agents SET allowed_recipients = :list WHERE name = :name"),
                   {{QStringLiteral(":list"), QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact))},
                    {QStringLiteral(":name"), name}});
    if (!updated)
        return fail(updated.error());
    (*m_agents)[name].allowedRecipients = recipients; // find() above loaded the copy
    return {};
}

} // namespace hive::engine
