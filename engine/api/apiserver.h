// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>

#include <functional>

class QLocalServer;
class QWebSocketServer;

namespace hive::engine {

class Connection;
class ConnectionRegistry;
class Dispatcher;

struct ApiServerOptions {
    qsizetype maxFrameBytes = 1024 * 1024;
    int helloTimeoutSeconds = 10;
    int maxConnections = 64;
};

/// The engine's two listeners for the operator API: a TLS WebSocket server (remote, token
/// authenticated) and a unix socket in the state dir (local, implicit admin). Both feed frames
/// through the same codec into the same Dispatcher.
class ApiServer : public QObject
{
    Q_OBJECT
public:
    ApiServer(ApiServerOptions options, Dispatcher &dispatcher, ConnectionRegistry &registry,
              QObject *parent = nullptr);
    ~ApiServer() override;

    /// TLS 1.2 or later with the engine's certificate. Port 0 picks a free port.
    [[nodiscard]] Result<void> listenTls(const QHostAddress &address, quint16 port, const QSslConfiguration &tls);
    /// Creates the socket with mode 0600, replacing a stale file left by a crashed engine.
    [[nodiscard]] Result<void> listenLocal(const QString &path);

    /// "host:port" actually bound, or empty when the TLS listener is off.
    [[nodiscard]] QString tlsAddress() const;
    [[nodiscard]] quint16 tlsPort() const;

    /// Who takes binary frames from authenticated connections (terminal input). Without one,
    /// binary frames are answered with an error.
    using BinaryHandler = std::function<void(Connection &, const QByteArray &)>;
    void setBinaryHandler(BinaryHandler handler) { m_binaryHandler = std::move(handler); }

    /// Stops accepting connections (the admin socket file is removed); live ones go on.
    void stopListening();
    /// Stops listening and destroys the listeners (and with them any connection still open).
    void close();

private:
    void accept(Connection *connection);
    void onFrame(Connection *connection, const QByteArray &frame);
    void onBinaryFrame(Connection *connection, const QByteArray &frame);

    ApiServerOptions m_options;
    Dispatcher &m_dispatcher;
    ConnectionRegistry &m_registry;
    QWebSocketServer *m_wss = nullptr;
    QLocalServer *m_local = nullptr;
    QString m_localPath;
    BinaryHandler m_binaryHandler;
};

} // namespace hive::engine
