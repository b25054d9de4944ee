// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/events.h"
#include "result.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <chrono>
#include <optional>

class QTimer;

namespace hive::engine {

class Clock;
class Database;
class StatsStore;

/// The series the engine samples itself, from the events it publishes: `approvals.queue`
/// (agent "": the pending approvals) whenever an approval event changes that count, and
/// `inbox.depth` (an agent's unacknowledged messages) when a message is sent to it or it acks,
/// at most once per interval per agent: a change inside the interval is sampled when it ends.
/// Only changed values are written.
class EngineSamples : public QObject
{
    Q_OBJECT
public:
    EngineSamples(Database &db, StatsStore &store, const Clock &clock, std::chrono::milliseconds inboxInterval,
                  QObject *parent = nullptr);

    void observe(const protocol::Event &event);
    /// Samples the approval queue now (at start, so that its series has a beginning).
    [[nodiscard]] Result<void> sampleApprovals();
    /// Samples the inboxes whose interval has passed; the timer calls it.
    void flush();

private:
    void inboxChanged(const QString &agent);
    Result<void> sampleInbox(const QString &agent);
    void armTimer();

    Database &m_db;
    StatsStore &m_store;
    const Clock &m_clock;
    qint64 m_intervalMs;
    QTimer *m_timer;
    std::optional<qint64> m_approvals; ///< the last value written
    struct Inbox {
        qint64 sampledAt = 0;
        std::optional<qint64> value; ///< the last value written
    };
    QHash<QString, Inbox> m_inboxes;
    QSet<QString> m_due; ///< changed since their last sample
};

} // namespace hive::engine
