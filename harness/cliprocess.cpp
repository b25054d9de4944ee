// SPDX-License-Identifier: MIT
#include "cliprocess.h"

#include <QProcess>
#include <QTimer>

#include <sys/prctl.h>

#include <csignal>

namespace hive::harness {

namespace {
constexpr qsizetype StderrTailBytes = 16 * 1024;
} // namespace

CliProcess::CliProcess(QObject *parent) : QObject(parent)
{
    m_process = new QProcess(this);
    m_timeout = new QTimer(this);
    m_timeout->setSingleShot(true);
    m_kill = new QTimer(this);
    m_kill->setSingleShot(true);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &CliProcess::readStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, &CliProcess::readStderr);
    connect(m_process, &QProcess::finished, this,
            [this](int exitCode, QProcess::ExitStatus status) { onFinished(exitCode, status == QProcess::CrashExit); });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart && !m_done) {
            m_done = true;
            m_timeout->stop();
            Q_EMIT finished(-1, true, m_process->errorString());
        }
    });
    connect(m_timeout, &QTimer::timeout, this, [this] {
        m_timedOut = true;
        signalProcess(SIGINT);
        m_kill->start(m_killGraceMs);
    });
    connect(m_kill, &QTimer::timeout, this, [this] { signalProcess(SIGKILL); });
}

CliProcess::~CliProcess()
{
    if (isRunning()) {
        signalProcess(SIGKILL);
        m_process->waitForFinished(5000);
    }
}

void CliProcess::start(const CliInvocation &invocation)
{
    m_killGraceMs = invocation.killGraceMs;
    m_process->setProgram(invocation.program);
    m_process->setArguments(invocation.arguments);
    m_process->setProcessEnvironment(invocation.environment);
    m_process->setWorkingDirectory(invocation.workingDirectory);
    // The CLI dies with the harness: a killed harness must not leave a turn running that nobody acks.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process->start(QIODevice::ReadWrite);
    if (!m_process->waitForStarted(10000))
        return; // errorOccurred reports it
    m_process->write(invocation.input);
    m_process->closeWriteChannel();
    if (invocation.timeoutMs > 0)
        m_timeout->start(invocation.timeoutMs);
}

void CliProcess::interrupt()
{
    if (!isRunning() || m_interrupted)
        return;
    m_interrupted = true;
    signalProcess(SIGINT);
    m_kill->start(m_killGraceMs);
}

bool CliProcess::isRunning() const
{
    return m_process->state() != QProcess::NotRunning;
}

qint64 CliProcess::pid() const
{
    return m_process->processId();
}

QString CliProcess::stderrTail() const
{
    return QString::fromUtf8(m_stderrTail).trimmed();
}

void CliProcess::readStdout()
{
    m_stdoutBuffer += m_process->readAllStandardOutput();
    qsizetype start = 0;
    for (qsizetype newline = m_stdoutBuffer.indexOf('\n'); newline >= 0;
         newline = m_stdoutBuffer.indexOf('\n', start)) {
        Q_EMIT lineReceived(m_stdoutBuffer.mid(start, newline - start));
        start = newline + 1;
    }
    m_stdoutBuffer.remove(0, start);
}

void CliProcess::readStderr()
{
    m_stderrTail += m_process->readAllStandardError();
    if (m_stderrTail.size() > StderrTailBytes)
        m_stderrTail = m_stderrTail.right(StderrTailBytes);
}

void CliProcess::signalProcess(int signal)
{
    if (const qint64 pid = m_process->processId(); pid > 0 && isRunning())
        ::kill(static_cast<pid_t>(pid), signal);
}

void CliProcess::onFinished(int exitCode, bool crashed)
{
    if (m_done)
        return;
    m_done = true;
    m_timeout->stop();
    m_kill->stop();
    readStdout();
    readStderr();
    if (!m_stdoutBuffer.isEmpty()) { // a last line without its newline
        Q_EMIT lineReceived(m_stdoutBuffer);
        m_stdoutBuffer.clear();
    }
    Q_EMIT finished(exitCode, crashed, QString());
}

} // namespace hive::harness
