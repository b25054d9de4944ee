// SPDX-License-Identifier: MIT
#pragma once

#include "childprocess.h"
#include "result.h"

#include <QString>
#include <QStringList>

namespace hive::bench {

/// A real hive-engine on a fresh state dir, the TLS listener off: started as an operator would start
/// it, agents registered through the admin socket (agent_add), stopped with SIGTERM.
class EngineServer
{
public:
    /// `prefix` runs the engine under a tool (e.g. "valgrind --tool=callgrind ..."); empty runs it bare.
    /// `config` is the engine.conf to run it with; empty is defaultConfig().
    EngineServer(QString program, QStringList prefix, QString dir, QByteArray config = {});
    ~EngineServer();
    EngineServer(const EngineServer &) = delete;
    EngineServer &operator=(const EngineServer &) = delete;

    /// Writes the config, starts the engine and waits until its admin socket answers.
    [[nodiscard]] Result<void> start(int timeoutMs);
    /// Registers `names` with agent_add; their sockets are open when this returns.
    [[nodiscard]] Result<void> addAgents(const QStringList &names);
    /// SIGTERM to the engine (not to a wrapper around it), then waits for it: a clean shutdown, so
    /// that a profiler running it writes its data.
    void stop();

    [[nodiscard]] QString agentSocket(const QString &agent) const;
    [[nodiscard]] QString stateDir() const;
    [[nodiscard]] QString log() const;

    /// No TLS listener, warnings only, no containers (backend "none").
    [[nodiscard]] static QByteArray defaultConfig();

private:
    [[nodiscard]] qint64 enginePid() const;

    QString m_program;
    QStringList m_prefix;
    QString m_dir;
    QByteArray m_config;
    ChildProcess m_process;
};

} // namespace hive::bench
