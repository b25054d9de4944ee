// SPDX-License-Identifier: MIT
// Telemetry storage and queries on a real SQLite file and a fake clock: the turn rows, the fold
// into hourly rows and their expiry, stats_query's buckets, patterns, summary and errors, the
// engine's own samples, and the time a 30-day query takes over 30 days of per-minute rows.
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "broker/questions.h"
#include "fakeclock.h"
#include "store/database.h"
#include "store/migrator.h"
#include "store/transaction.h"
#include "telemetry/enginesamples.h"
#include "telemetry/loghistogram.h"
#include "telemetry/statsquery.h"
#include "telemetry/statsretention.h"
#include "telemetry/statsstore.h"
#include "telemetry/telemetry.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <cmath>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;

namespace {

constexpr qint64 MinuteMs = qint64(60) * 1000;
constexpr qint64 HourMs = 60 * MinuteMs;
constexpr qint64 DayMs = 24 * HourMs;

const QDateTime Start(QDate(2026, 3, 1), QTime(0, 0), QTimeZone::utc());

TurnReportParams report(const QString &turn, qint64 durationMs, const QString &exitKind = QStringLiteral("ok"))
{
    TurnReportParams p;
    p.turn = turn;
    p.startedAt = Start;
    p.durationMs = durationMs;
    p.exit = exitKind;
    p.model = QStringLiteral("m");
    p.toolCalls = {{QStringLiteral("Bash"), 2}, {QStringLiteral("Read"), 1}};
    p.sent = {{QStringLiteral("peer"), 1}};
    p.received = {{QStringLiteral("system"), 2}};
    p.tokens = TurnTokens{100, 20, 5000, 10};
    p.costUsd = 0.25;
    p.inboxDepth = 3;
    p.notesBytes = 1000;
    return p;
}

bool near(double actual, double expected, double relative)
{
    return std::fabs(actual - expected) <= relative * std::fabs(expected);
}

} // namespace

class TestTelemetry : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void migrationFromVersion7();
    void histogram();
    void histogramText_data();
    void histogramText();
    void turnRows();
    void repeatedTurnCountsOnce();
    void foldKeepsTheNumbers();
    void lateSampleMergesIntoItsHour();
    void hourlyRowsExpire();
    void automaticBuckets_data();
    void automaticBuckets();
    void seriesAndScopes();
    void patterns();
    void summary();
    void badWindows_data();
    void badWindows();
    void unknownAgent();
    void approvalQueueSamples();
    void inboxSamplesAreThrottled();
    void purgeForgetsTheAgent();
    void thirtyDaysOfMinutes();

private:
    qint64 count(const QString &sql);
    Result<StatsQueryResult> query(std::optional<QString> agent, QStringList keys, qint64 sinceAgoMs,
                                   std::optional<qint64> bucket = std::nullopt);

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<AgentRegistry> m_agents;
    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<Questions> m_questions;
    std::unique_ptr<Telemetry> m_telemetry;
};

void TestTelemetry::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_clock.set(Start);
    auto db = Database::open(m_dir->filePath(QStringLiteral("engine.db")));
    QVERIFY(db);
    m_db = std::move(*db);
    QVERIFY(Migrator::migrate(*m_db));
    m_agents = std::make_unique<AgentRegistry>(*m_db, m_clock);
    QVERIFY(m_agents->add(QStringLiteral("alice")));
    QVERIFY(m_agents->add(QStringLiteral("bob")));
    m_broker = std::make_unique<Broker>(*m_db, *m_agents, m_clock);
    m_questions = std::make_unique<Questions>(*m_db, *m_agents, *m_broker, m_clock);
    m_telemetry = std::make_unique<Telemetry>(*m_db, *m_agents, *m_questions, m_clock, TelemetryOptions{},
                                              [](const QString &) -> Result<BudgetLimits> { return BudgetLimits{}; });
}

void TestTelemetry::cleanup()
{
    m_telemetry.reset();
    m_questions.reset();
    m_broker.reset();
    m_agents.reset();
    m_db.reset();
    m_dir.reset();
}

qint64 TestTelemetry::count(const QString &sql)
{
    auto n = m_db->scalar(sql);
    return n ? *n : -1;
}

Result<StatsQueryResult> TestTelemetry::query(std::optional<QString> agent, QStringList keys, qint64 sinceAgoMs,
                                              std::optional<qint64> bucket)
{
    StatsQueryParams params;
    params.agent = std::move(agent);
    params.keys = std::move(keys);
    params.since = m_clock.now().addMSecs(-sinceAgoMs);
    params.bucketSeconds = bucket;
    return m_telemetry->query(params);
}

void TestTelemetry::migrationFromVersion7()
{
    // A question as a version-7 engine left it keeps telling its asker; the new tables are empty.
    auto db = Database::open(m_dir->filePath(QStringLiteral("old.db")));
    QVERIFY(db);
    auto seven = Migrator::migrate(**db, 7);
    QVERIFY(seven);
    QCOMPARE(*seven, 7);
    QVERIFY((*db)->exec(QStringLiteral("INSERT INTO questions (asker, target, question, asked_at, expires_at) VALUES "
                                       "('alice', 'operator', 'ok?', 0, 1)")));
    auto latest = Migrator::migrate(**db);
    QVERIFY2(latest, latest ? "" : qPrintable(latest.error().message));
    QVERIFY(*latest >= 8);
    QCOMPARE(*(*db)->scalar(QStringLiteral("SELECT tell_asker FROM questions")), 1);
    for (const char *table : {"stats", "stats_hourly", "stats_turns", "budget_raises", "budget_questions"}) {
        auto rows = (*db)->scalar(QStringLiteral("SELECT COUNT(*) FROM %1").arg(QLatin1String(table)));
        QVERIFY2(rows && *rows == 0, table);
    }
    auto version = (*db)->scalar(QStringLiteral("SELECT COUNT(*) FROM schema_migrations WHERE version = 8 AND name = "
                                                "'0008_stats.sql'"));
    QVERIFY(version);
    QCOMPARE(*version, 1);
}

void TestTelemetry::histogram()
{
    LogHistogram h;
    QVERIFY(h.isEmpty());
    QCOMPARE(h.quantile(0.5), 0.0);
    for (int i = 1; i <= 1000; ++i)
        h.add(i);
    QCOMPARE(h.count(), 1000);
    QVERIFY2(near(h.quantile(0.5), 500, LogHistogram::RelativeError), qPrintable(QString::number(h.quantile(0.5))));
    QVERIFY2(near(h.quantile(0.95), 950, LogHistogram::RelativeError), qPrintable(QString::number(h.quantile(0.95))));
    // (at a bucket's edge the estimate is off by exactly the relative error)
    QVERIFY(near(h.quantile(1), 1000, LogHistogram::RelativeError * 1.0001));
    QVERIFY(near(h.quantile(0), 1, LogHistogram::RelativeError * 1.0001));

    // Merging is the same as adding everything to one.
    LogHistogram a;
    LogHistogram b;
    LogHistogram all;
    for (const double v : {0.0, -3.0, 0.5, 7.0, 7.0, 1e6}) {
        a.add(v);
        all.add(v);
    }
    for (const double v : {2.0, 0.0, -0.25}) {
        b.add(v);
        all.add(v);
    }
    a.merge(b);
    QCOMPARE(a, all);
    QVERIFY(near(all.quantile(0), -3, LogHistogram::RelativeError));
    QCOMPARE(all.quantile(0.25), 0.0); // the two zeros are ranks 2 and 3 of 9

    auto back = LogHistogram::fromText(all.toText());
    QVERIFY2(back, back ? "" : qPrintable(back.error().message));
    QCOMPARE(*back, all);
    // Values that are not finite are not samples.
    LogHistogram odd;
    odd.add(std::nan(""));
    odd.add(HUGE_VAL);
    QVERIFY(odd.isEmpty());
}

void TestTelemetry::histogramText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("part");
    QTest::newRow("no colon") << QStringLiteral("12") << QStringLiteral("12");
    QTest::newRow("bad index") << QStringLiteral("z2 x:1") << QStringLiteral("x:1");
    QTest::newRow("zero count") << QStringLiteral("3:0") << QStringLiteral("3:0");
    QTest::newRow("bad zeros") << QStringLiteral("zz") << QStringLiteral("zz");
    QTest::newRow("negative count") << QStringLiteral("n3:-1") << QStringLiteral("n3:-1");
}

void TestTelemetry::histogramText()
{
    QFETCH(QString, text);
    QFETCH(QString, part);
    auto parsed = LogHistogram::fromText(text);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().message, QStringLiteral("corrupt stats histogram '%1' (at '%2')").arg(text, part));
}

void TestTelemetry::turnRows()
{
    TurnReportParams p = report(QStringLiteral("t1"), 1234, QStringLiteral("crash"));
    p.toolCalls.insert(QStringLiteral("Write"), 0); // a zero count is no row
    const QList<StatsSample> samples = Telemetry::turnSamples(p);
    QStringList keys;
    for (const StatsSample &s : samples)
        keys << s.key;
    QCOMPARE(keys, (QStringList{QStringLiteral("turn"),
                                QStringLiteral("turn.duration_ms"),
                                QStringLiteral("turn.exit.crash"),
                                QStringLiteral("turn.tool_calls"),
                                QStringLiteral("tool.Bash"),
                                QStringLiteral("tool.Read"),
                                QStringLiteral("sent.peer"),
                                QStringLiteral("sent.operator"),
                                QStringLiteral("sent.manager"),
                                QStringLiteral("sent.broadcast"),
                                QStringLiteral("received.peer"),
                                QStringLiteral("received.operator"),
                                QStringLiteral("received.manager"),
                                QStringLiteral("received.system"),
                                QStringLiteral("tokens.input"),
                                QStringLiteral("tokens.output"),
                                QStringLiteral("tokens.cache_read"),
                                QStringLiteral("tokens.cache_creation"),
                                QStringLiteral("cost_usd"),
                                QStringLiteral("permission_denials"),
                                QStringLiteral("inbox_depth"),
                                QStringLiteral("notes_bytes")}));
    QCOMPARE(samples.at(1).value, 1234.0);
    QCOMPARE(samples.at(3).value, 3.0);
    QCOMPARE(samples.at(7).value, 0.0); // sent.operator: zeros count for per-turn averages

    auto stored = m_telemetry->report(QStringLiteral("alice"), p);
    QVERIFY2(stored, stored ? "" : qPrintable(stored.error().message));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats WHERE agent = 'alice'")), samples.size());
    QCOMPARE(count(QStringLiteral("SELECT COUNT(DISTINCT ts) FROM stats")), 1);
    QCOMPARE(count(QStringLiteral("SELECT MIN(ts) FROM stats")), Start.toMSecsSinceEpoch());
}

void TestTelemetry::repeatedTurnCountsOnce()
{
    QVERIFY(m_telemetry->report(QStringLiteral("alice"), report(QStringLiteral("t1"), 10)));
    const qint64 rows = count(QStringLiteral("SELECT COUNT(*) FROM stats"));
    m_clock.advance(5000);
    auto again = m_telemetry->report(QStringLiteral("alice"), report(QStringLiteral("t1"), 10));
    QVERIFY(again);
    QCOMPARE(again->budget.tokensUsed, 130);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats")), rows);
    // The same turn id of another agent is another turn.
    QVERIFY(m_telemetry->report(QStringLiteral("bob"), report(QStringLiteral("t1"), 10)));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats")), 2 * rows);
}

void TestTelemetry::foldKeepsTheNumbers()
{
    // 10 days of one sample every 10 minutes: 1..144 the first day, 145..288 the next, up to 1440.
    StatsStore store(*m_db);
    QList<double> values;
    for (qint64 i = 0; i < 10 * 144; ++i) {
        const double value = static_cast<double>(i % 1440 + 1);
        values << value;
        QVERIFY(store.write(QStringLiteral("alice"), Start.addMSecs(i * 10 * MinuteMs),
                            {{QStringLiteral("turn.duration_ms"), value}}));
    }
    m_clock.set(Start.addDays(10));
    auto before = query(QStringLiteral("alice"), {QStringLiteral("turn.duration_ms")}, 10 * DayMs, 86400);
    QVERIFY(before);

    auto ran = m_telemetry->runRetention();
    QVERIFY2(ran, ran ? "" : qPrintable(ran.error().message));
    QCOMPARE(ran->folded, 3 * 144); // the 3 days past raw_retention_days (7)
    QVERIFY(ran->complete);
    QCOMPARE(ran->expired, 0);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats_hourly")), 3 * 24);
    QCOMPARE(count(QStringLiteral("SELECT MIN(ts) FROM stats")), Start.addDays(3).toMSecsSinceEpoch());
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats")), 7 * 144);

    auto after = query(QStringLiteral("alice"), {QStringLiteral("turn.duration_ms")}, 10 * DayMs, 86400);
    QVERIFY2(after, after ? "" : qPrintable(after.error().message));
    const QList<StatsPoint> &a = after->series.first().points;
    const QList<StatsPoint> &b = before->series.first().points;
    QCOMPARE(a.size(), 10);
    QCOMPARE(a.size(), b.size());
    for (qsizetype i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].t, b[i].t);
        QCOMPARE(a[i].count, b[i].count);
        QCOMPARE(a[i].sum, b[i].sum);
        QCOMPARE(a[i].min, b[i].min);
        QCOMPARE(a[i].max, b[i].max);
        QCOMPARE(a[i].avg, b[i].avg);
        // Exact on raw days, within the histogram's error on folded ones.
        // (the histogram takes the nearest rank, the exact form interpolates: 2% plus half a step)
        QVERIFY2(near(a[i].p50, b[i].p50, 0.03), qPrintable(QStringLiteral("%1 vs %2").arg(a[i].p50).arg(b[i].p50)));
        QVERIFY2(near(a[i].p95, b[i].p95, 0.03), qPrintable(QStringLiteral("%1 vs %2").arg(a[i].p95).arg(b[i].p95)));
        if (i >= 3) {
            QCOMPARE(a[i].p50, b[i].p50);
        }
    }
    QCOMPARE(b.first().p50, 72.5); // 1..144: exact, interpolated
    QCOMPARE(a.last().p95, b.last().p95);
    // The summary reads the folded part too.
    QCOMPARE(after->summary.turnDurationMsP50.has_value(), true);
    QVERIFY(near(*after->summary.turnDurationMsP50, 720.5, 0.021));

    // Nothing more to fold until the clock moves on a whole hour.
    auto idle = m_telemetry->runRetention();
    QVERIFY(idle);
    QCOMPARE(idle->folded, 0);
}

void TestTelemetry::lateSampleMergesIntoItsHour()
{
    StatsStore store(*m_db);
    QVERIFY(store.write(QStringLiteral("alice"), Start.addSecs(60), {{QStringLiteral("k"), 2}}));
    QVERIFY(store.write(QStringLiteral("alice"), Start.addSecs(120), {{QStringLiteral("k"), 4}}));
    m_clock.set(Start.addDays(8));
    QVERIFY(m_telemetry->runRetention());
    // A sample of the folded hour that arrives late (a clock step) joins its row.
    QVERIFY(store.write(QStringLiteral("alice"), Start.addSecs(180), {{QStringLiteral("k"), 9}}));
    auto ran = m_telemetry->runRetention();
    QVERIFY(ran);
    QCOMPARE(ran->folded, 1);
    auto rows = m_db->exec(QStringLiteral("SELECT count, sum, min, max, last, histogram FROM stats_hourly"));
    QVERIFY(rows);
    QVERIFY(rows->next());
    QCOMPARE(rows->value(0).toLongLong(), 3);
    QCOMPARE(rows->value(1).toDouble(), 15.0);
    QCOMPARE(rows->value(2).toDouble(), 2.0);
    QCOMPARE(rows->value(3).toDouble(), 9.0);
    QCOMPARE(rows->value(4).toLongLong(), Start.addSecs(180).toMSecsSinceEpoch());
    auto histogram = LogHistogram::fromText(rows->value(5).toString());
    QVERIFY(histogram);
    QCOMPARE(histogram->count(), 3);
    QVERIFY(!rows->next());
}

void TestTelemetry::hourlyRowsExpire()
{
    StatsStore store(*m_db);
    QVERIFY(store.write(QStringLiteral("alice"), Start, {{QStringLiteral("k"), 1}}));
    QVERIFY(store.write(QStringLiteral("alice"), Start.addDays(5), {{QStringLiteral("k"), 1}}));
    m_clock.set(Start.addDays(90).addSecs(3599)); // the first hour is not yet a whole hour past 90 days
    auto ran = m_telemetry->runRetention();
    QVERIFY(ran);
    QCOMPARE(ran->folded, 2);
    QCOMPARE(ran->expired, 0);
    m_clock.set(Start.addDays(90).addSecs(3600));
    ran = m_telemetry->runRetention();
    QVERIFY(ran);
    QCOMPARE(ran->expired, 1);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats_hourly")), 1);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats")), 0);
}

void TestTelemetry::automaticBuckets_data()
{
    QTest::addColumn<qint64>("windowSeconds");
    QTest::addColumn<qint64>("bucket");
    QTest::newRow("1h") << qint64(3600) << qint64(60);
    QTest::newRow("4h") << qint64(4 * 3600) << qint64(60);
    QTest::newRow("24h") << qint64(86400) << qint64(300);
    QTest::newRow("7d") << qint64(7 * 86400) << qint64(1800);
    QTest::newRow("30d") << qint64(30 * 86400) << qint64(7200);
    QTest::newRow("90d") << qint64(90 * 86400) << qint64(21600);
    QTest::newRow("3650d") << qint64(3650 * 86400) << qint64(8 * 86400);
    QTest::newRow("1 minute") << qint64(60) << qint64(60);
}

void TestTelemetry::automaticBuckets()
{
    QFETCH(qint64, windowSeconds);
    QFETCH(qint64, bucket);
    QCOMPARE(StatsQuery::chooseBucketSeconds(windowSeconds), bucket);
    QVERIFY((windowSeconds + bucket - 1) / bucket <= StatsTargetPoints);
}

void TestTelemetry::seriesAndScopes()
{
    StatsStore store(*m_db);
    m_clock.set(Start.addSecs(3600));
    // alice: samples at :00:10, :00:50, :01:30 (values 1, 3, 8); bob: one; the swarm: one.
    QVERIFY(store.write(QStringLiteral("alice"), Start.addSecs(10), {{QStringLiteral("k"), 1}}));
    QVERIFY(store.write(QStringLiteral("alice"), Start.addSecs(50), {{QStringLiteral("k"), 3}}));
    QVERIFY(store.write(QStringLiteral("alice"), Start.addSecs(90), {{QStringLiteral("k"), 8}}));
    QVERIFY(store.write(QStringLiteral("bob"), Start.addSecs(20), {{QStringLiteral("k"), 100}}));
    QVERIFY(store.write(QString(), Start.addSecs(30), {{QStringLiteral("approvals.queue"), 2}}));

    auto alice = query(QStringLiteral("alice"), {QStringLiteral("k"), QStringLiteral("approvals.queue")}, HourMs);
    QVERIFY2(alice, alice ? "" : qPrintable(alice.error().message));
    QCOMPARE(alice->bucketSeconds, 60);
    QCOMPARE(alice->agent, QStringLiteral("alice"));
    QCOMPARE(alice->since, Start);
    QCOMPARE(alice->until, Start.addSecs(3600));
    QCOMPARE(alice->series.size(), 2);
    const QList<StatsPoint> &k = alice->series.at(0).points;
    QCOMPARE(k.size(), 2);
    QCOMPARE(k.at(0), (StatsPoint{Start, 2, 4, 1, 3, 2, 2, 2.9}));
    QCOMPARE(k.at(1), (StatsPoint{Start.addSecs(60), 1, 8, 8, 8, 8, 8, 8}));
    // The swarm's rows are in every agent's view.
    QCOMPARE(alice->series.at(1).key, QStringLiteral("approvals.queue"));
    QCOMPARE(alice->series.at(1).points.size(), 1);

    auto swarm = query(std::nullopt, {QStringLiteral("k")}, HourMs, 3600);
    QVERIFY(swarm);
    QVERIFY(!swarm->agent);
    QCOMPARE(swarm->bucketSeconds, 3600);
    QCOMPARE(swarm->series.first().points.size(), 1);
    QCOMPARE(swarm->series.first().points.first().count, 4);
    QCOMPARE(swarm->series.first().points.first().max, 100.0);
    QCOMPARE(swarm->series.first().points.first().p50, 5.5);

    // An unknown key is an empty series, not an error.
    auto unknown = query(QStringLiteral("bob"), {QStringLiteral("no.such.key")}, HourMs);
    QVERIFY(unknown);
    QCOMPARE(unknown->series.size(), 1);
    QCOMPARE(unknown->series.first().key, QStringLiteral("no.such.key"));
    QVERIFY(unknown->series.first().points.isEmpty());

    // until bounds the window (exclusive).
    StatsQueryParams params;
    params.agent = QStringLiteral("alice");
    params.keys = {QStringLiteral("k")};
    params.since = Start;
    params.until = Start.addSecs(50);
    auto bounded = m_telemetry->query(params);
    QVERIFY(bounded);
    QCOMPARE(bounded->series.first().points.first().count, 1);
    QCOMPARE(bounded->until, Start.addSecs(50));
}

void TestTelemetry::patterns()
{
    m_clock.set(Start.addSecs(600));
    TurnReportParams p = report(QStringLiteral("t1"), 10);
    QVERIFY(m_telemetry->report(QStringLiteral("alice"), p));
    p.turn = QStringLiteral("t2");
    p.toolCalls = {{QStringLiteral("mcp__hive__send"), 4}};
    QVERIFY(m_telemetry->report(QStringLiteral("bob"), p));
    StatsStore store(*m_db);
    QVERIFY(store.write(QStringLiteral("alice"), Start, {{QStringLiteral("toolbox"), 1}})); // not "tool."

    auto alice = query(QStringLiteral("alice"), {QStringLiteral("tool.*"), QStringLiteral("turn")}, HourMs);
    QVERIFY(alice);
    QStringList keys;
    for (const StatsSeries &series : alice->series)
        keys << series.key;
    QCOMPARE(keys, (QStringList{QStringLiteral("tool.Bash"), QStringLiteral("tool.Read"), QStringLiteral("turn")}));
    QCOMPARE(alice->series.first().points.first().sum, 2.0);

    auto swarm = query(std::nullopt, {QStringLiteral("tool.*")}, HourMs);
    QVERIFY(swarm);
    QCOMPARE(swarm->series.size(), 3);
    QCOMPARE(swarm->series.at(2).key, QStringLiteral("tool.mcp__hive__send"));

    auto none = query(QStringLiteral("alice"), {QStringLiteral("nothing.*")}, HourMs);
    QVERIFY(none);
    QVERIFY(none->series.isEmpty());
    auto everything = query(QStringLiteral("bob"), {QStringLiteral("*")}, HourMs);
    QVERIFY(everything);
    QCOMPARE(everything->series.size(), Telemetry::turnSamples(p).size());
}

void TestTelemetry::summary()
{
    // Four turns of alice over 20 minutes: durations 100, 200, 300, 4000; one crash.
    const qint64 durations[] = {100, 200, 300, 4000};
    for (int i = 0; i < 4; ++i) {
        m_clock.set(Start.addSecs(300 * (i + 1)));
        QVERIFY(m_telemetry->report(QStringLiteral("alice"),
                                    report(QStringLiteral("t%1").arg(i), durations[i],
                                           i == 3 ? QStringLiteral("crash") : QStringLiteral("ok"))));
    }
    QVERIFY(m_telemetry->report(QStringLiteral("bob"), report(QStringLiteral("b1"), 50)));
    StatsStore store(*m_db);
    QVERIFY(store.write(QStringLiteral("alice"), Start.addSecs(30), {{QStringLiteral("inbox.depth"), 7}}));
    QVERIFY(m_broker->send(QStringLiteral("bob"), SendParams{QStringLiteral("alice"), QStringLiteral("hi"), {}}));
    QVERIFY(m_db->exec(QStringLiteral("INSERT INTO approvals (kind, agent, commit_sha, requested_by, state, "
                                      "created_at) VALUES ('apply_commit', 'alice', '%1', 'manager', 'pending', 0)")
                           .arg(QString(40, QLatin1Char('a')))));
    m_clock.set(Start.addSecs(30 * 60));

    auto result = query(QStringLiteral("alice"), {}, 30 * MinuteMs);
    QVERIFY2(result, result ? "" : qPrintable(result.error().message));
    const StatsSummary &s = result->summary;
    QVERIFY(result->series.isEmpty());
    QCOMPARE(s.turns, 4);
    QCOMPARE(s.turnsPerMin, 4.0 / 30);
    QCOMPARE(s.toolCallsPerTurn, 3.0);
    QCOMPARE(*s.turnDurationMsP50, 250.0);
    QCOMPARE(*s.turnDurationMsP95, 300 + 0.85 * 3700); // rank 2.85 between 300 and 4000
    QCOMPARE(*s.lastTurnAt, Start.addSecs(1200));
    QCOMPARE(*s.timeSinceLastTurnSeconds, 600);
    QCOMPARE(s.approvalQueueLength, 1);
    QCOMPARE(s.inboxDepth, 1);
    QCOMPARE(s.inboxDepthMax, 7);
    QCOMPARE(s.exits, (QMap<QString, qint64>{{QStringLiteral("ok"), 3}, {QStringLiteral("crash"), 1}}));
    QCOMPARE(s.tools, (QMap<QString, qint64>{{QStringLiteral("Bash"), 8}, {QStringLiteral("Read"), 4}}));
    QCOMPARE(s.tokens, (TurnTokens{400, 80, 20000, 40}));
    QCOMPARE(s.costUsd, 1.0);

    auto swarm = query(std::nullopt, {}, 30 * MinuteMs);
    QVERIFY(swarm);
    QCOMPARE(swarm->summary.turns, 5);
    QCOMPARE(swarm->summary.inboxDepth, 1);
    QCOMPARE(swarm->summary.tools.value(QStringLiteral("Bash")), 10);

    // Without turns: no percentiles, and the last turn stays the latest one ever.
    m_clock.set(Start.addSecs(3 * 3600));
    auto quiet = query(QStringLiteral("alice"), {}, HourMs);
    QVERIFY(quiet);
    QCOMPARE(quiet->summary.turns, 0);
    QCOMPARE(quiet->summary.toolCallsPerTurn, 0.0);
    QVERIFY(!quiet->summary.turnDurationMsP50);
    QCOMPARE(*quiet->summary.lastTurnAt, Start.addSecs(1200));
    QCOMPARE(*quiet->summary.timeSinceLastTurnSeconds, 3 * 3600 - 1200);
    auto never = query(QStringLiteral("bob"), {}, HourMs);
    QVERIFY(never);
    QVERIFY(never->summary.lastTurnAt);
    m_clock.set(Start);
    QVERIFY(m_agents->add(QStringLiteral("carol")));
    m_clock.set(Start.addSecs(3 * 3600));
    auto fresh = query(QStringLiteral("carol"), {}, HourMs);
    QVERIFY(fresh);
    QVERIFY(!fresh->summary.lastTurnAt);
    QVERIFY(!fresh->summary.timeSinceLastTurnSeconds);
}

void TestTelemetry::badWindows_data()
{
    QTest::addColumn<qint64>("sinceAgoMs");
    QTest::addColumn<qint64>("untilAgoMs"); // -1: no until
    QTest::addColumn<qint64>("bucket");     // 0: automatic
    QTest::addColumn<QString>("message");
    // The clock is at 2026-06-01T00:00:00Z.
    QTest::newRow("since in the future") << -MinuteMs << qint64(-1) << qint64(0)
                                         << QStringLiteral("invalid field 'since': must be before until (now, "
                                                           "2026-06-01T00:00:00.000Z), got 2026-06-01T00:01:00.000Z");
    QTest::newRow("since is now") << qint64(0) << qint64(-1) << qint64(0)
                                  << QStringLiteral("invalid field 'since': must be before until (now, "
                                                    "2026-06-01T00:00:00.000Z), got 2026-06-01T00:00:00.000Z");
    QTest::newRow("window longer than retention")
        << 50 * DayMs << -50 * DayMs << qint64(0)
        << QStringLiteral("invalid field 'since': the window of 100.0 days is longer than the 90 days telemetry "
                          "keeps (telemetry.retention_days)");
    QTest::newRow("since before retention")
        << 91 * DayMs << 80 * DayMs << qint64(0)
        << QStringLiteral("invalid field 'since': 2026-03-02T00:00:00.000Z is 91.0 days ago, before the oldest data "
                          "telemetry keeps (90 days, telemetry.retention_days)");
    QTest::newRow("too many buckets")
        << 30 * DayMs << qint64(-1) << qint64(60)
        << QStringLiteral("invalid field 'bucket_seconds': 60 gives 43200 buckets over this window, more than 5000; "
                          "use at least 519");
}

void TestTelemetry::badWindows()
{
    QFETCH(qint64, sinceAgoMs);
    QFETCH(qint64, untilAgoMs);
    QFETCH(qint64, bucket);
    QFETCH(QString, message);
    m_clock.set(QDateTime(QDate(2026, 6, 1), QTime(0, 0), QTimeZone::utc()));
    StatsQueryParams params;
    params.keys = {QStringLiteral("turn")};
    params.since = m_clock.now().addMSecs(-sinceAgoMs);
    if (untilAgoMs != -1)
        params.until = m_clock.now().addMSecs(-untilAgoMs);
    if (bucket > 0)
        params.bucketSeconds = bucket;
    auto result = m_telemetry->query(params);
    QVERIFY(!result);
    QCOMPARE(result.error().code, ErrorCode::InvalidParams);
    QCOMPARE(result.error().message, message);
    // The hint is right: that bucket is accepted.
    if (bucket > 0) {
        params.bucketSeconds = 519;
        auto hinted = m_telemetry->query(params);
        QVERIFY2(hinted, hinted ? "" : qPrintable(hinted.error().message));
    }
    // A whole retention window from a clock a little behind is fine.
    params.since = m_clock.now().addDays(-90).addSecs(-30);
    params.until.reset();
    params.bucketSeconds.reset();
    QVERIFY(m_telemetry->query(params));
}

void TestTelemetry::unknownAgent()
{
    auto result = query(QStringLiteral("zed"), {QStringLiteral("turn")}, HourMs);
    QVERIFY(!result);
    QCOMPARE(result.error().code, ErrorCode::NotFound);
    QCOMPARE(result.error().message, QStringLiteral("invalid field 'agent': unknown agent 'zed'"));
}

void TestTelemetry::approvalQueueSamples()
{
    EngineSamples &samples = m_telemetry->samples();
    QVERIFY(m_telemetry->start()); // the first sample: 0
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats WHERE agent = '' AND key = 'approvals.queue'")), 1);
    const auto addApproval = [this](const char *state) {
        return m_db->exec(QStringLiteral("INSERT INTO approvals (kind, agent, commit_sha, requested_by, state, "
                                         "created_at) VALUES ('apply_commit', 'alice', '%1', 'manager', '%2', 0)")
                              .arg(QString(40, QLatin1Char('b')), QLatin1String(state)));
    };
    QVERIFY(addApproval("pending"));
    m_clock.advance(1000);
    samples.observe(Event{1, m_clock.now(), QStringLiteral("approval_added"), {}});
    QVERIFY(addApproval("denied"));
    samples.observe(Event{2, m_clock.now(), QStringLiteral("approval_resolved"), {}}); // unchanged: no row
    QVERIFY(m_db->exec(QStringLiteral("UPDATE approvals SET state = 'approved' WHERE state = 'pending'")));
    m_clock.advance(1000);
    samples.observe(Event{3, m_clock.now(), QStringLiteral("approval_changed"), {}});
    samples.observe(Event{4, m_clock.now(), QStringLiteral("token_created"), {}});
    auto rows = m_db->exec(QStringLiteral("SELECT ts, value FROM stats WHERE key = 'approvals.queue' ORDER BY ts"));
    QVERIFY(rows);
    QList<double> values;
    while (rows->next())
        values << rows->value(1).toDouble();
    QCOMPARE(values, (QList<double>{0, 1, 0}));
}

void TestTelemetry::inboxSamplesAreThrottled()
{
    EngineSamples &samples = m_telemetry->samples();
    const auto send = [this] {
        auto sent = m_broker->send(QStringLiteral("bob"), SendParams{QStringLiteral("alice"), QStringLiteral("x"), {}});
        QVERIFY(sent);
    };
    const auto sentEvent = [this] {
        return Event{
            0, m_clock.now(), QStringLiteral("message_sent"), {{QStringLiteral("to"), QStringLiteral("alice")}}};
    };
    const auto depths = [this] {
        QList<double> values;
        auto rows = m_db->exec(
            QStringLiteral("SELECT value FROM stats WHERE agent = 'alice' AND key = 'inbox.depth' ORDER BY ts"));
        while (rows && rows->next())
            values << rows->value(0).toDouble();
        return values;
    };
    send();
    samples.observe(sentEvent());
    QCOMPARE(depths(), (QList<double>{1}));
    m_clock.advance(3000);
    send();
    samples.observe(sentEvent());
    send();
    samples.observe(sentEvent());
    QCOMPARE(depths(), (QList<double>{1})); // inside the 10 s
    samples.flush();
    QCOMPARE(depths(), (QList<double>{1})); // still inside
    m_clock.advance(7000);
    samples.flush(); // the timer's end of the interval
    QCOMPARE(depths(), (QList<double>{1, 3}));
    // Acks lower it; the operator has no inbox series.
    auto leased = m_db->exec(QStringLiteral("UPDATE messages SET state = 'acked' WHERE recipient = 'alice'"));
    QVERIFY(leased);
    m_clock.advance(10000);
    samples.observe(
        Event{0, m_clock.now(), QStringLiteral("message_acked"), {{QStringLiteral("agent"), QStringLiteral("alice")}}});
    samples.observe(
        Event{0, m_clock.now(), QStringLiteral("message_sent"), {{QStringLiteral("to"), QStringLiteral("operator")}}});
    QCOMPARE(depths(), (QList<double>{1, 3, 0}));
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats WHERE key = 'inbox.depth'")), 3);
    // Unchanged: nothing written.
    m_clock.advance(10000);
    samples.observe(
        Event{0, m_clock.now(), QStringLiteral("message_acked"), {{QStringLiteral("agent"), QStringLiteral("alice")}}});
    QCOMPARE(depths().size(), 3);
}

void TestTelemetry::purgeForgetsTheAgent()
{
    QVERIFY(m_telemetry->report(QStringLiteral("alice"), report(QStringLiteral("t1"), 10)));
    QVERIFY(m_telemetry->report(QStringLiteral("bob"), report(QStringLiteral("t1"), 10)));
    m_telemetry->observe(
        Event{0, m_clock.now(), QStringLiteral("agent_purged"), {{QStringLiteral("name"), QStringLiteral("alice")}}});
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats WHERE agent = 'alice'")), 0);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats_turns WHERE agent = 'alice'")), 0);
    QVERIFY(count(QStringLiteral("SELECT COUNT(*) FROM stats WHERE agent = 'bob'")) > 0);
}

void TestTelemetry::thirtyDaysOfMinutes()
{
    // 30 days of one sample per minute for 15 keys of one agent (648,000 rows), as SQL writes them.
    const QStringList keys{
        QStringLiteral("turn"),          QStringLiteral("turn.duration_ms"),  QStringLiteral("turn.tool_calls"),
        QStringLiteral("turn.exit.ok"),  QStringLiteral("tool.Bash"),         QStringLiteral("tool.Read"),
        QStringLiteral("sent.peer"),     QStringLiteral("received.system"),   QStringLiteral("tokens.input"),
        QStringLiteral("tokens.output"), QStringLiteral("tokens.cache_read"), QStringLiteral("cost_usd"),
        QStringLiteral("inbox_depth"),   QStringLiteral("notes_bytes"),       QStringLiteral("inbox.depth")};
    QStringList selects;
    for (qsizetype i = 0; i < keys.size(); ++i)
        selects << QStringLiteral("SELECT '%1' AS key, %2 AS off").arg(keys.at(i)).arg(i);
    constexpr qint64 Minutes = 30 * 24 * 60;
    QElapsedTimer timer;
    timer.start();
    Transaction tx(*m_db);
    QVERIFY(tx.isActive());
    auto filled = m_db->exec(
        QStringLiteral("WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < %1) INSERT INTO "
                       "stats (agent, ts, key, value) SELECT 'alice', %2 + i * 60000, k.key, (i * 7919 + k.off) % "
                       "1000 FROM m, (%3) AS k")
            .arg(Minutes - 1)
            .arg(Start.toMSecsSinceEpoch())
            .arg(selects.join(QStringLiteral(" UNION ALL "))));
    QVERIFY2(filled, filled ? "" : qPrintable(filled.error().message));
    QVERIFY(tx.commit());
    const qint64 fillMs = timer.elapsed();
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats")), Minutes * keys.size());
    m_clock.set(Start.addDays(30));

    const auto timed = [&](const char *label, qint64 windowMs, const QStringList &asked, int expectSeries) -> qint64 {
        QElapsedTimer t;
        t.start();
        auto result = query(QStringLiteral("alice"), asked, windowMs);
        const qint64 ms = t.elapsed();
        if (!result) {
            qWarning("%s failed: %s", label, qPrintable(result.error().message));
            return -1;
        }
        if (result->series.size() != expectSeries) {
            qWarning("%s: %lld series", label, static_cast<long long>(result->series.size()));
            return -1;
        }
        qInfo("%s: %lld ms (%lld points per series, bucket %lld s)", label, static_cast<long long>(ms),
              static_cast<long long>(result->series.isEmpty() ? 0 : result->series.first().points.size()),
              static_cast<long long>(result->bucketSeconds));
        return ms;
    };
    const qint64 rawQuery = timed("30-day query, all raw (before any fold)", 30 * DayMs, keys, 15);
    QVERIFY(rawQuery >= 0);

    timer.restart();
    StatsRetentionReport total;
    while (true) {
        auto ran = m_telemetry->runRetention();
        QVERIFY(ran);
        total.folded += ran->folded;
        if (ran->complete)
            break;
    }
    const qint64 foldMs = timer.elapsed();
    QCOMPARE(total.folded, 23 * 24 * 60 * keys.size());
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM stats_hourly")), 23 * 24 * keys.size());

    const qint64 thirty = timed("30-day query, 23 days hourly + 7 days raw", 30 * DayMs, keys, 15);
    const qint64 seven = timed("7-day query", 7 * DayMs, keys, 15);
    const qint64 day = timed("24-hour query", DayMs, keys, 15);
    const qint64 hour = timed("1-hour query", HourMs, keys, 15);
    const qint64 pattern = timed("30-day query of tool.*", 30 * DayMs, {QStringLiteral("tool.*")}, 2);
    const qint64 summaryOnly = timed("30-day summary only", 30 * DayMs, {}, 0);
    qInfo("filling 648,000 rows: %lld ms; folding 23 days (496,800 rows): %lld ms", static_cast<long long>(fillMs),
          static_cast<long long>(foldMs));
    QVERIFY(thirty >= 0 && seven >= 0 && day >= 0 && hour >= 0 && pattern >= 0 && summaryOnly >= 0);
    // Generous bounds (sanitizer builds run here too); the figures above are the measurement.
    QVERIFY2(thirty < 5000, qPrintable(QString::number(thirty)));
    QVERIFY2(hour < 1000, qPrintable(QString::number(hour)));
}

QTEST_GUILESS_MAIN(TestTelemetry)
#include "tst_telemetry.moc"
