// SPDX-License-Identifier: MIT
// Telemetry through a real in-process engine: turn_report and budget_status on an agent's
// socket, stats_query on the operator API (a viewer may call it), a budget from the deployed
// agent.toml going over, the operator's answer over the API, the budget_changed events, and
// that the answer is not delivered to the agent's inbox.
#include "agents/agentsockets.h"
#include "broker/agentregistry.h"
#include "engine.h"
#include "engineclients.h"
#include "fakeclock.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "rpcclient.h"
#include "store/database.h"
#include "store/eventlog.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;

namespace {

constexpr int Timeout = 10000;

TurnReportParams turn(const QString &id, qint64 input)
{
    TurnReportParams p;
    p.turn = id;
    p.startedAt = QDateTime(QDate(2026, 1, 1), QTime(12, 0), QTimeZone::utc());
    p.durationMs = 1500;
    p.exit = QStringLiteral("ok");
    p.model = QStringLiteral("m");
    p.toolCalls = {{QStringLiteral("mcp__hive__send"), 1}};
    p.tokens = TurnTokens{input, 0, 0, 0};
    return p;
}

QList<Event> eventsOf(const QSignalSpy &spy, const QString &kind)
{
    QList<Event> events;
    for (const QList<QVariant> &args : spy) {
        const auto event = args.at(0).value<Event>();
        if (event.kind == kind)
            events << event;
    }
    return events;
}

} // namespace

class TestTelemetryApi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void reportAndQuery();
    void methodsLiveOnTheirSurface();
    void badReportIsRefusedPrecisely();
    void budgetQuestionRoundTrip();

private:
    std::unique_ptr<client::RpcClient> connectAs(const QString &agent);

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<Engine> m_engine;
};

void TestTelemetryApi::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    EngineConfig config = EngineConfig::defaults();
    config.containerBackend = QStringLiteral("none");
    config.stateDir = m_dir->filePath(QStringLiteral("state"));
    config.listenHost = QStringLiteral("127.0.0.1");
    config.listenPort = 0;
    m_engine = std::make_unique<Engine>(config, m_clock);
    auto started = m_engine->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    QVERIFY(m_engine->agents().add(QStringLiteral("alice")));
    QVERIFY(m_engine->agentSockets().open(QStringLiteral("alice")));
}

void TestTelemetryApi::cleanup()
{
    m_engine.reset();
    m_dir.reset();
}

std::unique_ptr<client::RpcClient> TestTelemetryApi::connectAs(const QString &agent)
{
    auto client =
        std::make_unique<client::RpcClient>(new client::LocalSocketPeer(m_engine->agentSockets().socketPath(agent)));
    (void)client->openAndWait(Timeout);
    return client;
}

void TestTelemetryApi::reportAndQuery()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto reported = alice->callAndWait<TurnReportMethod>(turn(QStringLiteral("t1"), 700), Timeout);
    QVERIFY2(reported, reported ? "" : qPrintable(reported.error().message));
    QCOMPARE(reported->budget,
             (BudgetStatus{QStringLiteral("2026-01-01"), 700, 0, std::nullopt, std::nullopt, false, std::nullopt}));
    auto budget = alice->callAndWait<BudgetStatusMethod>(BudgetStatusParams{}, Timeout);
    QVERIFY(budget);
    QCOMPARE(*budget, reported->budget);

    m_clock.advance(60 * 1000);
    StatsQueryParams params;
    params.agent = QStringLiteral("alice");
    params.keys = {QStringLiteral("turn"), QStringLiteral("tool.*")};
    params.since = m_clock.now().addSecs(-3600);
    auto viewer = test::connectRemote(*m_engine, Role::Viewer);
    auto result = viewer->callAndWait<StatsQueryMethod>(params, Timeout);
    QVERIFY2(result, result ? "" : qPrintable(result.error().message));
    QCOMPARE(result->series.size(), 2);
    QCOMPARE(result->series.at(1).key, QStringLiteral("tool.mcp__hive__send"));
    QCOMPARE(result->summary.turns, 1);
    QCOMPARE(result->summary.timeSinceLastTurnSeconds, 60);

    // A bad window is invalid_params with the reason.
    params.since = m_clock.now().addDays(-91);
    auto refused = viewer->callAndWait<StatsQueryMethod>(params, Timeout);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::InvalidParams);
    QCOMPARE(refused.error().message, QStringLiteral("invalid field 'since': the window of 91.0 days is longer than "
                                                     "the 90 days telemetry keeps (telemetry.retention_days)"));
}

void TestTelemetryApi::methodsLiveOnTheirSurface()
{
    auto admin = test::connectAdmin(*m_engine);
    auto onAdmin = admin->callAndWait(QStringLiteral("turn_report"), turn(QStringLiteral("t1"), 1).toJson(), Timeout);
    QVERIFY(!onAdmin);
    QCOMPARE(onAdmin.error().code, ErrorCode::MethodNotFound);
    auto alice = connectAs(QStringLiteral("alice"));
    auto onAgent = alice->callAndWait(QStringLiteral("stats_query"),
                                      QJsonObject{{QStringLiteral("keys"), QJsonArray{}},
                                                  {QStringLiteral("since"), QStringLiteral("2026-01-01T00:00:00Z")}},
                                      Timeout);
    QVERIFY(!onAgent);
    QCOMPARE(onAgent.error().code, ErrorCode::MethodNotFound);
}

void TestTelemetryApi::badReportIsRefusedPrecisely()
{
    auto alice = connectAs(QStringLiteral("alice"));
    QJsonObject json = turn(QStringLiteral("t1"), 1).toJson();
    json.insert(QStringLiteral("exit"), QStringLiteral("exploded"));
    auto refused = alice->callAndWait(QStringLiteral("turn_report"), json, Timeout);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::InvalidParams);
    QVERIFY2(refused.error().message.startsWith(QStringLiteral("invalid field 'exit': must be one of ok, ")),
             qPrintable(refused.error().message));
    auto rows = m_engine->database().scalar(QStringLiteral("SELECT COUNT(*) FROM stats WHERE agent = 'alice'"));
    QVERIFY(rows);
    QCOMPARE(*rows, 0);
}

void TestTelemetryApi::budgetQuestionRoundTrip()
{
    // The deployed agent.toml (as a deploy leaves it) sets 1,000 tokens a day.
    auto deployed = m_engine->database().exec(
        QStringLiteral("INSERT INTO agent_configs (agent, commit_sha, approval, toml, prompt, updated_at) VALUES "
                       "('alice', :sha, NULL, :toml, '', 0)"),
        {{QStringLiteral(":sha"), QString(40, QLatin1Char('c'))},
         {QStringLiteral(":toml"), QStringLiteral("[budget]\ntokens_per_day = 1000\n")}});
    QVERIFY2(deployed, deployed ? "" : qPrintable(deployed.error().message));
    QSignalSpy events(&m_engine->events(), &EventLog::published);
    auto alice = connectAs(QStringLiteral("alice"));

    auto under = alice->callAndWait<TurnReportMethod>(turn(QStringLiteral("t1"), 600), Timeout);
    QVERIFY(under);
    QCOMPARE(under->budget.tokensLimit, 1000);
    QVERIFY(!under->budget.exceeded);
    QVERIFY(eventsOf(events, QStringLiteral("budget_changed")).isEmpty());

    auto over = alice->callAndWait<TurnReportMethod>(turn(QStringLiteral("t2"), 600), Timeout);
    QVERIFY(over);
    QVERIFY(over->budget.exceeded);
    QVERIFY(over->budget.question);
    const QList<Event> changed = eventsOf(events, QStringLiteral("budget_changed"));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().data.value(QStringLiteral("agent")).toString(), QStringLiteral("alice"));
    QCOMPARE(BudgetStatus::fromJson(changed.first().data.value(QStringLiteral("budget")).toObject()).value(),
             over->budget);
    const QList<Event> added = eventsOf(events, QStringLiteral("question_added"));
    QCOMPARE(added.size(), 1);
    QCOMPARE(added.first().data.value(QStringLiteral("asker")).toString(), QStringLiteral("alice"));

    auto admin = test::connectAdmin(*m_engine);
    auto answered = admin->callAndWait<QuestionAnswerMethod>(
        QuestionAnswerParams{*over->budget.question, QStringLiteral("Raise by 100% for today")}, Timeout);
    QVERIFY2(answered, answered ? "" : qPrintable(answered.error().message));
    QTRY_COMPARE(eventsOf(events, QStringLiteral("budget_changed")).size(), 2);
    const auto raised = BudgetStatus::fromJson(
        eventsOf(events, QStringLiteral("budget_changed")).last().data.value(QStringLiteral("budget")).toObject());
    QVERIFY(raised);
    QVERIFY(!raised->exceeded);
    QCOMPARE(raised->tokensLimit, 2000);

    auto budget = alice->callAndWait<BudgetStatusMethod>(BudgetStatusParams{}, Timeout);
    QVERIFY(budget);
    QCOMPARE(*budget, *raised);
    // Nothing for alice's model: the question was the engine's.
    auto inbox = alice->callAndWait<RecvMethod>(RecvParams{0, 10}, Timeout);
    QVERIFY(inbox);
    QVERIFY2(inbox->messages.isEmpty(), qPrintable(inbox->messages.value(0).body));
}

QTEST_GUILESS_MAIN(TestTelemetryApi)
#include "tst_telemetryapi.moc"
