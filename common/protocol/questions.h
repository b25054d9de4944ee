// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>

namespace hive::protocol {

/// The longest a question may stay open (6 h); also the default TTL.
inline constexpr int MaxQuestionTtlSeconds = 6 * 3600;
/// Caps of a question, its options and an answer (UTF-8 bytes / counts).
inline constexpr int MaxQuestionBytes = 16 * 1024;
inline constexpr int MaxAnswerBytes = 16 * 1024;
inline constexpr int MaxQuestionOptions = 32;
inline constexpr int MaxOptionBytes = 1024;
inline constexpr int QuestionListMaxLimit = 500;

/// `ask`: a question to the operator (default) or a peer. The id comes back at once; the
/// answer arrives later as a `question_answered` system message.
struct AskParams {
    QString question;
    QStringList options; ///< advisory: free text is always allowed
    bool multi = false;  ///< several options may be chosen; the answer joins them
    int ttlSeconds = MaxQuestionTtlSeconds;
    QString to = QStringLiteral("operator");

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AskParams> fromJson(const QJsonObject &json);
    friend bool operator==(const AskParams &, const AskParams &) = default;
};

struct AskResult {
    qint64 id = 0;
    QDateTime expiresAt;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AskResult> fromJson(const QJsonObject &json);
    friend bool operator==(const AskResult &, const AskResult &) = default;
};

/// `answer`: only the question's target may answer (the operator may answer any question).
struct AnswerParams {
    qint64 id = 0;
    QString answer;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AnswerParams> fromJson(const QJsonObject &json);
    friend bool operator==(const AnswerParams &, const AnswerParams &) = default;
};

struct AnswerResult {
    qint64 id = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AnswerResult> fromJson(const QJsonObject &json);
    friend bool operator==(const AnswerResult &, const AnswerResult &) = default;
};

/// A question as listed.
struct Question {
    qint64 id = 0;
    QString asker;
    QString target;
    QString question;
    QStringList options;
    bool multi = false;
    QDateTime askedAt;
    QDateTime expiresAt;
    QString state; ///< open, answered, expired, cancelled
    std::optional<QString> answer;
    std::optional<QString> answeredBy;
    std::optional<QDateTime> answeredAt; ///< when it stopped being open

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<Question> fromJson(const QJsonObject &json);
    friend bool operator==(const Question &, const Question &) = default;
};

/// The states a question list may filter on ("all" lists every state).
[[nodiscard]] bool isQuestionState(const QString &state);

/// `question_list` (operator): newest first, open ones by default.
struct QuestionListParams {
    std::optional<QString> agent;           ///< asked by or of this agent
    QString state = QStringLiteral("open"); ///< open, answered, expired, cancelled or all
    int limit = 50;                         ///< 1..500
    std::optional<qint64> beforeId;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<QuestionListParams> fromJson(const QJsonObject &json);
    friend bool operator==(const QuestionListParams &, const QuestionListParams &) = default;
};

struct QuestionListResult {
    QList<Question> questions;
    bool hasMore = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<QuestionListResult> fromJson(const QJsonObject &json);
    friend bool operator==(const QuestionListResult &, const QuestionListResult &) = default;
};

/// `question_answer` (operator): answers any open question, a peer's included. Returns the
/// question as resolved.
struct QuestionAnswerParams {
    qint64 id = 0;
    QString answer;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<QuestionAnswerParams> fromJson(const QJsonObject &json);
    friend bool operator==(const QuestionAnswerParams &, const QuestionAnswerParams &) = default;
};

/// `question_cancel` (operator): withdraws an open question; the asker is told.
struct QuestionCancelParams {
    qint64 id = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<QuestionCancelParams> fromJson(const QJsonObject &json);
    friend bool operator==(const QuestionCancelParams &, const QuestionCancelParams &) = default;
};

} // namespace hive::protocol
