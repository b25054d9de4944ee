// SPDX-License-Identifier: MIT
// Questions between agents and to the operator, against a real in-process engine: ids come
// back at once, answers and expiries arrive later as system messages in the right inboxes.
#include "agents/agentsockets.h"
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "broker/questions.h"
#include "engine.h"
#include "fakeclock.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "rpcclient.h"
#include "store/eventlog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;

namespace {

constexpr int Timeout = 10000;

/// The JSON body of the one system message waiting for `agent`.
QJsonObject systemEvent(client::RpcClient &agent)
{
    auto got = agent.callAndWait<RecvMethod>(RecvParams{2.0, 1}, Timeout);
    if (!got || got->messages.isEmpty() || got->messages.first().from != QLatin1String("system"))
        return {};
    return QJsonDocument::fromJson(got->messages.first().body.toUtf8()).object();
}

} // namespace

class TestQuestions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void peerQuestionRoundTrip();
    void onlyTheTargetOrOperatorAnswers();
    void selfAndBadTargetsAreRefused();
    void operatorAnswersAndEventsFollow();
    void expiryAnswersExpiredAndSurvivesRestart();
    void askerCancels();

private:
    std::unique_ptr<client::RpcClient> connectAs(const QString &agent);

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<Engine> m_engine;
};

void TestQuestions::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    EngineConfig config = EngineConfig::defaults();
    config.containerBackend = QStringLiteral("none");
    config.stateDir = m_dir->filePath(QStringLiteral("state"));
    config.listenEnabled = false;
    m_engine = std::make_unique<Engine>(config, m_clock);
    QVERIFY(m_engine->start());
    for (const char *name : {"alice", "bob", "carol"}) {
        QVERIFY(m_engine->agents().add(QString::fromLatin1(name)));
        QVERIFY(m_engine->agentSockets().open(QString::fromLatin1(name)));
    }
}

void TestQuestions::cleanup()
{
    m_engine.reset();
    m_dir.reset();
}

std::unique_ptr<client::RpcClient> TestQuestions::connectAs(const QString &agent)
{
    auto client =
        std::make_unique<client::RpcClient>(new client::LocalSocketPeer(m_engine->agentSockets().socketPath(agent)));
    (void)client->openAndWait(Timeout);
    return client;
}

void TestQuestions::peerQuestionRoundTrip()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto bob = connectAs(QStringLiteral("bob"));
    auto asked = alice->callAndWait<AskMethod>(AskParams{QStringLiteral("which branch?"),
                                                         {QStringLiteral("main"), QStringLiteral("dev")},
                                                         false,
                                                         600,
                                                         QStringLiteral("bob")},
                                               Timeout);
    QVERIFY2(asked, asked ? "" : qPrintable(asked.error().message));
    QCOMPARE(asked->expiresAt, m_clock.now().addSecs(600));

    const QJsonObject told = systemEvent(*bob);
    QCOMPARE(told.value(QStringLiteral("event")).toString(), QStringLiteral("question_asked"));
    QCOMPARE(told.value(QStringLiteral("id")).toInteger(), asked->id);
    QCOMPARE(told.value(QStringLiteral("from")).toString(), QStringLiteral("alice"));
    QCOMPARE(told.value(QStringLiteral("options")).toArray().size(), 2);

    QVERIFY(bob->callAndWait<AnswerMethod>(AnswerParams{asked->id, QStringLiteral("dev")}, Timeout));
    const QJsonObject answered = systemEvent(*alice);
    QCOMPARE(answered.value(QStringLiteral("event")).toString(), QStringLiteral("question_answered"));
    QCOMPARE(answered.value(QStringLiteral("answer")).toString(), QStringLiteral("dev"));
    QCOMPARE(answered.value(QStringLiteral("answered_by")).toString(), QStringLiteral("bob"));

    auto again = bob->callAndWait<AnswerMethod>(AnswerParams{asked->id, QStringLiteral("main")}, Timeout);
    QVERIFY(!again);
    QVERIFY2(again.error().message.contains(QStringLiteral("already answered")), qPrintable(again.error().message));
    QCOMPARE(m_engine->questions().open()->size(), 0);
}

void TestQuestions::onlyTheTargetOrOperatorAnswers()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto carol = connectAs(QStringLiteral("carol"));
    auto asked =
        alice->callAndWait<AskMethod>(AskParams{QStringLiteral("ok?"), {}, false, 600, QStringLiteral("bob")}, Timeout);
    QVERIFY(asked);
    auto stolen = carol->callAndWait<AnswerMethod>(AnswerParams{asked->id, QStringLiteral("sure")}, Timeout);
    QVERIFY(!stolen);
    QCOMPARE(stolen.error().code, ErrorCode::Forbidden);
    auto self = alice->callAndWait<AnswerMethod>(AnswerParams{asked->id, QStringLiteral("sure")}, Timeout);
    QCOMPARE(self.error().code, ErrorCode::Forbidden);
    auto missing = carol->callAndWait<AnswerMethod>(AnswerParams{9999, QStringLiteral("x")}, Timeout);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
    // The operator may override a peer question.
    QVERIFY(m_engine->questions().answer(QStringLiteral("operator"), asked->id, QStringLiteral("no")));
    QCOMPARE(systemEvent(*alice).value(QStringLiteral("answered_by")).toString(), QStringLiteral("operator"));
}

void TestQuestions::selfAndBadTargetsAreRefused()
{
    auto alice = connectAs(QStringLiteral("alice"));
    for (const char *target : {"alice", "nobody", "system", "*"}) {
        auto asked = alice->callAndWait<AskMethod>(
            AskParams{QStringLiteral("q"), {}, false, 60, QString::fromLatin1(target)}, Timeout);
        QVERIFY2(!asked, target);
    }
    QCOMPARE(m_engine->questions().open()->size(), 0);
}

void TestQuestions::operatorAnswersAndEventsFollow()
{
    QSignalSpy events(&m_engine->events(), &EventLog::published);
    auto alice = connectAs(QStringLiteral("alice"));
    auto asked = alice->callAndWait<AskMethod>(
        AskParams{QStringLiteral("may I?"), {}, false, 60, QStringLiteral("operator")}, Timeout);
    QVERIFY(asked);
    QStringList kinds;
    for (const auto &args : std::as_const(events))
        kinds << args.at(0).value<Event>().kind;
    QVERIFY2(kinds.contains(QStringLiteral("question_added")), qPrintable(kinds.join(QLatin1Char(','))));
    auto open = m_engine->questions().open(QStringLiteral("alice"));
    QCOMPARE(open->size(), 1);
    QCOMPARE(open->first().target, QStringLiteral("operator"));

    QVERIFY(m_engine->questions().answer(QStringLiteral("operator"), asked->id, QStringLiteral("yes")));
    QCOMPARE(systemEvent(*alice).value(QStringLiteral("answer")).toString(), QStringLiteral("yes"));
    std::optional<Event> resolved;
    for (const auto &args : std::as_const(events)) {
        if (args.at(0).value<Event>().kind == QLatin1String("question_resolved"))
            resolved = args.at(0).value<Event>();
    }
    QVERIFY(resolved);
    QCOMPARE(resolved->data.value(QStringLiteral("state")).toString(), QStringLiteral("answered"));
    QCOMPARE(resolved->data.value(QStringLiteral("answer")).toString(), QStringLiteral("yes"));
}

void TestQuestions::expiryAnswersExpiredAndSurvivesRestart()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto shortOne = alice->callAndWait<AskMethod>(
        AskParams{QStringLiteral("quick?"), {}, false, 60, QStringLiteral("bob")}, Timeout);
    auto longOne = alice->callAndWait<AskMethod>(
        AskParams{QStringLiteral("later?"), {}, false, 3600, QStringLiteral("operator")}, Timeout);
    QVERIFY(shortOne && longOne);
    m_clock.advance(61 * 1000);
    QCOMPARE(*m_engine->questions().expireDue(), 1);
    const QJsonObject expired = systemEvent(*alice);
    QCOMPARE(expired.value(QStringLiteral("id")).toInteger(), shortOne->id);
    QCOMPARE(expired.value(QStringLiteral("answer")).toString(), QString::fromLatin1(Questions::ExpiredAnswer));

    // The engine is down when the second deadline passes: the next start expires it.
    const EngineConfig config = m_engine->config();
    alice.reset();
    m_engine.reset();
    m_clock.advance(3600 * 1000);
    m_engine = std::make_unique<Engine>(config, m_clock);
    QVERIFY(m_engine->start());
    QCOMPARE(m_engine->questions().get(longOne->id)->state, QStringLiteral("expired"));
    QCOMPARE(m_engine->questions().open()->size(), 0);
}

void TestQuestions::askerCancels()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto bob = connectAs(QStringLiteral("bob"));
    auto asked =
        alice->callAndWait<AskMethod>(AskParams{QStringLiteral("?"), {}, false, 60, QStringLiteral("bob")}, Timeout);
    QVERIFY(asked);
    QCOMPARE(systemEvent(*bob).value(QStringLiteral("event")).toString(), QStringLiteral("question_asked"));
    QCOMPARE(m_engine->questions().cancel(QStringLiteral("bob"), asked->id).error().code, ErrorCode::Forbidden);
    QVERIFY(m_engine->questions().cancel(QStringLiteral("alice"), asked->id));
    QCOMPARE(systemEvent(*bob).value(QStringLiteral("event")).toString(), QStringLiteral("question_cancelled"));
    QVERIFY(!m_engine->questions().answer(QStringLiteral("bob"), asked->id, QStringLiteral("late")));
}

QTEST_GUILESS_MAIN(TestQuestions)
#include "tst_questions.moc"
