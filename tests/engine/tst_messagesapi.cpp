// SPDX-License-Identifier: MIT
// The operator's side of the broker end to end inside one process: a real Engine on a temporary
// state dir, driven over the admin socket (implicit admin) and over wss with role-limited tokens:
// agent_add / agent_list / agent_set_recipients, message_send / message_list, their audit rows
// and their events.
#include "agents/agentsockets.h"
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "broker/questions.h"
#include "broker/reminders.h"
#include "engine.h"
#include "engineclients.h"
#include "fakeclock.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "protocol/methods.h"
#include "protocol/version.h"
#include "rpcclient.h"
#include "store/auditlog.h"
#include "store/eventlog.h"
#include "store/tokenstore.h"
#include "verify.h"
#include "websocketpeer.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;

namespace {

constexpr int Timeout = 10000;

} // namespace

class TestMessagesApi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void agentAddCreatesRowStateDirAndSocket();
    void agentAddRefusals_data();
    void agentAddRefusals();
    void agentListShowsInboxCounts();
    void setRecipientsValidatesAndApplies();
    void messageSendToAgentBroadcastAndUnknown();
    void messageListInboxAndPaging();
    void messageListOfAnAgent();
    void messageListParamsAreChecked_data();
    void messageListParamsAreChecked();
    void viewerReadsButCannotSend();
    void messageSendIsAudited();
    void eventsReachSubscribers();
    void threadsByRole();

private:
    std::unique_ptr<client::RpcClient> connectAdmin();
    std::unique_ptr<client::RpcClient> connectRemote(Role role);
    std::unique_ptr<client::RpcClient> connectAgent(const QString &agent);
    void addAgents(client::RpcClient &client, const QStringList &names);
    QList<AuditEntry> auditRows(const QString &method);

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<client::RpcClient> m_admin;
};

void TestMessagesApi::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    EngineConfig config = EngineConfig::defaults();
    config.containerBackend = QStringLiteral("none");
    config.stateDir = m_dir->filePath(QStringLiteral("state"));
    config.listenHost = QStringLiteral("127.0.0.1");
    config.listenPort = 0;
    config.eventHistory = 100;
    config.maxFrameBytes = qint64(256) * 1024; // room for a body over the 64 KiB cap
    config.helloTimeoutSeconds = 2;
    m_engine = std::make_unique<Engine>(config, m_clock);
    auto started = m_engine->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    QVERIFY(m_engine->tlsPort() > 0);
    m_admin = connectAdmin();
    QVERIFY(m_admin->isOpen());
}

void TestMessagesApi::cleanup()
{
    m_admin.reset();
    m_engine.reset();
    m_dir.reset();
}

std::unique_ptr<client::RpcClient> TestMessagesApi::connectAdmin()
{
    return test::connectAdmin(*m_engine);
}

std::unique_ptr<client::RpcClient> TestMessagesApi::connectRemote(Role role)
{
    return test::connectRemote(*m_engine, role);
}

std::unique_ptr<client::RpcClient> TestMessagesApi::connectAgent(const QString &agent)
{
    auto client =
        std::make_unique<client::RpcClient>(new client::LocalSocketPeer(m_engine->agentSockets().socketPath(agent)));
    if (!client->openAndWait(Timeout))
        qWarning("cannot connect to %s's socket", qPrintable(agent));
    return client;
}

void TestMessagesApi::addAgents(client::RpcClient &client, const QStringList &names)
{
    for (const QString &name : names) {
        auto added = client.callAndWait<AgentAddMethod>(AgentAddParams{name}, Timeout);
        QVERIFY2(added, added ? "" : qPrintable(test::describe(added.error())));
    }
}

QList<AuditEntry> TestMessagesApi::auditRows(const QString &method)
{
    auto rows = m_engine->audit().list(AuditListParams{1000, {}, {}, method});
    return rows ? rows->entries : QList<AuditEntry>{};
}

void TestMessagesApi::agentAddCreatesRowStateDirAndSocket()
{
    auto added = m_admin->callAndWait<AgentAddMethod>(AgentAddParams{QStringLiteral("alice")}, Timeout);
    VERIFY_OK(added);
    QCOMPARE(added->agent.name, QStringLiteral("alice"));
    QCOMPARE(added->agent.kind, QStringLiteral("agent"));
    QVERIFY(added->agent.allowedRecipients.isEmpty());
    QCOMPARE(added->agent.createdAt, m_clock.now());
    QCOMPARE(added->agent.unread, 0);
    QCOMPARE(added->socketPath, m_engine->agentSockets().socketPath(QStringLiteral("alice")));

    // The row...
    auto row = m_engine->agents().find(QStringLiteral("alice"));
    QVERIFY(row && *row);
    QCOMPARE((*row)->kind, QStringLiteral("agent"));

    // ... the private state dir ...
    const QFileInfo state(m_dir->filePath(QStringLiteral("state/agents/alice/state")));
    QVERIFY(state.isDir());
    QCOMPARE(state.permissions() & (QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther |
                                    QFile::WriteOther | QFile::ExeOther),
             QFileDevice::Permissions());
    QVERIFY(state.permissions() & QFile::ExeOwner);

    // ... and a socket that already answers as alice.
    QVERIFY(QFileInfo::exists(added->socketPath));
    auto alice = connectAgent(QStringLiteral("alice"));
    auto who = alice->callAndWait<WhoamiMethod>(WhoamiParams{}, Timeout);
    VERIFY_OK(who);
    QCOMPARE(who->name, QStringLiteral("alice"));

    // Audited like every state change, as the admin socket's session.
    const auto rows = auditRows(QStringLiteral("agent_add"));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().result, QStringLiteral("ok"));
    QVERIFY2(rows.first().tokenName.startsWith(QStringLiteral("local")), qPrintable(rows.first().tokenName));
    QCOMPARE(rows.first().params.value(QStringLiteral("name")).toString(), QStringLiteral("alice"));
}

void TestMessagesApi::agentAddRefusals_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("duplicate") << QStringLiteral("alice") << ErrorCode::AlreadyExists << QStringLiteral("exists");
    QTest::newRow("manager") << QStringLiteral("manager") << ErrorCode::InvalidParams << QStringLiteral("reserved");
    QTest::newRow("operator") << QStringLiteral("operator") << ErrorCode::InvalidParams << QStringLiteral("reserved");
    QTest::newRow("system") << QStringLiteral("system") << ErrorCode::InvalidParams << QStringLiteral("reserved");
    QTest::newRow("everyone") << QStringLiteral("*") << ErrorCode::InvalidParams << QStringLiteral("reserved");
    QTest::newRow("empty") << QString() << ErrorCode::InvalidParams << QStringLiteral("invalid agent name");
    QTest::newRow("uppercase") << QStringLiteral("Bob") << ErrorCode::InvalidParams << QStringLiteral("'Bob'");
    QTest::newRow("digit first") << QStringLiteral("9lives") << ErrorCode::InvalidParams
                                 << QStringLiteral("starting with a letter");
    QTest::newRow("too long") << QStringLiteral("abcdefghijklm") << ErrorCode::InvalidParams
                              << QStringLiteral("1-12 characters");
    QTest::newRow("path") << QStringLiteral("a/../b") << ErrorCode::InvalidParams << QStringLiteral("invalid");
}

void TestMessagesApi::agentAddRefusals()
{
    QFETCH(QString, name);
    QFETCH(ErrorCode, code);
    QFETCH(QString, mentions);
    addAgents(*m_admin, {QStringLiteral("alice")});
    const qsizetype before = m_engine->agents().list()->size();

    auto refused = m_admin->callAndWait<AgentAddMethod>(AgentAddParams{name}, Timeout);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, code);
    QVERIFY2(refused.error().message.contains(mentions), qPrintable(refused.error().message));
    QCOMPARE(m_engine->agents().list()->size(), before);

    // The refusal is audited with its kind; the connection goes on.
    const auto rows = auditRows(QStringLiteral("agent_add"));
    QCOMPARE(rows.first().result, errorCodeName(code));
    QVERIFY(m_admin->callAndWait<AgentListMethod>(AgentListParams{}, Timeout));
}

void TestMessagesApi::agentListShowsInboxCounts()
{
    addAgents(*m_admin, {QStringLiteral("bob"), QStringLiteral("alice")});
    for (const char *body : {"one", "two", "three"}) {
        VERIFY_OK(m_admin->callAndWait<MessageSendMethod>(
            MessageSendParams{QStringLiteral("alice"), QString::fromLatin1(body), {}}, Timeout));
    }
    // alice takes one: it is in flight until she acks it.
    auto alice = connectAgent(QStringLiteral("alice"));
    auto got = alice->callAndWait<RecvMethod>(RecvParams{{}, 1}, Timeout);
    VERIFY_OK(got);
    QCOMPARE(got->messages.size(), 1);
    VERIFY_OK(m_admin->callAndWait<AgentSetRecipientsMethod>(
        AgentSetRecipientsParams{QStringLiteral("bob"), {QStringLiteral("alice")}}, Timeout));

    auto listed = m_admin->callAndWait<AgentListMethod>(AgentListParams{}, Timeout);
    VERIFY_OK(listed);
    QStringList names;
    for (const AgentInfo &agent : std::as_const(listed->agents))
        names << agent.name;
    QCOMPARE(names, (QStringList{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("manager")}));
    const AgentInfo &a = listed->agents.at(0);
    QCOMPARE(a.unread, 2);
    QCOMPARE(a.inflight, 1);
    QVERIFY(a.allowedRecipients.isEmpty());
    const AgentInfo &b = listed->agents.at(1);
    QCOMPARE(b.unread, 1); // the system notice of its new allow-list
    QCOMPARE(b.inflight, 0);
    QCOMPARE(b.allowedRecipients, QStringList{QStringLiteral("alice")});
    const AgentInfo &manager = listed->agents.at(2);
    QCOMPARE(manager.kind, QStringLiteral("manager"));

    // Reading is not auditable.
    QVERIFY(auditRows(QStringLiteral("agent_list")).isEmpty());
}

void TestMessagesApi::setRecipientsValidatesAndApplies()
{
    addAgents(*m_admin, {QStringLiteral("alice"), QStringLiteral("bob")});
    auto set = m_admin->callAndWait<AgentSetRecipientsMethod>(
        AgentSetRecipientsParams{QStringLiteral("alice"),
                                 {QStringLiteral("bob"), QStringLiteral("operator"), QStringLiteral("bob")}},
        Timeout);
    VERIFY_OK(set);
    QCOMPARE(set->agent.name, QStringLiteral("alice"));
    QCOMPARE(set->agent.allowedRecipients, (QStringList{QStringLiteral("bob"), QStringLiteral("operator")}));

    // Bad entries change nothing.
    for (const QStringList &bad :
         {QStringList{QStringLiteral("carol")}, QStringList{QStringLiteral("bob"), QStringLiteral("system")},
          QStringList{QString()}}) {
        auto refused = m_admin->callAndWait<AgentSetRecipientsMethod>(
            AgentSetRecipientsParams{QStringLiteral("alice"), bad}, Timeout);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::InvalidParams);
        QVERIFY2(refused.error().message.contains(QStringLiteral("is not an agent")),
                 qPrintable(refused.error().message));
    }
    QCOMPARE((*m_engine->agents().find(QStringLiteral("alice")))->allowedRecipients,
             (QStringList{QStringLiteral("bob"), QStringLiteral("operator")}));

    auto unknown = m_admin->callAndWait<AgentSetRecipientsMethod>(
        AgentSetRecipientsParams{QStringLiteral("carol"), {QStringLiteral("bob")}}, Timeout);
    QCOMPARE(unknown.error().code, ErrorCode::NotFound);
    auto manager = m_admin->callAndWait<AgentSetRecipientsMethod>(
        AgentSetRecipientsParams{QStringLiteral("manager"), {QStringLiteral("bob")}}, Timeout);
    QCOMPARE(manager.error().code, ErrorCode::InvalidParams);
    QVERIFY2(manager.error().message.contains(QStringLiteral("manager")), qPrintable(manager.error().message));

    // The broker applies the list to alice's own sends; the manager stays reachable.
    VERIFY_OK(m_admin->callAndWait<AgentSetRecipientsMethod>(
        AgentSetRecipientsParams{QStringLiteral("alice"), {QStringLiteral("bob")}}, Timeout));
    auto alice = connectAgent(QStringLiteral("alice"));
    VERIFY_OK(alice->callAndWait<SendMethod>(SendParams{QStringLiteral("bob"), QStringLiteral("hi"), {}}, Timeout));
    VERIFY_OK(alice->callAndWait<SendMethod>(SendParams{QStringLiteral("manager"), QStringLiteral("hi"), {}}, Timeout));
    auto blocked =
        alice->callAndWait<SendMethod>(SendParams{QStringLiteral("operator"), QStringLiteral("hi"), {}}, Timeout);
    QCOMPARE(blocked.error().code, ErrorCode::Forbidden);

    // [] lifts the restriction.
    auto lifted =
        m_admin->callAndWait<AgentSetRecipientsMethod>(AgentSetRecipientsParams{QStringLiteral("alice"), {}}, Timeout);
    VERIFY_OK(lifted);
    QVERIFY(lifted->agent.allowedRecipients.isEmpty());
    VERIFY_OK(
        alice->callAndWait<SendMethod>(SendParams{QStringLiteral("operator"), QStringLiteral("hi"), {}}, Timeout));

    // Every call is audited, the refused ones with their kind.
    QStringList results;
    for (const AuditEntry &row : auditRows(QStringLiteral("agent_set_recipients")))
        results.prepend(row.result);
    QCOMPARE(results,
             (QStringList{QStringLiteral("ok"), QStringLiteral("invalid_params"), QStringLiteral("invalid_params"),
                          QStringLiteral("invalid_params"), QStringLiteral("not_found"),
                          QStringLiteral("invalid_params"), QStringLiteral("ok"), QStringLiteral("ok")}));
}

void TestMessagesApi::messageSendToAgentBroadcastAndUnknown()
{
    addAgents(*m_admin, {QStringLiteral("alice"), QStringLiteral("bob")});

    auto sent = m_admin->callAndWait<MessageSendMethod>(
        MessageSendParams{QStringLiteral("alice"), QStringLiteral("please rebase"), {}}, Timeout);
    VERIFY_OK(sent);
    QVERIFY(sent->id > 0);
    QCOMPARE(sent->recipients, 1);

    // alice receives it from "operator", and can answer it.
    auto alice = connectAgent(QStringLiteral("alice"));
    auto got = alice->callAndWait<RecvMethod>(RecvParams{{}, 4}, Timeout);
    VERIFY_OK(got);
    QCOMPARE(got->messages.size(), 1);
    QCOMPARE(got->messages.first().id, sent->id);
    QCOMPARE(got->messages.first().from, QStringLiteral("operator"));
    QCOMPARE(got->messages.first().body, QStringLiteral("please rebase"));

    // The operator replies to a message; a broadcast reaches every agent, the manager included.
    auto reply = m_admin->callAndWait<MessageSendMethod>(
        MessageSendParams{QStringLiteral("alice"), QStringLiteral("thanks"), sent->id}, Timeout);
    VERIFY_OK(reply);
    auto broadcast = m_admin->callAndWait<MessageSendMethod>(
        MessageSendParams{QStringLiteral("*"), QStringLiteral("freeze at six"), {}}, Timeout);
    VERIFY_OK(broadcast);
    QCOMPARE(broadcast->recipients, 3);
    // The manager also holds the system notices of the two agents added.
    QCOMPARE(m_engine->broker().status(QStringLiteral("alice"))->unread, 2);
    QCOMPARE(m_engine->broker().status(QStringLiteral("bob"))->unread, 1);
    QCOMPARE(m_engine->broker().status(QStringLiteral("manager"))->unread, 3);

    struct Refusal {
        MessageSendParams params;
        ErrorCode code;
        QString mentions;
    };
    const QList<Refusal> refusals{
        {{QStringLiteral("carol"), QStringLiteral("hi"), {}}, ErrorCode::NotFound, QStringLiteral("'carol'")},
        {{QStringLiteral("operator"), QStringLiteral("hi"), {}}, ErrorCode::InvalidParams, QStringLiteral("itself")},
        {{QStringLiteral("system"), QStringLiteral("hi"), {}}, ErrorCode::InvalidParams, QStringLiteral("reserved")},
        {{QStringLiteral("alice"), QString(), {}}, ErrorCode::InvalidParams, QStringLiteral("body")},
        {{QStringLiteral("alice"), QStringLiteral("hi"), 999999}, ErrorCode::NotFound, QStringLiteral("999999")},
        {{QStringLiteral("alice"), QString(64 * 1024 + 1, QLatin1Char('x')), {}},
         ErrorCode::TooLarge,
         QStringLiteral("65536")},
    };
    const qint64 total = m_engine->broker().recent(QStringLiteral("alice"), 200)->messages.size();
    for (const Refusal &refusal : refusals) {
        auto refused = m_admin->callAndWait<MessageSendMethod>(refusal.params, Timeout);
        QVERIFY2(!refused, qPrintable(refusal.params.to));
        QCOMPARE(refused.error().code, refusal.code);
        QVERIFY2(refused.error().message.contains(refusal.mentions), qPrintable(refused.error().message));
    }
    QCOMPARE(qint64(m_engine->broker().recent(QStringLiteral("alice"), 200)->messages.size()), total);
}

void TestMessagesApi::messageListInboxAndPaging()
{
    addAgents(*m_admin, {QStringLiteral("alice"), QStringLiteral("bob")});
    // Five messages to the operator, one between agents, one from the operator: only the five
    // are the operator's inbox.
    QList<qint64> inbox;
    for (int i = 1; i <= 5; ++i) {
        m_clock.advance(1000);
        const QString from = i % 2 ? QStringLiteral("alice") : QStringLiteral("bob");
        auto sent =
            m_engine->broker().send(from, SendParams{QStringLiteral("operator"), QStringLiteral("m%1").arg(i), {}});
        VERIFY_OK(sent);
        inbox.prepend(sent->id);
        if (i == 2) {
            VERIFY_OK(m_engine->broker().send(QStringLiteral("alice"),
                                              SendParams{QStringLiteral("bob"), QStringLiteral("psst"), {}}));
            VERIFY_OK(m_admin->callAndWait<MessageSendMethod>(
                MessageSendParams{QStringLiteral("bob"), QStringLiteral("hello bob"), {}}, Timeout));
        }
    }

    QList<qint64> seen;
    std::optional<qint64> before;
    QList<bool> hasMore;
    do {
        auto page = m_admin->callAndWait<MessageListMethod>(MessageListParams{{}, 2, before}, Timeout);
        VERIFY_OK(page);
        QVERIFY(!page->messages.isEmpty());
        for (const Message &message : std::as_const(page->messages)) {
            QCOMPARE(message.to, QStringLiteral("operator"));
            seen << message.id;
        }
        hasMore << page->hasMore;
        before = page->messages.constLast().id;
    } while (hasMore.constLast());
    QCOMPARE(seen, inbox); // newest first, each once
    QCOMPARE(hasMore, (QList<bool>{true, true, false}));

    // The newest message whole: body, sender, time.
    auto newest = m_admin->callAndWait<MessageListMethod>(MessageListParams{{}, 1, {}}, Timeout);
    VERIFY_OK(newest);
    QCOMPARE(newest->messages.first().body, QStringLiteral("m5"));
    QCOMPARE(newest->messages.first().from, QStringLiteral("alice"));
    QCOMPARE(newest->messages.first().sentAt, m_clock.now());

    // A page exactly as long as what is left says there is no more.
    auto exact = m_admin->callAndWait<MessageListMethod>(MessageListParams{{}, 5, {}}, Timeout);
    VERIFY_OK(exact);
    QCOMPARE(exact->messages.size(), 5);
    QVERIFY(!exact->hasMore);

    // Reading is not receiving: the agents' queues are untouched.
    QCOMPARE(m_engine->broker().status(QStringLiteral("bob"))->unread, 2);
}

void TestMessagesApi::messageListOfAnAgent()
{
    addAgents(*m_admin, {QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carl")});
    QList<qint64> aliceTraffic;
    auto add = [&](const QString &from, const QString &to, bool alice) {
        auto sent = m_engine->broker().send(from, SendParams{to, QStringLiteral("%1 to %2").arg(from, to), {}});
        QVERIFY(sent);
        if (alice)
            aliceTraffic.prepend(sent->id);
    };
    add(QStringLiteral("alice"), QStringLiteral("bob"), true);
    add(QStringLiteral("bob"), QStringLiteral("carl"), false);
    add(QStringLiteral("bob"), QStringLiteral("alice"), true);
    add(QStringLiteral("operator"), QStringLiteral("alice"), true);
    add(QStringLiteral("carl"), QStringLiteral("operator"), false);
    add(QStringLiteral("alice"), QStringLiteral("operator"), true);

    auto all = m_admin->callAndWait<MessageListMethod>(MessageListParams{QStringLiteral("alice"), 50, {}}, Timeout);
    VERIFY_OK(all);
    QList<qint64> ids;
    for (const Message &message : std::as_const(all->messages)) {
        QVERIFY(message.from == QLatin1String("alice") || message.to == QLatin1String("alice"));
        ids << message.id;
    }
    QCOMPARE(ids, aliceTraffic);
    QVERIFY(!all->hasMore);

    auto older = m_admin->callAndWait<MessageListMethod>(
        MessageListParams{QStringLiteral("alice"), 2, aliceTraffic.at(1)}, Timeout);
    VERIFY_OK(older);
    QCOMPARE(older->messages.size(), 2);
    QCOMPARE(older->messages.at(0).id, aliceTraffic.at(2));
    QCOMPARE(older->messages.at(1).id, aliceTraffic.at(3));
    QVERIFY(!older->hasMore);

    // "operator" as the agent: what the operator sent as well as received.
    auto operatorTraffic =
        m_admin->callAndWait<MessageListMethod>(MessageListParams{QStringLiteral("operator"), 50, {}}, Timeout);
    VERIFY_OK(operatorTraffic);
    QCOMPARE(operatorTraffic->messages.size(), 3);

    auto unknown = m_admin->callAndWait<MessageListMethod>(MessageListParams{QStringLiteral("zed"), 50, {}}, Timeout);
    QCOMPARE(unknown.error().code, ErrorCode::NotFound);
    QVERIFY2(unknown.error().message.contains(QStringLiteral("'zed'")), qPrintable(unknown.error().message));
}

void TestMessagesApi::messageListParamsAreChecked_data()
{
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("limit 0") << QJsonObject{{QStringLiteral("limit"), 0}} << QStringLiteral("between 1 and 500");
    QTest::newRow("limit 501") << QJsonObject{{QStringLiteral("limit"), 501}} << QStringLiteral("got 501");
    QTest::newRow("before 0") << QJsonObject{{QStringLiteral("before_id"), 0}} << QStringLiteral("before_id");
    QTest::newRow("before negative") << QJsonObject{{QStringLiteral("before_id"), -4}} << QStringLiteral("-4");
    QTest::newRow("empty agent") << QJsonObject{{QStringLiteral("agent"), QString()}} << QStringLiteral("agent");
    QTest::newRow("mistyped agent") << QJsonObject{{QStringLiteral("agent"), 7}} << QStringLiteral("string");
    QTest::newRow("unknown field") << QJsonObject{{QStringLiteral("since"), 7}} << QStringLiteral("'since'");
}

void TestMessagesApi::messageListParamsAreChecked()
{
    QFETCH(QJsonObject, params);
    QFETCH(QString, mentions);
    auto refused = m_admin->callAndWait(QStringLiteral("message_list"), params, Timeout);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::InvalidParams);
    QVERIFY2(refused.error().message.contains(mentions), qPrintable(refused.error().message));
}

void TestMessagesApi::viewerReadsButCannotSend()
{
    addAgents(*m_admin, {QStringLiteral("alice")});
    VERIFY_OK(m_engine->broker().send(QStringLiteral("alice"),
                                      SendParams{QStringLiteral("operator"), QStringLiteral("done"), {}}));
    auto viewer = connectRemote(Role::Viewer);
    QVERIFY(viewer->isOpen());

    auto agents = viewer->callAndWait<AgentListMethod>(AgentListParams{}, Timeout);
    VERIFY_OK(agents);
    QCOMPARE(agents->agents.size(), 2);
    auto inbox = viewer->callAndWait<MessageListMethod>(MessageListParams{}, Timeout);
    VERIFY_OK(inbox);
    QCOMPARE(inbox->messages.size(), 1);

    auto send = viewer->callAndWait<MessageSendMethod>(
        MessageSendParams{QStringLiteral("alice"), QStringLiteral("sneaky"), {}}, Timeout);
    QCOMPARE(send.error().code, ErrorCode::Forbidden);
    QVERIFY2(send.error().message.contains(QStringLiteral("operator")), qPrintable(send.error().message));
    auto add = viewer->callAndWait<AgentAddMethod>(AgentAddParams{QStringLiteral("bob")}, Timeout);
    QCOMPARE(add.error().code, ErrorCode::Forbidden);
    auto set = viewer->callAndWait<AgentSetRecipientsMethod>(
        AgentSetRecipientsParams{QStringLiteral("alice"), {QStringLiteral("operator")}}, Timeout);
    QCOMPARE(set.error().code, ErrorCode::Forbidden);
    QCOMPARE(m_engine->broker().status(QStringLiteral("alice"))->unread, 0);
    QVERIFY(!*m_engine->agents().find(QStringLiteral("bob")));

    // Each refusal is in the audit log under the viewer's token.
    for (const char *method : {"message_send", "agent_add", "agent_set_recipients"}) {
        const auto rows = auditRows(QString::fromLatin1(method));
        QVERIFY2(!rows.isEmpty(), method);
        QCOMPARE(rows.first().tokenName, QStringLiteral("viewer-token"));
        QCOMPARE(rows.first().role, QStringLiteral("viewer"));
        QCOMPARE(rows.first().result, QStringLiteral("forbidden"));
    }

    // An operator may send and set recipients, but not register agents.
    auto operatorClient = connectRemote(Role::Operator);
    VERIFY_OK(operatorClient->callAndWait<MessageSendMethod>(
        MessageSendParams{QStringLiteral("alice"), QStringLiteral("go"), {}}, Timeout));
    VERIFY_OK(operatorClient->callAndWait<AgentSetRecipientsMethod>(
        AgentSetRecipientsParams{QStringLiteral("alice"), {QStringLiteral("operator")}}, Timeout));
    auto operatorAdd = operatorClient->callAndWait<AgentAddMethod>(AgentAddParams{QStringLiteral("bob")}, Timeout);
    QCOMPARE(operatorAdd.error().code, ErrorCode::Forbidden);
    QVERIFY(m_engine->audit().verify()->ok);
}

void TestMessagesApi::messageSendIsAudited()
{
    addAgents(*m_admin, {QStringLiteral("alice")});
    auto operatorClient = connectRemote(Role::Operator);
    const QString longBody = QString(300, QLatin1Char('y'));
    VERIFY_OK(operatorClient->callAndWait<MessageSendMethod>(MessageSendParams{QStringLiteral("alice"), longBody, {}},
                                                             Timeout));
    auto refused = operatorClient->callAndWait<MessageSendMethod>(
        MessageSendParams{QStringLiteral("nobody"), QStringLiteral("hi"), {}}, Timeout);
    QCOMPARE(refused.error().code, ErrorCode::NotFound);

    const auto rows = auditRows(QStringLiteral("message_send"));
    QCOMPARE(rows.size(), 2);
    const AuditEntry &ok = rows.at(1);
    QCOMPARE(ok.result, QStringLiteral("ok"));
    QCOMPARE(ok.tokenName, QStringLiteral("operator-token"));
    QCOMPARE(ok.role, QStringLiteral("operator"));
    QCOMPARE(ok.params.value(QStringLiteral("to")).toString(), QStringLiteral("alice"));
    // The body is summarised like any long string, never stored whole in the log.
    QCOMPARE(ok.params.value(QStringLiteral("body")).toString(), longBody.left(256) + QChar(0x2026));
    QCOMPARE(rows.at(0).result, QStringLiteral("not_found"));
    QVERIFY(m_engine->audit().verify()->ok);

    // Reads are not audited.
    VERIFY_OK(operatorClient->callAndWait<MessageListMethod>(MessageListParams{}, Timeout));
    QVERIFY(auditRows(QStringLiteral("message_list")).isEmpty());
}

void TestMessagesApi::eventsReachSubscribers()
{
    auto listener = connectRemote(Role::Viewer);
    QList<Event> received;
    connect(listener.get(), &client::RpcClient::notificationReceived, this,
            [&received](const QString &method, const QJsonObject &params) {
                if (method == QLatin1String(EventNotification))
                    received.append(*Event::fromJson(params));
            });
    VERIFY_OK(listener->callAndWait<EventsSubscribeMethod>(EventsSubscribeParams{}, Timeout));

    addAgents(*m_admin, {QStringLiteral("alice"), QStringLiteral("bob")});
    VERIFY_OK(m_admin->callAndWait<AgentSetRecipientsMethod>(
        AgentSetRecipientsParams{QStringLiteral("alice"), {QStringLiteral("bob")}}, Timeout));
    auto sent = m_admin->callAndWait<MessageSendMethod>(
        MessageSendParams{QStringLiteral("alice"), QStringLiteral("ping"), {}}, Timeout);
    VERIFY_OK(sent);
    auto alice = connectAgent(QStringLiteral("alice"));
    auto answer =
        alice->callAndWait<SendMethod>(SendParams{QStringLiteral("bob"), QStringLiteral("pong"), sent->id}, Timeout);
    VERIFY_OK(answer);

    // Every change is an event; system notices to agents are messages too (from "system").
    QVERIFY(QTest::qWaitFor([&] { return received.size() >= 9; }, Timeout));
    QStringList kinds;
    QStringList notices;
    QList<Event> changes;
    for (const Event &event : std::as_const(received)) {
        kinds << event.kind;
        if (event.kind == QLatin1String("message_sent") &&
            event.data.value(QStringLiteral("from")).toString() == QLatin1String("system")) {
            notices << event.data.value(QStringLiteral("to")).toString() + QLatin1Char(':') +
                           QJsonDocument::fromJson(event.data.value(QStringLiteral("body")).toString().toUtf8())
                               .object()
                               .value(QStringLiteral("event"))
                               .toString();
        } else if (event.kind != QLatin1String("agent_connected")) {
            changes << event;
        }
    }
    QCOMPARE(kinds,
             (QStringList{QStringLiteral("agent_added"), QStringLiteral("message_sent"), QStringLiteral("agent_added"),
                          QStringLiteral("message_sent"), QStringLiteral("agent_updated"),
                          QStringLiteral("message_sent"), QStringLiteral("message_sent"),
                          QStringLiteral("agent_connected"), QStringLiteral("message_sent")}));
    QCOMPARE(notices, (QStringList{QStringLiteral("manager:agent_added"), QStringLiteral("manager:agent_added"),
                                   QStringLiteral("alice:allowed_recipients_changed")}));
    for (qsizetype i = 1; i < received.size(); ++i)
        QCOMPARE(received.at(i).seq, received.at(i - 1).seq + 1);
    received = changes;
    QCOMPARE(received.at(0).data.value(QStringLiteral("name")).toString(), QStringLiteral("alice"));
    QCOMPARE(received.at(1).data.value(QStringLiteral("name")).toString(), QStringLiteral("bob"));
    QCOMPARE(received.at(2).data,
             (QJsonObject{{QStringLiteral("name"), QStringLiteral("alice")},
                          {QStringLiteral("allowed_recipients"), QJsonArray{QStringLiteral("bob")}}}));

    // message_sent carries the message as message_list shows it.
    auto operatorMessage = Message::fromJson(received.at(3).data);
    VERIFY_OK(operatorMessage);
    QCOMPARE(operatorMessage->id, sent->id);
    QCOMPARE(operatorMessage->from, QStringLiteral("operator"));
    QCOMPARE(operatorMessage->to, QStringLiteral("alice"));
    auto listed = m_admin->callAndWait<MessageListMethod>(MessageListParams{QStringLiteral("alice"), 2, {}}, Timeout);
    VERIFY_OK(listed);
    QCOMPARE(listed->messages.at(1), *operatorMessage);
    auto agentMessage = Message::fromJson(received.at(4).data);
    VERIFY_OK(agentMessage);
    QCOMPARE(*agentMessage, listed->messages.at(0));
    QCOMPARE(agentMessage->inReplyTo, sent->id);
}

void TestMessagesApi::threadsByRole()
{
    addAgents(*m_admin, {QStringLiteral("alice")});
    auto asked = m_engine->questions().ask(
        QStringLiteral("alice"), AskParams{QStringLiteral("ship?"), {}, false, 600, QStringLiteral("operator")});
    VERIFY_OK(asked);
    auto reminder =
        m_engine->reminders().remind(QStringLiteral("alice"), RemindParams{QStringLiteral("r"), 600, std::nullopt});
    VERIFY_OK(reminder);

    // A viewer sees the questions, reminders and threads, but answers, cancels and retries nothing.
    auto viewer = connectRemote(Role::Viewer);
    auto questions = viewer->callAndWait<QuestionListMethod>(QuestionListParams{}, Timeout);
    VERIFY_OK(questions);
    QCOMPARE(questions->questions.size(), 1);
    VERIFY_OK(viewer->callAndWait<ReminderListMethod>(ReminderListParams{}, Timeout));
    auto threads = viewer->callAndWait<ThreadListMethod>(ThreadListParams{}, Timeout);
    VERIFY_OK(threads);
    QCOMPARE(threads->questions.size(), 1);
    QCOMPARE(threads->reminders.size(), 1);
    QCOMPARE(viewer->callAndWait<QuestionAnswerMethod>(QuestionAnswerParams{asked->id, QStringLiteral("no")}, Timeout)
                 .error()
                 .code,
             ErrorCode::Forbidden);
    QCOMPARE(viewer->callAndWait<QuestionCancelMethod>(QuestionCancelParams{asked->id}, Timeout).error().code,
             ErrorCode::Forbidden);
    QCOMPARE(viewer->callAndWait<ReminderCancelMethod>(ReminderCancelParams{reminder->id}, Timeout).error().code,
             ErrorCode::Forbidden);
    QCOMPARE(viewer->callAndWait<ReminderRetryMethod>(ReminderRetryParams{reminder->id}, Timeout).error().code,
             ErrorCode::Forbidden);
    QCOMPARE(m_engine->questions().get(asked->id)->state, QStringLiteral("open"));

    // An operator answers; the answer is audited under its token, reads are not.
    auto operatorClient = connectRemote(Role::Operator);
    auto answered = operatorClient->callAndWait<QuestionAnswerMethod>(
        QuestionAnswerParams{asked->id, QStringLiteral("yes")}, Timeout);
    VERIFY_OK(answered);
    QCOMPARE(answered->answeredBy, QStringLiteral("operator"));
    const auto rows = auditRows(QStringLiteral("question_answer"));
    QCOMPARE(rows.size(), 2); // newest first
    QCOMPARE(rows.at(0).tokenName, QStringLiteral("operator-token"));
    QCOMPARE(rows.at(0).result, QStringLiteral("ok"));
    QCOMPARE(rows.at(1).result, QStringLiteral("forbidden"));
    QVERIFY(auditRows(QStringLiteral("question_list")).isEmpty());
    VERIFY_OK(operatorClient->callAndWait<ReminderCancelMethod>(ReminderCancelParams{reminder->id}, Timeout));
}

QTEST_GUILESS_MAIN(TestMessagesApi)
#include "tst_messagesapi.moc"
