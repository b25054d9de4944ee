// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QStringList>

#include <optional>

namespace hive::protocol {

/// Caps of a turn report and a stats query; the errors for values past them name the cap.
inline constexpr int TurnIdMaxChars = 128;
inline constexpr int TurnModelMaxChars = 256;
inline constexpr int TurnToolNameMaxChars = 128;
inline constexpr int TurnMaxTools = 256; ///< distinct tool names in one report
inline constexpr int StatsKeyMaxChars = 200;
inline constexpr int StatsMaxKeys = 64;             ///< keys (or patterns) in one stats_query
inline constexpr qint64 StatsMinBucketSeconds = 60; ///< never finer than a minute
inline constexpr qint64 StatsMaxBucketSeconds = 365LL * 24 * 3600;
inline constexpr int StatsTargetPoints = 500; ///< the automatic bucket yields at most this many
inline constexpr int StatsMaxPoints = 5000;   ///< an explicit bucket_seconds may yield at most this many

/// How an agent CLI turn ended (TurnReport.exit); also the `turn.exit.<kind>` stats keys.
[[nodiscard]] const QStringList &turnExitKinds();
/// The recipient kinds of TurnReport.sent and the sender kinds of TurnReport.received.
[[nodiscard]] const QStringList &turnSentKinds();
[[nodiscard]] const QStringList &turnReceivedKinds();

/// Tokens of one turn, as the agent CLI counts them.
struct TurnTokens {
    qint64 input = 0;
    qint64 output = 0;
    qint64 cacheRead = 0;
    qint64 cacheCreation = 0;

    /// What counts against a token budget: input + output + cache_creation (cache reads are
    /// billed at a tenth and would dominate; the cost budget covers them).
    [[nodiscard]] qint64 budgeted() const { return input + output + cacheCreation; }

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TurnTokens> fromJson(const QJsonObject &json);
    friend bool operator==(const TurnTokens &, const TurnTokens &) = default;
};

/// `turn_report` (agent surface): the harness's account of one finished turn. Every field is
/// required; in the count objects (`tool_calls`, `sent`, `received`, `tokens`) a missing key
/// counts 0, and `sent`/`received`/`tokens` accept only their known keys.
struct TurnReportParams {
    QString turn; ///< the harness-chosen turn id (1..128 characters)
    QDateTime startedAt;
    qint64 durationMs = 0;
    QString exit; ///< one of turnExitKinds()
    QString model;
    QMap<QString, qint64> toolCalls; ///< tool name -> calls
    QMap<QString, qint64> sent;      ///< peer, operator, manager, broadcast -> messages
    QMap<QString, qint64> received;  ///< peer, operator, manager, system -> messages
    TurnTokens tokens;
    double costUsd = 0;
    qint64 permissionDenials = 0;
    qint64 inboxDepth = 0;
    qint64 notesBytes = 0;

    /// The sum of toolCalls.
    [[nodiscard]] qint64 totalToolCalls() const;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TurnReportParams> fromJson(const QJsonObject &json);
    friend bool operator==(const TurnReportParams &, const TurnReportParams &) = default;
};

/// An agent's daily budget (UTC day). Limits come from the deployed agent.toml plus what the
/// operator raised today; absent limits are never exceeded.
struct BudgetStatus {
    QString day; ///< "YYYY-MM-DD", UTC
    qint64 tokensUsed = 0;
    double costUsedUsd = 0;
    std::optional<qint64> tokensLimit;
    std::optional<double> costLimitUsd;
    bool exceeded = false;
    std::optional<qint64> question; ///< the open operator question about it

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<BudgetStatus> fromJson(const QJsonObject &json);
    friend bool operator==(const BudgetStatus &, const BudgetStatus &) = default;
};

struct TurnReportResult {
    BudgetStatus budget;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TurnReportResult> fromJson(const QJsonObject &json);
    friend bool operator==(const TurnReportResult &, const TurnReportResult &) = default;
};

/// `budget_status` (agent surface): the caller's budget today.
struct BudgetStatusParams {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<BudgetStatusParams> fromJson(const QJsonObject &json);
    friend bool operator==(const BudgetStatusParams &, const BudgetStatusParams &) = default;
};

/// `stats_query` (operator API, viewer): series of one agent (or of the swarm when `agent` is
/// absent) between `since` and `until` (default: now). A key ending in `*` matches every stored
/// key with that prefix. `bucket_seconds` (>= 60) is chosen by the engine when absent.
struct StatsQueryParams {
    std::optional<QString> agent;
    QStringList keys;
    QDateTime since;
    std::optional<QDateTime> until;
    std::optional<qint64> bucketSeconds;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<StatsQueryParams> fromJson(const QJsonObject &json);
    friend bool operator==(const StatsQueryParams &, const StatsQueryParams &) = default;
};

/// One bucket of a series: the samples whose time lies in [t, t + bucket_seconds). p50 and p95
/// are exact over raw samples and approximate (within about 2%) where hourly aggregates are read.
struct StatsPoint {
    QDateTime t;
    qint64 count = 0;
    double sum = 0;
    double min = 0;
    double max = 0;
    double avg = 0;
    double p50 = 0;
    double p95 = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<StatsPoint> fromJson(const QJsonObject &json);
    friend bool operator==(const StatsPoint &, const StatsPoint &) = default;
};

/// A key's buckets, oldest first; buckets without samples are left out.
struct StatsSeries {
    QString key;
    QList<StatsPoint> points;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<StatsSeries> fromJson(const QJsonObject &json);
    friend bool operator==(const StatsSeries &, const StatsSeries &) = default;
};

/// What the window says at a glance (see docs/protocol.md, stats_query).
struct StatsSummary {
    qint64 turns = 0;
    double turnsPerMin = 0;
    double toolCallsPerTurn = 0; ///< 0 without turns
    std::optional<double> turnDurationMsP50;
    std::optional<double> turnDurationMsP95;
    std::optional<QDateTime> lastTurnAt;            ///< the latest turn ever stored (not only in the window)
    std::optional<qint64> timeSinceLastTurnSeconds; ///< until `until`
    qint64 approvalQueueLength = 0;                 ///< pending approvals now
    qint64 inboxDepth = 0;                          ///< unacked messages now (the swarm's sum without agent)
    qint64 inboxDepthMax = 0;                       ///< the largest sample in the window
    QMap<QString, qint64> exits;                    ///< exit kind -> turns
    QMap<QString, qint64> tools;                    ///< tool name -> calls
    TurnTokens tokens;
    double costUsd = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<StatsSummary> fromJson(const QJsonObject &json);
    friend bool operator==(const StatsSummary &, const StatsSummary &) = default;
};

struct StatsQueryResult {
    std::optional<QString> agent;
    QDateTime since;
    QDateTime until;
    qint64 bucketSeconds = 0;
    QList<StatsSeries> series; ///< in the order of the keys; a pattern expands to its matches, sorted
    StatsSummary summary;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<StatsQueryResult> fromJson(const QJsonObject &json);
    friend bool operator==(const StatsQueryResult &, const StatsQueryResult &) = default;
};

} // namespace hive::protocol
