// SPDX-License-Identifier: MIT
#include "enginesamples.h"

#include "clock.h"
#include "statsstore.h"
#include "store/database.h"

#include <QLoggingCategory>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcSamples, "hive.telemetry")
}

EngineSamples::EngineSamples(Database &db, StatsStore &store, const Clock &clock,
                             std::chrono::milliseconds inboxInterval, QObject *parent)
    : QObject(parent), m_db(db), m_store(store), m_clock(clock), m_intervalMs(inboxInterval.count()),
      m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &EngineSamples::flush);
}

void EngineSamples::observe(const protocol::Event &event)
{
    if (event.kind.startsWith(QLatin1String("approval_"))) {
        if (auto sampled = sampleApprovals(); !sampled)
            qCWarning(lcSamples).noquote() << "sampling the approval queue failed:" << sampled.error().message;
    } else if (event.kind == QLatin1String("message_sent")) {
        inboxChanged(event.data.value(QStringLiteral("to")).toString());
    } else if (event.kind == QLatin1String("message_acked")) {
        inboxChanged(event.data.value(QStringLiteral("agent")).toString());
    } else if (event.kind == QLatin1String("agent_purged")) {
        const QString name = event.data.value(QStringLiteral("name")).toString();
        m_inboxes.remove(name);
        m_due.remove(name);
    }
}

Result<void> EngineSamples::sampleApprovals()
{
    auto pending = m_db.scalar(QStringLiteral("SELECT COUNT(*) FROM approvals WHERE state = 'pending'"));
    if (!pending)
        return fail(pending.error());
    if (m_approvals == *pending)
        return {};
    if (auto written = m_store.write(QString(), m_clock.now(),
                                     {{QStringLiteral("approvals.queue"), static_cast<double>(*pending)}});
        !written)
        return written;
    m_approvals = *pending;
    return {};
}

void EngineSamples::inboxChanged(const QString &agent)
{
    if (agent.isEmpty() || agent == QLatin1String("operator"))
        return;
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    const auto found = m_inboxes.constFind(agent);
    if (found == m_inboxes.cend() || now - found->sampledAt >= m_intervalMs) {
        if (auto sampled = sampleInbox(agent); !sampled)
            qCWarning(lcSamples).noquote()
                << QStringLiteral("sampling %1's inbox failed: %2").arg(agent, sampled.error().message);
        return;
    }
    m_due.insert(agent);
    armTimer();
}

Result<void> EngineSamples::sampleInbox(const QString &agent)
{
    const QDateTime now = m_clock.now();
    Inbox &inbox = m_inboxes[agent];
    inbox.sampledAt = now.toMSecsSinceEpoch();
    m_due.remove(agent);
    auto depth = m_db.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE recipient = :agent AND state IN "
                                            "('queued', 'delivered')"),
                             {{QStringLiteral(":agent"), agent}});
    if (!depth)
        return fail(depth.error());
    if (inbox.value == *depth)
        return {};
    if (auto written = m_store.write(agent, now, {{QStringLiteral("inbox.depth"), static_cast<double>(*depth)}});
        !written)
        return written;
    inbox.value = *depth;
    return {};
}

void EngineSamples::flush()
{
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    const QList<QString> due(m_due.cbegin(), m_due.cend());
    for (const QString &agent : due) {
        if (now - m_inboxes.value(agent).sampledAt < m_intervalMs)
            continue;
        if (auto sampled = sampleInbox(agent); !sampled)
            qCWarning(lcSamples).noquote()
                << QStringLiteral("sampling %1's inbox failed: %2").arg(agent, sampled.error().message);
    }
    armTimer();
}

void EngineSamples::armTimer()
{
    if (m_due.isEmpty()) {
        m_timer->stop();
        return;
    }
    qint64 next = std::numeric_limits<qint64>::max();
    for (const QString &agent : std::as_const(m_due))
        next = std::min(next, m_inboxes.value(agent).sampledAt + m_intervalMs);
    const qint64 wait = std::clamp<qint64>(next - m_clock.now().toMSecsSinceEpoch(), 0, m_intervalMs);
    if (!m_timer->isActive() || m_timer->remainingTime() > wait)
        m_timer->start(std::chrono::milliseconds(wait));
}

} // namespace hive::engine
