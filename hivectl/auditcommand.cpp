// SPDX-License-Identifier: MIT
#include "auditcommand.h"

#include "engineconnection.h"
#include "protocol/methods.h"
#include "tableprinter.h"
#include "terminal.h"

#include <QJsonDocument>

namespace hive::ctl {

namespace {

QString details(const protocol::AuditEntry &entry)
{
    if (entry.result != QLatin1String("ok") && !entry.message.isEmpty())
        return entry.message;
    if (entry.params.isEmpty())
        return {};
    return QString::fromUtf8(QJsonDocument(entry.params).toJson(QJsonDocument::Compact));
}

} // namespace

AuditCommand::AuditCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal)
    : m_connection(connection), m_invocation(invocation), m_terminal(terminal)
{}

int AuditCommand::list()
{
    auto listed = m_connection.call<protocol::AuditListMethod>(m_invocation.audit);
    if (!listed)
        return m_terminal.fail(listed.error().message, m_connection.exitCodeFor(listed.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(listed->toJson());
        return toInt(ExitCode::Ok);
    }
    if (listed->entries.isEmpty()) {
        m_terminal.printLine(QStringLiteral("no audit rows"));
        return toInt(ExitCode::Ok);
    }
    TablePrinter table({QStringLiteral("ID"), QStringLiteral("TIME"), QStringLiteral("TOKEN"), QStringLiteral("ROLE"),
                        QStringLiteral("METHOD"), QStringLiteral("RESULT"), QStringLiteral("DETAILS")});
    for (const protocol::AuditEntry &entry : std::as_const(listed->entries)) {
        table.addRow({QString::number(entry.id), TablePrinter::timeCell(entry.ts), entry.tokenName,
                      entry.role.isEmpty() ? QStringLiteral("-") : entry.role, entry.method, entry.result,
                      details(entry)});
    }
    table.print(m_terminal.out());
    if (listed->hasMore) {
        m_terminal.note(
            QStringLiteral("(older rows follow: hivectl audit --before %1)\n").arg(listed->entries.constLast().id));
    }
    return toInt(ExitCode::Ok);
}

int AuditCommand::verify()
{
    auto verified = m_connection.call<protocol::AuditVerifyMethod>(protocol::AuditVerifyParams{});
    if (!verified)
        return m_terminal.fail(verified.error().message, m_connection.exitCodeFor(verified.error()));
    if (m_terminal.json())
        m_terminal.printJson(verified->toJson());
    if (verified->ok) {
        if (!m_terminal.json())
            m_terminal.printLine(QStringLiteral("audit chain ok: %1 rows checked").arg(verified->checked));
        return toInt(ExitCode::Ok);
    }
    const QString where = verified->firstBadId ? QStringLiteral(" at row %1").arg(*verified->firstBadId) : QString();
    return m_terminal.fail(QStringLiteral("audit chain BROKEN%1: %2 (%3 rows checked)")
                               .arg(where,
                                    verified->problem.isEmpty() ? QStringLiteral("no details") : verified->problem,
                                    QString::number(verified->checked)),
                           ExitCode::Refused);
}

} // namespace hive::ctl
