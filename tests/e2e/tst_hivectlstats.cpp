// SPDX-License-Identifier: MIT
// hivectl stats against a real hive-engine process: an agent reports turns on its socket
// (turn_report), then the summary and the series tables, --json, the swarm's view, and the
// refusals: a bad --since (hivectl's usage error) and windows the engine refuses.
#include "engineprocess.h"
#include "hivectlrun.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "rpcclient.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <tuple>

namespace {

using hive::test::parseObject;
using Run = hive::test::HivectlRun;
using namespace hive::protocol;

constexpr int CallTimeoutMs = 10000;

TurnReportParams turn(const QString &id, qint64 durationMs, const QString &exitKind)
{
    TurnReportParams p;
    p.turn = id;
    p.startedAt = QDateTime::currentDateTimeUtc().addMSecs(-durationMs);
    p.durationMs = durationMs;
    p.exit = exitKind;
    p.model = QStringLiteral("claude-sonnet-4-5");
    p.toolCalls = {{QStringLiteral("Bash"), 2}, {QStringLiteral("Read"), 1}};
    p.sent = {{QStringLiteral("operator"), 1}};
    p.tokens = TurnTokens{1000, 200, 30000, 50};
    p.costUsd = 0.25;
    p.inboxDepth = 2;
    p.notesBytes = 4096;
    return p;
}

} // namespace

class TestHivectlStats : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void reportsThenStats();
    void json();
    void swarm();
    void usageErrors();
    void refusedByTheEngine();

private:
    [[nodiscard]] Run local(const QStringList &arguments) const
    {
        return hive::test::runHivectl(QStringList{QStringLiteral("--state-dir"), m_stateDir} + arguments);
    }

    QTemporaryDir m_dir;
    QString m_stateDir;
    std::unique_ptr<hive::test::EngineProcess> m_engine;
};

void TestHivectlStats::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_stateDir = m_dir.filePath(QStringLiteral("s"));
    m_engine = std::make_unique<hive::test::EngineProcess>(m_stateDir, m_dir.filePath(QStringLiteral("engine.log")));
    auto started = m_engine->start({QStringLiteral("--listen"), QStringLiteral("off")});
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    QVERIFY(local({QStringLiteral("agent"), QStringLiteral("add"), QStringLiteral("alice")}).exitCode == 0);

    hive::client::RpcClient alice(new hive::client::LocalSocketPeer(
        QDir(m_stateDir).absoluteFilePath(QStringLiteral("run/agents/alice/agent.sock"))));
    QVERIFY(alice.openAndWait(CallTimeoutMs));
    const std::tuple<const char *, qint64, const char *> turns[] = {
        {"t1", 1000, "ok"}, {"t2", 3000, "ok"}, {"t3", 9000, "crash"}};
    for (const auto &[id, ms, kind] : turns) {
        auto reported = alice.callAndWait<TurnReportMethod>(
            turn(QString::fromLatin1(id), ms, QString::fromLatin1(kind)), CallTimeoutMs);
        QVERIFY2(reported, reported ? "" : qPrintable(reported.error().message));
        QVERIFY(!reported->budget.exceeded); // no deployed config: no limits
        QVERIFY(!reported->budget.tokensLimit);
    }
    auto budget = alice.callAndWait<BudgetStatusMethod>(BudgetStatusParams{}, CallTimeoutMs);
    QVERIFY(budget);
    QCOMPARE(budget->tokensUsed, 3 * 1250);
    QCOMPARE(budget->costUsedUsd, 0.75);
    QCOMPARE(budget->day, QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate));
}

void TestHivectlStats::reportsThenStats()
{
    const Run run =
        local({QStringLiteral("stats"), QStringLiteral("alice"), QStringLiteral("--since"), QStringLiteral("1h")});
    QVERIFY2(run.exitCode == 0 && run.err.isEmpty(), qPrintable(run.describe()));
    for (const QString &expected :
         {QStringLiteral("alice, "), QStringLiteral(", buckets of 60 s\n"), QStringLiteral("\nturns  "),
          QStringLiteral("3 (0.05 per minute)\n"), QStringLiteral("tool calls per turn  3\n"),
          QStringLiteral("turn duration        p50 3,000 ms, p95 8,400 ms\n"),
          QStringLiteral("approval queue       0 pending\n"), QStringLiteral("inbox                0 now, 2 at most\n"),
          QStringLiteral("exits                crash 1, ok 2\n"),
          QStringLiteral("tools                Bash 6, Read 3\n"),
          QStringLiteral("tokens               input 3,000, output 600, cache read 90,000, cache creation 150\n"),
          QStringLiteral("cost                 $0.75\n"), QStringLiteral("\nturn: 3 samples in "),
          QStringLiteral("\nturn.duration_ms: 3 samples in "), QStringLiteral("inbox.depth: no samples\n"),
          QStringLiteral("\nTIME                 COUNT  SUM  MIN  AVG  MAX  P50  P95\n")}) {
        QVERIFY2(run.out.contains(expected), qPrintable(expected + QStringLiteral(" in:\n") + run.out));
    }
    // "last turn" says when and how long ago.
    QVERIFY2(run.out.contains(QStringLiteral("s before)\n")), qPrintable(run.out));
}

void TestHivectlStats::json()
{
    const Run run =
        local({QStringLiteral("--json"), QStringLiteral("stats"), QStringLiteral("alice"), QStringLiteral("--keys"),
               QStringLiteral("turn,tool.*,no.such"), QStringLiteral("--bucket"), QStringLiteral("3600")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QString error;
    const QJsonObject json = parseObject(run.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    auto result = StatsQueryResult::fromJson(json);
    QVERIFY2(result, result ? "" : qPrintable(result.error().message));
    QCOMPARE(result->agent, QStringLiteral("alice"));
    QCOMPARE(result->bucketSeconds, 3600);
    QStringList keys;
    for (const StatsSeries &series : std::as_const(result->series))
        keys << series.key;
    QCOMPARE(keys, (QStringList{QStringLiteral("turn"), QStringLiteral("tool.Bash"), QStringLiteral("tool.Read"),
                                QStringLiteral("no.such")}));
    double bash = 0;
    for (const StatsPoint &point : std::as_const(result->series.at(1).points))
        bash += point.sum;
    QCOMPARE(bash, 6.0);
    QVERIFY(result->series.at(3).points.isEmpty());
    QCOMPARE(result->summary.turns, 3);
    QCOMPARE(result->summary.exits.value(QStringLiteral("crash")), 1);
    QCOMPARE(*result->summary.turnDurationMsP50, 3000.0);
    // The default window is a day.
    QVERIFY(std::abs(result->since.secsTo(result->until) - 86400) < 60);
}

void TestHivectlStats::swarm()
{
    const Run run = local({QStringLiteral("stats"), QStringLiteral("--since"), QStringLiteral("4h")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QVERIFY2(run.out.startsWith(QStringLiteral("the swarm, ")), qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral("\napprovals.queue: 1 sample in 1 bucket\n")), qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral("\nturns                3 (")), qPrintable(run.out));
}

void TestHivectlStats::usageErrors()
{
    const QList<std::pair<QStringList, QString>> cases{
        {{QStringLiteral("stats"), QStringLiteral("alice"), QStringLiteral("--since"), QStringLiteral("yesterday")},
         QStringLiteral("option --since: expected a span back from now (1h, 4h, 24h, 7d, 30d: a number of m, h or "
                        "d) or an ISO 8601 time with a zone (2026-01-31T09:00:00Z), got 'yesterday'")},
        {{QStringLiteral("stats"), QStringLiteral("--since"), QStringLiteral("2026-01-31T09:00:00")},
         QStringLiteral("option --since: expected a span back from now (1h, 4h, 24h, 7d, 30d: a number of m, h or "
                        "d) or an ISO 8601 time with a zone (2026-01-31T09:00:00Z), got '2026-01-31T09:00:00'")},
        {{QStringLiteral("stats"), QStringLiteral("--since"), QStringLiteral("0h")},
         QStringLiteral("option --since: expected a span back from now")},
        {{QStringLiteral("stats"), QStringLiteral("--bucket"), QStringLiteral("30")},
         QStringLiteral("option --bucket: expected a whole number from 60 to 31536000, got '30'")},
        {{QStringLiteral("stats"), QStringLiteral("--keys"), QStringLiteral("turn,,cost_usd")},
         QStringLiteral("option --keys: expected keys separated by commas (like turn,tool.*), got 'turn,,cost_usd'")},
        {{QStringLiteral("stats"), QStringLiteral("alice"), QStringLiteral("bob")},
         QStringLiteral("too many arguments: hivectl stats [AGENT] [--keys K,K...] [--since 1h|4h|24h|7d|30d|ISO] "
                        "[--bucket SECONDS]")},
        {{QStringLiteral("stats"), QStringLiteral("--count"), QStringLiteral("3")},
         QStringLiteral("unknown option '--count' for 'stats'")},
    };
    for (const auto &[arguments, message] : cases) {
        const Run run = local(arguments);
        QVERIFY2(run.exitCode == 2 && run.err.startsWith(QStringLiteral("hivectl: ") + message) &&
                     run.err.contains(QStringLiteral("hivectl --help")) && run.out.isEmpty(),
                 qPrintable(arguments.join(QLatin1Char(' ')) + QStringLiteral(": ") + run.describe()));
    }
}

void TestHivectlStats::refusedByTheEngine()
{
    const QList<std::pair<QStringList, QString>> cases{
        {{QStringLiteral("stats"), QStringLiteral("alice"), QStringLiteral("--since"), QStringLiteral("100d")},
         QStringLiteral("hivectl: invalid field 'since': the window of 100.0 days is longer than the 90 days "
                        "telemetry keeps (telemetry.retention_days)\n")},
        {{QStringLiteral("stats"), QStringLiteral("zed")},
         QStringLiteral("hivectl: invalid field 'agent': unknown agent 'zed'\n")},
        {{QStringLiteral("stats"), QStringLiteral("--since"), QStringLiteral("30d"), QStringLiteral("--bucket"),
          QStringLiteral("60")},
         QStringLiteral("hivectl: invalid field 'bucket_seconds': 60 gives 4320")},
    };
    for (const auto &[arguments, message] : cases) {
        const Run run = local(arguments);
        QVERIFY2(run.exitCode == 1 && run.err.startsWith(message) && run.out.isEmpty(),
                 qPrintable(arguments.join(QLatin1Char(' ')) + QStringLiteral(": ") + run.describe()));
    }
    const Run future =
        local({QStringLiteral("stats"), QStringLiteral("--since"), QStringLiteral("2099-01-01T00:00:00Z")});
    QVERIFY2(future.exitCode == 1 &&
                 future.err.startsWith(QStringLiteral("hivectl: invalid field 'since': must be "
                                                      "before until (now, ")) &&
                 future.err.endsWith(QStringLiteral("), got 2099-01-01T00:00:00.000Z\n")),
             qPrintable(future.describe()));
}

QTEST_GUILESS_MAIN(TestHivectlStats)
#include "tst_hivectlstats.moc"
