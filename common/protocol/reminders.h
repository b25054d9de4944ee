// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>

#include <optional>

namespace hive::protocol {

/// Caps of reminders; the errors for values past them name the cap.
inline constexpr qint64 ReminderMaxDelaySeconds = 30LL * 24 * 3600; ///< 30 days ahead at most
inline constexpr int ReminderMaxBytes = 16 * 1024;                  ///< the message, UTF-8
inline constexpr int ReminderMaxPending = 100;                      ///< pending reminders per agent
inline constexpr int ReminderMaxAttempts = 5;                       ///< delivery attempts before `failed`
inline constexpr int ReminderListMaxLimit = 500;

/// `remind`: a message to oneself, delivered by `system` when due. Exactly one of
/// `delay_seconds` and `at` (an ISO 8601 time with a zone).
struct RemindParams {
    QString message;
    std::optional<qint64> delaySeconds;
    std::optional<QDateTime> at;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RemindParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RemindParams &, const RemindParams &) = default;
};

struct RemindResult {
    qint64 id = 0;
    QDateTime dueAt;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RemindResult> fromJson(const QJsonObject &json);
    friend bool operator==(const RemindResult &, const RemindResult &) = default;
};

/// A reminder as listed. state: pending -> delivered, or -> failed after the last attempt, or
/// -> cancelled; the operator's retry puts a failed (or pending) one back to pending.
struct Reminder {
    qint64 id = 0;
    QString agent;
    QString message;
    QDateTime createdAt;
    QDateTime dueAt;
    QString state;
    int attempts = 0;
    std::optional<QString> lastError;
    std::optional<QDateTime> nextAttemptAt; ///< while pending
    std::optional<QDateTime> deliveredAt;
    std::optional<qint64> messageId;    ///< the system message that delivered it
    std::optional<QString> cancelledBy; ///< the agent itself or "operator"

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<Reminder> fromJson(const QJsonObject &json);
    friend bool operator==(const Reminder &, const Reminder &) = default;
};

/// The states a reminder list may filter on.
[[nodiscard]] bool isReminderState(const QString &state);

struct ReminderListParams {
    std::optional<QString> agent;
    std::optional<QString> state; ///< pending, delivered, failed, cancelled; absent (or "all"): all
    int limit = 50;               ///< 1..500
    std::optional<qint64> beforeId;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ReminderListParams> fromJson(const QJsonObject &json);
    friend bool operator==(const ReminderListParams &, const ReminderListParams &) = default;
};

struct ReminderListResult {
    QList<Reminder> reminders; ///< newest first
    bool hasMore = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ReminderListResult> fromJson(const QJsonObject &json);
    friend bool operator==(const ReminderListResult &, const ReminderListResult &) = default;
};

/// `reminder_retry`: a failed (or pending) reminder is due again now, with a fresh set of attempts.
struct ReminderRetryParams {
    qint64 id = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ReminderRetryParams> fromJson(const QJsonObject &json);
    friend bool operator==(const ReminderRetryParams &, const ReminderRetryParams &) = default;
};

struct ReminderCancelParams {
    qint64 id = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ReminderCancelParams> fromJson(const QJsonObject &json);
    friend bool operator==(const ReminderCancelParams &, const ReminderCancelParams &) = default;
};

} // namespace hive::protocol
