// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/telemetry.h"
#include "result.h"

#include <map>
#include <optional>

namespace hive::engine {

class Clock;
class Database;
class StatsBucket;

/// stats_query over the `stats` and `stats_hourly` tables: per key and bucket count, sum, min,
/// max, avg, p50 and p95, and the window's summary. Every sample is in exactly one of the tables
/// (StatsRetention moves them), so the query reads both for the whole window: raw rows for the
/// recent part, hourly rows (bucketed at the later of their hour and `since`) for the old part.
/// Rows of agent "" (the swarm's, like approvals.queue) belong to every agent's view.
class StatsQuery
{
public:
    StatsQuery(Database &db, const Clock &clock, int retentionDays)
        : m_db(db), m_clock(clock), m_retentionDays(retentionDays)
    {}

    /// The caller has checked that params.agent, when given, is an agent.
    [[nodiscard]] Result<protocol::StatsQueryResult> run(const protocol::StatsQueryParams &params);

    /// The bucket for a window: the smallest of 1, 2, 5, 10, 15 and 30 minutes, 1, 2, 3, 6 and 12
    /// hours and whole days that gives at most StatsTargetPoints buckets.
    [[nodiscard]] static qint64 chooseBucketSeconds(qint64 windowSeconds);

private:
    struct Scope {
        std::optional<QString> agent;
        qint64 from = 0; ///< ms, inclusive
        qint64 to = 0;   ///< ms, exclusive
    };
    struct Totals {
        qint64 count = 0;
        double sum = 0;
        double max = 0;
    };

    /// The stored keys that start with `prefix`, sorted (an index seek per key, both tables).
    Result<QStringList> expand(const QString &prefix);
    /// The key's samples in buckets of `bucketMs` aligned to the epoch (or one bucket at `from`
    /// when bucketMs is 0).
    Result<std::map<qint64, StatsBucket>> collect(const Scope &scope, const QString &key, qint64 bucketMs);
    Result<Totals> totals(const Scope &scope, const QString &key);
    Result<std::optional<qint64>> lastSample(const Scope &scope, const QString &key);
    Result<protocol::StatsSummary> summarize(const Scope &scope, qint64 now);

    Database &m_db;
    const Clock &m_clock;
    int m_retentionDays;
};

} // namespace hive::engine
