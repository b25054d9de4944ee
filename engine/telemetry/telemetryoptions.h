// SPDX-License-Identifier: MIT
#pragma once

namespace hive::engine {

/// The engine's telemetry settings ([telemetry] in engine.conf).
struct TelemetryOptions {
    int rawRetentionDays = 7;          ///< telemetry.raw_retention_days: raw rows older fold into hourly rows
    int retentionDays = 90;            ///< telemetry.retention_days: hourly rows older are deleted
    int retentionIntervalMinutes = 10; ///< telemetry.retention_interval_minutes: between retention runs
    int inboxSampleSeconds = 10;       ///< inbox.depth: at most one sample per agent this often (not a key)

    friend bool operator==(const TelemetryOptions &, const TelemetryOptions &) = default;
};

} // namespace hive::engine
