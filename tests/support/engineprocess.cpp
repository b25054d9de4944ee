// SPDX-License-Identifier: MIT
#include "engineprocess.h"

#include "localsocketpeer.h"
#include "protocol/methods.h"
#include "rpcclient.h"
#include "statepaths.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QThread>

#include <sys/prctl.h>

#include <csignal>

namespace hive::test {

namespace {
constexpr int StartTimeoutMs = 30000;
}

EngineProcess::EngineProcess(QString stateDir, QString logPath)
    : m_stateDir(std::move(stateDir)), m_logPath(std::move(logPath))
{}

EngineProcess::~EngineProcess()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

QString EngineProcess::log() const
{
    QFile file(m_logPath);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

Result<protocol::EngineInfoResult> EngineProcess::start(const QStringList &arguments,
                                                        const QProcessEnvironment &environment)
{
    m_process = std::make_unique<QProcess>();
    m_process->setStandardOutputFile(m_logPath, QIODevice::Append);
    m_process->setStandardErrorFile(m_logPath, QIODevice::Append);
    if (!environment.isEmpty())
        m_process->setProcessEnvironment(environment);
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    QStringList all{QStringLiteral("--state-dir"), m_stateDir};
    if (!arguments.contains(QStringLiteral("--config"))) {
        // Tests start engines by the dozen, as root on CI: no manager container unless a test asks.
        const QString config = m_stateDir + QStringLiteral(".conf");
        QFile file(config);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write("[containers]\nbackend = \"none\"\n") < 0)
            return fail(ErrorCode::Io, QStringLiteral("cannot write %1").arg(config));
        all << QStringLiteral("--config") << config;
    }
    m_process->start(binaryPath(QStringLiteral("hive-engine")), all + arguments);
    if (!m_process->waitForStarted(StartTimeoutMs))
        return fail(ErrorCode::Unavailable, m_process->errorString());

    QElapsedTimer timer;
    timer.start();
    Error last{ErrorCode::Unavailable, QStringLiteral("not tried"), {}};
    while (timer.elapsed() < StartTimeoutMs) {
        if (m_process->state() != QProcess::Running) {
            return fail(ErrorCode::Unavailable,
                        QStringLiteral("hive-engine exited with %1:\n%2").arg(m_process->exitCode()).arg(log()));
        }
        client::RpcClient client(new client::LocalSocketPeer(paths::adminSocket(m_stateDir)));
        if (client.openAndWait(2000)) {
            auto info = client.callAndWait<protocol::EngineInfoMethod>(protocol::EngineInfoParams{}, 5000);
            if (info)
                return info;
            last = info.error();
        }
        QThread::msleep(50);
    }
    return fail(
        ErrorCode::Unavailable,
        QStringLiteral("hive-engine not ready after %1 ms (%2):\n%3").arg(StartTimeoutMs).arg(last.message, log()));
}

int EngineProcess::stop(int signal)
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return m_process ? m_process->exitCode() : -1;
    ::kill(static_cast<pid_t>(m_process->processId()), signal);
    if (!m_process->waitForFinished(StartTimeoutMs))
        return -1;
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

EngineProcess::Finished EngineProcess::runToEnd(const QStringList &arguments, int timeoutMs)
{
    QProcess process;
    process.start(binaryPath(QStringLiteral("hive-engine")), arguments);
    Finished finished;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return finished;
    }
    finished.out = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    finished.err = QString::fromUtf8(process.readAllStandardError()).trimmed();
    finished.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return finished;
}

} // namespace hive::test
