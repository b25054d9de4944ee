// SPDX-License-Identifier: MIT
#pragma once

#include "deployedconfig.h"
#include "harness.h"
#include "messages.h"
#include "protocol/methods.h"
#include "questions.h"
#include "reminders.h"
#include "telemetry.h"
#include "threads.h"

namespace hive::protocol {

/// Method descriptors of the agent surface, served on each agent's own unix socket. The caller is
/// the agent the socket belongs to, so MinimumRole is unused here (kept for the shared MethodList
/// machinery); Mutates marks the calls that change the broker's state.
struct SendMethod {
    static constexpr char Name[] = "send";
    using Params = SendParams;
    using Result = SendResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = true;
};
struct RecvMethod {
    static constexpr char Name[] = "recv";
    using Params = RecvParams;
    using Result = RecvResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = true; // leases what it returns
};
struct AckMethod {
    static constexpr char Name[] = "ack";
    using Params = AckParams;
    using Result = AckResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = true;
};
struct RequeueInflightMethod {
    static constexpr char Name[] = "requeue_inflight";
    using Params = RequeueInflightParams;
    using Result = RequeueInflightResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = true;
};
struct StatusMethod {
    static constexpr char Name[] = "status";
    using Params = StatusParams;
    using Result = StatusResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};
struct RecentMethod {
    static constexpr char Name[] = "recent";
    using Params = RecentParams;
    using Result = RecentResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};
struct WhoamiMethod {
    static constexpr char Name[] = "whoami";
    using Params = WhoamiParams;
    using Result = WhoamiResult;
    static constexpr Role MinimumRole = Role::Viewer;
    static constexpr bool Mutates = false;
};

/// The agent API: what each agent's socket serves.
struct AskMethod {
    static constexpr char Name[] = "ask";
    using Params = AskParams;
    using Result = AskResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: identity is the socket
    static constexpr bool Mutates = true;
};
struct AnswerMethod {
    static constexpr char Name[] = "answer";
    using Params = AnswerParams;
    using Result = AnswerResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: identity is the socket
    static constexpr bool Mutates = true;
};

struct RemindMethod {
    static constexpr char Name[] = "remind";
    using Params = RemindParams;
    using Result = RemindResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: identity is the socket
    static constexpr bool Mutates = true;
};
struct GetOpenThreadsMethod {
    static constexpr char Name[] = "get_open_threads";
    using Params = OpenThreadsParams;
    using Result = OpenThreadsResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: identity is the socket
    static constexpr bool Mutates = false;
};
struct CancelThreadMethod {
    static constexpr char Name[] = "cancel_thread";
    using Params = CancelThreadParams;
    using Result = CancelThreadResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: identity is the socket
    static constexpr bool Mutates = true;
};

/// The deployed config of the calling agent (what its harness runs the agent CLI with).
struct ConfigMethod {
    static constexpr char Name[] = "config";
    using Params = ConfigParams;
    using Result = ConfigResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: identity is the socket
    static constexpr bool Mutates = false;
};
/// The manager's requests (Forbidden for other agents).
struct AgentRequestSpawnMethod {
    static constexpr char Name[] = "request_spawn";
    using Params = RequestSpawnParams;
    using Result = ApprovalResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: the manager's socket only
    static constexpr bool Mutates = true;
};
struct RequestApplyCommitMethod {
    static constexpr char Name[] = "request_apply_commit";
    using Params = RequestApplyCommitParams;
    using Result = ApprovalResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: the manager's socket only
    static constexpr bool Mutates = true;
};
struct RequestSpawnDraftMethod {
    static constexpr char Name[] = "request_spawn_draft";
    using Params = RequestSpawnDraftParams;
    using Result = DraftResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: the manager's socket only
    static constexpr bool Mutates = true;
};
struct RequestSpawnCommitMethod {
    static constexpr char Name[] = "request_spawn_commit";
    using Params = RequestSpawnCommitParams;
    using Result = ApprovalResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: the manager's socket only
    static constexpr bool Mutates = true;
};

/// The harness's own calls (API 1.6.0): its control connection, its state, a turn's live events.
struct HarnessAttachMethod {
    static constexpr char Name[] = "harness_attach";
    using Params = HarnessAttachParams;
    using Result = HarnessAttachResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: identity is the socket
    static constexpr bool Mutates = true;
};
struct HarnessStateMethod {
    static constexpr char Name[] = "harness_state";
    using Params = HarnessStateParams;
    using Result = HarnessStateResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: identity is the socket
    static constexpr bool Mutates = true;
};
struct TurnEventMethod {
    static constexpr char Name[] = "turn_event";
    using Params = TurnEventParams;
    using Result = TurnEventResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: identity is the socket
    static constexpr bool Mutates = true;
};

/// Telemetry (API 1.6.0): the harness's report at every turn end, and the agent's budget today.
struct TurnReportMethod {
    static constexpr char Name[] = "turn_report";
    using Params = TurnReportParams;
    using Result = TurnReportResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: identity is the socket
    static constexpr bool Mutates = true;
};
struct BudgetStatusMethod {
    static constexpr char Name[] = "budget_status";
    using Params = BudgetStatusParams;
    using Result = BudgetStatus;
    static constexpr Role MinimumRole = Role::Viewer; // unused: identity is the socket
    static constexpr bool Mutates = false;
};

/// The manager's lifecycle calls on the swarm (API 1.6.0; Forbidden for other agents): the
/// operator's agent_start, agent_kill, agent_restart and agent_update, and agent_list.
inline constexpr char ManagerStartName[] = "start";
inline constexpr char ManagerKillName[] = "kill";
inline constexpr char ManagerRestartName[] = "restart";
inline constexpr char ManagerUpdateName[] = "update";
using ManagerStartMethod = LifecycleMethod<ManagerStartName, AgentStartParams, AgentInfo, Role::Viewer>;
using ManagerKillMethod = LifecycleMethod<ManagerKillName, AgentKillParams, AgentInfo, Role::Viewer>;
using ManagerRestartMethod = LifecycleMethod<ManagerRestartName, AgentRestartParams, AgentInfo, Role::Viewer>;
using ManagerUpdateMethod = LifecycleMethod<ManagerUpdateName, AgentUpdateParams, AgentInfo, Role::Viewer>;
struct ListAgentsMethod {
    static constexpr char Name[] = "list_agents";
    using Params = AgentListParams;
    using Result = AgentListResult;
    static constexpr Role MinimumRole = Role::Viewer; // unused: the manager's socket only
    static constexpr bool Mutates = false;
};

using AgentMethods =
    MethodList<SendMethod, RecvMethod, AckMethod, RequeueInflightMethod, StatusMethod, RecentMethod, WhoamiMethod,
               AskMethod, AnswerMethod, RemindMethod, GetOpenThreadsMethod, CancelThreadMethod, ConfigMethod,
               RequestApplyCommitMethod, AgentRequestSpawnMethod, RequestSpawnDraftMethod, RequestSpawnCommitMethod,
               HarnessAttachMethod, HarnessStateMethod, TurnEventMethod, ManagerStartMethod, ManagerKillMethod,
               ManagerRestartMethod, ManagerUpdateMethod, ListAgentsMethod, TurnReportMethod, BudgetStatusMethod>;

} // namespace hive::protocol
