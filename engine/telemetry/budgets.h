// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/questions.h"
#include "protocol/telemetry.h"
#include "result.h"

#include <QDate>
#include <QObject>

#include <functional>

namespace hive::engine {

class Approvals;
class Clock;
class Database;
class Questions;

/// An agent's daily limits as its deployed agent.toml sets them (absent: no limit).
struct BudgetLimits {
    std::optional<qint64> tokensPerDay;
    std::optional<double> costPerDayUsd;
};
using BudgetLimitsSource = std::function<Result<BudgetLimits>(const QString &agent)>;

/// The agents' daily budgets (UTC days). Usage is today's `tokens.input`, `tokens.output` and
/// `tokens.cache_creation` (cache reads are billed at a tenth and would dominate the count; the
/// cost limit covers them) and `cost_usd` in the stats tables; the limits are the deployed
/// agent.toml's plus one more day-limit per raise today (`budget_raises`).
///
/// When a turn report takes an agent over a limit, the engine asks the operator on the agent's
/// behalf (a question that expires at the next UTC midnight and whose outcome is not sent to the
/// agent's inbox) whether to raise today's budget. An answer starting with "Raise" adds a
/// day-limit for the question's day; any other outcome leaves the agent over budget until the
/// day rolls over, and no new question is asked that day unless a later raise is used up too.
class Budgets : public QObject
{
    Q_OBJECT
public:
    static constexpr char RaiseOption[] = "Raise by 100% for today";
    static constexpr char WaitOption[] = "Wait until tomorrow";

    Budgets(Database &db, Questions &questions, const Clock &clock, BudgetLimitsSource limits,
            QObject *parent = nullptr);

    [[nodiscard]] Result<protocol::BudgetStatus> status(const QString &agent);
    /// After a report of `tokens` (budgeted) and `cost` was stored: the status; asks the operator
    /// when the agent is over a limit and today's question is not settled already.
    [[nodiscard]] Result<protocol::BudgetStatus> afterReport(const QString &agent, qint64 tokens, double cost);
    /// A question was resolved: settles it if it is a budget question.
    void questionResolved(const protocol::Question &question);
    /// Settles the budget questions resolved while nobody listened (the engine was down when they
    /// expired, or it stopped between the answer and its effect).
    [[nodiscard]] Result<void> reconcile();

    [[nodiscard]] static QString dayOf(const QDateTime &time);
    /// The limits of the agent.toml each agent runs (none before its first deploy).
    [[nodiscard]] static BudgetLimitsSource deployedLimits(Approvals &approvals);

Q_SIGNALS:
    /// Over a limit (first time or asked again), raised, or its question settled.
    void budgetChanged(const QString &agent, const hive::protocol::BudgetStatus &budget);

private:
    struct Usage {
        qint64 tokens = 0;
        double cost = 0;
    };
    Result<Usage> usage(const QString &agent, const QDate &day);
    Result<protocol::BudgetStatus> statusOn(const QString &agent, const QDate &day, const BudgetLimits &limits);
    Result<qint64> ask(const QString &agent, const protocol::BudgetStatus &status);
    /// Applies the outcome of budget question `id` unless it is open or settled; true if it settled it now.
    Result<bool> settle(qint64 id);

    Database &m_db;
    Questions &m_questions;
    const Clock &m_clock;
    BudgetLimitsSource m_limits;
};

} // namespace hive::engine
