// SPDX-License-Identifier: MIT
#include "questions.h"

#include "jsonreader.h"

namespace hive::protocol {

QJsonObject AskParams::toJson() const
{
    return {{QStringLiteral("question"), question},
            {QStringLiteral("options"), QJsonArray::fromStringList(options)},
            {QStringLiteral("multi"), multi},
            {QStringLiteral("ttl_seconds"), ttlSeconds},
            {QStringLiteral("to"), to}};
}

Result<AskParams> AskParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AskParams p;
    r.required("question", p.question);
    r.optional("options", p.options);
    r.optional("multi", p.multi);
    r.optional("ttl_seconds", p.ttlSeconds);
    r.optional("to", p.to);
    if (r.ok() && p.question.trimmed().isEmpty())
        r.invalid("question", QStringLiteral("must not be empty"));
    if (r.ok() && (p.ttlSeconds < 1 || p.ttlSeconds > MaxQuestionTtlSeconds))
        r.invalid(
            "ttl_seconds",
            QStringLiteral("must be between 1 and %1 (6 h), got %2").arg(MaxQuestionTtlSeconds).arg(p.ttlSeconds));
    if (r.ok() && p.options.size() > 32)
        r.invalid("options", QStringLiteral("at most 32 options, got %1").arg(p.options.size()));
    if (r.ok() && p.to.isEmpty())
        r.invalid("to", QStringLiteral("must not be empty"));
    return r.finish(std::move(p));
}

QJsonObject AskResult::toJson() const
{
    return {{QStringLiteral("id"), id}, {QStringLiteral("expires_at"), toWireTime(expiresAt)}};
}

Result<AskResult> AskResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AskResult p;
    r.required("id", p.id);
    r.required("expires_at", p.expiresAt);
    return r.finish(std::move(p));
}

QJsonObject AnswerParams::toJson() const
{
    return {{QStringLiteral("id"), id}, {QStringLiteral("answer"), answer}};
}

Result<AnswerParams> AnswerParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AnswerParams p;
    r.required("id", p.id);
    r.required("answer", p.answer);
    if (r.ok() && p.id <= 0)
        r.invalid("id", QStringLiteral("must be a positive question id"));
    if (r.ok() && p.answer.isEmpty())
        r.invalid("answer", QStringLiteral("must not be empty"));
    return r.finish(std::move(p));
}

QJsonObject AnswerResult::toJson() const
{
    return {{QStringLiteral("id"), id}};
}

Result<AnswerResult> AnswerResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AnswerResult p;
    r.required("id", p.id);
    return r.finish(p);
}

QJsonObject Question::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("asker"), asker},
            {QStringLiteral("target"), target},
            {QStringLiteral("question"), question},
            {QStringLiteral("options"), QJsonArray::fromStringList(options)},
            {QStringLiteral("multi"), multi},
            {QStringLiteral("asked_at"), toWireTime(askedAt)},
            {QStringLiteral("expires_at"), toWireTime(expiresAt)},
            {QStringLiteral("state"), state},
            {QStringLiteral("answer"), answer ? QJsonValue(*answer) : QJsonValue()},
            {QStringLiteral("answered_by"), answeredBy ? QJsonValue(*answeredBy) : QJsonValue()}};
}

Result<Question> Question::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    Question p;
    r.required("id", p.id);
    r.required("asker", p.asker);
    r.required("target", p.target);
    r.required("question", p.question);
    r.required("options", p.options);
    r.required("multi", p.multi);
    r.required("asked_at", p.askedAt);
    r.required("expires_at", p.expiresAt);
    r.required("state", p.state);
    r.optional("answer", p.answer);
    r.optional("answered_by", p.answeredBy);
    return r.finish(std::move(p));
}

} // namespace hive::protocol
