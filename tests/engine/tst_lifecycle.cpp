// SPDX-License-Identifier: MIT
// The container lifecycle against a real in-process engine (real SQLite, real sockets) with a
// scripted container runtime: the queue, the state machine, rollback of a failed spawn, the crash
// watch, automatic restarts and reconciliation after an engine restart. The real systemd-nspawn
// backend has its own suite (tst_nspawn) and an end-to-end one (tst_containers).
#include "agents/agentsockets.h"
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "containers/agentlifecycle.h"
#include "engine.h"
#include "fakeclock.h"
#include "fakeruntime.h"
#include "localsocketpeer.h"
#include "protocol/methods.h"
#include "rpcclient.h"
#include "store/database.h"
#include "store/eventlog.h"
#include "verify.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;
using hive::test::FakeRuntime;
using hive::test::FakeWorld;

namespace {

constexpr int Timeout = 10000;

} // namespace

class TestLifecycle : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void spawnRunsTheContainer();
    void uidRangesInUseOnTheHostAreSkipped();
    void failedSpawnLeavesNothing();
    void spawnIsCheckedFirst_data();
    void spawnIsCheckedFirst();
    void killStopsGracefullyOrAfterTheGrace();
    void restartAndUpdate();
    void identicalOperationsAreJoined();
    void crashIsDetectedAndReported();
    void autoRestartBacksOff();
    void destroyReviveAndPurge();
    void externalAgentsHaveNoContainer();
    void engineRestartIsNotACrash();
    void apiAnswersWhenTheOperationHasRun();

private:
    void startEngine(bool autoRestart = false);
    /// Runs one operation and waits for its result.
    Result<void> run(LifecycleOp op, const QString &agent);
    Result<void> spawn(const QString &agent, const QString &network = QStringLiteral("host"));
    AgentInfo info(const QString &agent);
    QList<QJsonObject> events(const QString &kind);

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<FakeWorld> m_world;
    std::unique_ptr<Engine> m_engine;
};

void TestLifecycle::init()
{
    m_clock = test::FakeClock();
    m_dir = std::make_unique<QTemporaryDir>();
    m_world = std::make_unique<FakeWorld>();
    startEngine();
}

void TestLifecycle::startEngine(bool autoRestart)
{
    EngineConfig config = EngineConfig::defaults();
    config.stateDir = m_dir->filePath(QStringLiteral("state"));
    config.listenEnabled = false;
    config.spawnManager = false;
    config.stopGraceSeconds = 1;
    config.autoRestart = autoRestart;
    config.restartBackoffSeconds = 1;
    m_engine = std::make_unique<Engine>(config, m_clock);
    m_engine->setContainerRuntime(std::make_unique<FakeRuntime>(*m_world));
    auto started = m_engine->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
}

void TestLifecycle::cleanup()
{
    m_engine.reset();
    m_world.reset();
    m_dir.reset();
}

Result<void> TestLifecycle::run(LifecycleOp op, const QString &agent)
{
    std::optional<Result<void>> out;
    m_engine->lifecycle().submit(op, agent, [&out](const Result<void> &done) { out = done; });
    (void)QTest::qWaitFor([&out] { return out.has_value(); }, Timeout);
    return out ? *out : Result<void>(fail(ErrorCode::Internal, QStringLiteral("no answer")));
}

Result<void> TestLifecycle::spawn(const QString &agent, const QString &network)
{
    AgentSpawnParams params;
    params.name = agent;
    params.network = network;
    std::optional<Result<void>> out;
    m_engine->lifecycle().spawn(params, [&out](const Result<void> &done) { out = done; });
    (void)QTest::qWaitFor([&out] { return out.has_value(); }, Timeout);
    return out ? *out : Result<void>(fail(ErrorCode::Internal, QStringLiteral("no answer")));
}

AgentInfo TestLifecycle::info(const QString &agent)
{
    AgentInfo out;
    out.name = agent;
    const auto described = m_engine->lifecycle().describe(out);
    if (!described)
        qWarning() << described.error().message;
    return out;
}

QList<QJsonObject> TestLifecycle::events(const QString &kind)
{
    QList<QJsonObject> out;
    const auto all = m_engine->events().since(0);
    if (!all)
        return out;
    for (const Event &event : *all) {
        if (event.kind == kind)
            out << event.data;
    }
    return out;
}

void TestLifecycle::spawnRunsTheContainer()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const AgentInfo alice = info(QStringLiteral("alice"));
    QCOMPARE(alice.state, QStringLiteral("running"));
    QVERIFY(alice.container);
    QCOMPARE(alice.container->backend, QStringLiteral("fake"));
    QCOMPARE(alice.container->uidBase, 524288);
    QCOMPARE(alice.container->uidCount, 65536);
    QCOMPARE(alice.container->pid, 1000);
    QCOMPARE(alice.container->memoryMax, QStringLiteral("4G"));
    QVERIFY(m_engine->agents().find(QStringLiteral("alice"))->has_value());
    QVERIFY(QFileInfo::exists(m_engine->agentSockets().socketPath(QStringLiteral("alice"))));
    // A second agent gets the next uid range; the first one's stays its own.
    VERIFY_OK(spawn(QStringLiteral("bob"), QStringLiteral("none")));
    QCOMPARE(info(QStringLiteral("bob")).container->uidBase, 524288 + 65536);
    QCOMPARE(info(QStringLiteral("bob")).container->network, QStringLiteral("none"));
    // What an operator sees in the event stream.
    QStringList states;
    for (const QJsonObject &event : events(QStringLiteral("agent_state_changed"))) {
        if (event.value(QStringLiteral("name")).toString() == QLatin1String("alice"))
            states << event.value(QStringLiteral("state")).toString();
    }
    QCOMPARE(states, (QStringList{QStringLiteral("starting"), QStringLiteral("running")}));
    QVERIFY(!events(QStringLiteral("agent_lifecycle")).isEmpty());
    QCOMPARE(events(QStringLiteral("agent_added")).size(), 2);
}

void TestLifecycle::uidRangesInUseOnTheHostAreSkipped()
{
    // A process running as a uid of the first range (another engine's container, say) takes it.
    m_world->hostUids = {0, 1000, 524288 + 7};
    VERIFY_OK(spawn(QStringLiteral("alice")));
    QCOMPARE(info(QStringLiteral("alice")).container->uidBase, 524288 + 65536);
    VERIFY_OK(spawn(QStringLiteral("bob")));
    QCOMPARE(info(QStringLiteral("bob")).container->uidBase, 524288 + 2 * 65536);
    // Free again once nothing runs there.
    m_world->hostUids.clear();
    VERIFY_OK(spawn(QStringLiteral("carol")));
    QCOMPARE(info(QStringLiteral("carol")).container->uidBase, 524288);
}

void TestLifecycle::failedSpawnLeavesNothing()
{
    m_world->failStart = QStringLiteral("the container did not come up: boom");
    VERIFY_FAILS(spawn(QStringLiteral("alice")), ErrorCode::Io, "nothing of it was kept");
    VERIFY_FAILS(spawn(QStringLiteral("alice")), ErrorCode::Io, "boom");
    QVERIFY(!m_engine->agents().find(QStringLiteral("alice"))->has_value());
    QVERIFY(!m_engine->lifecycle().find(QStringLiteral("alice"))->has_value());
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("state/agents/alice"))));
    QVERIFY(!QFileInfo::exists(m_engine->agentSockets().socketPath(QStringLiteral("alice"))));
    // The name is free again.
    m_world->failStart.reset();
    VERIFY_OK(spawn(QStringLiteral("alice")));
    QCOMPARE(info(QStringLiteral("alice")).state, QStringLiteral("running"));
}

void TestLifecycle::spawnIsCheckedFirst_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("network");
    QTest::addColumn<QString>("memory");
    QTest::addColumn<QString>("cpu");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("bad name") << "Alice"
                              << "host"
                              << "4G"
                              << "200%"
                              << "invalid agent name 'Alice'";
    QTest::newRow("reserved") << "operator"
                              << "host"
                              << "4G"
                              << "200%"
                              << "reserved";
    QTest::newRow("network") << "alice"
                             << "bridge"
                             << "4G"
                             << "200%"
                             << "invalid field 'network'";
    QTest::newRow("memory unit") << "alice"
                                 << "host"
                                 << "4X"
                                 << "200%"
                                 << "invalid field 'memory_max'";
    QTest::newRow("memory zero") << "alice"
                                 << "host"
                                 << "0"
                                 << "200%"
                                 << "invalid field 'memory_max'";
    QTest::newRow("cpu no percent") << "alice"
                                    << "host"
                                    << "4G"
                                    << "200"
                                    << "invalid field 'cpu_quota'";
    QTest::newRow("cpu too much") << "alice"
                                  << "host"
                                  << "4G"
                                  << "20000%"
                                  << "invalid field 'cpu_quota'";
}

void TestLifecycle::spawnIsCheckedFirst()
{
    QFETCH(QString, name);
    QFETCH(QString, network);
    QFETCH(QString, memory);
    QFETCH(QString, cpu);
    QFETCH(QString, mentions);
    AgentSpawnParams params{name, network, memory, cpu};
    std::optional<Result<void>> out;
    m_engine->lifecycle().spawn(params, [&out](const Result<void> &done) { out = done; });
    QTRY_VERIFY(out.has_value());
    QVERIFY(!*out);
    QCOMPARE(out->error().code, ErrorCode::InvalidParams);
    QVERIFY2(out->error().message.contains(mentions), qPrintable(out->error().message));
    QCOMPARE(m_world->starts, 0);
    QVERIFY(!m_engine->agents().find(name)->has_value());

    // Without a usable runtime the spawn says what is missing.
    m_world->unavailable = QStringLiteral("the nspawn backend needs root");
    VERIFY_FAILS(spawn(QStringLiteral("carol")), ErrorCode::Unavailable, "the nspawn backend needs root");
}

void TestLifecycle::killStopsGracefullyOrAfterTheGrace()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    VERIFY_OK(run(LifecycleOp::Kill, QStringLiteral("alice")));
    QCOMPARE(info(QStringLiteral("alice")).state, QStringLiteral("stopped"));
    QVERIFY(!info(QStringLiteral("alice")).container->pid);
    VERIFY_OK(run(LifecycleOp::Kill, QStringLiteral("alice")));   // stopped already: nothing to do
    QVERIFY(events(QStringLiteral("container_crash")).isEmpty()); // an operator stop is no crash

    // A container that ignores SIGTERM is killed after the grace period (1 s here).
    m_world->ignoreTerm = true;
    VERIFY_OK(run(LifecycleOp::Start, QStringLiteral("alice")));
    QElapsedTimer timer;
    timer.start();
    VERIFY_OK(run(LifecycleOp::Kill, QStringLiteral("alice")));
    QVERIFY2(timer.elapsed() >= 900, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(info(QStringLiteral("alice")).state, QStringLiteral("stopped"));
    QCOMPARE(events(QStringLiteral("agent_state_changed")).last().value(QStringLiteral("reason")).toString(),
             QStringLiteral("killed after the grace period"));
}

void TestLifecycle::restartAndUpdate()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const qint64 firstPid = *info(QStringLiteral("alice")).container->pid;
    VERIFY_OK(run(LifecycleOp::Restart, QStringLiteral("alice")));
    QCOMPARE(info(QStringLiteral("alice")).state, QStringLiteral("running"));
    QVERIFY(*info(QStringLiteral("alice")).container->pid != firstPid);
    QVERIFY(!m_world->processes.value(firstPid).running);

    // Update rebuilds the root tree (a marker in it is gone) and keeps /state.
    const QString root = m_dir->filePath(QStringLiteral("state/agents/alice/root"));
    const QString state = m_dir->filePath(QStringLiteral("state/agents/alice/state"));
    QVERIFY(QFile(root + QStringLiteral("/marker")).open(QIODevice::WriteOnly));
    QVERIFY(QFile(state + QStringLiteral("/notes.md")).open(QIODevice::WriteOnly));
    VERIFY_OK(run(LifecycleOp::Update, QStringLiteral("alice")));
    QCOMPARE(info(QStringLiteral("alice")).state, QStringLiteral("running"));
    QVERIFY(!QFileInfo::exists(root + QStringLiteral("/marker")));
    QVERIFY(QFileInfo::exists(state + QStringLiteral("/notes.md")));
}

void TestLifecycle::identicalOperationsAreJoined()
{
    m_world->ignoreTerm = true; // the stop waits for its grace period: the restart stays in flight
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const int startsBefore = m_world->starts;
    int answers = 0;
    for (int i = 0; i < 3; ++i) {
        m_engine->lifecycle().submit(LifecycleOp::Restart, QStringLiteral("alice"), [&answers](const Result<void> &r) {
            QVERIFY(r);
            ++answers;
        });
    }
    QCOMPARE(m_engine->lifecycle().queuedOperations(), 1);
    QTRY_COMPARE(answers, 3);
    QCOMPARE(m_world->starts, startsBefore + 1); // one restart answered three callers
}

void TestLifecycle::crashIsDetectedAndReported()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const qint64 pid = *info(QStringLiteral("alice")).container->pid;
    m_clock.advance(7000);
    m_world->exit(pid); // dies on its own
    QTRY_COMPARE_WITH_TIMEOUT(info(QStringLiteral("alice")).state, QStringLiteral("crashed"), Timeout);
    const AgentInfo alice = info(QStringLiteral("alice"));
    QCOMPARE(alice.container->crashes, 1);
    QVERIFY(alice.container->lastError->contains(QStringLiteral("without an operator action after 7 s")));
    const auto crashes = events(QStringLiteral("container_crash"));
    QCOMPARE(crashes.size(), 1);
    QCOMPARE(crashes.first().value(QStringLiteral("pid")).toInteger(), pid);
    QCOMPARE(crashes.first().value(QStringLiteral("uptime_seconds")).toInteger(), 7);
    // The manager hears of it in its inbox.
    auto inbox = m_engine->broker().recent(QStringLiteral("manager"), 10);
    VERIFY_OK(inbox);
    QVERIFY(!inbox->messages.isEmpty());
    const QJsonObject notice = QJsonDocument::fromJson(inbox->messages.first().body.toUtf8()).object();
    QCOMPARE(notice.value(QStringLiteral("event")).toString(), QStringLiteral("container_crash"));
    QCOMPARE(notice.value(QStringLiteral("name")).toString(), QStringLiteral("alice"));
    // No automatic restart unless configured; the operator starts it again.
    QTest::qWait(200);
    QCOMPARE(info(QStringLiteral("alice")).state, QStringLiteral("crashed"));
    VERIFY_OK(run(LifecycleOp::Start, QStringLiteral("alice")));
    QCOMPARE(info(QStringLiteral("alice")).container->crashes, 0);
}

void TestLifecycle::autoRestartBacksOff()
{
    m_engine.reset();
    startEngine(true);
    VERIFY_OK(spawn(QStringLiteral("alice")));
    QElapsedTimer timer;
    timer.start();
    m_world->exit(*info(QStringLiteral("alice")).container->pid);
    QTRY_COMPARE_WITH_TIMEOUT(info(QStringLiteral("alice")).state, QStringLiteral("crashed"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(info(QStringLiteral("alice")).state, QStringLiteral("running"), Timeout);
    const qint64 first = timer.elapsed();
    QVERIFY2(first >= 900, qPrintable(QString::number(first)));    // restart_backoff_seconds = 1
    QCOMPARE(info(QStringLiteral("alice")).container->crashes, 1); // kept by automatic restarts

    timer.restart();
    m_world->exit(*info(QStringLiteral("alice")).container->pid);
    QTRY_COMPARE_WITH_TIMEOUT(info(QStringLiteral("alice")).state, QStringLiteral("crashed"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(info(QStringLiteral("alice")).state, QStringLiteral("running"), Timeout);
    QVERIFY2(timer.elapsed() >= 1900, qPrintable(QString::number(timer.elapsed()))); // doubled
    QCOMPARE(info(QStringLiteral("alice")).container->crashes, 2);
}

void TestLifecycle::destroyReviveAndPurge()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const QString state = m_dir->filePath(QStringLiteral("state/agents/alice/state"));
    QVERIFY(QFile(state + QStringLiteral("/notes.md")).open(QIODevice::WriteOnly));

    VERIFY_OK(run(LifecycleOp::Destroy, QStringLiteral("alice")));
    QCOMPARE(info(QStringLiteral("alice")).state, QStringLiteral("tombstone"));
    QVERIFY(QFileInfo::exists(state + QStringLiteral("/notes.md"))); // state kept
    QVERIFY(!QFileInfo::exists(m_engine->agentSockets().socketPath(QStringLiteral("alice"))));
    VERIFY_FAILS(run(LifecycleOp::Start, QStringLiteral("alice")), ErrorCode::InvalidParams, "revive it");
    VERIFY_FAILS(spawn(QStringLiteral("alice")), ErrorCode::AlreadyExists, "tombstone");

    VERIFY_OK(run(LifecycleOp::Revive, QStringLiteral("alice")));
    QCOMPARE(info(QStringLiteral("alice")).state, QStringLiteral("running"));
    QVERIFY(QFileInfo::exists(state + QStringLiteral("/notes.md")));
    VERIFY_FAILS(run(LifecycleOp::Revive, QStringLiteral("alice")), ErrorCode::InvalidParams, "not a tombstone");

    VERIFY_OK(run(LifecycleOp::Purge, QStringLiteral("alice")));
    QVERIFY(!m_engine->agents().find(QStringLiteral("alice"))->has_value());
    QVERIFY(!m_engine->lifecycle().find(QStringLiteral("alice"))->has_value());
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("state/agents/alice"))));
    QCOMPARE(events(QStringLiteral("agent_purged")).size(), 1);
    VERIFY_FAILS(run(LifecycleOp::Purge, QStringLiteral("alice")), ErrorCode::NotFound, "no agent named 'alice'");
    VERIFY_FAILS(run(LifecycleOp::Purge, QStringLiteral("manager")), ErrorCode::InvalidParams, "manager");
    // Its uid range is free again.
    VERIFY_OK(spawn(QStringLiteral("bob")));
    QCOMPARE(info(QStringLiteral("bob")).container->uidBase, 524288);
}

void TestLifecycle::externalAgentsHaveNoContainer()
{
    VERIFY_OK(m_engine->agents().add(QStringLiteral("carol")));
    QCOMPARE(info(QStringLiteral("carol")).state, QStringLiteral("external"));
    QVERIFY(!info(QStringLiteral("carol")).container);
    VERIFY_FAILS(run(LifecycleOp::Start, QStringLiteral("carol")), ErrorCode::InvalidParams, "without a container");
    VERIFY_FAILS(run(LifecycleOp::Kill, QStringLiteral("nobody")), ErrorCode::NotFound, "no agent named 'nobody'");
    VERIFY_OK(run(LifecycleOp::Purge, QStringLiteral("carol")));
    QVERIFY(!m_engine->agents().find(QStringLiteral("carol"))->has_value());
}

void TestLifecycle::engineRestartIsNotACrash()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    VERIFY_OK(spawn(QStringLiteral("bob")));
    const qint64 alicePid = *info(QStringLiteral("alice")).container->pid;
    const qint64 bobPid = *info(QStringLiteral("bob")).container->pid;
    m_engine.reset();      // containers run on
    m_world->exit(bobPid); // ... except bob's, which dies while the engine is away
    startEngine();
    QCOMPARE(info(QStringLiteral("alice")).state, QStringLiteral("running"));
    QCOMPARE(*info(QStringLiteral("alice")).container->pid, alicePid);
    QCOMPARE(info(QStringLiteral("bob")).state, QStringLiteral("crashed"));
    QVERIFY(
        info(QStringLiteral("bob")).container->lastError->contains(QStringLiteral("while the engine was not running")));
    const auto crashes = events(QStringLiteral("container_crash"));
    QCOMPARE(crashes.size(), 1);
    QCOMPARE(crashes.first().value(QStringLiteral("name")).toString(), QStringLiteral("bob"));
    // The reattached watch still works: alice's later death is a crash.
    m_world->exit(alicePid);
    QTRY_COMPARE_WITH_TIMEOUT(info(QStringLiteral("alice")).state, QStringLiteral("crashed"), Timeout);
    QCOMPARE(m_world->starts, 2); // nothing was started again by the restart
}

void TestLifecycle::apiAnswersWhenTheOperationHasRun()
{
    client::RpcClient admin(new client::LocalSocketPeer(m_engine->adminSocketPath()));
    VERIFY_OK(admin.openAndWait(Timeout));
    auto spawned = admin.callAndWait<AgentSpawnMethod>(AgentSpawnParams{QStringLiteral("alice"), QStringLiteral("none"),
                                                                        QStringLiteral("512M"), QStringLiteral("50%")},
                                                       Timeout);
    VERIFY_OK(spawned);
    QCOMPARE(spawned->state, QStringLiteral("running"));
    QVERIFY(spawned->container && spawned->container->pid);
    QCOMPARE(spawned->container->memoryMax, QStringLiteral("512M"));

    auto listed = admin.callAndWait<AgentListMethod>(AgentListParams{}, Timeout);
    VERIFY_OK(listed);
    QStringList states;
    for (const AgentInfo &agent : std::as_const(listed->agents))
        states << agent.name + QLatin1Char('=') + agent.state;
    QCOMPARE(states, (QStringList{QStringLiteral("alice=running"), QStringLiteral("manager=external")}));

    auto killed = admin.callAndWait<AgentKillMethod>(AgentKillParams{QStringLiteral("alice")}, Timeout);
    VERIFY_OK(killed);
    QCOMPARE(killed->state, QStringLiteral("stopped"));
    QVERIFY(!killed->container->pid);
    VERIFY_FAILS(admin.callAndWait<AgentStartMethod>(AgentStartParams{QStringLiteral("nobody")}, Timeout),
                 ErrorCode::NotFound, "no agent named 'nobody'");
    // A misspelt parameter is refused by name, not ignored.
    auto misspelt = admin.callAndWait(QStringLiteral("agent_spawn"),
                                      QJsonObject{{QStringLiteral("name"), QStringLiteral("bob")},
                                                  {QStringLiteral("netwrk"), QStringLiteral("none")}},
                                      Timeout);
    VERIFY_FAILS(misspelt, ErrorCode::InvalidParams, "netwrk");
    QVERIFY(!m_engine->agents().find(QStringLiteral("bob"))->has_value());

    auto purged = admin.callAndWait<AgentPurgeMethod>(AgentPurgeParams{QStringLiteral("alice")}, Timeout);
    VERIFY_OK(purged);
    QCOMPARE(purged->name, QStringLiteral("alice"));
    QVERIFY(!m_engine->agents().find(QStringLiteral("alice"))->has_value());
}

QTEST_GUILESS_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"
