// SPDX-License-Identifier: MIT
#include "statuscommand.h"

#include "engineconnection.h"
#include "protocol/methods.h"
#include "tableprinter.h"
#include "terminal.h"

namespace hive::ctl {

namespace {

QString duration(qint64 seconds)
{
    const qint64 days = seconds / 86400;
    const qint64 hours = seconds % 86400 / 3600;
    const qint64 minutes = seconds % 3600 / 60;
    QStringList parts;
    if (days > 0)
        parts << QStringLiteral("%1d").arg(days);
    if (days > 0 || hours > 0)
        parts << QStringLiteral("%1h").arg(hours);
    if (days > 0 || hours > 0 || minutes > 0)
        parts << QStringLiteral("%1m").arg(minutes);
    parts << QStringLiteral("%1s").arg(seconds % 60);
    return parts.join(QLatin1Char(' '));
}

} // namespace

StatusCommand::StatusCommand(EngineConnection &connection, Terminal &terminal)
    : m_connection(connection), m_terminal(terminal)
{}

int StatusCommand::run()
{
    auto info = m_connection.call<protocol::EngineInfoMethod>(protocol::EngineInfoParams{});
    if (!info)
        return m_terminal.fail(info.error().message, m_connection.exitCodeFor(info.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(info->toJson());
        return toInt(ExitCode::Ok);
    }

    TablePrinter table;
    table.addRow({QStringLiteral("version"), info->version});
    table.addRow({QStringLiteral("protocol"), info->protocolVersion});
    table.addRow(
        {QStringLiteral("uptime"),
         QStringLiteral("%1 (since %2)").arg(duration(info->uptimeSeconds), TablePrinter::timeCell(info->startedAt))});
    table.addRow({QStringLiteral("state dir"), info->stateDir});
    table.addRow({QStringLiteral("listen"),
                  info->listen.isEmpty() ? QStringLiteral("off") : QStringLiteral("wss://") + info->listen});
    table.addRow({QStringLiteral("TLS fingerprint"),
                  info->tlsFingerprint.isEmpty() ? QStringLiteral("-") : info->tlsFingerprint});
    table.addRow({QStringLiteral("schema version"), QString::number(info->schemaVersion)});
    table.addRow({QStringLiteral("tokens"), QString::number(info->tokens)});
    table.addRow({QStringLiteral("audit entries"), QString::number(info->auditEntries)});
    table.addRow({QStringLiteral("latest seq"), QString::number(info->latestSeq)});
    table.addRow({QStringLiteral("connections"), QString::number(info->connections)});
    table.print(m_terminal.out());
    return toInt(ExitCode::Ok);
}

} // namespace hive::ctl
