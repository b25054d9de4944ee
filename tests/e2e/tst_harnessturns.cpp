// SPDX-License-Identifier: MIT
// Whole turns end to end (harnessturnsfixture.h): a send reaching the peer's next turn, a question answered by the
// operator, an allow-list refusal and a permission denial coming back to the model, a model override, notes compaction.
#include "harnessturnsfixture.h"

#include <unistd.h>

#include <csignal>

using namespace hive;
using namespace hive::test::turns;
using hive::test::FakeModelServer;

class TestHarnessTurns : public HarnessTurnsFixture
{
    Q_OBJECT

private Q_SLOTS:
    void sendReachesThePeersNextTurn();
    void questionAnsweredReachesTheAsker();
    void refusedSendComesBackAsAnError();
    void deniedBashShowsInTheStats();
    void modelOverrideReachesTheModel();
    void notesAreCompactedInPlace();
};

void TestHarnessTurns::sendReachesThePeersNextTurn()
{
    VERIFY_OK(
        m_fake->setScript(QStringLiteral("alice"),
                          QJsonArray{reply({text(QStringLiteral("Passing it on.")),
                                            toolUse(QStringLiteral("mcp__hive__send"),
                                                    {{QStringLiteral("to"), QStringLiteral("bob")},
                                                     {QStringLiteral("body"), QStringLiteral("ping from alice")}})},
                                           QStringLiteral("tell bob")),
                                     reply({text(QStringLiteral("Done."))})}));
    VERIFY_OK(m_fake->setScript(QStringLiteral("bob"), QJsonArray{reply({text(QStringLiteral("Got it."))},
                                                                        QStringLiteral("ping from alice"))}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    VERIFY_OK(addAgent(QStringLiteral("bob")));

    const qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Please tell bob hello.")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    QVERIFY(waitForTurnEnd(QStringLiteral("bob"), QStringLiteral("ok"), from) >= 0);
    QVERIFY2(m_fake->failures().isEmpty(), qPrintable(m_fake->failures().join(QLatin1Char('\n'))));
    // Bob's wake prompt named the sender and the body.
    const QString bobPrompt = FakeModelServer::lastUserText(m_fake->request(QStringLiteral("bob"), 0).body);
    QVERIFY2(bobPrompt.contains(QStringLiteral("from alice")) && bobPrompt.contains(QStringLiteral("ping from alice")),
             qPrintable(bobPrompt));
    // Both messages were acknowledged after their turns.
    QTRY_VERIFY_WITH_TIMEOUT(inboxEmpty(QStringLiteral("alice")) && inboxEmpty(QStringLiteral("bob")), CallTimeout);

    // The live stream showed alice's text and her tool call with its arguments.
    bool sawText = false;
    bool sawCall = false;
    for (qsizetype i = from; i < m_events.size(); ++i) {
        const QJsonObject data = m_events.at(i).data;
        if (m_events.at(i).kind != QLatin1String("agent_turn") ||
            data.value(QStringLiteral("agent")).toString() != QLatin1String("alice"))
            continue;
        const QJsonObject inner = data.value(QStringLiteral("data")).toObject();
        sawText |= data.value(QStringLiteral("kind")).toString() == QLatin1String("text") &&
                   inner.value(QStringLiteral("text")).toString() == QLatin1String("Passing it on.");
        sawCall |= data.value(QStringLiteral("kind")).toString() == QLatin1String("tool_call") &&
                   inner.value(QStringLiteral("tool")).toString() == QLatin1String("mcp__hive__send") &&
                   inner.value(QStringLiteral("input")).toObject().value(QStringLiteral("to")).toString() ==
                       QLatin1String("bob");
    }
    QVERIFY(sawText);
    QVERIFY(sawCall);

    // Telemetry: one turn each, alice's send counted as to a peer, her tool call by name, tokens from the result.
    QTRY_COMPARE_WITH_TIMEOUT(statSum(QStringLiteral("alice"), QStringLiteral("turn")), 1.0, CallTimeout);
    QCOMPARE(statSum(QStringLiteral("alice"), QStringLiteral("sent.peer")), 1.0);
    QCOMPARE(statSum(QStringLiteral("alice"), QStringLiteral("tool.mcp__hive__send")), 1.0);
    QCOMPARE(statSum(QStringLiteral("alice"), QStringLiteral("received.operator")), 1.0);
    QCOMPARE(statSum(QStringLiteral("bob"), QStringLiteral("received.peer")), 1.0);
    QVERIFY(statSum(QStringLiteral("alice"), QStringLiteral("tokens.input")) > 0);
}

void TestHarnessTurns::questionAnsweredReachesTheAsker()
{
    VERIFY_OK(m_fake->setScript(
        QStringLiteral("alice"),
        QJsonArray{
            reply({toolUse(QStringLiteral("mcp__hive__ask"),
                           {{QStringLiteral("question"), QStringLiteral("Deploy on Friday?")},
                            {QStringLiteral("options"), QJsonArray{QStringLiteral("yes"), QStringLiteral("no")}}})}),
            reply({text(QStringLiteral("Asked; waiting."))}),
            reply({text(QStringLiteral("The operator said yes."))}, QStringLiteral("question_answered"))}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    const qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Ask me whether to deploy on Friday.")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);

    QuestionListParams list;
    list.agent = QStringLiteral("alice");
    auto questions = call<QuestionListMethod>(list);
    VERIFY_OK(questions);
    QCOMPARE(questions->questions.size(), 1);
    QCOMPARE(questions->questions.first().question, QStringLiteral("Deploy on Friday?"));
    const qsizetype answered = m_events.size();
    VERIFY_OK(call<QuestionAnswerMethod>(QuestionAnswerParams{questions->questions.first().id, QStringLiteral("yes")}));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), answered) >= 0);
    const QString prompt = FakeModelServer::lastUserText(m_fake->request(QStringLiteral("alice"), 2).body);
    QVERIFY2(prompt.contains(QStringLiteral("question_answered")) && prompt.contains(QStringLiteral("yes")),
             qPrintable(prompt));
    QVERIFY2(m_fake->failures().isEmpty(), qPrintable(m_fake->failures().join(QLatin1Char('\n'))));
}

void TestHarnessTurns::refusedSendComesBackAsAnError()
{
    VERIFY_OK(m_fake->setScript(QStringLiteral("alice"),
                                QJsonArray{reply({toolUse(QStringLiteral("mcp__hive__send"),
                                                          {{QStringLiteral("to"), QStringLiteral("carol")},
                                                           {QStringLiteral("body"), QStringLiteral("psst")}})}),
                                           reply({text(QStringLiteral("Not allowed, noted."))})}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    VERIFY_OK(call<AgentAddMethod>(AgentAddParams{QStringLiteral("bob")}));
    VERIFY_OK(call<AgentAddMethod>(AgentAddParams{QStringLiteral("carol")}));
    VERIFY_OK(
        call<AgentSetRecipientsMethod>(AgentSetRecipientsParams{QStringLiteral("alice"), {QStringLiteral("bob")}}));
    const qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Tell carol a secret.")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    // The model got the engine's refusal, naming the allow-list, as the tool's result.
    const QString result = FakeModelServer::lastUserText(m_fake->request(QStringLiteral("alice"), 1).body);
    QVERIFY2(result.contains(QStringLiteral("may only send to: manager, bob")), qPrintable(result));
    auto carol = agent(QStringLiteral("carol"));
    VERIFY_OK(carol);
    QCOMPARE(carol->unread, 0); // nothing was delivered
    QTRY_COMPARE_WITH_TIMEOUT(statSum(QStringLiteral("alice"), QStringLiteral("turn")), 1.0, CallTimeout);
    QCOMPARE(statSum(QStringLiteral("alice"), QStringLiteral("sent.peer")), 0.0);
}

void TestHarnessTurns::deniedBashShowsInTheStats()
{
    VERIFY_OK(m_fake->setScript(
        QStringLiteral("alice"),
        QJsonArray{reply({toolUse(QStringLiteral("Bash"),
                                  {{QStringLiteral("command"), QStringLiteral("python3 -c 'print(42)'")}})}),
                   reply({text(QStringLiteral("Refused."))})}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    const qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Run python.")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(statSum(QStringLiteral("alice"), QStringLiteral("permission_denials")), 1.0, CallTimeout);
    QCOMPARE(statSum(QStringLiteral("alice"), QStringLiteral("tool.Bash")), 1.0);
}

void TestHarnessTurns::modelOverrideReachesTheModel()
{
    VERIFY_OK(m_fake->setScript(QStringLiteral("alice"), QJsonArray{reply({text(QStringLiteral("one"))}),
                                                                    reply({text(QStringLiteral("two"))})}));
    VERIFY_OK(startSwarm("default_model = \"claude-sonnet-4-5\"\n"));
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("first")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    QCOMPARE(m_fake->request(QStringLiteral("alice"), 0).body.value(QStringLiteral("model")).toString(),
             QStringLiteral("claude-sonnet-4-5"));

    AgentSetModelParams set;
    set.name = QStringLiteral("alice");
    set.model = QStringLiteral("my-fake-model");
    auto updated = call<AgentSetModelMethod>(set);
    VERIFY_OK(updated);
    QCOMPARE(updated->modelOverride, std::optional<QString>(QStringLiteral("my-fake-model")));
    from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("second")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    QCOMPARE(m_fake->request(QStringLiteral("alice"), 1).body.value(QStringLiteral("model")).toString(),
             QStringLiteral("my-fake-model"));
}

void TestHarnessTurns::notesAreCompactedInPlace()
{
    const QString inside = m_containers ? QStringLiteral("/state/notes.md") : notesPath(QStringLiteral("alice"));
    VERIFY_OK(m_fake->setScript(
        QStringLiteral("alice"),
        QJsonArray{reply({text(QStringLiteral("Noted."))}),
                   // The secondary session: it rewrites the file with the Write tool, then ends.
                   reply({toolUse(QStringLiteral("Write"),
                                  {{QStringLiteral("file_path"), inside},
                                   {QStringLiteral("content"), QStringLiteral("# Notes\n- durable fact\n")}})},
                         QStringLiteral("Compact")),
                   reply({text(QStringLiteral("Compacted."))})}));
    VERIFY_OK(startSwarm("notes_compact_bytes = 1024\n"));
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    QByteArray bloated = "# Notes\n- durable fact\n";
    while (bloated.size() < 3000)
        bloated += "- a step-by-step log line that is no longer needed\n";
    QVERIFY(test::writeFile(notesPath(QStringLiteral("alice")), bloated));
    if (m_containers) {
        auto info = agent(QStringLiteral("alice"));
        VERIFY_OK(info);
        const QByteArray path = QFile::encodeName(notesPath(QStringLiteral("alice")));
        QCOMPARE(::chown(path.constData(), static_cast<uid_t>(info->container->uidBase),
                         static_cast<gid_t>(info->container->uidBase)),
                 0);
    }
    const qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Remember this.")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(test::readFile(notesPath(QStringLiteral("alice"))),
                              QByteArray("# Notes\n- durable fact\n"), TurnTimeout);
    // Reported with the sizes before and after.
    bool reported = false;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (qsizetype i = from; i < m_events.size(); ++i) {
                const QJsonObject data = m_events.at(i).data.value(QStringLiteral("data")).toObject();
                if (data.value(QStringLiteral("notes_compaction")).toBool()) {
                    reported = data.value(QStringLiteral("notes_before")).toInteger() == bloated.size() &&
                               data.value(QStringLiteral("notes_after")).toInteger() == 23;
                    return true;
                }
            }
            return false;
        }(),
        TurnTimeout);
    QVERIFY(reported);
    QVERIFY2(FakeModelServer::lastUserText(m_fake->request(QStringLiteral("alice"), 1).body).contains(inside),
             "the compaction prompt names the notes file");
}

QTEST_GUILESS_MAIN(TestHarnessTurns)
#include "tst_harnessturns.moc"
