// SPDX-License-Identifier: MIT
// StreamParser over stream-json lines in the shapes the real CLI writes (shared/notes/agent-cli.md
// §6 and §7); the end-to-end tests run the real CLI.
#include "streamparser.h"

#include <QTest>

using namespace hive::harness;

namespace {

QByteArray init()
{
    return R"({"type":"system","subtype":"init","cwd":"/state","session_id":"42c6","tools":["Bash","mcp__hive__send"],)"
           R"("mcp_servers":[{"name":"hive","status":"connected"}],"model":"m","permissionMode":"default"})";
}

QByteArray toolUse(const char *id, const char *name, const char *input)
{
    return QByteArray(R"({"type":"assistant","message":{"id":"msg_1","content":[{"type":"tool_use","id":")") + id +
           R"(","name":")" + name + R"(","input":)" + input + R"(}],"stop_reason":null},"session_id":"42c6"})";
}

QByteArray toolResult(const char *id, const char *text, bool isError)
{
    return QByteArray(R"({"type":"user","message":{"role":"user","content":[{"tool_use_id":")") + id +
           R"(","type":"tool_result","content":[{"type":"text","text":")" + text + R"("}],"is_error":)" +
           (isError ? "true" : "false") + "}]}}";
}

QByteArray result(const char *fields)
{
    return QByteArray(R"({"type":"result",)") + fields + "}";
}

const char *const Success =
    R"("subtype":"success","is_error":false,"result":"done","num_turns":2,"total_cost_usd":0.0208,)"
    R"("usage":{"input_tokens":5148,"output_tokens":10,"cache_read_input_tokens":7,"cache_creation_input_tokens":3},)"
    R"("permission_denials":[],"terminal_reason":"completed","api_error_status":null)";

} // namespace

class TestStreamParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void successfulTurnWithToolCalls()
    {
        StreamParser parser;
        QVERIFY(parser.feed(init()).isEmpty());
        QCOMPARE(parser.sessionId(), QStringLiteral("42c6"));

        const auto text = parser.feed(
            R"({"type":"assistant","message":{"id":"msg_1","content":[{"type":"text","text":"Calling send."}]}})");
        QCOMPARE(text.size(), 1);
        QCOMPARE(text.first().kind, StreamEvent::Kind::Text);
        QCOMPARE(text.first().text, QStringLiteral("Calling send."));

        const auto call = parser.feed(toolUse("toolu_1", "mcp__hive__send", R"({"to":"bob","body":"hi"})"));
        QCOMPARE(call.size(), 1);
        QCOMPARE(call.first().kind, StreamEvent::Kind::ToolCall);
        QCOMPARE(call.first().tool, QStringLiteral("mcp__hive__send"));
        QCOMPARE(call.first().input.value(QStringLiteral("to")).toString(), QStringLiteral("bob"));

        const auto reply = parser.feed(toolResult("toolu_1", "{\\\"id\\\":17}", false));
        QCOMPARE(reply.size(), 1);
        QCOMPARE(reply.first().kind, StreamEvent::Kind::ToolResult);
        QCOMPARE(reply.first().tool, QStringLiteral("mcp__hive__send")); // named from its tool_use
        QCOMPARE(reply.first().text, QStringLiteral("{\"id\":17}"));
        QVERIFY(!reply.first().isError);

        parser.feed(toolUse("toolu_2", "mcp__hive__send", R"({"to":"operator","body":"x"})"));
        parser.feed(toolResult("toolu_2", "ok", false));
        parser.feed(toolUse("toolu_3", "mcp__hive__send", R"({"to":"*","body":"x"})"));
        parser.feed(toolResult("toolu_3", "ok", false));
        parser.feed(toolUse("toolu_4", "Bash", R"({"command":"ls"})"));
        parser.feed(toolResult("toolu_4", "a b", false));
        QVERIFY(!parser.result());
        QCOMPARE(parser.exit(false, false), TurnExit::Crash); // no result line yet

        parser.feed(result(Success));
        QVERIFY(parser.result());
        QCOMPARE(parser.exit(false, false), TurnExit::Ok);
        QCOMPARE(parser.toolCalls().value(QStringLiteral("mcp__hive__send")), 3);
        QCOMPARE(parser.toolCalls().value(QStringLiteral("Bash")), 1);
        QCOMPARE(parser.toolCallCount(), 4);
        QCOMPARE(parser.sent().value(QStringLiteral("peer")), 1);
        QCOMPARE(parser.sent().value(QStringLiteral("operator")), 1);
        QCOMPARE(parser.sent().value(QStringLiteral("broadcast")), 1);
        QCOMPARE(parser.usage().input, 5148);
        QCOMPARE(parser.usage().output, 10);
        QCOMPARE(parser.usage().cacheRead, 7);
        QCOMPARE(parser.usage().cacheCreation, 3);
        QCOMPARE(parser.costUsd(), 0.0208);
        QCOMPARE(parser.permissionDenials(), 0);
    }

    void refusedSendIsNotCountedAsSent()
    {
        StreamParser parser;
        parser.feed(toolUse("toolu_1", "mcp__hive__send", R"({"to":"carol","body":"hi"})"));
        const auto refused = parser.feed(toolResult("toolu_1", "not allowed: alice may send to bob", true));
        QVERIFY(refused.first().isError);
        QVERIFY(parser.sent().isEmpty());
        QCOMPARE(parser.toolCalls().value(QStringLiteral("mcp__hive__send")), 1); // the call still counts
    }

    void messagesTakenWithRecvAreListed()
    {
        StreamParser parser;
        parser.feed(toolUse("toolu_1", "mcp__hive__recv", R"({})"));
        parser.feed(
            toolResult("toolu_1", R"({\"messages\":[{\"id\":7,\"from\":\"bob\"},{\"id\":9}],\"pending\":0})", false));
        parser.feed(toolUse("toolu_2", "mcp__hive__recv", R"({})"));
        parser.feed(toolResult("toolu_2", R"({\"messages\":[{\"id\":11}]})", true)); // an error: nothing leased
        parser.feed(toolUse("toolu_3", "mcp__other__recv", R"({})"));
        parser.feed(toolResult("toolu_3", R"({\"messages\":[{\"id\":12}]})", false)); // not ours
        QCOMPARE(parser.receivedIds(), (QList<qint64>{7, 9}));
    }

    void permissionDenialsComeFromTheResultLine()
    {
        StreamParser parser;
        parser.feed(toolUse("toolu_1", "Bash", R"({"command":"python3 -c 1"})"));
        parser.feed(toolResult("toolu_1", "This command requires approval", true));
        parser.feed(
            result(R"("subtype":"success","is_error":false,"result":"ok","permission_denials":)"
                   R"([{"tool_name":"Bash","tool_use_id":"toolu_1","tool_input":{"command":"python3 -c 1"}}])"));
        QCOMPARE(parser.permissionDenials(), 1);
        QCOMPARE(parser.exit(false, false), TurnExit::Ok); // a denial does not fail the turn
    }

    void exitKinds_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QByteArray>("assistantError");
        QTest::addColumn<bool>("cancelled");
        QTest::addColumn<bool>("timedOut");
        QTest::addColumn<QString>("exit");
        QTest::newRow("prompt too long")
            << result(
                   R"("subtype":"success","is_error":true,"result":"Prompt is too long","terminal_reason":"prompt_too_long")")
            << QByteArray() << false << false << QStringLiteral("prompt_too_long");
        QTest::newRow("429")
            << result(R"("subtype":"success","is_error":true,"api_error_status":429,"terminal_reason":"api_error",)"
                      R"("result":"API Error: Request rejected (429) · slow down")")
            << QByteArray("rate_limit") << false << false << QStringLiteral("rate_limited");
        QTest::newRow("401") << result(R"("subtype":"success","is_error":true,"api_error_status":401,)"
                                       R"("result":"Invalid API key · Fix external API key")")
                             << QByteArray("authentication_failed") << false << false << QStringLiteral("auth_failed");
        QTest::newRow("not logged in")
            << result(R"("subtype":"success","is_error":true,"result":"Not logged in · Please run /login")")
            << QByteArray() << false << false << QStringLiteral("auth_failed");
        QTest::newRow("500") << result(R"("subtype":"success","is_error":true,"api_error_status":500,)"
                                       R"("terminal_reason":"api_error","result":"API Error: 500 boom")")
                             << QByteArray("server_error") << false << false << QStringLiteral("api_error");
        QTest::newRow("max turns") << result(R"("subtype":"error_max_turns","is_error":true,)"
                                             R"x("errors":["Reached maximum number of turns (2)"])x")
                                   << QByteArray() << false << false << QStringLiteral("max_turns");
        QTest::newRow("sigint")
            << result(R"("subtype":"error_during_execution","is_error":true,"terminal_reason":"aborted_streaming")")
            << QByteArray() << true << false << QStringLiteral("cancelled");
        QTest::newRow("no result, cancelled")
            << QByteArray() << QByteArray() << true << false << QStringLiteral("cancelled");
        QTest::newRow("no result") << QByteArray() << QByteArray() << false << false << QStringLiteral("crash");
        QTest::newRow("timed out")
            << result(R"("subtype":"error_during_execution","is_error":true,"terminal_reason":"aborted_streaming")")
            << QByteArray() << false << true << QStringLiteral("timeout");
        QTest::newRow("finished as cancel came")
            << result(Success) << QByteArray() << true << false << QStringLiteral("ok");
    }

    void exitKinds()
    {
        QFETCH(QByteArray, line);
        QFETCH(QByteArray, assistantError);
        QFETCH(bool, cancelled);
        QFETCH(bool, timedOut);
        QFETCH(QString, exit);
        StreamParser parser;
        if (!assistantError.isEmpty()) {
            parser.feed(
                R"({"type":"assistant","message":{"model":"<synthetic>","content":[{"type":"text","text":"x"}]},"error":")" +
                assistantError + R"("})");
        }
        if (!line.isEmpty())
            parser.feed(line);
        QCOMPARE(turnExitName(parser.exit(cancelled, timedOut)), exit);
    }

    void maxTurnsTextComesFromErrors()
    {
        StreamParser parser;
        parser.feed(result(
            R"x("subtype":"error_max_turns","is_error":true,"errors":["Reached maximum number of turns (2)"])x"));
        QCOMPARE(parser.result()->text, QStringLiteral("Reached maximum number of turns (2)"));
    }

    void junkLinesAreCountedAndIgnored()
    {
        StreamParser parser;
        QVERIFY(parser.feed("not json").isEmpty());
        QVERIFY(parser.feed("[1,2]").isEmpty());
        QVERIFY(parser.feed("").isEmpty()); // blank lines are not junk
        QVERIFY(parser.feed(R"({"type":"stream_event","event":{}})").isEmpty());
        QCOMPARE(parser.unparsedLines(), 2);
        parser.feed(result(Success));
        QCOMPARE(parser.exit(false, false), TurnExit::Ok);
    }

    void recipientKinds()
    {
        QCOMPARE(StreamParser::recipientKind(QStringLiteral("operator")), QStringLiteral("operator"));
        QCOMPARE(StreamParser::recipientKind(QStringLiteral("manager")), QStringLiteral("manager"));
        QCOMPARE(StreamParser::recipientKind(QStringLiteral("*")), QStringLiteral("broadcast"));
        QCOMPARE(StreamParser::recipientKind(QStringLiteral("bob")), QStringLiteral("peer"));
    }
};

QTEST_GUILESS_MAIN(TestStreamParser)
#include "tst_streamparser.moc"
