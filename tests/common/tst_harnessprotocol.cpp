// SPDX-License-Identifier: MIT
// The harness protocol types (API 1.6.0): every struct round-trips, the wire names, the state and
// kind lists, the ConfigResult additions, and every bad parameter refused with the exact message.
#include "protocol/agentmethods.h"
#include "protocol/agents.h"
#include "protocol/deployedconfig.h"
#include "protocol/harness.h"

#include <QJsonArray>
#include <QTest>
#include <QTimeZone>

#include <functional>

using namespace hive;
using namespace hive::protocol;

namespace {

const QDateTime T1 = QDateTime(QDate(2026, 11, 24), QTime(15, 32, 26, 123), QTimeZone::utc());
const QDateTime T2 = QDateTime(QDate(2026, 11, 24), QTime(15, 33, 26, 0), QTimeZone::utc());

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

template<typename T>
void roundTrip(const T &value)
{
    const QJsonObject json = value.toJson();
    const Result<T> back = T::fromJson(json);
    QVERIFY2(back.has_value(), back.has_value() ? "" : qPrintable(back.error().message));
    QVERIFY(*back == value);
}

using Parser = std::function<std::optional<Error>(const QJsonObject &)>;

template<typename T>
Parser parserFor()
{
    return [](const QJsonObject &json) -> std::optional<Error> {
        const Result<T> parsed = T::fromJson(json);
        if (parsed)
            return std::nullopt;
        return parsed.error();
    };
}

Parser parserNamed(const QString &name)
{
    static const QMap<QString, Parser> parsers{
        {key("harness_attach"), parserFor<HarnessAttachParams>()},
        {key("harness_state"), parserFor<HarnessStateParams>()},
        {key("turn_event"), parserFor<TurnEventParams>()},
        {key("agent_cancel_turn"), parserFor<AgentCancelTurnParams>()},
        {key("agent_set_model"), parserFor<AgentSetModelParams>()},
        {key("harness_status"), parserFor<HarnessStatus>()},
        {key("config_result"), parserFor<ConfigResult>()},
        {key("agent_info"), parserFor<AgentInfo>()},
    };
    return parsers.value(name);
}

HarnessStatus fullStatus()
{
    return HarnessStatus{key(harnessstates::RateLimited), key("429 from the API"), T1, T2, key("t-7")};
}

ConfigResult fullConfig()
{
    ConfigResult config;
    config.commit = key("0123456789abcdef0123456789abcdef01234567");
    config.approval = 4;
    config.model = key("claude-sonnet-4-5");
    config.modelSource = key(modelsources::Override);
    config.prompt = key("be brief");
    config.allowedTools = {key("Read"), key("Bash(git *)")};
    config.allowedRecipients = {key("bob")};
    config.cli = CliSpec{key("/usr/local/lib/hyperhive/agent-cli/claude"),
                         {key("--debug"), QString()},
                         {{key("ANTHROPIC_API_KEY"), key("sk-test")}, {key("X"), key("x-fake-agent: alice")}}};
    config.harness = HarnessTuning{600, 30, 4096};
    return config;
}

QString text(int size, QChar fill = QLatin1Char('a'))
{
    return QString(size, fill);
}

/// A data object whose compact JSON is exactly `bytes` long: {"t":"aaa..."} is 8 bytes plus the text.
QJsonObject dataOfSize(int bytes)
{
    return QJsonObject{{key("t"), text(bytes - 8)}};
}

QJsonObject with(QJsonObject json, const char *field, const QJsonValue &value)
{
    json.insert(key(field), value);
    return json;
}

QJsonObject without(QJsonObject json, const char *field)
{
    json.remove(key(field));
    return json;
}

} // namespace

class TestHarnessProtocol : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyStructRoundTrips();
    void wireNames();
    void statesAndKinds();
    void methodTables();
    void modelNames_data();
    void modelNames();
    void invalidInputIsNamed_data();
    void invalidInputIsNamed();
    void boundariesAreAccepted();
};

void TestHarnessProtocol::everyStructRoundTrips()
{
    roundTrip(HarnessAttachParams{4711, key("1.6.0")});
    roundTrip(HarnessAttachResult{key("alice"), key("agent")});
    roundTrip(HarnessStateParams{key(harnessstates::Turn), key("working"), T2, key("t-1")});
    roundTrip(HarnessStateParams{key(harnessstates::Idle), std::nullopt, std::nullopt, std::nullopt});
    roundTrip(HarnessStateResult{});
    roundTrip(TurnEventParams{key("t-1"), key(turneventkinds::ToolCall),
                              QJsonObject{{key("name"), key("Bash")}, {key("input"), QJsonObject{{key("n"), 1}}}}});
    roundTrip(TurnEventParams{key("t-1"), key(turneventkinds::Ended), QJsonObject{}});
    roundTrip(TurnEventResult{});
    roundTrip(fullStatus());
    roundTrip(HarnessStatus{key(harnessstates::Idle), std::nullopt, T1, std::nullopt, std::nullopt});
    roundTrip(AgentCancelTurnParams{key("alice")});
    roundTrip(AgentCancelTurnResult{true});
    roundTrip(AgentCancelTurnResult{false});
    roundTrip(AgentSetModelParams{key("alice"), key("claude-opus-4-1")});
    roundTrip(AgentSetModelParams{key("alice"), std::nullopt});
    roundTrip(fullConfig());
    roundTrip(ConfigResult{});

    AgentInfo agent{key("alice"), key("agent"),          {}, T1, 1, 2, key(agentstates::RateLimited), std::nullopt,
                    fullStatus(), key("claude-opus-4-1")};
    roundTrip(agent);
    agent.harness.reset();
    agent.modelOverride.reset();
    roundTrip(agent);
}

void TestHarnessProtocol::wireNames()
{
    QCOMPARE(HarnessAttachParams({12, key("v")}).toJson(), QJsonObject({{key("pid"), 12}, {key("version"), key("v")}}));
    QCOMPARE(HarnessAttachResult({key("bob"), key("manager")}).toJson(),
             QJsonObject({{key("agent"), key("bob")}, {key("kind"), key("manager")}}));
    QCOMPARE(fullStatus().toJson(), QJsonObject({{key("state"), key("rate_limited")},
                                                 {key("detail"), key("429 from the API")},
                                                 {key("since"), key("2026-11-24T15:32:26.123Z")},
                                                 {key("until"), key("2026-11-24T15:33:26.000Z")},
                                                 {key("turn"), key("t-7")}}));
    // Absent optionals are left out, not sent as null.
    QCOMPARE(HarnessStatus({key("idle"), std::nullopt, T1, std::nullopt, std::nullopt}).toJson(),
             QJsonObject({{key("state"), key("idle")}, {key("since"), key("2026-11-24T15:32:26.123Z")}}));
    QCOMPARE(HarnessStateParams({key("idle"), std::nullopt, std::nullopt, std::nullopt}).toJson(),
             QJsonObject({{key("state"), key("idle")}}));
    QCOMPARE(TurnEventParams({key("t"), key("text"), QJsonObject{{key("text"), key("hi")}}}).toJson(),
             QJsonObject({{key("turn"), key("t")},
                          {key("kind"), key("text")},
                          {key("data"), QJsonObject{{key("text"), key("hi")}}}}));
    QCOMPARE(HarnessStateResult{}.toJson(), QJsonObject());
    QCOMPARE(TurnEventResult{}.toJson(), QJsonObject());
    QCOMPARE(AgentCancelTurnResult{true}.toJson(), QJsonObject({{key("cancelled"), true}}));
    // Removing the override sends model: null, which is required.
    QCOMPARE(AgentSetModelParams({key("a"), std::nullopt}).toJson(),
             QJsonObject({{key("name"), key("a")}, {key("model"), QJsonValue()}}));
    QVERIFY(AgentSetModelParams::fromJson({{key("name"), key("a")}, {key("model"), QJsonValue()}}));

    const QJsonObject config = fullConfig().toJson();
    QCOMPARE(config.value(key("model_source")).toString(), key("override"));
    QCOMPARE(config.value(key("cli")).toObject(),
             QJsonObject({{key("path"), key("/usr/local/lib/hyperhive/agent-cli/claude")},
                          {key("args"), QJsonArray{key("--debug"), QString()}},
                          {key("env"), QJsonObject{{key("ANTHROPIC_API_KEY"), key("sk-test")},
                                                   {key("X"), key("x-fake-agent: alice")}}}}));
    QCOMPARE(config.value(key("harness")).toObject(), QJsonObject({{key("turn_timeout_seconds"), 600},
                                                                   {key("rate_limit_retry_seconds"), 30},
                                                                   {key("notes_compact_bytes"), 4096}}));
    // The defaults a ConfigResult starts with are the engine's.
    QCOMPARE(ConfigResult{}.toJson().value(key("model_source")).toString(), key("default"));
    QCOMPARE(ConfigResult{}.toJson().value(key("harness")).toObject(),
             QJsonObject({{key("turn_timeout_seconds"), 1800},
                          {key("rate_limit_retry_seconds"), 60},
                          {key("notes_compact_bytes"), 32768}}));

    AgentInfo agent{key("alice"), key("agent"), {}, T1, 0, 0, key("running"), std::nullopt, fullStatus(), key("m")};
    QCOMPARE(agent.toJson().value(key("harness")).toObject(), fullStatus().toJson());
    QCOMPARE(agent.toJson().value(key("model_override")).toString(), key("m"));
    agent.harness.reset();
    agent.modelOverride.reset();
    QVERIFY(!agent.toJson().contains(key("harness")));
    QVERIFY(!agent.toJson().contains(key("model_override")));

    QCOMPARE(key(CancelTurnNotification), key("cancel_turn"));
    QCOMPARE(key(ConfigChangedNotification), key("config_changed"));
    QCOMPARE(key(agentstates::RateLimited), key("rate_limited"));
    QCOMPARE(key(agentstates::NeedsLogin), key("needs_login"));
    QCOMPARE(key(agentstates::OverBudget), key("over_budget"));
}

void TestHarnessProtocol::statesAndKinds()
{
    for (const char *state : {"idle", "turn", "rate_limited", "needs_login", "over_budget", "compacting"})
        QVERIFY2(isHarnessState(key(state)), state);
    for (const char *state : {"", "Idle", "running", "turn "})
        QVERIFY2(!isHarnessState(key(state)), state);
    for (const char *kind : {"started", "text", "tool_call", "tool_result", "ended"})
        QVERIFY2(isTurnEventKind(key(kind)), kind);
    for (const char *kind : {"", "thinking", "Text"})
        QVERIFY2(!isTurnEventKind(key(kind)), kind);
}

void TestHarnessProtocol::methodTables()
{
    const auto agentTable = methodTable(AgentMethods{});
    const auto find = [](const QList<MethodInfo> &table, const char *name) {
        for (const MethodInfo &info : table) {
            if (info.name == QLatin1String(name))
                return std::optional<MethodInfo>(info);
        }
        return std::optional<MethodInfo>();
    };
    QVERIFY(find(agentTable, "harness_attach"));
    QVERIFY(find(agentTable, "harness_state"));
    QVERIFY(find(agentTable, "turn_event"));
    QVERIFY(!find(agentTable, "agent_cancel_turn"));
    const auto apiTable = methodTable(ApiMethods{});
    for (const char *name : {"agent_cancel_turn", "agent_set_model"}) {
        const auto info = find(apiTable, name);
        QVERIFY2(info, name);
        QCOMPARE(info->role, Role::Operator);
        QVERIFY(info->mutates);
    }
    QVERIFY(!find(apiTable, "harness_attach"));
}

void TestHarnessProtocol::modelNames_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("problem"); // empty: valid
    QTest::newRow("plain") << key("claude-sonnet-4-5") << QString();
    QTest::newRow("with date and dots") << key("claude-3.5-haiku@20241022") << QString();
    QTest::newRow("100 chars") << text(100) << QString();
    QTest::newRow("empty") << QString() << key("must not be empty");
    QTest::newRow("101 chars") << text(101) << key("must be at most 100 characters, got 101");
    QTest::newRow("space") << key("claude sonnet")
                           << key("must not contain whitespace or control characters (U+0020 at character 6)");
    QTest::newRow("tab") << key("\tx")
                         << key("must not contain whitespace or control characters (U+0009 at character 0)");
    QTest::newRow("newline") << key("x\n")
                             << key("must not contain whitespace or control characters (U+000A at character 1)");
    QTest::newRow("escape") << key("x\x1b[31m")
                            << key("must not contain whitespace or control characters (U+001B at character 1)");
    QTest::newRow("no-break space") << QStringLiteral("a\u00a0b")
                                    << key("must not contain whitespace or control characters (U+00A0 at character 1)");
    QTest::newRow("zero-width space")
        << QStringLiteral("a\u200bb")
        << key("must not contain whitespace or control characters (U+200B at character 1)");
}

void TestHarnessProtocol::modelNames()
{
    QFETCH(QString, model);
    QFETCH(QString, problem);
    QCOMPARE(modelNameProblem(model).value_or(QString()), problem);
    const auto parsed = AgentSetModelParams::fromJson({{key("name"), key("alice")}, {key("model"), model}});
    QCOMPARE(parsed.has_value(), problem.isEmpty());
    if (!parsed) {
        QCOMPARE(parsed.error().code, ErrorCode::InvalidParams);
        QCOMPARE(parsed.error().message, QStringLiteral("invalid field 'model': %1").arg(problem));
    }
}

void TestHarnessProtocol::invalidInputIsNamed_data()
{
    QTest::addColumn<QString>("what");
    QTest::addColumn<QJsonObject>("json");
    QTest::addColumn<QString>("message");

    const QJsonObject attach{{key("pid"), 5}, {key("version"), key("1.6.0")}};
    QTest::newRow("attach without pid") << key("harness_attach") << without(attach, "pid")
                                        << key("missing required field 'pid'");
    QTest::newRow("attach pid 0") << key("harness_attach") << with(attach, "pid", 0)
                                  << key("invalid field 'pid': must be between 1 and 2147483647, got 0");
    QTest::newRow("attach pid text") << key("harness_attach") << with(attach, "pid", key("5"))
                                     << key("field 'pid' must be an integer");
    QTest::newRow("attach empty version") << key("harness_attach") << with(attach, "version", QString())
                                          << key("invalid field 'version': must not be empty");
    QTest::newRow("attach long version") << key("harness_attach") << with(attach, "version", text(101))
                                         << key("invalid field 'version': must be at most 100 characters, got 101");
    QTest::newRow("attach unknown field") << key("harness_attach") << with(attach, "agent", key("bob"))
                                          << key("unknown field 'agent'; known: pid, version");

    const QJsonObject state{{key("state"), key("idle")}};
    QTest::newRow("state missing") << key("harness_state") << QJsonObject() << key("missing required field 'state'");
    QTest::newRow("state unknown")
        << key("harness_state") << with(state, "state", key("sleeping"))
        << key("invalid field 'state': must be one of idle, turn, rate_limited, needs_login, over_budget, "
               "compacting, got 'sleeping'");
    QTest::newRow("state until not a time") << key("harness_state") << with(state, "until", key("soon"))
                                            << key("field 'until' must be an ISO 8601 timestamp string");
    QTest::newRow("state long detail") << key("harness_state") << with(state, "detail", text(1001))
                                       << key("invalid field 'detail': must be at most 1000 characters, got 1001");
    QTest::newRow("state empty turn") << key("harness_state") << with(state, "turn", QString())
                                      << key("invalid field 'turn': must not be empty");
    QTest::newRow("state since is the engine's")
        << key("harness_state") << with(state, "since", key("2026-01-01T00:00:00Z"))
        << key("unknown field 'since'; known: detail, state, turn, until");

    const QJsonObject event{{key("turn"), key("t-1")}, {key("kind"), key("text")}, {key("data"), QJsonObject()}};
    QTest::newRow("event unknown kind")
        << key("turn_event") << with(event, "kind", key("thinking"))
        << key("invalid field 'kind': must be one of started, text, tool_call, tool_result, ended, got 'thinking'");
    QTest::newRow("event data array") << key("turn_event") << with(event, "data", QJsonArray{1})
                                      << key("field 'data' must be an object");
    QTest::newRow("event data text") << key("turn_event") << with(event, "data", key("hello"))
                                     << key("field 'data' must be an object");
    QTest::newRow("event without data") << key("turn_event") << without(event, "data")
                                        << key("missing required field 'data'");
    QTest::newRow("event data 16 KiB + 1")
        << key("turn_event") << with(event, "data", dataOfSize(16385))
        << key("invalid field 'data': must be at most 16384 bytes of JSON, got 16385");
    QTest::newRow("event empty turn") << key("turn_event") << with(event, "turn", QString())
                                      << key("invalid field 'turn': must not be empty");
    QTest::newRow("event long turn") << key("turn_event") << with(event, "turn", text(TurnIdMaxChars + 1))
                                     << QStringLiteral("invalid field 'turn': must be at most %1 characters, got %2")
                                            .arg(TurnIdMaxChars)
                                            .arg(TurnIdMaxChars + 1);

    QTest::newRow("cancel without name") << key("agent_cancel_turn") << QJsonObject()
                                         << key("missing required field 'name'");
    const QJsonObject model{{key("name"), key("alice")}, {key("model"), key("m")}};
    QTest::newRow("set_model without model")
        << key("agent_set_model") << without(model, "model") << key("missing required field 'model'");
    QTest::newRow("set_model number") << key("agent_set_model") << with(model, "model", 3)
                                      << key("invalid field 'model': must be a string or null");

    QTest::newRow("status without since")
        << key("harness_status") << QJsonObject({{key("state"), key("idle")}}) << key("missing required field 'since'");

    QJsonObject config = fullConfig().toJson();
    QTest::newRow("config without cli") << key("config_result") << without(config, "cli")
                                        << key("missing required field 'cli'");
    QTest::newRow("config bad source") << key("config_result") << with(config, "model_source", key("toml"))
                                       << key("invalid field 'model_source': must be one of override, agent, default, "
                                              "got 'toml'");
    QJsonObject cli = config.value(key("cli")).toObject();
    cli.insert(key("env"), QJsonObject{{key("A"), 1}});
    QTest::newRow("config env number") << key("config_result") << with(config, "cli", cli)
                                       << key("invalid field 'cli.env': the value of 'A' must be a string");
    cli.insert(key("env"), QJsonObject());
    cli.insert(key("shell"), true);
    QTest::newRow("config cli unknown") << key("config_result") << with(config, "cli", cli)
                                        << key("unknown field 'shell' in cli; known: args, env, path");
    QTest::newRow("config harness zero timeout")
        << key("config_result")
        << with(config, "harness",
                QJsonObject{{key("turn_timeout_seconds"), 0},
                            {key("rate_limit_retry_seconds"), 1},
                            {key("notes_compact_bytes"), 1}})
        << key("invalid field 'harness.turn_timeout_seconds': must be between 1 and 2147483647, got 0");

    AgentInfo info;
    info.name = key("a");
    info.kind = key("agent");
    info.createdAt = T1;
    QJsonObject agent = info.toJson();
    QTest::newRow("agent bad harness") << key("agent_info") << with(agent, "harness", QJsonObject{{key("state"), 1}})
                                       << key("harness: field 'state' must be a string");
}

void TestHarnessProtocol::invalidInputIsNamed()
{
    QFETCH(QString, what);
    QFETCH(QJsonObject, json);
    QFETCH(QString, message);
    const Parser parser = parserNamed(what);
    QVERIFY2(parser, qPrintable(what));
    const auto error = parser(json);
    QVERIFY2(error, "accepted");
    QCOMPARE(error->code, ErrorCode::InvalidParams);
    QCOMPARE(error->message, message);
}

void TestHarnessProtocol::boundariesAreAccepted()
{
    // Exactly at the cap is fine; the cap counts compact JSON.
    const QJsonObject event{
        {key("turn"), text(TurnIdMaxChars)}, {key("kind"), key("tool_result")}, {key("data"), dataOfSize(16384)}};
    const auto parsed = TurnEventParams::fromJson(event);
    QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().message));
    QVERIFY(HarnessStateParams::fromJson({{key("state"), key("compacting")}, {key("detail"), text(1000)}}));
    QVERIFY(HarnessStateParams::fromJson({{key("state"), key("idle")}, {key("until"), QJsonValue()}}));
    QVERIFY(HarnessAttachParams::fromJson({{key("pid"), 1}, {key("version"), text(100)}}));
}

QTEST_GUILESS_MAIN(TestHarnessProtocol)
#include "tst_harnessprotocol.moc"
