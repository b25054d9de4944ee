// SPDX-License-Identifier: MIT
#pragma once

#include "adminconnection.h"
#include "childprocess.h"
#include "cliprocess.h"
#include "harnessbenchsettings.h"
#include "result.h"

#include <QStringList>

#include <memory>

namespace hive::test {
class FakeModelServer;
}

namespace hive::bench {

class EngineServer;

/// turn-overhead: what the harness adds to a turn. A real hive-engine whose [harness] section points the agent CLI
/// at a scripted model server in this process (one text reply per request), the agent alice, and `hive-harness
/// serve` for her as a host process (its own HOME). Ours: the operator's message_send to alice until the engine's
/// agent_turn "ended" event for the turn it started. The anchor: the same CLI command run bare, as the harness
/// builds it (turnInvocation() from alice's `config` answer and the files the harness wrote, its wake prompt on
/// stdin, a HOME of its own), from start to exit. One unmeasured turn each, then `turns` rounds alternating which
/// side goes first. Prints
///   bench: turn-wall-p50|turn-wall-mean ours=<ms> anchor=<ms> ratio=<ours/anchor>
/// and on stderr each round and where our time goes (the turn's own started event, the duration it reported).
class TurnBench
{
public:
    explicit TurnBench(HarnessBenchSettings settings);
    ~TurnBench();
    TurnBench(const TurnBench &) = delete;
    TurnBench &operator=(const TurnBench &) = delete;

    /// Returns the exit code: 0, 1 when a measurement failed, 130 when interrupted.
    [[nodiscard]] int run();

private:
    struct OursRound {
        double wallMs = 0;     ///< message_send sent until the ended event was read
        double wakeMs = 0;     ///< until the started event was read: the recv's wake, the turn's set-up
        double reportedMs = 0; ///< the duration_ms the harness put in the ended event (its CLI run)
    };

    [[nodiscard]] Result<void> runMeasured();
    [[nodiscard]] Result<void> startSwarm();
    [[nodiscard]] Result<void> waitUntilIdle();
    [[nodiscard]] Result<OursRound> measureOurs(int round, bool checkCommand);
    [[nodiscard]] Result<double> measureBare(int round);
    [[nodiscard]] Result<harness::CliInvocation> bareInvocation(int round);
    /// The command line of the harness's running CLI, from /proc; empty when none runs.
    [[nodiscard]] QStringList harnessCliCommand() const;

    HarnessBenchSettings m_settings;
    std::unique_ptr<test::FakeModelServer> m_fake;
    std::unique_ptr<EngineServer> m_engine;
    AdminConnection m_admin;
    ChildProcess m_harness;
    QString m_socket;
    QStringList m_bareCommand; ///< the last bare invocation's program and arguments
    QStringList m_seenCommand; ///< the harness's, caught during the warm-up turn
};

} // namespace hive::bench
