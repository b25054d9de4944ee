// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QObject>

namespace hive::client {

/// A message transport to an engine: whole JSON-RPC frames in and out. The TLS WebSocket peer is
/// what remote clients use, the local socket peer what hivectl uses on the engine's host; tests
/// can put an in-process peer under the same RpcClient.
class Peer : public QObject
{
    Q_OBJECT
public:
    explicit Peer(QObject *parent = nullptr) : QObject(parent) {}

    /// Starts connecting; ends in opened() or closed(error).
    virtual void open() = 0;
    virtual void send(const QByteArray &frame) = 0;
    virtual void close() = 0;
    /// For messages: "wss://host:port" or the socket path.
    [[nodiscard]] virtual QString describe() const = 0;
    /// Whether binary frames travel (WebSocket: terminal bytes); elsewhere they go as JSON.
    [[nodiscard]] virtual bool carriesBinary() const { return false; }
    /// Sends a binary frame; only where carriesBinary().
    virtual void sendBinary(const QByteArray & /*frame*/) {}

Q_SIGNALS:
    void opened();
    void frameReceived(const QByteArray &frame);
    void binaryFrameReceived(const QByteArray &frame);
    /// Emitted once when the peer closes, fails to open, or is refused (reason says which).
    void closed(const hive::Error &reason);
};

} // namespace hive::client
