// SPDX-License-Identifier: MIT
#include "localsocketpeer.h"

#include <QLocalSocket>

namespace hive::client {

LocalSocketPeer::LocalSocketPeer(QString path, QObject *parent)
    : Peer(parent), m_path(std::move(path)), m_socket(new QLocalSocket(this))
{
    connect(m_socket, &QLocalSocket::connected, this, &Peer::opened);
    connect(m_socket, &QLocalSocket::readyRead, this, [this] {
        m_buffer += m_socket->readAll();
        qsizetype newline = 0;
        while ((newline = m_buffer.indexOf('\n')) >= 0) {
            const QByteArray frame = m_buffer.left(newline);
            m_buffer.remove(0, newline + 1);
            if (!frame.trimmed().isEmpty())
                Q_EMIT frameReceived(frame);
        }
    });
    connect(m_socket, &QLocalSocket::disconnected, this, [this] {
        finish(Error{ErrorCode::Unavailable, QStringLiteral("the engine closed the connection"), {}});
    });
    connect(m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError error) {
        if (error == QLocalSocket::PeerClosedError)
            return; // disconnected() reports it
        QString hint;
        if (error == QLocalSocket::ServerNotFoundError || error == QLocalSocket::ConnectionRefusedError)
            hint = QStringLiteral(" (is hive-engine running on this state dir?)");
        else if (error == QLocalSocket::SocketAccessError)
            hint = QStringLiteral(" (the admin socket is only for the user the engine runs as)");
        finish(Error{ErrorCode::Unavailable,
                     QStringLiteral("cannot connect to %1: %2%3").arg(m_path, m_socket->errorString(), hint),
                     {}});
    });
}

void LocalSocketPeer::open()
{
    m_socket->connectToServer(m_path);
}

void LocalSocketPeer::send(const QByteArray &frame)
{
    m_socket->write(frame);
    m_socket->write("\n", 1);
}

void LocalSocketPeer::close()
{
    m_socket->disconnectFromServer();
}

void LocalSocketPeer::finish(const Error &reason)
{
    if (m_finished)
        return;
    m_finished = true;
    Q_EMIT closed(reason);
}

} // namespace hive::client
