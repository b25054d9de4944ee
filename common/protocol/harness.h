// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"
#include "telemetry.h" // TurnIdMaxChars: turn_event and turn_report share the turn id

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace hive::protocol {

/// What the harness in an agent's container reports it is doing (harness_state, API 1.6.0).
namespace harnessstates {
inline constexpr char Idle[] = "idle";                ///< waiting for messages
inline constexpr char Turn[] = "turn";                ///< running the agent CLI
inline constexpr char RateLimited[] = "rate_limited"; ///< the model API refused for now; retries at `until`
inline constexpr char NeedsLogin[] = "needs_login";   ///< the agent CLI has no valid credentials
inline constexpr char OverBudget[] = "over_budget";   ///< the day's token or cost budget is spent
inline constexpr char Compacting[] = "compacting";    ///< shrinking the agent's notes or context
} // namespace harnessstates
[[nodiscard]] bool isHarnessState(const QString &state);

/// The kinds of a turn's live events (turn_event, API 1.6.0).
namespace turneventkinds {
inline constexpr char Started[] = "started";
inline constexpr char Text[] = "text";
inline constexpr char ToolCall[] = "tool_call";
inline constexpr char ToolResult[] = "tool_result";
inline constexpr char Ended[] = "ended";
} // namespace turneventkinds
[[nodiscard]] bool isTurnEventKind(const QString &kind);

/// JSON-RPC notifications the engine sends on a harness's control connection (the agent socket
/// connection that called harness_attach). Both carry empty params.
inline constexpr char CancelTurnNotification[] = "cancel_turn";       ///< the operator interrupts the running turn
inline constexpr char ConfigChangedNotification[] = "config_changed"; ///< call `config` again

/// Caps of the harness surface; the errors for values past them name the cap.
inline constexpr int TurnEventMaxDataBytes = 16 * 1024; ///< turn_event data, compact JSON
inline constexpr int HarnessDetailMaxChars = 1000;
inline constexpr int HarnessVersionMaxChars = 100;
inline constexpr int ModelNameMaxChars = 100;

/// Why `model` is not a model name the agent CLI accepts (empty, too long, whitespace or control
/// characters), or nullopt when it is fine.
[[nodiscard]] std::optional<QString> modelNameProblem(const QString &model);

/// harness_attach: the calling connection becomes the agent's control connection (a newer attach
/// replaces the older one).
struct HarnessAttachParams {
    qint64 pid = 0;  ///< the harness's pid inside its container
    QString version; ///< the harness's version

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<HarnessAttachParams> fromJson(const QJsonObject &json);
    friend bool operator==(const HarnessAttachParams &, const HarnessAttachParams &) = default;
};

struct HarnessAttachResult {
    QString agent; ///< the agent the socket belongs to
    QString kind;  ///< "agent" or "manager"

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<HarnessAttachResult> fromJson(const QJsonObject &json);
    friend bool operator==(const HarnessAttachResult &, const HarnessAttachResult &) = default;
};

/// harness_state: what the harness does now.
struct HarnessStateParams {
    QString state;                  ///< see harnessstates
    std::optional<QString> detail;  ///< for a human, e.g. the API's error text
    std::optional<QDateTime> until; ///< when the state is expected to end (rate_limited: the retry)
    std::optional<QString> turn;    ///< the running turn's id (state "turn")

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<HarnessStateParams> fromJson(const QJsonObject &json);
    friend bool operator==(const HarnessStateParams &, const HarnessStateParams &) = default;
};

struct HarnessStateResult {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<HarnessStateResult> fromJson(const QJsonObject &json);
    friend bool operator==(const HarnessStateResult &, const HarnessStateResult &) = default;
};

/// turn_event: one step of a running turn, published as the agent_turn event (not stored beyond
/// the event history).
struct TurnEventParams {
    QString turn; ///< the harness's id of the turn
    QString kind; ///< see turneventkinds
    QJsonObject data;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TurnEventParams> fromJson(const QJsonObject &json);
    friend bool operator==(const TurnEventParams &, const TurnEventParams &) = default;
};

struct TurnEventResult {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<TurnEventResult> fromJson(const QJsonObject &json);
    friend bool operator==(const TurnEventResult &, const TurnEventResult &) = default;
};

/// AgentInfo.harness: the attached harness's last reported state (absent when none is attached).
struct HarnessStatus {
    QString state = QString::fromLatin1(harnessstates::Idle);
    std::optional<QString> detail;
    QDateTime since; ///< when the harness entered this state (the engine's clock)
    std::optional<QDateTime> until;
    std::optional<QString> turn;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<HarnessStatus> fromJson(const QJsonObject &json);
    friend bool operator==(const HarnessStatus &, const HarnessStatus &) = default;
};

/// agent_cancel_turn: asks the agent's harness to interrupt its running turn.
struct AgentCancelTurnParams {
    QString name;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AgentCancelTurnParams> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentCancelTurnParams &, const AgentCancelTurnParams &) = default;
};

struct AgentCancelTurnResult {
    bool cancelled = false; ///< the cancel_turn notification went to the harness

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AgentCancelTurnResult> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentCancelTurnResult &, const AgentCancelTurnResult &) = default;
};

/// agent_set_model: the operator's model override for one agent (null removes it). The result is
/// the AgentInfo as it is then.
struct AgentSetModelParams {
    QString name;
    std::optional<QString> model; ///< required on the wire; null = no override

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AgentSetModelParams> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentSetModelParams &, const AgentSetModelParams &) = default;
};

} // namespace hive::protocol
