// SPDX-License-Identifier: MIT
#pragma once

#include "connection.h"

class QWebSocket;

namespace hive::engine {

/// A remote client on the TLS WebSocket listener: one JSON-RPC message per text frame; binary
/// frames carry terminal bytes (protocol::TerminalFrame).
class WebSocketConnection final : public Connection
{
    Q_OBJECT
public:
    /// Takes ownership of `socket`.
    explicit WebSocketConnection(QWebSocket *socket, QObject *parent = nullptr);
    ~WebSocketConnection() override;

    void send(const QByteArray &frame) override;
    void close(const QString &reason) override;
    [[nodiscard]] bool carriesBinary() const override { return true; }
    void sendBinary(const QByteArray &frame) override;
    [[nodiscard]] qint64 pendingBytes() const override { return m_pending; }
    [[nodiscard]] QString peer() const override { return m_peer; }
    [[nodiscard]] bool isLocal() const override { return false; }

private:
    QWebSocket *m_socket;
    QString m_peer;
    qint64 m_pending = 0; ///< bytes of frames handed to the socket minus bytes it reported written
    bool m_closedEmitted = false;
};

} // namespace hive::engine
