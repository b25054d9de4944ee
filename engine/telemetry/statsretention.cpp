// SPDX-License-Identifier: MIT
#include "statsretention.h"

#include "clock.h"
#include "loghistogram.h"
#include "store/database.h"
#include "store/transaction.h"

#include <QHash>
#include <QSqlQuery>
#include <QSqlRecord>

#include <algorithm>
#include <limits>

namespace hive::engine {

namespace {

constexpr qint64 DayMs = 24 * StatsRetention::HourMs;

qint64 floorHour(qint64 ms)
{
    return ms - ((ms % StatsRetention::HourMs) + StatsRetention::HourMs) % StatsRetention::HourMs;
}

struct HourAggregate {
    qint64 count = 0;
    double sum = 0;
    double min = 0;
    double max = 0;
    qint64 last = 0;
    LogHistogram histogram;

    void add(double value, qint64 ts)
    {
        min = count == 0 ? value : std::min(min, value);
        max = count == 0 ? value : std::max(max, value);
        last = count == 0 ? ts : std::max(last, ts);
        ++count;
        sum += value;
        histogram.add(value);
    }
};

/// Column positions by name, looked up once per result (rows are read in a hot loop).
Result<QList<int>> columns(const QSqlQuery &query, std::initializer_list<const char *> names)
{
    const QSqlRecord record = query.record();
    QList<int> indexes;
    for (const char *name : names) {
        const int index = record.indexOf(QLatin1String(name));
        if (index < 0)
            return fail(ErrorCode::Io,
                        QStringLiteral("column '%1' is missing from the result").arg(QLatin1String(name)));
        indexes.append(index);
    }
    return indexes;
}

} // namespace

Result<StatsRetentionReport> StatsRetention::run(qint64 maxRows)
{
    StatsRetentionReport report;
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    const qint64 foldBefore = floorHour(now - m_rawRetentionDays * DayMs);
    while (true) {
        auto oldest = m_db.scalar(QStringLiteral("SELECT COALESCE(MIN(ts), :none) FROM stats"),
                                  {{QStringLiteral(":none"), std::numeric_limits<qint64>::max()}});
        if (!oldest)
            return fail(oldest.error());
        if (*oldest >= foldBefore)
            break;
        if (report.folded >= maxRows) {
            report.complete = false;
            break;
        }
        auto folded = foldHour(floorHour(*oldest));
        if (!folded)
            return fail(folded.error());
        report.folded += *folded;
    }

    const qint64 expireBefore = floorHour(now - m_retentionDays * DayMs);
    auto hourly = m_db.write(QStringLiteral("DELETE FROM stats_hourly WHERE hour < :before"),
                             {{QStringLiteral(":before"), expireBefore}});
    if (!hourly)
        return fail(hourly.error());
    report.expired += hourly->rowsAffected;
    // The reported turn ids are kept as long as the raw rows (a retried report is minutes late).
    auto turns = m_db.write(QStringLiteral("DELETE FROM stats_turns WHERE ts < :before"),
                            {{QStringLiteral(":before"), foldBefore}});
    if (!turns)
        return fail(turns.error());
    return report;
}

Result<qint64> StatsRetention::foldHour(qint64 hour)
{
    const Bindings range{{QStringLiteral(":from"), hour}, {QStringLiteral(":to"), hour + HourMs}};
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());

    QHash<QPair<QString, QString>, HourAggregate> groups;
    qint64 rows = 0;
    std::optional<QList<int>> at;
    auto read = m_db.select(QStringLiteral("SELECT agent, key, ts, value FROM stats WHERE ts >= :from AND ts < :to"),
                            range, [&](const QSqlQuery &query) -> Result<void> {
                                if (!at) {
                                    auto found = columns(query, {"agent", "key", "ts", "value"});
                                    if (!found)
                                        return fail(found.error());
                                    at = *found;
                                }
                                groups[{query.value(at->at(0)).toString(), query.value(at->at(1)).toString()}].add(
                                    query.value(at->at(3)).toDouble(), query.value(at->at(2)).toLongLong());
                                ++rows;
                                return {};
                            });
    if (!read)
        return fail(read.error().wrapped(QStringLiteral("folding the stats of %1").arg(hour)));

    for (auto it = groups.begin(); it != groups.end(); ++it) {
        HourAggregate &aggregate = it.value();
        const Bindings id{{QStringLiteral(":agent"), it.key().first},
                          {QStringLiteral(":key"), it.key().second},
                          {QStringLiteral(":hour"), hour}};
        // A late sample of an hour folded before (a clock step, a slow report) merges into its row.
        auto existing = m_db.select(
            QStringLiteral("SELECT count, sum, min, max, last, histogram FROM stats_hourly WHERE agent = :agent AND "
                           "key = :key AND hour = :hour"),
            id, [&](const QSqlQuery &query) -> Result<void> {
                auto found = columns(query, {"count", "sum", "min", "max", "last", "histogram"});
                if (!found)
                    return fail(found.error());
                auto histogram = LogHistogram::fromText(query.value(found->at(5)).toString());
                if (!histogram)
                    return fail(histogram.error());
                aggregate.count += query.value(found->at(0)).toLongLong();
                aggregate.sum += query.value(found->at(1)).toDouble();
                aggregate.min = std::min(aggregate.min, query.value(found->at(2)).toDouble());
                aggregate.max = std::max(aggregate.max, query.value(found->at(3)).toDouble());
                aggregate.last = std::max(aggregate.last, query.value(found->at(4)).toLongLong());
                aggregate.histogram.merge(*histogram);
                return {};
            });
        if (!existing)
            return fail(existing.error());
        Bindings values = id;
        values.emplace_back(QStringLiteral(":count"), aggregate.count);
        values.emplace_back(QStringLiteral(":sum"), aggregate.sum);
        values.emplace_back(QStringLiteral(":min"), aggregate.min);
        values.emplace_back(QStringLiteral(":max"), aggregate.max);
        values.emplace_back(QStringLiteral(":last"), aggregate.last);
        values.emplace_back(QStringLiteral(":histogram"), aggregate.histogram.toText());
        auto written = m_db.write(
            QStringLiteral("INSERT OR REPLACE INTO stats_hourly (agent, key, hour, count, sum, min, max, last, "
                           "histogram) VALUES (:agent, :key, :hour, :count, :sum, :min, :max, :last, :histogram)"),
            values);
        if (!written)
            return fail(written.error());
    }
    auto deleted = m_db.write(QStringLiteral("DELETE FROM stats WHERE ts >= :from AND ts < :to"), range);
    if (!deleted)
        return fail(deleted.error());
    if (auto committed = tx.commit(); !committed)
        return fail(committed.error());
    return rows;
}

} // namespace hive::engine
