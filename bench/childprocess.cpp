// SPDX-License-Identifier: MIT
#include "childprocess.h"

#include <sys/prctl.h>

#include <csignal>

namespace hive::bench {

ChildProcess::~ChildProcess()
{
    if (isRunning()) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

Result<void> ChildProcess::start(const QString &program, const QStringList &arguments, const QString &logPath,
                                 const QProcessEnvironment &environment)
{
    m_process = std::make_unique<QProcess>();
    if (!environment.inheritsFromParent())
        m_process->setProcessEnvironment(environment);
    if (!logPath.isEmpty()) {
        m_process->setStandardOutputFile(logPath, QIODevice::Append);
        m_process->setStandardErrorFile(logPath, QIODevice::Append);
    }
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process->start(program, arguments);
    if (!m_process->waitForStarted(30000))
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("cannot start %1: %2").arg(program, m_process->errorString()));
    return {};
}

int ChildProcess::stop(int signal, int timeoutMs, qint64 pid)
{
    if (!isRunning())
        return m_process && m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
    ::kill(static_cast<pid_t>(pid > 0 ? pid : m_process->processId()), signal);
    if (!m_process->waitForFinished(timeoutMs)) {
        if (pid > 0)
            ::kill(static_cast<pid_t>(pid), SIGKILL);
        m_process->kill();
        m_process->waitForFinished(5000);
        return -1;
    }
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

bool ChildProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

qint64 ChildProcess::pid() const
{
    return m_process ? m_process->processId() : 0;
}

} // namespace hive::bench
