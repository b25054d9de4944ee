// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QString>
#include <QStringList>

namespace hive::bench {

class ContainerEngine;

/// What every workload of hive-bench-containers gets from its command line.
struct ContainerBenchSettings {
    QString engineProgram;
    QString harnessProgram;
    QString dir; ///< this workload's own dir inside the run's temporary dir (state dir, logs)
    int repeat = 10;
};

/// spawn-to-ready: how long an operator waits from agent_start until the agent's harness is
/// connected (the agent_connected event), for an agent whose tree exists (spawned and killed once
/// beforehand), against the anchor, a bare systemd-nspawn running /bin/true with the same root
/// tree, uid range and binds, from exec to exit. Rounds alternate ours and the anchor; prints
///   bench: spawn-to-ready ours=<ms>ms anchor=<ms>ms ratio=<ours/anchor>
/// (medians) and on stderr where our time goes, from the engine's event timestamps.
class SpawnBench
{
public:
    explicit SpawnBench(ContainerBenchSettings settings) : m_settings(std::move(settings)) {}

    /// Returns the exit code: 0, 1 when a measurement failed, 130 when interrupted.
    [[nodiscard]] int run();

private:
    /// One round of ours. From queuedMs on the figures come from the engine's wall-clock timestamps (ms
    /// resolution): its events and the header start() writes into container.log before it runs nspawn.
    struct Round {
        double readyMs = 0;    ///< agent_start sent until agent_connected received
        double answerMs = 0;   ///< agent_start sent until its reply
        double queuedMs = 0;   ///< sent until the engine's `starting`
        double prepareMs = 0;  ///< `starting` until start() runs nspawn: the dirs, the socket, prepare()
        double startMs = 0;    ///< until `running`: nspawn's setup, the harness's exec, start()'s /proc polling
        double acceptMs = 0;   ///< until agent_connected: the harness's connection accepted
        double deliveryMs = 0; ///< until agent_connected was received (after the database sync)
    };
    [[nodiscard]] Result<Round> measureOurs(ContainerEngine &engine, const QString &agent) const;
    [[nodiscard]] Result<double> measureAnchor(const QStringList &command, const QString &logPath) const;
    [[nodiscard]] Result<int> runMeasured(ContainerEngine &engine);

    ContainerBenchSettings m_settings;
};

} // namespace hive::bench
