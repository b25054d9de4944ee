// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QProcess>
#include <QStringList>

#include <memory>

namespace hive::bench {

/// A process the benchmark starts (the engine, Redis, a worker). It dies with the benchmark even
/// when that is killed outright (PR_SET_PDEATHSIG), and is killed when this object goes away, so a
/// failed or interrupted run leaves nothing behind.
class ChildProcess
{
public:
    ChildProcess() = default;
    ~ChildProcess();
    ChildProcess(const ChildProcess &) = delete;
    ChildProcess &operator=(const ChildProcess &) = delete;

    /// Starts `program`. With a `logPath` its stdout and stderr go there (an unread pipe could stall
    /// it); without, both stay pipes to be read through process(). `environment` replaces ours when given.
    [[nodiscard]] Result<void>
    start(const QString &program, const QStringList &arguments, const QString &logPath = {},
          const QProcessEnvironment &environment = QProcessEnvironment(QProcessEnvironment::InheritFromParent));

    /// Sends `signal` to `pid` (0: the child itself; a wrapper such as strace may run the real
    /// program as another pid), waits up to `timeoutMs` for the child to end, then kills both.
    /// Returns the exit code, or -1 after a crash or a kill.
    int stop(int signal, int timeoutMs, qint64 pid = 0);

    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] qint64 pid() const;
    [[nodiscard]] QProcess &process() { return *m_process; }

private:
    std::unique_ptr<QProcess> m_process;
};

} // namespace hive::bench
