// SPDX-License-Identifier: MIT
#pragma once

#include "containers.h"
#include "harness.h"
#include "messages.h"
#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>

namespace hive::protocol {

/// The largest page of message_list.
inline constexpr int MessageListMaxLimit = 500;

/// An agent as the operator sees it: its registration and the state of its inbox.
struct AgentInfo {
    QString name;
    QString kind;                  ///< "agent" or "manager"
    QStringList allowedRecipients; ///< empty = unrestricted; the manager is always reachable
    QDateTime createdAt;
    qint64 unread = 0;                                          ///< queued, never delivered (or requeued)
    qint64 inflight = 0;                                        ///< delivered, not yet acked
    QString state = QString::fromLatin1(agentstates::External); ///< see agentstates (API 1.3.0)
    std::optional<ContainerInfo> container;                     ///< absent for external agents
    std::optional<HarnessStatus> harness; ///< the attached harness's state; absent when none is attached (1.6.0)
    std::optional<QString> modelOverride; ///< the operator's model (agent_set_model), over agent.toml's (1.6.0)

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AgentInfo> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentInfo &, const AgentInfo &) = default;
};

struct AgentAddParams {
    QString name; ///< `^[a-z][a-z0-9-]{0,11}$`, not operator, manager, system or *

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AgentAddParams> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentAddParams &, const AgentAddParams &) = default;
};

struct AgentAddResult {
    AgentInfo agent;
    QString socketPath; ///< the agent's unix socket on the engine's host

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AgentAddResult> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentAddResult &, const AgentAddResult &) = default;
};

struct AgentListParams {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<AgentListParams> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentListParams &, const AgentListParams &) = default;
};

struct AgentListResult {
    QList<AgentInfo> agents; ///< ordered by name, the manager included

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AgentListResult> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentListResult &, const AgentListResult &) = default;
};

struct AgentSetRecipientsParams {
    QString name;
    QStringList recipients; ///< agents, "operator", "manager" or "*"; [] lifts the restriction

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AgentSetRecipientsParams> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentSetRecipientsParams &, const AgentSetRecipientsParams &) = default;
};

struct AgentSetRecipientsResult {
    AgentInfo agent; ///< as it is now

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AgentSetRecipientsResult> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentSetRecipientsResult &, const AgentSetRecipientsResult &) = default;
};

/// message_send: a message from the operator. The result is the agent surface's SendResult.
struct MessageSendParams {
    QString to; ///< an agent, "manager" or "*" (every agent)
    QString body;
    std::optional<qint64> inReplyTo;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<MessageSendParams> fromJson(const QJsonObject &json);
    friend bool operator==(const MessageSendParams &, const MessageSendParams &) = default;
};

struct MessageListParams {
    /// Absent: the operator's inbox (messages to "operator"). Set: everything the agent sent or received.
    std::optional<QString> agent;
    int limit = 50;                 ///< 1..500
    std::optional<qint64> beforeId; ///< page backwards: messages with id < before_id

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<MessageListParams> fromJson(const QJsonObject &json);
    friend bool operator==(const MessageListParams &, const MessageListParams &) = default;
};

struct MessageListResult {
    QList<Message> messages; ///< newest first
    bool hasMore = false;    ///< older messages match beyond this page

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<MessageListResult> fromJson(const QJsonObject &json);
    friend bool operator==(const MessageListResult &, const MessageListResult &) = default;
};

} // namespace hive::protocol
