// SPDX-License-Identifier: MIT
#include "agentsockets.h"

#include "api/connectionregistry.h"
#include "api/dispatcher.h"
#include "api/localconnection.h"
#include "statedir.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcAgentSockets, "hive.agents")
}

AgentSockets::AgentSockets(QString stateDir, Dispatcher &dispatcher, ConnectionRegistry &connections,
                           qsizetype maxFrameBytes, QObject *parent)
    : QObject(parent), m_stateDir(std::move(stateDir)), m_dispatcher(dispatcher), m_connections(connections),
      m_maxFrameBytes(maxFrameBytes)
{}

AgentSockets::~AgentSockets()
{
    closeAll();
}

QString AgentSockets::socketPath(const QString &agent) const
{
    return QDir(m_stateDir).filePath(QStringLiteral("run/agents/%1/agent.sock").arg(agent));
}

Result<void> AgentSockets::open(const QString &agent)
{
    if (m_servers.contains(agent))
        return {};
    const QDir state(m_stateDir);
    for (const QString &dir :
         {QStringLiteral("agents/%1/state").arg(agent), QStringLiteral("run/agents/%1").arg(agent)}) {
        if (auto made = StateDir::ensure(state.filePath(dir)); !made)
            return fail(made.error().wrapped(QStringLiteral("agent '%1'").arg(agent)));
    }
    const QString path = socketPath(agent);
    auto *server = new QLocalServer(this);
    server->setSocketOptions(QLocalServer::UserAccessOption);
    QLocalServer::removeServer(path); // a leftover of a crash: the state dir lock says we own it
    if (!server->listen(path)) {
        const QString reason = server->errorString();
        delete server;
        return fail(ErrorCode::Io,
                    QStringLiteral("cannot create the socket of agent '%1' at %2: %3").arg(agent, path, reason));
    }
    if (!QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        delete server;
        return fail(ErrorCode::Io, QStringLiteral("cannot set mode 0600 on %1").arg(path));
    }
    connect(server, &QLocalServer::newConnection, this, [this, server, agent] {
        while (QLocalSocket *socket = server->nextPendingConnection()) {
            auto *connection = new LocalConnection(socket, m_maxFrameBytes);
            // Identity = the socket it came through, fixed before the first frame is read.
            connection->setSession(Session{agent, Role::Viewer, 0});
            m_connections.add(connection);
            m_live.insert(agent, connection);
            connect(connection, &Connection::closed, this, [this, agent, connection] {
                m_live.remove(agent, QPointer<Connection>(connection));
                Q_EMIT agentDisconnected(agent);
            });
            connect(connection, &Connection::frameReceived, this, [this, connection](const QByteArray &frame) {
                m_dispatcher.handleFrame(*connection, frame, m_maxFrameBytes);
            });
            Q_EMIT agentConnected(agent);
        }
    });
    m_servers.insert(agent, server);
    qCDebug(lcAgentSockets).noquote() << "agent" << agent << "socket at" << path;
    return {};
}

Result<void> AgentSockets::setOwner(const QString &agent, quint32 uid)
{
    if (!m_servers.contains(agent))
        return fail(ErrorCode::Internal, QStringLiteral("the socket of agent '%1' is not open").arg(agent));
    const QString path = socketPath(agent);
    for (const QString &file : {path, QFileInfo(path).absolutePath()}) {
        const QByteArray native = QFile::encodeName(file);
        if (::lchown(native.constData(), uid, uid) != 0) {
            return fail(ErrorCode::Io, QStringLiteral("cannot hand %1 to uid %2: %3")
                                           .arg(file)
                                           .arg(uid)
                                           .arg(QString::fromLocal8Bit(std::strerror(errno))));
        }
    }
    return {};
}

void AgentSockets::close(const QString &agent)
{
    if (QLocalServer *server = m_servers.take(agent)) {
        server->close();
        QLocalServer::removeServer(socketPath(agent));
        delete server;
    }
    const QList<QPointer<Connection>> live = m_live.values(agent);
    m_live.remove(agent);
    for (const QPointer<Connection> &connection : live) {
        if (connection)
            connection->close(QStringLiteral("agent '%1' stopped").arg(agent));
    }
}

bool AgentSockets::isConnected(const QString &agent) const
{
    const auto live = m_live.values(agent);
    return std::any_of(live.begin(), live.end(), [](const QPointer<Connection> &c) { return !c.isNull(); });
}

void AgentSockets::closeAll()
{
    for (auto it = m_servers.begin(); it != m_servers.end(); ++it) {
        it.value()->close();
        QLocalServer::removeServer(socketPath(it.key()));
        delete it.value();
    }
    m_servers.clear();
}

} // namespace hive::engine
