// SPDX-License-Identifier: MIT
#pragma once

#include "clock.h"

#include <QTimeZone>

namespace hive::test {

/// A clock that moves only when told to.
class FakeClock final : public engine::Clock
{
public:
    QDateTime now() const override { return m_now; }
    void advance(qint64 ms) { m_now = m_now.addMSecs(ms); }
    void set(const QDateTime &time) { m_now = time; }

private:
    QDateTime m_now = QDateTime(QDate(2026, 1, 1), QTime(12, 0), QTimeZone::utc());
};

} // namespace hive::test
