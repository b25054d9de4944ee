// SPDX-License-Identifier: MIT
#pragma once

#include "harnesssettings.h"
#include "protocol/agents.h"
#include "protocol/deployedconfig.h"
#include "protocol/harness.h"
#include "result.h"

#include <QHash>
#include <QObject>
#include <QPointer>

namespace hive::engine {

class AgentRegistry;
class Clock;
class Connection;
class Database;
class EventLog;

/// The harnesses in the agents' containers as the engine sees them: each agent's control
/// connection (the agent socket connection that called harness_attach; a newer attach replaces
/// the older), the state its harness last reported (in memory: it lives as long as that
/// connection), the live turn stream, and the operator's steering: cancel_turn, and the model
/// override (stored) that goes into the agent's `config`.
class Harnesses : public QObject
{
    Q_OBJECT
public:
    Harnesses(Database &db, AgentRegistry &agents, EventLog &events, const Clock &clock, HarnessSettings settings,
              QObject *parent = nullptr);

    [[nodiscard]] const HarnessSettings &settings() const { return m_settings; }

    /// harness_attach: `connection` becomes the agent's control connection; its status starts idle.
    [[nodiscard]] Result<protocol::HarnessAttachResult> attach(const QString &agent, Connection &connection,
                                                               const protocol::HarnessAttachParams &params);
    /// harness_state from `connection`, which must be the agent's control connection (Conflict otherwise).
    [[nodiscard]] Result<void> report(const QString &agent, const Connection *connection,
                                      const protocol::HarnessStateParams &params);
    /// turn_event from `connection` (the control connection): published as agent_turn.
    [[nodiscard]] Result<void> turnEvent(const QString &agent, const Connection *connection,
                                         const protocol::TurnEventParams &params);

    /// The attached harness's status; nullopt when none is attached.
    [[nodiscard]] std::optional<protocol::HarnessStatus> status(const QString &agent) const;
    /// Whether a harness is attached for the agent now.
    [[nodiscard]] bool isAttached(const QString &agent) const;

    /// agent_cancel_turn: sends cancel_turn to the control connection. NotFound for an unknown
    /// agent, Unavailable (saying why) when no harness is attached or it is not in a turn.
    [[nodiscard]] Result<protocol::AgentCancelTurnResult> cancelTurn(const QString &agent);

    /// agent_set_model: stores the override (nullopt removes it), tells the harness
    /// (config_changed) and publishes agent_updated.
    [[nodiscard]] Result<void> setModel(const QString &agent, const std::optional<QString> &model);
    [[nodiscard]] Result<std::optional<QString>> modelOverride(const QString &agent);

    /// Adds what the harnesses know to an AgentInfo built elsewhere: harness, model_override, and
    /// the harness's rate_limited / needs_login / over_budget as the agent's state while it runs.
    [[nodiscard]] Result<void> describe(protocol::AgentInfo &agent);

    /// Completes the agent's `config`: model (override ?? agent.toml's `agentModel` ?? the default)
    /// and model_source, cli (env with {agent} expanded and the API key) and harness. The key is
    /// read from harness.api_key_file now; its errors say what to fix.
    [[nodiscard]] Result<void> completeConfig(const QString &agent, const QString &agentModel,
                                              protocol::ConfigResult &config);

    /// Sends config_changed to the agent's harness, when one is attached.
    void notifyConfigChanged(const QString &agent);

private:
    struct Attached {
        QPointer<Connection> connection;
        const Connection *raw = nullptr; ///< identity, also once the connection is being destroyed
        protocol::HarnessStatus status;
    };
    /// The entry whose control connection is `connection`, else Conflict naming the call.
    Result<Attached *> controlled(const QString &agent, const Connection *connection, const char *method);
    void detach(const QString &agent, const Connection *connection);
    void publishStatus(const QString &agent);
    bool notify(const QString &agent, const char *method);

    Database &m_db;
    AgentRegistry &m_agents;
    EventLog &m_events;
    const Clock &m_clock;
    HarnessSettings m_settings;
    QHash<QString, Attached> m_attached;
};

} // namespace hive::engine
