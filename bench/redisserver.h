// SPDX-License-Identifier: MIT
#pragma once

#include "childprocess.h"
#include "result.h"

#include <QString>

namespace hive::bench {

/// The anchor: Debian's redis-server on a unix socket in its own directory, with no TCP port and
/// the AOF on with an fsync every second ("appendonly yes", "appendfsync everysec"): Redis's usual
/// durable setting, and its closest to a broker that promises not to lose messages.
class RedisServer
{
public:
    RedisServer(QString program, QString dir);
    ~RedisServer();
    RedisServer(const RedisServer &) = delete;
    RedisServer &operator=(const RedisServer &) = delete;

    /// Writes redis.conf, starts the server and waits until it answers PING.
    [[nodiscard]] Result<void> start(int timeoutMs);
    /// SIGTERM (Redis then fsyncs the AOF and exits), SIGKILL if it lingers.
    void stop();

    [[nodiscard]] QString socketPath() const;
    [[nodiscard]] QString log() const;

private:
    QString m_program;
    QString m_dir;
    ChildProcess m_process;
};

} // namespace hive::bench
