// SPDX-License-Identifier: MIT
// The manager's lifecycle calls on its agent socket (kill, start, restart, update, list_agents)
// against a real in-process engine on a scripted container runtime: each runs the operator's
// operation and answers with the agent, other agents are refused, the manager cannot stop itself,
// the lifecycle's own errors come through unchanged, and every kill/start/restart/update call is
// audited as `agent:NAME`.
#include "agents/agentsockets.h"
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
#include "verify.h"

#include <QTemporaryDir>
#include <QTest>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;
using hive::test::FakeRuntime;
using hive::test::FakeWorld;

namespace {
constexpr int Timeout = 15000;
}

class TestManagerSurface : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void listAgentsAsAgentList();
    void killStartRestartUpdate();
    void otherAgentsAreRefused_data();
    void otherAgentsAreRefused();
    void managerCannotStopItself_data();
    void managerCannotStopItself();
    void lifecycleErrorsComeThrough();
    void badParamsNeverRun();

private:
    Result<void> spawn(const QString &agent);
    std::unique_ptr<client::RpcClient> connectAgent(const QString &agent);
    /// Calls `method` {name} on `client` and returns the answer as AgentInfo.
    Result<AgentInfo> lifecycle(client::RpcClient &client, const QString &method, const QString &name);
    /// The newest audit row.
    AuditEntry lastAudit();

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<FakeWorld> m_world;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<client::RpcClient> m_manager;
};

void TestManagerSurface::init()
{
    m_clock = test::FakeClock();
    m_dir = std::make_unique<QTemporaryDir>();
    m_world = std::make_unique<FakeWorld>();
    EngineConfig config = EngineConfig::defaults();
    config.stateDir = m_dir->filePath(QStringLiteral("state"));
    config.listenEnabled = false;
    config.spawnManager = false;
    config.stopGraceSeconds = 1;
    m_engine = std::make_unique<Engine>(config, m_clock);
    m_engine->setContainerRuntime(std::make_unique<FakeRuntime>(*m_world));
    auto started = m_engine->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    m_manager = connectAgent(QStringLiteral("manager"));
    VERIFY_OK(spawn(QStringLiteral("alice")));
    VERIFY_OK(spawn(QStringLiteral("bob")));
}

void TestManagerSurface::cleanup()
{
    m_manager.reset();
    m_engine.reset();
    m_world.reset();
    m_dir.reset();
}

Result<void> TestManagerSurface::spawn(const QString &agent)
{
    AgentSpawnParams params;
    params.name = agent;
    std::optional<Result<void>> out;
    m_engine->lifecycle().spawn(params, [&out](const Result<void> &done) { out = done; });
    (void)QTest::qWaitFor([&out] { return out.has_value(); }, Timeout);
    return out ? *out : Result<void>(fail(ErrorCode::Internal, QStringLiteral("no answer")));
}

std::unique_ptr<client::RpcClient> TestManagerSurface::connectAgent(const QString &agent)
{
    auto client =
        std::make_unique<client::RpcClient>(new client::LocalSocketPeer(m_engine->agentSockets().socketPath(agent)));
    if (!client->openAndWait(Timeout))
        qWarning("cannot connect to %s's socket", qPrintable(agent));
    return client;
}

Result<AgentInfo> TestManagerSurface::lifecycle(client::RpcClient &client, const QString &method, const QString &name)
{
    auto answer = client.callAndWait(method, {{QStringLiteral("name"), name}}, Timeout);
    if (!answer)
        return fail(answer.error());
    return AgentInfo::fromJson(answer->toObject());
}

AuditEntry TestManagerSurface::lastAudit()
{
    AuditListParams params;
    params.limit = 1;
    auto listed = m_engine->audit().list(params);
    if (!listed || listed->entries.isEmpty())
        return {};
    return listed->entries.first();
}

void TestManagerSurface::listAgentsAsAgentList()
{
    auto listed = m_manager->callAndWait<ListAgentsMethod>(AgentListParams{}, Timeout);
    VERIFY_OK(listed);
    QStringList names;
    for (const AgentInfo &agent : std::as_const(listed->agents))
        names << agent.name;
    QCOMPARE(names, (QStringList{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("manager")}));
    QCOMPARE(listed->agents.at(0).state, QString::fromLatin1(agentstates::Running));
    QVERIFY(listed->agents.at(0).container.has_value());
    QCOMPARE(listed->agents.at(2).kind, QStringLiteral("manager"));
    // The same as the operator's agent_list.
    auto admin = test::connectAdmin(*m_engine);
    auto operatorList = admin->callAndWait<AgentListMethod>(AgentListParams{}, Timeout);
    VERIFY_OK(operatorList);
    QCOMPARE(listed->agents, operatorList->agents);
    // Read-only: not audited.
    QCOMPARE(lastAudit().method, QString());
}

void TestManagerSurface::killStartRestartUpdate()
{
    auto killed = lifecycle(*m_manager, QStringLiteral("kill"), QStringLiteral("alice"));
    VERIFY_OK(killed);
    QCOMPARE(killed->name, QStringLiteral("alice"));
    QCOMPARE(killed->state, QString::fromLatin1(agentstates::Stopped));
    QVERIFY(!killed->container->pid);
    AuditEntry row = lastAudit();
    QCOMPARE(row.tokenName, QStringLiteral("agent:manager"));
    QCOMPARE(row.role, QStringLiteral("manager"));
    QCOMPARE(row.method, QStringLiteral("kill"));
    QCOMPARE(row.params, (QJsonObject{{QStringLiteral("name"), QStringLiteral("alice")}}));
    QCOMPARE(row.result, QStringLiteral("ok"));

    // Killing a stopped agent does nothing, and says so with the agent.
    auto again = lifecycle(*m_manager, QStringLiteral("kill"), QStringLiteral("alice"));
    VERIFY_OK(again);
    QCOMPARE(again->state, QString::fromLatin1(agentstates::Stopped));

    const int starts = m_world->starts;
    auto started = lifecycle(*m_manager, QStringLiteral("start"), QStringLiteral("alice"));
    VERIFY_OK(started);
    QCOMPARE(started->state, QString::fromLatin1(agentstates::Running));
    QCOMPARE(m_world->starts, starts + 1);
    QCOMPARE(lastAudit().method, QStringLiteral("start"));

    const qint64 pid = *started->container->pid;
    auto restarted = lifecycle(*m_manager, QStringLiteral("restart"), QStringLiteral("alice"));
    VERIFY_OK(restarted);
    QCOMPARE(restarted->state, QString::fromLatin1(agentstates::Running));
    QVERIFY(*restarted->container->pid != pid);
    QVERIFY(!m_world->processes.value(pid).running);
    QCOMPARE(lastAudit().method, QStringLiteral("restart"));

    const int prepares = m_world->prepares;
    auto updated = lifecycle(*m_manager, QStringLiteral("update"), QStringLiteral("bob"));
    VERIFY_OK(updated);
    QCOMPARE(updated->name, QStringLiteral("bob"));
    QCOMPARE(updated->state, QString::fromLatin1(agentstates::Running));
    QCOMPARE(m_world->prepares, prepares + 1); // the root tree was built again
    row = lastAudit();
    QCOMPARE(row.method, QStringLiteral("update"));
    QCOMPARE(row.result, QStringLiteral("ok"));
    // The rows chain as the operator's do.
    auto chain = m_engine->audit().verify();
    VERIFY_OK(chain);
    QVERIFY(chain->ok);
}

void TestManagerSurface::otherAgentsAreRefused_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<bool>("audited");
    QTest::newRow("kill") << QStringLiteral("kill") << true;
    QTest::newRow("start") << QStringLiteral("start") << true;
    QTest::newRow("restart") << QStringLiteral("restart") << true;
    QTest::newRow("update") << QStringLiteral("update") << true;
    QTest::newRow("list_agents") << QStringLiteral("list_agents") << false;
}

void TestManagerSurface::otherAgentsAreRefused()
{
    QFETCH(QString, method);
    QFETCH(bool, audited);
    auto alice = connectAgent(QStringLiteral("alice"));
    const int starts = m_world->starts;
    const QJsonObject params = method == QLatin1String("list_agents")
                                   ? QJsonObject{}
                                   : QJsonObject{{QStringLiteral("name"), QStringLiteral("bob")}};
    auto refused = alice->callAndWait(method, params, Timeout);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Forbidden);
    QCOMPARE(refused.error().message, QStringLiteral("%1 is the manager's: ask the manager for it").arg(method));
    QCOMPARE(m_world->starts, starts);
    const AuditEntry row = lastAudit();
    if (!audited) {
        QCOMPARE(row.method, QString());
        return;
    }
    QCOMPARE(row.tokenName, QStringLiteral("agent:alice"));
    QCOMPARE(row.role, QStringLiteral("agent"));
    QCOMPARE(row.method, method);
    QCOMPARE(row.result, QStringLiteral("forbidden"));
    QCOMPARE(row.message, refused.error().message);
}

void TestManagerSurface::managerCannotStopItself_data()
{
    QTest::addColumn<QString>("method");
    QTest::newRow("kill") << QStringLiteral("kill");
    QTest::newRow("restart") << QStringLiteral("restart");
    QTest::newRow("update") << QStringLiteral("update");
}

void TestManagerSurface::managerCannotStopItself()
{
    QFETCH(QString, method);
    auto refused = lifecycle(*m_manager, method, QStringLiteral("manager"));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Forbidden);
    QCOMPARE(refused.error().message,
             QStringLiteral("the manager cannot %1 itself: that would stop the container this call comes from; ask "
                            "the operator to %1 the manager (agent_%1)")
                 .arg(method));
    const AuditEntry row = lastAudit();
    QCOMPARE(row.tokenName, QStringLiteral("agent:manager"));
    QCOMPARE(row.result, QStringLiteral("forbidden"));
    QCOMPARE(row.message, refused.error().message);
}

void TestManagerSurface::lifecycleErrorsComeThrough()
{
    // Starting itself is no refusal: the lifecycle answers (this manager has no container).
    auto self = lifecycle(*m_manager, QStringLiteral("start"), QStringLiteral("manager"));
    QVERIFY(!self);
    QCOMPARE(self.error().code, ErrorCode::InvalidParams);
    QCOMPARE(self.error().message,
             QStringLiteral("agent 'manager' was registered without a container (agent_add): it has no container to "
                            "run; purge it and spawn it instead"));

    auto unknown = lifecycle(*m_manager, QStringLiteral("kill"), QStringLiteral("zed"));
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().code, ErrorCode::NotFound);
    QCOMPARE(unknown.error().message, QStringLiteral("no agent named 'zed'"));
    AuditEntry row = lastAudit();
    QCOMPARE(row.method, QStringLiteral("kill"));
    QCOMPARE(row.result, QStringLiteral("not_found"));
    QCOMPARE(row.message, QStringLiteral("no agent named 'zed'"));

    // A start the runtime fails: the agent goes back to stopped, and the error names why.
    VERIFY_OK(lifecycle(*m_manager, QStringLiteral("kill"), QStringLiteral("bob")));
    m_world->failStart = QStringLiteral("out of pids");
    auto failed = lifecycle(*m_manager, QStringLiteral("start"), QStringLiteral("bob"));
    QVERIFY(!failed);
    QCOMPARE(failed.error().code, ErrorCode::Io);
    QCOMPARE(failed.error().message, QStringLiteral("starting the container of 'bob': out of pids"));
    QCOMPARE(lastAudit().result, QStringLiteral("io"));
    m_world->failStart.reset();

    // A tombstone is the operator's to revive.
    auto admin = test::connectAdmin(*m_engine);
    VERIFY_OK(admin->callAndWait<AgentDestroyMethod>(AgentDestroyParams{QStringLiteral("alice")}, Timeout));
    auto tombstone = lifecycle(*m_manager, QStringLiteral("start"), QStringLiteral("alice"));
    QVERIFY(!tombstone);
    QCOMPARE(tombstone.error().code, ErrorCode::InvalidParams);
    QCOMPARE(tombstone.error().message,
             QStringLiteral("'alice' was destroyed (a tombstone): revive it to start it again"));
}

void TestManagerSurface::badParamsNeverRun()
{
    const int starts = m_world->starts;
    auto missing = m_manager->callAndWait(QStringLiteral("restart"), {}, Timeout);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::InvalidParams);
    QCOMPARE(missing.error().message, QStringLiteral("missing required field 'name'"));
    auto extra = m_manager->callAndWait(
        QStringLiteral("kill"), {{QStringLiteral("name"), QStringLiteral("bob")}, {QStringLiteral("force"), true}},
        Timeout);
    QVERIFY(!extra);
    QCOMPARE(extra.error().code, ErrorCode::InvalidParams);
    QVERIFY2(extra.error().message.contains(QStringLiteral("'force'")), qPrintable(extra.error().message));
    auto list = m_manager->callAndWait(QStringLiteral("list_agents"), {{QStringLiteral("all"), true}}, Timeout);
    QVERIFY(!list);
    QCOMPARE(list.error().code, ErrorCode::InvalidParams);
    QCOMPARE(m_world->starts, starts);
    QCOMPARE(lastAudit().method, QString()); // nothing reached a handler
}

QTEST_GUILESS_MAIN(TestManagerSurface)
#include "tst_managersurface.moc"
