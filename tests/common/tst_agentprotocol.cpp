// SPDX-License-Identifier: MIT
#include "protocol/agentmethods.h"

#include <QJsonArray>
#include <QTest>
#include <QTimeZone>

#include <functional>

using namespace hive;
using namespace hive::protocol;

namespace {

const QDateTime T1 = QDateTime(QDate(2026, 11, 24), QTime(15, 32, 26, 123), QTimeZone::utc());

Message sampleMessage()
{
    return Message{
        42,  QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("ping \u00e9\n{\"x\":1}"), T1, 41, true,
        true};
}

// Encodes, decodes and compares: every field must survive the wire.
template<typename T>
void roundTrip(const T &value)
{
    const QJsonObject json = value.toJson();
    const Result<T> back = T::fromJson(json);
    QVERIFY2(back.has_value(), back.has_value() ? "" : qPrintable(back.error().message));
    QVERIFY(*back == value);
}

using Parser = std::function<std::optional<Error>(const QJsonObject &)>;

template<typename T>
Parser parserFor()
{
    return [](const QJsonObject &json) -> std::optional<Error> {
        const Result<T> parsed = T::fromJson(json);
        if (parsed)
            return std::nullopt;
        return parsed.error();
    };
}

// The data tables name the struct by its method, so that a row reads like a request.
Parser parserNamed(const QString &method)
{
    if (method == QLatin1String("send"))
        return parserFor<SendParams>();
    if (method == QLatin1String("recv"))
        return parserFor<RecvParams>();
    if (method == QLatin1String("ack"))
        return parserFor<AckParams>();
    if (method == QLatin1String("requeue_inflight"))
        return parserFor<RequeueInflightParams>();
    if (method == QLatin1String("status"))
        return parserFor<StatusParams>();
    if (method == QLatin1String("recent"))
        return parserFor<RecentParams>();
    if (method == QLatin1String("whoami"))
        return parserFor<WhoamiParams>();
    if (method == QLatin1String("ask"))
        return parserFor<AskParams>();
    if (method == QLatin1String("answer"))
        return parserFor<AnswerParams>();
    if (method == QLatin1String("remind"))
        return parserFor<RemindParams>();
    if (method == QLatin1String("get_open_threads"))
        return parserFor<OpenThreadsParams>();
    if (method == QLatin1String("cancel_thread"))
        return parserFor<CancelThreadParams>();
    if (method == QLatin1String("config"))
        return parserFor<ConfigParams>();
    if (method == QLatin1String("request_apply_commit"))
        return parserFor<RequestApplyCommitParams>();
    if (method == QLatin1String("request_spawn"))
        return parserFor<RequestSpawnParams>();
    if (method == QLatin1String("request_spawn_draft"))
        return parserFor<RequestSpawnDraftParams>();
    if (method == QLatin1String("request_spawn_commit"))
        return parserFor<RequestSpawnCommitParams>();
    if (method == QLatin1String("harness_attach"))
        return parserFor<HarnessAttachParams>();
    if (method == QLatin1String("harness_state"))
        return parserFor<HarnessStateParams>();
    if (method == QLatin1String("turn_event"))
        return parserFor<TurnEventParams>();
    if (method == QLatin1String("kill"))
        return parserFor<AgentKillParams>();
    if (method == QLatin1String("start"))
        return parserFor<AgentStartParams>();
    if (method == QLatin1String("restart"))
        return parserFor<AgentRestartParams>();
    if (method == QLatin1String("update"))
        return parserFor<AgentUpdateParams>();
    if (method == QLatin1String("list_agents"))
        return parserFor<AgentListParams>();
    if (method == QLatin1String("message"))
        return parserFor<Message>();
    if (method == QLatin1String("turn_report"))
        return parserFor<TurnReportParams>();
    if (method == QLatin1String("budget_status"))
        return parserFor<BudgetStatusParams>();
    return {};
}

QJsonArray idArray(int count)
{
    QJsonArray array;
    for (int i = 1; i <= count; ++i)
        array.append(i);
    return array;
}

} // namespace

class TestAgentProtocol : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void questionTypesRoundTrip();
    void everyStructRoundTrips();
    void optionalFieldsRoundTripWhenAbsent();
    void wireNames();
    void defaults();
    void invalidParamsAreNamed_data();
    void invalidParamsAreNamed();
    void boundariesAreAccepted_data();
    void boundariesAreAccepted();
    void methodTable();
};

void TestAgentProtocol::everyStructRoundTrips()
{
    roundTrip(sampleMessage());
    roundTrip(SendParams{QStringLiteral("*"), QStringLiteral("hello all"), 7});
    roundTrip(SendResult{12, 5});
    roundTrip(RecvParams{2.5, 32});
    roundTrip(RecvResult{{sampleMessage(), sampleMessage()}, 3});
    roundTrip(AckParams{{1, 2, 9007199254740992LL}});
    roundTrip(AckResult{3});
    roundTrip(RequeueInflightParams{});
    roundTrip(RequeueInflightResult{4});
    roundTrip(StatusParams{});
    roundTrip(StatusResult{5, 2});
    roundTrip(RecentParams{200});
    roundTrip(RecentResult{{sampleMessage()}});
    roundTrip(WhoamiParams{});
    roundTrip(WhoamiResult{QStringLiteral("alice"), QStringLiteral("agent"), QStringLiteral("0.1.0")});
    roundTrip(WhoamiResult{QStringLiteral("manager"), QStringLiteral("manager"), QStringLiteral("0.1.0")});

    const QDateTime t = sampleMessage().sentAt;
    roundTrip(RemindParams{QStringLiteral("look at CI"), 90, std::nullopt});
    roundTrip(RemindParams{QStringLiteral("stand-up"), std::nullopt, t});
    roundTrip(RemindResult{5, t});
    Reminder pending{3,
                     QStringLiteral("alice"),
                     QStringLiteral("look"),
                     t,
                     t.addSecs(60),
                     QStringLiteral("pending"),
                     2,
                     QStringLiteral("unknown recipient 'alice'"),
                     t.addSecs(120),
                     std::nullopt,
                     std::nullopt,
                     std::nullopt};
    roundTrip(pending);
    Reminder delivered = pending;
    delivered.state = QStringLiteral("delivered");
    delivered.nextAttemptAt.reset();
    delivered.deliveredAt = t.addSecs(121);
    delivered.messageId = 99;
    roundTrip(delivered);
    Reminder cancelled = pending;
    cancelled.state = QStringLiteral("cancelled");
    cancelled.cancelledBy = QStringLiteral("operator");
    roundTrip(cancelled);
    roundTrip(ReminderListParams{QStringLiteral("alice"), QStringLiteral("failed"), 20, 400});
    roundTrip(ReminderListParams{});
    // "all" is the same as no state filter.
    QCOMPARE(ReminderListParams::fromJson(QJsonObject{{QStringLiteral("state"), QStringLiteral("all")}})->state,
             std::nullopt);
    QVERIFY(!ReminderListParams::fromJson(QJsonObject{{QStringLiteral("state"), QStringLiteral("late")}}));
    roundTrip(ReminderListResult{{pending, delivered}, true});
    roundTrip(ReminderRetryParams{8});
    roundTrip(ReminderCancelParams{9});
    const Question question{7,
                            QStringLiteral("alice"),
                            QStringLiteral("bob"),
                            QStringLiteral("merge?"),
                            {QStringLiteral("yes"), QStringLiteral("no")},
                            true,
                            t,
                            t.addSecs(60),
                            QStringLiteral("answered"),
                            QStringLiteral("yes"),
                            QStringLiteral("operator"),
                            t.addSecs(30)};
    roundTrip(OpenThreadsParams{});
    roundTrip(OpenThreadsResult{{question}, {question, question}, {pending}});
    roundTrip(CancelThreadParams{QStringLiteral("reminder"), 4});
    roundTrip(CancelThreadResult{QStringLiteral("question"), 4});
    roundTrip(ThreadListParams{QStringLiteral("alice")});
    roundTrip(ThreadListParams{});
    roundTrip(ThreadListResult{{question}, {pending}});
    roundTrip(QuestionListParams{QStringLiteral("operator"), QStringLiteral("all"), 10, 77});
    roundTrip(QuestionListResult{{question}, false});
    roundTrip(QuestionAnswerParams{7, QStringLiteral("ship it")});
    roundTrip(QuestionCancelParams{7});
}

void TestAgentProtocol::optionalFieldsRoundTripWhenAbsent()
{
    Message plain = sampleMessage();
    plain.inReplyTo.reset();
    plain.broadcast = false;
    plain.redelivered = false;
    roundTrip(plain);
    roundTrip(SendParams{QStringLiteral("bob"), QString(), std::nullopt});
    roundTrip(RecvParams{});
    roundTrip(RecvParams{0.0, 1});
    roundTrip(RecvResult{{}, 0});
    roundTrip(RecentParams{});
    roundTrip(RecentResult{});
}

void TestAgentProtocol::wireNames()
{
    // A message always carries in_reply_to, null when it answers nothing.
    Message plain = sampleMessage();
    plain.inReplyTo.reset();
    const QJsonObject json = plain.toJson();
    QStringList keys = json.keys();
    keys.sort();
    QCOMPARE(keys, (QStringList{QStringLiteral("body"), QStringLiteral("broadcast"), QStringLiteral("from"),
                                QStringLiteral("id"), QStringLiteral("in_reply_to"), QStringLiteral("redelivered"),
                                QStringLiteral("sent_at"), QStringLiteral("to")}));
    QVERIFY(json.value(QStringLiteral("in_reply_to")).isNull());
    QCOMPARE(json.value(QStringLiteral("sent_at")).toString(), QStringLiteral("2026-11-24T15:32:26.123Z"));
    QCOMPARE(sampleMessage().toJson().value(QStringLiteral("in_reply_to")).toInteger(), 41);

    // Absent optional request fields are left out, not sent as null.
    const auto key = [](const char *name) {
        return QString::fromLatin1(name);
    };
    const QJsonObject sendPlain = SendParams{key("bob"), key("x"), std::nullopt}.toJson();
    QVERIFY(!sendPlain.contains(key("in_reply_to")));
    const QJsonObject sendReply = SendParams{key("bob"), key("x"), 3}.toJson();
    QCOMPARE(sendReply.value(key("in_reply_to")), QJsonValue(3));
    const QJsonObject recvPeek = RecvParams{}.toJson();
    QCOMPARE(recvPeek, QJsonObject({{key("max"), 1}}));
    const QJsonObject recvWait = RecvParams{1.5, 4}.toJson();
    QCOMPARE(recvWait, QJsonObject({{key("wait_seconds"), 1.5}, {key("max"), 4}}));
    const QJsonObject ack = AckParams{{3, 4}}.toJson();
    QCOMPARE(ack, QJsonObject({{key("ids"), QJsonArray({3, 4})}}));
    const QJsonObject sent = SendResult{1, 2}.toJson();
    QCOMPARE(sent, QJsonObject({{key("id"), 1}, {key("recipients"), 2}}));
    const QJsonObject status = StatusResult{1, 2}.toJson();
    QCOMPARE(status, QJsonObject({{key("unread"), 1}, {key("inflight"), 2}}));
    QCOMPARE(RequeueInflightResult{6}.toJson(), QJsonObject({{key("requeued"), 6}}));
    QCOMPARE(AckResult{6}.toJson(), QJsonObject({{key("acked"), 6}}));
    const QJsonObject received = RecvResult{}.toJson();
    QCOMPARE(received, QJsonObject({{key("messages"), QJsonArray()}, {key("pending"), 0}}));
    const QJsonObject whoami = WhoamiResult{key("a"), key("agent"), key("1")}.toJson();
    QCOMPARE(whoami,
             QJsonObject({{key("name"), key("a")}, {key("role"), key("agent")}, {key("engine_version"), key("1")}}));

    // in_reply_to may also arrive as null from other clients.
    QJsonObject withNull = plain.toJson();
    withNull.insert(QStringLiteral("in_reply_to"), QJsonValue());
    const auto parsed = Message::fromJson(withNull);
    QVERIFY(parsed);
    QVERIFY(!parsed->inReplyTo);
}

void TestAgentProtocol::defaults()
{
    const auto recv = RecvParams::fromJson({});
    QVERIFY(recv);
    QVERIFY(!recv->waitSeconds);
    QCOMPARE(recv->max, 1);
    const auto nullWait = RecvParams::fromJson({{QStringLiteral("wait_seconds"), QJsonValue()}});
    QVERIFY(nullWait);
    QVERIFY(!nullWait->waitSeconds);
    const auto recent = RecentParams::fromJson({});
    QVERIFY(recent);
    QCOMPARE(recent->limit, 20);
    const auto send = SendParams::fromJson(
        {{QStringLiteral("to"), QStringLiteral("bob")}, {QStringLiteral("body"), QStringLiteral("hi")}});
    QVERIFY(send);
    QVERIFY(!send->inReplyTo);
}

void TestAgentProtocol::invalidParamsAreNamed_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QStringList>("mentions");

    const auto key = [](const char *name) {
        return QString::fromLatin1(name);
    };
    const auto wait = [&](const QJsonValue &v) {
        return QJsonObject{{key("wait_seconds"), v}};
    };
    const auto max = [&](const QJsonValue &v) {
        return QJsonObject{{key("max"), v}};
    };
    const auto ids = [&](const QJsonValue &v) {
        return QJsonObject{{key("ids"), v}};
    };
    const auto limit = [&](const QJsonValue &v) {
        return QJsonObject{{key("limit"), v}};
    };

    QTest::newRow("wait_seconds -1") << key("recv") << wait(-1) << QStringList{key("'wait_seconds'"), key("negative")};
    QTest::newRow("wait_seconds -0.5") << key("recv") << wait(-0.5) << QStringList{key("'wait_seconds'"), key("-0.5")};
    QTest::newRow("wait_seconds 181") << key("recv") << wait(181)
                                      << QStringList{key("'wait_seconds'"), key("at most 180"), key("181")};
    QTest::newRow("wait_seconds 180.5") << key("recv") << wait(180.5)
                                        << QStringList{key("'wait_seconds'"), key("at most 180")};
    QTest::newRow("wait_seconds \"5\"") << key("recv") << wait(key("5"))
                                        << QStringList{key("'wait_seconds'"), key("must be a number")};
    QTest::newRow("max 0") << key("recv") << max(0) << QStringList{key("'max'"), key("between 1 and 32"), key("got 0")};
    QTest::newRow("max 33") << key("recv") << max(33) << QStringList{key("'max'"), key("between 1 and 32")};
    QTest::newRow("max 1.5") << key("recv") << max(1.5) << QStringList{key("'max'"), key("integer")};
    QTest::newRow("max huge") << key("recv") << max(1e12) << QStringList{key("'max'"), key("32-bit integer")};
    QTest::newRow("recv unknown field") << key("recv") << QJsonObject{{key("wait"), 5}}
                                        << QStringList{key("unknown field 'wait'"), key("wait_seconds")};

    QTest::newRow("ids missing") << key("ack") << QJsonObject{} << QStringList{key("missing required field 'ids'")};
    QTest::newRow("ids not an array") << key("ack") << ids(1) << QStringList{key("'ids'"), key("an array")};
    QTest::newRow("ids empty") << key("ack") << ids(QJsonArray())
                               << QStringList{key("'ids'"), key("between 1 and 256")};
    QTest::newRow("ids 257") << key("ack") << ids(idArray(257))
                             << QStringList{key("'ids'"), key("between 1 and 256"), key("got 257")};
    QTest::newRow("ids [1, \"x\"]") << key("ack") << ids(QJsonArray{1, key("x")})
                                    << QStringList{key("'ids'"), key("ids[1]"), key("positive integer")};
    QTest::newRow("ids [0]") << key("ack") << ids(QJsonArray{0}) << QStringList{key("'ids'"), key("ids[0]")};
    QTest::newRow("ids [5, -3]") << key("ack") << ids(QJsonArray{5, -3}) << QStringList{key("ids[1]")};
    QTest::newRow("ids [2.5]") << key("ack") << ids(QJsonArray{2.5}) << QStringList{key("ids[0]")};
    QTest::newRow("ids [null]") << key("ack") << ids(QJsonArray{QJsonValue()}) << QStringList{key("ids[0]")};
    QTest::newRow("ack unknown field") << key("ack") << QJsonObject{{key("ids"), QJsonArray{1}}, {key("all"), true}}
                                       << QStringList{key("unknown field 'all'")};

    QTest::newRow("limit 0") << key("recent") << limit(0) << QStringList{key("'limit'"), key("between 1 and 200")};
    QTest::newRow("limit 201") << key("recent") << limit(201)
                               << QStringList{key("'limit'"), key("between 1 and 200"), key("got 201")};
    QTest::newRow("limit \"10\"") << key("recent") << limit(key("10")) << QStringList{key("'limit'"), key("integer")};
    QTest::newRow("recent unknown field")
        << key("recent") << QJsonObject{{key("count"), 5}} << QStringList{key("unknown field 'count'")};

    QTest::newRow("send missing body") << key("send") << QJsonObject{{key("to"), key("bob")}}
                                       << QStringList{key("missing required field 'body'")};
    QTest::newRow("send empty to") << key("send") << QJsonObject{{key("to"), QString()}, {key("body"), key("x")}}
                                   << QStringList{key("'to'"), key("empty")};
    QTest::newRow("send in_reply_to 0") << key("send")
                                        << QJsonObject{{key("to"), key("bob")},
                                                       {key("body"), key("x")},
                                                       {key("in_reply_to"), 0}}
                                        << QStringList{key("'in_reply_to'"), key("positive")};
    QTest::newRow("send in_reply_to \"7\"")
        << key("send") << QJsonObject{{key("to"), key("bob")}, {key("body"), key("x")}, {key("in_reply_to"), key("7")}}
        << QStringList{key("'in_reply_to'"), key("integer")};
    QTest::newRow("send unknown field") << key("send")
                                        << QJsonObject{{key("to"), key("bob")},
                                                       {key("body"), key("x")},
                                                       {key("from"), key("mallory")}}
                                        << QStringList{key("unknown field 'from'")};

    QTest::newRow("requeue_inflight unknown field")
        << key("requeue_inflight") << QJsonObject{{key("ids"), 1}} << QStringList{key("unknown field 'ids'")};
    QTest::newRow("status unknown field")
        << key("status") << QJsonObject{{key("x"), 1}} << QStringList{key("unknown field 'x'")};
    QTest::newRow("ask empty question") << key("ask") << QJsonObject{{key("question"), key("  ")}}
                                        << QStringList{key("'question'")};
    QTest::newRow("ask ttl zero") << key("ask") << QJsonObject{{key("question"), key("q")}, {key("ttl_seconds"), 0}}
                                  << QStringList{key("'ttl_seconds'")};
    QTest::newRow("ask ttl over 6 h") << key("ask")
                                      << QJsonObject{{key("question"), key("q")}, {key("ttl_seconds"), 21601}}
                                      << QStringList{key("'ttl_seconds'"), key("21600")};
    QTest::newRow("ask options not strings")
        << key("ask") << QJsonObject{{key("question"), key("q")}, {key("options"), QJsonArray{QJsonValue(1)}}}
        << QStringList{key("'options'")};
    QTest::newRow("answer empty") << key("answer") << QJsonObject{{key("id"), 1}, {key("answer"), QString()}}
                                  << QStringList{key("'answer'")};
    QTest::newRow("answer bad id") << key("answer") << QJsonObject{{key("id"), -3}, {key("answer"), key("yes")}}
                                   << QStringList{key("'id'")};
    QTest::newRow("whoami unknown field")
        << key("whoami") << QJsonObject{{key("name"), key("manager")}} << QStringList{key("unknown field 'name'")};
    QTest::newRow("ask question over 16 KiB")
        << key("ask") << QJsonObject{{key("question"), QString(16 * 1024 + 1, QLatin1Char('q'))}}
        << QStringList{key("'question'"), key("16385 bytes"), key("16384")};
    QTest::newRow("ask 33 options") << key("ask")
                                    << QJsonObject{{key("question"), key("q")},
                                                   {key("options"),
                                                    QJsonArray::fromStringList(QStringList(33, key("o")))}}
                                    << QStringList{key("'options'"), key("at most 32"), key("got 33")};
    QTest::newRow("ask empty option") << key("ask")
                                      << QJsonObject{{key("question"), key("q")},
                                                     {key("options"), QJsonArray{key("yes"), key(" ")}}}
                                      << QStringList{key("'options'"), key("option 1 is empty")};
    QTest::newRow("answer over 16 KiB") << key("answer")
                                        << QJsonObject{{key("id"), 1},
                                                       {key("answer"), QString(16 * 1024 + 1, QLatin1Char('a'))}}
                                        << QStringList{key("'answer'"), key("16384")};

    const auto remind = [&](QJsonObject extra) {
        extra.insert(key("message"), key("check the build"));
        return extra;
    };
    QTest::newRow("remind neither delay nor at")
        << key("remind") << remind({}) << QStringList{key("exactly one of 'delay_seconds' and 'at'")};
    QTest::newRow("remind both delay and at")
        << key("remind") << remind({{key("delay_seconds"), 60}, {key("at"), key("2026-01-01T00:00:00Z")}})
        << QStringList{key("exactly one of 'delay_seconds' and 'at'")};
    QTest::newRow("remind delay 0") << key("remind") << remind({{key("delay_seconds"), 0}})
                                    << QStringList{key("'delay_seconds'"), key("between 1 and 2592000")};
    QTest::newRow("remind delay -5") << key("remind") << remind({{key("delay_seconds"), -5}})
                                     << QStringList{key("'delay_seconds'"), key("got -5")};
    QTest::newRow("remind delay 31 days") << key("remind") << remind({{key("delay_seconds"), 31 * 86400}})
                                          << QStringList{key("'delay_seconds'"), key("30 days")};
    QTest::newRow("remind delay \"60\"") << key("remind") << remind({{key("delay_seconds"), key("60")}})
                                         << QStringList{key("'delay_seconds'"), key("integer")};
    QTest::newRow("remind delay 1.5") << key("remind") << remind({{key("delay_seconds"), 1.5}})
                                      << QStringList{key("'delay_seconds'")};
    QTest::newRow("remind at without zone") << key("remind") << remind({{key("at"), key("2026-01-01T09:00:00")}})
                                            << QStringList{key("'at'"), key("with a zone")};
    QTest::newRow("remind at garbage") << key("remind") << remind({{key("at"), key("tomorrow")}})
                                       << QStringList{key("'at'"), key("'tomorrow'")};
    QTest::newRow("remind empty message")
        << key("remind") << QJsonObject{{key("message"), key(" ")}, {key("delay_seconds"), 5}}
        << QStringList{key("'message'"), key("empty")};
    QTest::newRow("remind message over 16 KiB")
        << key("remind")
        << QJsonObject{{key("message"), QString(16 * 1024 + 1, QLatin1Char('m'))}, {key("delay_seconds"), 5}}
        << QStringList{key("'message'"), key("16384 bytes")};
    QTest::newRow("remind unknown field")
        << key("remind") << remind({{key("delay_seconds"), 5}, {key("to"), key("bob")}})
        << QStringList{key("unknown field 'to'")};
    QTest::newRow("get_open_threads unknown field")
        << key("get_open_threads") << QJsonObject{{key("agent"), key("bob")}}
        << QStringList{key("unknown field 'agent'")};
    QTest::newRow("cancel_thread bad kind")
        << key("cancel_thread") << QJsonObject{{key("kind"), key("message")}, {key("id"), 3}}
        << QStringList{key("'kind'"), key("'question' or 'reminder'")};
    QTest::newRow("cancel_thread missing id") << key("cancel_thread") << QJsonObject{{key("kind"), key("reminder")}}
                                              << QStringList{key("missing required field 'id'")};
    QTest::newRow("cancel_thread id 0") << key("cancel_thread")
                                        << QJsonObject{{key("kind"), key("question")}, {key("id"), 0}}
                                        << QStringList{key("'id'"), key("positive")};

    QJsonObject badTime = sampleMessage().toJson();
    badTime.insert(key("sent_at"), key("yesterday"));
    QTest::newRow("message bad sent_at") << key("message") << badTime << QStringList{key("'sent_at'")};
    QJsonObject noFlag = sampleMessage().toJson();
    noFlag.remove(key("redelivered"));
    QTest::newRow("message missing redelivered")
        << key("message") << noFlag << QStringList{key("missing required field 'redelivered'")};
}

void TestAgentProtocol::invalidParamsAreNamed()
{
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);
    QFETCH(QStringList, mentions);
    const Parser parse = parserNamed(method);
    QVERIFY2(parse, qPrintable(method));
    const std::optional<Error> error = parse(params);
    QVERIFY2(error, "accepted");
    QCOMPARE(error->code, ErrorCode::InvalidParams);
    for (const QString &mention : mentions)
        QVERIFY2(error->message.contains(mention), qPrintable(error->message + QStringLiteral(" lacks ") + mention));
}

void TestAgentProtocol::boundariesAreAccepted_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");

    const auto key = [](const char *name) {
        return QString::fromLatin1(name);
    };
    QTest::newRow("wait_seconds 0") << key("recv") << QJsonObject{{key("wait_seconds"), 0}};
    QTest::newRow("wait_seconds 180") << key("recv") << QJsonObject{{key("wait_seconds"), 180}};
    QTest::newRow("wait_seconds 0.25") << key("recv") << QJsonObject{{key("wait_seconds"), 0.25}};
    QTest::newRow("max 1") << key("recv") << QJsonObject{{key("max"), 1}};
    QTest::newRow("max 32") << key("recv") << QJsonObject{{key("max"), 32}};
    QTest::newRow("max 32.0") << key("recv") << QJsonObject{{key("max"), 32.0}};
    QTest::newRow("ids 1") << key("ack") << QJsonObject{{key("ids"), idArray(1)}};
    QTest::newRow("ids 256") << key("ack") << QJsonObject{{key("ids"), idArray(256)}};
    QTest::newRow("limit 1") << key("recent") << QJsonObject{{key("limit"), 1}};
    QTest::newRow("remind delay 1") << key("remind")
                                    << QJsonObject{{key("message"), key("m")}, {key("delay_seconds"), 1}};
    QTest::newRow("remind delay 30 days")
        << key("remind") << QJsonObject{{key("message"), key("m")}, {key("delay_seconds"), 30 * 86400}};
    QTest::newRow("remind at with offset")
        << key("remind") << QJsonObject{{key("message"), key("m")}, {key("at"), key("2026-11-24T09:00:00+01:00")}};
    QTest::newRow("remind at +0100") << key("remind")
                                     << QJsonObject{{key("message"), key("m")},
                                                    {key("at"), key("2026-11-24T09:00:00+0100")}};
    QTest::newRow("remind at -05") << key("remind")
                                   << QJsonObject{{key("message"), key("m")},
                                                  {key("at"), key("2026-11-24T09:00:00-05")}};
    QTest::newRow("remind message 16 KiB")
        << key("remind")
        << QJsonObject{{key("message"), QString(16 * 1024, QLatin1Char('m'))}, {key("delay_seconds"), 1}};
    QTest::newRow("ask 32 options") << key("ask")
                                    << QJsonObject{
                                           {key("question"), key("q")},
                                           {key("options"), QJsonArray::fromStringList(QStringList(32, key("o")))}};
    QTest::newRow("cancel_thread reminder")
        << key("cancel_thread") << QJsonObject{{key("kind"), key("reminder")}, {key("id"), 1}};
    QTest::newRow("limit 200") << key("recent") << QJsonObject{{key("limit"), 200}};
    QTest::newRow("empty body") << key("send") << QJsonObject{{key("to"), key("*")}, {key("body"), QString()}};
}

void TestAgentProtocol::boundariesAreAccepted()
{
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);
    const Parser parse = parserNamed(method);
    QVERIFY2(parse, qPrintable(method));
    const std::optional<Error> error = parse(params);
    QVERIFY2(!error, error ? qPrintable(error->message) : "");
}

void TestAgentProtocol::methodTable()
{
    const auto methods = hive::protocol::methodTable(AgentMethods{});
    QStringList names;
    QStringList mutating;
    for (const MethodInfo &method : methods) {
        names << method.name;
        if (method.mutates)
            mutating << method.name;
    }
    QCOMPARE(names, (QStringList{QStringLiteral("send"),
                                 QStringLiteral("recv"),
                                 QStringLiteral("ack"),
                                 QStringLiteral("requeue_inflight"),
                                 QStringLiteral("status"),
                                 QStringLiteral("recent"),
                                 QStringLiteral("whoami"),
                                 QStringLiteral("ask"),
                                 QStringLiteral("answer"),
                                 QStringLiteral("remind"),
                                 QStringLiteral("get_open_threads"),
                                 QStringLiteral("cancel_thread"),
                                 QStringLiteral("config"),
                                 QStringLiteral("request_apply_commit"),
                                 QStringLiteral("request_spawn"),
                                 QStringLiteral("request_spawn_draft"),
                                 QStringLiteral("request_spawn_commit"),
                                 QStringLiteral("harness_attach"),
                                 QStringLiteral("harness_state"),
                                 QStringLiteral("turn_event"),
                                 QStringLiteral("start"),
                                 QStringLiteral("kill"),
                                 QStringLiteral("restart"),
                                 QStringLiteral("update"),
                                 QStringLiteral("list_agents"),
                                 QStringLiteral("turn_report"),
                                 QStringLiteral("budget_status")}));
    QCOMPARE(mutating, (QStringList{QStringLiteral("send"),
                                    QStringLiteral("recv"),
                                    QStringLiteral("ack"),
                                    QStringLiteral("requeue_inflight"),
                                    QStringLiteral("ask"),
                                    QStringLiteral("answer"),
                                    QStringLiteral("remind"),
                                    QStringLiteral("cancel_thread"),
                                    QStringLiteral("request_apply_commit"),
                                    QStringLiteral("request_spawn"),
                                    QStringLiteral("request_spawn_draft"),
                                    QStringLiteral("request_spawn_commit"),
                                    QStringLiteral("harness_attach"),
                                    QStringLiteral("harness_state"),
                                    QStringLiteral("turn_event"),
                                    QStringLiteral("start"),
                                    QStringLiteral("kill"),
                                    QStringLiteral("restart"),
                                    QStringLiteral("update"),
                                    QStringLiteral("turn_report")}));
    // Every agent method has a parser in the data tables above.
    for (const QString &name : std::as_const(names))
        QVERIFY2(parserNamed(name), qPrintable(name));
}

void TestAgentProtocol::questionTypesRoundTrip()
{
    const QDateTime t = QDateTime(QDate(2026, 11, 24), QTime(12, 0, 0, 5), QTimeZone::utc());
    const AskParams ask{
        QStringLiteral("deploy now?"), {QStringLiteral("yes"), QStringLiteral("no")}, true, 600, QStringLiteral("bob")};
    QCOMPARE(*AskParams::fromJson(ask.toJson()), ask);
    const auto defaults = AskParams::fromJson({{QStringLiteral("question"), QStringLiteral("q")}});
    QCOMPARE(defaults->to, QStringLiteral("operator"));
    QCOMPARE(defaults->ttlSeconds, MaxQuestionTtlSeconds);
    QCOMPARE(*AskResult::fromJson(AskResult{7, t}.toJson()), (AskResult{7, t}));
    QCOMPARE(*AnswerParams::fromJson(AnswerParams{7, QStringLiteral("yes")}.toJson()),
             (AnswerParams{7, QStringLiteral("yes")}));
    QCOMPARE(*AnswerResult::fromJson(AnswerResult{7}.toJson()), AnswerResult{7});
    const Question open{
        7, QStringLiteral("alice"), QStringLiteral("operator"), QStringLiteral("q"), {},           false,
        t, t.addSecs(60),           QStringLiteral("open"),     std::nullopt,        std::nullopt, std::nullopt};
    QCOMPARE(*Question::fromJson(open.toJson()), open);
    Question answered = open;
    answered.state = QStringLiteral("answered");
    answered.answer = QStringLiteral("yes");
    answered.answeredBy = QStringLiteral("operator");
    QCOMPARE(*Question::fromJson(answered.toJson()), answered);
}

QTEST_GUILESS_MAIN(TestAgentProtocol)
#include "tst_agentprotocol.moc"
