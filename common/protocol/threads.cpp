// SPDX-License-Identifier: MIT
#include "threads.h"

#include "jsonlist.h"
#include "jsonreader.h"

namespace hive::protocol {

Result<OpenThreadsParams> OpenThreadsParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(OpenThreadsParams{});
}

QJsonObject OpenThreadsResult::toJson() const
{
    return {{QStringLiteral("asked"), toJsonArray(asked)},
            {QStringLiteral("to_answer"), toJsonArray(toAnswer)},
            {QStringLiteral("reminders"), toJsonArray(reminders)}};
}

Result<OpenThreadsResult> OpenThreadsResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    OpenThreadsResult p;
    readObjectList(r, "asked", p.asked);
    readObjectList(r, "to_answer", p.toAnswer);
    readObjectList(r, "reminders", p.reminders);
    return r.finish(std::move(p));
}

QJsonObject CancelThreadParams::toJson() const
{
    return {{QStringLiteral("kind"), kind}, {QStringLiteral("id"), id}};
}

Result<CancelThreadParams> CancelThreadParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    CancelThreadParams p;
    r.required("kind", p.kind);
    r.required("id", p.id);
    if (r.ok() && p.kind != QLatin1String("question") && p.kind != QLatin1String("reminder"))
        r.invalid("kind", QStringLiteral("must be 'question' or 'reminder', got '%1'").arg(p.kind));
    if (r.ok() && p.id <= 0)
        r.invalid("id", QStringLiteral("must be a positive id, got %1").arg(p.id));
    return r.finish(std::move(p));
}

QJsonObject CancelThreadResult::toJson() const
{
    return {{QStringLiteral("kind"), kind}, {QStringLiteral("id"), id}};
}

Result<CancelThreadResult> CancelThreadResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    CancelThreadResult p;
    r.required("kind", p.kind);
    r.required("id", p.id);
    return r.finish(std::move(p));
}

QJsonObject ThreadListParams::toJson() const
{
    return agent ? QJsonObject{{QStringLiteral("agent"), *agent}} : QJsonObject{};
}

Result<ThreadListParams> ThreadListParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ThreadListParams p;
    r.optional("agent", p.agent);
    if (r.ok() && p.agent && p.agent->isEmpty())
        r.invalid("agent", QStringLiteral("must not be empty; leave it out for every agent"));
    return r.finish(std::move(p));
}

QJsonObject ThreadListResult::toJson() const
{
    return {{QStringLiteral("questions"), toJsonArray(questions)},
            {QStringLiteral("reminders"), toJsonArray(reminders)}};
}

Result<ThreadListResult> ThreadListResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ThreadListResult p;
    readObjectList(r, "questions", p.questions);
    readObjectList(r, "reminders", p.reminders);
    return r.finish(std::move(p));
}

} // namespace hive::protocol
