// SPDX-License-Identifier: MIT
#include "statsquery.h"

#include "clock.h"
#include "jsonreader.h"
#include "statsbucket.h"
#include "store/database.h"

#include <QSqlQuery>
#include <QSqlRecord>
#include <QTimeZone>

#include <algorithm>

namespace hive::engine {

namespace {

constexpr qint64 HourMs = qint64(3600) * 1000;
constexpr qint64 DayMs = 24 * HourMs;
/// Slack for clients whose `since` is "now - N days" on a clock a little behind the engine's.
constexpr qint64 WindowSlackMs = HourMs;

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}

qint64 floorTo(qint64 ms, qint64 step)
{
    return ms - ((ms % step) + step) % step;
}

/// The end of the key range of a prefix: every key that starts with it sorts below (U+10FFFF
/// is the largest code point, F4 8F BF BF in UTF-8).
QString prefixEnd(const QString &prefix)
{
    return prefix + QString::fromUcs4(U"\U0010FFFF");
}

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

/// "agent IN (:agent, '') AND " for one agent's view (its rows and the swarm's), else nothing.
QString agentFilter(const std::optional<QString> &agent)
{
    return agent ? QStringLiteral("agent IN (:agent, '') AND ") : QString();
}

Bindings scopeBindings(const std::optional<QString> &agent, const QString &key, qint64 from, qint64 to)
{
    Bindings bindings{{QStringLiteral(":key"), key}, {QStringLiteral(":from"), from}, {QStringLiteral(":to"), to}};
    if (agent)
        bindings.emplace_back(QStringLiteral(":agent"), *agent);
    return bindings;
}

QString days(qint64 ms)
{
    return QString::number(static_cast<double>(ms) / DayMs, 'f', 1);
}

} // namespace

qint64 StatsQuery::chooseBucketSeconds(qint64 windowSeconds)
{
    static constexpr qint64 Steps[] = {60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
    for (const qint64 step : Steps) {
        if ((windowSeconds + step - 1) / step <= protocol::StatsTargetPoints)
            return step;
    }
    const qint64 perDay =
        (windowSeconds + 86400LL * protocol::StatsTargetPoints - 1) / (86400LL * protocol::StatsTargetPoints);
    return perDay * 86400;
}

Result<QStringList> StatsQuery::expand(const QString &prefix)
{
    QStringList keys;
    for (const char *table : {"stats", "stats_hourly"}) {
        const QString first = QStringLiteral("SELECT MIN(key) AS key FROM %1 WHERE key >= :from AND key < :end")
                                  .arg(QLatin1String(table));
        const QString next =
            QStringLiteral("SELECT MIN(key) AS key FROM %1 WHERE key > :from AND key < :end").arg(QLatin1String(table));
        std::optional<QString> after;
        while (true) {
            std::optional<QString> found;
            auto read = m_db.select(
                after ? next : first,
                {{QStringLiteral(":from"), after.value_or(prefix)}, {QStringLiteral(":end"), prefixEnd(prefix)}},
                [&](const QSqlQuery &query) -> Result<void> {
                    const QVariant v = query.value(0);
                    if (!v.isNull())
                        found = v.toString();
                    return {};
                });
            if (!read)
                return fail(read.error());
            if (!found)
                break;
            if (found->startsWith(prefix) && !keys.contains(*found))
                keys.append(*found);
            after = found;
        }
    }
    keys.sort();
    return keys;
}

Result<std::map<qint64, StatsBucket>> StatsQuery::collect(const Scope &scope, const QString &key, qint64 bucketMs)
{
    std::map<qint64, StatsBucket> buckets;
    const auto bucketOf = [&](qint64 ts) {
        return bucketMs > 0 ? floorTo(ts, bucketMs) : scope.from;
    };
    std::optional<QList<int>> at;
    auto raw =
        m_db.select(QStringLiteral("SELECT ts, value FROM stats WHERE %1key = :key AND ts >= :from AND ts < :to")
                        .arg(agentFilter(scope.agent)),
                    scopeBindings(scope.agent, key, scope.from, scope.to), [&](const QSqlQuery &query) -> Result<void> {
                        if (!at) {
                            auto found = columns(query, {"ts", "value"});
                            if (!found)
                                return fail(found.error());
                            at = *found;
                        }
                        buckets[bucketOf(query.value(at->at(0)).toLongLong())].add(query.value(at->at(1)).toDouble());
                        return {};
                    });
    if (!raw)
        return fail(raw.error().wrapped(QStringLiteral("reading the stats of '%1'").arg(key)));

    std::optional<QList<int>> hourAt;
    // An hour that began before `from` but reaches into the window counts, at `from`.
    auto hourly = m_db.select(
        QStringLiteral("SELECT hour, count, sum, min, max, histogram FROM stats_hourly WHERE %1key = :key AND hour > "
                       ":from AND hour < :to")
            .arg(agentFilter(scope.agent)),
        scopeBindings(scope.agent, key, scope.from - HourMs, scope.to), [&](const QSqlQuery &query) -> Result<void> {
            if (!hourAt) {
                auto found = columns(query, {"hour", "count", "sum", "min", "max", "histogram"});
                if (!found)
                    return fail(found.error());
                hourAt = *found;
            }
            auto histogram = LogHistogram::fromText(query.value(hourAt->at(5)).toString());
            if (!histogram)
                return fail(histogram.error());
            const qint64 hour = std::max(query.value(hourAt->at(0)).toLongLong(), scope.from);
            buckets[bucketOf(hour)].addHour(
                query.value(hourAt->at(1)).toLongLong(), query.value(hourAt->at(2)).toDouble(),
                query.value(hourAt->at(3)).toDouble(), query.value(hourAt->at(4)).toDouble(), *histogram);
            return {};
        });
    if (!hourly)
        return fail(hourly.error().wrapped(QStringLiteral("reading the hourly stats of '%1'").arg(key)));
    return buckets;
}

Result<StatsQuery::Totals> StatsQuery::totals(const Scope &scope, const QString &key)
{
    Totals totals;
    const auto add = [&totals](const QSqlQuery &query) -> Result<void> {
        auto at = columns(query, {"count", "sum", "max"});
        if (!at)
            return fail(at.error());
        const qint64 count = query.value(at->at(0)).toLongLong();
        if (count > 0) {
            const double max = query.value(at->at(2)).toDouble();
            totals.max = totals.count == 0 ? max : std::max(totals.max, max);
            totals.count += count;
            totals.sum += query.value(at->at(1)).toDouble();
        }
        return {};
    };
    auto raw = m_db.select(QStringLiteral("SELECT COUNT(*) AS count, TOTAL(value) AS sum, MAX(value) AS max FROM "
                                          "stats WHERE %1key = :key AND ts >= :from AND ts < :to")
                               .arg(agentFilter(scope.agent)),
                           scopeBindings(scope.agent, key, scope.from, scope.to), add);
    if (!raw)
        return fail(raw.error());
    auto hourly = m_db.select(QStringLiteral("SELECT CAST(TOTAL(count) AS INTEGER) AS count, TOTAL(sum) AS sum, "
                                             "MAX(max) AS max FROM stats_hourly WHERE %1key = :key AND hour > :from "
                                             "AND hour < :to")
                                  .arg(agentFilter(scope.agent)),
                              scopeBindings(scope.agent, key, scope.from - HourMs, scope.to), add);
    if (!hourly)
        return fail(hourly.error());
    return totals;
}

Result<std::optional<qint64>> StatsQuery::lastSample(const Scope &scope, const QString &key)
{
    std::optional<qint64> last;
    const auto take = [&last](const QSqlQuery &query) -> Result<void> {
        const QVariant v = query.value(0);
        if (!v.isNull())
            last = std::max(last.value_or(v.toLongLong()), v.toLongLong());
        return {};
    };
    auto raw =
        m_db.select(QStringLiteral("SELECT MAX(ts) AS last FROM stats WHERE %1key = :key AND ts >= :from AND ts < :to")
                        .arg(agentFilter(scope.agent)),
                    scopeBindings(scope.agent, key, 0, scope.to), take);
    if (!raw)
        return fail(raw.error());
    if (last)
        return last; // raw rows are newer than every hourly row
    auto hourly = m_db.select(
        QStringLiteral("SELECT MAX(last) AS last FROM stats_hourly WHERE %1key = :key AND hour >= :from AND hour < :to")
            .arg(agentFilter(scope.agent)),
        scopeBindings(scope.agent, key, 0, scope.to), take);
    if (!hourly)
        return fail(hourly.error());
    return last;
}

Result<protocol::StatsSummary> StatsQuery::summarize(const Scope &scope, qint64 now)
{
    protocol::StatsSummary summary;
    const auto sumOf = [&](const QString &key, double &out) -> Result<void> {
        auto found = totals(scope, key);
        if (!found)
            return fail(found.error());
        out = found->sum;
        return {};
    };
    double value = 0;
    if (auto done = sumOf(QStringLiteral("turn"), value); !done)
        return fail(done.error());
    summary.turns = static_cast<qint64>(value);
    const qint64 observed = std::max<qint64>(std::min(scope.to, now) - scope.from, qint64(60) * 1000);
    summary.turnsPerMin = static_cast<double>(summary.turns) / (static_cast<double>(observed) / 60000.0);
    if (auto done = sumOf(QStringLiteral("turn.tool_calls"), value); !done)
        return fail(done.error());
    summary.toolCallsPerTurn = summary.turns > 0 ? value / static_cast<double>(summary.turns) : 0;

    auto durations = collect(scope, QStringLiteral("turn.duration_ms"), 0);
    if (!durations)
        return fail(durations.error());
    if (!durations->empty()) {
        StatsBucket &all = durations->begin()->second;
        summary.turnDurationMsP50 = all.quantile(0.5);
        summary.turnDurationMsP95 = all.quantile(0.95);
    }

    auto last = lastSample(scope, QStringLiteral("turn"));
    if (!last)
        return fail(last.error());
    if (*last) {
        summary.lastTurnAt = fromMs(**last);
        summary.timeSinceLastTurnSeconds = std::max<qint64>(0, (std::min(scope.to, now) - **last) / 1000);
    }

    auto pending = m_db.scalar(QStringLiteral("SELECT COUNT(*) FROM approvals WHERE state = 'pending'"));
    if (!pending)
        return fail(pending.error());
    summary.approvalQueueLength = *pending;
    auto inbox = scope.agent ? m_db.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE recipient = :agent AND "
                                                          "state IN ('queued', 'delivered')"),
                                           {{QStringLiteral(":agent"), *scope.agent}})
                             : m_db.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE recipient <> 'operator' "
                                                          "AND state IN ('queued', 'delivered')"));
    if (!inbox)
        return fail(inbox.error());
    summary.inboxDepth = *inbox;
    for (const char *key : {"inbox.depth", "inbox_depth"}) {
        auto found = totals(scope, QString::fromLatin1(key));
        if (!found)
            return fail(found.error());
        if (found->count > 0)
            summary.inboxDepthMax = std::max(summary.inboxDepthMax, static_cast<qint64>(found->max));
    }

    const auto counts = [&](const QString &prefix, QMap<QString, qint64> &out) -> Result<void> {
        auto keys = expand(prefix);
        if (!keys)
            return fail(keys.error());
        for (const QString &key : std::as_const(*keys)) {
            auto found = totals(scope, key);
            if (!found)
                return fail(found.error());
            if (found->sum > 0)
                out.insert(key.mid(prefix.size()), static_cast<qint64>(found->sum));
        }
        return {};
    };
    if (auto done = counts(QStringLiteral("turn.exit."), summary.exits); !done)
        return fail(done.error());
    if (auto done = counts(QStringLiteral("tool."), summary.tools); !done)
        return fail(done.error());
    // Only the known kinds: the reader of the summary checks them.
    for (auto it = summary.exits.begin(); it != summary.exits.end();) {
        if (protocol::turnExitKinds().contains(it.key()))
            ++it;
        else
            it = summary.exits.erase(it);
    }

    const struct {
        const char *key;
        qint64 protocol::TurnTokens::*field;
    } tokenKeys[] = {{"tokens.input", &protocol::TurnTokens::input},
                     {"tokens.output", &protocol::TurnTokens::output},
                     {"tokens.cache_read", &protocol::TurnTokens::cacheRead},
                     {"tokens.cache_creation", &protocol::TurnTokens::cacheCreation}};
    for (const auto &token : tokenKeys) {
        if (auto done = sumOf(QString::fromLatin1(token.key), value); !done)
            return fail(done.error());
        summary.tokens.*token.field = static_cast<qint64>(value);
    }
    if (auto done = sumOf(QStringLiteral("cost_usd"), summary.costUsd); !done)
        return fail(done.error());
    return summary;
}

Result<protocol::StatsQueryResult> StatsQuery::run(const protocol::StatsQueryParams &params)
{
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    const qint64 from = params.since.toMSecsSinceEpoch();
    const qint64 to = params.until ? params.until->toMSecsSinceEpoch() : now;
    if (from >= to) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("invalid field 'since': must be before until (%1%2), got %3")
                        .arg(params.until ? QString() : QStringLiteral("now, "), toWireTime(fromMs(to)),
                             toWireTime(params.since)));
    }
    const qint64 retentionMs = m_retentionDays * DayMs;
    if (to - from > retentionMs + WindowSlackMs) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("invalid field 'since': the window of %1 days is longer than the %2 days "
                                   "telemetry keeps (telemetry.retention_days)")
                        .arg(days(to - from))
                        .arg(m_retentionDays));
    }
    if (from < now - retentionMs - WindowSlackMs) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("invalid field 'since': %1 is %2 days ago, before the oldest data telemetry "
                                   "keeps (%3 days, telemetry.retention_days)")
                        .arg(toWireTime(params.since), days(now - from))
                        .arg(m_retentionDays));
    }
    const qint64 windowSeconds = (to - from + 999) / 1000;
    qint64 bucketSeconds = params.bucketSeconds.value_or(chooseBucketSeconds(windowSeconds));
    const qint64 bucketMs = bucketSeconds * 1000;
    const qint64 points = (to - floorTo(from, bucketMs) + bucketMs - 1) / bucketMs;
    if (points > protocol::StatsMaxPoints) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("invalid field 'bucket_seconds': %1 gives %2 buckets over this window, more than "
                                   "%3; use at least %4")
                        .arg(bucketSeconds)
                        .arg(points)
                        .arg(protocol::StatsMaxPoints)
                        .arg((windowSeconds + protocol::StatsMaxPoints - 2) / (protocol::StatsMaxPoints - 1)));
    }

    // Without `until` the window ends now, and a sample stored at this very millisecond is in it.
    const Scope scope{params.agent, from, params.until ? to : to + 1};
    protocol::StatsQueryResult result;
    result.agent = params.agent;
    result.since = fromMs(from);
    result.until = fromMs(to);
    result.bucketSeconds = bucketSeconds;
    for (const QString &requested : params.keys) {
        const bool pattern = requested.endsWith(QLatin1Char('*'));
        QStringList keys{requested};
        if (pattern) {
            auto expanded = expand(requested.chopped(1));
            if (!expanded)
                return fail(expanded.error());
            keys = *expanded;
        }
        for (const QString &key : std::as_const(keys)) {
            auto buckets = collect(scope, key, bucketMs);
            if (!buckets)
                return fail(buckets.error());
            if (pattern && buckets->empty())
                continue; // a match of the pattern, but not in this window (or not this agent's)
            protocol::StatsSeries series;
            series.key = key;
            for (auto &[t, bucket] : *buckets)
                series.points.append(bucket.point(fromMs(t)));
            result.series.append(std::move(series));
        }
    }
    auto summary = summarize(scope, now);
    if (!summary)
        return fail(summary.error());
    result.summary = std::move(*summary);
    return result;
}

} // namespace hive::engine
