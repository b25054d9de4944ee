// SPDX-License-Identifier: MIT
#include "messages.h"

#include "jsonlist.h"
#include "jsonreader.h"

#include <cmath>

namespace hive::protocol {

namespace {

// Reads the "messages" array of recv and recent; an empty list when the field itself is bad (r says why).
Result<QList<Message>> readMessages(JsonReader &r)
{
    QJsonArray array;
    r.required("messages", array);
    if (!r.ok())
        return QList<Message>{};
    return fromJsonArray<Message>(array, QStringLiteral("messages"));
}

// A JSON number that is a whole, exactly representable integer (as JsonReader accepts for qint64).
std::optional<qint64> exactInteger(const QJsonValue &value)
{
    constexpr double Limit = 9007199254740992.0; // 2^53
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    if (std::trunc(d) != d || std::fabs(d) > Limit)
        return std::nullopt;
    return static_cast<qint64>(d);
}

} // namespace

QJsonObject Message::toJson() const
{
    QJsonObject json{{QStringLiteral("id"), id},
                     {QStringLiteral("from"), from},
                     {QStringLiteral("to"), to},
                     {QStringLiteral("body"), body},
                     {QStringLiteral("sent_at"), toWireTime(sentAt)},
                     {QStringLiteral("broadcast"), broadcast},
                     {QStringLiteral("redelivered"), redelivered}};
    json.insert(QStringLiteral("in_reply_to"), inReplyTo ? QJsonValue(*inReplyTo) : QJsonValue());
    return json;
}

Result<Message> Message::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    Message p;
    r.required("id", p.id);
    r.required("from", p.from);
    r.required("to", p.to);
    r.required("body", p.body);
    r.required("sent_at", p.sentAt);
    r.optional("in_reply_to", p.inReplyTo);
    r.required("broadcast", p.broadcast);
    r.required("redelivered", p.redelivered);
    return r.finish(std::move(p));
}

QJsonObject SendParams::toJson() const
{
    QJsonObject json{{QStringLiteral("to"), to}, {QStringLiteral("body"), body}};
    if (inReplyTo)
        json.insert(QStringLiteral("in_reply_to"), *inReplyTo);
    return json;
}

Result<SendParams> SendParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    SendParams p;
    r.required("to", p.to);
    r.required("body", p.body);
    r.optional("in_reply_to", p.inReplyTo);
    // Recipient names and the body cap are the broker's to judge; here only the shape.
    if (r.ok() && p.to.isEmpty())
        r.invalid("to", QStringLiteral("must not be empty"));
    r.checkPositiveId("in_reply_to", p.inReplyTo, "message");
    return r.finish(std::move(p));
}

QJsonObject SendResult::toJson() const
{
    return {{QStringLiteral("id"), id}, {QStringLiteral("recipients"), recipients}};
}

Result<SendResult> SendResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    SendResult p;
    r.required("id", p.id);
    r.required("recipients", p.recipients);
    return r.finish(p);
}

QJsonObject RecvParams::toJson() const
{
    QJsonObject json{{QStringLiteral("max"), max}};
    if (waitSeconds)
        json.insert(QStringLiteral("wait_seconds"), *waitSeconds);
    return json;
}

Result<RecvParams> RecvParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RecvParams p;
    r.optional("wait_seconds", p.waitSeconds);
    r.optional("max", p.max);
    // An over-long wait is refused rather than clamped, so that a caller never believes it waited
    // longer than it did.
    if (r.ok() && p.waitSeconds && *p.waitSeconds < 0)
        r.invalid("wait_seconds", QStringLiteral("must not be negative, got %1").arg(*p.waitSeconds));
    if (r.ok() && p.waitSeconds && *p.waitSeconds > RecvMaxWaitSeconds)
        r.invalid("wait_seconds", QStringLiteral("must be at most %1 (the long-poll cap), got %2")
                                      .arg(RecvMaxWaitSeconds)
                                      .arg(*p.waitSeconds));
    r.checkRange("max", p.max, 1, RecvMaxMessages);
    return r.finish(p);
}

QJsonObject RecvResult::toJson() const
{
    return {{QStringLiteral("messages"), toJsonArray(messages)}, {QStringLiteral("pending"), pending}};
}

Result<RecvResult> RecvResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RecvResult p;
    auto messages = readMessages(r);
    r.required("pending", p.pending);
    if (!r.ok())
        return r.finish(std::move(p));
    if (!messages)
        return fail(messages.error());
    p.messages = std::move(*messages);
    return r.finish(std::move(p));
}

QJsonObject AckParams::toJson() const
{
    QJsonArray array;
    for (const qint64 id : ids)
        array.append(id);
    return {{QStringLiteral("ids"), array}};
}

Result<AckParams> AckParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AckParams p;
    QJsonArray array;
    r.required("ids", array);
    if (r.ok() && (array.isEmpty() || array.size() > AckMaxIds))
        r.invalid("ids", QStringLiteral("must hold between 1 and %1 ids, got %2").arg(AckMaxIds).arg(array.size()));
    if (r.ok()) {
        p.ids.reserve(array.size());
        for (qsizetype i = 0; i < array.size(); ++i) {
            const std::optional<qint64> id = exactInteger(array.at(i));
            if (!id || *id <= 0) {
                r.invalid("ids", QStringLiteral("ids[%1] must be a positive integer message id").arg(i));
                break;
            }
            p.ids.append(*id);
        }
    }
    return r.finish(std::move(p));
}

QJsonObject AckResult::toJson() const
{
    return {{QStringLiteral("acked"), acked}};
}

Result<AckResult> AckResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AckResult p;
    r.required("acked", p.acked);
    return r.finish(p);
}

Result<RequeueInflightParams> RequeueInflightParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(RequeueInflightParams{});
}

QJsonObject RequeueInflightResult::toJson() const
{
    return {{QStringLiteral("requeued"), requeued}};
}

Result<RequeueInflightResult> RequeueInflightResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RequeueInflightResult p;
    r.required("requeued", p.requeued);
    return r.finish(p);
}

Result<StatusParams> StatusParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(StatusParams{});
}

QJsonObject StatusResult::toJson() const
{
    return {{QStringLiteral("unread"), unread}, {QStringLiteral("inflight"), inflight}};
}

Result<StatusResult> StatusResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    StatusResult p;
    r.required("unread", p.unread);
    r.required("inflight", p.inflight);
    return r.finish(p);
}

QJsonObject RecentParams::toJson() const
{
    return {{QStringLiteral("limit"), limit}};
}

Result<RecentParams> RecentParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RecentParams p;
    r.optional("limit", p.limit);
    r.checkRange("limit", p.limit, 1, RecentMaxLimit);
    return r.finish(p);
}

QJsonObject RecentResult::toJson() const
{
    return {{QStringLiteral("messages"), toJsonArray(messages)}};
}

Result<RecentResult> RecentResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RecentResult p;
    auto messages = readMessages(r);
    if (!r.ok())
        return r.finish(std::move(p));
    if (!messages)
        return fail(messages.error());
    p.messages = std::move(*messages);
    return r.finish(std::move(p));
}

Result<WhoamiParams> WhoamiParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(WhoamiParams{});
}

QJsonObject WhoamiResult::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("role"), role},
            {QStringLiteral("engine_version"), engineVersion}};
}

Result<WhoamiResult> WhoamiResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    WhoamiResult p;
    r.required("name", p.name);
    r.required("role", p.role);
    r.required("engine_version", p.engineVersion);
    return r.finish(std::move(p));
}

} // namespace hive::protocol
