// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/questions.h"
#include "result.h"

#include <QObject>

class QTimer;

namespace hive::engine {

class AgentRegistry;
class Broker;
class Clock;
class Database;

/// Questions from agents to the operator or a peer. `ask` returns an id at once; the answer
/// reaches the asker later as a system message {event: "question_answered", ...}; a peer target
/// is told with {event: "question_asked", ...}. Open questions expire at their deadline with the
/// answer "[expired]"; the deadline survives restarts (it is checked again at load()).
class Questions : public QObject
{
    Q_OBJECT
public:
    static constexpr char ExpiredAnswer[] = "[expired]";

    Questions(Database &db, AgentRegistry &agents, Broker &broker, const Clock &clock, QObject *parent = nullptr);

    /// Expires what ran out while the engine was down and schedules the next deadline.
    [[nodiscard]] Result<void> load();

    [[nodiscard]] Result<protocol::AskResult> ask(const QString &asker, const protocol::AskParams &params);
    /// `by` is the target agent or "operator" (who may answer any question).
    [[nodiscard]] Result<protocol::AnswerResult> answer(const QString &by, const protocol::AnswerParams &params);
    /// Only the asker (or the operator) may cancel.
    [[nodiscard]] Result<void> cancel(const QString &by, qint64 id);
    [[nodiscard]] Result<protocol::Question> get(qint64 id);
    /// Open questions asked by or of `agent` (all open ones when empty).
    [[nodiscard]] Result<QList<protocol::Question>> open(const QString &agent = {});
    /// Answers every open question past its deadline with "[expired]"; returns how many.
    [[nodiscard]] Result<qint64> expireDue();

Q_SIGNALS:
    void questionAdded(const hive::protocol::Question &question);
    void questionResolved(const hive::protocol::Question &question);

private:
    Result<protocol::Question> resolve(qint64 id, const QString &state, const QString &answer, const QString &by);
    void tell(const QString &agent, const QJsonObject &event);
    void scheduleNext();

    Database &m_db;
    AgentRegistry &m_agents;
    Broker &m_broker;
    const Clock &m_clock;
    QTimer *m_timer;
};

} // namespace hive::engine
