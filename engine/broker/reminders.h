// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/reminders.h"
#include "result.h"

#include <QObject>

#include <chrono>

class QTimer;

namespace hive::engine {

class Broker;
class Clock;
class Database;

struct ReminderOptions {
    int batchSize = 64; ///< reminders delivered per scheduler tick
    int maxAttempts = protocol::ReminderMaxAttempts;
    std::chrono::seconds retryDelay{30}; ///< after the first failed attempt; doubles each time
};

/// Reminders agents set for themselves. A scheduler delivers due ones as system messages
/// {event: "reminder", ...}: each delivery writes the message and marks the reminder delivered in
/// one transaction, at most `batchSize` per tick (the next tick follows at once when more are due).
/// A failed attempt keeps the error and retries with a growing delay; after `maxAttempts` the
/// reminder is `failed` until the operator retries it. Due times survive restarts.
class Reminders : public QObject
{
    Q_OBJECT
public:
    Reminders(Database &db, Broker &broker, const Clock &clock, ReminderOptions options = {},
              QObject *parent = nullptr);

    /// Delivers what came due while the engine was down and schedules the next one.
    [[nodiscard]] Result<void> load();

    [[nodiscard]] Result<protocol::RemindResult> remind(const QString &agent, const protocol::RemindParams &params);
    /// `by` is the reminder's agent or "operator".
    [[nodiscard]] Result<protocol::Reminder> cancel(const QString &by, qint64 id);
    /// Operator: a failed or pending reminder is due now, with a fresh set of attempts.
    [[nodiscard]] Result<protocol::Reminder> retry(qint64 id);
    [[nodiscard]] Result<protocol::Reminder> get(qint64 id);
    [[nodiscard]] Result<protocol::ReminderListResult> list(const protocol::ReminderListParams &params);
    /// Pending (and, with `withFailed`, failed) reminders, soonest first; all agents when empty.
    [[nodiscard]] Result<QList<protocol::Reminder>> open(const QString &agent, bool withFailed);
    /// One scheduler tick: delivers up to batchSize due reminders; returns how many were
    /// attempted (delivered or failed).
    [[nodiscard]] Result<qint64> deliverDue();

Q_SIGNALS:
    /// `change` is added, delivered, failed (an attempt failed; state says whether for good),
    /// cancelled or retried.
    void reminderChanged(const QString &change, const hive::protocol::Reminder &reminder);

private:
    Result<void> deliver(const protocol::Reminder &reminder);
    void recordFailure(const protocol::Reminder &reminder, const Error &error);
    void scheduleNext();

    Database &m_db;
    Broker &m_broker;
    const Clock &m_clock;
    ReminderOptions m_options;
    QTimer *m_timer;
};

} // namespace hive::engine
