// SPDX-License-Identifier: MIT
// The engine side of the harness against a real in-process engine (real SQLite, real agent and
// admin sockets, a scripted container runtime): harness_attach and its control connection,
// harness_state in AgentInfo and agent_harness events, turn_event as agent_turn, the operator's
// agent_cancel_turn and agent_set_model (stored across restarts), the config call's cli, env,
// model and API key (never logged), and engine.conf's [harness].
#include "agents/agentsockets.h"
#include "agents/harnesses.h"
#include "broker/agentregistry.h"
#include "containers/agentlifecycle.h"
#include "engine.h"
#include "engineclients.h"
#include "fakeclock.h"
#include "fakeruntime.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "protocol/methods.h"
#include "rpcclient.h"
#include "store/auditlog.h"
#include "store/eventlog.h"
#include "verify.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;
using hive::test::FakeRuntime;
using hive::test::FakeWorld;

namespace {

constexpr int Timeout = 10000;

QString key(const char *text)
{
    return QString::fromLatin1(text);
}

/// Everything the engine logs while a test runs (the API key must never be in it).
QMutex logMutex;
QString logText;
QtMessageHandler previousHandler = nullptr;

void captureLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&logMutex);
        logText += QString::fromLatin1(context.category ? context.category : "") + QLatin1Char(' ') + message +
                   QLatin1Char('\n');
    }
    if (previousHandler)
        previousHandler(type, context, message);
}

/// One harness (or plain) client on an agent's socket, with the notifications it got.
struct AgentClient {
    std::unique_ptr<client::RpcClient> rpc;
    QStringList notifications;
};

bool writeFile(const QString &path, const QByteArray &content, QFile::Permissions permissions)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    file.write(content);
    file.close();
    return file.setPermissions(permissions);
}

constexpr QFile::Permissions Private = QFile::ReadOwner | QFile::WriteOwner;

} // namespace

class TestHarnessSurface : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void attachReplaceAndDetach();
    void stateShowsInAgentInfo_data();
    void stateShowsInAgentInfo();
    void sinceMovesOnlyWithTheState();
    void runningContainerShowsHarnessState();
    void turnEventsArePublished();
    void badTurnEventsAreRefused_data();
    void badTurnEventsAreRefused();
    void cancelTurnReachesOnlyTheControlConnection();
    void setModelPersistsAndReachesTheHarness();
    void badModelsAreRefused_data();
    void badModelsAreRefused();
    void deployNotifiesConfigChanged();
    void configCarriesCliAndEnv();
    void apiKeyFileIsReadAtEachCallAndNeverLogged();
    void apiKeyFileProblems_data();
    void apiKeyFileProblems();
    void badKeyFileStopsTheStart();
    void engineConfigHarnessSection();
    void badHarnessConfig_data();
    void badHarnessConfig();

private:
    Result<void> startEngine();
    AgentClient connectAs(const QString &agent);
    Result<HarnessAttachResult> attach(AgentClient &client);
    Result<HarnessStateResult> report(AgentClient &client, const char *state,
                                      std::optional<QString> detail = std::nullopt,
                                      std::optional<QDateTime> until = std::nullopt,
                                      std::optional<QString> turn = std::nullopt);
    Result<ConfigResult> config(const QString &agent);
    AgentInfo info(const QString &agent);
    QList<Event> events(const QString &kind, qint64 afterSeq);
    /// Waits until the engine saw one more disconnect of `agent` than before `afterSeq`.
    bool waitForDisconnect(const QString &agent, qint64 afterSeq);
    QString writeConf(const QByteArray &content);

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<FakeWorld> m_world;
    HarnessSettings m_settings;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<client::RpcClient> m_admin;
};

void TestHarnessSurface::initTestCase()
{
    previousHandler = qInstallMessageHandler(captureLog);
    QLoggingCategory::setFilterRules(QStringLiteral("hive.*=true"));
}

void TestHarnessSurface::cleanupTestCase()
{
    qInstallMessageHandler(previousHandler);
}

void TestHarnessSurface::init()
{
    m_clock = test::FakeClock();
    m_dir = std::make_unique<QTemporaryDir>();
    m_world = std::make_unique<FakeWorld>();
    m_settings = HarnessSettings{};
    {
        QMutexLocker lock(&logMutex);
        logText.clear();
    }
    VERIFY_OK(startEngine());
    for (const char *name : {"alice", "bob"}) {
        QVERIFY(m_engine->agents().add(key(name)));
        QVERIFY(m_engine->agentSockets().open(key(name)));
    }
}

void TestHarnessSurface::cleanup()
{
    m_admin.reset();
    m_engine.reset();
    m_world.reset();
    m_dir.reset();
}

Result<void> TestHarnessSurface::startEngine()
{
    m_admin.reset();
    m_engine.reset();
    EngineConfig config = EngineConfig::defaults();
    config.stateDir = m_dir->filePath(key("state"));
    config.listenEnabled = false;
    config.spawnManager = false;
    config.stopGraceSeconds = 1;
    config.harness = m_settings;
    m_engine = std::make_unique<Engine>(config, m_clock);
    m_engine->setContainerRuntime(std::make_unique<FakeRuntime>(*m_world));
    if (auto started = m_engine->start(); !started)
        return started;
    m_admin = test::connectAdmin(*m_engine);
    return {};
}

AgentClient TestHarnessSurface::connectAs(const QString &agent)
{
    AgentClient client;
    client.rpc =
        std::make_unique<client::RpcClient>(new client::LocalSocketPeer(m_engine->agentSockets().socketPath(agent)));
    if (!client.rpc->openAndWait(Timeout))
        qWarning("cannot connect to %s's socket", qPrintable(agent));
    return client;
}

Result<HarnessAttachResult> TestHarnessSurface::attach(AgentClient &client)
{
    QObject::connect(client.rpc.get(), &client::RpcClient::notificationReceived, client.rpc.get(),
                     [&client](const QString &method, const QJsonObject &params) {
                         client.notifications
                             << method + QString::fromUtf8(QJsonDocument(params).toJson(QJsonDocument::Compact));
                     });
    return client.rpc->callAndWait<HarnessAttachMethod>(HarnessAttachParams{4242, key("1.6.0-test")}, Timeout);
}

Result<HarnessStateResult> TestHarnessSurface::report(AgentClient &client, const char *state,
                                                      std::optional<QString> detail, std::optional<QDateTime> until,
                                                      std::optional<QString> turn)
{
    return client.rpc->callAndWait<HarnessStateMethod>(
        HarnessStateParams{key(state), std::move(detail), std::move(until), std::move(turn)}, Timeout);
}

Result<ConfigResult> TestHarnessSurface::config(const QString &agent)
{
    AgentClient client = connectAs(agent);
    return client.rpc->callAndWait<ConfigMethod>(ConfigParams{}, Timeout);
}

AgentInfo TestHarnessSurface::info(const QString &agent)
{
    auto list = m_admin->callAndWait<AgentListMethod>(AgentListParams{}, Timeout);
    if (!list) {
        qWarning("agent_list failed: %s", qPrintable(list.error().message));
        return {};
    }
    for (const AgentInfo &agentInfo : std::as_const(list->agents)) {
        if (agentInfo.name == agent)
            return agentInfo;
    }
    qWarning("no agent %s in agent_list", qPrintable(agent));
    return {};
}

QList<Event> TestHarnessSurface::events(const QString &kind, qint64 afterSeq)
{
    QList<Event> matching;
    auto all = m_engine->events().since(afterSeq);
    if (!all) {
        qWarning("events: %s", qPrintable(all.error().message));
        return matching;
    }
    for (const Event &event : std::as_const(*all)) {
        if (event.kind == kind)
            matching.append(event);
    }
    return matching;
}

bool TestHarnessSurface::waitForDisconnect(const QString &agent, qint64 afterSeq)
{
    return QTest::qWaitFor(
        [&] {
            const auto gone = events(key("agent_disconnected"), afterSeq);
            return std::any_of(gone.begin(), gone.end(),
                               [&](const Event &event) { return event.data.value(key("name")).toString() == agent; });
        },
        Timeout);
}

QString TestHarnessSurface::writeConf(const QByteArray &content)
{
    QString path = m_dir->filePath(key("engine.conf"));
    if (!writeFile(path, content, Private | QFile::ReadGroup | QFile::ReadOther))
        qWarning("cannot write %s", qPrintable(path));
    return path;
}

void TestHarnessSurface::attachReplaceAndDetach()
{
    const qint64 start = m_engine->events().latestSeq();
    AgentClient first = connectAs(key("alice"));

    // Before harness_attach, the state and the turn stream are refused.
    VERIFY_FAILS(report(first, harnessstates::Idle), ErrorCode::Conflict,
                 "harness_state comes from the harness's control connection: call harness_attach on this connection "
                 "first");
    QCOMPARE(report(first, harnessstates::Idle).error().message,
             key("harness_state comes from the harness's control connection: call harness_attach on this connection "
                 "first"));
    QVERIFY(!info(key("alice")).harness);

    auto attached = attach(first);
    VERIFY_OK(attached);
    QCOMPARE(*attached, (HarnessAttachResult{key("alice"), key("agent")}));
    const AgentInfo alice = info(key("alice"));
    QVERIFY(alice.harness);
    QCOMPARE(*alice.harness, (HarnessStatus{key("idle"), std::nullopt, m_clock.now(), std::nullopt, std::nullopt}));
    QCOMPARE(alice.state, key(agentstates::External));
    QVERIFY(!info(key("bob")).harness);
    auto published = events(key("agent_harness"), start);
    QCOMPARE(published.size(), 1);
    QCOMPARE(published.first().data,
             QJsonObject({{key("agent"), key("alice")}, {key("harness"), alice.harness->toJson()}}));

    // A second attach on the same socket takes over: the first connection may not report any more.
    m_clock.advance(1000);
    AgentClient second = connectAs(key("alice"));
    VERIFY_OK(attach(second));
    QCOMPARE(info(key("alice")).harness->since, m_clock.now());
    QCOMPARE(report(first, harnessstates::Turn).error().message,
             key("harness_state comes from the harness's control connection: call harness_attach on this connection "
                 "first (another connection of agent 'alice' is attached)"));
    VERIFY_OK(report(second, harnessstates::Turn, std::nullopt, std::nullopt, key("t-1")));
    QCOMPARE(info(key("alice")).harness->turn, key("t-1"));

    // The replaced connection going away changes nothing.
    const qint64 beforeFirstClose = m_engine->events().latestSeq();
    first.rpc->close();
    QVERIFY(waitForDisconnect(key("alice"), beforeFirstClose));
    QVERIFY(events(key("agent_harness"), beforeFirstClose).isEmpty());
    QCOMPARE(info(key("alice")).harness->state, key("turn"));

    // The control connection going away clears the status, and says so.
    const qint64 beforeSecondClose = m_engine->events().latestSeq();
    second.rpc->close();
    QVERIFY(waitForDisconnect(key("alice"), beforeSecondClose));
    const auto cleared = events(key("agent_harness"), beforeSecondClose);
    QCOMPARE(cleared.size(), 1);
    QCOMPARE(cleared.first().data, QJsonObject({{key("agent"), key("alice")}}));
    QVERIFY(!info(key("alice")).harness);
    QVERIFY(!m_engine->harnesses().isAttached(key("alice")));

    // The manager's harness learns it is the manager.
    AgentClient manager = connectAs(key("manager"));
    auto managed = attach(manager);
    VERIFY_OK(managed);
    QCOMPARE(managed->kind, key("manager"));
}

void TestHarnessSurface::stateShowsInAgentInfo_data()
{
    QTest::addColumn<QString>("harnessState");
    QTest::addColumn<QString>("agentState");
    QTest::newRow("idle") << key("idle") << key("external");
    QTest::newRow("turn") << key("turn") << key("external");
    QTest::newRow("compacting") << key("compacting") << key("external");
    QTest::newRow("rate_limited") << key("rate_limited") << key("rate_limited");
    QTest::newRow("needs_login") << key("needs_login") << key("needs_login");
    QTest::newRow("over_budget") << key("over_budget") << key("over_budget");
}

void TestHarnessSurface::stateShowsInAgentInfo()
{
    QFETCH(QString, harnessState);
    QFETCH(QString, agentState);
    AgentClient harness = connectAs(key("alice"));
    VERIFY_OK(attach(harness));
    const QDateTime attachedAt = m_clock.now();
    m_clock.advance(5000);
    const qint64 before = m_engine->events().latestSeq();
    const QDateTime until = m_clock.now().addSecs(60);
    VERIFY_OK(harness.rpc->callAndWait<HarnessStateMethod>(
        HarnessStateParams{harnessState, key("why: 429"), until, key("t-9")}, Timeout));

    const AgentInfo alice = info(key("alice"));
    QCOMPARE(alice.state, agentState);
    // An attached harness is idle: reporting idle again keeps when it became so.
    const QDateTime since = harnessState == QLatin1String("idle") ? attachedAt : m_clock.now();
    const HarnessStatus expected{harnessState, key("why: 429"), since, until, key("t-9")};
    QCOMPARE(alice.harness, std::optional<HarnessStatus>(expected));
    const auto published = events(key("agent_harness"), before);
    QCOMPARE(published.size(), 1);
    QCOMPARE(published.first().data, QJsonObject({{key("agent"), key("alice")}, {key("harness"), expected.toJson()}}));
    // Other agents are untouched.
    QCOMPARE(info(key("bob")).state, key("external"));
}

void TestHarnessSurface::sinceMovesOnlyWithTheState()
{
    AgentClient harness = connectAs(key("alice"));
    VERIFY_OK(attach(harness));
    VERIFY_OK(report(harness, harnessstates::RateLimited, key("first")));
    const QDateTime entered = m_clock.now();
    m_clock.advance(30000);
    const qint64 before = m_engine->events().latestSeq();
    // A new detail in the same state: published, the state's start kept.
    VERIFY_OK(report(harness, harnessstates::RateLimited, key("second")));
    QCOMPARE(info(key("alice")).harness->since, entered);
    QCOMPARE(info(key("alice")).harness->detail, key("second"));
    QCOMPARE(events(key("agent_harness"), before).size(), 1);
    // The very same report again: nothing to publish.
    VERIFY_OK(report(harness, harnessstates::RateLimited, key("second")));
    QCOMPARE(events(key("agent_harness"), before).size(), 1);
    // Back to idle: a new since, and the agent is external again.
    VERIFY_OK(report(harness, harnessstates::Idle));
    QCOMPARE(info(key("alice")).harness->since, m_clock.now());
    QVERIFY(!info(key("alice")).harness->detail);
    QCOMPARE(info(key("alice")).state, key("external"));
}

void TestHarnessSurface::runningContainerShowsHarnessState()
{
    AgentSpawnParams params;
    params.name = key("carol");
    std::optional<Result<void>> spawned;
    m_engine->lifecycle().spawn(params, [&spawned](const Result<void> &done) { spawned = done; });
    QVERIFY(QTest::qWaitFor([&spawned] { return spawned.has_value(); }, Timeout));
    VERIFY_OK(*spawned);
    QCOMPARE(info(key("carol")).state, key("running"));

    AgentClient harness = connectAs(key("carol"));
    VERIFY_OK(attach(harness));
    VERIFY_OK(report(harness, harnessstates::NeedsLogin, key("run claude login in a terminal")));
    AgentInfo carol = info(key("carol"));
    QCOMPARE(carol.state, key("needs_login"));
    QVERIFY(carol.container);
    VERIFY_OK(report(harness, harnessstates::Idle));
    QCOMPARE(info(key("carol")).state, key("running"));
    VERIFY_OK(report(harness, harnessstates::OverBudget));
    QCOMPARE(info(key("carol")).state, key("over_budget"));

    // A stopped container is stopped, whatever its harness said last.
    std::optional<Result<void>> killed;
    m_engine->lifecycle().submit(LifecycleOp::Kill, key("carol"),
                                 [&killed](const Result<void> &done) { killed = done; });
    QVERIFY(QTest::qWaitFor([&killed] { return killed.has_value(); }, Timeout));
    VERIFY_OK(*killed);
    carol = info(key("carol"));
    QCOMPARE(carol.state, key("stopped"));
    // The harness dies with its container (here: its connection closes): the status goes with it.
    harness.rpc->close();
    QVERIFY(QTest::qWaitFor([&] { return !m_engine->harnesses().isAttached(key("carol")); }, Timeout));
    QVERIFY(!info(key("carol")).harness);
}

void TestHarnessSurface::turnEventsArePublished()
{
    AgentClient harness = connectAs(key("alice"));
    QCOMPARE(harness.rpc->callAndWait<TurnEventMethod>(TurnEventParams{key("t-1"), key("text"), {}}, Timeout)
                 .error()
                 .message,
             key("turn_event comes from the harness's control connection: call harness_attach on this connection "
                 "first"));
    VERIFY_OK(attach(harness));
    const qint64 before = m_engine->events().latestSeq();
    const QList<TurnEventParams> sent{
        {key("t-1"), key("started"), QJsonObject{{key("messages"), 2}}},
        {key("t-1"), key("text"), QJsonObject{{key("text"), key("Looking at the failing test.")}}},
        {key("t-1"), key("tool_call"),
         QJsonObject{{key("id"), key("toolu_1")},
                     {key("name"), key("Bash")},
                     {key("input"), QJsonObject{{key("command"), key("ctest")}}}}},
        {key("t-1"), key("tool_result"), QJsonObject{{key("id"), key("toolu_1")}, {key("is_error"), false}}},
        {key("t-1"), key("ended"), QJsonObject{{key("exit"), key("ok")}}},
    };
    for (const TurnEventParams &event : sent)
        VERIFY_OK(harness.rpc->callAndWait<TurnEventMethod>(event, Timeout));
    const auto published = events(key("agent_turn"), before);
    QCOMPARE(published.size(), sent.size());
    for (qsizetype i = 0; i < sent.size(); ++i) {
        QJsonObject expected = sent.at(i).toJson();
        expected.insert(key("agent"), key("alice"));
        QCOMPARE(published.at(i).data, expected);
    }
}

void TestHarnessSurface::badTurnEventsAreRefused_data()
{
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QString>("message");
    const QJsonObject ok{{key("turn"), key("t-1")}, {key("kind"), key("text")}, {key("data"), QJsonObject()}};
    QJsonObject unknownKind = ok;
    unknownKind.insert(key("kind"), key("thinking"));
    QTest::newRow("unknown kind") << unknownKind
                                  << key("invalid field 'kind': must be one of started, text, tool_call, tool_result, "
                                         "ended, got 'thinking'");
    QJsonObject oversized = ok;
    // {"text":"..."} is 11 bytes around the text: 16374 characters make 16385 bytes.
    oversized.insert(key("data"), QJsonObject{{key("text"), QString(16374, QLatin1Char('x'))}});
    QTest::newRow("oversized data") << oversized
                                    << key("invalid field 'data': must be at most 16384 bytes of JSON, got 16385");
    QJsonObject arrayData = ok;
    arrayData.insert(key("data"), QJsonArray{1, 2});
    QTest::newRow("data not an object") << arrayData << key("field 'data' must be an object");
    QJsonObject agentField = ok;
    agentField.insert(key("agent"), key("bob"));
    QTest::newRow("claims an agent") << agentField << key("unknown field 'agent'; known: data, kind, turn");
}

void TestHarnessSurface::badTurnEventsAreRefused()
{
    QFETCH(QJsonObject, params);
    QFETCH(QString, message);
    AgentClient harness = connectAs(key("alice"));
    VERIFY_OK(attach(harness));
    const qint64 before = m_engine->events().latestSeq();
    auto refused = harness.rpc->callAndWait(key("turn_event"), params, Timeout);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::InvalidParams);
    QCOMPARE(refused.error().message, message);
    QVERIFY(events(key("agent_turn"), before).isEmpty());
    // The connection stays usable.
    VERIFY_OK(harness.rpc->callAndWait<TurnEventMethod>(TurnEventParams{key("t-1"), key("ended"), {}}, Timeout));
}

void TestHarnessSurface::cancelTurnReachesOnlyTheControlConnection()
{
    const auto cancel = [this](const char *name) {
        return m_admin->callAndWait<AgentCancelTurnMethod>(AgentCancelTurnParams{key(name)}, Timeout);
    };
    const qint64 auditBefore = *m_engine->audit().count();
    auto unknown = cancel("zed");
    QCOMPARE(unknown.error().code, ErrorCode::NotFound);
    QCOMPARE(unknown.error().message, key("no agent named 'zed'"));
    auto detached = cancel("alice");
    QCOMPARE(detached.error().code, ErrorCode::Unavailable);
    QCOMPARE(detached.error().message, key("agent 'alice' has no harness attached: there is no turn to cancel"));

    AgentClient control = connectAs(key("alice"));
    VERIFY_OK(attach(control));
    // A second connection on the same socket (the CLI's MCP server, say) that never attached.
    AgentClient other = connectAs(key("alice"));
    QStringList otherNotifications;
    QObject::connect(
        other.rpc.get(), &client::RpcClient::notificationReceived, other.rpc.get(),
        [&otherNotifications](const QString &method, const QJsonObject &) { otherNotifications << method; });

    auto idle = cancel("alice");
    QCOMPARE(idle.error().code, ErrorCode::Unavailable);
    QCOMPARE(idle.error().message,
             key("the harness of agent 'alice' is not in a turn (it is idle): there is nothing to cancel"));

    VERIFY_OK(report(control, harnessstates::Turn, std::nullopt, std::nullopt, key("t-3")));
    auto cancelled = cancel("alice");
    VERIFY_OK(cancelled);
    QVERIFY(cancelled->cancelled);
    QVERIFY(QTest::qWaitFor([&] { return !control.notifications.isEmpty(); }, Timeout));
    QCOMPARE(control.notifications, QStringList{key("cancel_turn{}")});
    // A round trip on the other connection: anything sent to it before would have arrived first.
    VERIFY_OK(other.rpc->callAndWait<WhoamiMethod>(WhoamiParams{}, Timeout));
    QVERIFY(otherNotifications.isEmpty());

    // Audited like every operator change, refusals included.
    QCOMPARE(*m_engine->audit().count(), auditBefore + 4);
    AuditListParams query;
    query.method = key("agent_cancel_turn");
    auto rows = m_engine->audit().list(query);
    VERIFY_OK(rows);
    QCOMPARE(rows->entries.size(), 4);
    QCOMPARE(rows->entries.first().result, key("ok")); // newest first
    QCOMPARE(rows->entries.first().params, QJsonObject({{key("name"), key("alice")}}));
    QCOMPARE(rows->entries.at(1).result, key("unavailable"));
    QCOMPARE(rows->entries.last().result, key("not_found"));
}

void TestHarnessSurface::setModelPersistsAndReachesTheHarness()
{
    m_settings.defaultModel = key("claude-default-1");
    VERIFY_OK(startEngine());

    auto before = config(key("alice"));
    VERIFY_OK(before);
    QCOMPARE(before->model, key("claude-default-1"));
    QCOMPARE(before->modelSource, key("default"));

    AgentClient harness = connectAs(key("alice"));
    VERIFY_OK(attach(harness));
    const qint64 seq = m_engine->events().latestSeq();
    auto set =
        m_admin->callAndWait<AgentSetModelMethod>(AgentSetModelParams{key("alice"), key("claude-opus-4-1")}, Timeout);
    VERIFY_OK(set);
    QCOMPARE(set->name, key("alice"));
    QCOMPARE(set->modelOverride, key("claude-opus-4-1"));
    QVERIFY(set->harness); // the whole AgentInfo
    QVERIFY(QTest::qWaitFor([&] { return !harness.notifications.isEmpty(); }, Timeout));
    QCOMPARE(harness.notifications, QStringList{key("config_changed{}")});
    const auto updated = events(key("agent_updated"), seq);
    QCOMPARE(updated.size(), 1);
    QCOMPARE(updated.first().data,
             QJsonObject({{key("name"), key("alice")}, {key("model_override"), key("claude-opus-4-1")}}));

    auto overridden = config(key("alice"));
    VERIFY_OK(overridden);
    QCOMPARE(overridden->model, key("claude-opus-4-1"));
    QCOMPARE(overridden->modelSource, key("override"));
    QCOMPARE(config(key("bob"))->modelSource, key("default"));
    QVERIFY(!info(key("bob")).modelOverride);

    // agent.toml's model sits between the two.
    ConfigResult fromToml;
    VERIFY_OK(m_engine->harnesses().completeConfig(key("bob"), key("claude-toml-2"), fromToml));
    QCOMPARE(fromToml.model, key("claude-toml-2"));
    QCOMPARE(fromToml.modelSource, key("agent"));
    ConfigResult overToml;
    VERIFY_OK(m_engine->harnesses().completeConfig(key("alice"), key("claude-toml-2"), overToml));
    QCOMPARE(overToml.model, key("claude-opus-4-1"));

    // Stored: a new engine on the same database still has it.
    harness.rpc->close();
    VERIFY_OK(startEngine());
    QCOMPARE(info(key("alice")).modelOverride, key("claude-opus-4-1"));
    QCOMPARE(config(key("alice"))->model, key("claude-opus-4-1"));

    // null removes it.
    const qint64 seq2 = m_engine->events().latestSeq();
    auto removed = m_admin->callAndWait<AgentSetModelMethod>(AgentSetModelParams{key("alice"), std::nullopt}, Timeout);
    VERIFY_OK(removed);
    QVERIFY(!removed->modelOverride);
    QCOMPARE(events(key("agent_updated"), seq2).first().data,
             QJsonObject({{key("name"), key("alice")}, {key("model_override"), QJsonValue()}}));
    auto reverted = config(key("alice"));
    QCOMPARE(reverted->model, key("claude-default-1"));
    QCOMPARE(reverted->modelSource, key("default"));
    VERIFY_OK(startEngine());
    QVERIFY(!info(key("alice")).modelOverride);

    // Audited with its parameters.
    AuditListParams query;
    query.method = key("agent_set_model");
    auto rows = m_engine->audit().list(query);
    VERIFY_OK(rows);
    QCOMPARE(rows->entries.size(), 2);
    QCOMPARE(rows->entries.last().params.value(key("model")).toString(), key("claude-opus-4-1"));
}

void TestHarnessSurface::badModelsAreRefused_data()
{
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    const auto params = [](const QJsonValue &model) {
        return QJsonObject{{key("name"), key("alice")}, {key("model"), model}};
    };
    const int invalid = static_cast<int>(ErrorCode::InvalidParams);
    QTest::newRow("empty") << params(QString()) << invalid << key("invalid field 'model': must not be empty");
    QTest::newRow("space") << params(key("claude opus")) << invalid
                           << key("invalid field 'model': must not contain whitespace or control characters (U+0020 "
                                  "at character 6)");
    QTest::newRow("newline") << params(key("claude\n")) << invalid
                             << key("invalid field 'model': must not contain whitespace or control characters (U+000A "
                                    "at character 6)");
    QTest::newRow("101 chars") << params(QString(101, QLatin1Char('m'))) << invalid
                               << key("invalid field 'model': must be at most 100 characters, got 101");
    QTest::newRow("number") << params(4) << invalid << key("invalid field 'model': must be a string or null");
    QTest::newRow("missing") << QJsonObject{{key("name"), key("alice")}} << invalid
                             << key("missing required field 'model'");
    QTest::newRow("unknown agent") << QJsonObject{{key("name"), key("zed")}, {key("model"), key("m")}}
                                   << static_cast<int>(ErrorCode::NotFound) << key("no agent named 'zed'");
}

void TestHarnessSurface::badModelsAreRefused()
{
    QFETCH(QJsonObject, params);
    QFETCH(int, code);
    QFETCH(QString, message);
    AgentClient harness = connectAs(key("alice"));
    VERIFY_OK(attach(harness));
    const qint64 before = m_engine->events().latestSeq();
    auto refused = m_admin->callAndWait(key("agent_set_model"), params, Timeout);
    QVERIFY(!refused);
    QCOMPARE(static_cast<int>(refused.error().code), code);
    QCOMPARE(refused.error().message, message);
    QVERIFY(events(key("agent_updated"), before).isEmpty());
    QVERIFY(!info(key("alice")).modelOverride);
    VERIFY_OK(harness.rpc->callAndWait<WhoamiMethod>(WhoamiParams{}, Timeout));
    QVERIFY(harness.notifications.isEmpty());
}

void TestHarnessSurface::deployNotifiesConfigChanged()
{
    AgentClient harness = connectAs(key("alice"));
    VERIFY_OK(attach(harness));
    AgentClient other = connectAs(key("bob"));
    VERIFY_OK(attach(other));
    // What the approvals publish when a deploy finished (the approval tests run real deploys).
    ApprovalInfo approval;
    approval.id = 3;
    approval.kind = key(approvalkinds::ApplyCommit);
    approval.agent = key("alice");
    approval.state = key(approvalstates::Deployed);
    approval.createdAt = m_clock.now();
    QVERIFY(m_engine->events().publish(key("approval_resolved"), QJsonObject{{key("approval"), approval.toJson()},
                                                                             {key("previous"), key("building")}}));
    QVERIFY(QTest::qWaitFor([&] { return !harness.notifications.isEmpty(); }, Timeout));
    QCOMPARE(harness.notifications, QStringList{key("config_changed{}")});
    approval.state = key(approvalstates::Denied);
    approval.agent = key("bob");
    QVERIFY(m_engine->events().publish(key("approval_resolved"), QJsonObject{{key("approval"), approval.toJson()}}));
    VERIFY_OK(other.rpc->callAndWait<WhoamiMethod>(WhoamiParams{}, Timeout));
    QVERIFY(other.notifications.isEmpty());
}

void TestHarnessSurface::configCarriesCliAndEnv()
{
    auto plain = config(key("alice"));
    VERIFY_OK(plain);
    QCOMPARE(plain->cli, (CliSpec{key("/usr/local/lib/hyperhive/agent-cli/claude"), {}, {}}));
    QCOMPARE(plain->harness, (HarnessTuning{1800, 60, 32768}));
    QCOMPARE(plain->model, QString());
    QCOMPARE(plain->modelSource, key("default"));

    m_settings.cli = key("/opt/cli/claude");
    m_settings.cliArgs = {key("--verbose"), key("--debug")};
    m_settings.env = {{key("ANTHROPIC_CUSTOM_HEADERS"), key("x-fake-agent: {agent}")},
                      {key("ANTHROPIC_BASE_URL"), key("http://127.0.0.1:9/")},
                      {key("TWICE"), key("{agent}/{agent}")}};
    m_settings.turnTimeoutSeconds = 600;
    m_settings.rateLimitRetrySeconds = 5;
    m_settings.notesCompactBytes = 4096;
    VERIFY_OK(startEngine());
    for (const char *name : {"alice", "bob"}) {
        auto result = config(key(name));
        VERIFY_OK(result);
        QCOMPARE(result->cli.path, key("/opt/cli/claude"));
        QCOMPARE(result->cli.args, (QStringList{key("--verbose"), key("--debug")}));
        const QMap<QString, QString> env{
            {key("ANTHROPIC_CUSTOM_HEADERS"), QStringLiteral("x-fake-agent: %1").arg(key(name))},
            {key("ANTHROPIC_BASE_URL"), key("http://127.0.0.1:9/")},
            {key("TWICE"), QStringLiteral("%1/%1").arg(key(name))}};
        QCOMPARE(result->cli.env, env);
        QCOMPARE(result->harness, (HarnessTuning{600, 5, 4096}));
    }
}

void TestHarnessSurface::apiKeyFileIsReadAtEachCallAndNeverLogged()
{
    const QString keyFile = m_dir->filePath(key("api-key"));
    const QByteArray secret = "sk-ant-test-Secret-0001";
    const QByteArray rotated = "sk-ant-test-Rotated-0002";
    QVERIFY(writeFile(keyFile, "  " + secret + "\n", Private));
    m_settings.apiKeyFile = keyFile;
    m_settings.env = {{key("ANTHROPIC_CUSTOM_HEADERS"), key("x-fake-agent: {agent}")}};
    VERIFY_OK(startEngine());

    AgentClient harness = connectAs(key("alice"));
    VERIFY_OK(attach(harness));
    auto first = harness.rpc->callAndWait<ConfigMethod>(ConfigParams{}, Timeout);
    VERIFY_OK(first);
    QCOMPARE(first->cli.env.value(key("ANTHROPIC_API_KEY")), QString::fromLatin1(secret));
    QCOMPARE(first->cli.env.value(key("ANTHROPIC_CUSTOM_HEADERS")), key("x-fake-agent: alice"));

    // Rotation: the next call reads the new content.
    QVERIFY(writeFile(keyFile, rotated, Private));
    auto second = harness.rpc->callAndWait<ConfigMethod>(ConfigParams{}, Timeout);
    VERIFY_OK(second);
    QCOMPARE(second->cli.env.value(key("ANTHROPIC_API_KEY")), QString::fromLatin1(rotated));

    // Readable by the group: refused at the call, with what to fix and without the key.
    QVERIFY(QFile::setPermissions(keyFile, Private | QFile::ReadGroup));
    auto refused = harness.rpc->callAndWait<ConfigMethod>(ConfigParams{}, Timeout);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Config);
    QCOMPARE(refused.error().message,
             QStringLiteral("harness.api_key_file %1: must not be accessible by group or others (mode 0640); chmod "
                            "600 it")
                 .arg(keyFile));

    // Everything else the engine does with the config stays quiet about the key.
    VERIFY_OK(report(harness, harnessstates::Turn, std::nullopt, std::nullopt, key("t-1")));
    VERIFY_OK(harness.rpc->callAndWait<TurnEventMethod>(
        TurnEventParams{key("t-1"), key("text"), QJsonObject{{key("text"), key("hello")}}}, Timeout));
    VERIFY_OK(m_admin->callAndWait<AgentSetModelMethod>(AgentSetModelParams{key("alice"), key("m-1")}, Timeout));
    auto history = m_engine->events().since(0);
    VERIFY_OK(history);
    for (const Event &event : std::as_const(*history)) {
        const QByteArray json = QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact);
        QVERIFY2(!json.contains(secret) && !json.contains(rotated), json.constData());
    }
    QMutexLocker lock(&logMutex);
    QVERIFY2(logText.contains(key("hive.harness")), "the engine's harness log was not captured");
    QVERIFY2(!logText.contains(QString::fromLatin1(secret)), qPrintable(logText));
    QVERIFY2(!logText.contains(QString::fromLatin1(rotated)), qPrintable(logText));
    QVERIFY2(!logText.contains(key("sk-ant-test")), qPrintable(logText));
}

void TestHarnessSurface::apiKeyFileProblems_data()
{
    QTest::addColumn<QByteArray>("content"); // empty with "directory": make a directory instead
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("problem");
    QTest::newRow("other readable") << QByteArray("sk-1") << 0604
                                    << key("must not be accessible by group or others (mode 0604); chmod 600 it");
    QTest::newRow("group writable") << QByteArray("sk-1") << 0620
                                    << key("must not be accessible by group or others (mode 0620); chmod 600 it");
    QTest::newRow("empty") << QByteArray(" \n") << 0600 << key("is empty");
    QTest::newRow("two lines") << QByteArray("sk-1\nsk-2\n") << 0600 << key("must hold the key alone on one line");
    QTest::newRow("missing") << QByteArray() << 0 << key("cannot read it: No such file or directory");
    QTest::newRow("directory") << QByteArray("directory") << 0700 << key("must be a regular file");
    QTest::newRow("fifo") << QByteArray("fifo") << 0600 << key("must be a regular file");
}

void TestHarnessSurface::apiKeyFileProblems()
{
    QFETCH(QByteArray, content);
    QFETCH(int, mode);
    QFETCH(QString, problem);
    const QString path = m_dir->filePath(key("key-file"));
    if (content == "directory") {
        QVERIFY(QDir().mkdir(path));
    } else if (content == "fifo") {
        QVERIFY(::mkfifo(QFile::encodeName(path).constData(), 0600) == 0); // must not block the engine
    } else if (mode != 0) {
        QVERIFY(writeFile(path, content, Private));
        QVERIFY(::chmod(QFile::encodeName(path).constData(), static_cast<mode_t>(mode)) == 0);
    }
    const QString expected = QStringLiteral("harness.api_key_file %1: %2").arg(path, problem);
    auto read = HarnessSettings::readApiKey(path);
    QVERIFY(!read);
    QCOMPARE(read.error().code, ErrorCode::Config);
    QCOMPARE(read.error().message, expected);
    VERIFY_FAILS(HarnessSettings::checkApiKeyFile(path), ErrorCode::Config, "harness.api_key_file");
    QCOMPARE(HarnessSettings::checkApiKeyFile(path).error().message, expected);
}

void TestHarnessSurface::badKeyFileStopsTheStart()
{
    const QString keyFile = m_dir->filePath(key("api-key"));
    QVERIFY(writeFile(keyFile, "sk-ant-test-Start-0003", Private | QFile::ReadOther));
    m_settings.apiKeyFile = keyFile;
    auto started = startEngine();
    QVERIFY(!started);
    QCOMPARE(started.error().code, ErrorCode::Config);
    QCOMPARE(started.error().message,
             QStringLiteral("harness.api_key_file %1: must not be accessible by group or others (mode 0604); chmod "
                            "600 it")
                 .arg(keyFile));
    QVERIFY(!m_engine->isRunning());
    // Fixed, it starts.
    QVERIFY(QFile::setPermissions(keyFile, Private));
    VERIFY_OK(startEngine());
}

void TestHarnessSurface::engineConfigHarnessSection()
{
    QVERIFY(writeFile(m_dir->filePath(key("secret.key")), "sk-x", Private));
    const QString path = writeConf("[harness]\n"
                                   "cli = \"/opt/agent/claude\"\n"
                                   "cli_args = [\"--verbose\", \"\"]\n"
                                   "api_key_file = \"secret.key\"\n"
                                   "default_model = \"claude-sonnet-4-5\"\n"
                                   "turn_timeout_seconds = 10\n"
                                   "rate_limit_retry_seconds = 3600\n"
                                   "notes_compact_bytes = 1024\n"
                                   "[harness.env]\n"
                                   "ANTHROPIC_CUSTOM_HEADERS = \"x-fake-agent: {agent}\"\n"
                                   "_X1 = \"\"\n");
    auto loaded = EngineConfig::load(path, true);
    VERIFY_OK(loaded);
    HarnessSettings expected;
    expected.cli = key("/opt/agent/claude");
    expected.cliArgs = {key("--verbose"), QString()};
    expected.apiKeyFile = m_dir->filePath(key("secret.key")); // relative to the file's directory
    expected.defaultModel = key("claude-sonnet-4-5");
    expected.turnTimeoutSeconds = 10;
    expected.rateLimitRetrySeconds = 3600;
    expected.notesCompactBytes = 1024;
    expected.env = {{key("ANTHROPIC_CUSTOM_HEADERS"), key("x-fake-agent: {agent}")}, {key("_X1"), QString()}};
    QCOMPARE(loaded->harness, expected);

    // Inline tables work too, and no section at all is the defaults.
    auto inlineEnv = EngineConfig::load(writeConf("[harness]\nenv = { A = \"b\" }\n"), true);
    VERIFY_OK(inlineEnv);
    QCOMPARE(inlineEnv->harness.env, (QMap<QString, QString>{{key("A"), key("b")}}));
    auto none = EngineConfig::load(writeConf("listen = \"off\"\n"), true);
    VERIFY_OK(none);
    QCOMPARE(none->harness, HarnessSettings{});
}

void TestHarnessSurface::badHarnessConfig_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected"); // after "FILE:"
    QTest::newRow("unknown key") << QByteArray("[harness]\nmodel = \"x\"\n")
                                 << key("2:1: unknown key 'model' in [harness]; known keys: api_key_file, cli, "
                                        "cli_args, default_model, env, notes_compact_bytes, rate_limit_retry_seconds, "
                                        "turn_timeout_seconds");
    QTest::newRow("relative cli") << QByteArray("[harness]\ncli = \"bin/claude\"\n")
                                  << key("2:7: key 'harness.cli' must be an absolute path inside the container, got "
                                         "\"bin/claude\"");
    QTest::newRow("cli number") << QByteArray("[harness]\ncli = 5\n")
                                << key("2:7: key 'harness.cli' must be a string, got 5");
    QTest::newRow("cli_args string") << QByteArray("[harness]\ncli_args = \"--x\"\n")
                                     << key("2:12: key 'harness.cli_args' must be an array of strings, got \"--x\"");
    QTest::newRow("cli_args number item") << QByteArray("[harness]\ncli_args = [\"a\", 1]\n")
                                          << key("2:12: key 'harness.cli_args' must be an array of strings, got an "
                                                 "array");
    QTest::newRow("env string") << QByteArray("[harness]\nenv = \"A=b\"\n")
                                << key("2:7: key 'harness.env' must be a table of strings, got \"A=b\"");
    QTest::newRow("env number value") << QByteArray("[harness]\n[harness.env]\nA = 1\n")
                                      << key("3:5: key 'harness.env.A' must be a string, got 1");
    QTest::newRow("env bad name") << QByteArray("[harness]\nenv = { \"1A\" = \"x\" }\n")
                                  << key("2:9: key 'harness.env.1A' is not an environment variable name (letters, "
                                         "digits and '_', not starting with a digit)");
    QTest::newRow("env dash") << QByteArray("[harness.env]\nMY-VAR = \"x\"\n")
                              << key("2:1: key 'harness.env.MY-VAR' is not an environment variable name (letters, "
                                     "digits and '_', not starting with a digit)");
    QTest::newRow("default model with space")
        << QByteArray("[harness]\ndefault_model = \"claude opus\"\n")
        << key("2:17: key 'harness.default_model' must not contain whitespace or control characters (U+0020 at "
               "character 6)");
    QTest::newRow("default model too long")
        << QByteArray("[harness]\ndefault_model = \"" + QByteArray(101, 'm') + "\"\n")
        << key("2:17: key 'harness.default_model' must be at most 100 characters, got 101");
    QTest::newRow("timeout too short") << QByteArray("[harness]\nturn_timeout_seconds = 9\n")
                                       << key("2:24: key 'harness.turn_timeout_seconds' must be an integer between 10 "
                                              "and 86400, got 9");
    QTest::newRow("retry zero") << QByteArray("[harness]\nrate_limit_retry_seconds = 0\n")
                                << key("2:28: key 'harness.rate_limit_retry_seconds' must be an integer between 1 and "
                                       "3600, got 0");
    QTest::newRow("notes too small") << QByteArray("[harness]\nnotes_compact_bytes = 1023\n")
                                     << key("2:23: key 'harness.notes_compact_bytes' must be an integer between 1024 "
                                            "and 16777216, got 1023");
    QTest::newRow("key file missing") << QByteArray("[harness]\napi_key_file = \"nope.key\"\n")
                                      << key("2:16: key 'harness.api_key_file': DIR/nope.key: cannot read it: No such "
                                             "file or directory");
    QTest::newRow("key file readable by others")
        << QByteArray("[harness]\napi_key_file = \"open.key\"\n")
        << key("2:16: key 'harness.api_key_file': DIR/open.key: must not be accessible by group or others (mode "
               "0644); chmod 600 it");
    QTest::newRow("key in env and file")
        << QByteArray("[harness]\napi_key_file = \"good.key\"\nenv = { ANTHROPIC_API_KEY = \"sk\" }\n")
        << key("3:9: key 'harness.env.ANTHROPIC_API_KEY' conflicts with harness.api_key_file, which sets it; "
               "remove one");
}

void TestHarnessSurface::badHarnessConfig()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    QVERIFY(writeFile(m_dir->filePath(key("open.key")), "sk-open", Private | QFile::ReadGroup | QFile::ReadOther));
    QVERIFY(writeFile(m_dir->filePath(key("good.key")), "sk-good", Private));
    const QString path = writeConf(content);
    auto loaded = EngineConfig::load(path, true);
    QVERIFY(!loaded);
    QCOMPARE(loaded.error().code, ErrorCode::Config);
    QCOMPARE(loaded.error().message, path + QLatin1Char(':') + QString(expected).replace(key("DIR"), m_dir->path()));
}

QTEST_GUILESS_MAIN(TestHarnessSurface)
#include "tst_harnesssurface.moc"
