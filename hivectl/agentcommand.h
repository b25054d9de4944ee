// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

namespace hive::protocol {
struct AgentInfo;
}

namespace hive::ctl {

class EngineConnection;
class Terminal;
struct Invocation;

/// `hivectl agent add|list|set-recipients` and the container lifecycle: `hivectl agent
/// spawn|start|kill|restart|update|destroy|revive|purge`.
class AgentCommand
{
public:
    AgentCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal);
    [[nodiscard]] int add();
    [[nodiscard]] int list();
    [[nodiscard]] int setRecipients();
    /// The lifecycle operation the invocation names; one line about the agent afterwards.
    [[nodiscard]] int lifecycle();

    /// Before `agent purge` connects: with --yes nothing to ask; at a terminal the agent's name
    /// must be typed; anywhere else it is a usage error that asks for --yes. An error means: do
    /// not purge (exit 2, the message says why).
    [[nodiscard]] static Result<void> confirmPurge(const Invocation &invocation, Terminal &terminal);

private:
    /// One line, or the agent as JSON, after a lifecycle operation.
    [[nodiscard]] int report(const Result<protocol::AgentInfo> &done);
    [[nodiscard]] int purge();

    EngineConnection &m_connection;
    const Invocation &m_invocation;
    Terminal &m_terminal;
};

} // namespace hive::ctl
