// SPDX-License-Identifier: MIT
#pragma once

#include "api/apiservices.h"
#include "engineconfig.h"
#include "result.h"
#include "tls/certificatestore.h"

#include <QObject>

class QTimer;

#include <chrono>
#include <functional>
#include <memory>

namespace hive::engine {

class AgentLifecycle;
class TerminalSessions;
class AgentRegistry;
class ContainerRuntime;
struct LifecycleOptions;
class AgentSockets;
class ApiHandlers;
class ApiServer;
class AuditLog;
class Broker;
class AgentHandlers;
class Approvals;
class Questions;
class Reminders;
class Clock;
class ConnectionRegistry;
class Database;
class Dispatcher;
class EventLog;
class Harnesses;
class StateDir;
class Telemetry;
class TokenStore;

/// The engine facade: owns the state dir, the database, the stores and the API listeners, and
/// starts and stops them in order. Programs and integration tests use only this class.
class Engine : public QObject
{
    Q_OBJECT
public:
    Engine(EngineConfig config, const Clock &clock, QObject *parent = nullptr);
    ~Engine() override;

    /// Locks the state dir, migrates the database, loads or creates the TLS material and starts
    /// listening. On failure nothing keeps running and the error says what to fix.
    [[nodiscard]] Result<void> start();
    /// The clean way down: announces engine_stopping, stops listening, closes every connection
    /// and gives them up to `grace` to flush their last frames, then stop()s and calls `done`.
    void shutdown(std::chrono::milliseconds grace, std::function<void()> done);
    /// Stops at once: closes connections and listeners, releases the state dir. Idempotent.
    void stop();

    [[nodiscard]] bool isRunning() const { return m_running; }
    [[nodiscard]] const EngineConfig &config() const { return m_config; }
    [[nodiscard]] const EngineFacts &facts() const { return m_facts; }
    [[nodiscard]] QString adminSocketPath() const;
    [[nodiscard]] quint16 tlsPort() const;
    [[nodiscard]] const TlsMaterial &tls() const { return m_tls; }

    [[nodiscard]] TokenStore &tokens() { return *m_tokens; }
    [[nodiscard]] AuditLog &audit() { return *m_audit; }
    [[nodiscard]] EventLog &events() { return *m_events; }
    [[nodiscard]] Database &database() { return *m_db; }
    [[nodiscard]] AgentRegistry &agents() { return *m_agents; }
    [[nodiscard]] Broker &broker() { return *m_broker; }
    [[nodiscard]] AgentSockets &agentSockets() { return *m_agentSockets; }
    [[nodiscard]] Questions &questions() { return *m_questions; }
    [[nodiscard]] Reminders &reminders() { return *m_reminders; }
    [[nodiscard]] AgentLifecycle &lifecycle() { return *m_lifecycle; }
    [[nodiscard]] TerminalSessions &terminals() { return *m_terminals; }
    [[nodiscard]] Approvals &approvals() { return *m_approvals; }
    [[nodiscard]] Harnesses &harnesses() { return *m_harnesses; }
    [[nodiscard]] Telemetry &telemetry() { return *m_telemetry; }
    /// The container runtime to use instead of the one containers.backend names (tests); before start().
    void setContainerRuntime(std::unique_ptr<ContainerRuntime> runtime);

    /// The TLS material the config asks for: the user's files, or the generated pair in tls/.
    [[nodiscard]] static Result<TlsMaterial> loadTls(const EngineConfig &config);

private:
    std::unique_ptr<ContainerRuntime> makeRuntime();
    LifecycleOptions lifecycleOptions() const;

    EngineConfig m_config;
    const Clock &m_clock;
    EngineFacts m_facts;
    TlsMaterial m_tls;
    std::unique_ptr<StateDir> m_stateDir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<TokenStore> m_tokens;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<EventLog> m_events;
    std::unique_ptr<AgentRegistry> m_agents;
    std::unique_ptr<Broker> m_broker;
    QTimer *m_vacuumTimer = nullptr;
    std::unique_ptr<ConnectionRegistry> m_connections;
    std::unique_ptr<ApiServices> m_services;
    std::unique_ptr<ApiHandlers> m_handlers;
    std::unique_ptr<Dispatcher> m_dispatcher;
    std::unique_ptr<ApiServer> m_server;
    std::unique_ptr<Questions> m_questions;
    std::unique_ptr<Reminders> m_reminders;
    std::unique_ptr<AgentHandlers> m_agentHandlers;
    std::unique_ptr<Dispatcher> m_agentDispatcher;
    std::unique_ptr<AgentSockets> m_agentSockets;
    std::unique_ptr<ContainerRuntime> m_runtimeOverride;
    std::unique_ptr<AgentLifecycle> m_lifecycle;
    std::unique_ptr<TerminalSessions> m_terminals;
    std::unique_ptr<Approvals> m_approvals;
    std::unique_ptr<Harnesses> m_harnesses;
    std::unique_ptr<Telemetry> m_telemetry;
    bool m_running = false;
    bool m_stoppingAnnounced = false;
};

} // namespace hive::engine
