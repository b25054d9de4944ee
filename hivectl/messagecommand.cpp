// SPDX-License-Identifier: MIT
#include "messagecommand.h"

#include "engineconnection.h"
#include "protocol/methods.h"
#include "tableprinter.h"
#include "terminal.h"

namespace hive::ctl {

namespace {

// Enough of the body to recognise the message; --json has it whole.
constexpr qsizetype BodyCellLength = 60;

QString bodyCell(const protocol::Message &message)
{
    QString body = message.body.simplified();
    if (body.size() > BodyCellLength)
        body = body.left(BodyCellLength - 1) + QChar(0x2026);
    if (message.inReplyTo)
        body.prepend(QStringLiteral("(re %1) ").arg(*message.inReplyTo));
    return body;
}

} // namespace

MessageCommand::MessageCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal)
    : m_connection(connection), m_invocation(invocation), m_terminal(terminal)
{}

int MessageCommand::send()
{
    auto sent = m_connection.call<protocol::MessageSendMethod>(m_invocation.message);
    if (!sent)
        return m_terminal.fail(sent.error().message, m_connection.exitCodeFor(sent.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(sent->toJson());
        return toInt(ExitCode::Ok);
    }
    // stdout is the id alone, for `id=$(hivectl send ...)`.
    m_terminal.printLine(QString::number(sent->id));
    if (sent->recipients > 1) {
        m_terminal.note(QStringLiteral("(%1 copies, ids %2 to %3)\n")
                            .arg(sent->recipients)
                            .arg(sent->id)
                            .arg(sent->id + sent->recipients - 1));
    }
    return toInt(ExitCode::Ok);
}

int MessageCommand::inbox()
{
    auto listed = m_connection.call<protocol::MessageListMethod>(m_invocation.inbox);
    if (!listed)
        return m_terminal.fail(listed.error().message, m_connection.exitCodeFor(listed.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(listed->toJson());
        return toInt(ExitCode::Ok);
    }
    if (listed->messages.isEmpty()) {
        m_terminal.printLine(QStringLiteral("no messages"));
        return toInt(ExitCode::Ok);
    }
    TablePrinter table({QStringLiteral("ID"), QStringLiteral("TIME"), QStringLiteral("FROM"), QStringLiteral("TO"),
                        QStringLiteral("BODY")});
    for (const protocol::Message &message : std::as_const(listed->messages)) {
        const QString to = message.broadcast ? message.to + QStringLiteral(" (*)") : message.to;
        table.addRow(
            {QString::number(message.id), TablePrinter::timeCell(message.sentAt), message.from, to, bodyCell(message)});
    }
    table.print(m_terminal.out());
    if (listed->hasMore) {
        const QString agent =
            m_invocation.inbox.agent ? QStringLiteral(" --agent %1").arg(*m_invocation.inbox.agent) : QString();
        m_terminal.note(QStringLiteral("(older messages follow: hivectl inbox%1 --before %2)\n")
                            .arg(agent)
                            .arg(listed->messages.constLast().id));
    }
    return toInt(ExitCode::Ok);
}

} // namespace hive::ctl
