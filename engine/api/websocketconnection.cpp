// SPDX-License-Identifier: MIT
#include "websocketconnection.h"

#include <QWebSocket>

namespace hive::engine {

namespace {

/// A server frame's size on the socket: the payload and its unmasked header (RFC 6455 5.2).
qint64 wireSize(qint64 payload)
{
    if (payload < 126)
        return payload + 2;
    return payload + (payload <= 0xffff ? 4 : 10);
}

} // namespace

WebSocketConnection::WebSocketConnection(QWebSocket *socket, QObject *parent) : Connection(parent), m_socket(socket)
{
    m_socket->setParent(this);
    const QHostAddress address = m_socket->peerAddress();
    m_peer = QStringLiteral("wss %1:%2")
                 .arg(address.protocol() == QAbstractSocket::IPv6Protocol
                          ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                          : address.toString())
                 .arg(m_socket->peerPort());
    connect(m_socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &message) { Q_EMIT frameReceived(message.toUtf8()); });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &Connection::binaryFrameReceived);
    connect(m_socket, &QWebSocket::bytesWritten, this, [this](qint64 bytes) {
        m_pending = std::max<qint64>(0, m_pending - bytes);
        Q_EMIT bytesWritten();
    });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        markClosing();
        if (!m_closedEmitted) {
            m_closedEmitted = true;
            Q_EMIT closed();
        }
    });
}

WebSocketConnection::~WebSocketConnection()
{
    m_socket->disconnect(this);
}

void WebSocketConnection::send(const QByteArray &frame)
{
    if (isClosing())
        return;
    const QString text = QString::fromUtf8(frame);
    m_pending += wireSize(m_socket->sendTextMessage(text));
}

void WebSocketConnection::sendBinary(const QByteArray &frame)
{
    if (isClosing())
        return;
    m_pending += wireSize(m_socket->sendBinaryMessage(frame));
}

void WebSocketConnection::close(const QString &reason)
{
    if (isClosing())
        return;
    markClosing();
    // The close reason travels in the close frame, capped at 123 bytes by RFC 6455.
    m_socket->close(QWebSocketProtocol::CloseCodePolicyViolated, reason.left(120));
}

} // namespace hive::engine
