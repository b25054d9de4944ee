// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

namespace hive::engine {

class Clock;
class Database;

/// What one retention run did.
struct StatsRetentionReport {
    qint64 folded = 0;    ///< raw rows folded into hourly rows
    qint64 expired = 0;   ///< hourly rows (and raw rows past the whole retention) deleted
    bool complete = true; ///< false: the fold stopped at its row cap; run again soon
};

/// The telemetry's retention: raw `stats` rows older than rawRetentionDays fold, a whole hour at
/// a time, into `stats_hourly` (count, sum, min, max, the latest time and a LogHistogram, merged
/// into a row already there), and hourly rows older than retentionDays go. Each hour folds in one
/// transaction, so a crash leaves every sample in exactly one of the tables.
class StatsRetention
{
public:
    static constexpr qint64 HourMs = qint64(3600) * 1000;

    StatsRetention(Database &db, const Clock &clock, int rawRetentionDays, int retentionDays)
        : m_db(db), m_clock(clock), m_rawRetentionDays(rawRetentionDays), m_retentionDays(retentionDays)
    {}

    /// Folds whole hours until at least `maxRows` raw rows are done (a tick of the event loop
    /// stays short after a long downtime; complete is false then), then expires.
    [[nodiscard]] Result<StatsRetentionReport> run(qint64 maxRows = 20000);

private:
    /// Folds the raw rows of the hour starting at `hour` in one transaction; returns how many.
    Result<qint64> foldHour(qint64 hour);

    Database &m_db;
    const Clock &m_clock;
    int m_rawRetentionDays;
    int m_retentionDays;
};

} // namespace hive::engine
