// SPDX-License-Identifier: MIT
#include "engineserver.h"

#include "interrupt.h"
#include "monotonic.h"
#include "rpcsocket.h"
#include "statepaths.h"

#include <QDir>
#include <QFile>
#include <QThread>

#include <csignal>

namespace hive::bench {

namespace {

constexpr int AdminCallTimeoutMs = 120'000;
constexpr int StopTimeoutMs = 300'000; // callgrind writes its profile on the way out

// Only the admin socket and the agent sockets: no TLS listener, so nothing here costs a handshake.
constexpr const char *EngineConf = R"(# written by hive-bench-broker
listen = "off"

[log]
level = "warning"

[containers]
backend = "none"
)";

} // namespace

EngineServer::EngineServer(QString program, QStringList prefix, QString dir, QByteArray config)
    : m_program(std::move(program)), m_prefix(std::move(prefix)), m_dir(std::move(dir)),
      m_config(config.isEmpty() ? defaultConfig() : std::move(config))
{}

QByteArray EngineServer::defaultConfig()
{
    return EngineConf;
}

EngineServer::~EngineServer()
{
    stop();
}

QString EngineServer::stateDir() const
{
    return m_dir + QStringLiteral("/state");
}

QString EngineServer::agentSocket(const QString &agent) const
{
    return stateDir() + QStringLiteral("/run/agents/") + agent + QStringLiteral("/agent.sock");
}

QString EngineServer::log() const
{
    QFile file(m_dir + QStringLiteral("/engine.log"));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()).trimmed() : QString();
}

Result<void> EngineServer::start(int timeoutMs)
{
    if (!QDir().mkpath(m_dir))
        return fail(ErrorCode::Io, QStringLiteral("cannot create %1").arg(m_dir));
    const QString config = m_dir + QStringLiteral("/engine.conf");
    QFile file(config);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_config) < 0)
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1").arg(config));
    file.close();

    QStringList arguments = m_prefix;
    arguments << m_program << QStringLiteral("--config") << config << QStringLiteral("--state-dir") << stateDir();
    const QString program = arguments.takeFirst();
    if (auto started = m_process.start(program, arguments, m_dir + QStringLiteral("/engine.log")); !started)
        return started;

    // Ready when the admin socket answers a call, as for any client.
    const qint64 deadline = monotonicNs() + timeoutMs * NsPerMs;
    Error last{ErrorCode::Unavailable, QStringLiteral("not tried"), {}};
    while (monotonicNs() < deadline && !Interrupt::requested()) {
        if (!m_process.isRunning())
            return fail(ErrorCode::Unavailable, QStringLiteral("hive-engine exited at start:\n%1").arg(log()));
        if (auto socket = RpcSocket::connect(paths::adminSocket(stateDir()))) {
            auto info = (*socket)->call("engine_info", "{}", AdminCallTimeoutMs);
            if (info)
                return {};
            last = info.error();
        } else {
            last = socket.error();
        }
        QThread::msleep(50);
    }
    return fail(ErrorCode::Unavailable,
                QStringLiteral("hive-engine not ready in %1 ms (%2):\n%3").arg(timeoutMs).arg(last.message, log()));
}

Result<void> EngineServer::addAgents(const QStringList &names)
{
    auto socket = RpcSocket::connect(paths::adminSocket(stateDir()));
    if (!socket)
        return fail(socket.error());
    for (const QString &name : names) {
        auto added = (*socket)->call("agent_add", R"({"name":")" + name.toLatin1() + "\"}", AdminCallTimeoutMs);
        if (!added)
            return fail(added.error());
    }
    return {};
}

qint64 EngineServer::enginePid() const
{
    // The engine writes its pid into the lock file; with a wrapper (strace, perf) it is not ours.
    QFile lock(stateDir() + QStringLiteral("/engine.lock"));
    if (!lock.open(QIODevice::ReadOnly))
        return 0;
    return lock.readAll().trimmed().toLongLong();
}

void EngineServer::stop()
{
    if (m_process.isRunning())
        (void)m_process.stop(SIGTERM, StopTimeoutMs, enginePid());
}

} // namespace hive::bench
