// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/questions.h"
#include "result.h"

#include <QObject>

#include <functional>

class QTimer;

namespace hive::engine {

class AgentRegistry;
class Broker;
class Clock;
class Database;

/// How a question is asked besides its params.
struct AskOptions {
    /// false: the engine asks on the asker's behalf (a budget question), and the outcome is not
    /// sent to the asker's inbox (stored as questions.tell_asker).
    bool tellAsker = true;
    /// More writes that belong to the question, run in its transaction with its id.
    std::function<Result<void>(qint64 id)> record;
};

/// Questions from agents to the operator or a peer. `ask` returns an id at once; the answer
/// reaches the asker later as a system message {event: "question_answered", ...}; a peer target
/// is told with {event: "question_asked", ...}. Each change and the system message it causes are
/// one transaction. Open questions expire at their deadline with the answer "[expired]"; the
/// deadline survives restarts (it is checked again at load()).
class Questions : public QObject
{
    Q_OBJECT
public:
    static constexpr char ExpiredAnswer[] = "[expired]";

    Questions(Database &db, AgentRegistry &agents, Broker &broker, const Clock &clock, QObject *parent = nullptr);

    /// Expires what ran out while the engine was down and schedules the next deadline.
    [[nodiscard]] Result<void> load();

    [[nodiscard]] Result<protocol::AskResult> ask(const QString &asker, const protocol::AskParams &params,
                                                  const AskOptions &options = {});
    /// `by` is the target agent or "operator" (who may answer any question, a peer's included).
    [[nodiscard]] Result<protocol::Question> answer(const QString &by, qint64 id, const QString &answer);
    /// Only the asker (or the operator) may cancel; the target is told.
    [[nodiscard]] Result<protocol::Question> cancel(const QString &by, qint64 id);
    [[nodiscard]] Result<protocol::Question> get(qint64 id);
    /// Open questions, oldest first: all of them, or those asked by or of `agent`.
    [[nodiscard]] Result<QList<protocol::Question>> open(const QString &agent = {});
    /// A page for question_list, newest first.
    [[nodiscard]] Result<protocol::QuestionListResult> list(const protocol::QuestionListParams &params);
    /// Answers every open question past its deadline with "[expired]"; returns how many.
    [[nodiscard]] Result<qint64> expireDue();

Q_SIGNALS:
    void questionAdded(const hive::protocol::Question &question);
    void questionResolved(const hive::protocol::Question &question);

private:
    /// Moves an open question to `state` and writes the system message about it, in one
    /// transaction; then publishes both.
    Result<protocol::Question> resolve(const protocol::Question &question, const QString &state,
                                       const std::optional<QString> &answer, const QString &by);
    void scheduleNext();

    Database &m_db;
    AgentRegistry &m_agents;
    Broker &m_broker;
    const Clock &m_clock;
    QTimer *m_timer;
};

} // namespace hive::engine
