// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>

#include <optional>

namespace hive::bench {

/// The body every benchmark message carries: "<kind>:<send time in ns>:" padded with 'x' to a fixed
/// size. Plain ASCII, so it goes into a JSON string and a Redis field unescaped and unchanged.
struct MessageBody {
    enum class Kind : char {
        Data = 'm', ///< a measured message
        End = 'e',  ///< the sender is done: sent once at the end, not measured
    };

    Kind kind = Kind::Data;
    qint64 sentNs = 0; ///< CLOCK_MONOTONIC just before the send call

    [[nodiscard]] QByteArray encode(int bytes) const;
    [[nodiscard]] static std::optional<MessageBody> decode(const QByteArray &body);
};

} // namespace hive::bench
