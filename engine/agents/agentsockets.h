// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QHash>
#include <QObject>
#include <QPointer>

class QLocalServer;

namespace hive::engine {

class Connection;
class ConnectionRegistry;
class Dispatcher;

/// One unix socket per agent, `<state>/run/agents/<name>/agent.sock` (0600; later bind-mounted
/// into the container as /run/hive/agent.sock). Whoever connects to it *is* that agent: the
/// engine never trusts a name in a request. Frames are newline-delimited JSON-RPC, served by the
/// agent-surface dispatcher.
class AgentSockets : public QObject
{
    Q_OBJECT
public:
    AgentSockets(QString stateDir, Dispatcher &dispatcher, ConnectionRegistry &connections, qsizetype maxFrameBytes,
                 QObject *parent = nullptr);
    ~AgentSockets() override;

    /// Creates the agent's state dir (`agents/<name>/state`, 0700) and its socket; idempotent.
    [[nodiscard]] Result<void> open(const QString &agent);
    [[nodiscard]] QString socketPath(const QString &agent) const;
    [[nodiscard]] QStringList openAgents() const { return m_servers.keys(); }
    /// Hands the socket and its dir to a container's root (host uid `uid`), so that the process
    /// inside can connect; the engine, as root, still can. Needs the socket open.
    [[nodiscard]] Result<void> setOwner(const QString &agent, quint32 uid);
    /// Stops listening on the agent's socket, removes it, and closes its live connections.
    void close(const QString &agent);
    /// Whether a process is connected on the agent's socket now.
    [[nodiscard]] bool isConnected(const QString &agent) const;
    /// Stops listening on every agent socket and removes the socket files.
    void closeAll();

Q_SIGNALS:
    /// A process connected on the agent's socket (so it is that agent).
    void agentConnected(const QString &agent);
    /// One of the agent's connections went away: it hung up, or the engine closed it.
    void agentDisconnected(const QString &agent);

private:
    QString m_stateDir;
    Dispatcher &m_dispatcher;
    ConnectionRegistry &m_connections;
    qsizetype m_maxFrameBytes;
    QHash<QString, QLocalServer *> m_servers;
    QMultiHash<QString, QPointer<Connection>> m_live; ///< per agent, pruned as they close
};

} // namespace hive::engine
