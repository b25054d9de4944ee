// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/repos.h"
#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace hive::protocol {

/// What an approval asks for.
namespace approvalkinds {
inline constexpr char ApplyCommit[] = "apply_commit"; ///< deploy a commit of an existing agent's config
inline constexpr char Spawn[] = "spawn";              ///< a new agent with the default config
inline constexpr char SpawnCommit[] = "spawn_commit"; ///< a new agent from a drafted config commit
} // namespace approvalkinds

/// Where an approval is in its life; the same names as the tags in the applied repo
/// (`proposal/<id>` is "pending").
namespace approvalstates {
inline constexpr char Pending[] = "pending";
inline constexpr char Approved[] = "approved";
inline constexpr char Building[] = "building";
inline constexpr char Deployed[] = "deployed";
inline constexpr char Failed[] = "failed";
inline constexpr char Denied[] = "denied";
} // namespace approvalstates
/// Whether the state is one an approval never leaves (deployed, failed, denied).
[[nodiscard]] bool isTerminalApprovalState(const QString &state);

/// The error when `ref` is not 7 to 40 hex digits of a commit ("commit_ref must be ..., got
/// 'main'"), or nothing. Branch and tag names are refused so that what is approved cannot move.
/// Upper case is accepted; fromJson lowercases it.
[[nodiscard]] std::optional<QString> commitRefProblem(const QString &ref);

/// One entry of a capability delta: what a config change does to one of the agent's powers.
struct CapabilityChange {
    QString area;   ///< recipients, tools, bash_patterns, mcp_servers, limits, network, budget, terminal
    QString item;   ///< the recipient, tool, pattern or server; memory/cpu; tokens_per_day/cost_per_day_usd
    QString change; ///< "added", "removed" or "changed"
    std::optional<QString> before; ///< the old value where one is meaningful (limits, network, budget, ...)
    std::optional<QString> after;
    bool widening = false; ///< true: the agent can do more; false: less

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<CapabilityChange> fromJson(const QJsonObject &json);
    friend bool operator==(const CapabilityChange &, const CapabilityChange &) = default;
};

/// One approval as the queue records it.
struct ApprovalInfo {
    qint64 id = 0;
    QString kind;   ///< approvalkinds
    QString agent;  ///< the agent it concerns (the new agent for spawns)
    QString commit; ///< the proposed config commit (40 hex) in the applied repo
    QString description;
    QString requestedBy; ///< "manager", an agent, or "operator"
    QString state;       ///< approvalstates
    QDateTime createdAt;
    std::optional<QDateTime> resolvedAt; ///< when it reached a terminal state
    std::optional<QString> resolvedBy;   ///< the token name that approved or denied it
    std::optional<QString> note;         ///< the operator's note on a denial
    std::optional<QString> error;        ///< why the deploy failed

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ApprovalInfo> fromJson(const QJsonObject &json);
    friend bool operator==(const ApprovalInfo &, const ApprovalInfo &) = default;
};

/// approval_list: newest first; `state` "open" (pending, approved, building; the default),
/// "all", or one state.
struct ApprovalListParams {
    QString state = QStringLiteral("open");
    std::optional<QString> agent;
    int limit = 100; ///< 1..1000
    std::optional<qint64> beforeId;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ApprovalListParams> fromJson(const QJsonObject &json);
    friend bool operator==(const ApprovalListParams &, const ApprovalListParams &) = default;
};

struct ApprovalListResult {
    QList<ApprovalInfo> approvals;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ApprovalListResult> fromJson(const QJsonObject &json);
    friend bool operator==(const ApprovalListResult &, const ApprovalListResult &) = default;
};

/// What approval_get compares the proposal with.
namespace approvalbases {
inline constexpr char Running[] = "running";   ///< the deployed config (applied main)
inline constexpr char Approved[] = "approved"; ///< the last approved proposal of the agent
inline constexpr char Queued[] = "queued";     ///< the previous proposal still queued for the agent
} // namespace approvalbases

struct ApprovalGetParams {
    qint64 id = 0;
    QString base = QString::fromLatin1(approvalbases::Running);
    int contextLines = 3; ///< 0..1000

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ApprovalGetParams> fromJson(const QJsonObject &json);
    friend bool operator==(const ApprovalGetParams &, const ApprovalGetParams &) = default;
};

/// approval_get: the approval, the commit it was compared with (none: the empty tree, e.g. a
/// spawn, or no such base), the files changed with their hunks, and the capability delta.
struct ApprovalGetResult {
    ApprovalInfo approval;
    QString base;                      ///< the base asked for
    std::optional<QString> baseCommit; ///< the commit compared with; absent: nothing to compare with
    QString baseDescription;           ///< in words: "running config (deployed/3)", "nothing deployed yet", ...
    QList<FileDiff> files;
    QList<CapabilityChange> delta;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ApprovalGetResult> fromJson(const QJsonObject &json);
    friend bool operator==(const ApprovalGetResult &, const ApprovalGetResult &) = default;
};

/// approval_approve: starts the deploy; answered when it has deployed or failed.
struct ApprovalApproveParams {
    qint64 id = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ApprovalApproveParams> fromJson(const QJsonObject &json);
    friend bool operator==(const ApprovalApproveParams &, const ApprovalApproveParams &) = default;
};

/// approval_deny: the note (required, 1..4096 characters) goes to the requester.
struct ApprovalDenyParams {
    qint64 id = 0;
    QString note;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ApprovalDenyParams> fromJson(const QJsonObject &json);
    friend bool operator==(const ApprovalDenyParams &, const ApprovalDenyParams &) = default;
};

/// The answer to the approval calls and the request calls: the approval as it is then.
struct ApprovalResult {
    ApprovalInfo approval;

    [[nodiscard]] QJsonObject toJson() const { return approval.toJson(); }
    [[nodiscard]] static Result<ApprovalResult> fromJson(const QJsonObject &json);
    friend bool operator==(const ApprovalResult &, const ApprovalResult &) = default;
};

/// request_apply_commit (the manager; agent socket): `commitRef` is 7-40 hex digits of a commit
/// in the agent's proposed repo.
struct RequestApplyCommitParams {
    QString agent;
    QString commitRef;
    QString description;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RequestApplyCommitParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RequestApplyCommitParams &, const RequestApplyCommitParams &) = default;
};

/// request_spawn: a new agent with the default config, once approved.
struct RequestSpawnParams {
    QString name;
    QString description;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RequestSpawnParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RequestSpawnParams &, const RequestSpawnParams &) = default;
};

/// request_spawn_draft: the proposed repo with a default agent.toml and the state dir; no container.
struct RequestSpawnDraftParams {
    QString name;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RequestSpawnDraftParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RequestSpawnDraftParams &, const RequestSpawnDraftParams &) = default;
};

/// request_spawn_commit: queues the drafted agent's config commit for approval.
struct RequestSpawnCommitParams {
    QString name;
    QString commitRef;
    QString description;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RequestSpawnCommitParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RequestSpawnCommitParams &, const RequestSpawnCommitParams &) = default;
};

/// A drafted agent: a proposed repo and a state dir waiting for request_spawn_commit.
struct DraftInfo {
    QString name;
    QString requestedBy;
    QDateTime createdAt;
    QString head;                   ///< the proposed repo's main commit now
    QString configPath;             ///< the proposed repo on the engine's host
    std::optional<qint64> approval; ///< the spawn_commit approval queued for it, if any

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<DraftInfo> fromJson(const QJsonObject &json);
    friend bool operator==(const DraftInfo &, const DraftInfo &) = default;
};

struct DraftResult {
    DraftInfo draft;

    [[nodiscard]] QJsonObject toJson() const { return draft.toJson(); }
    [[nodiscard]] static Result<DraftResult> fromJson(const QJsonObject &json);
    friend bool operator==(const DraftResult &, const DraftResult &) = default;
};

struct DraftListParams {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<DraftListParams> fromJson(const QJsonObject &json);
    friend bool operator==(const DraftListParams &, const DraftListParams &) = default;
};

struct DraftListResult {
    QList<DraftInfo> drafts;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<DraftListResult> fromJson(const QJsonObject &json);
    friend bool operator==(const DraftListResult &, const DraftListResult &) = default;
};

/// draft_discard: removes the draft's repo and state dir; a queued spawn_commit approval for it
/// is denied with a note saying so.
struct DraftDiscardParams {
    QString name;

    [[nodiscard]] QJsonObject toJson() const { return {{QStringLiteral("name"), name}}; }
    [[nodiscard]] static Result<DraftDiscardParams> fromJson(const QJsonObject &json);
    friend bool operator==(const DraftDiscardParams &, const DraftDiscardParams &) = default;
};

} // namespace hive::protocol
