// SPDX-License-Identifier: MIT
#pragma once

#include "questions.h"
#include "reminders.h"
#include "result.h"

#include <QJsonObject>
#include <QList>

#include <optional>

namespace hive::protocol {

/// `get_open_threads`: what an agent is still waiting on or owes.
struct OpenThreadsParams {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<OpenThreadsParams> fromJson(const QJsonObject &json);
    friend bool operator==(const OpenThreadsParams &, const OpenThreadsParams &) = default;
};

struct OpenThreadsResult {
    QList<Question> asked;     ///< open questions this agent asked, awaiting an answer
    QList<Question> toAnswer;  ///< open questions put to this agent
    QList<Reminder> reminders; ///< this agent's pending reminders, and failed ones (not delivered)

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<OpenThreadsResult> fromJson(const QJsonObject &json);
    friend bool operator==(const OpenThreadsResult &, const OpenThreadsResult &) = default;
};

/// `cancel_thread`: the asker withdraws a question, or an agent cancels its own reminder.
struct CancelThreadParams {
    QString kind; ///< "question" or "reminder"
    qint64 id = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<CancelThreadParams> fromJson(const QJsonObject &json);
    friend bool operator==(const CancelThreadParams &, const CancelThreadParams &) = default;
};

struct CancelThreadResult {
    QString kind;
    qint64 id = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<CancelThreadResult> fromJson(const QJsonObject &json);
    friend bool operator==(const CancelThreadResult &, const CancelThreadResult &) = default;
};

/// `thread_list` (operator): open questions and reminders still pending or failed, of one agent
/// or of all.
struct ThreadListParams {
    std::optional<QString> agent;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ThreadListParams> fromJson(const QJsonObject &json);
    friend bool operator==(const ThreadListParams &, const ThreadListParams &) = default;
};

struct ThreadListResult {
    QList<Question> questions; ///< open, oldest first
    QList<Reminder> reminders; ///< pending or failed, soonest first

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ThreadListResult> fromJson(const QJsonObject &json);
    friend bool operator==(const ThreadListResult &, const ThreadListResult &) = default;
};

} // namespace hive::protocol
