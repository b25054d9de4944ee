// SPDX-License-Identifier: MIT
#include "questions.h"

#include "agentregistry.h"
#include "broker.h"
#include "clock.h"
#include "jsonreader.h"
#include "store/database.h"
#include "store/row.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimer>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcQuestions, "hive.questions")

const QString Operator = QStringLiteral("operator");
const QString Columns = QStringLiteral("id, asker, target, question, options, multi, asked_at, expires_at, state, "
                                       "answer, answered_by");

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
    if (auto status = row.status(); !status)
        return fail(status.error().wrapped(QStringLiteral("reading question")));
    return question;
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

void Questions::tell(const QString &agent, const QJsonObject &event)
{
    if (agent == Operator)
        return; // the operator follows questions through API events, not an inbox
    const QString body = QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact));
    auto sent = m_broker.send(QStringLiteral("system"), protocol::SendParams{agent, body, std::nullopt});
    if (!sent) {
        qCWarning(lcQuestions).noquote() << "cannot tell" << agent << "about question"
                                         << event.value(QLatin1String("id")).toInteger() << ":" << sent.error().message;
    }
}

Result<protocol::AskResult> Questions::ask(const QString &asker, const protocol::AskParams &params)
{
    if (params.to == asker)
        return fail(ErrorCode::InvalidParams, QStringLiteral("invalid field 'to': an agent cannot ask itself"));
    if (params.to != Operator) {
        if (params.to == QLatin1String("system") || params.to == QLatin1String("*")) {
            return fail(ErrorCode::InvalidParams,
                        QStringLiteral("invalid field 'to': ask the operator or one agent, not '%1'").arg(params.to));
        }
        auto target = m_agents.find(params.to);
        if (!target)
            return fail(target.error());
        if (!*target)
            return fail(ErrorCode::NotFound, QStringLiteral("unknown agent '%1'").arg(params.to));
    }
    const QDateTime now = m_clock.now();
    const QDateTime expires = now.addSecs(params.ttlSeconds);
    auto inserted = m_db.exec(
        QStringLiteral("INSERT INTO questions (asker, target, question, options, multi, asked_at, expires_at) "
                       "VALUES (:asker, :target, :question, :options, :multi, :now, :expires)"),
        {{QStringLiteral(":asker"), asker},
         {QStringLiteral(":target"), params.to},
         {QStringLiteral(":question"), params.question},
         {QStringLiteral(":options"),
          QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(params.options)).toJson(QJsonDocument::Compact))},
         {QStringLiteral(":multi"), params.multi ? 1 : 0},
         {QStringLiteral(":now"), toDbTime(now)},
         {QStringLiteral(":expires"), toDbTime(expires)}});
    if (!inserted)
        return fail(inserted.error());
    const qint64 id = inserted->lastInsertId().toLongLong();
    const protocol::Question question{id,           asker, params.to, params.question,        params.options,
                                      params.multi, now,   expires,   QStringLiteral("open"), std::nullopt,
                                      std::nullopt};
    tell(params.to, QJsonObject{{QStringLiteral("event"), QStringLiteral("question_asked")},
                                {QStringLiteral("id"), id},
                                {QStringLiteral("from"), asker},
                                {QStringLiteral("question"), params.question},
                                {QStringLiteral("options"), QJsonArray::fromStringList(params.options)},
                                {QStringLiteral("multi"), params.multi},
                                {QStringLiteral("expires_at"), toWireTime(expires)}});
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

Result<protocol::Question> Questions::resolve(qint64 id, const QString &state, const QString &answer, const QString &by)
{
    // Only an open question changes: a second answer (or an answer racing the expiry) loses.
    auto updated = m_db.exec(QStringLiteral("UPDATE questions SET state = :state, answer = :answer, answered_by = :by, "
                                            "answered_at = :now WHERE id = :id AND state = 'open'"),
                             {{QStringLiteral(":state"), state},
                              {QStringLiteral(":answer"), answer},
                              {QStringLiteral(":by"), by},
                              {QStringLiteral(":now"), toDbTime(m_clock.now())},
                              {QStringLiteral(":id"), id}});
    if (!updated)
        return fail(updated.error());
    if (updated->numRowsAffected() != 1)
        return fail(ErrorCode::InvalidParams, QStringLiteral("question %1 is no longer open").arg(id));
    auto question = get(id);
    if (!question)
        return question;
    Q_EMIT questionResolved(*question);
    scheduleNext();
    return question;
}

Result<protocol::AnswerResult> Questions::answer(const QString &by, const protocol::AnswerParams &params)
{
    auto question = get(params.id);
    if (!question)
        return fail(question.error());
    if (by != Operator && by != question->target) {
        return fail(ErrorCode::Forbidden,
                    QStringLiteral("question %1 is for %2: only %2 (or the operator) may answer it")
                        .arg(params.id)
                        .arg(question->target));
    }
    if (question->state != QLatin1String("open"))
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("question %1 is already %2").arg(params.id).arg(question->state));
    auto resolved = resolve(params.id, QStringLiteral("answered"), params.answer, by);
    if (!resolved)
        return fail(resolved.error());
    tell(resolved->asker, QJsonObject{{QStringLiteral("event"), QStringLiteral("question_answered")},
                                      {QStringLiteral("id"), params.id},
                                      {QStringLiteral("question"), resolved->question},
                                      {QStringLiteral("answer"), params.answer},
                                      {QStringLiteral("answered_by"), by}});
    return protocol::AnswerResult{params.id};
}

Result<void> Questions::cancel(const QString &by, qint64 id)
{
    auto question = get(id);
    if (!question)
        return fail(question.error());
    if (by != Operator && by != question->asker) {
        return fail(ErrorCode::Forbidden,
                    QStringLiteral("question %1 was asked by %2: only %2 may cancel it").arg(id).arg(question->asker));
    }
    auto resolved = resolve(id, QStringLiteral("cancelled"), QString(), by);
    if (!resolved)
        return fail(resolved.error());
    tell(resolved->target, QJsonObject{{QStringLiteral("event"), QStringLiteral("question_cancelled")},
                                       {QStringLiteral("id"), id},
                                       {QStringLiteral("by"), by}});
    return {};
}

Result<QList<protocol::Question>> Questions::open(const QString &agent)
{
    QString sql = QStringLiteral("SELECT %1 FROM questions WHERE state = 'open'").arg(Columns);
    Bindings bindings;
    if (!agent.isEmpty()) {
        sql += QStringLiteral(" AND (asker = :agent OR target = :agent)");
        bindings.emplace_back(QStringLiteral(":agent"), agent);
    }
    auto query = m_db.exec(sql + QStringLiteral(" ORDER BY id"), bindings);
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

Result<qint64> Questions::expireDue()
{
    auto due = m_db.exec(QStringLiteral("SELECT id FROM questions WHERE state = 'open' AND expires_at <= :now ORDER BY "
                                        "id"),
                         {{QStringLiteral(":now"), toDbTime(m_clock.now())}});
    if (!due)
        return fail(due.error());
    QList<qint64> ids;
    while (due->next())
        ids << due->value(0).toLongLong();
    due->finish();
    for (qint64 id : std::as_const(ids)) {
        auto resolved =
            resolve(id, QStringLiteral("expired"), QString::fromLatin1(ExpiredAnswer), QStringLiteral("system"));
        if (!resolved)
            return fail(resolved.error());
        tell(resolved->asker, QJsonObject{{QStringLiteral("event"), QStringLiteral("question_answered")},
                                          {QStringLiteral("id"), id},
                                          {QStringLiteral("question"), resolved->question},
                                          {QStringLiteral("answer"), QString::fromLatin1(ExpiredAnswer)},
                                          {QStringLiteral("answered_by"), QStringLiteral("system")}});
    }
    scheduleNext();
    return ids.size();
}

void Questions::scheduleNext()
{
    auto next = m_db.scalar(QStringLiteral("SELECT COALESCE(MIN(expires_at), 0) FROM questions WHERE state = 'open'"));
    if (!next || *next == 0) {
        m_timer->stop();
        return;
    }
    const qint64 wait = std::max<qint64>(0, *next - toDbTime(m_clock.now()));
    m_timer->start(std::chrono::milliseconds(wait));
}

} // namespace hive::engine
