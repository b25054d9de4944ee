// SPDX-License-Identifier: MIT
#include "events.h"

#include "jsonreader.h"

namespace hive::protocol {

QJsonObject Event::toJson() const
{
    return {{QStringLiteral("seq"), seq},
            {QStringLiteral("ts"), toWireTime(ts)},
            {QStringLiteral("kind"), kind},
            {QStringLiteral("data"), data}};
}

Result<Event> Event::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    Event p;
    r.required("seq", p.seq);
    r.required("ts", p.ts);
    r.required("kind", p.kind);
    r.required("data", p.data);
    return r.finish(std::move(p));
}

QJsonObject EventsSubscribeParams::toJson() const
{
    QJsonObject json;
    if (sinceSeq)
        json.insert(QStringLiteral("since_seq"), *sinceSeq);
    return json;
}

Result<EventsSubscribeParams> EventsSubscribeParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    EventsSubscribeParams p;
    r.optional("since_seq", p.sinceSeq);
    if (r.ok() && p.sinceSeq && *p.sinceSeq < 0)
        r.invalid("since_seq", QStringLiteral("must not be negative"));
    return r.finish(p);
}

QJsonObject EventsSubscribeResult::toJson() const
{
    return {{QStringLiteral("latest_seq"), latestSeq},
            {QStringLiteral("oldest_seq"), oldestSeq},
            {QStringLiteral("replayed"), replayed}};
}

Result<EventsSubscribeResult> EventsSubscribeResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    EventsSubscribeResult p;
    r.required("latest_seq", p.latestSeq);
    r.required("oldest_seq", p.oldestSeq);
    r.required("replayed", p.replayed);
    return r.finish(p);
}

Result<EventsUnsubscribeParams> EventsUnsubscribeParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(EventsUnsubscribeParams{});
}

QJsonObject EventsUnsubscribeResult::toJson() const
{
    return {{QStringLiteral("was_subscribed"), wasSubscribed}};
}

Result<EventsUnsubscribeResult> EventsUnsubscribeResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    EventsUnsubscribeResult p;
    r.required("was_subscribed", p.wasSubscribed);
    return r.finish(p);
}

} // namespace hive::protocol
