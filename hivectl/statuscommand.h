// SPDX-License-Identifier: MIT
#pragma once

namespace hive::ctl {

class EngineConnection;
class Terminal;

/// `hivectl status`: engine_info as a key/value listing or JSON.
class StatusCommand
{
public:
    StatusCommand(EngineConnection &connection, Terminal &terminal);
    [[nodiscard]] int run();

private:
    EngineConnection &m_connection;
    Terminal &m_terminal;
};

} // namespace hive::ctl
