// SPDX-License-Identifier: MIT
#include "eventlog.h"

#include "clock.h"
#include "database.h"
#include "row.h"

#include <QJsonDocument>
#include <QLoggingCategory>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcEvents, "hive.events")
}

EventLog::EventLog(Database &db, const Clock &clock, qint64 historyLimit, QObject *parent)
    : QObject(parent), m_db(db), m_clock(clock), m_historyLimit(historyLimit)
{}

Result<void> EventLog::load()
{
    // sqlite_sequence remembers the highest seq ever issued even when every event row was trimmed.
    auto latest = m_db.scalar(QStringLiteral("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), "
                                             "0)"));
    if (!latest)
        return fail(latest.error());
    auto oldest = m_db.scalar(QStringLiteral("SELECT COALESCE(MIN(seq), 0) FROM events"));
    if (!oldest)
        return fail(oldest.error());
    m_latestSeq = *latest;
    m_oldestSeq = *oldest;
    return {};
}

Result<protocol::Event> EventLog::publish(const QString &kind, const QJsonObject &data)
{
    protocol::Event event{0, m_clock.now(), kind, data};
    auto inserted =
        m_db.write(QStringLiteral("INSERT INTO events (ts, kind, data) VALUES (:ts, :kind, :data)"),
                   {{QStringLiteral(":ts"), toDbTime(event.ts)},
                    {QStringLiteral(":kind"), kind},
                    {QStringLiteral(":data"), QString::fromUtf8(QJsonDocument(data).toJson(QJsonDocument::Compact))}});
    if (!inserted)
        return fail(inserted.error().wrapped(QStringLiteral("storing event %1").arg(kind)));
    event.seq = inserted->lastInsertId.toLongLong();
    m_latestSeq = event.seq;
    if (m_oldestSeq == 0)
        m_oldestSeq = event.seq;
    // Trimming is a DELETE over an index range; doing it every 1% of the history keeps it cheap.
    if (++m_sinceTrim >= std::max<qint64>(1, m_historyLimit / 100)) {
        m_sinceTrim = 0;
        if (auto trimmed = trim(); !trimmed)
            qCWarning(lcEvents).noquote() << "trimming event history failed:" << trimmed.error().message;
    }
    Q_EMIT published(event);
    return event;
}

Result<void> EventLog::trim()
{
    const qint64 keepFrom = m_latestSeq - m_historyLimit + 1;
    if (keepFrom <= m_oldestSeq)
        return {};
    auto deleted =
        m_db.exec(QStringLiteral("DELETE FROM events WHERE seq < :keep"), {{QStringLiteral(":keep"), keepFrom}});
    if (!deleted)
        return fail(deleted.error());
    auto oldest = m_db.scalar(QStringLiteral("SELECT COALESCE(MIN(seq), 0) FROM events"));
    if (!oldest)
        return fail(oldest.error());
    m_oldestSeq = *oldest;
    return {};
}

Result<QList<protocol::Event>> EventLog::since(qint64 sinceSeq)
{
    const auto resync = [&](const QString &why) {
        return fail(
            ErrorCode::ResyncRequired, why,
            QJsonObject{{QStringLiteral("oldest_seq"), m_oldestSeq}, {QStringLiteral("latest_seq"), m_latestSeq}});
    };
    if (sinceSeq > m_latestSeq) {
        return resync(QStringLiteral("since_seq %1 is newer than the latest event %2 of this engine: reload the full "
                                     "state")
                          .arg(sinceSeq)
                          .arg(m_latestSeq));
    }
    // A gap exists when the next event the client needs (sinceSeq + 1) was already trimmed.
    if (m_oldestSeq > 0 && sinceSeq + 1 < m_oldestSeq) {
        return resync(QStringLiteral("events after %1 are no longer kept (oldest kept: %2): reload the full state")
                          .arg(sinceSeq)
                          .arg(m_oldestSeq));
    }
    if (m_oldestSeq == 0 && sinceSeq < m_latestSeq) {
        return resync(QStringLiteral("events after %1 are no longer kept: reload the full state").arg(sinceSeq));
    }
    auto query = m_db.exec(QStringLiteral("SELECT seq, ts, kind, data FROM events WHERE seq > :since ORDER BY seq"),
                           {{QStringLiteral(":since"), sinceSeq}});
    if (!query)
        return fail(query.error());
    QList<protocol::Event> events;
    while (query->next()) {
        Row row(*query);
        protocol::Event event{row.integer("seq"), row.time("ts"), row.text("kind"),
                              QJsonDocument::fromJson(row.text("data").toUtf8()).object()};
        if (auto status = row.status(); !status)
            return fail(status.error().wrapped(QStringLiteral("reading events")));
        events.append(std::move(event));
    }
    return events;
}

} // namespace hive::engine
