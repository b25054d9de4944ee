// SPDX-License-Identifier: MIT
#include "hivectlapplication.h"

#include "agentcommand.h"
#include "approvalcommand.h"
#include "auditcommand.h"
#include "certcommand.h"
#include "commandline.h"
#include "engineconnection.h"
#include "eventscommand.h"
#include "messagecommand.h"
#include "shellcommand.h"
#include "statscommand.h"
#include "statuscommand.h"
#include "terminal.h"
#include "threadcommand.h"
#include "tokencommand.h"

#include <QFile>
#include <QLoggingCategory>

namespace hive::ctl {

namespace {

using Command = Invocation::Command;

// A token is a short line; anything much longer is the wrong file.
constexpr qint64 MaxTokenFileBytes = 4096;

/// The API token for a remote engine: --token, --token-file, else $HIVE_TOKEN. Messages never
/// contain the token or the file's contents.
Result<QString> resolveToken(const Invocation &invocation)
{
    if (invocation.token) {
        if (invocation.token->trimmed().isEmpty())
            return fail(ErrorCode::InvalidParams, QStringLiteral("option --token is empty"));
        return invocation.token->trimmed();
    }
    if (invocation.tokenFile) {
        const QString &path = *invocation.tokenFile;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(ErrorCode::Io,
                        QStringLiteral("cannot read the token file %1: %2").arg(path, file.errorString()));
        const QByteArray data = file.read(MaxTokenFileBytes + 1);
        if (data.size() > MaxTokenFileBytes)
            return fail(ErrorCode::InvalidParams,
                        QStringLiteral("the token file %1 is too large to hold a token").arg(path));
        const QString token = QString::fromUtf8(data).trimmed();
        if (token.isEmpty())
            return fail(ErrorCode::InvalidParams, QStringLiteral("the token file %1 is empty").arg(path));
        return token;
    }
    const QString fromEnvironment = qEnvironmentVariable("HIVE_TOKEN").trimmed();
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    QString hint;
    if (invocation.command == Command::AuditList && invocation.audit.tokenName)
        hint = QStringLiteral(" ('audit --token NAME' is a filter; the secret goes before the command)");
    return fail(ErrorCode::Unauthenticated,
                QStringLiteral("%1 needs an API token: set HIVE_TOKEN, or give --token-file FILE or --token TOKEN%2")
                    .arg(invocation.url().toString(), hint));
}

int runCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal)
{
    switch (invocation.command) {
    case Command::Status:
        return StatusCommand(connection, terminal).run();
    case Command::TokenCreate:
        return TokenCommand(connection, invocation, terminal).create();
    case Command::TokenList:
        return TokenCommand(connection, invocation, terminal).list();
    case Command::TokenRevoke:
        return TokenCommand(connection, invocation, terminal).revoke();
    case Command::AuditList:
        return AuditCommand(connection, invocation, terminal).list();
    case Command::AuditVerify:
        return AuditCommand(connection, invocation, terminal).verify();
    case Command::Events:
        return EventsCommand(connection, invocation, terminal).run();
    case Command::AgentAdd:
        return AgentCommand(connection, invocation, terminal).add();
    case Command::AgentList:
        return AgentCommand(connection, invocation, terminal).list();
    case Command::AgentSetRecipients:
        return AgentCommand(connection, invocation, terminal).setRecipients();
    case Command::AgentLifecycle:
        return AgentCommand(connection, invocation, terminal).lifecycle();
    case Command::AgentShell:
        return ShellCommand(connection, invocation, terminal).run();
    case Command::Send:
        return MessageCommand(connection, invocation, terminal).send();
    case Command::Inbox:
        return MessageCommand(connection, invocation, terminal).inbox();
    case Command::QuestionList:
        return ThreadCommand(connection, invocation, terminal).listQuestions();
    case Command::QuestionCancel:
        return ThreadCommand(connection, invocation, terminal).cancelQuestion();
    case Command::Answer:
        return ThreadCommand(connection, invocation, terminal).answer();
    case Command::ReminderList:
        return ThreadCommand(connection, invocation, terminal).listReminders();
    case Command::ReminderRetry:
        return ThreadCommand(connection, invocation, terminal).retryReminder();
    case Command::ReminderCancel:
        return ThreadCommand(connection, invocation, terminal).cancelReminder();
    case Command::ThreadList:
        return ThreadCommand(connection, invocation, terminal).threads();
    case Command::ApprovalList:
        return ApprovalCommand(connection, invocation, terminal).list();
    case Command::ApprovalShow:
        return ApprovalCommand(connection, invocation, terminal).show();
    case Command::ApprovalApprove:
        return ApprovalCommand(connection, invocation, terminal).approve();
    case Command::ApprovalDeny:
        return ApprovalCommand(connection, invocation, terminal).deny();
    case Command::Spawn:
        return ApprovalCommand(connection, invocation, terminal).spawn();
    case Command::DraftList:
        return ApprovalCommand(connection, invocation, terminal).drafts();
    case Command::DraftDiscard:
        return ApprovalCommand(connection, invocation, terminal).discardDraft();
    case Command::Gc:
        return ApprovalCommand(connection, invocation, terminal).gc();
    case Command::Stats:
        return StatsCommand(connection, invocation, terminal).run();
    case Command::Help:
    case Command::Version:
    case Command::CertFingerprint:
        break;
    }
    return terminal.fail(QStringLiteral("internal error: command not dispatched"), ExitCode::Local);
}

} // namespace

int HivectlApplication::run(const QStringList &arguments)
{
    // The libraries' debug lines are for developers (QT_LOGGING_RULES still turns them on): in a
    // terminal they would land in the middle of a command's output, or of a remote shell.
    QLoggingCategory::setFilterRules(QStringLiteral("hive.*.debug=false"));
    auto parsed = CommandLine::parse(arguments);
    if (!parsed) {
        Terminal terminal(false);
        return terminal.fail(parsed.error().message, ExitCode::Local);
    }
    const Invocation &invocation = *parsed;
    Terminal terminal(invocation.json);

    switch (invocation.command) {
    case Command::Help:
        terminal.out() << CommandLine::helpText();
        terminal.out().flush();
        return toInt(ExitCode::Ok);
    case Command::Version:
        terminal.printLine(QStringLiteral("hivectl " HIVE_VERSION));
        return toInt(ExitCode::Ok);
    case Command::CertFingerprint:
        return CertCommand(invocation, terminal).run();
    default:
        break;
    }

    // Asked before connecting: a person may take longer to answer than a connection should idle,
    // and a refusal is a usage error whether or not the engine is up.
    if (invocation.command == Command::AgentLifecycle && invocation.lifecycleOp == protocol::LifecycleOp::Purge) {
        if (auto confirmed = AgentCommand::confirmPurge(invocation, terminal); !confirmed)
            return terminal.fail(confirmed.error().message, ExitCode::Local);
    }
    if (invocation.command == Command::DraftDiscard) {
        if (auto confirmed = ApprovalCommand::confirmDiscard(invocation, terminal); !confirmed)
            return terminal.fail(confirmed.error().message, ExitCode::Local);
    }

    QString token;
    if (invocation.isRemote()) {
        auto resolved = resolveToken(invocation);
        if (!resolved)
            return terminal.fail(resolved.error().message, ExitCode::Local);
        token = *resolved;
    }
    EngineConnection connection(invocation, terminal);
    if (auto opened = connection.open(token); !opened)
        return terminal.fail(opened.error().message, connection.exitCodeFor(opened.error()));
    return runCommand(connection, invocation, terminal);
}

} // namespace hive::ctl
