// SPDX-License-Identifier: MIT
#pragma once

#include "measurement.h"
#include "result.h"
#include "workloadrunner.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace hive::bench {

/// What to measure and with what.
struct BenchSettings {
    QList<Workload> workloads{Workload::PingPong, Workload::FanIn};
    QList<int> agents{1, 16, 64};
    bool ours = true;   ///< measure hive-engine
    bool anchor = true; ///< measure Redis Streams
    QString engineProgram;
    QStringList enginePrefix; ///< e.g. valgrind --tool=callgrind: the engine runs under it
    QString redisProgram;
    QString workDir; ///< where the temporary dir goes (state dirs, Redis AOF, samples)
    bool keep = false;
    int repeat = 1; ///< rounds per workload and side; each figure printed is the median over them
    RunSettings run;
};

/// The whole benchmark: for each workload and agent count, a fresh engine and then a fresh Redis
/// (--repeat times, alternating), the same workers against each, and three lines (throughput, p50,
/// p99; medians over the rounds) comparing them:
///   bench: pingpong-n16-throughput ours=12345msg/s anchor=23456msg/s ratio=0.53
class Benchmark
{
public:
    explicit Benchmark(BenchSettings settings) : m_settings(std::move(settings)) {}

    /// Returns the exit code: 0, 1 when a measurement failed, 130 when interrupted.
    [[nodiscard]] int run();

private:
    [[nodiscard]] Result<Measurement> measureOurs(Workload workload, int agents, const QString &dir) const;
    [[nodiscard]] Result<Measurement> measureAnchor(Workload workload, int agents, const QString &dir) const;

    BenchSettings m_settings;
};

} // namespace hive::bench
