// SPDX-License-Identifier: MIT
#include "approvalcommand.h"

#include "engineconnection.h"
#include "invocation.h"
#include "protocol/methods.h"
#include "tableprinter.h"
#include "terminal.h"
#include "unifieddiff.h"

namespace hive::ctl {

namespace {

namespace states = protocol::approvalstates;

// Enough of the text to recognise it; show and --json have it whole.
constexpr qsizetype TextCellLength = 50;
constexpr qsizetype ShortSha = 12;

QString textCell(const QString &text)
{
    QString cell = text.simplified();
    if (cell.isEmpty())
        return QStringLiteral("-");
    if (cell.size() > TextCellLength)
        cell = cell.left(TextCellLength - 1) + QChar(0x2026);
    return cell;
}

QString listEmptyLine(const QString &state)
{
    if (state == QLatin1String("all"))
        return QStringLiteral("no approvals");
    return QStringLiteral("no %1 approvals").arg(state);
}

/// The approval as key/value lines: what, whose, where it stands.
void printApproval(const protocol::ApprovalInfo &approval, TablePrinter &table)
{
    table.addRow({QStringLiteral("approval"), QString::number(approval.id)});
    table.addRow({QStringLiteral("kind"), approval.kind});
    table.addRow({QStringLiteral("agent"), approval.agent});
    table.addRow({QStringLiteral("state"), approval.state});
    table.addRow({QStringLiteral("requested"),
                  QStringLiteral("%1 by %2").arg(TablePrinter::timeCell(approval.createdAt), approval.requestedBy)});
    table.addRow({QStringLiteral("commit"), approval.commit});
    if (!approval.description.isEmpty())
        table.addRow({QStringLiteral("description"), approval.description});
    if (approval.resolvedAt || approval.resolvedBy) {
        table.addRow(
            {QStringLiteral("resolved"), QStringLiteral("%1 by %2")
                                             .arg(TablePrinter::timeCell(approval.resolvedAt.value_or(QDateTime())),
                                                  approval.resolvedBy.value_or(QStringLiteral("-")))});
    }
    if (approval.note)
        table.addRow({QStringLiteral("note"), *approval.note});
    if (approval.error)
        table.addRow({QStringLiteral("error"), *approval.error});
}

QString deltaValue(const protocol::CapabilityChange &change)
{
    if (change.before && change.after)
        return QStringLiteral("%1 -> %2").arg(*change.before, *change.after);
    return change.after.value_or(change.before.value_or(QString()));
}

} // namespace

ApprovalCommand::ApprovalCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal)
    : m_connection(connection), m_invocation(invocation), m_terminal(terminal)
{}

int ApprovalCommand::list()
{
    auto listed = m_connection.call<protocol::ApprovalListMethod>(m_invocation.approvals);
    if (!listed)
        return m_terminal.fail(listed.error().message, m_connection.exitCodeFor(listed.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(listed->toJson());
        return toInt(ExitCode::Ok);
    }
    if (listed->approvals.isEmpty()) {
        m_terminal.printLine(listEmptyLine(m_invocation.approvals.state));
        return toInt(ExitCode::Ok);
    }
    TablePrinter table({QStringLiteral("ID"), QStringLiteral("KIND"), QStringLiteral("AGENT"), QStringLiteral("STATE"),
                        QStringLiteral("REQUESTED BY"), QStringLiteral("CREATED"), QStringLiteral("COMMIT"),
                        QStringLiteral("DESCRIPTION")});
    for (const protocol::ApprovalInfo &approval : std::as_const(listed->approvals)) {
        table.addRow({QString::number(approval.id), approval.kind, approval.agent, approval.state, approval.requestedBy,
                      TablePrinter::timeCell(approval.createdAt), approval.commit.left(ShortSha),
                      textCell(approval.description)});
    }
    table.print(m_terminal.out());
    return toInt(ExitCode::Ok);
}

int ApprovalCommand::show()
{
    auto shown = m_connection.call<protocol::ApprovalGetMethod>(
        protocol::ApprovalGetParams{m_invocation.id, m_invocation.base, protocol::ApprovalGetParams{}.contextLines});
    if (!shown)
        return m_terminal.fail(shown.error().message, m_connection.exitCodeFor(shown.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(shown->toJson());
        return toInt(ExitCode::Ok);
    }
    QTextStream &out = m_terminal.out();
    TablePrinter summary;
    printApproval(shown->approval, summary);
    summary.addRow(
        {QStringLiteral("compared with"), QStringLiteral("%1 (--base %2)").arg(shown->baseDescription, shown->base)});
    out << summary.toString() << QLatin1Char('\n');

    if (shown->delta.isEmpty()) {
        out << QStringLiteral("Capability delta: none\n");
    } else {
        out << QStringLiteral("Capability delta (! widens what the agent may do):\n");
        TablePrinter delta;
        for (const protocol::CapabilityChange &change : std::as_const(shown->delta)) {
            delta.addRow({change.widening ? QStringLiteral("!") : QStringLiteral(" "), change.area, change.item,
                          change.change, deltaValue(change)});
        }
        out << delta.toString();
    }
    out << QLatin1Char('\n');
    if (shown->files.isEmpty())
        out << QStringLiteral("No file changes.\n");
    else
        out << unifiedDiff(shown->files);
    out.flush();
    return toInt(ExitCode::Ok);
}

int ApprovalCommand::approve()
{
    auto approved = m_connection.call<protocol::ApprovalApproveMethod>(protocol::ApprovalApproveParams{m_invocation.id},
                                                                       m_invocation.lifecycleTimeoutMs);
    if (!approved)
        return m_terminal.fail(approved.error().message, m_connection.exitCodeFor(approved.error()));
    const protocol::ApprovalInfo &approval = approved->approval;
    // The call went through either way; a deploy that failed is the engine saying no.
    const bool deployed = approval.state == QLatin1String(states::Deployed);
    if (m_terminal.json()) {
        m_terminal.printJson(approved->toJson());
        return toInt(deployed ? ExitCode::Ok : ExitCode::Refused);
    }
    if (!deployed) {
        return m_terminal.fail(QStringLiteral("approval %1 %2: %3")
                                   .arg(approval.id)
                                   .arg(approval.state, approval.error.value_or(QStringLiteral("no reason given"))),
                               ExitCode::Refused);
    }
    m_terminal.printLine(QStringLiteral("approval %1 deployed: %2 runs config %3")
                             .arg(approval.id)
                             .arg(approval.agent, approval.commit.left(ShortSha)));
    return toInt(ExitCode::Ok);
}

int ApprovalCommand::deny()
{
    auto denied = m_connection.call<protocol::ApprovalDenyMethod>(
        protocol::ApprovalDenyParams{m_invocation.id, m_invocation.note});
    if (!denied)
        return m_terminal.fail(denied.error().message, m_connection.exitCodeFor(denied.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(denied->toJson());
        return toInt(ExitCode::Ok);
    }
    const protocol::ApprovalInfo &approval = denied->approval;
    if (approval.requestedBy == QLatin1String("operator"))
        m_terminal.printLine(QStringLiteral("approval %1 denied").arg(approval.id));
    else
        m_terminal.printLine(
            QStringLiteral("approval %1 denied; %2 was told").arg(approval.id).arg(approval.requestedBy));
    return toInt(ExitCode::Ok);
}

int ApprovalCommand::spawn()
{
    auto requested = m_connection.call<protocol::RequestSpawnMethod>(
        protocol::RequestSpawnParams{m_invocation.name, m_invocation.description});
    if (!requested)
        return m_terminal.fail(requested.error().message, m_connection.exitCodeFor(requested.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(requested->toJson());
        return toInt(ExitCode::Ok);
    }
    // stdout is the id alone, for `id=$(hivectl spawn ...)`; the way on goes to stderr.
    const qint64 id = requested->approval.id;
    m_terminal.printLine(QString::number(id));
    m_terminal.note(QStringLiteral("(the spawn of '%1' waits as approval %2: hivectl approval show %2, then hivectl "
                                   "approval approve %2 or hivectl approval deny %2 --note TEXT)\n")
                        .arg(requested->approval.agent)
                        .arg(id));
    return toInt(ExitCode::Ok);
}

int ApprovalCommand::drafts()
{
    auto listed = m_connection.call<protocol::DraftListMethod>(protocol::DraftListParams{});
    if (!listed)
        return m_terminal.fail(listed.error().message, m_connection.exitCodeFor(listed.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(listed->toJson());
        return toInt(ExitCode::Ok);
    }
    if (listed->drafts.isEmpty()) {
        m_terminal.printLine(QStringLiteral("no drafts"));
        return toInt(ExitCode::Ok);
    }
    TablePrinter table({QStringLiteral("NAME"), QStringLiteral("REQUESTED BY"), QStringLiteral("CREATED"),
                        QStringLiteral("HEAD"), QStringLiteral("APPROVAL"), QStringLiteral("CONFIG REPO")});
    for (const protocol::DraftInfo &draft : std::as_const(listed->drafts)) {
        table.addRow({draft.name, draft.requestedBy, TablePrinter::timeCell(draft.createdAt),
                      draft.head.isEmpty() ? QStringLiteral("-") : draft.head.left(ShortSha),
                      draft.approval ? QString::number(*draft.approval) : QStringLiteral("-"), draft.configPath});
    }
    table.print(m_terminal.out());
    return toInt(ExitCode::Ok);
}

int ApprovalCommand::discardDraft()
{
    auto discarded = m_connection.call<protocol::DraftDiscardMethod>(protocol::DraftDiscardParams{m_invocation.name});
    if (!discarded)
        return m_terminal.fail(discarded.error().message, m_connection.exitCodeFor(discarded.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(discarded->toJson());
        return toInt(ExitCode::Ok);
    }
    const protocol::DraftInfo &draft = discarded->draft;
    m_terminal.printLine(
        draft.approval ? QStringLiteral("draft '%1' discarded; approval %2 denied").arg(draft.name).arg(*draft.approval)
                       : QStringLiteral("draft '%1' discarded").arg(draft.name));
    return toInt(ExitCode::Ok);
}

int ApprovalCommand::gc()
{
    auto collected = m_connection.call<protocol::RepoGcMethod>(protocol::RepoGcParams{m_invocation.dryRun});
    if (!collected)
        return m_terminal.fail(collected.error().message, m_connection.exitCodeFor(collected.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(collected->toJson());
        return toInt(ExitCode::Ok);
    }
    const qsizetype removed = collected->removed.size();
    if (removed == 0) {
        m_terminal.printLine(QStringLiteral("nothing to remove; %1 tag(s) kept").arg(collected->kept));
        return toInt(ExitCode::Ok);
    }
    TablePrinter table({QStringLiteral("AGENT"), QStringLiteral("TAG"), QStringLiteral("REASON")});
    for (const protocol::RemovedTag &tag : std::as_const(collected->removed))
        table.addRow({tag.agent, tag.tag, tag.reason});
    table.print(m_terminal.out());
    m_terminal.printLine(collected->dryRun
                             ? QStringLiteral("would remove %1 tag(s) (dry run: nothing was removed); %2 kept")
                                   .arg(removed)
                                   .arg(collected->kept)
                             : QStringLiteral("removed %1 tag(s); %2 kept").arg(removed).arg(collected->kept));
    return toInt(ExitCode::Ok);
}

Result<void> ApprovalCommand::confirmDiscard(const Invocation &invocation, Terminal &terminal)
{
    if (invocation.yes)
        return {};
    const QString &name = invocation.name;
    if (!terminal.stdinIsTty()) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("draft discard deletes the draft '%1' (its config repo and state dir) and stdin is "
                                   "not a terminal to confirm it: pass --yes (see hivectl --help)")
                        .arg(name));
    }
    terminal.note(QStringLiteral("This deletes the draft '%1': its config repo with every commit in it, and its state "
                                 "dir.\nType its name to confirm: ")
                      .arg(name));
    const auto typed = terminal.readLine();
    if (!typed)
        terminal.note(QStringLiteral("\n"));
    if (!typed || typed->trimmed() != name)
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("'%1' was not discarded: its name was not typed").arg(name));
    return {};
}

} // namespace hive::ctl
