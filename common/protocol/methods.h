// SPDX-License-Identifier: MIT
#pragma once

#include "agents.h"
#include "approvals.h"
#include "audit.h"
#include "events.h"
#include "harness.h"
#include "protocol/role.h"
#include "repos.h"
#include "retention.h"
#include "session.h"
#include "telemetry.h"
#include "terminals.h"
#include "threads.h"
#include "tokens.h"

#include <QList>

namespace hive::protocol {

/// A compile-time list of method descriptors. The engine's dispatcher is generated from it, and a
/// method whose Params type no controller handles does not compile.
template<typename... Methods>
struct MethodList {};

/// Method descriptors: wire name, parameter and result types, the least role allowed to call it,
/// and whether it changes state (then every call is written to the audit log).
struct HelloMethod {
    static constexpr char Name[] = "hello";
    using Params = HelloParams;
    using Result = HelloResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};
struct EngineInfoMethod {
    static constexpr char Name[] = "engine_info";
    using Params = EngineInfoParams;
    using Result = EngineInfoResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};
struct TokenCreateMethod {
    static constexpr char Name[] = "token_create";
    using Params = TokenCreateParams;
    using Result = TokenCreateResult;
    static constexpr Role MinimumRole = Role::Admin;
    static constexpr bool Mutates = true;
};
struct TokenListMethod {
    static constexpr char Name[] = "token_list";
    using Params = TokenListParams;
    using Result = TokenListResult;
    static constexpr Role MinimumRole = Role::Admin;
    static constexpr bool Mutates = false;
};
struct TokenRevokeMethod {
    static constexpr char Name[] = "token_revoke";
    using Params = TokenRevokeParams;
    using Result = TokenRevokeResult;
    static constexpr Role MinimumRole = Role::Admin;
    static constexpr bool Mutates = true;
};
struct AuditListMethod {
    static constexpr char Name[] = "audit_list";
    using Params = AuditListParams;
    using Result = AuditListResult;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = false;
};
struct AuditVerifyMethod {
    static constexpr char Name[] = "audit_verify";
    using Params = AuditVerifyParams;
    using Result = AuditVerifyResult;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = false;
};
struct EventsSubscribeMethod {
    static constexpr char Name[] = "events_subscribe";
    using Params = EventsSubscribeParams;
    using Result = EventsSubscribeResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};
struct EventsUnsubscribeMethod {
    static constexpr char Name[] = "events_unsubscribe";
    using Params = EventsUnsubscribeParams;
    using Result = EventsUnsubscribeResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};

struct AgentAddMethod {
    static constexpr char Name[] = "agent_add";
    using Params = AgentAddParams;
    using Result = AgentAddResult;
    static constexpr Role MinimumRole = Role::Admin;
    static constexpr bool Mutates = true;
};
struct AgentListMethod {
    static constexpr char Name[] = "agent_list";
    using Params = AgentListParams;
    using Result = AgentListResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};
struct AgentSetRecipientsMethod {
    static constexpr char Name[] = "agent_set_recipients";
    using Params = AgentSetRecipientsParams;
    using Result = AgentSetRecipientsResult;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};
/// The container lifecycle (API 1.3.0). Each call answers when its operation has run through the
/// engine's one lifecycle queue, with the agent as it is then.
template<const char *MethodName, typename P, typename R, Role Least>
struct LifecycleMethod {
    static constexpr const char *Name = MethodName;
    using Params = P;
    using Result = R;
    static constexpr Role MinimumRole = Least;
    static constexpr bool Mutates = true;
};
inline constexpr char AgentSpawnName[] = "agent_spawn";
inline constexpr char AgentStartName[] = "agent_start";
inline constexpr char AgentKillName[] = "agent_kill";
inline constexpr char AgentRestartName[] = "agent_restart";
inline constexpr char AgentUpdateName[] = "agent_update";
inline constexpr char AgentDestroyName[] = "agent_destroy";
inline constexpr char AgentReviveName[] = "agent_revive";
inline constexpr char AgentPurgeName[] = "agent_purge";
using AgentSpawnMethod = LifecycleMethod<AgentSpawnName, AgentSpawnParams, AgentInfo, Role::Operator>;
using AgentStartMethod = LifecycleMethod<AgentStartName, AgentStartParams, AgentInfo, Role::Operator>;
using AgentKillMethod = LifecycleMethod<AgentKillName, AgentKillParams, AgentInfo, Role::Operator>;
using AgentRestartMethod = LifecycleMethod<AgentRestartName, AgentRestartParams, AgentInfo, Role::Operator>;
using AgentUpdateMethod = LifecycleMethod<AgentUpdateName, AgentUpdateParams, AgentInfo, Role::Operator>;
using AgentDestroyMethod = LifecycleMethod<AgentDestroyName, AgentDestroyParams, AgentInfo, Role::Operator>;
using AgentReviveMethod = LifecycleMethod<AgentReviveName, AgentReviveParams, AgentInfo, Role::Operator>;
using AgentPurgeMethod = LifecycleMethod<AgentPurgeName, AgentPurgeParams, AgentPurgeResult, Role::Admin>;

/// Terminals into agents' containers (API 1.4.0). Only the connection that opened a terminal
/// can use it. Opening is audited (and the session's end, with its length); keystrokes are not.
struct TerminalOpenMethod {
    static constexpr char Name[] = "terminal_open";
    using Params = TerminalOpenParams;
    using Result = TerminalOpenResult;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};
struct TerminalInputMethod {
    static constexpr char Name[] = "terminal_input";
    using Params = TerminalInputParams;
    using Result = TerminalInputResult;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = false;
};
struct TerminalResizeMethod {
    static constexpr char Name[] = "terminal_resize";
    using Params = TerminalResizeParams;
    using Result = TerminalRef;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = false;
};
struct TerminalCloseMethod {
    static constexpr char Name[] = "terminal_close";
    using Params = TerminalCloseParams;
    using Result = TerminalRef;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = false;
};

struct MessageSendMethod {
    static constexpr char Name[] = "message_send";
    using Params = MessageSendParams;
    using Result = SendResult;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};
struct MessageListMethod {
    static constexpr char Name[] = "message_list";
    using Params = MessageListParams;
    using Result = MessageListResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};

struct QuestionListMethod {
    static constexpr char Name[] = "question_list";
    using Params = QuestionListParams;
    using Result = QuestionListResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};
struct QuestionAnswerMethod {
    static constexpr char Name[] = "question_answer";
    using Params = QuestionAnswerParams;
    using Result = Question;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};
struct QuestionCancelMethod {
    static constexpr char Name[] = "question_cancel";
    using Params = QuestionCancelParams;
    using Result = Question;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};
struct ReminderListMethod {
    static constexpr char Name[] = "reminder_list";
    using Params = ReminderListParams;
    using Result = ReminderListResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};
struct ReminderRetryMethod {
    static constexpr char Name[] = "reminder_retry";
    using Params = ReminderRetryParams;
    using Result = Reminder;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};
struct ReminderCancelMethod {
    static constexpr char Name[] = "reminder_cancel";
    using Params = ReminderCancelParams;
    using Result = Reminder;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};
struct ThreadListMethod {
    static constexpr char Name[] = "thread_list";
    using Params = ThreadListParams;
    using Result = ThreadListResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};

/// Config approvals and spawns (API 1.5.0): the operator's side of the approval queue.
struct ApprovalListMethod {
    static constexpr char Name[] = "approval_list";
    using Params = ApprovalListParams;
    using Result = ApprovalListResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};
struct ApprovalGetMethod {
    static constexpr char Name[] = "approval_get";
    using Params = ApprovalGetParams;
    using Result = ApprovalGetResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};
struct ApprovalApproveMethod {
    static constexpr char Name[] = "approval_approve";
    using Params = ApprovalApproveParams;
    using Result = ApprovalResult;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};
struct ApprovalDenyMethod {
    static constexpr char Name[] = "approval_deny";
    using Params = ApprovalDenyParams;
    using Result = ApprovalResult;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};
struct RequestSpawnMethod {
    static constexpr char Name[] = "request_spawn";
    using Params = RequestSpawnParams;
    using Result = ApprovalResult;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};
struct DraftListMethod {
    static constexpr char Name[] = "draft_list";
    using Params = DraftListParams;
    using Result = DraftListResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};
struct DraftDiscardMethod {
    static constexpr char Name[] = "draft_discard";
    using Params = DraftDiscardParams;
    using Result = DraftResult;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};

/// The approval tags' retention: collects the applied repos now (or says what it would collect).
struct RepoGcMethod {
    static constexpr char Name[] = "repo_gc";
    using Params = RepoGcParams;
    using Result = RepoGcResult;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};

/// Git browsing (API 1.5.0): the config repos read-only (an agent's applied or proposed repo, the
/// meta repo), for the console's history, diff and file views.
template<const char *MethodName, typename P, typename R>
struct RepoMethod {
    static constexpr const char *Name = MethodName;
    using Params = P;
    using Result = R;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};
inline constexpr char RepoLogName[] = "repo_log";
inline constexpr char RepoTagsName[] = "repo_tags";
inline constexpr char RepoDiffName[] = "repo_diff";
inline constexpr char RepoFileName[] = "repo_file";
inline constexpr char RepoTreeName[] = "repo_tree";
using RepoLogMethod = RepoMethod<RepoLogName, RepoLogParams, RepoLogResult>;
using RepoTagsMethod = RepoMethod<RepoTagsName, RepoTagsParams, RepoTagsResult>;
using RepoDiffMethod = RepoMethod<RepoDiffName, RepoDiffParams, RepoDiffResult>;
using RepoFileMethod = RepoMethod<RepoFileName, RepoFileParams, RepoFileResult>;
using RepoTreeMethod = RepoMethod<RepoTreeName, RepoTreeParams, RepoTreeResult>;

/// The harness steered by the operator (API 1.6.0).
struct AgentCancelTurnMethod {
    static constexpr char Name[] = "agent_cancel_turn";
    using Params = AgentCancelTurnParams;
    using Result = AgentCancelTurnResult;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};
struct AgentSetModelMethod {
    static constexpr char Name[] = "agent_set_model";
    using Params = AgentSetModelParams;
    using Result = AgentInfo;
    static constexpr Role MinimumRole = Role::Operator;
    static constexpr bool Mutates = true;
};

/// Telemetry (API 1.6.0): an agent's (or the swarm's) series and summary over a window.
struct StatsQueryMethod {
    static constexpr char Name[] = "stats_query";
    using Params = StatsQueryParams;
    using Result = StatsQueryResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};

/// The operator API: what the TLS WebSocket and the admin socket serve.
using ApiMethods =
    MethodList<HelloMethod, EngineInfoMethod, TokenCreateMethod, TokenListMethod, TokenRevokeMethod, AuditListMethod,
               AuditVerifyMethod, EventsSubscribeMethod, EventsUnsubscribeMethod, AgentAddMethod, AgentListMethod,
               AgentSetRecipientsMethod, MessageSendMethod, MessageListMethod, QuestionListMethod, QuestionAnswerMethod,
               QuestionCancelMethod, ReminderListMethod, ReminderRetryMethod, ReminderCancelMethod, ThreadListMethod,
               AgentSpawnMethod, AgentStartMethod, AgentKillMethod, AgentRestartMethod, AgentUpdateMethod,
               AgentDestroyMethod, AgentReviveMethod, AgentPurgeMethod, TerminalOpenMethod, TerminalInputMethod,
               TerminalResizeMethod, TerminalCloseMethod, ApprovalListMethod, ApprovalGetMethod, ApprovalApproveMethod,
               ApprovalDenyMethod, RequestSpawnMethod, DraftListMethod, DraftDiscardMethod, RepoGcMethod, RepoLogMethod,
               RepoTagsMethod, RepoDiffMethod, RepoFileMethod, RepoTreeMethod, AgentCancelTurnMethod,
               AgentSetModelMethod, StatsQueryMethod>;

/// The same table at run time, for documentation checks and clients.
struct MethodInfo {
    QString name;
    Role role;
    bool mutates;
};

template<typename... Methods>
QList<MethodInfo> methodTable(MethodList<Methods...> /*list*/)
{
    return {MethodInfo{QString::fromLatin1(Methods::Name), Methods::MinimumRole, Methods::Mutates}...};
}

} // namespace hive::protocol
