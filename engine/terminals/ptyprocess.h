// SPDX-License-Identifier: MIT
#pragma once

#include "containers/uniquefd.h"
#include "result.h"

#include <QByteArray>
#include <QObject>
#include <QStringList>

#include <chrono>
#include <memory>
#include <optional>

class QSocketNotifier;
class QTimer;

namespace hive::engine {

/// What runs on a terminal: the program (absolute path) with its arguments, the whole
/// environment ("NAME=value"), and the window size.
struct PtyCommand {
    QStringList argv;
    QStringList environment;
    int cols = 80;
    int rows = 24;
};

/// How the program ended: an exit code, or the signal that killed it.
struct PtyExit {
    std::optional<int> exitCode;
    std::optional<int> signal;
};

/// A program on a pseudo-terminal whose master end the engine holds: the program runs in a
/// session of its own with the PTY as its controlling terminal. Output arrives as signals (reading
/// can be paused for flow control), input is queued and written as the PTY takes it, and the end
/// comes once: finished() after the program exited and what it wrote was read.
class PtyProcess : public QObject
{
    Q_OBJECT
public:
    /// Input waiting beyond this is refused (the program does not read its terminal).
    static constexpr qsizetype MaxQueuedInput = 1024 * 1024;

    [[nodiscard]] static Result<std::unique_ptr<PtyProcess>> start(const PtyCommand &command);
    /// Kills what is left of the program and reaps it.
    ~PtyProcess() override;

    [[nodiscard]] qint64 pid() const { return m_pid; }
    [[nodiscard]] bool isFinished() const { return m_finished; }

    /// Queues bytes for the program; an error when too much is waiting already.
    [[nodiscard]] Result<void> write(const QByteArray &data);
    /// Sets the window size; the program gets SIGWINCH.
    [[nodiscard]] Result<void> resize(int cols, int rows);
    /// Stops or resumes reading the program's output (it blocks once the PTY's buffer is full).
    void setReadingPaused(bool paused);
    /// Hangs the terminal up: SIGHUP to the program and its foreground job, the PTY closed; a
    /// program still there after `grace` is killed (SIGKILL). finished() follows.
    void hangUp(std::chrono::milliseconds grace);

Q_SIGNALS:
    void output(const QByteArray &data);
    void finished(const hive::engine::PtyExit &exit);

private:
    PtyProcess(qint64 pid, UniqueFd master, UniqueFd pidfd);
    void readOutput(int maxReads);
    void flushInput();
    void reap();
    void closeMaster();
    /// SIGKILL to the program and the processes it started directly (the shell inside nsenter).
    void killProgram();

    qint64 m_pid = 0;
    UniqueFd m_master;
    UniqueFd m_pidfd;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QSocketNotifier *m_exitNotifier = nullptr;
    QTimer *m_killTimer = nullptr;
    QByteArray m_input;
    bool m_paused = false;
    bool m_outputEnded = false; ///< the terminal reported EIO: nobody has it open
    bool m_finished = false;
};

} // namespace hive::engine
