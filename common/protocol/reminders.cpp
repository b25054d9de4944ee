// SPDX-License-Identifier: MIT
#include "reminders.h"

#include "jsonlist.h"
#include "jsonreader.h"

#include <QRegularExpression>

namespace hive::protocol {

namespace {

QJsonValue optionalTime(const std::optional<QDateTime> &time)
{
    return time ? QJsonValue(toWireTime(*time)) : QJsonValue();
}

void readId(JsonReader &r, qint64 &id)
{
    r.required("id", id);
    r.checkPositiveId("id", id, "reminder");
}

} // namespace

bool isReminderState(const QString &state)
{
    return state == QLatin1String("pending") || state == QLatin1String("delivered") ||
           state == QLatin1String("failed") || state == QLatin1String("cancelled");
}

QJsonObject RemindParams::toJson() const
{
    QJsonObject json{{QStringLiteral("message"), message}};
    if (delaySeconds)
        json.insert(QStringLiteral("delay_seconds"), *delaySeconds);
    if (at)
        json.insert(QStringLiteral("at"), toWireTime(*at));
    return json;
}

Result<RemindParams> RemindParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RemindParams p;
    std::optional<QString> at;
    r.required("message", p.message);
    r.optional("delay_seconds", p.delaySeconds);
    r.optional("at", at);
    if (r.ok() && p.message.trimmed().isEmpty())
        r.invalid("message", QStringLiteral("must not be empty"));
    if (r.ok() && p.message.toUtf8().size() > ReminderMaxBytes) {
        r.invalid("message", QStringLiteral("%1 bytes exceed the limit of %2 bytes")
                                 .arg(p.message.toUtf8().size())
                                 .arg(ReminderMaxBytes));
    }
    if (r.ok() && p.delaySeconds.has_value() == at.has_value())
        r.invalid("delay_seconds", QStringLiteral("give exactly one of 'delay_seconds' and 'at'"));
    if (r.ok() && p.delaySeconds && (*p.delaySeconds < 1 || *p.delaySeconds > ReminderMaxDelaySeconds)) {
        r.invalid("delay_seconds", QStringLiteral("must be between 1 and %1 (30 days), got %2")
                                       .arg(ReminderMaxDelaySeconds)
                                       .arg(*p.delaySeconds));
    }
    if (r.ok() && at) {
        // A time without a zone would be read in the engine's local time: refuse the guess.
        static const QRegularExpression zoned(QStringLiteral("(Z|[+-]\\d\\d(:?\\d\\d)?)$"));
        const QDateTime time = QDateTime::fromString(*at, Qt::ISODateWithMs);
        if (!time.isValid() || !zoned.match(*at).hasMatch()) {
            r.invalid("at", QStringLiteral("must be an ISO 8601 time with a zone, e.g. 2026-01-31T09:00:00Z, got "
                                           "'%1'")
                                .arg(*at));
        } else {
            p.at = time.toUTC();
        }
    }
    return r.finish(std::move(p));
}

QJsonObject RemindResult::toJson() const
{
    return {{QStringLiteral("id"), id}, {QStringLiteral("due_at"), toWireTime(dueAt)}};
}

Result<RemindResult> RemindResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RemindResult p;
    r.required("id", p.id);
    r.required("due_at", p.dueAt);
    return r.finish(std::move(p));
}

QJsonObject Reminder::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("agent"), agent},
            {QStringLiteral("message"), message},
            {QStringLiteral("created_at"), toWireTime(createdAt)},
            {QStringLiteral("due_at"), toWireTime(dueAt)},
            {QStringLiteral("state"), state},
            {QStringLiteral("attempts"), attempts},
            {QStringLiteral("last_error"), lastError ? QJsonValue(*lastError) : QJsonValue()},
            {QStringLiteral("next_attempt_at"), optionalTime(nextAttemptAt)},
            {QStringLiteral("delivered_at"), optionalTime(deliveredAt)},
            {QStringLiteral("message_id"), messageId ? QJsonValue(*messageId) : QJsonValue()},
            {QStringLiteral("cancelled_by"), cancelledBy ? QJsonValue(*cancelledBy) : QJsonValue()}};
}

Result<Reminder> Reminder::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    Reminder p;
    r.required("id", p.id);
    r.required("agent", p.agent);
    r.required("message", p.message);
    r.required("created_at", p.createdAt);
    r.required("due_at", p.dueAt);
    r.required("state", p.state);
    r.required("attempts", p.attempts);
    r.optional("last_error", p.lastError);
    r.optional("next_attempt_at", p.nextAttemptAt);
    r.optional("delivered_at", p.deliveredAt);
    r.optional("message_id", p.messageId);
    r.optional("cancelled_by", p.cancelledBy);
    return r.finish(std::move(p));
}

QJsonObject ReminderListParams::toJson() const
{
    QJsonObject json{{QStringLiteral("limit"), limit}};
    if (agent)
        json.insert(QStringLiteral("agent"), *agent);
    if (state)
        json.insert(QStringLiteral("state"), *state);
    if (beforeId)
        json.insert(QStringLiteral("before_id"), *beforeId);
    return json;
}

Result<ReminderListParams> ReminderListParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ReminderListParams p;
    r.optional("agent", p.agent);
    r.optional("state", p.state);
    r.optional("limit", p.limit);
    r.optional("before_id", p.beforeId);
    if (r.ok() && p.agent && p.agent->isEmpty())
        r.invalid("agent", QStringLiteral("must not be empty; leave it out for every agent"));
    if (r.ok() && p.state == QLatin1String("all"))
        p.state.reset(); // the same as leaving it out, as question_list spells it
    if (r.ok() && p.state && !isReminderState(*p.state)) {
        r.invalid("state",
                  QStringLiteral("must be pending, delivered, failed, cancelled or all, got '%1'").arg(*p.state));
    }
    r.checkRange("limit", p.limit, 1, ReminderListMaxLimit);
    r.checkPositiveId("before_id", p.beforeId, "reminder");
    return r.finish(std::move(p));
}

QJsonObject ReminderListResult::toJson() const
{
    return {{QStringLiteral("reminders"), toJsonArray(reminders)}, {QStringLiteral("has_more"), hasMore}};
}

Result<ReminderListResult> ReminderListResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ReminderListResult p;
    readObjectList(r, "reminders", p.reminders);
    r.required("has_more", p.hasMore);
    return r.finish(std::move(p));
}

QJsonObject ReminderRetryParams::toJson() const
{
    return {{QStringLiteral("id"), id}};
}

Result<ReminderRetryParams> ReminderRetryParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ReminderRetryParams p;
    readId(r, p.id);
    return r.finish(p);
}

QJsonObject ReminderCancelParams::toJson() const
{
    return {{QStringLiteral("id"), id}};
}

Result<ReminderCancelParams> ReminderCancelParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ReminderCancelParams p;
    readId(r, p.id);
    return r.finish(p);
}

} // namespace hive::protocol
