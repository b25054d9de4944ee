// SPDX-License-Identifier: MIT
#include "questions.h"

#include "jsonlist.h"
#include "jsonreader.h"

namespace hive::protocol {

namespace {

void checkBytes(JsonReader &r, const char *key, const QString &text, int cap)
{
    const qsizetype bytes = text.toUtf8().size();
    if (r.ok() && bytes > cap)
        r.invalid(key, QStringLiteral("%1 bytes exceed the limit of %2 bytes").arg(bytes).arg(cap));
}

void readQuestionId(JsonReader &r, qint64 &id)
{
    r.required("id", id);
    r.checkPositiveId("id", id, "question");
}

void readAnswer(JsonReader &r, QString &answer)
{
    r.required("answer", answer);
    if (r.ok() && answer.trimmed().isEmpty())
        r.invalid("answer", QStringLiteral("must not be empty"));
    checkBytes(r, "answer", answer, MaxAnswerBytes);
}

} // namespace

bool isQuestionState(const QString &state)
{
    return state == QLatin1String("open") || state == QLatin1String("answered") || state == QLatin1String("expired") ||
           state == QLatin1String("cancelled");
}

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
    checkBytes(r, "question", p.question, MaxQuestionBytes);
    if (r.ok() && p.options.size() > MaxQuestionOptions)
        r.invalid("options",
                  QStringLiteral("at most %1 options, got %2").arg(MaxQuestionOptions).arg(p.options.size()));
    for (qsizetype i = 0; r.ok() && i < p.options.size(); ++i) {
        if (p.options.at(i).trimmed().isEmpty())
            r.invalid("options", QStringLiteral("option %1 is empty").arg(i));
        else if (p.options.at(i).toUtf8().size() > MaxOptionBytes)
            r.invalid("options", QStringLiteral("option %1 exceeds %2 bytes").arg(i).arg(MaxOptionBytes));
    }
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
    readQuestionId(r, p.id);
    readAnswer(r, p.answer);
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
            {QStringLiteral("answered_by"), answeredBy ? QJsonValue(*answeredBy) : QJsonValue()},
            {QStringLiteral("answered_at"), answeredAt ? QJsonValue(toWireTime(*answeredAt)) : QJsonValue()}};
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
    r.optional("answered_at", p.answeredAt);
    return r.finish(std::move(p));
}

QJsonObject QuestionListParams::toJson() const
{
    QJsonObject json{{QStringLiteral("state"), state}, {QStringLiteral("limit"), limit}};
    if (agent)
        json.insert(QStringLiteral("agent"), *agent);
    if (beforeId)
        json.insert(QStringLiteral("before_id"), *beforeId);
    return json;
}

Result<QuestionListParams> QuestionListParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    QuestionListParams p;
    r.optional("agent", p.agent);
    r.optional("state", p.state);
    r.optional("limit", p.limit);
    r.optional("before_id", p.beforeId);
    if (r.ok() && p.agent && p.agent->isEmpty())
        r.invalid("agent", QStringLiteral("must not be empty; leave it out for every agent"));
    if (r.ok() && !isQuestionState(p.state) && p.state != QLatin1String("all")) {
        r.invalid("state", QStringLiteral("must be open, answered, expired, cancelled or all, got '%1'").arg(p.state));
    }
    r.checkRange("limit", p.limit, 1, QuestionListMaxLimit);
    r.checkPositiveId("before_id", p.beforeId, "question");
    return r.finish(std::move(p));
}

QJsonObject QuestionListResult::toJson() const
{
    return {{QStringLiteral("questions"), toJsonArray(questions)}, {QStringLiteral("has_more"), hasMore}};
}

Result<QuestionListResult> QuestionListResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    QuestionListResult p;
    readObjectList(r, "questions", p.questions);
    r.required("has_more", p.hasMore);
    return r.finish(std::move(p));
}

QJsonObject QuestionAnswerParams::toJson() const
{
    return {{QStringLiteral("id"), id}, {QStringLiteral("answer"), answer}};
}

Result<QuestionAnswerParams> QuestionAnswerParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    QuestionAnswerParams p;
    readQuestionId(r, p.id);
    readAnswer(r, p.answer);
    return r.finish(std::move(p));
}

QJsonObject QuestionCancelParams::toJson() const
{
    return {{QStringLiteral("id"), id}};
}

Result<QuestionCancelParams> QuestionCancelParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    QuestionCancelParams p;
    readQuestionId(r, p.id);
    return r.finish(p);
}

} // namespace hive::protocol
