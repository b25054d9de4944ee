// SPDX-License-Identifier: MIT
#pragma once

namespace hive::ctl {

class EngineConnection;
class Terminal;
struct Invocation;

/// `hivectl stats [AGENT]`: an agent's (or the swarm's) telemetry summary and a compact table
/// per series (stats_query); --json prints the whole result.
class StatsCommand
{
public:
    StatsCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal);
    [[nodiscard]] int run();

private:
    EngineConnection &m_connection;
    const Invocation &m_invocation;
    Terminal &m_terminal;
};

} // namespace hive::ctl
