// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QJsonObject>

#include <optional>

namespace hive::protocol {

/// The method name of server-pushed event notifications.
inline constexpr char EventNotification[] = "event";

/// A server-pushed event. `seq` is global and monotonic across restarts of the engine.
struct Event {
    qint64 seq = 0;
    QDateTime ts;
    QString kind; ///< e.g. "token_created"; docs/protocol.md lists every kind and its data
    QJsonObject data;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<Event> fromJson(const QJsonObject &json);
    friend bool operator==(const Event &, const Event &) = default;
};

struct EventsSubscribeParams {
    /// Replay every kept event with seq > since_seq first; absent = live events only.
    std::optional<qint64> sinceSeq;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<EventsSubscribeParams> fromJson(const QJsonObject &json);
    friend bool operator==(const EventsSubscribeParams &, const EventsSubscribeParams &) = default;
};

struct EventsSubscribeResult {
    qint64 latestSeq = 0; ///< the newest seq at the moment of subscribing
    qint64 oldestSeq = 0; ///< the oldest seq still kept (0 when none)
    qint64 replayed = 0;  ///< events that follow this reply as replay

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<EventsSubscribeResult> fromJson(const QJsonObject &json);
    friend bool operator==(const EventsSubscribeResult &, const EventsSubscribeResult &) = default;
};

struct EventsUnsubscribeParams {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<EventsUnsubscribeParams> fromJson(const QJsonObject &json);
    friend bool operator==(const EventsUnsubscribeParams &, const EventsUnsubscribeParams &) = default;
};

struct EventsUnsubscribeResult {
    bool wasSubscribed = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<EventsUnsubscribeResult> fromJson(const QJsonObject &json);
    friend bool operator==(const EventsUnsubscribeResult &, const EventsUnsubscribeResult &) = default;
};

} // namespace hive::protocol
