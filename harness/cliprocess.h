// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QObject>
#include <QProcessEnvironment>
#include <QStringList>

class QProcess;
class QTimer;

namespace hive::harness {

/// What to run for one agent CLI invocation.
struct CliInvocation {
    QString program;
    QStringList arguments;
    QProcessEnvironment environment;
    QString workingDirectory;
    QByteArray input;  ///< written to stdin, which is then closed
    int timeoutMs = 0; ///< 0 = none; on expiry: SIGINT, then SIGKILL after the grace
    int killGraceMs = 10000;
};

/// One agent CLI process: its stdout as lines, a bounded tail of its stderr, and an interrupt that
/// is SIGINT first (the CLI then ends the turn cleanly, writes its transcript and reaps its MCP
/// servers) and SIGKILL only when it does not exit within the grace.
class CliProcess : public QObject
{
    Q_OBJECT
public:
    explicit CliProcess(QObject *parent = nullptr);
    ~CliProcess() override;

    void start(const CliInvocation &invocation);
    /// Interrupts the run (an operator's cancel); finished() follows.
    void interrupt();
    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] qint64 pid() const;

    [[nodiscard]] bool interrupted() const { return m_interrupted; }
    [[nodiscard]] bool timedOut() const { return m_timedOut; }
    /// The last lines of stderr (at most 16 KiB), for an error message.
    [[nodiscard]] QString stderrTail() const;

Q_SIGNALS:
    void lineReceived(const QByteArray &line);
    /// The process ended (or never started: `startError` then says why). Emitted once.
    void finished(int exitCode, bool crashed, const QString &startError);

private:
    void readStdout();
    void readStderr();
    void signalProcess(int signal);
    void onFinished(int exitCode, bool crashed);

    QProcess *m_process = nullptr;
    QTimer *m_timeout = nullptr;
    QTimer *m_kill = nullptr;
    QByteArray m_stdoutBuffer;
    QByteArray m_stderrTail;
    int m_killGraceMs = 10000;
    bool m_interrupted = false;
    bool m_timedOut = false;
    bool m_done = false;
};

} // namespace hive::harness
