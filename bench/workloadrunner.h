// SPDX-License-Identifier: MIT
#pragma once

#include "brokerclient.h"
#include "measurement.h"
#include "result.h"
#include "worker.h"

#include <QString>
#include <QStringList>

#include <functional>

namespace hive::bench {

enum class Workload {
    PingPong, ///< agents in pairs, one message in flight per pair (N = 1: the agent and the manager)
    FanIn,    ///< N agents flood the manager, which receives (recv max 32 + ack)
};

[[nodiscard]] QString workloadName(Workload workload);
[[nodiscard]] std::optional<Workload> workloadFromName(const QString &name);

/// How long and how big, the same for both brokers.
struct RunSettings {
    qint64 warmupMs = 1000;   ///< after the start line, not counted
    qint64 durationMs = 5000; ///< the measured window; senders stop at its end
    qint64 drainMs = 30000;   ///< after the window: time for receivers to get what is still queued
    int bodyBytes = 100;
    int recvMax = 32;
    double fanInRate =
        0; ///< mean messages per second per fan-in sender (Poisson); 0 = as fast as the broker takes them
    int startTimeoutMs = 120000;
};

/// Runs one workload against one broker: starts one worker process per agent, plus one for the
/// manager where it takes part (this same program with --worker), starts them together once all
/// are connected, waits for them and turns their receipts into a Measurement.
class WorkloadRunner
{
public:
    /// `program` is this benchmark's own executable; `socketFor(agent)` is where a worker connects.
    WorkloadRunner(QString program, RunSettings settings, Backend backend,
                   std::function<QString(const QString &agent)> socketFor);

    [[nodiscard]] Result<Measurement> run(Workload workload, int agents, const QString &samplesDir) const;

    /// a0, a1, ...: the agents a workload of `count` uses.
    [[nodiscard]] static QStringList agentNames(int count);

private:
    struct Part {
        Role role;
        QString agent;
        QString peer;
        int senders = 0;
    };
    [[nodiscard]] static Result<QList<Part>> plan(Workload workload, int agents);
    [[nodiscard]] QStringList workerArguments(const Part &part, const QString &samplesPath) const;

    QString m_program;
    RunSettings m_settings;
    Backend m_backend;
    std::function<QString(const QString &agent)> m_socketFor;
};

} // namespace hive::bench
