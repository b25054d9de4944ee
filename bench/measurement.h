// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

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

} // namespace hive::bench
