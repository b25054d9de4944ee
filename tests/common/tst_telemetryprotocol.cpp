// SPDX-License-Identifier: MIT
// The telemetry wire types (API 1.6.0): turn_report and budget_status on the agent surface,
// stats_query on the operator API: a round trip of each, and every bad input with its message.
#include "jsonreader.h"
#include "protocol/agentmethods.h"
#include "protocol/methods.h"

#include <QJsonArray>
#include <QTest>
#include <QTimeZone>

#include <functional>

using namespace hive;
using namespace hive::protocol;

namespace {

const QDateTime T1 = QDateTime(QDate(2026, 11, 24), QTime(15, 32, 26, 123), QTimeZone::utc());
const QDateTime T2 = T1.addSecs(3600);

template<typename T>
void roundTrip(const T &value)
{
    const QJsonObject json = value.toJson();
    const Result<T> back = T::fromJson(json);
    QVERIFY2(back.has_value(), back.has_value() ? "" : qPrintable(back.error().message));
    QVERIFY(*back == value);
}

TurnReportParams sampleReport()
{
    TurnReportParams p;
    p.turn = QStringLiteral("t-0042");
    p.startedAt = T1;
    p.durationMs = 81234;
    p.exit = QStringLiteral("compact_retry");
    p.model = QStringLiteral("claude-sonnet-4-5");
    p.toolCalls = {{QStringLiteral("mcp__hive__send"), 2}, {QStringLiteral("Bash"), 1}, {QStringLiteral("Read"), 0}};
    p.sent = {{QStringLiteral("peer"), 1}, {QStringLiteral("operator"), 1}};
    p.received = {{QStringLiteral("system"), 3}};
    p.tokens = TurnTokens{1200, 340, 56000, 800};
    p.costUsd = 0.0425;
    p.permissionDenials = 1;
    p.inboxDepth = 4;
    p.notesBytes = 12034;
    return p;
}

QJsonObject reportJson()
{
    return sampleReport().toJson();
}

StatsQueryResult sampleResult()
{
    StatsQueryResult result;
    result.agent = QStringLiteral("alice");
    result.since = T1;
    result.until = T2;
    result.bucketSeconds = 60;
    StatsSeries series;
    series.key = QStringLiteral("turn.duration_ms");
    series.points = {StatsPoint{T1, 3, 300, 50, 200, 100, 50, 195}, StatsPoint{T1.addSecs(60), 1, 7, 7, 7, 7, 7, 7}};
    result.series = {series, StatsSeries{QStringLiteral("unknown.key"), {}}};
    result.summary.turns = 4;
    result.summary.turnsPerMin = 4.0 / 60;
    result.summary.toolCallsPerTurn = 2.5;
    result.summary.turnDurationMsP50 = 75;
    result.summary.turnDurationMsP95 = 190;
    result.summary.lastTurnAt = T2.addSecs(-30);
    result.summary.timeSinceLastTurnSeconds = 30;
    result.summary.approvalQueueLength = 2;
    result.summary.inboxDepth = 1;
    result.summary.inboxDepthMax = 9;
    result.summary.exits = {{QStringLiteral("ok"), 3}, {QStringLiteral("crash"), 1}};
    result.summary.tools = {{QStringLiteral("Bash"), 7}, {QStringLiteral("mcp__hive__send"), 3}};
    result.summary.tokens = TurnTokens{10, 20, 30, 40};
    result.summary.costUsd = 1.25;
    return result;
}

template<typename M, typename List>
bool listed(List list)
{
    const QList<MethodInfo> table = methodTable(list);
    return std::any_of(table.cbegin(), table.cend(), [](const MethodInfo &info) {
        return info.name == QLatin1String(M::Name) && info.role == M::MinimumRole && info.mutates == M::Mutates;
    });
}

} // namespace

class TestTelemetryProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrips();
    void turnReportWire();
    void descriptors();
    void badTurnReport_data();
    void badTurnReport();
    void badStatsQuery_data();
    void badStatsQuery();
    void badBudgetStatusParams();
};

void TestTelemetryProtocol::roundTrips()
{
    roundTrip(sampleReport());
    TurnReportParams empty;
    empty.turn = QStringLiteral("x");
    empty.startedAt = T1;
    empty.exit = QStringLiteral("ok");
    roundTrip(empty);
    roundTrip(TurnTokens{1, 2, 3, 4});

    BudgetStatus budget{QStringLiteral("2026-11-24"), 120345, 1.5, 100000, 2.0, true, 17};
    roundTrip(budget);
    roundTrip(BudgetStatus{QStringLiteral("2026-11-24"), 0, 0, std::nullopt, std::nullopt, false, std::nullopt});
    roundTrip(TurnReportResult{budget});
    roundTrip(BudgetStatusParams{});

    StatsQueryParams query;
    query.agent = QStringLiteral("alice");
    query.keys = {QStringLiteral("turn"), QStringLiteral("tool.*")};
    query.since = T1;
    query.until = T2;
    query.bucketSeconds = 300;
    roundTrip(query);
    roundTrip(StatsQueryParams{std::nullopt, {}, T1, std::nullopt, std::nullopt});

    roundTrip(StatsPoint{T1, 1, 2, 2, 2, 2, 2, 2});
    roundTrip(sampleResult());
    StatsQueryResult swarm = sampleResult();
    swarm.agent.reset();
    swarm.summary.turnDurationMsP50.reset();
    swarm.summary.turnDurationMsP95.reset();
    swarm.summary.lastTurnAt.reset();
    swarm.summary.timeSinceLastTurnSeconds.reset();
    roundTrip(swarm);
}

void TestTelemetryProtocol::turnReportWire()
{
    // The plan's field names, on the wire exactly.
    const QJsonObject json = reportJson();
    QCOMPARE(json.keys(),
             (QStringList{QStringLiteral("cost_usd"), QStringLiteral("duration_ms"), QStringLiteral("exit"),
                          QStringLiteral("inbox_depth"), QStringLiteral("model"), QStringLiteral("notes_bytes"),
                          QStringLiteral("permission_denials"), QStringLiteral("received"), QStringLiteral("sent"),
                          QStringLiteral("started_at"), QStringLiteral("tokens"), QStringLiteral("tool_calls"),
                          QStringLiteral("turn")}));
    QCOMPARE(json.value(QStringLiteral("tokens")).toObject().keys(),
             (QStringList{QStringLiteral("cache_creation"), QStringLiteral("cache_read"), QStringLiteral("input"),
                          QStringLiteral("output")}));
    QCOMPARE(json.value(QStringLiteral("started_at")).toString(), QStringLiteral("2026-11-24T15:32:26.123Z"));
    QCOMPARE(sampleReport().totalToolCalls(), 3);
    QCOMPARE(sampleReport().tokens.budgeted(), 1200 + 340 + 800);

    // Missing keys of the count objects count 0.
    QJsonObject sparse = json;
    sparse.insert(QStringLiteral("tokens"), QJsonObject{{QStringLiteral("output"), 5}});
    sparse.insert(QStringLiteral("sent"), QJsonObject{});
    auto parsed = TurnReportParams::fromJson(sparse);
    QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().message));
    QCOMPARE(parsed->tokens, (TurnTokens{0, 5, 0, 0}));
    QVERIFY(parsed->sent.isEmpty());

    const QJsonObject budget =
        BudgetStatus{QStringLiteral("2026-11-24"), 5, 0.5, std::nullopt, 1.0, false, std::nullopt}.toJson();
    QCOMPARE(budget.keys(),
             (QStringList{QStringLiteral("cost_limit_usd"), QStringLiteral("cost_used_usd"), QStringLiteral("day"),
                          QStringLiteral("exceeded"), QStringLiteral("tokens_used")}));
}

void TestTelemetryProtocol::descriptors()
{
    QCOMPARE(QLatin1String(TurnReportMethod::Name), QLatin1String("turn_report"));
    QCOMPARE(QLatin1String(BudgetStatusMethod::Name), QLatin1String("budget_status"));
    QCOMPARE(QLatin1String(StatsQueryMethod::Name), QLatin1String("stats_query"));
    QVERIFY(TurnReportMethod::Mutates);
    QVERIFY(!BudgetStatusMethod::Mutates);
    QVERIFY(!StatsQueryMethod::Mutates);
    QCOMPARE(StatsQueryMethod::MinimumRole, Role::Viewer);
    QVERIFY(listed<TurnReportMethod>(AgentMethods{}));
    QVERIFY(listed<BudgetStatusMethod>(AgentMethods{}));
    QVERIFY(listed<StatsQueryMethod>(ApiMethods{}));
    QVERIFY(!listed<StatsQueryMethod>(AgentMethods{}));
    QVERIFY(!listed<TurnReportMethod>(ApiMethods{}));
}

void TestTelemetryProtocol::badTurnReport_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("value"); // undefined: remove the field
    QTest::addColumn<QString>("message");

    const auto row = [](const char *name, const char *field, const QJsonValue &value, const QString &message) {
        QTest::newRow(name) << QString::fromLatin1(field) << value << message;
    };
    row("turn missing", "turn", QJsonValue(QJsonValue::Undefined), QStringLiteral("missing required field 'turn'"));
    row("turn empty", "turn", QString(), QStringLiteral("invalid field 'turn': must have 1 to 128 characters, got 0"));
    row("turn long", "turn", QString(129, QLatin1Char('t')),
        QStringLiteral("invalid field 'turn': must have 1 to 128 characters, got 129"));
    row("turn number", "turn", 7, QStringLiteral("field 'turn' must be a string"));
    row("started_at bad", "started_at", QStringLiteral("yesterday"),
        QStringLiteral("field 'started_at' must be an ISO 8601 timestamp string"));
    row("started_at missing", "started_at", QJsonValue(QJsonValue::Undefined),
        QStringLiteral("missing required field 'started_at'"));
    row("duration negative", "duration_ms", -1,
        QStringLiteral("invalid field 'duration_ms': must not be negative, got -1"));
    row("duration fraction", "duration_ms", 1.5, QStringLiteral("field 'duration_ms' must be an integer"));
    row("exit unknown", "exit", QStringLiteral("boom"),
        QStringLiteral("invalid field 'exit': must be one of ok, compact_retry, prompt_too_long, rate_limited, "
                       "auth_failed, api_error, crash, timeout, cancelled, max_turns, got 'boom'"));
    row("model missing", "model", QJsonValue(QJsonValue::Undefined), QStringLiteral("missing required field 'model'"));
    row("model long", "model", QString(257, QLatin1Char('m')),
        QStringLiteral("invalid field 'model': must have 0 to 256 characters, got 257"));
    row("tool_calls array", "tool_calls", QJsonArray{}, QStringLiteral("field 'tool_calls' must be an object"));
    row("tool count negative", "tool_calls", QJsonObject{{QStringLiteral("Bash"), -1}},
        QStringLiteral("invalid field 'tool_calls': 'Bash' must be a non-negative integer"));
    row("tool count text", "tool_calls", QJsonObject{{QStringLiteral("Bash"), QStringLiteral("2")}},
        QStringLiteral("invalid field 'tool_calls': 'Bash' must be a non-negative integer"));
    row("tool name empty", "tool_calls", QJsonObject{{QString(), 1}},
        QStringLiteral("invalid field 'tool_calls': names must have 1 to 128 characters, got 0"));
    row("tool name space", "tool_calls", QJsonObject{{QStringLiteral("my tool"), 1}},
        QStringLiteral("invalid field 'tool_calls': name 'my tool' holds whitespace, a control character or '*'"));
    row("tool name star", "tool_calls", QJsonObject{{QStringLiteral("Bash*"), 1}},
        QStringLiteral("invalid field 'tool_calls': name 'Bash*' holds whitespace, a control character or '*'"));
    QJsonObject many;
    for (int i = 0; i < TurnMaxTools + 1; ++i)
        many.insert(QStringLiteral("tool%1").arg(i), 1);
    row("too many tools", "tool_calls", many,
        QStringLiteral("invalid field 'tool_calls': 257 entries exceed the limit of 256"));
    row("sent unknown kind", "sent", QJsonObject{{QStringLiteral("peers"), 1}},
        QStringLiteral("invalid field 'sent': unknown key 'peers'; known: peer, operator, manager, broadcast"));
    row("received broadcast", "received", QJsonObject{{QStringLiteral("broadcast"), 1}},
        QStringLiteral("invalid field 'received': unknown key 'broadcast'; known: peer, operator, manager, system"));
    row("received missing", "received", QJsonValue(QJsonValue::Undefined),
        QStringLiteral("missing required field 'received'"));
    row("tokens negative", "tokens", QJsonObject{{QStringLiteral("input"), -5}},
        QStringLiteral("invalid field 'tokens.input': must not be negative, got -5"));
    row("tokens unknown", "tokens", QJsonObject{{QStringLiteral("inputs"), 5}},
        QStringLiteral("unknown field 'inputs' in tokens; known: cache_creation, cache_read, input, output"));
    row("tokens not object", "tokens", 5, QStringLiteral("field 'tokens' must be an object"));
    row("cost negative", "cost_usd", -0.5,
        QStringLiteral("invalid field 'cost_usd': must be a non-negative number, got -0.5"));
    row("cost text", "cost_usd", QStringLiteral("1"), QStringLiteral("field 'cost_usd' must be a number"));
    row("denials negative", "permission_denials", -2,
        QStringLiteral("invalid field 'permission_denials': must not be negative, got -2"));
    row("inbox negative", "inbox_depth", -3,
        QStringLiteral("invalid field 'inbox_depth': must not be negative, got -3"));
    row("notes missing", "notes_bytes", QJsonValue(QJsonValue::Undefined),
        QStringLiteral("missing required field 'notes_bytes'"));
    row("unknown field", "extra", true,
        QStringLiteral("unknown field 'extra'; known: cost_usd, duration_ms, exit, inbox_depth, model, notes_bytes, "
                       "permission_denials, received, sent, started_at, tokens, tool_calls, turn"));
}

void TestTelemetryProtocol::badTurnReport()
{
    QFETCH(QString, field);
    QFETCH(QJsonValue, value);
    QFETCH(QString, message);
    QJsonObject json = reportJson();
    if (value.isUndefined())
        json.remove(field);
    else
        json.insert(field, value);
    const auto parsed = TurnReportParams::fromJson(json);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().code, ErrorCode::InvalidParams);
    QCOMPARE(parsed.error().message, message);
}

void TestTelemetryProtocol::badStatsQuery_data()
{
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QString>("message");
    const QString since = toWireTime(T1);
    const auto with = [&](std::initializer_list<std::pair<QString, QJsonValue>> fields) {
        QJsonObject json{{QStringLiteral("keys"), QJsonArray{QStringLiteral("turn")}},
                         {QStringLiteral("since"), since}};
        for (const auto &[key, value] : fields) {
            if (value.isUndefined())
                json.remove(key);
            else
                json.insert(key, value);
        }
        return json;
    };
    QTest::newRow("keys missing") << with({{QStringLiteral("keys"), QJsonValue(QJsonValue::Undefined)}})
                                  << QStringLiteral("missing required field 'keys'");
    QTest::newRow("keys not strings") << with({{QStringLiteral("keys"), QJsonArray{1}}})
                                      << QStringLiteral("field 'keys' must be an array of strings");
    QTest::newRow("key empty") << with({{QStringLiteral("keys"), QJsonArray{QStringLiteral("turn"), QString()}}})
                               << QStringLiteral("invalid field 'keys': item 1: must have 1 to 200 characters, got 0");
    QTest::newRow("star inside") << with({{QStringLiteral("keys"), QJsonArray{QStringLiteral("tool.*.x")}}})
                                 << QStringLiteral("invalid field 'keys': item 0: '*' is only allowed at the end (a "
                                                   "prefix pattern), got 'tool.*.x'");
    QTest::newRow("key space") << with({{QStringLiteral("keys"), QJsonArray{QStringLiteral("a b")}}})
                               << QStringLiteral("invalid field 'keys': item 0: 'a b' holds whitespace or a control "
                                                 "character");
    QJsonArray many;
    for (int i = 0; i < StatsMaxKeys + 1; ++i)
        many.append(QStringLiteral("k%1").arg(i));
    QTest::newRow("too many keys") << with({{QStringLiteral("keys"), QJsonValue(many)}})
                                   << QStringLiteral("invalid field 'keys': 65 keys exceed the limit of 64");
    QTest::newRow("agent empty") << with({{QStringLiteral("agent"), QString()}})
                                 << QStringLiteral("invalid field 'agent': must not be empty; leave it out for the "
                                                   "whole swarm");
    QTest::newRow("since missing") << with({{QStringLiteral("since"), QJsonValue(QJsonValue::Undefined)}})
                                   << QStringLiteral("missing required field 'since'");
    QTest::newRow("since bad") << with({{QStringLiteral("since"), QStringLiteral("1h")}})
                               << QStringLiteral("field 'since' must be an ISO 8601 timestamp string");
    QTest::newRow("since after until") << with({{QStringLiteral("until"), toWireTime(T1.addSecs(-1))}})
                                       << QStringLiteral("invalid field 'since': must be before until "
                                                         "(2026-11-24T15:32:25.123Z), got 2026-11-24T15:32:26.123Z");
    QTest::newRow("since equals until") << with({{QStringLiteral("until"), since}})
                                        << QStringLiteral("invalid field 'since': must be before until "
                                                          "(2026-11-24T15:32:26.123Z), got 2026-11-24T15:32:26.123Z");
    QTest::newRow("bucket small") << with({{QStringLiteral("bucket_seconds"), 59}})
                                  << QStringLiteral("invalid field 'bucket_seconds': must be between 60 and 31536000, "
                                                    "got 59");
    QTest::newRow("bucket huge") << with({{QStringLiteral("bucket_seconds"), 31536001}})
                                 << QStringLiteral("invalid field 'bucket_seconds': must be between 60 and 31536000, "
                                                   "got 31536001");
    QTest::newRow("unknown") << with({{QStringLiteral("bucket"), 60}})
                             << QStringLiteral("unknown field 'bucket'; known: agent, bucket_seconds, keys, since, "
                                               "until");
}

void TestTelemetryProtocol::badStatsQuery()
{
    QFETCH(QJsonObject, params);
    QFETCH(QString, message);
    const auto parsed = StatsQueryParams::fromJson(params);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().code, ErrorCode::InvalidParams);
    QCOMPARE(parsed.error().message, message);
}

void TestTelemetryProtocol::badBudgetStatusParams()
{
    const auto parsed = BudgetStatusParams::fromJson(QJsonObject{{QStringLiteral("agent"), QStringLiteral("bob")}});
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().message, QStringLiteral("unknown field 'agent'; known: none"));
}

QTEST_GUILESS_MAIN(TestTelemetryProtocol)
#include "tst_telemetryprotocol.moc"
