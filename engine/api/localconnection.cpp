// SPDX-License-Identifier: MIT
#include "localconnection.h"

#include "jsonrpc.h"

#include <QLocalSocket>

#include <sys/socket.h>

namespace hive::engine {

LocalConnection::LocalConnection(QLocalSocket *socket, qsizetype maxFrameBytes, QObject *parent)
    : Connection(parent), m_socket(socket), m_maxFrameBytes(maxFrameBytes)
{
    m_socket->setParent(this);
    ucred credentials{};
    socklen_t length = sizeof(credentials);
    if (::getsockopt(static_cast<int>(m_socket->socketDescriptor()), SOL_SOCKET, SO_PEERCRED, &credentials, &length) ==
        0) {
        m_peerUid = credentials.uid;
        m_peer = QStringLiteral("local uid %1 pid %2").arg(credentials.uid).arg(credentials.pid);
    } else {
        m_peer = QStringLiteral("local");
    }
    connect(m_socket, &QLocalSocket::readyRead, this, &LocalConnection::readFrames);
    connect(m_socket, &QLocalSocket::bytesWritten, this, &Connection::bytesWritten);
    connect(m_socket, &QLocalSocket::disconnected, this, [this] {
        markClosing();
        if (!m_closedEmitted) {
            m_closedEmitted = true;
            Q_EMIT closed();
        }
    });
}

LocalConnection::~LocalConnection()
{
    m_socket->disconnect(this);
}

void LocalConnection::readFrames()
{
    m_buffer += m_socket->readAll();
    for (;;) {
        const qsizetype newline = m_buffer.indexOf('\n');
        if (newline < 0)
            break;
        QByteArray frame = m_buffer.left(newline);
        m_buffer.remove(0, newline + 1);
        if (m_discarding) {
            m_discarding = false;
            continue;
        }
        if (frame.endsWith('\r'))
            frame.chop(1);
        if (!frame.trimmed().isEmpty())
            Q_EMIT frameReceived(frame);
        if (isClosing())
            return;
    }
    if (!m_discarding && m_buffer.size() > m_maxFrameBytes) {
        // Answer at once and skip to the next newline: the stream stays usable, memory bounded.
        send(rpc::Codec::encodeError(
            QJsonValue(QJsonValue::Null),
            Error{ErrorCode::TooLarge,
                  QStringLiteral("frame exceeds the limit of %1 bytes; skipped up to its newline").arg(m_maxFrameBytes),
                  {}}));
        m_discarding = true;
        m_buffer.clear();
    } else if (m_discarding) {
        m_buffer.clear();
    }
}

void LocalConnection::send(const QByteArray &frame)
{
    if (isClosing())
        return;
    m_socket->write(frame);
    m_socket->write("\n", 1);
}

qint64 LocalConnection::pendingBytes() const
{
    return m_socket->bytesToWrite();
}

void LocalConnection::close(const QString & /*reason*/)
{
    if (isClosing())
        return;
    markClosing();
    m_socket->disconnectFromServer(); // flushes pending writes first
}

} // namespace hive::engine
