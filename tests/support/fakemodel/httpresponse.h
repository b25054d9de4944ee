// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>

#include <optional>
#include <utility>

namespace hive::test {

/// One HTTP response as a test client reads it off a raw socket (Content-Length or chunked body).
struct HttpResponse {
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers; ///< names in lower case
    QByteArray body;
    QList<QByteArray> chunks; ///< the chunks of a chunked body, in order

    /// The first value of a header (name in lower case), or empty.
    [[nodiscard]] QByteArray header(const QByteArray &name) const;
    [[nodiscard]] QJsonObject json() const;
    /// The server-sent events of the body as (event name, data) pairs.
    [[nodiscard]] QList<std::pair<QByteArray, QJsonObject>> events() const;
    /// The text deltas of the events, concatenated.
    [[nodiscard]] QString text() const;

    /// Takes the first complete response off `buffer` (`head`: the answer to HEAD, which has no body).
    [[nodiscard]] static std::optional<HttpResponse> take(QByteArray &buffer, bool head = false);
};

} // namespace hive::test
