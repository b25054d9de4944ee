// SPDX-License-Identifier: MIT
#include "websocketconnection.h"

#include "jsonrpc.h"

#include <QWebSocket>

namespace hive::engine {

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
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &) {
        // Answer in kind rather than drop it, so a confused client learns what went wrong.
        send(rpc::Codec::encodeError(QJsonValue(QJsonValue::Null),
                                     Error{ErrorCode::InvalidRequest,
                                           QStringLiteral("binary frames are not supported: send JSON-RPC as text "
                                                          "frames"),
                                           {}}));
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
    m_socket->sendTextMessage(QString::fromUtf8(frame));
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
