// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QString>

namespace hive::engine {

class AgentLifecycle;
class AgentRegistry;
class Approvals;
class AgentSockets;
class AuditLog;
class Broker;
class Clock;
class ConnectionRegistry;
class EventLog;
class Harnesses;
class Questions;
class Reminders;
class Telemetry;
class TerminalSessions;
class TokenStore;

/// Facts about the running engine that engine_info reports and that do not change while it runs.
struct EngineFacts {
    QDateTime startedAt;
    QString stateDir;
    QString listen;
    QString tlsFingerprint;
    int schemaVersion = 0;
};

/// What the API controllers work with, injected by the Engine.
struct ApiServices {
    const Clock &clock;
    TokenStore &tokens;
    AuditLog &audit;
    EventLog &events;
    ConnectionRegistry &connections;
    const EngineFacts &facts;
    AgentRegistry &agents;
    Broker &broker;
    AgentSockets &agentSockets;
    Questions &questions;
    Reminders &reminders;
    AgentLifecycle &lifecycle;
    TerminalSessions &terminals;
    Approvals &approvals;
    Harnesses &harnesses;
    Telemetry *telemetry = nullptr; ///< set by the Engine once it is made
};

} // namespace hive::engine
