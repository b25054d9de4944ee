// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/session.h"
#include "result.h"

#include <QProcess>
#include <QStringList>

#include <memory>

namespace hive::test {

/// A real hive-engine process for end-to-end tests: its output goes to a log file (an unread
/// pipe could stall it), it dies with the test (PR_SET_PDEATHSIG), and readiness is checked by
/// calling engine_info on its admin socket, as a client would.
class EngineProcess
{
public:
    /// `stateDir` is passed as --state-dir; `arguments` are added after it.
    EngineProcess(QString stateDir, QString logPath);
    ~EngineProcess();

    /// Starts and waits until the admin socket answers; the error carries the engine's log.
    [[nodiscard]] Result<protocol::EngineInfoResult> start(const QStringList &arguments = {},
                                                           const QProcessEnvironment &environment = {});
    /// Sends `signal` and waits for the exit; returns the exit code (-1 on a crash or time-out).
    int stop(int signal);
    struct Finished {
        int exitCode = -1; ///< -1 on a crash or time-out
        QString out;
        QString err;
    };
    /// Runs hive-engine to completion with these arguments (for --check-config and the like).
    static Finished runToEnd(const QStringList &arguments, int timeoutMs = 30000);

    [[nodiscard]] QProcess &process() { return *m_process; }
    [[nodiscard]] QString log() const;
    [[nodiscard]] const QString &stateDir() const { return m_stateDir; }

private:
    QString m_stateDir;
    QString m_logPath;
    std::unique_ptr<QProcess> m_process;
};

} // namespace hive::test
