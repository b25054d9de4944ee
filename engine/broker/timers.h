// SPDX-License-Identifier: MIT
#pragma once

#include "clock.h"

#include <QTimer>

#include <algorithm>
#include <chrono>

namespace hive::engine {

/// Arms a single-shot timer for a deadline in milliseconds since the epoch (the store's time
/// format). Waits are capped at an hour: QTimer counts in int milliseconds (about 24 days), and a
/// timer that wakes early only re-reads the table and re-arms.
inline void startTimerUntil(QTimer &timer, qint64 deadlineMs, const Clock &clock)
{
    constexpr qint64 MaxWaitMs = 3600 * 1000;
    const qint64 wait = std::clamp<qint64>(deadlineMs - clock.now().toMSecsSinceEpoch(), 0, MaxWaitMs);
    timer.start(std::chrono::milliseconds(wait));
}

} // namespace hive::engine
