// SPDX-License-Identifier: MIT
#include "connectionregistry.h"

#include "connection.h"
#include "jsonrpc.h"

#include <QLoggingCategory>

#include <algorithm>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcRegistry, "hive.events")
}

void ConnectionRegistry::add(Connection *connection)
{
    connection->setParent(this);
    m_connections.append(connection);
    connect(connection, &Connection::closed, this, [this, connection] {
        m_connections.removeOne(connection);
        connection->deleteLater();
        Q_EMIT countChanged(m_connections.size());
    });
    Q_EMIT countChanged(m_connections.size());
}

qsizetype ConnectionRegistry::remoteCount() const
{
    return std::count_if(m_connections.cbegin(), m_connections.cend(),
                         [](const Connection *connection) { return !connection->isLocal(); });
}

qint64 ConnectionRegistry::closeByToken(qint64 tokenId, Connection *current, const QString &reason)
{
    qint64 closed = 0;
    const QList<Connection *> snapshot = m_connections;
    for (Connection *connection : snapshot) {
        if (!connection->session() || connection->session()->tokenId != tokenId || connection->isClosing())
            continue;
        ++closed;
        if (connection == current)
            connection->closeAfterReply(reason);
        else
            connection->close(reason);
    }
    return closed;
}

void ConnectionRegistry::broadcast(const protocol::Event &event)
{
    QByteArray frame;
    int sent = 0;
    for (Connection *connection : std::as_const(m_connections)) {
        if (!connection->isSubscribed() || connection->isClosing())
            continue;
        if (frame.isEmpty()) // encode once, only when someone listens
            frame = rpc::Codec::encodeNotification(QString::fromLatin1(protocol::EventNotification), event.toJson());
        connection->send(frame);
        ++sent;
    }
    qCDebug(lcRegistry).noquote() << "event" << event.seq << event.kind << "sent to" << sent << "subscriber(s)";
}

void ConnectionRegistry::closeAll(const QString &reason)
{
    const QList<Connection *> snapshot = m_connections;
    for (Connection *connection : snapshot)
        connection->close(reason);
}

} // namespace hive::engine
