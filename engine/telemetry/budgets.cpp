// SPDX-License-Identifier: MIT
#include "budgets.h"

#include "approvals/approvals.h"
#include "broker/questions.h"
#include "clock.h"
#include "configrepo/agentconfig.h"
#include "store/database.h"
#include "store/row.h"
#include "store/transaction.h"

#include <QLocale>
#include <QLoggingCategory>
#include <QTimeZone>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcBudgets, "hive.telemetry")

constexpr qint64 DayMs = 24LL * 3600 * 1000;
const QString Raised = QStringLiteral("raised");
const QString Declined = QStringLiteral("declined");

qint64 dayStart(const QDate &day)
{
    return QDateTime(day, QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
}

bool isExceeded(qint64 tokens, double cost, const protocol::BudgetStatus &status)
{
    return (status.tokensLimit && tokens >= *status.tokensLimit) ||
           (status.costLimitUsd && cost >= *status.costLimitUsd);
}

QString usd(double amount)
{
    return QStringLiteral("$") + QLocale(QLocale::English).toString(amount, 'f', 2);
}

} // namespace

Budgets::Budgets(Database &db, Questions &questions, const Clock &clock, BudgetLimitsSource limits, QObject *parent)
    : QObject(parent), m_db(db), m_questions(questions), m_clock(clock), m_limits(std::move(limits))
{
    connect(&m_questions, &Questions::questionResolved, this, &Budgets::questionResolved);
}

QString Budgets::dayOf(const QDateTime &time)
{
    return time.toUTC().date().toString(Qt::ISODate);
}

BudgetLimitsSource Budgets::deployedLimits(Approvals &approvals)
{
    return [&approvals](const QString &agent) -> Result<BudgetLimits> {
        auto deployed = approvals.deployedConfig(agent);
        if (!deployed)
            return fail(deployed.error());
        if (!*deployed)
            return BudgetLimits{};
        auto parsed = parseAgentConfig((*deployed)->toml);
        if (!parsed)
            return fail(parsed.error().wrapped(QStringLiteral("the deployed agent.toml of %1").arg(agent)));
        return BudgetLimits{parsed->budgetTokensPerDay, parsed->budgetCostPerDayUsd};
    };
}

Result<Budgets::Usage> Budgets::usage(const QString &agent, const QDate &day)
{
    Usage usage;
    const qint64 from = dayStart(day);
    // Today's rows are raw as long as telemetry.raw_retention_days >= 1; the hourly rows are read
    // as well so that the sum never depends on that.
    const Bindings bindings{
        {QStringLiteral(":agent"), agent}, {QStringLiteral(":from"), from}, {QStringLiteral(":to"), from + DayMs}};
    auto read = m_db.select(
        QStringLiteral("SELECT key, TOTAL(value) AS total FROM stats WHERE agent = :agent AND key IN ('tokens.input', "
                       "'tokens.output', 'tokens.cache_creation', 'cost_usd') AND ts >= :from AND ts < :to GROUP BY "
                       "key UNION ALL SELECT key, TOTAL(sum) AS total FROM stats_hourly WHERE agent = :agent AND key "
                       "IN ('tokens.input', 'tokens.output', 'tokens.cache_creation', 'cost_usd') AND hour >= :from "
                       "AND hour < :to GROUP BY key"),
        bindings, [&usage](const QSqlQuery &query) -> Result<void> {
            Row row(query);
            const QString key = row.text("key");
            const QVariant total = query.value(QStringLiteral("total"));
            if (auto status = row.status(); !status)
                return status;
            if (key == QLatin1String("cost_usd"))
                usage.cost += total.toDouble();
            else
                usage.tokens += static_cast<qint64>(total.toDouble());
            return {};
        });
    if (!read)
        return fail(read.error().wrapped(QStringLiteral("reading %1's usage").arg(agent)));
    return usage;
}

Result<protocol::BudgetStatus> Budgets::statusOn(const QString &agent, const QDate &day, const BudgetLimits &limits)
{
    protocol::BudgetStatus status;
    status.day = day.toString(Qt::ISODate);
    auto used = usage(agent, day);
    if (!used)
        return fail(used.error());
    status.tokensUsed = used->tokens;
    status.costUsedUsd = used->cost;

    qint64 raisedTokens = 0;
    double raisedCost = 0;
    auto raises = m_db.select(QStringLiteral("SELECT TOTAL(tokens) AS tokens, TOTAL(cost_usd) AS cost FROM "
                                             "budget_raises WHERE agent = :agent AND day = :day"),
                              {{QStringLiteral(":agent"), agent}, {QStringLiteral(":day"), status.day}},
                              [&](const QSqlQuery &query) -> Result<void> {
                                  raisedTokens = static_cast<qint64>(query.value(QStringLiteral("tokens")).toDouble());
                                  raisedCost = query.value(QStringLiteral("cost")).toDouble();
                                  return {};
                              });
    if (!raises)
        return fail(raises.error());
    if (limits.tokensPerDay)
        status.tokensLimit = *limits.tokensPerDay + raisedTokens;
    if (limits.costPerDayUsd)
        status.costLimitUsd = *limits.costPerDayUsd + raisedCost;
    status.exceeded = isExceeded(status.tokensUsed, status.costUsedUsd, status);

    auto open = m_db.select(QStringLiteral("SELECT b.question AS question FROM budget_questions b JOIN questions q ON "
                                           "q.id = b.question WHERE b.agent = :agent AND b.day = :day AND q.state = "
                                           "'open' ORDER BY b.question DESC LIMIT 1"),
                            {{QStringLiteral(":agent"), agent}, {QStringLiteral(":day"), status.day}},
                            [&status](const QSqlQuery &query) -> Result<void> {
                                Row row(query);
                                status.question = row.integer("question");
                                return row.status();
                            });
    if (!open)
        return fail(open.error());
    return status;
}

Result<protocol::BudgetStatus> Budgets::status(const QString &agent)
{
    auto limits = m_limits(agent);
    if (!limits)
        return fail(limits.error());
    return statusOn(agent, m_clock.now().toUTC().date(), *limits);
}

Result<protocol::BudgetStatus> Budgets::afterReport(const QString &agent, qint64 tokens, double cost)
{
    auto limits = m_limits(agent);
    if (!limits)
        return fail(limits.error());
    const QDate today = m_clock.now().toUTC().date();
    auto status = statusOn(agent, today, *limits);
    if (!status || !status->exceeded)
        return status;
    const bool wasExceeded = isExceeded(status->tokensUsed - tokens, status->costUsedUsd - cost, *status);
    if (status->question) {
        if (!wasExceeded)
            Q_EMIT budgetChanged(agent, *status);
        return status;
    }

    // Today's latest budget question decides: none yet, or a raise that is used up now, asks
    // (again); one the operator declined (or let expire) does not.
    std::optional<qint64> latest;
    std::optional<QString> outcome;
    auto read = m_db.select(QStringLiteral("SELECT question, outcome FROM budget_questions WHERE agent = :agent AND "
                                           "day = :day ORDER BY question DESC LIMIT 1"),
                            {{QStringLiteral(":agent"), agent}, {QStringLiteral(":day"), status->day}},
                            [&](const QSqlQuery &query) -> Result<void> {
                                Row row(query);
                                latest = row.integer("question");
                                outcome = row.optionalText("outcome");
                                return row.status();
                            });
    if (!read)
        return fail(read.error());
    if (latest && !outcome) {
        // Resolved, but its outcome not applied yet (it cannot be open: status has no question).
        auto settled = settle(*latest);
        if (!settled)
            return fail(settled.error());
        if (*settled)
            return afterReport(agent, tokens, cost); // once: it has an outcome now
        outcome = Declined;                          // cannot be settled (gone): do not ask again today
    }
    if (outcome == Declined) {
        if (!wasExceeded)
            Q_EMIT budgetChanged(agent, *status);
        return status;
    }
    auto asked = ask(agent, *status);
    if (!asked) {
        // The report is stored and the status is right; the next report asks again.
        qCWarning(lcBudgets).noquote()
            << QStringLiteral("asking the operator about %1's budget failed: %2").arg(agent, asked.error().message);
    } else {
        status->question = *asked;
    }
    Q_EMIT budgetChanged(agent, *status);
    return status;
}

Result<qint64> Budgets::ask(const QString &agent, const protocol::BudgetStatus &status)
{
    const QLocale english(QLocale::English);
    QStringList used;
    if (status.tokensLimit && status.tokensUsed >= *status.tokensLimit) {
        used << QStringLiteral("%1 of %2 tokens")
                    .arg(english.toString(status.tokensUsed), english.toString(*status.tokensLimit));
    }
    if (status.costLimitUsd && status.costUsedUsd >= *status.costLimitUsd)
        used << QStringLiteral("%1 of %2").arg(usd(status.costUsedUsd), usd(*status.costLimitUsd));
    protocol::AskParams params;
    params.question = QStringLiteral("%1 has used %2 today. Raise today's budget or wait until tomorrow (00:00 UTC)?")
                          .arg(agent, used.join(QStringLiteral(" and ")));
    params.options = {QString::fromLatin1(RaiseOption), QString::fromLatin1(WaitOption)};
    // The question is about today: it expires when the day (and the budget) rolls over.
    const QDateTime now = m_clock.now().toUTC();
    const QDateTime midnight(now.date().addDays(1), QTime(0, 0), QTimeZone::utc());
    params.ttlSeconds = static_cast<int>(std::max<qint64>(60, now.secsTo(midnight)));
    AskOptions options;
    options.tellAsker = false;
    options.record = [&](qint64 id) -> Result<void> {
        auto recorded = m_db.write(
            QStringLiteral("INSERT INTO budget_questions (question, agent, day) VALUES (:question, :agent, :day)"),
            {{QStringLiteral(":question"), id},
             {QStringLiteral(":agent"), agent},
             {QStringLiteral(":day"), status.day}});
        if (!recorded)
            return fail(recorded.error());
        return {};
    };
    auto asked = m_questions.ask(agent, params, options);
    if (!asked)
        return fail(asked.error());
    qCInfo(lcBudgets).noquote() << QStringLiteral("%1 is over its budget for %2; asked the operator (question %3)")
                                       .arg(agent, status.day)
                                       .arg(asked->id);
    return asked->id;
}

Result<bool> Budgets::settle(qint64 id)
{
    QString agent;
    QString day;
    QString state;
    std::optional<QString> answer;
    bool pending = false;
    auto read =
        m_db.select(QStringLiteral("SELECT b.agent AS agent, b.day AS day, q.state AS state, q.answer AS answer "
                                   "FROM budget_questions b JOIN questions q ON q.id = b.question WHERE "
                                   "b.question = :id AND b.outcome IS NULL"),
                    {{QStringLiteral(":id"), id}}, [&](const QSqlQuery &query) -> Result<void> {
                        Row row(query);
                        agent = row.text("agent");
                        day = row.text("day");
                        state = row.text("state");
                        answer = row.optionalText("answer");
                        pending = true;
                        return row.status();
                    });
    if (!read)
        return fail(read.error());
    if (!pending || state == QLatin1String("open"))
        return false;
    const bool raise = state == QLatin1String("answered") && answer &&
                       answer->trimmed().startsWith(QLatin1String("raise"), Qt::CaseInsensitive);
    BudgetLimits limits;
    if (raise) {
        auto found = m_limits(agent);
        if (!found)
            return fail(found.error());
        limits = *found;
    }

    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());
    auto marked = m_db.write(
        QStringLiteral("UPDATE budget_questions SET outcome = :outcome WHERE question = :id AND outcome IS NULL"),
        {{QStringLiteral(":outcome"), raise ? Raised : Declined}, {QStringLiteral(":id"), id}});
    if (!marked)
        return fail(marked.error());
    if (marked->rowsAffected == 0)
        return false;
    if (raise) {
        auto added =
            m_db.write(QStringLiteral("INSERT INTO budget_raises (agent, day, tokens, cost_usd, question, "
                                      "created_at) VALUES (:agent, :day, :tokens, :cost, :question, :now)"),
                       {{QStringLiteral(":agent"), agent},
                        {QStringLiteral(":day"), day},
                        {QStringLiteral(":tokens"), limits.tokensPerDay ? QVariant(*limits.tokensPerDay) : QVariant()},
                        {QStringLiteral(":cost"), limits.costPerDayUsd ? QVariant(*limits.costPerDayUsd) : QVariant()},
                        {QStringLiteral(":question"), id},
                        {QStringLiteral(":now"), toDbTime(m_clock.now())}});
        if (!added)
            return fail(added.error());
    }
    if (auto committed = tx.commit(); !committed)
        return fail(committed.error());
    qCInfo(lcBudgets).noquote()
        << QStringLiteral("budget question %1 of %2 for %3: %4").arg(id).arg(agent, day, raise ? Raised : Declined);
    auto status = this->status(agent);
    if (!status)
        return fail(status.error());
    Q_EMIT budgetChanged(agent, *status);
    return true;
}

void Budgets::questionResolved(const protocol::Question &question)
{
    if (auto settled = settle(question.id); !settled)
        qCWarning(lcBudgets).noquote() << "settling budget question" << question.id
                                       << "failed:" << settled.error().message;
}

Result<void> Budgets::reconcile()
{
    QList<qint64> unsettled;
    auto read = m_db.select(QStringLiteral("SELECT b.question AS question FROM budget_questions b JOIN questions q ON "
                                           "q.id = b.question WHERE b.outcome IS NULL AND q.state <> 'open'"),
                            {}, [&unsettled](const QSqlQuery &query) -> Result<void> {
                                Row row(query);
                                unsettled.append(row.integer("question"));
                                return row.status();
                            });
    if (!read)
        return fail(read.error());
    for (const qint64 id : std::as_const(unsettled)) {
        if (auto settled = settle(id); !settled)
            return fail(settled.error());
    }
    return {};
}

} // namespace hive::engine
