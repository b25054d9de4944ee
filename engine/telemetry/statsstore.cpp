// SPDX-License-Identifier: MIT
#include "statsstore.h"

#include "store/database.h"
#include "store/row.h"
#include "store/transaction.h"

namespace hive::engine {

Result<void> StatsStore::insert(const QString &agent, qint64 ts, const QList<StatsSample> &samples)
{
    for (const StatsSample &sample : samples) {
        auto inserted = m_db.write(QStringLiteral("INSERT INTO stats (agent, ts, key, value) VALUES (:agent, :ts, "
                                                  ":key, :value)"),
                                   {{QStringLiteral(":agent"), agent},
                                    {QStringLiteral(":ts"), ts},
                                    {QStringLiteral(":key"), sample.key},
                                    {QStringLiteral(":value"), sample.value}});
        if (!inserted)
            return fail(inserted.error().wrapped(QStringLiteral("storing %1's stats").arg(agent)));
    }
    return {};
}

Result<void> StatsStore::write(const QString &agent, const QDateTime &ts, const QList<StatsSample> &samples)
{
    if (samples.isEmpty())
        return {};
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());
    if (auto inserted = insert(agent, toDbTime(ts), samples); !inserted)
        return inserted;
    return tx.commit();
}

Result<bool> StatsStore::writeTurn(const QString &agent, const QString &turn, const QDateTime &ts,
                                   const QList<StatsSample> &samples)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());
    auto marked = m_db.write(
        QStringLiteral("INSERT OR IGNORE INTO stats_turns (agent, turn, ts) VALUES (:agent, "
                       ":turn, :ts)"),
        {{QStringLiteral(":agent"), agent}, {QStringLiteral(":turn"), turn}, {QStringLiteral(":ts"), toDbTime(ts)}});
    if (!marked)
        return fail(marked.error().wrapped(QStringLiteral("storing %1's turn").arg(agent)));
    if (marked->rowsAffected == 0)
        return false; // reported before
    if (auto inserted = insert(agent, toDbTime(ts), samples); !inserted)
        return fail(inserted.error());
    if (auto committed = tx.commit(); !committed)
        return fail(committed.error());
    return true;
}

Result<void> StatsStore::forgetAgent(const QString &agent)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());
    for (const char *table : {"stats", "stats_hourly", "stats_turns"}) {
        auto deleted = m_db.exec(QStringLiteral("DELETE FROM %1 WHERE agent = :agent").arg(QLatin1String(table)),
                                 {{QStringLiteral(":agent"), agent}});
        if (!deleted)
            return fail(deleted.error());
    }
    return tx.commit();
}

} // namespace hive::engine
