// SPDX-License-Identifier: MIT
// The turn loop's failure handling end to end (harnessturnsfixture.h): compaction and retry, a rate limit, a login
// failure, a harness killed mid-turn, the operator's cancel, and a budget overrun.
#include "harnessturnsfixture.h"

#include <unistd.h>

#include <csignal>

using namespace hive;
using namespace hive::test::turns;
using hive::test::FakeModelServer;

class TestHarnessFailures : public HarnessTurnsFixture
{
    Q_OBJECT

private Q_SLOTS:
    void promptTooLongCompactsAndRetries();
    void rateLimitParksThenResumes();
    void authFailureParksInNeedsLogin();
    void killedMidTurnRedeliversFlagged();
    void operatorCancelsARunningTurn();
    void budgetOverrunPausesTheAgent();
};

void TestHarnessFailures::promptTooLongCompactsAndRetries()
{
    // A conversation that no longer fits: the CLI compacts on its own and retries, which fails again, so the
    // turn ends with "Prompt is too long". The harness then runs /compact (state "compacting") and retries the
    // turn once; by then the model answers.
    VERIFY_OK(
        m_fake->setScript(QStringLiteral("alice"), QJsonArray{reply({text(QStringLiteral("First."))}),
                                                              errorStep(400, QStringLiteral("invalid_request_error"),
                                                                        QStringLiteral("prompt is too long"), 100)}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Start.")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Do the big thing.")));
    const auto compacting = [&] {
        for (qsizetype i = from; i < m_events.size(); ++i) {
            if (m_events.at(i).kind == QLatin1String("agent_harness") &&
                m_events.at(i)
                        .data.value(QStringLiteral("harness"))
                        .toObject()
                        .value(QStringLiteral("state"))
                        .toString() == QLatin1String(harnessstates::Compacting))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(compacting(), TurnTimeout);
    VERIFY_OK(m_fake->setScript(QStringLiteral("alice"),
                                QJsonArray{reply({text(QStringLiteral("Done after compaction."))})}));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("compact_retry"), from) >= 0);
    const QString retried = FakeModelServer::lastUserText(
        m_fake->request(QStringLiteral("alice"), m_fake->requestCount(QStringLiteral("alice")) - 1).body);
    QVERIFY2(retried.contains(QStringLiteral("Do the big thing.")), qPrintable(retried));
    QTRY_VERIFY_WITH_TIMEOUT(inboxEmpty(QStringLiteral("alice")), CallTimeout);
    QTRY_COMPARE_WITH_TIMEOUT(statSum(QStringLiteral("alice"), QStringLiteral("turn.exit.compact_retry")), 1.0,
                              CallTimeout);
}

void TestHarnessFailures::rateLimitParksThenResumes()
{
    VERIFY_OK(m_fake->setScript(QStringLiteral("alice"), QJsonArray{errorStep(429, QStringLiteral("rate_limit_error"),
                                                                              QStringLiteral("slow down"), 1),
                                                                    reply({text(QStringLiteral("Back."))})}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    const qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Work.")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("rate_limited"), from) >= 0);
    // Parked, visibly: the agent's state says so while the retry waits.
    bool sawParked = false;
    for (qsizetype i = from; i < m_events.size() && !sawParked; ++i) {
        sawParked =
            m_events.at(i).kind == QLatin1String("agent_harness") &&
            m_events.at(i).data.value(QStringLiteral("harness")).toObject().value(QStringLiteral("state")).toString() ==
                QLatin1String(harnessstates::RateLimited);
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        sawParked ||
            [&] {
                auto info = agent(QStringLiteral("alice"));
                return info && info->state == QLatin1String(harnessstates::RateLimited);
            }(),
        5000);
    // The same message comes again after the sleep, and then succeeds.
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    QTRY_VERIFY_WITH_TIMEOUT(inboxEmpty(QStringLiteral("alice")), CallTimeout);
    QCOMPARE(m_fake->requestCount(QStringLiteral("alice")), 2);
    const QString retried = FakeModelServer::lastUserText(m_fake->request(QStringLiteral("alice"), 1).body);
    QVERIFY2(retried.contains(QStringLiteral("Work.")), qPrintable(retried));
}

void TestHarnessFailures::authFailureParksInNeedsLogin()
{
    VERIFY_OK(m_fake->setScript(
        QStringLiteral("alice"),
        QJsonArray{errorStep(401, QStringLiteral("authentication_error"), QStringLiteral("invalid x-api-key"), 1),
                   reply({text(QStringLiteral("Logged in now."))}, QStringLiteral("Work."))}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    const qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Work.")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("auth_failed"), from) >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(agent(QStringLiteral("alice"))->state, QString::fromLatin1(harnessstates::NeedsLogin),
                              CallTimeout);
    QCOMPARE(agent(QStringLiteral("alice"))->unread, 1); // requeued, not lost
    // The operator is told, in the operator's inbox.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            auto inbox = call<MessageListMethod>(MessageListParams{});
            return inbox && !inbox->messages.isEmpty() && inbox->messages.first().from == QLatin1String("alice") &&
                   inbox->messages.first().body.contains(QStringLiteral("I cannot reach the model"));
        }(),
        CallTimeout);
    // A config change (here a model override) wakes the parked loop at once; the credentials work again.
    AgentSetModelParams set;
    set.name = QStringLiteral("alice");
    set.model = QStringLiteral("claude-sonnet-4-5");
    VERIFY_OK(call<AgentSetModelMethod>(set));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from, 30000) >= 0);
    QTRY_VERIFY_WITH_TIMEOUT(inboxEmpty(QStringLiteral("alice")), CallTimeout);
}

void TestHarnessFailures::killedMidTurnRedeliversFlagged()
{
    VERIFY_OK(m_fake->setScript(QStringLiteral("alice"), QJsonArray{QJsonObject{{QStringLiteral("hang"), true}},
                                                                    reply({text(QStringLiteral("Finished this time."))},
                                                                          QStringLiteral("redelivered"))}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    const qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Long job.")));
    QTRY_COMPARE_WITH_TIMEOUT(m_fake->requestCount(QStringLiteral("alice")), 1, TurnTimeout);
    killHarness(QStringLiteral("alice"));
    auto info = agent(QStringLiteral("alice"));
    VERIFY_OK(info);
    QCOMPARE(info->inflight, 1); // leased, never acknowledged
    if (m_containers) {
        QTRY_COMPARE_WITH_TIMEOUT(agent(QStringLiteral("alice"))->state, QString::fromLatin1(agentstates::Crashed),
                                  CallTimeout);
        VERIFY_OK(call<AgentStartMethod>(AgentStartParams{QStringLiteral("alice")}));
    } else {
        VERIFY_OK(startHarness(QStringLiteral("alice")));
    }
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    QVERIFY2(m_fake->failures().isEmpty(), qPrintable(m_fake->failures().join(QLatin1Char('\n'))));
    QTRY_VERIFY_WITH_TIMEOUT(inboxEmpty(QStringLiteral("alice")), CallTimeout);
}

void TestHarnessFailures::operatorCancelsARunningTurn()
{
    VERIFY_OK(m_fake->setScript(QStringLiteral("alice"), QJsonArray{QJsonObject{{QStringLiteral("hang"), true}},
                                                                    reply({text(QStringLiteral("Next."))})}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    VERIFY_FAILS(call<AgentCancelTurnMethod>(AgentCancelTurnParams{QStringLiteral("alice")}), ErrorCode::Unavailable,
                 "the harness of agent 'alice' is not in a turn (it is idle): there is nothing to cancel");
    const qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Spin forever.")));
    QTRY_COMPARE_WITH_TIMEOUT(m_fake->requestCount(QStringLiteral("alice")), 1, TurnTimeout);
    auto cancelled = call<AgentCancelTurnMethod>(AgentCancelTurnParams{QStringLiteral("alice")});
    VERIFY_OK(cancelled);
    QVERIFY(cancelled->cancelled);
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("cancelled"), from, 30000) >= 0);
    // A cancelled turn's message is done with; the agent takes the next one.
    QTRY_VERIFY_WITH_TIMEOUT(inboxEmpty(QStringLiteral("alice")), CallTimeout);
    const qsizetype next = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Something else.")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), next) >= 0);
}

void TestHarnessFailures::budgetOverrunPausesTheAgent()
{
    // One turn of 1500 tokens against a budget of 1000 a day: the agent pauses and the operator is asked.
    QJsonObject expensive = reply({text(QStringLiteral("That was a lot of reading."))});
    expensive.insert(QStringLiteral("usage"),
                     QJsonObject{{QStringLiteral("input_tokens"), 1400}, {QStringLiteral("output_tokens"), 100}});
    VERIFY_OK(m_fake->setScript(
        QStringLiteral("alice"),
        QJsonArray{expensive, reply({text(QStringLiteral("Back at work."))}, QStringLiteral("second job"))}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));

    // The budget comes from the agent's deployed agent.toml: commit it, have the manager propose it, approve it.
    const QString repo = m_state + QStringLiteral("/agents/alice/config");
    QByteArray toml = test::readFile(repo + QStringLiteral("/agent.toml"));
    QVERIFY(!toml.isEmpty());
    toml += "\n[budget]\ntokens_per_day = 1000\n";
    QVERIFY(test::writeFile(repo + QStringLiteral("/agent.toml"), toml));
    const auto git = [&repo](const QStringList &args) {
        QProcess process;
        process.setWorkingDirectory(repo);
        process.start(QStringLiteral("git"),
                      QStringList{QStringLiteral("-c"), QStringLiteral("user.name=test"), QStringLiteral("-c"),
                                  QStringLiteral("user.email=t@example.invalid")} +
                          args);
        process.waitForFinished(30000);
        return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    };
    git({QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("a daily budget")});
    const QString sha = git({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
    QCOMPARE(sha.size(), 40);
    client::RpcClient manager(new client::LocalSocketPeer(m_state + QStringLiteral("/run/agents/manager/agent.sock")));
    VERIFY_OK(manager.openAndWait(CallTimeout));
    RequestApplyCommitParams request;
    request.agent = QStringLiteral("alice");
    request.commitRef = sha;
    auto proposed = manager.callAndWait<RequestApplyCommitMethod>(request, CallTimeout);
    VERIFY_OK(proposed);
    auto approved = call<ApprovalApproveMethod>(ApprovalApproveParams{proposed->approval.id});
    VERIFY_OK(approved);
    QCOMPARE(approved->approval.state, QStringLiteral("deployed"));
    // A deploy restarts a running container: wait until its harness is back.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            auto info = agent(QStringLiteral("alice"));
            return info && info->harness && info->harness->state == QLatin1String(harnessstates::Idle);
        }(),
        CallTimeout);

    qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("first job")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    QTRY_VERIFY_WITH_TIMEOUT(agent(QStringLiteral("alice"))->state == QLatin1String(harnessstates::OverBudget),
                             CallTimeout);

    // It takes no more turns while over budget, and the operator has a question about it.
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("second job")));
    QTest::qWait(3000);
    QCOMPARE(m_fake->requestCount(QStringLiteral("alice")), 1);
    QCOMPARE(agent(QStringLiteral("alice"))->unread, 1);
    QuestionListParams list;
    list.agent = QStringLiteral("alice");
    auto questions = call<QuestionListMethod>(list);
    VERIFY_OK(questions);
    QCOMPARE(questions->questions.size(), 1);
    const Question question = questions->questions.first();
    QCOMPARE(question.target, QStringLiteral("operator"));
    QVERIFY2(question.question.contains(QStringLiteral("Raise today's budget")), qPrintable(question.question));
    QCOMPARE(question.options.size(), 2);

    // Raising it lets the agent go on at once, with the waiting message; the budget question itself never
    // reaches the model.
    from = m_events.size();
    VERIFY_OK(call<QuestionAnswerMethod>(QuestionAnswerParams{question.id, question.options.first()}));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from, 30000) >= 0);
    QVERIFY2(m_fake->failures().isEmpty(), qPrintable(m_fake->failures().join(QLatin1Char('\n'))));
    QTRY_VERIFY_WITH_TIMEOUT(inboxEmpty(QStringLiteral("alice")), CallTimeout);
    QCOMPARE(m_fake->requestCount(QStringLiteral("alice")), 2);
}

QTEST_GUILESS_MAIN(TestHarnessFailures)
#include "tst_harnessfailures.moc"
