// SPDX-License-Identifier: MIT
#pragma once

namespace hive::ctl {

class EngineConnection;
class Terminal;
struct Invocation;

/// `hivectl agent shell NAME`: a root login shell inside the agent's container, like `ssh` or
/// `machinectl shell`. At a terminal, stdin goes raw (every key, Ctrl-C included, reaches the
/// remote shell) and window size changes follow; from a pipe, stdin is typed into the shell and
/// its end is Ctrl-D. The exit code is the shell's (128 + N when signal N ended it).
class ShellCommand
{
public:
    ShellCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal);
    [[nodiscard]] int run();

private:
    EngineConnection &m_connection;
    const Invocation &m_invocation;
    Terminal &m_terminal;
};

} // namespace hive::ctl
