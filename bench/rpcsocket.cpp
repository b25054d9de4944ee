// SPDX-License-Identifier: MIT
#include "rpcsocket.h"

#include "jsonrpc.h"
#include "monotonic.h"

#include <QJsonDocument>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <poll.h>

namespace hive::bench {

namespace {

constexpr qsizetype ReadChunk = qsizetype{64} * 1024;

QString systemError(const char *what)
{
    return QStringLiteral("%1: %2").arg(QLatin1String(what), QString::fromLocal8Bit(std::strerror(errno)));
}

} // namespace

RpcSocket::~RpcSocket()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Result<std::unique_ptr<RpcSocket>> RpcSocket::connect(const QString &path)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray encoded = path.toLocal8Bit();
    if (encoded.size() >= static_cast<qsizetype>(sizeof(address.sun_path)))
        return fail(ErrorCode::Io, QStringLiteral("socket path too long for sun_path: %1").arg(path));
    std::memcpy(address.sun_path, encoded.constData(), static_cast<size_t>(encoded.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(ErrorCode::Io, systemError("socket"));
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API takes a sockaddr *
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) != 0) {
        const QString reason = systemError("connect");
        ::close(fd);
        return fail(ErrorCode::Unavailable, QStringLiteral("%1 (%2)").arg(reason, path));
    }
    return std::unique_ptr<RpcSocket>(new RpcSocket(fd));
}

Result<QJsonObject> RpcSocket::call(const QByteArray &method, const QByteArray &params, int timeoutMs)
{
    const qint64 id = m_nextId++;
    QByteArray frame;
    frame.reserve(64 + method.size() + params.size());
    frame.append(R"({"jsonrpc":"2.0","id":)")
        .append(QByteArray::number(id))
        .append(R"(,"method":")")
        .append(method)
        .append(R"(","params":)")
        .append(params)
        .append("}\n");
    if (auto written = writeAll(frame); !written)
        return fail(written.error());

    const qint64 deadline = monotonicNs() + timeoutMs * NsPerMs;
    for (;;) {
        auto line = readLine(deadline);
        if (!line)
            return fail(line.error().wrapped(QString::fromLatin1(method)));
        const QJsonObject reply = QJsonDocument::fromJson(*line).object();
        // One call at a time, so any other id is a stray; the agent surface sends no notifications.
        if (reply.value(QLatin1String("id")).toInteger(-1) != id)
            continue;
        if (reply.contains(QLatin1String("error"))) {
            return fail(rpc::Codec::errorFromJson(reply.value(QLatin1String("error")).toObject())
                            .wrapped(QString::fromLatin1(method)));
        }
        return reply.value(QLatin1String("result")).toObject();
    }
}

Result<void> RpcSocket::writeAll(const QByteArray &data)
{
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t written =
            ::send(m_fd, data.constData() + done, static_cast<size_t>(data.size() - done), MSG_NOSIGNAL);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return fail(ErrorCode::Io, systemError("send"));
        }
        done += written;
    }
    return {};
}

Result<QByteArray> RpcSocket::readLine(qint64 deadlineNs)
{
    qsizetype scanned = 0;
    for (;;) {
        const qsizetype newline = m_buffer.indexOf('\n', scanned);
        if (newline >= 0) {
            QByteArray line = m_buffer.left(newline);
            m_buffer.remove(0, newline + 1);
            return line;
        }
        scanned = m_buffer.size();
        const qint64 left = deadlineNs - monotonicNs();
        if (left <= 0)
            return fail(ErrorCode::Unavailable, QStringLiteral("no reply in time"));
        pollfd watched{m_fd, POLLIN, 0};
        const int ready = ::poll(&watched, 1, static_cast<int>((left + NsPerMs - 1) / NsPerMs));
        if (ready < 0 && errno != EINTR)
            return fail(ErrorCode::Io, systemError("poll"));
        if (ready <= 0)
            continue;
        const qsizetype old = m_buffer.size();
        m_buffer.resize(old + ReadChunk);
        const ssize_t got = ::recv(m_fd, m_buffer.data() + old, ReadChunk, 0);
        m_buffer.resize(old + std::max<qsizetype>(got, 0));
        if (got == 0)
            return fail(ErrorCode::Unavailable, QStringLiteral("the engine closed the connection"));
        if (got < 0 && errno != EINTR)
            return fail(ErrorCode::Io, systemError("recv"));
    }
}

} // namespace hive::bench
