// SPDX-License-Identifier: MIT
#pragma once

namespace hive::ctl {

class EngineConnection;
class Terminal;
struct Invocation;

/// `hivectl token create|list|revoke`.
class TokenCommand
{
public:
    TokenCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal);
    [[nodiscard]] int create();
    [[nodiscard]] int list();
    [[nodiscard]] int revoke();

private:
    EngineConnection &m_connection;
    const Invocation &m_invocation;
    Terminal &m_terminal;
};

} // namespace hive::ctl
