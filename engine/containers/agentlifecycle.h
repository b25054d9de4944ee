// SPDX-License-Identifier: MIT
#pragma once

#include "baseimage.h"
#include "containerruntime.h"
#include "containerstore.h"
#include "lifecyclequeue.h"
#include "protocol/agents.h"
#include "protocol/containers.h"
#include "result.h"

#include <QObject>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace hive::engine {

class AgentRegistry;
class CrashWatch;
class AgentSockets;
class Broker;
class Clock;
class Database;
class EventLog;

struct LifecycleOptions {
    QString stateDir;
    QString harnessPath;                           ///< the host's hive-harness, bound into every container
    QStringList command;                           ///< the main process inside
    std::chrono::milliseconds stopGrace{10000};    ///< SIGTERM, then this long, then SIGKILL
    std::chrono::milliseconds watchInterval{5000}; ///< the crash watch's poll (besides pidfds)
    bool autoRestart = false;
    std::chrono::milliseconds restartBackoff{10000}; ///< after the first crash; doubles
    std::chrono::milliseconds restartBackoffMax{600000};
    quint32 uidBaseFirst = 0x80000; ///< the first uid range handed out (524288)
    quint32 uidCount = 65536;
    BaseImage::Settings image; ///< containers.root = "image"; image.dir empty: "host"
};

/// Agents' containers through their lives: spawn, start, kill, restart, update, destroy, revive,
/// purge. Every operation runs through one serialised queue (an identical operation already
/// queued or running is joined, not repeated), publishes `agent_lifecycle` progress and
/// `agent_state_changed` events, and never leaves an agent half-created: a spawn that fails
/// removes what it made. The crash watch marks a container that exits without an operator action
/// `crashed` (pidfd at once, a poll as a backstop), tells the manager and the API subscribers,
/// and restarts it with a doubling back-off when configured. At engine start, reconcile()
/// matches the recorded states with the containers really running: an engine restart is not a
/// crash, a container that died meanwhile is.
class AgentLifecycle : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const Result<void> &)>;

    /// `runtime` may be null: then every container operation fails and says why.
    AgentLifecycle(Database &db, AgentRegistry &agents, AgentSockets &sockets, Broker &broker, EventLog &events,
                   const Clock &clock, std::unique_ptr<ContainerRuntime> runtime, LifecycleOptions options,
                   QObject *parent = nullptr);
    ~AgentLifecycle() override;

    /// Reads the recorded containers and matches them with what runs (see the class comment).
    [[nodiscard]] Result<void> reconcile();
    /// Creates the manager's container when it has none (first start); failures are logged.
    void ensureManagerContainer();

    void spawn(const protocol::AgentSpawnParams &params, Done done);
    /// Start, Kill, Restart, Update, Destroy, Revive or Purge on an existing agent.
    void submit(protocol::LifecycleOp op, const QString &agent, Done done);

    /// Fills an agent's state and container part.
    [[nodiscard]] Result<void> describe(protocol::AgentInfo &agent);
    [[nodiscard]] Result<std::optional<ContainerRecord>> find(const QString &agent);
    /// The command for a login shell inside the agent's running container (see
    /// ContainerRuntime::shellCommand); precise errors for an unknown agent, one without a
    /// container, or one that is not running.
    [[nodiscard]] Result<QStringList> shellCommand(const QString &agent);
    /// Records new container settings (network, memory_max, cpu_quota, checked as agent_spawn's);
    /// they take effect at the container's next start. NotFound for an agent without a container.
    [[nodiscard]] Result<void> setSettings(const protocol::AgentSpawnParams &settings);
    [[nodiscard]] ContainerRuntime *runtime() const { return m_runtime.get(); }
    [[nodiscard]] qsizetype queuedOperations() const { return m_queue->size(); }

Q_SIGNALS:
    void stateChanged(const QString &agent, const QString &state, const QString &previous);

private:
    void run(const LifecycleJob &job, const Done &finish);
    void progress(const LifecycleJob &job, const QString &step, qsizetype queued);

    void doSpawn(const protocol::AgentSpawnParams &params, Done done);
    void doStart(const QString &agent, bool byOperator, Done done);
    /// With root = "image": builds the base image when it is missing (a long step, without blocking), then `next`.
    void ensureImage(Done next);
    void launch(const ContainerRecord &record, bool byOperator, const Result<void> &image, const Done &done);
    void doStop(const QString &agent, Done done);
    void waitForExit(const QString &agent, ContainerProcess process, std::chrono::milliseconds left, bool killed,
                     Done done);
    void doDestroy(const QString &agent, Done done);
    void doRevive(const QString &agent, Done done);
    void doPurge(const QString &agent, Done done);
    void doUpdate(const QString &agent, Done done);

    /// Whether a runtime is configured and can run here; the error starts with `context`.
    Result<void> runtimeReady(const QString &context) const;
    Result<ContainerRecord> require(const QString &agent);
    /// Records the new state and announces it (agent_state_changed).
    Result<void> setState(const QString &agent, const QString &state, const QString &previous,
                          const std::optional<QString> &reason = std::nullopt);
    ContainerSpec specFor(const ContainerRecord &record) const;
    QString agentDir(const QString &agent) const;
    QString logTail(const QString &agent) const;
    /// At engine start: the agent socket again, handed to the container that may still run.
    Result<void> reopenSocket(const ContainerRecord &record);
    /// The agent's dir (all of it, or all but its config repo) and its socket dir.
    Result<void> removeAgentFiles(const QString &agent, bool keepConfig);
    void exited(const QString &agent);
    void crashed(const QString &agent, const ContainerRecord &record, const QString &why);

    Database &m_db;
    AgentRegistry &m_agents;
    AgentSockets &m_sockets;
    Broker &m_broker;
    EventLog &m_events;
    const Clock &m_clock;
    std::unique_ptr<ContainerRuntime> m_runtime;
    LifecycleOptions m_options;
    LifecycleQueue *m_queue = nullptr;
    ContainerStore m_store;
    CrashWatch *m_watch = nullptr;                                ///< none without a runtime
    std::unique_ptr<BaseImage> m_image;                           ///< while the base image is being built
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true); ///< for timers that outlive us
};

} // namespace hive::engine
