// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QMap>
#include <QStringList>

#include <optional>

namespace hive::engine {

class Clock;
class Database;

struct AgentRecord {
    QString name;
    QString kind; ///< "agent" or "manager"
    QStringList allowedRecipients;
    QDateTime createdAt;
};

/// The agents the broker knows: names, kinds and send allow-lists, stored in SQLite and read
/// from memory (every agent request looks its caller up). The copy in memory is loaded on first
/// use, updated by this class's writes, and reloaded after any rollback on the database (a write
/// made inside a transaction that was then rolled back must not linger). Nothing else writes
/// the agents table.
class AgentRegistry
{
public:
    static constexpr char ManagerName[] = "manager";

    AgentRegistry(Database &db, const Clock &clock);

    /// `^[a-z][a-z0-9-]{0,11}$` and not reserved (operator, manager, system, *).
    [[nodiscard]] static Result<void> validateName(const QString &name);

    [[nodiscard]] Result<AgentRecord> add(const QString &name);
    /// Registers the manager once; later calls do nothing.
    [[nodiscard]] Result<void> ensureManager();
    /// Forgets an agent (a purge): NotFound when there is none by that name.
    [[nodiscard]] Result<void> remove(const QString &name);
    [[nodiscard]] Result<std::optional<AgentRecord>> find(const QString &name);
    [[nodiscard]] Result<QList<AgentRecord>> list();
    /// Each entry must be a registered agent, "operator", "manager" or "*"; [] lifts the restriction.
    [[nodiscard]] Result<void> setAllowedRecipients(const QString &name, const QStringList &recipients);

private:
    /// Loads the table when there is no copy yet or a rollback may have undone part of it.
    Result<void> load();

    Database &m_db;
    const Clock &m_clock;
    std::optional<QMap<QString, AgentRecord>> m_agents; ///< by name, in name order
    quint64 m_loadedAtRollback = 0;
};

} // namespace hive::engine
