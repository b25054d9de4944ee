// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace hive::protocol {

/// The longest a question may stay open (6 h); also the default TTL.
inline constexpr int MaxQuestionTtlSeconds = 6 * 3600;

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

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<Question> fromJson(const QJsonObject &json);
    friend bool operator==(const Question &, const Question &) = default;
};

} // namespace hive::protocol
