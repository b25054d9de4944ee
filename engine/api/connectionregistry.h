// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/events.h"

#include <QList>
#include <QObject>

namespace hive::engine {

class Connection;

/// The live API connections: owns them, fans events out to subscribers, and closes the
/// connections of a revoked token.
class ConnectionRegistry : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionRegistry(QObject *parent = nullptr) : QObject(parent) {}

    /// Takes ownership; the connection is deleted after it closes.
    void add(Connection *connection);
    [[nodiscard]] qsizetype count() const { return m_connections.size(); }
    /// Connections over TLS (what api.max_connections limits).
    [[nodiscard]] qsizetype remoteCount() const;
    [[nodiscard]] const QList<Connection *> &connections() const { return m_connections; }

    /// Closes every connection authenticated with the token, except `current`, which is closed
    /// right after its reply. Returns how many there were.
    qint64 closeByToken(qint64 tokenId, Connection *current, const QString &reason);

    /// Sends the event to every subscribed connection.
    void broadcast(const protocol::Event &event);

    void closeAll(const QString &reason);

Q_SIGNALS:
    void countChanged(qsizetype count);

private:
    QList<Connection *> m_connections;
};

} // namespace hive::engine
