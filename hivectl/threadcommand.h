// SPDX-License-Identifier: MIT
#pragma once

namespace hive::ctl {

class EngineConnection;
class Terminal;
struct Invocation;

/// The operator's open work: `hivectl questions [cancel ID]`, `hivectl answer ID ANSWER...`,
/// `hivectl reminders [retry|cancel ID]` and `hivectl threads`.
class ThreadCommand
{
public:
    ThreadCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal);
    [[nodiscard]] int listQuestions();
    [[nodiscard]] int cancelQuestion();
    [[nodiscard]] int answer();
    [[nodiscard]] int listReminders();
    [[nodiscard]] int retryReminder();
    [[nodiscard]] int cancelReminder();
    [[nodiscard]] int threads();

private:
    EngineConnection &m_connection;
    const Invocation &m_invocation;
    Terminal &m_terminal;
};

} // namespace hive::ctl
