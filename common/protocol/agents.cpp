// SPDX-License-Identifier: MIT
#include "agents.h"

#include "jsonlist.h"
#include "jsonreader.h"

#include <QJsonArray>

namespace hive::protocol {

QJsonObject AgentInfo::toJson() const
{
    QJsonObject json{{QStringLiteral("name"), name},
                     {QStringLiteral("kind"), kind},
                     {QStringLiteral("allowed_recipients"), QJsonArray::fromStringList(allowedRecipients)},
                     {QStringLiteral("created_at"), toWireTime(createdAt)},
                     {QStringLiteral("unread"), unread},
                     {QStringLiteral("inflight"), inflight},
                     {QStringLiteral("state"), state}};
    if (container)
        json.insert(QStringLiteral("container"), container->toJson());
    if (harness)
        json.insert(QStringLiteral("harness"), harness->toJson());
    if (modelOverride)
        json.insert(QStringLiteral("model_override"), *modelOverride);
    return json;
}

Result<AgentInfo> AgentInfo::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AgentInfo p;
    r.required("name", p.name);
    r.required("kind", p.kind);
    r.required("allowed_recipients", p.allowedRecipients);
    r.required("created_at", p.createdAt);
    r.required("unread", p.unread);
    r.required("inflight", p.inflight);
    r.optional("state", p.state); // engines before 1.3.0 only had external agents
    std::optional<QJsonObject> container;
    r.optional("container", container);
    if (container && r.ok()) {
        auto info = ContainerInfo::fromJson(*container);
        if (!info)
            return fail(info.error().wrapped(QStringLiteral("container")));
        p.container = std::move(*info);
    }
    std::optional<QJsonObject> harness;
    r.optional("harness", harness);
    if (harness && r.ok()) {
        auto status = HarnessStatus::fromJson(*harness);
        if (!status)
            return fail(status.error().wrapped(QStringLiteral("harness")));
        p.harness = std::move(*status);
    }
    r.optional("model_override", p.modelOverride);
    return r.finish(std::move(p));
}

QJsonObject AgentAddParams::toJson() const
{
    return {{QStringLiteral("name"), name}};
}

Result<AgentAddParams> AgentAddParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AgentAddParams p;
    // The name rules are the registry's (one place, the same message everywhere).
    r.required("name", p.name);
    return r.finish(std::move(p));
}

QJsonObject AgentAddResult::toJson() const
{
    return {{QStringLiteral("agent"), agent.toJson()}, {QStringLiteral("socket_path"), socketPath}};
}

Result<AgentAddResult> AgentAddResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AgentAddResult p;
    QJsonObject agent;
    r.required("agent", agent);
    r.required("socket_path", p.socketPath);
    if (!r.ok())
        return r.finish(std::move(p));
    auto info = AgentInfo::fromJson(agent);
    if (!info)
        return fail(info.error().wrapped(QStringLiteral("agent")));
    p.agent = std::move(*info);
    return r.finish(std::move(p));
}

Result<AgentListParams> AgentListParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(AgentListParams{});
}

QJsonObject AgentListResult::toJson() const
{
    return {{QStringLiteral("agents"), toJsonArray(agents)}};
}

Result<AgentListResult> AgentListResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    QJsonArray array;
    r.required("agents", array);
    AgentListResult p;
    if (!r.ok())
        return r.finish(std::move(p));
    auto agents = fromJsonArray<AgentInfo>(array, QStringLiteral("agents"));
    if (!agents)
        return fail(agents.error());
    p.agents = std::move(*agents);
    return r.finish(std::move(p));
}

QJsonObject AgentSetRecipientsParams::toJson() const
{
    return {{QStringLiteral("name"), name}, {QStringLiteral("recipients"), QJsonArray::fromStringList(recipients)}};
}

Result<AgentSetRecipientsParams> AgentSetRecipientsParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AgentSetRecipientsParams p;
    r.required("name", p.name);
    // Required even when empty, so that lifting the restriction is said, not implied.
    r.required("recipients", p.recipients);
    return r.finish(std::move(p));
}

QJsonObject AgentSetRecipientsResult::toJson() const
{
    return {{QStringLiteral("agent"), agent.toJson()}};
}

Result<AgentSetRecipientsResult> AgentSetRecipientsResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AgentSetRecipientsResult p;
    QJsonObject agent;
    r.required("agent", agent);
    if (!r.ok())
        return r.finish(std::move(p));
    auto info = AgentInfo::fromJson(agent);
    if (!info)
        return fail(info.error().wrapped(QStringLiteral("agent")));
    p.agent = std::move(*info);
    return r.finish(std::move(p));
}

QJsonObject MessageSendParams::toJson() const
{
    QJsonObject json{{QStringLiteral("to"), to}, {QStringLiteral("body"), body}};
    if (inReplyTo)
        json.insert(QStringLiteral("in_reply_to"), *inReplyTo);
    return json;
}

Result<MessageSendParams> MessageSendParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    MessageSendParams p;
    r.required("to", p.to);
    r.required("body", p.body);
    r.optional("in_reply_to", p.inReplyTo);
    // As for the agents' send: recipients and the body cap are the broker's to judge.
    if (r.ok() && p.to.isEmpty())
        r.invalid("to", QStringLiteral("must not be empty"));
    r.checkPositiveId("in_reply_to", p.inReplyTo, "message");
    return r.finish(std::move(p));
}

QJsonObject MessageListParams::toJson() const
{
    QJsonObject json{{QStringLiteral("limit"), limit}};
    if (agent)
        json.insert(QStringLiteral("agent"), *agent);
    if (beforeId)
        json.insert(QStringLiteral("before_id"), *beforeId);
    return json;
}

Result<MessageListParams> MessageListParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    MessageListParams p;
    r.optional("agent", p.agent);
    r.optional("limit", p.limit);
    r.optional("before_id", p.beforeId);
    if (r.ok() && p.agent && p.agent->isEmpty())
        r.invalid("agent", QStringLiteral("must not be empty; leave it out for the operator's inbox"));
    r.checkRange("limit", p.limit, 1, MessageListMaxLimit);
    r.checkPositiveId("before_id", p.beforeId, "message");
    return r.finish(std::move(p));
}

QJsonObject MessageListResult::toJson() const
{
    return {{QStringLiteral("messages"), toJsonArray(messages)}, {QStringLiteral("has_more"), hasMore}};
}

Result<MessageListResult> MessageListResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    MessageListResult p;
    readObjectList(r, "messages", p.messages);
    r.required("has_more", p.hasMore);
    return r.finish(std::move(p));
}

} // namespace hive::protocol
