// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <utility>

namespace hive::test {

/// One HTTP/1.x request as the fake model server reads it: Content-Length bodies only (the agent CLI never sends a
/// chunked request body), header names lower-cased.
struct HttpRequest {
    enum class Parse { Incomplete, Complete, Malformed };

    static constexpr qsizetype MaxHeaderBytes = 64 * 1024;
    static constexpr qint64 MaxBodyBytes = 64 * 1024 * 1024;

    QByteArray method;
    QByteArray target; ///< path and query, as sent
    QByteArray version;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    /// The first value of a header (name in lower case), or empty.
    [[nodiscard]] QByteArray header(const QByteArray &name) const;
    /// The target without its query.
    [[nodiscard]] QByteArray path() const;
    /// HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 only when asked.
    [[nodiscard]] bool keepAlive() const;

    /// Takes the first complete request off the front of `buffer` into `request`. Incomplete leaves the buffer as
    /// it is; Malformed sets `error` (the connection's framing is lost then).
    [[nodiscard]] static Parse take(QByteArray &buffer, HttpRequest &request, QString &error);
};

} // namespace hive::test
