// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <memory>

namespace hive::bench {

/// A blocking JSON-RPC 2.0 client over a unix socket with newline-delimited frames: the engine's
/// admin socket and its agent sockets. One call at a time, no event loop, no threads: in a worker
/// process the time measured is the broker's, not a client framework's.
class RpcSocket
{
public:
    ~RpcSocket();
    RpcSocket(const RpcSocket &) = delete;
    RpcSocket &operator=(const RpcSocket &) = delete;

    [[nodiscard]] static Result<std::unique_ptr<RpcSocket>> connect(const QString &path);

    /// Sends `method` with `params` (the text of a JSON object) and waits up to `timeoutMs` for its
    /// reply. Returns the `result` object, or the error the engine answered.
    [[nodiscard]] Result<QJsonObject> call(const QByteArray &method, const QByteArray &params, int timeoutMs);

private:
    explicit RpcSocket(int fd) : m_fd(fd) {}
    [[nodiscard]] Result<void> writeAll(const QByteArray &data);
    [[nodiscard]] Result<QByteArray> readLine(qint64 deadlineNs);

    int m_fd = -1;
    QByteArray m_buffer;
    qint64 m_nextId = 1;
};

} // namespace hive::bench
