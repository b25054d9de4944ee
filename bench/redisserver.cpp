// SPDX-License-Identifier: MIT
#include "redisserver.h"

#include "interrupt.h"
#include "monotonic.h"
#include "redisclient.h"

#include <QDir>
#include <QFile>
#include <QThread>

#include <csignal>

namespace hive::bench {

namespace {
constexpr int StopTimeoutMs = 30'000;
}

RedisServer::RedisServer(QString program, QString dir) : m_program(std::move(program)), m_dir(std::move(dir)) {}

RedisServer::~RedisServer()
{
    stop();
}

QString RedisServer::socketPath() const
{
    return m_dir + QStringLiteral("/redis.sock");
}

QString RedisServer::log() const
{
    QFile file(m_dir + QStringLiteral("/redis.log"));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()).trimmed() : QString();
}

Result<void> RedisServer::start(int timeoutMs)
{
    if (!QDir().mkpath(m_dir))
        return fail(ErrorCode::Io, QStringLiteral("cannot create %1").arg(m_dir));
    // No RDB snapshots: a BGSAVE fork in the middle of a run would measure the fork, and the AOF is
    // the durability being compared.
    const QString config = QStringLiteral("# written by hive-bench-broker\n"
                                          "port 0\n"
                                          "unixsocket \"%1\"\n"
                                          "unixsocketperm 700\n"
                                          "dir \"%2\"\n"
                                          "logfile \"%2/redis.log\"\n"
                                          "daemonize no\n"
                                          "appendonly yes\n"
                                          "appendfsync everysec\n"
                                          "save \"\"\n")
                               .arg(socketPath(), m_dir);
    const QString configPath = m_dir + QStringLiteral("/redis.conf");
    QFile file(configPath);
    if (!file.open(QIODevice::WriteOnly) || file.write(config.toUtf8()) < 0)
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1").arg(configPath));
    file.close();
    if (auto started = m_process.start(m_program, {configPath}, m_dir + QStringLiteral("/redis.stdout")); !started)
        return started;

    const qint64 deadline = monotonicNs() + timeoutMs * NsPerMs;
    Error last{ErrorCode::Unavailable, QStringLiteral("not tried"), {}};
    while (monotonicNs() < deadline && !Interrupt::requested()) {
        if (!m_process.isRunning())
            return fail(ErrorCode::Unavailable, QStringLiteral("redis-server exited at start:\n%1").arg(log()));
        if (auto client = RedisClient::connect(socketPath(), "ready")) {
            auto pong = (*client)->ping();
            if (pong)
                return {};
            last = pong.error();
        } else {
            last = client.error();
        }
        QThread::msleep(20);
    }
    return fail(ErrorCode::Unavailable,
                QStringLiteral("redis-server not ready in %1 ms (%2):\n%3").arg(timeoutMs).arg(last.message, log()));
}

void RedisServer::stop()
{
    if (m_process.isRunning())
        (void)m_process.stop(SIGTERM, StopTimeoutMs);
}

} // namespace hive::bench
