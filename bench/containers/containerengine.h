// SPDX-License-Identifier: MIT
#pragma once

#include "containers/containerruntime.h"
#include "engineserver.h"
#include "protocol/agents.h"
#include "protocol/events.h"
#include "result.h"
#include "rpcclient.h"

#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace hive::bench {

/// An event as the benchmark received it: CLOCK_MONOTONIC when its frame was handled.
struct ReceivedEvent {
    protocol::Event event;
    qint64 receivedNs = 0;
};

/// A real hive-engine with the nspawn backend (as the container workloads need it: root) and one
/// admin connection to it, subscribed to events. Everything it spawned is purged when it goes
/// away, before the engine stops, so that no container outlives a run (they outlive the engine).
class ContainerEngine
{
public:
    /// `listen`: the TLS listener ("off", or "127.0.0.1:PORT" for workloads that are remote clients).
    ContainerEngine(QString engineProgram, QString harnessProgram, QString dir,
                    const QString &listen = QStringLiteral("off"));
    ~ContainerEngine();
    ContainerEngine(const ContainerEngine &) = delete;
    ContainerEngine &operator=(const ContainerEngine &) = delete;

    [[nodiscard]] Result<void> start();
    /// agent_spawn, then waits until its harness has connected (agent_connected).
    [[nodiscard]] Result<protocol::AgentInfo> spawn(const QString &agent);
    /// agent_purge of every agent spawned here; failures are printed.
    void purgeAll();
    /// SIGTERM to the engine after purgeAll(); its containers are gone by then.
    void stop();

    /// A lifecycle or other admin call, waited for.
    template<typename M>
    [[nodiscard]] Result<typename M::Result> call(const typename M::Params &params)
    {
        if (!m_client)
            return fail(ErrorCode::Unavailable, QStringLiteral("the engine is not running"));
        return m_client->callAndWait<M>(params, CallTimeoutMs);
    }
    /// The same, answered later through `callback`, so that events can be waited for meanwhile.
    template<typename M>
    void callLater(const typename M::Params &params, std::function<void(const Result<typename M::Result> &)> callback)
    {
        m_client->call<M>(params, std::move(callback));
    }

    [[nodiscard]] qsizetype eventCount() const { return m_events.size(); }
    [[nodiscard]] const QList<ReceivedEvent> &events() const { return m_events; }
    /// The first event of `kind` for agent `name` from index `from` on; waits up to `timeoutMs`.
    [[nodiscard]] std::optional<ReceivedEvent> waitForEvent(const QString &kind, const QString &name, qsizetype from,
                                                            int timeoutMs);
    /// Runs the event loop until `done` or the time is up (or Ctrl-C); false then.
    bool waitUntil(const std::function<bool()> &done, int timeoutMs);

    /// What the engine runs the agent's container with (AgentLifecycle's layout of the state dir).
    [[nodiscard]] engine::ContainerSpec specOf(const protocol::AgentInfo &agent) const;
    [[nodiscard]] QString stateDir() const { return m_server.stateDir(); }
    [[nodiscard]] QString log() const { return m_server.log(); }

    static constexpr int CallTimeoutMs = 60'000;

private:
    QString m_harnessProgram;
    EngineServer m_server;
    std::unique_ptr<client::RpcClient> m_client;
    QList<ReceivedEvent> m_events;
    QStringList m_spawned;
};

} // namespace hive::bench
