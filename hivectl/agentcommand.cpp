// SPDX-License-Identifier: MIT
#include "agentcommand.h"

#include "engineconnection.h"
#include "protocol/methods.h"
#include "tableprinter.h"
#include "terminal.h"

namespace hive::ctl {

namespace {

QString allowedCell(const protocol::AgentInfo &agent)
{
    if (agent.allowedRecipients.isEmpty())
        return QStringLiteral("anyone");
    return agent.allowedRecipients.join(QLatin1Char(','));
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

} // namespace hive::ctl
