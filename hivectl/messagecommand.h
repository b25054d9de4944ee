// SPDX-License-Identifier: MIT
#pragma once

namespace hive::ctl {

class EngineConnection;
class Terminal;
struct Invocation;

/// `hivectl send` (as the operator) and `hivectl inbox` (the operator's inbox, or an agent's
/// traffic with --agent), newest first.
class MessageCommand
{
public:
    MessageCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal);
    [[nodiscard]] int send();
    [[nodiscard]] int inbox();

private:
    EngineConnection &m_connection;
    const Invocation &m_invocation;
    Terminal &m_terminal;
};

} // namespace hive::ctl
