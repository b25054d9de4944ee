// SPDX-License-Identifier: MIT
#include "apiserver.h"

#include "connectionregistry.h"
#include "dispatcher.h"
#include "jsonrpc.h"
#include "localconnection.h"
#include "websocketconnection.h"

#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <sys/un.h>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcServer, "hive.api")

// Qt drops a WebSocket message above its own limit by closing with 1009. Keep that far above
// our frame cap so that oversized frames up to it get a proper JSON-RPC too_large reply.
constexpr qsizetype QtMessageLimitFactor = 16;

} // namespace

ApiServer::ApiServer(ApiServerOptions options, Dispatcher &dispatcher, ConnectionRegistry &registry, QObject *parent)
    : QObject(parent), m_options(options), m_dispatcher(dispatcher), m_registry(registry)
{}

ApiServer::~ApiServer()
{
    close();
}

Result<void> ApiServer::listenTls(const QHostAddress &address, quint16 port, const QSslConfiguration &tls)
{
    m_wss = new QWebSocketServer(QStringLiteral("hive-engine/%1").arg(QStringLiteral(HIVE_VERSION)),
                                 QWebSocketServer::SecureMode, this);
    QSslConfiguration config = tls;
    config.setProtocol(QSsl::TlsV1_2OrLater);
    config.setPeerVerifyMode(QSslSocket::VerifyNone); // clients authenticate with tokens, not certificates
    m_wss->setSslConfiguration(config);
    m_wss->setMaxPendingConnections(m_options.maxConnections);
    m_wss->setHandshakeTimeout(std::chrono::milliseconds(m_options.helloTimeoutSeconds * 1000));
    if (!m_wss->listen(address, port)) {
        const QString reason = m_wss->errorString();
        delete m_wss;
        m_wss = nullptr;
        return fail(ErrorCode::Io,
                    QStringLiteral("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(reason));
    }
    connect(m_wss, &QWebSocketServer::sslErrors, this, [](const QList<QSslError> &errors) {
        for (const QSslError &error : errors)
            qCDebug(lcServer).noquote() << "TLS error from a client:" << error.errorString();
    });
    connect(m_wss, &QWebSocketServer::acceptError, this, [](QAbstractSocket::SocketError error) {
        qCWarning(lcServer) << "accepting a connection failed:" << error;
    });
    connect(m_wss, &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *socket = m_wss->nextPendingConnection()) {
            socket->setMaxAllowedIncomingMessageSize(
                static_cast<quint64>(m_options.maxFrameBytes * QtMessageLimitFactor));
            accept(new WebSocketConnection(socket));
        }
    });
    qCInfo(lcServer).noquote() << "listening on" << QStringLiteral("wss://") + tlsAddress();
    return {};
}

Result<void> ApiServer::listenLocal(const QString &path)
{
    if (QFile::encodeName(path).size() >= static_cast<qsizetype>(sizeof(sockaddr_un::sun_path))) {
        return fail(ErrorCode::Io, QStringLiteral("admin socket path %1 is %2 bytes, over the %3-byte limit of unix "
                                                  "sockets: use a shorter state dir")
                                       .arg(path)
                                       .arg(QFile::encodeName(path).size())
                                       .arg(sizeof(sockaddr_un::sun_path) - 1));
    }
    m_local = new QLocalServer(this);
    m_local->setSocketOptions(QLocalServer::UserAccessOption);
    m_local->setMaxPendingConnections(m_options.maxConnections);
    // Only one engine runs per state dir (the lock guarantees it), so an existing socket file
    // is a leftover of a crash.
    QLocalServer::removeServer(path);
    if (!m_local->listen(path)) {
        const QString reason = m_local->errorString();
        delete m_local;
        m_local = nullptr;
        return fail(ErrorCode::Io, QStringLiteral("cannot create admin socket %1: %2").arg(path, reason));
    }
    if (!QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return fail(ErrorCode::Io, QStringLiteral("cannot set mode 0600 on admin socket %1").arg(path));
    m_localPath = path;
    connect(m_local, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_local->nextPendingConnection())
            accept(new LocalConnection(socket, m_options.maxFrameBytes));
    });
    qCInfo(lcServer).noquote() << "admin socket at" << path;
    return {};
}

QString ApiServer::tlsAddress() const
{
    if (!m_wss)
        return {};
    const QHostAddress address = m_wss->serverAddress();
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                             : address.toString();
    return host + QLatin1Char(':') + QString::number(m_wss->serverPort());
}

quint16 ApiServer::tlsPort() const
{
    return m_wss ? m_wss->serverPort() : 0;
}

void ApiServer::stopListening()
{
    // Only close here: destroying the QWebSocketServer also drops the frames its accepted
    // sockets have yet to write, which would lose a clean shutdown's last messages.
    if (m_wss)
        m_wss->close();
    if (m_local && m_local->isListening()) {
        m_local->close();
        QLocalServer::removeServer(m_localPath);
    }
}

void ApiServer::close()
{
    if (m_wss) {
        m_wss->close();
        delete m_wss;
        m_wss = nullptr;
    }
    if (m_local) {
        m_local->close();
        delete m_local;
        m_local = nullptr;
        QLocalServer::removeServer(m_localPath);
    }
}

void ApiServer::accept(Connection *connection)
{
    // The limit guards against remote floods; the admin socket (owner-only) is never locked out.
    if (!connection->isLocal() && m_registry.remoteCount() >= m_options.maxConnections) {
        qCWarning(lcServer).noquote() << "refusing" << connection->peer() << ": already" << m_options.maxConnections
                                      << "connections (api.max_connections)";
        connection->send(rpc::Codec::encodeError(
            QJsonValue(QJsonValue::Null),
            Error{ErrorCode::Unavailable,
                  QStringLiteral("the engine has reached its limit of %1 connections").arg(m_options.maxConnections),
                  {}}));
        // Deleted once closed, so that the reply above is flushed first.
        connect(connection, &Connection::closed, connection, &QObject::deleteLater);
        connection->close(QStringLiteral("too many connections"));
        return;
    }
    if (auto *local = qobject_cast<LocalConnection *>(connection)) {
        const QString who = local->peerUid() == 0  ? QStringLiteral("local:root")
                            : local->peerUid() > 0 ? QStringLiteral("local:uid%1").arg(local->peerUid())
                                                   : QStringLiteral("local");
        connection->setSession(Session{who, Role::Admin, 0});
    }
    qCDebug(lcServer).noquote() << "connection from" << connection->peer();
    m_registry.add(connection);
    connect(connection, &Connection::frameReceived, this,
            [this, connection](const QByteArray &frame) { onFrame(connection, frame); });
    connect(connection, &Connection::binaryFrameReceived, this,
            [this, connection](const QByteArray &frame) { onBinaryFrame(connection, frame); });
    if (!connection->isLocal()) {
        QTimer::singleShot(std::chrono::seconds(m_options.helloTimeoutSeconds), connection, [connection, this] {
            if (connection->session() || connection->isClosing())
                return;
            qCInfo(lcServer).noquote() << connection->peer() << "sent no hello within" << m_options.helloTimeoutSeconds
                                       << "s; closing";
            connection->close(QStringLiteral("no hello in time"));
        });
    }
}

void ApiServer::onFrame(Connection *connection, const QByteArray &frame)
{
    m_dispatcher.handleFrame(*connection, frame, m_options.maxFrameBytes);
}

void ApiServer::onBinaryFrame(Connection *connection, const QByteArray &frame)
{
    if (!connection->session()) {
        // As with any frame before hello: refused, and the connection closed.
        connection->send(rpc::Codec::encodeError(
            QJsonValue(QJsonValue::Null),
            Error{ErrorCode::Unauthenticated, QStringLiteral("binary frame before hello: authenticate first"), {}}));
        connection->close(QStringLiteral("binary frame before hello"));
        return;
    }
    if (!m_binaryHandler) {
        connection->send(rpc::Codec::encodeError(
            QJsonValue(QJsonValue::Null),
            Error{ErrorCode::InvalidRequest,
                  QStringLiteral("binary frames carry terminal input only: send JSON-RPC as text frames"),
                  {}}));
        return;
    }
    m_binaryHandler(*connection, frame);
}

} // namespace hive::engine
