// SPDX-License-Identifier: MIT
// Daily budgets on a real SQLite file and a fake clock: usage per UTC day, the operator question
// when a report goes over a limit (exactly one), raise and wait, the day rolling over, no limits,
// and that the question's outcome never reaches the agent's inbox.
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "broker/questions.h"
#include "fakeclock.h"
#include "store/database.h"
#include "store/migrator.h"
#include "telemetry/budgets.h"
#include "telemetry/telemetry.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;

namespace {

const QDateTime Evening(QDate(2026, 1, 1), QTime(23, 50), QTimeZone::utc());

TurnReportParams turn(const QString &id, qint64 input, qint64 output = 0, double cost = 0)
{
    TurnReportParams p;
    p.turn = id;
    p.startedAt = Evening;
    p.exit = QStringLiteral("ok");
    p.tokens = TurnTokens{input, output, 1000000, 0}; // cache reads do not count
    p.costUsd = cost;
    return p;
}

} // namespace

class TestBudgets : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void usageFollowsTheUtcDay();
    void overTheLimitAsksOnce();
    void raiseLiftsTheLimitForToday();
    void waitKeepsItUntilTomorrow();
    void expiryAtMidnightDeclines();
    void costLimit();
    void noLimitsNeverExceeded();
    void outcomeSettledAfterRestart();
    void cancelledQuestionIsNotToldEither();

private:
    void makeTelemetry();
    Result<BudgetStatus> report(const TurnReportParams &params);
    qint64 count(const QString &sql);
    qint64 unread(const QString &agent);

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<AgentRegistry> m_agents;
    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<Questions> m_questions;
    std::unique_ptr<Telemetry> m_telemetry;
    BudgetLimits m_limits;
};

void TestBudgets::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_clock.set(Evening);
    auto db = Database::open(m_dir->filePath(QStringLiteral("engine.db")));
    QVERIFY(db);
    m_db = std::move(*db);
    QVERIFY(Migrator::migrate(*m_db));
    m_agents = std::make_unique<AgentRegistry>(*m_db, m_clock);
    QVERIFY(m_agents->add(QStringLiteral("alice")));
    m_broker = std::make_unique<Broker>(*m_db, *m_agents, m_clock);
    m_questions = std::make_unique<Questions>(*m_db, *m_agents, *m_broker, m_clock);
    m_limits = BudgetLimits{1000, std::nullopt};
    makeTelemetry();
}

void TestBudgets::makeTelemetry()
{
    m_telemetry = std::make_unique<Telemetry>(*m_db, *m_agents, *m_questions, m_clock, TelemetryOptions{},
                                              [this](const QString &agent) -> Result<BudgetLimits> {
                                                  if (agent != QLatin1String("alice"))
                                                      return fail(ErrorCode::NotFound,
                                                                  QStringLiteral("no agent '%1'").arg(agent));
                                                  return m_limits;
                                              });
}

void TestBudgets::cleanup()
{
    m_telemetry.reset();
    m_questions.reset();
    m_broker.reset();
    m_agents.reset();
    m_db.reset();
    m_dir.reset();
}

Result<BudgetStatus> TestBudgets::report(const TurnReportParams &params)
{
    auto reported = m_telemetry->report(QStringLiteral("alice"), params);
    if (!reported)
        return fail(reported.error());
    return reported->budget;
}

qint64 TestBudgets::count(const QString &sql)
{
    auto n = m_db->scalar(sql);
    return n ? *n : -1;
}

qint64 TestBudgets::unread(const QString &agent)
{
    auto status = m_broker->status(agent);
    return status ? status->unread + status->inflight : -1;
}

void TestBudgets::usageFollowsTheUtcDay()
{
    m_limits = {};
    auto first = report(turn(QStringLiteral("t1"), 300, 100, 0.5));
    QVERIFY2(first, first ? "" : qPrintable(first.error().message));
    QCOMPARE(first->day, QStringLiteral("2026-01-01"));
    QCOMPARE(first->tokensUsed, 400);
    QCOMPARE(first->costUsedUsd, 0.5);
    m_clock.set(Evening.addSecs(9 * 60 + 59)); // 23:59:59
    QCOMPARE(report(turn(QStringLiteral("t2"), 50))->tokensUsed, 450);

    m_clock.set(Evening.addSecs(10 * 60)); // 00:00:00 the next day
    auto fresh = m_telemetry->budget(QStringLiteral("alice"));
    QVERIFY(fresh);
    QCOMPARE(fresh->day, QStringLiteral("2026-01-02"));
    QCOMPARE(fresh->tokensUsed, 0);
    QCOMPARE(fresh->costUsedUsd, 0.0);
    QCOMPARE(report(turn(QStringLiteral("t3"), 7, 3, 0.25))->tokensUsed, 10);

    // The limits source's error is the call's.
    auto unknown = m_telemetry->budget(QStringLiteral("bob"));
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().message, QStringLiteral("no agent 'bob'"));
}

void TestBudgets::overTheLimitAsksOnce()
{
    QSignalSpy changed(m_telemetry.get(), &Telemetry::budgetChanged);
    auto under = report(turn(QStringLiteral("t1"), 600));
    QVERIFY(under);
    QVERIFY(!under->exceeded);
    QCOMPARE(under->tokensLimit, 1000);
    QVERIFY(!under->question);
    QCOMPARE(changed.size(), 0);

    auto over = report(turn(QStringLiteral("t2"), 400, 100));
    QVERIFY(over);
    QVERIFY(over->exceeded);
    QCOMPARE(over->tokensUsed, 1100);
    QVERIFY(over->question);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(0).toString(), QStringLiteral("alice"));
    QCOMPARE(changed.first().at(1).value<BudgetStatus>(), *over);

    auto question = m_questions->get(*over->question);
    QVERIFY(question);
    QCOMPARE(question->asker, QStringLiteral("alice"));
    QCOMPARE(question->target, QStringLiteral("operator"));
    QCOMPARE(question->question, QStringLiteral("alice has used 1,100 of 1,000 tokens today. Raise today's budget or "
                                                "wait until tomorrow (00:00 UTC)?"));
    QCOMPARE(question->options,
             (QStringList{QStringLiteral("Raise by 100% for today"), QStringLiteral("Wait until tomorrow")}));
    QCOMPARE(question->expiresAt, QDateTime(QDate(2026, 1, 2), QTime(0, 0), QTimeZone::utc()));

    // More reports: the same question, no second one, no more events.
    auto still = report(turn(QStringLiteral("t3"), 50));
    QVERIFY(still);
    QCOMPARE(still->question, over->question);
    QCOMPARE(m_telemetry->budget(QStringLiteral("alice"))->question, over->question);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM questions")), 1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(unread(QStringLiteral("alice")), 0); // asking told alice nothing
}

void TestBudgets::raiseLiftsTheLimitForToday()
{
    auto over = report(turn(QStringLiteral("t1"), 1200));
    QVERIFY(over && over->question);
    QSignalSpy changed(m_telemetry.get(), &Telemetry::budgetChanged);
    QVERIFY(
        m_questions->answer(QStringLiteral("operator"), *over->question, QStringLiteral("Raise by 100% for today")));
    QCOMPARE(changed.size(), 1);
    const auto raised = changed.first().at(1).value<BudgetStatus>();
    QVERIFY(!raised.exceeded);
    QCOMPARE(raised.tokensLimit, 2000);
    QVERIFY(!raised.question);
    QCOMPARE(*m_telemetry->budget(QStringLiteral("alice")), raised);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM budget_raises WHERE agent = 'alice' AND day = '2026-01-01' "
                                  "AND tokens = 1000 AND cost_usd IS NULL")),
             1);
    // The answer is the engine's business, not the model's: nothing in alice's inbox.
    QCOMPARE(unread(QStringLiteral("alice")), 0);

    // Used up again: asked again (a raise does not settle the day).
    auto again = report(turn(QStringLiteral("t2"), 900));
    QVERIFY(again);
    QVERIFY(again->exceeded);
    QCOMPARE(again->tokensUsed, 2100);
    QVERIFY(again->question);
    QVERIFY(*again->question != *over->question);
    // A free-text answer that starts with "raise" raises too.
    QVERIFY(m_questions->answer(QStringLiteral("operator"), *again->question, QStringLiteral("  raise it")));
    QCOMPARE(m_telemetry->budget(QStringLiteral("alice"))->tokensLimit, 3000);

    // Tomorrow the raises are gone.
    m_clock.set(Evening.addSecs(600));
    auto tomorrow = m_telemetry->budget(QStringLiteral("alice"));
    QCOMPARE(tomorrow->tokensLimit, 1000);
    QCOMPARE(tomorrow->tokensUsed, 0);
}

void TestBudgets::waitKeepsItUntilTomorrow()
{
    auto over = report(turn(QStringLiteral("t1"), 1000)); // exactly the limit: nothing left
    QVERIFY(over && over->exceeded && over->question);
    QVERIFY(m_questions->answer(QStringLiteral("operator"), *over->question, QStringLiteral("Wait until tomorrow")));
    auto waiting = m_telemetry->budget(QStringLiteral("alice"));
    QVERIFY(waiting->exceeded);
    QVERIFY(!waiting->question);
    QCOMPARE(waiting->tokensLimit, 1000);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM budget_raises")), 0);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM budget_questions WHERE outcome = 'declined'")), 1);
    // A turn that still ends today asks nothing more: the operator has decided for today.
    QSignalSpy changed(m_telemetry.get(), &Telemetry::budgetChanged);
    auto more = report(turn(QStringLiteral("t2"), 10));
    QVERIFY(more->exceeded);
    QVERIFY(!more->question);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM questions")), 1);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(unread(QStringLiteral("alice")), 0);

    m_clock.set(Evening.addSecs(600)); // 00:00 UTC
    auto tomorrow = m_telemetry->budget(QStringLiteral("alice"));
    QVERIFY(!tomorrow->exceeded);
    QCOMPARE(tomorrow->day, QStringLiteral("2026-01-02"));
    // ... and the new day asks again when it is used up.
    auto overAgain = report(turn(QStringLiteral("t3"), 1500));
    QVERIFY(overAgain->question);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM questions")), 2);
}

void TestBudgets::expiryAtMidnightDeclines()
{
    auto over = report(turn(QStringLiteral("t1"), 5000));
    QVERIFY(over && over->question);
    m_clock.set(Evening.addSecs(600));
    QCOMPARE(*m_questions->expireDue(), 1);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM budget_questions WHERE outcome = 'declined'")), 1);
    QCOMPARE(unread(QStringLiteral("alice")), 0); // no "[expired]" answer for alice either
    QVERIFY(!m_telemetry->budget(QStringLiteral("alice"))->exceeded);
}

void TestBudgets::costLimit()
{
    m_limits = BudgetLimits{std::nullopt, 1.0};
    auto under = report(turn(QStringLiteral("t1"), 1000000, 0, 0.4));
    QVERIFY(!under->exceeded);
    QVERIFY(!under->tokensLimit);
    QCOMPARE(under->costLimitUsd, 1.0);
    auto over = report(turn(QStringLiteral("t2"), 10, 0, 1.1));
    QVERIFY(over->exceeded);
    QCOMPARE(m_questions->get(*over->question)->question,
             QStringLiteral("alice has used $1.50 of $1.00 today. Raise today's budget or wait until tomorrow "
                            "(00:00 UTC)?"));
    QVERIFY(
        m_questions->answer(QStringLiteral("operator"), *over->question, QStringLiteral("Raise by 100% for today")));
    auto raised = m_telemetry->budget(QStringLiteral("alice"));
    QCOMPARE(raised->costLimitUsd, 2.0);
    QVERIFY(!raised->exceeded);

    // Both limits over: both in the question.
    m_limits = BudgetLimits{100, 1.0};
    m_clock.set(Evening.addSecs(600));
    auto both = report(turn(QStringLiteral("t3"), 200, 0, 3.0));
    QCOMPARE(m_questions->get(*both->question)->question,
             QStringLiteral("alice has used 200 of 100 tokens and $3.00 of $1.00 today. Raise today's budget or wait "
                            "until tomorrow (00:00 UTC)?"));
    QCOMPARE(m_questions->get(*both->question)->expiresAt, QDateTime(QDate(2026, 1, 3), QTime(0, 0), QTimeZone::utc()));
}

void TestBudgets::noLimitsNeverExceeded()
{
    m_limits = {};
    auto status = report(turn(QStringLiteral("t1"), 100000000, 100000000, 10000));
    QVERIFY(status);
    QVERIFY(!status->exceeded);
    QVERIFY(!status->tokensLimit);
    QVERIFY(!status->costLimitUsd);
    QVERIFY(!status->question);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM questions")), 0);
}

void TestBudgets::outcomeSettledAfterRestart()
{
    auto over = report(turn(QStringLiteral("t1"), 1500));
    QVERIFY(over && over->question);
    m_telemetry.reset(); // the engine stops before the answer takes effect
    QVERIFY(
        m_questions->answer(QStringLiteral("operator"), *over->question, QStringLiteral("Raise by 100% for today")));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM budget_raises")), 0);
    makeTelemetry();
    QSignalSpy changed(m_telemetry.get(), &Telemetry::budgetChanged);
    QVERIFY(m_telemetry->start());
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM budget_raises")), 1);
    QCOMPARE(changed.size(), 1);
    QVERIFY(!m_telemetry->budget(QStringLiteral("alice"))->exceeded);
    QCOMPARE(unread(QStringLiteral("alice")), 0);
    // Settling is once: another start changes nothing.
    QVERIFY(m_telemetry->start());
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM budget_raises")), 1);
}

void TestBudgets::cancelledQuestionIsNotToldEither()
{
    auto over = report(turn(QStringLiteral("t1"), 1500));
    QVERIFY(over && over->question);
    QVERIFY(m_questions->cancel(QStringLiteral("operator"), *over->question));
    QCOMPARE(unread(QStringLiteral("alice")), 0);
    QVERIFY(m_telemetry->budget(QStringLiteral("alice"))->exceeded);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM budget_questions WHERE outcome = 'declined'")), 1);

    // An agent's own question still tells it.
    AskParams params;
    params.question = QStringLiteral("may I?");
    auto own = m_questions->ask(QStringLiteral("alice"), params);
    QVERIFY(own);
    QVERIFY(m_questions->answer(QStringLiteral("operator"), own->id, QStringLiteral("yes")));
    QCOMPARE(unread(QStringLiteral("alice")), 1);
}

QTEST_GUILESS_MAIN(TestBudgets)
#include "tst_budgets.moc"
