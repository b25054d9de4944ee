// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
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

/// The agents the broker knows: names, kinds and send allow-lists, stored in SQLite.
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
    [[nodiscard]] Result<std::optional<AgentRecord>> find(const QString &name);
    [[nodiscard]] Result<QList<AgentRecord>> list();
    /// Each entry must be a registered agent, "operator", "manager" or "*"; [] lifts the restriction.
    [[nodiscard]] Result<void> setAllowedRecipients(const QString &name, const QStringList &recipients);

private:
    Database &m_db;
    const Clock &m_clock;
};

} // namespace hive::engine
