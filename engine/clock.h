// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>

namespace hive::engine {

/// Wall-clock time, injected so that tests can move it.
class Clock
{
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual QDateTime now() const = 0;
};

class SystemClock final : public Clock
{
public:
    [[nodiscard]] QDateTime now() const override { return QDateTime::currentDateTimeUtc(); }
};

} // namespace hive::engine
