// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>

#include <optional>

namespace hive::protocol {

/// Caps of the agent surface; the errors for values past them name the cap.
inline constexpr double RecvMaxWaitSeconds = 180.0;
inline constexpr int RecvMaxMessages = 32;
inline constexpr int AckMaxIds = 256;
inline constexpr int RecentMaxLimit = 200;

/// A message as an agent (or the operator) sees it.
struct Message {
    qint64 id = 0;
    QString from;
    QString to; ///< the recipient of this copy; a broadcast has one copy per agent
    QString body;
    QDateTime sentAt;
    std::optional<qint64> inReplyTo; ///< on the wire: null when absent
    bool broadcast = false;          ///< this copy came from a send to "*"
    bool redelivered = false;        ///< delivered before without an ack (see requeue_inflight)

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<Message> fromJson(const QJsonObject &json);
    friend bool operator==(const Message &, const Message &) = default;
};

struct SendParams {
    QString to; ///< an agent, "operator", "manager" or "*" (every other agent)
    QString body;
    std::optional<qint64> inReplyTo;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<SendParams> fromJson(const QJsonObject &json);
    friend bool operator==(const SendParams &, const SendParams &) = default;
};

struct SendResult {
    qint64 id = 0;         ///< the id of the first copy written
    qint64 recipients = 0; ///< copies written: 1, or one per other agent for "*"

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<SendResult> fromJson(const QJsonObject &json);
    friend bool operator==(const SendResult &, const SendResult &) = default;
};

struct RecvParams {
    /// Absent or 0: return at once (peek). Positive: long-poll up to this long, at most 180 s.
    std::optional<double> waitSeconds;
    int max = 1; ///< 1..32 messages per call

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RecvParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RecvParams &, const RecvParams &) = default;
};

struct RecvResult {
    QList<Message> messages; ///< leased: in flight until acked or requeued
    qint64 pending = 0;      ///< still queued after this delivery

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RecvResult> fromJson(const QJsonObject &json);
    friend bool operator==(const RecvResult &, const RecvResult &) = default;
};

struct AckParams {
    QList<qint64> ids; ///< 1..256 message ids, each positive

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AckParams> fromJson(const QJsonObject &json);
    friend bool operator==(const AckParams &, const AckParams &) = default;
};

struct AckResult {
    qint64 acked = 0; ///< in-flight messages of the caller that this call acknowledged

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AckResult> fromJson(const QJsonObject &json);
    friend bool operator==(const AckResult &, const AckResult &) = default;
};

struct RequeueInflightParams {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<RequeueInflightParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RequeueInflightParams &, const RequeueInflightParams &) = default;
};

struct RequeueInflightResult {
    qint64 requeued = 0; ///< unacked deliveries put back, to come again flagged redelivered

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RequeueInflightResult> fromJson(const QJsonObject &json);
    friend bool operator==(const RequeueInflightResult &, const RequeueInflightResult &) = default;
};

struct StatusParams {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<StatusParams> fromJson(const QJsonObject &json);
    friend bool operator==(const StatusParams &, const StatusParams &) = default;
};

struct StatusResult {
    qint64 unread = 0;   ///< queued, never delivered (or requeued)
    qint64 inflight = 0; ///< delivered, not yet acked

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<StatusResult> fromJson(const QJsonObject &json);
    friend bool operator==(const StatusResult &, const StatusResult &) = default;
};

struct RecentParams {
    int limit = 20; ///< 1..200

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RecentParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RecentParams &, const RecentParams &) = default;
};

struct RecentResult {
    QList<Message> messages;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RecentResult> fromJson(const QJsonObject &json);
    friend bool operator==(const RecentResult &, const RecentResult &) = default;
};

struct WhoamiParams {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<WhoamiParams> fromJson(const QJsonObject &json);
    friend bool operator==(const WhoamiParams &, const WhoamiParams &) = default;
};

struct WhoamiResult {
    QString name; ///< canonical, from the socket the call arrived on
    QString role; ///< "agent" or "manager"
    QString engineVersion;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<WhoamiResult> fromJson(const QJsonObject &json);
    friend bool operator==(const WhoamiResult &, const WhoamiResult &) = default;
};

} // namespace hive::protocol
