// SPDX-License-Identifier: MIT
#pragma once

#include "containerruntime.h"
#include "result.h"

#include <QDateTime>
#include <QList>

#include <optional>

namespace hive::engine {

class Database;

/// A container as stored in the `containers` table (migration 6).
struct ContainerRecord {
    QString agent;
    QString backend;
    QString state; ///< protocol::agentstates, never "external"
    quint32 uidBase = 0;
    quint32 uidCount = 0;
    QString network;
    QString memoryMax;
    QString cpuQuota;
    std::optional<ContainerProcess> process; ///< while it runs
    std::optional<QDateTime> startedAt;
    qint64 crashes = 0;
    std::optional<QString> lastError;
};

/// The `containers` table: one row per agent that has a container. Rows go with their agent
/// (ON DELETE CASCADE from `agents`).
class ContainerStore
{
public:
    explicit ContainerStore(Database &db) : m_db(db) {}

    [[nodiscard]] Result<std::optional<ContainerRecord>> find(const QString &agent);
    [[nodiscard]] Result<QList<ContainerRecord>> list();
    /// The lowest free range of `count` uids from `first` on, below nspawn's own pick range: not
    /// recorded here, and holding none of `hostUids` (uids that processes on the host run as).
    [[nodiscard]] Result<quint32> allocateUidBase(quint32 first, quint32 count, const QList<qint64> &hostUids = {});
    /// A new row in state "stopped"; inside the caller's transaction when it has one.
    [[nodiscard]] Result<void> insert(const ContainerRecord &record, const QDateTime &now);
    [[nodiscard]] Result<void> remove(const QString &agent);

    [[nodiscard]] Result<void> setState(const QString &agent, const QString &state);
    /// The container settings a deploy renders from agent.toml; they apply at the next start.
    [[nodiscard]] Result<void> setSettings(const QString &agent, const QString &network, const QString &memoryMax,
                                           const QString &cpuQuota);
    /// Started: its process, when, and (an operator start) the crash count back to 0.
    [[nodiscard]] Result<void> setStarted(const QString &agent, const ContainerProcess &process, const QDateTime &now,
                                          bool resetCrashes);
    /// Its process is gone (stopped, or never started: then `error` says why).
    [[nodiscard]] Result<void> setExited(const QString &agent, const QDateTime &now,
                                         const std::optional<QString> &error);
    /// Its process is gone without an operator action: one crash more, `why` kept.
    [[nodiscard]] Result<void> setCrashed(const QString &agent, const QDateTime &now, const QString &why);

private:
    Database &m_db;
};

} // namespace hive::engine
