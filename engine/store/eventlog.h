// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/events.h"
#include "result.h"

#include <QObject>

namespace hive::engine {

class Clock;
class Database;

/// The engine's event stream: every event gets the next global seq, is stored (so replay
/// survives restarts) and is then announced to subscribers. The newest `historyLimit` events are
/// kept for events_subscribe {since_seq}.
class EventLog : public QObject
{
    Q_OBJECT
public:
    EventLog(Database &db, const Clock &clock, qint64 historyLimit, QObject *parent = nullptr);

    /// Loads the current seq range; call once after migrations.
    [[nodiscard]] Result<void> load();

    [[nodiscard]] Result<protocol::Event> publish(const QString &kind, const QJsonObject &data);

    /// Events with seq > sinceSeq, oldest first. ResyncRequired when sinceSeq is older than what
    /// is kept, or newer than anything this engine ever issued (a client of another state dir).
    [[nodiscard]] Result<QList<protocol::Event>> since(qint64 sinceSeq);

    [[nodiscard]] qint64 latestSeq() const { return m_latestSeq; }
    [[nodiscard]] qint64 oldestSeq() const { return m_oldestSeq; }

Q_SIGNALS:
    void published(const hive::protocol::Event &event);

private:
    Result<void> trim();

    Database &m_db;
    const Clock &m_clock;
    qint64 m_historyLimit;
    qint64 m_latestSeq = 0;
    qint64 m_oldestSeq = 0;
    qint64 m_sinceTrim = 0;
};

} // namespace hive::engine
