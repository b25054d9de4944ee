// SPDX-License-Identifier: MIT
// Reminders, open threads and the operator's side of questions and reminders, against a real
// in-process engine (real SQLite file, real sockets). The clock is fake, so due times are moved
// by the test; one case lets the scheduler's own timer deliver.
#include "agents/agentsockets.h"
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "broker/questions.h"
#include "broker/reminders.h"
#include "engine.h"
#include "fakeclock.h"
#include "jsonreader.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "rpcclient.h"
#include "store/database.h"
#include "store/eventlog.h"
#include "verify.h"

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

/// System messages in a recv result, as their JSON bodies.
QList<QJsonObject> systemEvents(const RecvResult &received)
{
    QList<QJsonObject> events;
    for (const Message &message : received.messages) {
        if (message.from == QLatin1String("system"))
            events << QJsonDocument::fromJson(message.body.toUtf8()).object();
    }
    return events;
}

} // namespace

class TestThreads : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void reminderIsDeliveredWhenDue();
    void reminderAtIsCheckedAgainstTheEngineClock();
    void schedulerTimerDeliversAndWakesTheAgent();
    void failedAttemptsKeepTheErrorThenOperatorRetries();
    void dueRemindersGoOutInBoundedBatches();
    void pendingRemindersAreCapped();
    void overdueReminderIsDeliveredAfterRestart();
    void openThreadsAndCancelThread();
    void askHonoursTheAllowList();
    void operatorListsAnswersAndCancelsQuestions();
    void operatorManagesReminders();
    void everyBrokerChangeIsAnEvent();
    void questionOfAVanishedAgentStillExpires();

private:
    void startEngine();
    std::unique_ptr<client::RpcClient> connectAs(const QString &agent);
    std::unique_ptr<client::RpcClient> connectAdmin();
    /// Drains an agent's inbox (peek, acked) and returns what was in it.
    RecvResult drain(client::RpcClient &agent);

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<Engine> m_engine;
};

void TestThreads::init()
{
    m_clock = test::FakeClock();
    m_dir = std::make_unique<QTemporaryDir>();
    startEngine();
    for (const char *name : {"alice", "bob", "carol"}) {
        QVERIFY(m_engine->agents().add(QString::fromLatin1(name)));
        QVERIFY(m_engine->agentSockets().open(QString::fromLatin1(name)));
    }
}

void TestThreads::startEngine()
{
    EngineConfig config = EngineConfig::defaults();
    config.containerBackend = QStringLiteral("none");
    config.stateDir = m_dir->filePath(QStringLiteral("state"));
    config.listenEnabled = false;
    m_engine = std::make_unique<Engine>(config, m_clock);
    auto started = m_engine->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
}

void TestThreads::cleanup()
{
    m_engine.reset();
    m_dir.reset();
}

std::unique_ptr<client::RpcClient> TestThreads::connectAs(const QString &agent)
{
    auto client =
        std::make_unique<client::RpcClient>(new client::LocalSocketPeer(m_engine->agentSockets().socketPath(agent)));
    (void)client->openAndWait(Timeout);
    return client;
}

std::unique_ptr<client::RpcClient> TestThreads::connectAdmin()
{
    auto client = std::make_unique<client::RpcClient>(new client::LocalSocketPeer(m_engine->adminSocketPath()));
    (void)client->openAndWait(Timeout);
    return client;
}

RecvResult TestThreads::drain(client::RpcClient &agent)
{
    RecvResult all;
    for (;;) {
        auto got = agent.callAndWait<RecvMethod>(RecvParams{{}, RecvMaxMessages}, Timeout);
        if (!got || got->messages.isEmpty())
            return all;
        AckParams ack;
        for (const Message &message : std::as_const(got->messages))
            ack.ids << message.id;
        (void)agent.callAndWait<AckMethod>(ack, Timeout);
        all.messages.append(got->messages);
    }
}

void TestThreads::reminderIsDeliveredWhenDue()
{
    auto alice = connectAs(QStringLiteral("alice"));
    QSignalSpy changes(&m_engine->reminders(), &Reminders::reminderChanged);
    auto set = alice->callAndWait<RemindMethod>(RemindParams{QStringLiteral("check CI"), 60, std::nullopt}, Timeout);
    VERIFY_OK(set);
    QCOMPARE(set->dueAt, m_clock.now().addSecs(60));
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes.at(0).at(0).toString(), QStringLiteral("added"));

    // Not before it is due.
    QCOMPARE(*m_engine->reminders().deliverDue(), 0);
    QVERIFY(drain(*alice).messages.isEmpty());

    m_clock.advance(60 * 1000);
    QCOMPARE(*m_engine->reminders().deliverDue(), 1);
    const RecvResult received = drain(*alice);
    QCOMPARE(received.messages.size(), 1);
    const Message &message = received.messages.first();
    QCOMPARE(message.from, QStringLiteral("system"));
    const QJsonObject body = QJsonDocument::fromJson(message.body.toUtf8()).object();
    QCOMPARE(body.value(QStringLiteral("event")).toString(), QStringLiteral("reminder"));
    QCOMPARE(body.value(QStringLiteral("id")).toInteger(), set->id);
    QCOMPARE(body.value(QStringLiteral("message")).toString(), QStringLiteral("check CI"));
    QCOMPARE(body.value(QStringLiteral("due_at")).toString(), toWireTime(set->dueAt));

    auto reminder = m_engine->reminders().get(set->id);
    VERIFY_OK(reminder);
    QCOMPARE(reminder->state, QStringLiteral("delivered"));
    QCOMPARE(reminder->attempts, 1);
    QCOMPARE(reminder->messageId, message.id);
    QCOMPARE(reminder->deliveredAt, m_clock.now());
    QVERIFY(!reminder->nextAttemptAt);
    QCOMPARE(changes.size(), 2);
    QCOMPARE(changes.at(1).at(0).toString(), QStringLiteral("delivered"));

    // Delivered once: a later tick sends nothing more.
    m_clock.advance(3600 * 1000);
    QCOMPARE(*m_engine->reminders().deliverDue(), 0);
    QVERIFY(drain(*alice).messages.isEmpty());
}

void TestThreads::reminderAtIsCheckedAgainstTheEngineClock()
{
    auto alice = connectAs(QStringLiteral("alice"));
    const QDateTime now = m_clock.now();
    VERIFY_FAILS(alice->callAndWait<RemindMethod>(
                     RemindParams{QStringLiteral("too late"), std::nullopt, now.addSecs(-60)}, Timeout),
                 ErrorCode::InvalidParams, "in the past");
    VERIFY_FAILS(alice->callAndWait<RemindMethod>(
                     RemindParams{QStringLiteral("too far"), std::nullopt, now.addDays(31)}, Timeout),
                 ErrorCode::InvalidParams, "more than 30 days");

    // A time with an offset is kept as the same instant, in UTC.
    QJsonObject params{{QStringLiteral("message"), QStringLiteral("stand-up")},
                       {QStringLiteral("at"), QStringLiteral("2026-01-01T14:30:00+02:00")}};
    auto parsed = RemindParams::fromJson(params);
    VERIFY_OK(parsed);
    auto set = alice->callAndWait<RemindMethod>(*parsed, Timeout);
    VERIFY_OK(set);
    QCOMPARE(set->dueAt, now.addSecs(30 * 60)); // the clock says 12:00Z
    QCOMPARE(toWireTime(set->dueAt), QStringLiteral("2026-01-01T12:30:00.000Z"));
}

void TestThreads::schedulerTimerDeliversAndWakesTheAgent()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto set = alice->callAndWait<RemindMethod>(RemindParams{QStringLiteral("wake up"), 1, std::nullopt}, Timeout);
    VERIFY_OK(set);
    // The deadline has passed on the engine's clock; its timer (a real one) fires within a second.
    m_clock.advance(1000);
    QElapsedTimer waited;
    waited.start();
    auto got = alice->callAndWait<RecvMethod>(RecvParams{10.0, 1}, Timeout);
    VERIFY_OK(got);
    QCOMPARE(got->messages.size(), 1);
    QVERIFY2(waited.elapsed() < 5000, qPrintable(QString::number(waited.elapsed())));
    QCOMPARE(systemEvents(*got).first().value(QStringLiteral("message")).toString(), QStringLiteral("wake up"));
    QCOMPARE(m_engine->reminders().get(set->id)->state, QStringLiteral("delivered"));
}

void TestThreads::failedAttemptsKeepTheErrorThenOperatorRetries()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto set = alice->callAndWait<RemindMethod>(RemindParams{QStringLiteral("retry me"), 10, std::nullopt}, Timeout);
    VERIFY_OK(set);
    // The agent vanishes from the registry (as a purge would do): delivery must fail, not vanish.
    VERIFY_OK(m_engine->agents().remove(QStringLiteral("alice")));

    QSignalSpy changes(&m_engine->reminders(), &Reminders::reminderChanged);
    m_clock.advance(10 * 1000);
    qint64 backoff = 30;
    for (int attempt = 1; attempt <= ReminderMaxAttempts; ++attempt) {
        QCOMPARE(*m_engine->reminders().deliverDue(), 1);
        auto reminder = m_engine->reminders().get(set->id);
        VERIFY_OK(reminder);
        QCOMPARE(reminder->attempts, attempt);
        QVERIFY2(reminder->lastError && reminder->lastError->contains(QStringLiteral("unknown recipient 'alice'")),
                 qPrintable(reminder->lastError.value_or(QString())));
        if (attempt < ReminderMaxAttempts) {
            QCOMPARE(reminder->state, QStringLiteral("pending"));
            QCOMPARE(*reminder->nextAttemptAt, m_clock.now().addSecs(backoff));
            // Not before the back-off has passed.
            m_clock.advance((backoff - 1) * 1000);
            QCOMPARE(*m_engine->reminders().deliverDue(), 0);
            m_clock.advance(1000);
            backoff *= 2;
        } else {
            QCOMPARE(reminder->state, QStringLiteral("failed"));
            QVERIFY(!reminder->nextAttemptAt);
        }
    }
    QCOMPARE(changes.size(), ReminderMaxAttempts);
    m_clock.advance(24LL * 3600 * 1000);
    QCOMPARE(*m_engine->reminders().deliverDue(), 0); // failed stays failed

    // The agent is back; the operator retries: due now, a fresh set of attempts, the old error kept.
    VERIFY_OK(m_engine->agents().add(QStringLiteral("alice")));
    auto admin = connectAdmin();
    auto retried = admin->callAndWait<ReminderRetryMethod>(ReminderRetryParams{set->id}, Timeout);
    VERIFY_OK(retried);
    QCOMPARE(retried->state, QStringLiteral("pending"));
    QCOMPARE(retried->attempts, 0);
    QCOMPARE(*retried->nextAttemptAt, m_clock.now());
    QVERIFY(retried->lastError);
    // Due now: the scheduler's own timer delivers it.
    auto received = alice->callAndWait<RecvMethod>(RecvParams{5.0, 4}, Timeout);
    VERIFY_OK(received);
    QCOMPARE(received->messages.size(), 1);
    QCOMPARE(systemEvents(*received).first().value(QStringLiteral("id")).toInteger(), set->id);
    auto delivered = m_engine->reminders().get(set->id);
    QCOMPARE(delivered->state, QStringLiteral("delivered"));
    VERIFY_FAILS(admin->callAndWait<ReminderRetryMethod>(ReminderRetryParams{set->id}, Timeout),
                 ErrorCode::InvalidParams, "only a failed or pending reminder");
}

void TestThreads::dueRemindersGoOutInBoundedBatches()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto bob = connectAs(QStringLiteral("bob"));
    const int count = 70; // more than one batch of 64
    for (int i = 0; i < count; ++i) {
        const QString agent = i % 2 ? QStringLiteral("bob") : QStringLiteral("alice");
        auto set =
            (i % 2 ? bob : alice)
                ->callAndWait<RemindMethod>(RemindParams{QStringLiteral("n%1").arg(i), 5, std::nullopt}, Timeout);
        VERIFY_OK(set);
    }
    m_clock.advance(5000);
    QCOMPARE(*m_engine->reminders().deliverDue(), 64);
    QCOMPARE(*m_engine->reminders().deliverDue(), count - 64);
    QCOMPARE(*m_engine->reminders().deliverDue(), 0);

    // Every reminder exactly once, each in its own agent's inbox.
    QStringList seen;
    for (auto *agent : {alice.get(), bob.get()}) {
        for (const QJsonObject &event : systemEvents(drain(*agent)))
            seen << event.value(QStringLiteral("message")).toString();
    }
    QCOMPARE(seen.size(), count);
    seen.removeDuplicates();
    QCOMPARE(seen.size(), count);
    QCOMPARE(*m_engine->database().scalar(QStringLiteral("SELECT COUNT(*) FROM reminders WHERE state = 'delivered' "
                                                         "AND message_id IS NOT NULL")),
             count);
}

void TestThreads::pendingRemindersAreCapped()
{
    auto alice = connectAs(QStringLiteral("alice"));
    for (int i = 0; i < ReminderMaxPending; ++i)
        VERIFY_OK(alice->callAndWait<RemindMethod>(RemindParams{QStringLiteral("r"), 600, std::nullopt}, Timeout));
    VERIFY_FAILS(alice->callAndWait<RemindMethod>(RemindParams{QStringLiteral("one more"), 600, std::nullopt}, Timeout),
                 ErrorCode::TooLarge, "100 pending reminders");
    // Others are not affected; and the socket still serves.
    auto bob = connectAs(QStringLiteral("bob"));
    VERIFY_OK(bob->callAndWait<RemindMethod>(RemindParams{QStringLiteral("mine"), 600, std::nullopt}, Timeout));
    VERIFY_OK(alice->callAndWait<StatusMethod>(StatusParams{}, Timeout));
}

void TestThreads::overdueReminderIsDeliveredAfterRestart()
{
    qint64 id = 0;
    {
        auto alice = connectAs(QStringLiteral("alice"));
        auto set = alice->callAndWait<RemindMethod>(RemindParams{QStringLiteral("after the restart"), 30, std::nullopt},
                                                    Timeout);
        VERIFY_OK(set);
        id = set->id;
    }
    m_engine.reset();
    m_clock.advance(3600 * 1000); // due while the engine was down
    startEngine();
    auto alice = connectAs(QStringLiteral("alice"));
    auto got = alice->callAndWait<RecvMethod>(RecvParams{5.0, 1}, Timeout);
    VERIFY_OK(got);
    QCOMPARE(got->messages.size(), 1);
    QCOMPARE(systemEvents(*got).first().value(QStringLiteral("id")).toInteger(), id);
    QCOMPARE(m_engine->reminders().get(id)->state, QStringLiteral("delivered"));
}

void TestThreads::openThreadsAndCancelThread()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto bob = connectAs(QStringLiteral("bob"));
    auto mine = alice->callAndWait<AskMethod>(
        AskParams{QStringLiteral("merge?"), {}, false, 600, QStringLiteral("bob")}, Timeout);
    VERIFY_OK(mine);
    auto theirs = bob->callAndWait<AskMethod>(
        AskParams{QStringLiteral("rebase?"), {}, false, 600, QStringLiteral("alice")}, Timeout);
    VERIFY_OK(theirs);
    auto toOperator = alice->callAndWait<AskMethod>(
        AskParams{QStringLiteral("deploy?"), {}, false, 600, QStringLiteral("operator")}, Timeout);
    VERIFY_OK(toOperator);
    auto reminder =
        alice->callAndWait<RemindMethod>(RemindParams{QStringLiteral("follow up"), 300, std::nullopt}, Timeout);
    VERIFY_OK(reminder);
    VERIFY_OK(bob->callAndWait<RemindMethod>(RemindParams{QStringLiteral("bob's"), 300, std::nullopt}, Timeout));

    auto threads = alice->callAndWait<GetOpenThreadsMethod>(OpenThreadsParams{}, Timeout);
    VERIFY_OK(threads);
    QCOMPARE(threads->asked.size(), 2);
    QCOMPARE(threads->asked.at(0).id, mine->id);
    QCOMPARE(threads->asked.at(1).id, toOperator->id);
    QCOMPARE(threads->toAnswer.size(), 1);
    QCOMPARE(threads->toAnswer.first().id, theirs->id);
    QCOMPARE(threads->toAnswer.first().asker, QStringLiteral("bob"));
    QCOMPARE(threads->reminders.size(), 1);
    QCOMPARE(threads->reminders.first().id, reminder->id);
    drain(*alice);
    drain(*bob);

    // Only the asker withdraws a question; only the owner cancels a reminder.
    VERIFY_FAILS(
        alice->callAndWait<CancelThreadMethod>(CancelThreadParams{QStringLiteral("question"), theirs->id}, Timeout),
        ErrorCode::Forbidden, "only bob may cancel it");
    VERIFY_FAILS(
        bob->callAndWait<CancelThreadMethod>(CancelThreadParams{QStringLiteral("reminder"), reminder->id}, Timeout),
        ErrorCode::Forbidden, "not yours");
    VERIFY_FAILS(alice->callAndWait<CancelThreadMethod>(CancelThreadParams{QStringLiteral("question"), 9999}, Timeout),
                 ErrorCode::NotFound, "no question 9999");

    auto cancelled =
        alice->callAndWait<CancelThreadMethod>(CancelThreadParams{QStringLiteral("question"), mine->id}, Timeout);
    VERIFY_OK(cancelled);
    QCOMPARE(cancelled->id, mine->id);
    const QList<QJsonObject> told = systemEvents(drain(*bob));
    QCOMPARE(told.size(), 1);
    QCOMPARE(told.first().value(QStringLiteral("event")).toString(), QStringLiteral("question_cancelled"));
    QCOMPARE(told.first().value(QStringLiteral("id")).toInteger(), mine->id);
    auto question = m_engine->questions().get(mine->id);
    QCOMPARE(question->state, QStringLiteral("cancelled"));
    QVERIFY(!question->answer); // null on the wire, not ""
    QCOMPARE(question->answeredBy, QStringLiteral("alice"));
    VERIFY_FAILS(bob->callAndWait<AnswerMethod>(AnswerParams{mine->id, QStringLiteral("too late")}, Timeout),
                 ErrorCode::InvalidParams, "already cancelled");

    VERIFY_OK(
        alice->callAndWait<CancelThreadMethod>(CancelThreadParams{QStringLiteral("reminder"), reminder->id}, Timeout));
    VERIFY_FAILS(
        alice->callAndWait<CancelThreadMethod>(CancelThreadParams{QStringLiteral("reminder"), reminder->id}, Timeout),
        ErrorCode::InvalidParams, "already cancelled");
    m_clock.advance(600 * 1000);
    QCOMPARE(*m_engine->reminders().deliverDue(), 1); // bob's only
    const QList<QJsonObject> late = systemEvents(drain(*alice));
    QVERIFY2(late.isEmpty(), QJsonDocument(late.value(0)).toJson().constData());

    threads = alice->callAndWait<GetOpenThreadsMethod>(OpenThreadsParams{}, Timeout);
    VERIFY_OK(threads);
    QCOMPARE(threads->asked.size(), 1);
    QCOMPARE(threads->toAnswer.size(), 1);
    QVERIFY(threads->reminders.isEmpty());
}

void TestThreads::askHonoursTheAllowList()
{
    VERIFY_OK(m_engine->agents().setAllowedRecipients(QStringLiteral("alice"), {QStringLiteral("carol")}));
    auto alice = connectAs(QStringLiteral("alice"));
    VERIFY_FAILS(
        alice->callAndWait<AskMethod>(AskParams{QStringLiteral("hi?"), {}, false, 60, QStringLiteral("bob")}, Timeout),
        ErrorCode::Forbidden, "may only send to: manager, carol");
    QCOMPARE(*m_engine->database().scalar(QStringLiteral("SELECT COUNT(*) FROM questions")), 0);
    VERIFY_OK(alice->callAndWait<AskMethod>(AskParams{QStringLiteral("hi?"), {}, false, 60, QStringLiteral("carol")},
                                            Timeout));
    VERIFY_OK(alice->callAndWait<AskMethod>(AskParams{QStringLiteral("hi?"), {}, false, 60, QStringLiteral("operator")},
                                            Timeout));
    // An agent cannot message itself: a reminder is the way to talk to one's future self.
    VERIFY_FAILS(alice->callAndWait<SendMethod>(SendParams{QStringLiteral("alice"), QStringLiteral("me"), {}}, Timeout),
                 ErrorCode::InvalidParams, "cannot send to itself");
}

void TestThreads::operatorListsAnswersAndCancelsQuestions()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto bob = connectAs(QStringLiteral("bob"));
    QList<qint64> ids;
    for (int i = 0; i < 5; ++i) {
        auto asked =
            alice->callAndWait<AskMethod>(AskParams{QStringLiteral("q%1").arg(i),
                                                    {},
                                                    false,
                                                    600,
                                                    i == 0 ? QStringLiteral("bob") : QStringLiteral("operator")},
                                          Timeout);
        VERIFY_OK(asked);
        ids << asked->id;
    }
    drain(*bob);
    auto admin = connectAdmin();

    // Newest first, paged with before_id.
    auto page = admin->callAndWait<QuestionListMethod>(QuestionListParams{{}, QStringLiteral("open"), 2, {}}, Timeout);
    VERIFY_OK(page);
    QCOMPARE(page->questions.size(), 2);
    QVERIFY(page->hasMore);
    QCOMPARE(page->questions.at(0).id, ids.at(4));
    QCOMPARE(page->questions.at(1).id, ids.at(3));
    auto rest = admin->callAndWait<QuestionListMethod>(
        QuestionListParams{{}, QStringLiteral("open"), 10, page->questions.last().id}, Timeout);
    VERIFY_OK(rest);
    QCOMPARE(rest->questions.size(), 3);
    QVERIFY(!rest->hasMore);
    auto bobs = admin->callAndWait<QuestionListMethod>(
        QuestionListParams{QStringLiteral("bob"), QStringLiteral("open"), 10, {}}, Timeout);
    VERIFY_OK(bobs);
    QCOMPARE(bobs->questions.size(), 1);
    QCOMPARE(bobs->questions.first().id, ids.at(0));
    VERIFY_FAILS(admin->callAndWait<QuestionListMethod>(
                     QuestionListParams{QStringLiteral("zed"), QStringLiteral("open"), 10, {}}, Timeout),
                 ErrorCode::NotFound, "no agent named 'zed'");

    // The operator overrides a peer question: the asker gets the answer, the target is released.
    auto answered = admin->callAndWait<QuestionAnswerMethod>(
        QuestionAnswerParams{ids.at(0), QStringLiteral("yes, merge")}, Timeout);
    VERIFY_OK(answered);
    QCOMPARE(answered->state, QStringLiteral("answered"));
    QCOMPARE(answered->answeredBy, QStringLiteral("operator"));
    QCOMPARE(answered->answeredAt, m_clock.now());
    const QList<QJsonObject> toAlice = systemEvents(drain(*alice));
    QCOMPARE(toAlice.size(), 1);
    QCOMPARE(toAlice.first().value(QStringLiteral("event")).toString(), QStringLiteral("question_answered"));
    QCOMPARE(toAlice.first().value(QStringLiteral("answer")).toString(), QStringLiteral("yes, merge"));
    QCOMPARE(toAlice.first().value(QStringLiteral("answered_by")).toString(), QStringLiteral("operator"));
    const QList<QJsonObject> toBob = systemEvents(drain(*bob));
    QCOMPARE(toBob.size(), 1);
    QCOMPARE(toBob.first().value(QStringLiteral("event")).toString(), QStringLiteral("question_closed"));
    VERIFY_FAILS(
        admin->callAndWait<QuestionAnswerMethod>(QuestionAnswerParams{ids.at(0), QStringLiteral("again")}, Timeout),
        ErrorCode::InvalidParams, "already answered");

    auto cancelled = admin->callAndWait<QuestionCancelMethod>(QuestionCancelParams{ids.at(1)}, Timeout);
    VERIFY_OK(cancelled);
    QCOMPARE(cancelled->state, QStringLiteral("cancelled"));
    QCOMPARE(systemEvents(drain(*alice)).first().value(QStringLiteral("event")).toString(),
             QStringLiteral("question_cancelled"));
    VERIFY_FAILS(admin->callAndWait<QuestionCancelMethod>(QuestionCancelParams{424242}, Timeout), ErrorCode::NotFound,
                 "no question 424242");

    auto all = admin->callAndWait<QuestionListMethod>(QuestionListParams{{}, QStringLiteral("all"), 50, {}}, Timeout);
    VERIFY_OK(all);
    QCOMPARE(all->questions.size(), 5);
    auto open = admin->callAndWait<QuestionListMethod>(QuestionListParams{}, Timeout);
    VERIFY_OK(open);
    QCOMPARE(open->questions.size(), 3);

    auto threads = admin->callAndWait<ThreadListMethod>(ThreadListParams{QStringLiteral("operator")}, Timeout);
    VERIFY_OK(threads);
    QCOMPARE(threads->questions.size(), 3);
    QVERIFY(threads->reminders.isEmpty());
}

void TestThreads::operatorManagesReminders()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto bob = connectAs(QStringLiteral("bob"));
    auto first = alice->callAndWait<RemindMethod>(RemindParams{QStringLiteral("one"), 60, std::nullopt}, Timeout);
    auto second = alice->callAndWait<RemindMethod>(RemindParams{QStringLiteral("two"), 120, std::nullopt}, Timeout);
    auto third = bob->callAndWait<RemindMethod>(RemindParams{QStringLiteral("three"), 30, std::nullopt}, Timeout);
    VERIFY_OK(first);
    VERIFY_OK(second);
    VERIFY_OK(third);
    auto admin = connectAdmin();

    auto alices =
        admin->callAndWait<ReminderListMethod>(ReminderListParams{QStringLiteral("alice"), {}, 1, {}}, Timeout);
    VERIFY_OK(alices);
    QCOMPARE(alices->reminders.size(), 1);
    QCOMPARE(alices->reminders.first().id, second->id);
    QVERIFY(alices->hasMore);

    auto cancelled = admin->callAndWait<ReminderCancelMethod>(ReminderCancelParams{first->id}, Timeout);
    VERIFY_OK(cancelled);
    QCOMPARE(cancelled->state, QStringLiteral("cancelled"));
    auto pending =
        admin->callAndWait<ReminderListMethod>(ReminderListParams{{}, QStringLiteral("pending"), 50, {}}, Timeout);
    VERIFY_OK(pending);
    QCOMPARE(pending->reminders.size(), 2);

    // thread_list: the open work of everyone, soonest reminder first.
    auto threads = admin->callAndWait<ThreadListMethod>(ThreadListParams{}, Timeout);
    VERIFY_OK(threads);
    QCOMPARE(threads->reminders.size(), 2);
    QCOMPARE(threads->reminders.at(0).id, third->id);
    QCOMPARE(threads->reminders.at(1).id, second->id);
    VERIFY_FAILS(admin->callAndWait<ThreadListMethod>(ThreadListParams{QStringLiteral("nobody")}, Timeout),
                 ErrorCode::NotFound, "no agent named 'nobody'");

    m_clock.advance(3600 * 1000);
    QCOMPARE(*m_engine->reminders().deliverDue(), 2);
    QVERIFY(systemEvents(drain(*alice)).size() == 1); // "two" only: "one" was cancelled
    VERIFY_FAILS(admin->callAndWait<ReminderCancelMethod>(ReminderCancelParams{second->id}, Timeout),
                 ErrorCode::InvalidParams, "already delivered");
    VERIFY_FAILS(admin->callAndWait<ReminderRetryMethod>(ReminderRetryParams{777}, Timeout), ErrorCode::NotFound,
                 "no reminder 777");
}

void TestThreads::everyBrokerChangeIsAnEvent()
{
    QList<Event> events;
    QObject scope; // the connection ends with this function (agents disconnect after it)
    connect(&m_engine->events(), &EventLog::published, &scope, [&events](const Event &event) { events << event; });
    auto alice = connectAs(QStringLiteral("alice"));
    auto bob = connectAs(QStringLiteral("bob"));
    const qint64 syncsBefore = m_engine->database().syncCount();
    auto sent = alice->callAndWait<SendMethod>(SendParams{QStringLiteral("bob"), QStringLiteral("hi"), {}}, Timeout);
    VERIFY_OK(sent);
    // The reply to a change comes after the group sync that made it durable.
    QVERIFY(m_engine->database().syncCount() > syncsBefore);
    VERIFY_OK(bob->callAndWait<RecvMethod>(RecvParams{{}, 1}, Timeout));
    VERIFY_OK(bob->callAndWait<RequeueInflightMethod>(RequeueInflightParams{}, Timeout));
    VERIFY_OK(bob->callAndWait<RecvMethod>(RecvParams{{}, 1}, Timeout));
    VERIFY_OK(bob->callAndWait<AckMethod>(AckParams{{sent->id}}, Timeout));
    auto reminder = bob->callAndWait<RemindMethod>(RemindParams{QStringLiteral("x"), 5, std::nullopt}, Timeout);
    VERIFY_OK(reminder);
    VERIFY_OK(
        bob->callAndWait<CancelThreadMethod>(CancelThreadParams{QStringLiteral("reminder"), reminder->id}, Timeout));

    // Connections coming and going are events too (tst_agentsockets checks them); here only the
    // broker's changes count.
    events.removeIf([](const Event &event) { return event.kind.startsWith(QLatin1String("agent_")); });
    QStringList kinds;
    for (const Event &event : std::as_const(events))
        kinds << event.kind;
    QCOMPARE(kinds, (QStringList{QStringLiteral("message_sent"), QStringLiteral("message_delivered"),
                                 QStringLiteral("message_requeued"), QStringLiteral("message_delivered"),
                                 QStringLiteral("message_acked"), QStringLiteral("reminder_added"),
                                 QStringLiteral("reminder_cancelled")}));
    const QJsonObject ids{{QStringLiteral("agent"), QStringLiteral("bob")},
                          {QStringLiteral("ids"), QJsonArray{sent->id}}};
    for (int i : {1, 2, 3, 4})
        QCOMPARE(events.at(i).data, ids);
    QCOMPARE(events.at(5).data.value(QStringLiteral("id")).toInteger(), reminder->id);
    QCOMPARE(events.at(6).data.value(QStringLiteral("state")).toString(), QStringLiteral("cancelled"));
}

void TestThreads::questionOfAVanishedAgentStillExpires()
{
    auto alice = connectAs(QStringLiteral("alice"));
    auto asked = alice->callAndWait<AskMethod>(
        AskParams{QStringLiteral("still there?"), {}, false, 60, QStringLiteral("bob")}, Timeout);
    VERIFY_OK(asked);
    auto other = alice->callAndWait<AskMethod>(
        AskParams{QStringLiteral("and you?"), {}, false, 60, QStringLiteral("carol")}, Timeout);
    VERIFY_OK(other);
    // The asker is purged; its questions must still close, and the others too.
    VERIFY_OK(m_engine->agents().remove(QStringLiteral("alice")));
    m_clock.advance(61 * 1000);
    QCOMPARE(*m_engine->questions().expireDue(), 2);
    for (qint64 id : {asked->id, other->id})
        QCOMPARE(m_engine->questions().get(id)->state, QStringLiteral("expired"));
    // The targets are released.
    auto bob = connectAs(QStringLiteral("bob"));
    const QList<QJsonObject> told = systemEvents(drain(*bob));
    QCOMPARE(told.size(), 2);
    QCOMPARE(told.last().value(QStringLiteral("event")).toString(), QStringLiteral("question_closed"));
}

QTEST_GUILESS_MAIN(TestThreads)
#include "tst_threads.moc"
