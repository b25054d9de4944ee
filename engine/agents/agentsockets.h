// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QHash>
#include <QObject>

class QLocalServer;

namespace hive::engine {

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
    /// Stops listening on every agent socket and removes the socket files.
    void closeAll();

private:
    QString m_stateDir;
    Dispatcher &m_dispatcher;
    ConnectionRegistry &m_connections;
    qsizetype m_maxFrameBytes;
    QHash<QString, QLocalServer *> m_servers;
};

} // namespace hive::engine
