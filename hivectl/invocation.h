// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/agents.h"
#include "protocol/approvals.h"
#include "protocol/audit.h"
#include "protocol/containers.h"
#include "protocol/telemetry.h"
#include "protocol/threads.h"
#include "protocol/version.h"

#include <QString>
#include <QUrl>

#include <optional>

namespace hive::ctl {

/// One hivectl command line, checked and resolved: what to run, against which engine, how.
struct Invocation {
    enum class Command {
        Help,
        Version,
        Status,
        TokenCreate,
        TokenList,
        TokenRevoke,
        AuditList,
        AuditVerify,
        CertFingerprint,
        Events,
        AgentAdd,
        AgentList,
        AgentSetRecipients,
        AgentLifecycle,
        AgentShell,
        Send,
        Inbox,
        QuestionList,
        QuestionCancel,
        Answer,
        ReminderList,
        ReminderRetry,
        ReminderCancel,
        ThreadList,
        ApprovalList,
        ApprovalShow,
        ApprovalApprove,
        ApprovalDeny,
        Spawn,
        DraftList,
        DraftDiscard,
        Gc,
        Stats,
    };

    Command command = Command::Help;

    QString stateDir;                        ///< local mode: the engine's state dir (admin socket inside)
    QString host;                            ///< remote mode when not empty
    int port = protocol::DefaultPort;        ///< remote mode
    std::optional<QString> token;            ///< --token: a secret, never printed
    std::optional<QString> tokenFile;        ///< --token-file
    std::optional<QString> trustFingerprint; ///< canonical form of --trust-fingerprint
    bool json = false;
    int timeoutMs = 30 * 1000; ///< --timeout: connecting, and waiting for each reply
    /// Waiting for a lifecycle reply: --timeout when given. The engine answers when the operation
    /// has run through its queue, and a stop alone may take the stop grace (up to 600 s) and then
    /// the SIGKILL, so the default is far longer than for other calls.
    int lifecycleTimeoutMs = 15 * 60 * 1000;

    QString name; ///< token create / revoke, agent add / set-recipients / shell / the lifecycle commands, spawn,
                  ///< draft discard
    QString role; ///< token create
    protocol::AuditListParams audit;
    std::optional<qint64> sinceSeq; ///< events --since
    std::optional<qint64> count;    ///< events --count
    QStringList recipients;         ///< agent set-recipients

    /// agent spawn ... agent purge
    protocol::LifecycleOp lifecycleOp = protocol::LifecycleOp::Start;
    protocol::AgentSpawnParams spawn; ///< agent spawn: the name and the container's settings
    bool yes = false;                 ///< agent purge --yes, draft discard --yes: no question asked

    protocol::MessageSendParams message;
    protocol::MessageListParams inbox;
    qint64 id = 0; ///< questions cancel, answer, reminders retry / cancel, approval show / approve / deny
    QString answer;
    protocol::QuestionListParams questions;
    protocol::ReminderListParams reminders;
    protocol::ThreadListParams threads;

    protocol::ApprovalListParams approvals; ///< approval list
    /// approval show --base
    QString base = QString::fromLatin1(protocol::approvalbases::Running);
    QString note;        ///< approval deny --note
    QString description; ///< spawn --description
    bool dryRun = false; ///< gc --dry-run

    /// stats: the agent, the keys, since (a span resolved against the time of parsing) and the bucket
    protocol::StatsQueryParams stats;

    [[nodiscard]] bool isRemote() const { return !host.isEmpty(); }
    /// wss://host:port/ (remote mode only).
    [[nodiscard]] QUrl url() const;
    /// The engine's entry in known_engines (remote mode only).
    [[nodiscard]] QString engineKey() const;
};

} // namespace hive::ctl
