// SPDX-License-Identifier: MIT
// Agents on their own unix sockets against a real in-process engine: identity is the socket,
// long polls wake across clients, leases and requeues, and bad input.
#include "agents/agentsockets.h"
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "engine.h"
#include "fakeclock.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "rpcclient.h"
#include "store/auditlog.h"
#include "store/eventlog.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;

namespace {
constexpr int Timeout = 10000;
}

class TestAgentSockets : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void identityIsTheSocket();
    void parkedRecvWakesOnPeerSend();
    void requeueAfterHarnessRestart();
    void senderCannotBeClaimed();
    void operatorMethodsAreNotThere();
    void agentTrafficIsNotAudited();
    void malformedLinesKeepTheSocketUsable();
    void hangingUpDropsTheWait();
    void socketsOpenAgainAfterRestart();
    void connectionsArePublished();

private:
    std::unique_ptr<client::RpcClient> connectAs(const QString &agent);

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<Engine> m_engine;
};

void TestAgentSockets::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    EngineConfig config = EngineConfig::defaults();
    config.containerBackend = QStringLiteral("none");
    config.stateDir = m_dir->filePath(QStringLiteral("state"));
    config.listenEnabled = false;
    m_engine = std::make_unique<Engine>(config, m_clock);
    auto started = m_engine->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    for (const char *name : {"alice", "bob"}) {
        QVERIFY(m_engine->agents().add(QString::fromLatin1(name)));
        QVERIFY(m_engine->agentSockets().open(QString::fromLatin1(name)));
    }
}

void TestAgentSockets::cleanup()
{
    m_engine.reset();
    m_dir.reset();
}

std::unique_ptr<client::RpcClient> TestAgentSockets::connectAs(const QString &agent)
{
    auto client =
        std::make_unique<client::RpcClient>(new client::LocalSocketPeer(m_engine->agentSockets().socketPath(agent)));
    if (!client->openAndWait(Timeout))
        qWarning("cannot connect to %s's socket", qPrintable(agent));
    return client;
}

void TestAgentSockets::identityIsTheSocket()
{
    const QString path = m_engine->agentSockets().socketPath(QStringLiteral("alice"));
    QCOMPARE(QFileInfo(path).permissions() &
                 (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther),
             QFileDevice::Permissions());
    QVERIFY(QFileInfo(m_dir->filePath(QStringLiteral("state/agents/alice/state"))).isDir());
    QVERIFY(QFileInfo::exists(m_engine->agentSockets().socketPath(QStringLiteral("manager"))));

    auto alice = connectAs(QStringLiteral("alice"));
    auto who = alice->callAndWait<WhoamiMethod>(WhoamiParams{}, Timeout);
    QVERIFY2(who, who ? "" : qPrintable(who.error().message));
    QCOMPARE(who->name, QStringLiteral("alice"));
    QCOMPARE(who->role, QStringLiteral("agent"));
    auto manager = connectAs(QStringLiteral("manager"));
    QCOMPARE(manager->callAndWait<WhoamiMethod>(WhoamiParams{}, Timeout)->role, QStringLiteral("manager"));
}

void TestAgentSockets::parkedRecvWakesOnPeerSend()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto bob = connectAs(QStringLiteral("bob"));
    std::optional<Result<RecvResult>> got;
    bob->call<RecvMethod>(RecvParams{60.0, 4}, [&got](const Result<RecvResult> &result) { got = result; });
    QVERIFY(QTest::qWaitFor([&] { return m_engine->broker().parkedCount() == 1; }, Timeout));

    QElapsedTimer timer;
    timer.start();
    auto sent = alice->callAndWait<SendMethod>(SendParams{QStringLiteral("bob"), QStringLiteral("ping"), {}}, Timeout);
    QVERIFY(sent);
    QVERIFY(QTest::qWaitFor([&] { return got.has_value(); }, Timeout));
    qInfo("parked recv answered %lld ms after the send started", qint64(timer.elapsed()));
    QVERIFY(*got);
    QCOMPARE((*got)->messages.size(), 1);
    const Message &message = (*got)->messages.first();
    QCOMPARE(message.from, QStringLiteral("alice"));
    QCOMPARE(message.body, QStringLiteral("ping"));
    QCOMPARE(message.id, sent->id);

    auto reply =
        bob->callAndWait<SendMethod>(SendParams{QStringLiteral("alice"), QStringLiteral("pong"), message.id}, Timeout);
    QVERIFY(reply);
    auto back = alice->callAndWait<RecvMethod>(RecvParams{}, Timeout);
    QCOMPARE(back->messages.first().inReplyTo, message.id);
    QCOMPARE(back->messages.first().from, QStringLiteral("bob"));
}

void TestAgentSockets::requeueAfterHarnessRestart()
{
    auto alice = connectAs(QStringLiteral("alice"));
    QVERIFY(alice->callAndWait<SendMethod>(SendParams{QStringLiteral("bob"), QStringLiteral("job"), {}}, Timeout));
    qint64 id = 0;
    {
        auto bob = connectAs(QStringLiteral("bob"));
        auto got = bob->callAndWait<RecvMethod>(RecvParams{}, Timeout);
        QCOMPARE(got->messages.size(), 1);
        id = got->messages.first().id;
        // The harness dies mid-turn: no ack.
    }
    auto bob = connectAs(QStringLiteral("bob"));
    QCOMPARE(bob->callAndWait<StatusMethod>(StatusParams{}, Timeout)->inflight, 1);
    QCOMPARE(bob->callAndWait<RequeueInflightMethod>(RequeueInflightParams{}, Timeout)->requeued, 1);
    auto again = bob->callAndWait<RecvMethod>(RecvParams{}, Timeout);
    QCOMPARE(again->messages.first().id, id);
    QVERIFY(again->messages.first().redelivered);
    QCOMPARE(bob->callAndWait<AckMethod>(AckParams{{id}}, Timeout)->acked, 1);
    const auto status = bob->callAndWait<StatusMethod>(StatusParams{}, Timeout);
    QCOMPARE(status->unread + status->inflight, 0);
    QCOMPARE(bob->callAndWait<RecentMethod>(RecentParams{10}, Timeout)->messages.size(), 1);
}

void TestAgentSockets::senderCannotBeClaimed()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto claimed = alice->callAndWait(QStringLiteral("send"),
                                      {{QStringLiteral("to"), QStringLiteral("bob")},
                                       {QStringLiteral("body"), QStringLiteral("x")},
                                       {QStringLiteral("from"), QStringLiteral("manager")}},
                                      Timeout);
    QVERIFY(!claimed);
    QCOMPARE(claimed.error().code, ErrorCode::InvalidParams);
    QVERIFY2(claimed.error().message.contains(QStringLiteral("'from'")), qPrintable(claimed.error().message));
    QCOMPARE(m_engine->broker().status(QStringLiteral("bob"))->unread, 0);
}

void TestAgentSockets::operatorMethodsAreNotThere()
{
    auto alice = connectAs(QStringLiteral("alice"));
    for (const char *method : {"token_list", "token_create", "audit_list", "engine_info", "hello"}) {
        auto refused = alice->callAndWait(QString::fromLatin1(method), {}, Timeout);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::MethodNotFound);
    }
}

void TestAgentSockets::agentTrafficIsNotAudited()
{
    const qint64 before = *m_engine->audit().count();
    auto alice = connectAs(QStringLiteral("alice"));
    for (int i = 0; i < 3; ++i)
        QVERIFY(alice->callAndWait<SendMethod>(SendParams{QStringLiteral("bob"), QStringLiteral("m"), {}}, Timeout));
    QCOMPARE(*m_engine->audit().count(), before);
}

void TestAgentSockets::malformedLinesKeepTheSocketUsable()
{
    QLocalSocket socket;
    socket.connectToServer(m_engine->agentSockets().socketPath(QStringLiteral("alice")));
    QVERIFY(socket.waitForConnected(Timeout));
    const QList<QByteArray> lines{"{not json",
                                  R"({"jsonrpc":"2.0","id":1,"method":"recv","params":{"wait_seconds":-1}})",
                                  R"({"jsonrpc":"2.0","id":2,"method":"recv","params":{"max":1000}})",
                                  R"({"jsonrpc":"2.0","id":3,"method":"send","params":{"to":"","body":"x"}})",
                                  R"({"jsonrpc":"2.0","id":4,"method":"send","params":{"to":"nobody","body":"x"}})",
                                  "\xff\xfe\xfd",
                                  R"({"jsonrpc":"2.0","id":5,"method":"whoami"})"};
    for (const QByteArray &line : lines)
        socket.write(line + '\n');
    QByteArray received;
    QVERIFY(QTest::qWaitFor(
        [&] {
            socket.waitForReadyRead(50);
            received += socket.readAll();
            return received.count('\n') >= lines.size();
        },
        Timeout));
    const QList<QByteArray> replies = received.trimmed().split('\n');
    const int expected[] = {-32700, -32602, -32602, -32602, -32003, -32700};
    for (int i = 0; i < 6; ++i) {
        const QJsonObject reply = QJsonDocument::fromJson(replies.at(i)).object();
        QCOMPARE(reply.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(), expected[i]);
    }
    const QJsonObject last = QJsonDocument::fromJson(replies.at(6)).object();
    QCOMPARE(last.value(QStringLiteral("result")).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("alice"));
}

void TestAgentSockets::hangingUpDropsTheWait()
{
    {
        auto bob = connectAs(QStringLiteral("bob"));
        bob->call<RecvMethod>(RecvParams{60.0, 1}, [](const Result<RecvResult> &) {});
        QVERIFY(QTest::qWaitFor([&] { return m_engine->broker().parkedCount() == 1; }, Timeout));
    }
    QVERIFY(QTest::qWaitFor([&] { return m_engine->broker().parkedCount() == 0; }, Timeout));
    auto alice = connectAs(QStringLiteral("alice"));
    QVERIFY(alice->callAndWait<SendMethod>(SendParams{QStringLiteral("bob"), QStringLiteral("later"), {}}, Timeout));
    QCOMPARE(m_engine->broker().status(QStringLiteral("bob"))->unread, 1); // waiting, not leased to a ghost
}

void TestAgentSockets::socketsOpenAgainAfterRestart()
{
    const EngineConfig config = m_engine->config();
    m_engine.reset();
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("state/run/agents/bob/agent.sock"))));
    m_engine = std::make_unique<Engine>(config, m_clock);
    QVERIFY(m_engine->start());
    auto bob = connectAs(QStringLiteral("bob"));
    QCOMPARE(bob->callAndWait<WhoamiMethod>(WhoamiParams{}, Timeout)->name, QStringLiteral("bob"));
}

void TestAgentSockets::connectionsArePublished()
{
    QList<std::pair<QString, QString>> seen; // kind, name
    QObject scope;                           // the connection must not outlive `seen`
    connect(&m_engine->events(), &EventLog::published, &scope, [&seen](const Event &event) {
        if (event.kind.startsWith(QLatin1String("agent_")))
            seen.append({event.kind, event.data.value(QStringLiteral("name")).toString()});
    });
    const qint64 before = m_engine->events().latestSeq();
    using Seen = QList<std::pair<QString, QString>>;

    auto alice = connectAs(QStringLiteral("alice"));
    QTRY_COMPARE_WITH_TIMEOUT(seen, (Seen{{QStringLiteral("agent_connected"), QStringLiteral("alice")}}), Timeout);
    // The agent hangs up.
    alice.reset();
    QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 2, Timeout);
    QCOMPARE(seen.last(), std::pair(QStringLiteral("agent_disconnected"), QStringLiteral("alice")));

    // The engine closes the socket (agent_destroy, agent_purge): that connection goes away too.
    auto bob = connectAs(QStringLiteral("bob"));
    QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 3, Timeout);
    QCOMPARE(seen.last(), std::pair(QStringLiteral("agent_connected"), QStringLiteral("bob")));
    m_engine->agentSockets().close(QStringLiteral("bob"));
    QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 4, Timeout);
    QCOMPARE(seen.last(), std::pair(QStringLiteral("agent_disconnected"), QStringLiteral("bob")));

    // Stored like every event, so that a client that reconnects replays them.
    auto stored = m_engine->events().since(before);
    QVERIFY(stored);
    Seen replayed;
    for (const Event &event : std::as_const(*stored))
        replayed.append({event.kind, event.data.value(QStringLiteral("name")).toString()});
    QCOMPARE(replayed, seen);
}

QTEST_GUILESS_MAIN(TestAgentSockets)
#include "tst_agentsockets.moc"
