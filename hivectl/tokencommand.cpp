// SPDX-License-Identifier: MIT
#include "tokencommand.h"

#include "engineconnection.h"
#include "protocol/methods.h"
#include "tableprinter.h"
#include "terminal.h"

namespace hive::ctl {

TokenCommand::TokenCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal)
    : m_connection(connection), m_invocation(invocation), m_terminal(terminal)
{}

int TokenCommand::create()
{
    auto created = m_connection.call<protocol::TokenCreateMethod>(
        protocol::TokenCreateParams{m_invocation.name, m_invocation.role});
    if (!created)
        return m_terminal.fail(created.error().message, m_connection.exitCodeFor(created.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(created->toJson());
        return toInt(ExitCode::Ok);
    }
    // The secret on a line of its own, so it can be copied without picking up anything else.
    m_terminal.printLine(QStringLiteral("Created token '%1' with role %2. Its secret:\n\n    %3\n\n"
                                        "Store it now: it is shown only this once, and the engine keeps only a "
                                        "hash of it.\n"
                                        "Give it to hivectl in HIVE_TOKEN or with --token-file FILE.")
                             .arg(created->token.name, created->token.role, created->secret));
    return toInt(ExitCode::Ok);
}

int TokenCommand::list()
{
    auto listed = m_connection.call<protocol::TokenListMethod>(protocol::TokenListParams{});
    if (!listed)
        return m_terminal.fail(listed.error().message, m_connection.exitCodeFor(listed.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(listed->toJson());
        return toInt(ExitCode::Ok);
    }
    if (listed->tokens.isEmpty()) {
        m_terminal.printLine(QStringLiteral("no tokens (create one with: hivectl token create NAME --role ROLE)"));
        return toInt(ExitCode::Ok);
    }
    TablePrinter table({QStringLiteral("NAME"), QStringLiteral("ROLE"), QStringLiteral("CREATED"),
                        QStringLiteral("CREATED BY"), QStringLiteral("LAST USED")});
    for (const protocol::TokenInfo &token : std::as_const(listed->tokens)) {
        table.addRow({token.name, token.role, TablePrinter::timeCell(token.createdAt), token.createdBy,
                      token.lastUsedAt ? TablePrinter::timeCell(*token.lastUsedAt) : QStringLiteral("never")});
    }
    table.print(m_terminal.out());
    return toInt(ExitCode::Ok);
}

int TokenCommand::revoke()
{
    auto revoked = m_connection.call<protocol::TokenRevokeMethod>(protocol::TokenRevokeParams{m_invocation.name});
    if (!revoked)
        return m_terminal.fail(revoked.error().message, m_connection.exitCodeFor(revoked.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(revoked->toJson());
        return toInt(ExitCode::Ok);
    }
    QString line = QStringLiteral("Revoked token '%1'.").arg(revoked->name);
    if (revoked->closedConnections > 0)
        line += QStringLiteral(" Closed %1 connection(s) that used it.").arg(revoked->closedConnections);
    m_terminal.printLine(line);
    return toInt(ExitCode::Ok);
}

} // namespace hive::ctl
