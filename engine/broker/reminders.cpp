// SPDX-License-Identifier: MIT
#include "reminders.h"

#include "broker.h"
#include "clock.h"
#include "jsonreader.h"
#include "store/database.h"
#include "store/row.h"
#include "store/transaction.h"
#include "timers.h"

#include <QLoggingCategory>
#include <QTimer>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcReminders, "hive.reminders")

const QString Operator = QStringLiteral("operator");
const QString Columns = QStringLiteral("id, agent, message, created_at, due_at, state, attempts, last_error, "
                                       "next_attempt_at, delivered_at, message_id, cancelled_by");

Result<protocol::Reminder> readReminder(Row &row)
{
    protocol::Reminder reminder;
    reminder.id = row.integer("id");
    reminder.agent = row.text("agent");
    reminder.message = row.text("message");
    reminder.createdAt = row.time("created_at");
    reminder.dueAt = row.time("due_at");
    reminder.state = row.text("state");
    reminder.attempts = static_cast<int>(row.integer("attempts"));
    reminder.lastError = row.optionalText("last_error");
    if (reminder.state == QLatin1String("pending"))
        reminder.nextAttemptAt = row.time("next_attempt_at");
    reminder.deliveredAt = row.optionalTime("delivered_at");
    if (auto message = row.optionalText("message_id"))
        reminder.messageId = message->toLongLong();
    reminder.cancelledBy = row.optionalText("cancelled_by");
    if (auto status = row.status(); !status)
        return fail(status.error().wrapped(QStringLiteral("reading reminder")));
    return reminder;
}

Result<QList<protocol::Reminder>> readReminders(Result<QSqlQuery> query)
{
    if (!query)
        return fail(query.error());
    QList<protocol::Reminder> reminders;
    while (query->next()) {
        Row row(*query);
        auto reminder = readReminder(row);
        if (!reminder)
            return fail(reminder.error());
        reminders.append(std::move(*reminder));
    }
    return reminders;
}

} // namespace

Reminders::Reminders(Database &db, Broker &broker, const Clock &clock, ReminderOptions options, QObject *parent)
    : QObject(parent), m_db(db), m_broker(broker), m_clock(clock), m_options(options), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (auto delivered = deliverDue(); !delivered)
            qCWarning(lcReminders).noquote() << "delivering reminders failed:" << delivered.error().message;
    });
}

Result<void> Reminders::load()
{
    // Only schedule: what is overdue goes out on the first tick, once the engine is serving.
    scheduleNext();
    return {};
}

Result<protocol::RemindResult> Reminders::remind(const QString &agent, const protocol::RemindParams &params)
{
    const QDateTime now = m_clock.now();
    QDateTime due;
    if (params.delaySeconds) {
        due = now.addSecs(*params.delaySeconds);
    } else {
        due = *params.at;
        if (due < now.addSecs(-1)) {
            return fail(ErrorCode::InvalidParams,
                        QStringLiteral("invalid field 'at': %1 is in the past (engine time %2)")
                            .arg(toWireTime(due), toWireTime(now)));
        }
        if (due > now.addSecs(protocol::ReminderMaxDelaySeconds)) {
            return fail(ErrorCode::InvalidParams,
                        QStringLiteral("invalid field 'at': %1 is more than 30 days ahead").arg(toWireTime(due)));
        }
        due = std::max(due, now);
    }
    auto pending = m_db.scalar(QStringLiteral("SELECT COUNT(*) FROM reminders WHERE agent = :agent AND state = "
                                              "'pending'"),
                               {{QStringLiteral(":agent"), agent}});
    if (!pending)
        return fail(pending.error());
    if (*pending >= protocol::ReminderMaxPending) {
        return fail(ErrorCode::TooLarge,
                    QStringLiteral("%1 pending reminders already (the limit): cancel some with cancel_thread first")
                        .arg(*pending));
    }
    auto inserted =
        m_db.exec(QStringLiteral("INSERT INTO reminders (agent, message, created_at, due_at, next_attempt_at) "
                                 "VALUES (:agent, :message, :now, :due, :due)"),
                  {{QStringLiteral(":agent"), agent},
                   {QStringLiteral(":message"), params.message},
                   {QStringLiteral(":now"), toDbTime(now)},
                   {QStringLiteral(":due"), toDbTime(due)}});
    if (!inserted)
        return fail(inserted.error().wrapped(QStringLiteral("storing the reminder")));
    const qint64 id = inserted->lastInsertId().toLongLong();
    protocol::Reminder reminder;
    reminder.id = id;
    reminder.agent = agent;
    reminder.message = params.message;
    reminder.createdAt = now;
    reminder.dueAt = due;
    reminder.state = QStringLiteral("pending");
    reminder.nextAttemptAt = due;
    Q_EMIT reminderChanged(QStringLiteral("added"), reminder);
    scheduleNext();
    return protocol::RemindResult{id, due};
}

Result<protocol::Reminder> Reminders::get(qint64 id)
{
    auto reminders = readReminders(m_db.exec(QStringLiteral("SELECT %1 FROM reminders WHERE id = :id").arg(Columns),
                                             {{QStringLiteral(":id"), id}}));
    if (!reminders)
        return fail(reminders.error());
    if (reminders->isEmpty())
        return fail(ErrorCode::NotFound, QStringLiteral("no reminder %1").arg(id));
    return reminders->first();
}

Result<protocol::Reminder> Reminders::cancel(const QString &by, qint64 id)
{
    auto reminder = get(id);
    if (!reminder)
        return fail(reminder.error());
    if (by != Operator && by != reminder->agent) {
        // Someone else's reminder: do not even confirm it exists beyond its number.
        return fail(ErrorCode::Forbidden, QStringLiteral("reminder %1 is not yours").arg(id));
    }
    if (reminder->state != QLatin1String("pending") && reminder->state != QLatin1String("failed")) {
        return fail(ErrorCode::InvalidParams, QStringLiteral("reminder %1 is already %2").arg(id).arg(reminder->state),
                    QJsonObject{{QStringLiteral("state"), reminder->state}});
    }
    auto updated = m_db.exec(QStringLiteral("UPDATE reminders SET state = 'cancelled', cancelled_by = :by "
                                            "WHERE id = :id AND state IN ('pending', 'failed')"),
                             {{QStringLiteral(":by"), by}, {QStringLiteral(":id"), id}});
    if (!updated)
        return fail(updated.error());
    if (updated->numRowsAffected() != 1)
        return fail(ErrorCode::InvalidParams, QStringLiteral("reminder %1 changed meanwhile").arg(id));
    auto cancelled = get(id);
    if (!cancelled)
        return cancelled;
    Q_EMIT reminderChanged(QStringLiteral("cancelled"), *cancelled);
    scheduleNext();
    return cancelled;
}

Result<protocol::Reminder> Reminders::retry(qint64 id)
{
    auto reminder = get(id);
    if (!reminder)
        return fail(reminder.error());
    if (reminder->state != QLatin1String("failed") && reminder->state != QLatin1String("pending")) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("reminder %1 is %2: only a failed or pending reminder can be retried")
                        .arg(id)
                        .arg(reminder->state),
                    QJsonObject{{QStringLiteral("state"), reminder->state}});
    }
    auto updated = m_db.exec(QStringLiteral("UPDATE reminders SET state = 'pending', attempts = 0, next_attempt_at = "
                                            ":now WHERE id = :id AND state IN ('pending', 'failed')"),
                             {{QStringLiteral(":now"), toDbTime(m_clock.now())}, {QStringLiteral(":id"), id}});
    if (!updated)
        return fail(updated.error());
    if (updated->numRowsAffected() != 1)
        return fail(ErrorCode::InvalidParams, QStringLiteral("reminder %1 changed meanwhile").arg(id));
    auto retried = get(id);
    if (!retried)
        return retried;
    Q_EMIT reminderChanged(QStringLiteral("retried"), *retried);
    scheduleNext();
    return retried;
}

Result<protocol::ReminderListResult> Reminders::list(const protocol::ReminderListParams &params)
{
    QStringList where;
    Bindings bindings{{QStringLiteral(":limit"), params.limit + 1}}; // one more: is there an older page?
    if (params.agent) {
        where << QStringLiteral("agent = :agent");
        bindings.emplace_back(QStringLiteral(":agent"), *params.agent);
    }
    if (params.state) {
        where << QStringLiteral("state = :state");
        bindings.emplace_back(QStringLiteral(":state"), *params.state);
    }
    if (params.beforeId) {
        where << QStringLiteral("id < :before");
        bindings.emplace_back(QStringLiteral(":before"), *params.beforeId);
    }
    const QString filter =
        where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    auto reminders = readReminders(m_db.exec(
        QStringLiteral("SELECT %1 FROM reminders%2 ORDER BY id DESC LIMIT :limit").arg(Columns, filter), bindings));
    if (!reminders)
        return fail(reminders.error());
    protocol::ReminderListResult result;
    result.hasMore = reminders->size() > params.limit;
    if (result.hasMore)
        reminders->removeLast();
    result.reminders = std::move(*reminders);
    return result;
}

Result<QList<protocol::Reminder>> Reminders::open(const QString &agent, bool withFailed)
{
    QString sql = QStringLiteral("SELECT %1 FROM reminders WHERE state IN (%2)")
                      .arg(Columns, withFailed ? QStringLiteral("'pending', 'failed'") : QStringLiteral("'pending'"));
    Bindings bindings;
    if (!agent.isEmpty()) {
        sql += QStringLiteral(" AND agent = :agent");
        bindings.emplace_back(QStringLiteral(":agent"), agent);
    }
    return readReminders(m_db.exec(sql + QStringLiteral(" ORDER BY due_at, id"), bindings));
}

Result<qint64> Reminders::deliverDue()
{
    auto due = readReminders(m_db.exec(
        QStringLiteral("SELECT %1 FROM reminders WHERE state = 'pending' AND "
                       "next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT "
                       ":batch")
            .arg(Columns),
        {{QStringLiteral(":now"), toDbTime(m_clock.now())}, {QStringLiteral(":batch"), m_options.batchSize}}));
    if (!due) {
        m_timer->start(std::chrono::seconds(30)); // not a busy loop on a persistent fault
        return fail(due.error());
    }
    for (const protocol::Reminder &reminder : std::as_const(*due)) {
        if (auto delivered = deliver(reminder); !delivered)
            recordFailure(reminder, delivered.error());
    }
    if (due->size() == m_options.batchSize)
        m_timer->start(0); // more may be due: the next batch after the events already queued
    else
        scheduleNext();
    return due->size();
}

Result<void> Reminders::deliver(const protocol::Reminder &reminder)
{
    const QDateTime now = m_clock.now();
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());
    auto sent =
        m_broker.enqueueEvent(reminder.agent, QJsonObject{{QStringLiteral("event"), QStringLiteral("reminder")},
                                                          {QStringLiteral("id"), reminder.id},
                                                          {QStringLiteral("message"), reminder.message},
                                                          {QStringLiteral("set_at"), toWireTime(reminder.createdAt)},
                                                          {QStringLiteral("due_at"), toWireTime(reminder.dueAt)}});
    if (!sent)
        return fail(sent.error());
    auto updated =
        m_db.exec(QStringLiteral("UPDATE reminders SET state = 'delivered', attempts = attempts + 1, delivered_at = "
                                 ":now, message_id = :message WHERE id = :id AND state = 'pending'"),
                  {{QStringLiteral(":now"), toDbTime(now)},
                   {QStringLiteral(":message"), sent->first().id},
                   {QStringLiteral(":id"), reminder.id}});
    if (!updated)
        return fail(updated.error());
    if (updated->numRowsAffected() != 1)
        return {}; // cancelled meanwhile: the rollback drops the message
    if (auto committed = tx.commit(); !committed)
        return fail(committed.error());
    m_broker.publish(*sent);
    protocol::Reminder delivered = reminder;
    delivered.state = QStringLiteral("delivered");
    delivered.attempts += 1;
    delivered.nextAttemptAt.reset();
    delivered.deliveredAt = now;
    delivered.messageId = sent->first().id;
    Q_EMIT reminderChanged(QStringLiteral("delivered"), delivered);
    return {};
}

void Reminders::recordFailure(const protocol::Reminder &reminder, const Error &error)
{
    const int attempts = reminder.attempts + 1;
    const bool final = attempts >= m_options.maxAttempts;
    const auto delay = m_options.retryDelay * (1LL << std::min(attempts - 1, 16));
    const QDateTime next = m_clock.now().addSecs(delay.count());
    qCWarning(lcReminders).noquote() << QStringLiteral("reminder %1 for %2: attempt %3 of %4 failed: %5")
                                            .arg(reminder.id)
                                            .arg(reminder.agent)
                                            .arg(attempts)
                                            .arg(m_options.maxAttempts)
                                            .arg(error.message);
    auto updated = m_db.exec(QStringLiteral("UPDATE reminders SET attempts = :attempts, last_error = :error, "
                                            "next_attempt_at = :next, state = :state WHERE id = :id AND state = "
                                            "'pending'"),
                             {{QStringLiteral(":attempts"), attempts},
                              {QStringLiteral(":error"), error.message},
                              {QStringLiteral(":next"), toDbTime(next)},
                              {QStringLiteral(":state"), final ? QStringLiteral("failed") : QStringLiteral("pending")},
                              {QStringLiteral(":id"), reminder.id}});
    if (!updated) {
        qCWarning(lcReminders).noquote() << "cannot record the failure of reminder" << reminder.id << ":"
                                         << updated.error().message;
        return;
    }
    if (auto changed = get(reminder.id))
        Q_EMIT reminderChanged(QStringLiteral("failed"), *changed);
}

void Reminders::scheduleNext()
{
    auto next =
        m_db.scalar(QStringLiteral("SELECT COALESCE(MIN(next_attempt_at), 0) FROM reminders WHERE state = 'pending'"));
    if (!next || *next == 0) {
        m_timer->stop();
        return;
    }
    startTimerUntil(*m_timer, *next, m_clock);
}

} // namespace hive::engine
