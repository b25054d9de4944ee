// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace hive::engine {

class Database;

/// One value of one series at the time of its batch.
struct StatsSample {
    QString key;
    double value = 0;
};

/// Writes the `stats` table (migration 8): the rows of a turn report, and the engine's own
/// samples. agent "" is the swarm. Each batch is one transaction.
class StatsStore
{
public:
    explicit StatsStore(Database &db) : m_db(db) {}

    /// The samples of one agent at one time, in one transaction.
    [[nodiscard]] Result<void> write(const QString &agent, const QDateTime &ts, const QList<StatsSample> &samples);
    /// A turn report's rows, unless the agent reported this turn before (a harness retrying after
    /// a lost reply): then nothing is written and the result is false.
    [[nodiscard]] Result<bool> writeTurn(const QString &agent, const QString &turn, const QDateTime &ts,
                                         const QList<StatsSample> &samples);
    /// Everything stored about an agent (it was purged: a new agent of that name starts afresh).
    [[nodiscard]] Result<void> forgetAgent(const QString &agent);

private:
    Result<void> insert(const QString &agent, qint64 ts, const QList<StatsSample> &samples);

    Database &m_db;
};

} // namespace hive::engine
