// SPDX-License-Identifier: MIT
#include "questions.h"

#include "agentregistry.h"
#include "broker.h"
#include "clock.h"
#include "jsonreader.h"
#include "store/database.h"
#include "store/row.h"
#include "store/transaction.h"
#include "timers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimer>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcQuestions, "hive.questions")

constexpr std::chrono::seconds RetryAfterFailure{30};
const QString Operator = QStringLiteral("operator");
const QString System = QStringLiteral("system");
const QString Columns = QStringLiteral("id, asker, target, question, options, multi, asked_at, expires_at, state, "
                                       "answer, answered_by, answered_at");

Result<protocol::Question> readQuestion(Row &row)
{
    protocol::Question question;
    question.id = row.integer("id");
    question.asker = row.text("asker");
    question.target = row.text("target");
    question.question = row.text("question");
    const QJsonArray options = QJsonDocument::fromJson(row.text("options").toUtf8()).array();
    for (const auto &option : options)
        question.options << option.toString();
    question.multi = row.integer("multi") != 0;
    question.askedAt = row.time("asked_at");
    question.expiresAt = row.time("expires_at");
    question.state = row.text("state");
    question.answer = row.optionalText("answer");
    question.answeredBy = row.optionalText("answered_by");
    question.answeredAt = row.optionalTime("answered_at");
    if (auto status = row.status(); !status)
        return fail(status.error().wrapped(QStringLiteral("reading question")));
    return question;
}

Result<QList<protocol::Question>> readQuestions(Result<QSqlQuery> query)
{
    if (!query)
        return fail(query.error());
    QList<protocol::Question> questions;
    while (query->next()) {
        Row row(*query);
        auto question = readQuestion(row);
        if (!question)
            return fail(question.error());
        questions.append(std::move(*question));
    }
    return questions;
}

bool isAgent(const QString &name)
{
    return name != Operator && name != System;
}

} // namespace

Questions::Questions(Database &db, AgentRegistry &agents, Broker &broker, const Clock &clock, QObject *parent)
    : QObject(parent), m_db(db), m_agents(agents), m_broker(broker), m_clock(clock), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (auto expired = expireDue(); !expired)
            qCWarning(lcQuestions).noquote() << "expiring questions failed:" << expired.error().message;
    });
}

Result<void> Questions::load()
{
    auto expired = expireDue();
    if (!expired)
        return fail(expired.error());
    return {};
}

Result<protocol::AskResult> Questions::ask(const QString &asker, const protocol::AskParams &params,
                                           const AskOptions &options)
{
    if (params.to == asker)
        return fail(ErrorCode::InvalidParams, QStringLiteral("invalid field 'to': an agent cannot ask itself"));
    if (params.to != Operator) {
        if (params.to == System || params.to == QLatin1String("*")) {
            return fail(ErrorCode::InvalidParams,
                        QStringLiteral("invalid field 'to': ask the operator or one agent, not '%1'").arg(params.to));
        }
        auto target = m_agents.find(params.to);
        if (!target)
            return fail(target.error());
        if (!*target)
            return fail(ErrorCode::NotFound, QStringLiteral("invalid field 'to': unknown agent '%1'").arg(params.to));
        // A question is a message too: the asker's allow-list applies (the operator is always reachable).
        if (auto allowed = m_broker.checkAllowed(asker, params.to); !allowed)
            return fail(allowed.error());
    }
    const QDateTime now = m_clock.now();
    const QDateTime expires = now.addSecs(params.ttlSeconds);
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());
    auto inserted = m_db.exec(
        QStringLiteral("INSERT INTO questions (asker, target, question, options, multi, asked_at, expires_at, "
                       "tell_asker) VALUES (:asker, :target, :question, :options, :multi, :now, :expires, :tell)"),
        {{QStringLiteral(":asker"), asker},
         {QStringLiteral(":target"), params.to},
         {QStringLiteral(":question"), params.question},
         {QStringLiteral(":options"),
          QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(params.options)).toJson(QJsonDocument::Compact))},
         {QStringLiteral(":multi"), params.multi ? 1 : 0},
         {QStringLiteral(":now"), toDbTime(now)},
         {QStringLiteral(":expires"), toDbTime(expires)},
         {QStringLiteral(":tell"), options.tellAsker ? 1 : 0}});
    if (!inserted)
        return fail(inserted.error().wrapped(QStringLiteral("storing the question")));
    const qint64 id = inserted->lastInsertId().toLongLong();
    if (options.record) {
        if (auto recorded = options.record(id); !recorded)
            return fail(recorded.error());
    }
    QList<protocol::Message> notices;
    if (isAgent(params.to)) {
        // The operator follows questions through API events; a peer gets a message.
        auto told = m_broker.enqueueEvent(
            params.to, QJsonObject{{QStringLiteral("event"), QStringLiteral("question_asked")},
                                   {QStringLiteral("id"), id},
                                   {QStringLiteral("from"), asker},
                                   {QStringLiteral("question"), params.question},
                                   {QStringLiteral("options"), QJsonArray::fromStringList(params.options)},
                                   {QStringLiteral("multi"), params.multi},
                                   {QStringLiteral("expires_at"), toWireTime(expires)}});
        if (!told)
            return fail(told.error().wrapped(QStringLiteral("telling %1 about the question").arg(params.to)));
        notices = std::move(*told);
    }
    if (auto committed = tx.commit(); !committed)
        return fail(committed.error());
    m_broker.publish(notices);
    protocol::Question question;
    question.id = id;
    question.asker = asker;
    question.target = params.to;
    question.question = params.question;
    question.options = params.options;
    question.multi = params.multi;
    question.askedAt = now;
    question.expiresAt = expires;
    question.state = QStringLiteral("open");
    Q_EMIT questionAdded(question);
    scheduleNext();
    return protocol::AskResult{id, expires};
}

Result<protocol::Question> Questions::get(qint64 id)
{
    auto query = m_db.exec(QStringLiteral("SELECT %1 FROM questions WHERE id = :id").arg(Columns),
                           {{QStringLiteral(":id"), id}});
    if (!query)
        return fail(query.error());
    if (!query->next())
        return fail(ErrorCode::NotFound, QStringLiteral("no question %1").arg(id));
    Row row(*query);
    return readQuestion(row);
}

Result<protocol::Question> Questions::resolve(const protocol::Question &question, const QString &state,
                                              const std::optional<QString> &answer, const QString &by)
{
    const QDateTime now = m_clock.now();
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());
    // Only an open question changes: a second answer (or an answer racing the expiry) loses.
    auto updated = m_db.exec(QStringLiteral("UPDATE questions SET state = :state, answer = :answer, answered_by = :by, "
                                            "answered_at = :now WHERE id = :id AND state = 'open'"),
                             {{QStringLiteral(":state"), state},
                              {QStringLiteral(":answer"), answer ? QVariant(*answer) : QVariant()},
                              {QStringLiteral(":by"), by},
                              {QStringLiteral(":now"), toDbTime(now)},
                              {QStringLiteral(":id"), question.id}});
    if (!updated)
        return fail(updated.error());
    if (updated->numRowsAffected() != 1)
        return fail(ErrorCode::InvalidParams, QStringLiteral("question %1 is no longer open").arg(question.id));

    // The asker hears the outcome, except of its own cancellation and of a question the engine
    // asked on its behalf; the target hears that a question it was asked went away.
    auto tellAsker = m_db.scalar(QStringLiteral("SELECT tell_asker FROM questions WHERE id = :id"),
                                 {{QStringLiteral(":id"), question.id}});
    if (!tellAsker)
        return fail(tellAsker.error());
    QList<protocol::Message> notices;
    const auto tell = [&](const QString &agent, const QJsonObject &event) -> Result<void> {
        if (!isAgent(agent) || agent == by || (agent == question.asker && *tellAsker == 0))
            return {};
        auto told = m_broker.enqueueEvent(agent, event);
        if (!told && told.error().code == ErrorCode::NotFound) {
            // The agent is gone: the question still changes; there is nobody left to tell.
            qCInfo(lcQuestions).noquote() << "question" << question.id << ":" << agent << "is gone, not told";
            return {};
        }
        if (!told)
            return fail(
                told.error().wrapped(QStringLiteral("telling %1 about question %2").arg(agent).arg(question.id)));
        notices.append(*told);
        return {};
    };
    Result<void> told;
    if (state == QLatin1String("cancelled")) {
        const QJsonObject event{{QStringLiteral("event"), QStringLiteral("question_cancelled")},
                                {QStringLiteral("id"), question.id},
                                {QStringLiteral("question"), question.question},
                                {QStringLiteral("by"), by}};
        told = tell(question.asker, event);
        if (told)
            told = tell(question.target, event);
    } else {
        told = tell(question.asker, QJsonObject{{QStringLiteral("event"), QStringLiteral("question_answered")},
                                                {QStringLiteral("id"), question.id},
                                                {QStringLiteral("question"), question.question},
                                                {QStringLiteral("answer"), answer.value_or(QString())},
                                                {QStringLiteral("answered_by"), by}});
        // A peer question the operator (or the expiry) settled: the target need not answer any more.
        if (told && by != question.target) {
            told = tell(question.target, QJsonObject{{QStringLiteral("event"), QStringLiteral("question_closed")},
                                                     {QStringLiteral("id"), question.id},
                                                     {QStringLiteral("state"), state},
                                                     {QStringLiteral("answered_by"), by}});
        }
    }
    if (!told)
        return fail(told.error());
    if (auto committed = tx.commit(); !committed)
        return fail(committed.error());
    m_broker.publish(notices);

    protocol::Question resolved = question;
    resolved.state = state;
    resolved.answer = answer;
    resolved.answeredBy = by;
    resolved.answeredAt = now;
    Q_EMIT questionResolved(resolved);
    scheduleNext();
    return resolved;
}

Result<protocol::Question> Questions::answer(const QString &by, qint64 id, const QString &answer)
{
    auto question = get(id);
    if (!question)
        return fail(question.error());
    if (by != Operator && by != question->target) {
        return fail(
            ErrorCode::Forbidden,
            question->asker == by
                ? QStringLiteral("question %1 is yours: it waits for %2 to answer").arg(id).arg(question->target)
                : QStringLiteral("question %1 is for %2: only %2 may answer it").arg(id).arg(question->target));
    }
    if (question->state != QLatin1String("open")) {
        return fail(ErrorCode::InvalidParams, QStringLiteral("question %1 is already %2").arg(id).arg(question->state),
                    QJsonObject{{QStringLiteral("state"), question->state}});
    }
    return resolve(*question, QStringLiteral("answered"), answer, by);
}

Result<protocol::Question> Questions::cancel(const QString &by, qint64 id)
{
    auto question = get(id);
    if (!question)
        return fail(question.error());
    if (by != Operator && by != question->asker) {
        return fail(ErrorCode::Forbidden,
                    QStringLiteral("question %1 was asked by %2: only %2 may cancel it; answer it instead")
                        .arg(id)
                        .arg(question->asker));
    }
    if (question->state != QLatin1String("open")) {
        return fail(ErrorCode::InvalidParams, QStringLiteral("question %1 is already %2").arg(id).arg(question->state),
                    QJsonObject{{QStringLiteral("state"), question->state}});
    }
    return resolve(*question, QStringLiteral("cancelled"), std::nullopt, by);
}

Result<QList<protocol::Question>> Questions::open(const QString &agent)
{
    QString sql = QStringLiteral("SELECT %1 FROM questions WHERE state = 'open'").arg(Columns);
    Bindings bindings;
    if (!agent.isEmpty()) {
        sql += QStringLiteral(" AND (asker = :agent OR target = :agent)");
        bindings.emplace_back(QStringLiteral(":agent"), agent);
    }
    return readQuestions(m_db.exec(sql + QStringLiteral(" ORDER BY id"), bindings));
}

Result<protocol::QuestionListResult> Questions::list(const protocol::QuestionListParams &params)
{
    QStringList where;
    Bindings bindings{{QStringLiteral(":limit"), params.limit + 1}}; // one more: is there an older page?
    if (params.state != QLatin1String("all")) {
        where << QStringLiteral("state = :state");
        bindings.emplace_back(QStringLiteral(":state"), params.state);
    }
    if (params.agent) {
        where << QStringLiteral("(asker = :agent OR target = :agent)");
        bindings.emplace_back(QStringLiteral(":agent"), *params.agent);
    }
    if (params.beforeId) {
        where << QStringLiteral("id < :before");
        bindings.emplace_back(QStringLiteral(":before"), *params.beforeId);
    }
    const QString filter =
        where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    auto questions = readQuestions(m_db.exec(
        QStringLiteral("SELECT %1 FROM questions%2 ORDER BY id DESC LIMIT :limit").arg(Columns, filter), bindings));
    if (!questions)
        return fail(questions.error());
    protocol::QuestionListResult result;
    result.hasMore = questions->size() > params.limit;
    if (result.hasMore)
        questions->removeLast();
    result.questions = std::move(*questions);
    return result;
}

Result<qint64> Questions::expireDue()
{
    auto due = readQuestions(m_db.exec(
        QStringLiteral("SELECT %1 FROM questions WHERE state = 'open' AND expires_at <= :now ORDER BY id").arg(Columns),
        {{QStringLiteral(":now"), toDbTime(m_clock.now())}}));
    if (!due)
        return fail(due.error());
    qint64 expired = 0;
    bool failed = false;
    for (const protocol::Question &question : std::as_const(*due)) {
        // One question that cannot expire must not hold back the others (nor the engine's start).
        if (auto resolved = resolve(question, QStringLiteral("expired"), QString::fromLatin1(ExpiredAnswer), System)) {
            ++expired;
        } else {
            failed = true;
            qCWarning(lcQuestions).noquote()
                << "question" << question.id << "could not expire:" << resolved.error().message;
        }
    }
    if (failed)
        m_timer->start(RetryAfterFailure); // not a busy loop on a persistent fault
    else
        scheduleNext();
    return expired;
}

void Questions::scheduleNext()
{
    auto next = m_db.scalar(QStringLiteral("SELECT COALESCE(MIN(expires_at), 0) FROM questions WHERE state = 'open'"));
    if (!next || *next == 0) {
        m_timer->stop();
        return;
    }
    startTimerUntil(*m_timer, *next, m_clock);
}

} // namespace hive::engine
