// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

#include <ctime>

namespace hive::bench {

inline constexpr qint64 NsPerMs = 1'000'000;
inline constexpr qint64 NsPerSecond = 1'000'000'000;

/// CLOCK_MONOTONIC in nanoseconds. All processes of a run share one host and so one monotonic clock,
/// which is what lets a receiver subtract a sender's timestamp.
inline qint64 monotonicNs()
{
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<qint64>(now.tv_sec) * NsPerSecond + now.tv_nsec;
}

} // namespace hive::bench
