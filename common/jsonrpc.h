// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>

#include <optional>
#include <variant>

namespace hive::rpc {

/// A call or, when `id` is undefined, a notification (no reply expected).
struct Request {
    QJsonValue id = QJsonValue(QJsonValue::Undefined);
    QString method;
    QJsonObject params;

    [[nodiscard]] bool isNotification() const { return id.isUndefined(); }
    friend bool operator==(const Request &, const Request &) = default;
};

/// A reply: `error` set, or `result` holds the value.
struct Response {
    QJsonValue id;
    QJsonValue result;
    std::optional<Error> error;
    friend bool operator==(const Response &, const Response &) = default;
};

/// A frame that could not be read as a request or response. `id` is what could be salvaged
/// from it (null when none), so the reply can still be matched by the peer.
struct Invalid {
    QJsonValue id;
    Error error;
};

using Message = std::variant<Request, Response, Invalid>;

/// Default cap on one frame, in bytes (the engine's `api.max_frame_bytes`).
inline constexpr qsizetype DefaultMaxFrameBytes = 1024 * 1024;

/// JSON-RPC 2.0 with named parameters only, no batches. One codec for the engine API, the
/// agent sockets and MCP stdio: encoded frames are compact JSON without newlines, so they can
/// also be sent newline-delimited on byte streams.
class Codec
{
public:
    [[nodiscard]] static Message decode(const QByteArray &frame, qsizetype maxBytes = DefaultMaxFrameBytes);

    [[nodiscard]] static QByteArray encode(const Request &request);
    [[nodiscard]] static QByteArray encode(const Response &response);
    [[nodiscard]] static QByteArray encodeResult(const QJsonValue &id, const QJsonValue &result);
    [[nodiscard]] static QByteArray encodeError(const QJsonValue &id, const Error &error);
    [[nodiscard]] static QByteArray encodeNotification(const QString &method, const QJsonObject &params);

    [[nodiscard]] static QJsonObject errorToJson(const Error &error);
    [[nodiscard]] static Error errorFromJson(const QJsonObject &object);
};

} // namespace hive::rpc
