// SPDX-License-Identifier: MIT
#include "agentcommand.h"

#include "engineconnection.h"
#include "protocol/methods.h"
#include "tableprinter.h"
#include "terminal.h"

namespace hive::ctl {

namespace {

using protocol::LifecycleOp;

QString allowedCell(const protocol::AgentInfo &agent)
{
    if (agent.allowedRecipients.isEmpty())
        return QStringLiteral("anyone");
    return agent.allowedRecipients.join(QLatin1Char(','));
}

QString pastTense(LifecycleOp op)
{
    switch (op) {
    case LifecycleOp::Spawn:
        return QStringLiteral("spawned");
    case LifecycleOp::Start:
        return QStringLiteral("started");
    case LifecycleOp::Kill:
        return QStringLiteral("killed");
    case LifecycleOp::Restart:
        return QStringLiteral("restarted");
    case LifecycleOp::Update:
        return QStringLiteral("updated");
    case LifecycleOp::Destroy:
        return QStringLiteral("destroyed");
    case LifecycleOp::Revive:
        return QStringLiteral("revived");
    case LifecycleOp::Purge:
        return QStringLiteral("purged");
    }
    return protocol::lifecycleOpName(op);
}

/// "killed worker: stopped", "spawned worker: running, pid 1234, uids 524288-589823".
QString outcomeLine(LifecycleOp op, const protocol::AgentInfo &agent)
{
    QString line = QStringLiteral("%1 %2: %3").arg(pastTense(op), agent.name, agent.state);
    const auto &container = agent.container;
    if (container && container->pid) {
        line += QStringLiteral(", pid %1, uids %2-%3")
                    .arg(*container->pid)
                    .arg(container->uidBase)
                    .arg(container->uidBase + container->uidCount - 1);
    }
    // The operation went through, but the container died right after it.
    if (container && container->lastError && agent.state == QLatin1String(protocol::agentstates::Crashed))
        line += QStringLiteral(" (%1)").arg(*container->lastError);
    return line;
}

template<typename M>
Result<typename M::Result> callOnAgent(EngineConnection &connection, const Invocation &invocation)
{
    return connection.call<M>(typename M::Params{invocation.name}, invocation.lifecycleTimeoutMs);
}

} // namespace

AgentCommand::AgentCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal)
    : m_connection(connection), m_invocation(invocation), m_terminal(terminal)
{}

int AgentCommand::add()
{
    auto added = m_connection.call<protocol::AgentAddMethod>(protocol::AgentAddParams{m_invocation.name});
    if (!added)
        return m_terminal.fail(added.error().message, m_connection.exitCodeFor(added.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(added->toJson());
        return toInt(ExitCode::Ok);
    }
    m_terminal.printLine(QStringLiteral("Added agent '%1'. Its socket: %2").arg(added->agent.name, added->socketPath));
    return toInt(ExitCode::Ok);
}

int AgentCommand::list()
{
    auto listed = m_connection.call<protocol::AgentListMethod>(protocol::AgentListParams{});
    if (!listed)
        return m_terminal.fail(listed.error().message, m_connection.exitCodeFor(listed.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(listed->toJson());
        return toInt(ExitCode::Ok);
    }
    TablePrinter table({QStringLiteral("NAME"), QStringLiteral("KIND"), QStringLiteral("STATE"), QStringLiteral("PID"),
                        QStringLiteral("UPTIME"), QStringLiteral("UIDS"), QStringLiteral("UNREAD"),
                        QStringLiteral("INFLIGHT"), QStringLiteral("ALLOWED")});
    for (const protocol::AgentInfo &agent : std::as_const(listed->agents)) {
        const auto &container = agent.container;
        const QString pid = container && container->pid ? QString::number(*container->pid) : QStringLiteral("-");
        const QString uptime = container && container->uptimeSeconds
                                   ? QStringLiteral("%1s").arg(*container->uptimeSeconds)
                                   : QStringLiteral("-");
        const QString uids =
            container ? QStringLiteral("%1+%2").arg(container->uidBase).arg(container->uidCount) : QStringLiteral("-");
        table.addRow({agent.name, agent.kind, agent.state, pid, uptime, uids, QString::number(agent.unread),
                      QString::number(agent.inflight), allowedCell(agent)});
    }
    table.print(m_terminal.out());
    return toInt(ExitCode::Ok);
}

int AgentCommand::setRecipients()
{
    auto set = m_connection.call<protocol::AgentSetRecipientsMethod>(
        protocol::AgentSetRecipientsParams{m_invocation.name, m_invocation.recipients});
    if (!set)
        return m_terminal.fail(set.error().message, m_connection.exitCodeFor(set.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(set->toJson());
        return toInt(ExitCode::Ok);
    }
    const QStringList &allowed = set->agent.allowedRecipients;
    m_terminal.printLine(allowed.isEmpty() ? QStringLiteral("Agent '%1' may send to anyone.").arg(set->agent.name)
                                           : QStringLiteral("Agent '%1' may send to: %2 (and always to manager).")
                                                 .arg(set->agent.name, allowed.join(QStringLiteral(", "))));
    return toInt(ExitCode::Ok);
}

Result<void> AgentCommand::confirmPurge(const Invocation &invocation, Terminal &terminal)
{
    if (invocation.yes)
        return {};
    const QString &name = invocation.name;
    if (!terminal.stdinIsTty()) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("agent purge deletes '%1' for good and stdin is not a terminal to confirm it: "
                                   "pass --yes (see hivectl --help)")
                        .arg(name));
    }
    terminal.note(QStringLiteral("This deletes the agent '%1' for good: its container, its files and its "
                                 "registration.\nType its name to confirm: ")
                      .arg(name));
    const auto typed = terminal.readLine();
    if (!typed)
        terminal.note(QStringLiteral("\n"));
    if (!typed || typed->trimmed() != name)
        return fail(ErrorCode::InvalidParams, QStringLiteral("'%1' was not purged: its name was not typed").arg(name));
    return {};
}

int AgentCommand::lifecycle()
{
    switch (m_invocation.lifecycleOp) {
    case LifecycleOp::Spawn:
        return report(
            m_connection.call<protocol::AgentSpawnMethod>(m_invocation.spawn, m_invocation.lifecycleTimeoutMs));
    case LifecycleOp::Start:
        return report(callOnAgent<protocol::AgentStartMethod>(m_connection, m_invocation));
    case LifecycleOp::Kill:
        return report(callOnAgent<protocol::AgentKillMethod>(m_connection, m_invocation));
    case LifecycleOp::Restart:
        return report(callOnAgent<protocol::AgentRestartMethod>(m_connection, m_invocation));
    case LifecycleOp::Update:
        return report(callOnAgent<protocol::AgentUpdateMethod>(m_connection, m_invocation));
    case LifecycleOp::Destroy:
        return report(callOnAgent<protocol::AgentDestroyMethod>(m_connection, m_invocation));
    case LifecycleOp::Revive:
        return report(callOnAgent<protocol::AgentReviveMethod>(m_connection, m_invocation));
    case LifecycleOp::Purge:
        return purge();
    }
    return m_terminal.fail(QStringLiteral("internal error: lifecycle operation not dispatched"), ExitCode::Local);
}

int AgentCommand::report(const Result<protocol::AgentInfo> &done)
{
    if (!done)
        return m_terminal.fail(done.error().message, m_connection.exitCodeFor(done.error()));
    if (m_terminal.json())
        m_terminal.printJson(done->toJson());
    else
        m_terminal.printLine(outcomeLine(m_invocation.lifecycleOp, *done));
    return toInt(ExitCode::Ok);
}

int AgentCommand::purge()
{
    auto purged = callOnAgent<protocol::AgentPurgeMethod>(m_connection, m_invocation);
    if (!purged)
        return m_terminal.fail(purged.error().message, m_connection.exitCodeFor(purged.error()));
    if (m_terminal.json())
        m_terminal.printJson(purged->toJson());
    else
        m_terminal.printLine(QStringLiteral("purged %1").arg(purged->name));
    return toInt(ExitCode::Ok);
}

} // namespace hive::ctl
