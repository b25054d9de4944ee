// SPDX-License-Identifier: MIT
#pragma once

namespace hive::ctl {

class EngineConnection;
class Terminal;
struct Invocation;

/// `hivectl audit` (rows, newest first) and `hivectl audit --verify` (the hash chain).
class AuditCommand
{
public:
    AuditCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal);
    [[nodiscard]] int list();
    [[nodiscard]] int verify();

private:
    EngineConnection &m_connection;
    const Invocation &m_invocation;
    Terminal &m_terminal;
};

} // namespace hive::ctl
