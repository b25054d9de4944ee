// SPDX-License-Identifier: MIT
// The broker against a real SQLite file: lease delivery, long-poll wake-ups, allow-lists,
// broadcast, bad input.
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "fakeclock.h"
#include "store/database.h"
#include "store/migrator.h"
#include "store/transaction.h"
#include "verify.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;

namespace {

SendParams to(const QString &recipient, const QString &body, std::optional<qint64> inReplyTo = std::nullopt)
{
    return SendParams{recipient, body, inReplyTo};
}

RecvParams peek(int max = 1)
{
    return RecvParams{std::nullopt, max};
}

} // namespace

class TestBroker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void agentNames_data();
    void agentNames();
    void sendThenPeekLeasesTheMessage();
    void maxAndPending();
    void requeueRedeliversAndAckFinishes();
    void longPollWakesAtOnce();
    void longPollTimesOutEmpty();
    void goneClientDropsItsWait();
    void broadcastCopiesToEveryOtherAgent();
    void allowListRestrictsButManagerIsAlwaysReachable();
    void registryCopyFollowsWritesAndRollbacks();
    void badSends_data();
    void badSends();
    void recentAndVacuum();
    void sendIsDurableAcrossReopen();

private:
    Result<RecvResult> recvNow(const QString &agent, const RecvParams &params);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    test::FakeClock m_clock;
    std::unique_ptr<AgentRegistry> m_agents;
    std::unique_ptr<Broker> m_broker;
};

void TestBroker::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    auto db = Database::open(m_dir->filePath(QStringLiteral("engine.db")));
    QVERIFY(db);
    m_db = std::move(*db);
    QVERIFY(Migrator::migrate(*m_db));
    m_agents = std::make_unique<AgentRegistry>(*m_db, m_clock);
    QVERIFY(m_agents->ensureManager());
    for (const char *name : {"alice", "bob", "carol"})
        QVERIFY(m_agents->add(QString::fromLatin1(name)));
    m_broker = std::make_unique<Broker>(*m_db, *m_agents, m_clock, BrokerOptions{1024, 180});
}

void TestBroker::cleanup()
{
    m_broker.reset();
    m_agents.reset();
    m_db.reset();
    m_dir.reset();
}

Result<RecvResult> TestBroker::recvNow(const QString &agent, const RecvParams &params)
{
    std::optional<Result<RecvResult>> out;
    m_broker->recv(agent, params, nullptr, [&out](const Result<RecvResult> &result) { out = result; });
    if (!out)
        return fail(ErrorCode::Internal, QStringLiteral("recv did not answer at once"));
    return *out;
}

void TestBroker::agentNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("simple") << QStringLiteral("dave") << true;
    QTest::newRow("digits and dash") << QStringLiteral("w2-x") << true;
    QTest::newRow("12 chars") << QStringLiteral("abcdefghijkl") << true;
    QTest::newRow("13 chars") << QStringLiteral("abcdefghijklm") << false;
    QTest::newRow("uppercase") << QStringLiteral("Dave") << false;
    QTest::newRow("leading digit") << QStringLiteral("1x") << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("operator") << QStringLiteral("operator") << false;
    QTest::newRow("system") << QStringLiteral("system") << false;
    QTest::newRow("manager") << QStringLiteral("manager") << false;
    QTest::newRow("star") << QStringLiteral("*") << false;
}

void TestBroker::agentNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    auto added = m_agents->add(name);
    QCOMPARE(added.has_value(), valid);
    if (!valid)
        QCOMPARE(added.error().code, ErrorCode::InvalidParams);
    QCOMPARE(m_agents->add(QStringLiteral("alice")).error().code, ErrorCode::AlreadyExists);
}

void TestBroker::sendThenPeekLeasesTheMessage()
{
    QSignalSpy sent(m_broker.get(), &Broker::messageSent);
    auto id = m_broker->send(QStringLiteral("alice"), to(QStringLiteral("bob"), QStringLiteral("hi bob")));
    QVERIFY2(id, id ? "" : qPrintable(id.error().message));
    QCOMPARE(id->recipients, 1);
    QCOMPARE(sent.size(), 1);
    QCOMPARE(m_broker->status(QStringLiteral("bob"))->unread, 1);

    auto got = recvNow(QStringLiteral("bob"), peek());
    QVERIFY(got);
    QCOMPARE(got->messages.size(), 1);
    const Message &message = got->messages.first();
    QCOMPARE(message.id, id->id);
    QCOMPARE(message.from, QStringLiteral("alice"));
    QCOMPARE(message.to, QStringLiteral("bob"));
    QCOMPARE(message.body, QStringLiteral("hi bob"));
    QCOMPARE(message.sentAt, m_clock.now());
    QVERIFY(!message.broadcast && !message.redelivered);
    QCOMPARE(got->pending, 0);
    QCOMPARE(recvNow(QStringLiteral("bob"), peek())->messages.size(), 0); // leased, not handed out twice
    QCOMPARE(m_broker->status(QStringLiteral("bob"))->inflight, 1);
    QCOMPARE(recvNow(QStringLiteral("alice"), peek())->messages.size(), 0);
}

void TestBroker::maxAndPending()
{
    for (int i = 0; i < 5; ++i)
        QVERIFY(m_broker->send(QStringLiteral("alice"), to(QStringLiteral("bob"), QString::number(i))));
    auto first = recvNow(QStringLiteral("bob"), peek(2));
    QCOMPARE(first->messages.size(), 2);
    QCOMPARE(first->messages.at(0).body, QStringLiteral("0")); // oldest first
    QCOMPARE(first->pending, 3);
    auto rest = recvNow(QStringLiteral("bob"), peek(32));
    QCOMPARE(rest->messages.size(), 3);
    QCOMPARE(rest->pending, 0);
}

void TestBroker::requeueRedeliversAndAckFinishes()
{
    QVERIFY(m_broker->send(QStringLiteral("alice"), to(QStringLiteral("bob"), QStringLiteral("a"))));
    QVERIFY(m_broker->send(QStringLiteral("alice"), to(QStringLiteral("bob"), QStringLiteral("b"))));
    auto got = recvNow(QStringLiteral("bob"), peek(2));
    QCOMPARE(got->messages.size(), 2);

    // The harness died before acking: at its restart both come back, flagged.
    QCOMPARE(m_broker->requeueInflight(QStringLiteral("bob"))->requeued, 2);
    auto again = recvNow(QStringLiteral("bob"), peek(2));
    QCOMPARE(again->messages.size(), 2);
    QVERIFY(again->messages.at(0).redelivered && again->messages.at(1).redelivered);

    // Another agent cannot ack bob's mail.
    QCOMPARE(m_broker->ack(QStringLiteral("carol"), {again->messages.at(0).id})->acked, 0);
    QCOMPARE(m_broker->ack(QStringLiteral("bob"), {again->messages.at(0).id, again->messages.at(1).id, 999})->acked, 2);
    const auto status = m_broker->status(QStringLiteral("bob"));
    QCOMPARE(status->unread, 0);
    QCOMPARE(status->inflight, 0);
    QCOMPARE(m_broker->requeueInflight(QStringLiteral("bob"))->requeued, 0); // acked stays acked
}

void TestBroker::longPollWakesAtOnce()
{
    std::optional<Result<RecvResult>> out;
    QObject client;
    m_broker->recv(QStringLiteral("bob"), RecvParams{30.0, 1}, &client,
                   [&out](const Result<RecvResult> &result) { out = result; });
    QVERIFY(!out);
    QCOMPARE(m_broker->parkedCount(), 1);
    QElapsedTimer timer;
    timer.start();
    QVERIFY(m_broker->send(QStringLiteral("alice"), to(QStringLiteral("bob"), QStringLiteral("wake up"))));
    QVERIFY(out); // woken within the send itself, not by a later poll
    QVERIFY(timer.elapsed() < 1000);
    QCOMPARE((*out)->messages.size(), 1);
    QCOMPARE((*out)->messages.first().body, QStringLiteral("wake up"));
    QCOMPARE(m_broker->parkedCount(), 0);
    QCOMPARE(m_broker->status(QStringLiteral("bob"))->inflight, 1);
}

void TestBroker::longPollTimesOutEmpty()
{
    std::optional<Result<RecvResult>> out;
    QObject client;
    QElapsedTimer timer;
    timer.start();
    m_broker->recv(QStringLiteral("bob"), RecvParams{0.2, 1}, &client,
                   [&out](const Result<RecvResult> &result) { out = result; });
    QVERIFY(QTest::qWaitFor([&] { return out.has_value(); }, 5000));
    QVERIFY(timer.elapsed() >= 150);
    QVERIFY(*out);
    QCOMPARE((*out)->messages.size(), 0);
    QCOMPARE(m_broker->parkedCount(), 0);
}

void TestBroker::goneClientDropsItsWait()
{
    bool answered = false;
    auto client = std::make_unique<QObject>();
    m_broker->recv(QStringLiteral("bob"), RecvParams{30.0, 1}, client.get(),
                   [&answered](const Result<RecvResult> &) { answered = true; });
    QCOMPARE(m_broker->parkedCount(), 1);
    client.reset();
    QCOMPARE(m_broker->parkedCount(), 0);
    QVERIFY(m_broker->send(QStringLiteral("alice"), to(QStringLiteral("bob"), QStringLiteral("later"))));
    QVERIFY(!answered);
    // Nobody took it: it waits in the queue, not leased to a client that is gone.
    QCOMPARE(m_broker->status(QStringLiteral("bob"))->unread, 1);
    QTest::qWait(50); // the dropped wait's timer is deleted later; nothing may fire
    QVERIFY(!answered);
}

void TestBroker::broadcastCopiesToEveryOtherAgent()
{
    auto sent = m_broker->send(QStringLiteral("alice"), to(QStringLiteral("*"), QStringLiteral("all hands")));
    QVERIFY(sent);
    QCOMPARE(sent->recipients, 3); // bob, carol, manager
    for (const char *name : {"bob", "carol", "manager"}) {
        auto got = recvNow(QString::fromLatin1(name), peek());
        QCOMPARE(got->messages.size(), 1);
        QVERIFY(got->messages.first().broadcast);
        QCOMPARE(got->messages.first().to, QString::fromLatin1(name));
    }
    QCOMPARE(recvNow(QStringLiteral("alice"), peek())->messages.size(), 0);
}

void TestBroker::registryCopyFollowsWritesAndRollbacks()
{
    const auto namesOf = [](AgentRegistry &registry) {
        const Result<QList<AgentRecord>> agents = registry.list();
        if (!agents)
            return test::describe(agents.error());
        QStringList out;
        for (const AgentRecord &agent : agents.value())
            out << agent.name;
        return out.join(QLatin1Char(','));
    };
    const auto names = [&] {
        return namesOf(*m_agents);
    };
    QCOMPARE(names(), QStringLiteral("alice,bob,carol,manager"));
    // An agent added inside a transaction that rolls back is gone from memory too.
    {
        Transaction tx(*m_db);
        QVERIFY(tx.isActive());
        VERIFY_OK(m_agents->add(QStringLiteral("dave")));
        QVERIFY(m_agents->find(QStringLiteral("dave"))->has_value());
    }
    QVERIFY(!m_agents->find(QStringLiteral("dave"))->has_value());
    QCOMPARE(names(), QStringLiteral("alice,bob,carol,manager"));

    VERIFY_OK(m_agents->setAllowedRecipients(QStringLiteral("bob"), {QStringLiteral("carol")}));
    VERIFY_OK(m_agents->remove(QStringLiteral("alice")));
    VERIFY_FAILS(m_agents->remove(QStringLiteral("alice")), ErrorCode::NotFound, "no agent named 'alice'");
    VERIFY_FAILS(m_broker->send(QStringLiteral("bob"), to(QStringLiteral("alice"), QStringLiteral("hi"))),
                 ErrorCode::NotFound, "unknown recipient 'alice'");
    // A second registry reads the table afresh: it agrees with what the first one holds.
    AgentRegistry fresh(*m_db, m_clock);
    QCOMPARE(names(), QStringLiteral("bob,carol,manager"));
    QCOMPARE(namesOf(fresh), names());
    QCOMPARE(fresh.find(QStringLiteral("bob"))->value().allowedRecipients, QStringList{QStringLiteral("carol")});
}

void TestBroker::allowListRestrictsButManagerIsAlwaysReachable()
{
    QVERIFY(m_agents->setAllowedRecipients(QStringLiteral("alice"), {QStringLiteral("bob")}));
    auto refused = m_broker->send(QStringLiteral("alice"), to(QStringLiteral("carol"), QStringLiteral("psst")));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Forbidden);
    QVERIFY2(refused.error().message.contains(QStringLiteral("manager, bob")), qPrintable(refused.error().message));
    QVERIFY(!m_broker->send(QStringLiteral("alice"), to(QStringLiteral("*"), QStringLiteral("all"))));
    QVERIFY(m_broker->send(QStringLiteral("alice"), to(QStringLiteral("bob"), QStringLiteral("ok"))));
    QVERIFY(m_broker->send(QStringLiteral("alice"), to(QStringLiteral("manager"), QStringLiteral("help"))));
    QVERIFY(m_broker->send(QStringLiteral("manager"), to(QStringLiteral("carol"), QStringLiteral("any"))));
    QVERIFY(m_broker->send(QStringLiteral("operator"), to(QStringLiteral("carol"), QStringLiteral("any"))));
    QVERIFY(!m_agents->setAllowedRecipients(QStringLiteral("alice"), {QStringLiteral("nobody")}));
    QVERIFY(m_agents->setAllowedRecipients(QStringLiteral("alice"), {}));
    QVERIFY(m_broker->send(QStringLiteral("alice"), to(QStringLiteral("carol"), QStringLiteral("free again"))));
}

void TestBroker::badSends_data()
{
    QTest::addColumn<QString>("recipient");
    QTest::addColumn<QString>("body");
    QTest::addColumn<qint64>("inReplyTo");
    QTest::addColumn<int>("code");
    QTest::newRow("unknown recipient") << QStringLiteral("zed") << QStringLiteral("x") << qint64(0)
                                       << int(ErrorCode::NotFound);
    QTest::newRow("system") << QStringLiteral("system") << QStringLiteral("x") << qint64(0)
                            << int(ErrorCode::InvalidParams);
    QTest::newRow("empty body") << QStringLiteral("bob") << QString() << qint64(0) << int(ErrorCode::InvalidParams);
    QTest::newRow("body over the cap") << QStringLiteral("bob") << QString(1025, QLatin1Char('x')) << qint64(0)
                                       << int(ErrorCode::TooLarge);
    QTest::newRow("multibyte over the cap")
        << QStringLiteral("bob") << QString(400, QChar(0x00FC)) + QString(300, QLatin1Char('x')) << qint64(0)
        << int(ErrorCode::TooLarge);
    QTest::newRow("reply to nothing") << QStringLiteral("bob") << QStringLiteral("x") << qint64(4242)
                                      << int(ErrorCode::NotFound);
}

void TestBroker::badSends()
{
    QFETCH(QString, recipient);
    QFETCH(QString, body);
    QFETCH(qint64, inReplyTo);
    QFETCH(int, code);
    auto sent = m_broker->send(QStringLiteral("alice"),
                               to(recipient, body, inReplyTo ? std::optional<qint64>(inReplyTo) : std::nullopt));
    QVERIFY(!sent);
    QCOMPARE(int(sent.error().code), code);
    QVERIFY(!sent.error().message.isEmpty());
    QCOMPARE(*m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM messages")), 0); // nothing half-written
}

void TestBroker::recentAndVacuum()
{
    auto first = m_broker->send(QStringLiteral("alice"), to(QStringLiteral("bob"), QStringLiteral("one")));
    QVERIFY(m_broker->send(QStringLiteral("bob"), to(QStringLiteral("alice"), QStringLiteral("two"), first->id)));
    auto recent = m_broker->recent(QStringLiteral("bob"), 10);
    QCOMPARE(recent->messages.size(), 2);
    QCOMPARE(recent->messages.first().body, QStringLiteral("two"));
    QCOMPARE(recent->messages.first().inReplyTo, first->id);

    auto got = recvNow(QStringLiteral("bob"), peek());
    QVERIFY(m_broker->ack(QStringLiteral("bob"), {got->messages.first().id}));
    m_clock.advance(qint64(31) * 24 * 3600 * 1000);
    QCOMPARE(*m_broker->vacuum(std::chrono::hours(24 * 30)), 1); // only the acked one
    QCOMPARE(*m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM messages")), 1);
}

void TestBroker::sendIsDurableAcrossReopen()
{
    auto sent = m_broker->send(QStringLiteral("alice"), to(QStringLiteral("bob"), QStringLiteral("persist me")));
    QVERIFY(sent);
    m_broker.reset();
    m_agents.reset();
    m_db.reset();
    auto db = Database::open(m_dir->filePath(QStringLiteral("engine.db")));
    QVERIFY(db);
    m_db = std::move(*db);
    m_agents = std::make_unique<AgentRegistry>(*m_db, m_clock);
    m_broker = std::make_unique<Broker>(*m_db, *m_agents, m_clock);
    auto got = recvNow(QStringLiteral("bob"), peek());
    QCOMPARE(got->messages.size(), 1);
    QCOMPARE(got->messages.first().body, QStringLiteral("persist me"));
}

QTEST_GUILESS_MAIN(TestBroker)
#include "tst_broker.moc"
