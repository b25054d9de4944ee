// SPDX-License-Identifier: MIT
// The operator API end to end inside one process: a real Engine (SQLite file, generated TLS
// certificate, WebSocket and unix socket listeners) and real clients over TLS and the socket.
#include "engine.h"
#include "fakeclock.h"
#include "jsonrpc.h"
#include "localsocketpeer.h"
#include "protocol/methods.h"
#include "protocol/version.h"
#include "rpcclient.h"
#include "store/auditlog.h"
#include "store/eventlog.h"
#include "store/tokenstore.h"
#include "websocketpeer.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;

namespace {

constexpr int Timeout = 10000;

/// A bare TLS WebSocket that sends exactly the bytes a test gives it.
class RawClient : public QObject
{
public:
    explicit RawClient(quint16 port)
    {
        connect(&m_socket, &QWebSocket::sslErrors, this,
                [this](const QList<QSslError> &) { m_socket.ignoreSslErrors(); });
        connect(&m_socket, &QWebSocket::textMessageReceived, this,
                [this](const QString &text) { m_frames.append(QJsonDocument::fromJson(text.toUtf8()).object()); });
        m_socket.open(QUrl(QStringLiteral("wss://127.0.0.1:%1").arg(port)));
    }
    bool waitConnected()
    {
        return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, Timeout);
    }
    bool waitClosed()
    {
        return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; }, Timeout);
    }

    QJsonObject exchange(const QByteArray &frame)
    {
        m_frames.clear();
        m_socket.sendTextMessage(QString::fromUtf8(frame));
        if (!QTest::qWaitFor([this] { return !m_frames.isEmpty(); }, Timeout))
            return {};
        return m_frames.takeFirst();
    }
    QJsonObject call(const QString &method, const QJsonObject &params, int id = 1)
    {
        return exchange(rpc::Codec::encode(rpc::Request{QJsonValue(id), method, params}));
    }
    QWebSocket &socket() { return m_socket; }
    QList<QJsonObject> &frames() { return m_frames; }

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_frames;
};

int errorCode(const QJsonObject &reply)
{
    return reply.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt();
}

QJsonObject hello(const QString &token)
{
    return HelloParams{QString::fromLatin1(Version), token, QStringLiteral("tst_apiserver")}.toJson();
}

} // namespace

class TestApiServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void helloAuthenticates();
    void firstCallMustBeHello();
    void badTokenClosesConnection();
    void secondFailedHelloCloses();
    void rolesAreEnforcedAndAudited();
    void malformedFrames_data();
    void malformedFrames();
    void eventReplaySinceSeq();
    void eventResyncWhenTooOld();
    void pinnedFingerprintMismatchIsRefused();
    void adminSocketIsImplicitAdmin();
    void adminSocketSurvivesOversizedLine();
    void revokeClosesLiveConnections();
    void helloTimeoutCloses();
    void secondEngineOnSameStateDirIsRefused();
    void shutdownAnnouncesAndFlushes();
    void connectionLimitRepliesAndSparesAdminSocket();
    void malformedHelloCountsAsFailed();

private:
    void restartWith(const std::function<void(EngineConfig &)> &change);
    QString createToken(const QString &name, Role role);
    std::unique_ptr<client::RpcClient> connectRemote(const QString &token, QString expectedFingerprint = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<Engine> m_engine;
};

void TestApiServer::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    EngineConfig config = EngineConfig::defaults();
    config.containerBackend = QStringLiteral("none");
    config.stateDir = m_dir->filePath(QStringLiteral("state"));
    config.listenHost = QStringLiteral("127.0.0.1");
    config.listenPort = 0;
    config.eventHistory = 100;
    config.maxFrameBytes = 4096;
    config.helloTimeoutSeconds = 2;
    m_engine = std::make_unique<Engine>(config, m_clock);
    auto started = m_engine->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    QVERIFY(m_engine->tlsPort() > 0);
}

void TestApiServer::cleanup()
{
    m_engine.reset();
    m_dir.reset();
}

void TestApiServer::restartWith(const std::function<void(EngineConfig &)> &change)
{
    EngineConfig config = m_engine->config();
    m_engine.reset();
    change(config);
    m_engine = std::make_unique<Engine>(config, m_clock);
    auto started = m_engine->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
}

QString TestApiServer::createToken(const QString &name, Role role)
{
    auto created = m_engine->tokens().create(name, role, QStringLiteral("test"));
    return created ? created->secret : QString();
}

std::unique_ptr<client::RpcClient> TestApiServer::connectRemote(const QString &token, QString expectedFingerprint)
{
    if (expectedFingerprint.isEmpty())
        expectedFingerprint = m_engine->tls().fingerprint;
    auto *peer = new client::WebSocketPeer(QUrl(QStringLiteral("wss://127.0.0.1:%1").arg(m_engine->tlsPort())),
                                           [expectedFingerprint](const QString &fingerprint, QString *refusal) {
                                               if (fingerprint == expectedFingerprint)
                                                   return true;
                                               *refusal = QStringLiteral("fingerprint changed");
                                               return false;
                                           });
    auto client = std::make_unique<client::RpcClient>(peer);
    if (!client->openAndWait(Timeout))
        return client;
    if (!token.isEmpty()) {
        auto result = client->callAndWait<HelloMethod>(HelloParams{QString::fromLatin1(Version), token, {}}, Timeout);
        if (!result)
            qWarning() << "hello failed:" << result.error().message;
    }
    return client;
}

void TestApiServer::helloAuthenticates()
{
    const QString token = createToken(QStringLiteral("ops"), Role::Operator);
    auto client = connectRemote({});
    QVERIFY(client->isOpen());
    auto result = client->callAndWait<HelloMethod>(
        HelloParams{QString::fromLatin1(Version), token, QStringLiteral("test")}, Timeout);
    QVERIFY2(result, result ? "" : qPrintable(result.error().message));
    QCOMPARE(result->tokenName, QStringLiteral("ops"));
    QCOMPARE(result->role, QStringLiteral("operator"));
    QCOMPARE(result->protocolVersion, QString::fromLatin1(Version));
    QVERIFY(result->features.contains(QStringLiteral("events_replay")));

    auto info = client->callAndWait<EngineInfoMethod>(EngineInfoParams{}, Timeout);
    QVERIFY(info);
    QCOMPARE(info->tlsFingerprint, m_engine->tls().fingerprint);
    QCOMPARE(info->listen, QStringLiteral("127.0.0.1:%1").arg(m_engine->tlsPort()));
    QCOMPARE(info->tokens, 1);
    QCOMPARE(info->connections, 1);

    auto again = client->callAndWait<HelloMethod>(HelloParams{QString::fromLatin1(Version), token, {}}, Timeout);
    QVERIFY(!again);
    QCOMPARE(again.error().code, ErrorCode::InvalidRequest);
}

void TestApiServer::firstCallMustBeHello()
{
    RawClient raw(m_engine->tlsPort());
    QVERIFY(raw.waitConnected());
    const QJsonObject reply = raw.call(QStringLiteral("engine_info"), {});
    QCOMPARE(errorCode(reply), -32001);
    QVERIFY(raw.waitClosed());
}

void TestApiServer::badTokenClosesConnection()
{
    createToken(QStringLiteral("real"), Role::Admin);
    RawClient raw(m_engine->tlsPort());
    QVERIFY(raw.waitConnected());
    const QJsonObject reply = raw.call(QStringLiteral("hello"), hello(QStringLiteral("hht_forged")));
    QCOMPARE(errorCode(reply), -32001);
    QVERIFY(raw.waitClosed());
}

void TestApiServer::secondFailedHelloCloses()
{
    const QString token = createToken(QStringLiteral("ops"), Role::Operator);
    RawClient raw(m_engine->tlsPort());
    QVERIFY(raw.waitConnected());
    QJsonObject params = hello(token);
    params.insert(QStringLiteral("protocol_version"), QStringLiteral("9.0.0"));
    QCOMPARE(errorCode(raw.call(QStringLiteral("hello"), params)), -32006);
    QCOMPARE(raw.socket().state(), QAbstractSocket::ConnectedState); // one retry is allowed
    QCOMPARE(errorCode(raw.call(QStringLiteral("hello"), params, 2)), -32006);
    QVERIFY(raw.waitClosed());
}

void TestApiServer::rolesAreEnforcedAndAudited()
{
    const QString viewer = createToken(QStringLiteral("watcher"), Role::Viewer);
    auto client = connectRemote(viewer);
    auto refused = client->callAndWait<TokenListMethod>(TokenListParams{}, Timeout);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Forbidden);
    QVERIFY2(refused.error().message.contains(QStringLiteral("admin")), qPrintable(refused.error().message));
    auto created = client->callAndWait<TokenCreateMethod>(
        TokenCreateParams{QStringLiteral("sneaky"), QStringLiteral("admin")}, Timeout);
    QCOMPARE(created.error().code, ErrorCode::Forbidden);
    QVERIFY(client->callAndWait<EngineInfoMethod>(EngineInfoParams{}, Timeout)); // viewer reads

    // The audit log names the token and says it was refused; the chain still verifies.
    auto rows = m_engine->audit().list(AuditListParams{});
    QVERIFY(rows);
    QCOMPARE(rows->entries.size(), 2);
    for (const AuditEntry &row : std::as_const(rows->entries)) {
        QCOMPARE(row.tokenName, QStringLiteral("watcher"));
        QCOMPARE(row.role, QStringLiteral("viewer"));
        QCOMPARE(row.result, QStringLiteral("forbidden"));
    }
    QCOMPARE(rows->entries.first().method, QStringLiteral("token_create"));
    QCOMPARE(rows->entries.last().method, QStringLiteral("token_list"));
    QVERIFY(m_engine->audit().verify()->ok);

    // An admin's state change is audited as ok, without the secret in the row.
    const QString admin = createToken(QStringLiteral("boss"), Role::Admin);
    auto adminClient = connectRemote(admin);
    auto made = adminClient->callAndWait<TokenCreateMethod>(
        TokenCreateParams{QStringLiteral("ci"), QStringLiteral("viewer")}, Timeout);
    QVERIFY(made);
    QCOMPARE(made->token.createdBy, QStringLiteral("boss"));
    auto last = m_engine->audit().list(AuditListParams{1, {}, {}, {}});
    QCOMPARE(last->entries.first().result, QStringLiteral("ok"));
    QCOMPARE(last->entries.first().tokenName, QStringLiteral("boss"));
    QVERIFY(!QJsonDocument(last->entries.first().toJson()).toJson().contains(made->secret.toUtf8()));
    auto operatorAudit = client->callAndWait<AuditListMethod>(AuditListParams{}, Timeout);
    QCOMPARE(operatorAudit.error().code, ErrorCode::Forbidden); // viewer < operator
}

void TestApiServer::malformedFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("malformed json") << QByteArray("{\"jsonrpc\":\"2.0\",") << -32700 << QStringLiteral("JSON");
    QTest::newRow("not an object") << QByteArray("[1,2,3]") << -32600 << QStringLiteral("batch");
    QTest::newRow("scalar") << QByteArray("true") << -32600 << QStringLiteral("object");
    QTest::newRow("batch") << QByteArray(R"([{"jsonrpc":"2.0","id":1,"method":"engine_info"}])") << -32600
                           << QStringLiteral("batch");
    QTest::newRow("unknown method") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"fly"})") << -32601
                                    << QStringLiteral("'fly'");
    QTest::newRow("missing params") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"token_revoke"})") << -32602
                                    << QStringLiteral("'name'");
    QTest::newRow("mistyped params") << QByteArray(
                                            R"({"jsonrpc":"2.0","id":1,"method":"token_revoke","params":{"name":7}})")
                                     << -32602 << QStringLiteral("must be a string");
    QTest::newRow("unknown param") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"engine_info","params":{"x":1}})")
                                   << -32602 << QStringLiteral("'x'");
    QTest::newRow("positional params") << QByteArray(
                                              R"({"jsonrpc":"2.0","id":1,"method":"token_revoke","params":["a"]})")
                                       << -32602 << QStringLiteral("named");
    QTest::newRow("bad role value")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"token_create","params":{"name":"a","role":"god"}})")
        << -32602 << QStringLiteral("'god'");
    QTest::newRow("oversized frame") << (R"({"jsonrpc":"2.0","id":1,"method":"engine_info","params":{"pad":")" +
                                         QByteArray(8000, 'x') + R"("}})")
                                     << -32007 << QStringLiteral("4096");
}

void TestApiServer::malformedFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(int, code);
    QFETCH(QString, mentions);
    const QString admin = createToken(QStringLiteral("admin"), Role::Admin);
    RawClient bystander(m_engine->tlsPort());
    QVERIFY(bystander.waitConnected());
    QVERIFY(bystander.call(QStringLiteral("hello"), hello(admin)).contains(QStringLiteral("result")));

    RawClient raw(m_engine->tlsPort());
    QVERIFY(raw.waitConnected());
    QVERIFY(raw.call(QStringLiteral("hello"), hello(admin)).contains(QStringLiteral("result")));
    const QJsonObject reply = raw.exchange(frame);
    QCOMPARE(errorCode(reply), code);
    const QString message = reply.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
    QVERIFY2(message.contains(mentions), qPrintable(message));

    // The same connection and every other client go on being served.
    QVERIFY(raw.call(QStringLiteral("engine_info"), {}, 2).contains(QStringLiteral("result")));
    QVERIFY(bystander.call(QStringLiteral("engine_info"), {}, 3).contains(QStringLiteral("result")));
}

void TestApiServer::eventReplaySinceSeq()
{
    const QString admin = createToken(QStringLiteral("admin"), Role::Admin);
    auto client = connectRemote(admin);
    const qint64 before = m_engine->events().latestSeq();
    QVERIFY(client->callAndWait<TokenCreateMethod>(TokenCreateParams{QStringLiteral("a"), QStringLiteral("viewer")},
                                                   Timeout));
    QVERIFY(client->callAndWait<TokenCreateMethod>(TokenCreateParams{QStringLiteral("b"), QStringLiteral("viewer")},
                                                   Timeout));

    auto listener = connectRemote(admin);
    QList<Event> received;
    connect(listener.get(), &client::RpcClient::notificationReceived, this,
            [&received](const QString &method, const QJsonObject &params) {
                QCOMPARE(method, QStringLiteral("event"));
                received.append(*Event::fromJson(params));
            });
    auto subscribed = listener->callAndWait<EventsSubscribeMethod>(EventsSubscribeParams{before}, Timeout);
    QVERIFY(subscribed);
    QCOMPARE(subscribed->replayed, 2);
    QVERIFY(QTest::qWaitFor([&] { return received.size() == 2; }, Timeout));
    QCOMPARE(received.at(0).kind, QStringLiteral("token_created"));
    QCOMPARE(received.at(0).data.value(QStringLiteral("name")).toString(), QStringLiteral("a"));
    QCOMPARE(received.at(1).seq, received.at(0).seq + 1);

    // Live events follow the replay with the next seq, none twice.
    QVERIFY(client->callAndWait<TokenRevokeMethod>(TokenRevokeParams{QStringLiteral("a")}, Timeout));
    QVERIFY(QTest::qWaitFor([&] { return received.size() == 3; }, Timeout));
    QCOMPARE(received.at(2).kind, QStringLiteral("token_revoked"));
    QCOMPARE(received.at(2).seq, received.at(1).seq + 1);

    auto unsubscribed = listener->callAndWait<EventsUnsubscribeMethod>(EventsUnsubscribeParams{}, Timeout);
    QVERIFY(unsubscribed && unsubscribed->wasSubscribed);
    QVERIFY(client->callAndWait<TokenRevokeMethod>(TokenRevokeParams{QStringLiteral("b")}, Timeout));
    QTest::qWait(200);
    QCOMPARE(received.size(), 3);
}

void TestApiServer::eventResyncWhenTooOld()
{
    for (int i = 0; i < 300; ++i)
        QVERIFY(m_engine->events().publish(QStringLiteral("tick"), {}));
    auto client = connectRemote(createToken(QStringLiteral("v"), Role::Viewer));
    auto resync = client->callAndWait<EventsSubscribeMethod>(EventsSubscribeParams{1}, Timeout);
    QVERIFY(!resync);
    QCOMPARE(resync.error().code, ErrorCode::ResyncRequired);
    QVERIFY(resync.error().data.contains(QStringLiteral("oldest_seq")));
    // Subscribing without since_seq (after a full reload) works.
    QVERIFY(client->callAndWait<EventsSubscribeMethod>(EventsSubscribeParams{}, Timeout));
}

void TestApiServer::pinnedFingerprintMismatchIsRefused()
{
    const QString token = createToken(QStringLiteral("ops"), Role::Operator);
    const QString wrongPin = QStringLiteral("00:") + m_engine->tls().fingerprint.mid(3);
    auto client = connectRemote({}, wrongPin);
    QVERIFY(!client->isOpen());
    auto call = client->callAndWait<HelloMethod>(HelloParams{QString::fromLatin1(Version), token, {}}, Timeout);
    QVERIFY(!call);
    QCOMPARE(call.error().code, ErrorCode::Tls);
    QCOMPARE(call.error().data.value(QStringLiteral("fingerprint")).toString(), m_engine->tls().fingerprint);
    // The token never reached the engine: it was not used.
    QVERIFY(!m_engine->tokens().list()->first().lastUsedAt);
}

void TestApiServer::adminSocketIsImplicitAdmin()
{
    client::RpcClient local(new client::LocalSocketPeer(m_engine->adminSocketPath()));
    QVERIFY(local.openAndWait(Timeout));
    const QFileInfo socket(m_engine->adminSocketPath());
    QCOMPARE(socket.permissions() & (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther),
             QFileDevice::Permissions());
    auto created = local.callAndWait<TokenCreateMethod>(
        TokenCreateParams{QStringLiteral("first"), QStringLiteral("admin")}, Timeout);
    QVERIFY2(created, created ? "" : qPrintable(created.error().message));
    QVERIFY(created->token.createdBy.startsWith(QStringLiteral("local")));
    auto row = m_engine->audit().list(AuditListParams{});
    QCOMPARE(row->entries.first().tokenName, created->token.createdBy);
    QCOMPARE(row->entries.first().params.value(QStringLiteral("name")).toString(), QStringLiteral("first"));
}

void TestApiServer::adminSocketSurvivesOversizedLine()
{
    QLocalSocket socket;
    socket.connectToServer(m_engine->adminSocketPath());
    QVERIFY(socket.waitForConnected(Timeout));
    socket.write(QByteArray(3000, 'x'));
    socket.write(QByteArray(3000, 'y')); // no newline yet: over the 4096-byte cap
    socket.write("\n");
    socket.write(rpc::Codec::encode(rpc::Request{QJsonValue(5), QStringLiteral("engine_info"), {}}) + '\n');
    QByteArray received;
    QVERIFY(QTest::qWaitFor(
        [&] {
            socket.waitForReadyRead(50);
            received += socket.readAll();
            return received.count('\n') >= 2;
        },
        Timeout));
    const QList<QByteArray> lines = received.split('\n');
    QCOMPARE(errorCode(QJsonDocument::fromJson(lines.at(0)).object()), -32007);
    const QJsonObject answer = QJsonDocument::fromJson(lines.at(1)).object();
    QCOMPARE(answer.value(QStringLiteral("id")).toInt(), 5);
    QVERIFY(answer.contains(QStringLiteral("result")));
}

void TestApiServer::revokeClosesLiveConnections()
{
    const QString admin = createToken(QStringLiteral("admin"), Role::Admin);
    const QString victim = createToken(QStringLiteral("victim"), Role::Viewer);
    auto victimClient = connectRemote(victim);
    QSignalSpy closed(victimClient.get(), &client::RpcClient::closed);
    auto adminClient = connectRemote(admin);
    auto revoked = adminClient->callAndWait<TokenRevokeMethod>(TokenRevokeParams{QStringLiteral("victim")}, Timeout);
    QVERIFY(revoked);
    QCOMPARE(revoked->closedConnections, 1);
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, Timeout); // may already have arrived during the call
    QVERIFY(!victimClient->callAndWait<EngineInfoMethod>(EngineInfoParams{}, Timeout));
    QVERIFY(adminClient->callAndWait<EngineInfoMethod>(EngineInfoParams{}, Timeout)); // admin unaffected
}

void TestApiServer::helloTimeoutCloses()
{
    RawClient raw(m_engine->tlsPort());
    QVERIFY(raw.waitConnected());
    QVERIFY(raw.waitClosed()); // hello_timeout_seconds = 2
}

void TestApiServer::secondEngineOnSameStateDirIsRefused()
{
    Engine second(m_engine->config(), m_clock);
    auto started = second.start();
    QVERIFY(!started);
    QVERIFY2(started.error().message.contains(QStringLiteral("in use by another hive-engine")),
             qPrintable(started.error().message));
    // The first engine is unharmed.
    client::RpcClient local(new client::LocalSocketPeer(m_engine->adminSocketPath()));
    QVERIFY(local.openAndWait(Timeout));
    QVERIFY(local.callAndWait<EngineInfoMethod>(EngineInfoParams{}, Timeout));
}

void TestApiServer::shutdownAnnouncesAndFlushes()
{
    auto client = connectRemote(createToken(QStringLiteral("v"), Role::Viewer));
    QStringList kinds;
    connect(client.get(), &client::RpcClient::notificationReceived, this,
            [&kinds](const QString &, const QJsonObject &params) {
                kinds << params.value(QStringLiteral("kind")).toString();
            });
    QSignalSpy closed(client.get(), &client::RpcClient::closed);
    QVERIFY(client->callAndWait<EventsSubscribeMethod>(EventsSubscribeParams{}, Timeout));
    bool done = false;
    m_engine->shutdown(std::chrono::seconds(5), [&done] { done = true; });
    QVERIFY(QTest::qWaitFor([&] { return done; }, Timeout));
    QVERIFY(!m_engine->isRunning());
    // The last event reached the client before its connection closed.
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, Timeout);
    QCOMPARE(kinds, QStringList{QStringLiteral("engine_stopping")});
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("state/run/admin.sock"))));
}

void TestApiServer::connectionLimitRepliesAndSparesAdminSocket()
{
    restartWith([](EngineConfig &config) { config.maxConnections = 2; });
    RawClient first(m_engine->tlsPort());
    RawClient second(m_engine->tlsPort());
    QVERIFY(first.waitConnected() && second.waitConnected());
    QTRY_COMPARE_WITH_TIMEOUT(m_engine->facts().listen.isEmpty(), false, Timeout);
    RawClient third(m_engine->tlsPort());
    QVERIFY(QTest::qWaitFor([&] { return !third.frames().isEmpty(); }, Timeout));
    QCOMPARE(errorCode(third.frames().first()), -32008);
    QVERIFY(third.waitClosed());
    // Remote clients cannot lock the owner out: the admin socket still answers.
    client::RpcClient local(new client::LocalSocketPeer(m_engine->adminSocketPath()));
    QVERIFY(local.openAndWait(Timeout));
    QVERIFY(local.callAndWait<EngineInfoMethod>(EngineInfoParams{}, Timeout));
}

void TestApiServer::malformedHelloCountsAsFailed()
{
    RawClient raw(m_engine->tlsPort());
    QVERIFY(raw.waitConnected());
    QCOMPARE(errorCode(raw.call(QStringLiteral("hello"), {{QStringLiteral("token"), QStringLiteral("x")}})), -32602);
    QCOMPARE(raw.socket().state(), QAbstractSocket::ConnectedState);
    QCOMPARE(errorCode(raw.call(QStringLiteral("hello"), {}, 2)), -32602);
    QVERIFY(raw.waitClosed());
}

QTEST_GUILESS_MAIN(TestApiServer)
#include "tst_apiserver.moc"
