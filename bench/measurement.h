// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>
#include <vector>

namespace hive::bench {

/// One message as a receiver saw it: CLOCK_MONOTONIC just before the sender's send call, and just
/// after the receiver's recv call returned it. The difference is the wake latency.
struct Sample {
    qint64 sentNs = 0;
    qint64 receivedNs = 0;
};

/// What one run of one workload on one broker comes to.
struct Measurement {
    qint64 messages = 0;  ///< messages received within the window
    double perSecond = 0; ///< messages received per second of the window
    qint64 latencies = 0; ///< messages whose latency counts (sent within the window)
    double p50Ms = 0;     ///< median wake latency
    double p99Ms = 0;     ///< 99th percentile wake latency

    /// Throughput counts the receipts in [windowStartNs, windowEndNs]. Latency takes the messages
    /// sent in [windowStartNs, sendEndNs], so the warm-up (connections, first pages of the database)
    /// is left out. Percentiles are nearest-rank.
    [[nodiscard]] static Measurement compute(const std::vector<Sample> &samples, qint64 windowStartNs,
                                             qint64 windowEndNs, qint64 sendEndNs);
};

/// The median (the mean of the middle two for an even count); none for no values.
[[nodiscard]] std::optional<double> median(std::vector<double> values);

/// The nearest-rank percentile (0 < percent <= 100); none for no values.
[[nodiscard]] std::optional<double> percentile(std::vector<double> values, double percent);

/// The arithmetic mean; none for no values.
[[nodiscard]] std::optional<double> mean(const std::vector<double> &values);

/// Three significant digits without an exponent: 0.0523ms, 1.80ms, 12.3ms, 123ms.
[[nodiscard]] QString formatMs(double ms);

/// One figure on stdout as every hive-bench program prints it, "n/a" for a side not measured:
///   bench: NAME ours=<value> anchor=<value> ratio=<ours/anchor>
void printBenchLine(const QString &name, const std::optional<double> &ours, const std::optional<double> &anchor,
                    QString (*format)(double));

} // namespace hive::bench
