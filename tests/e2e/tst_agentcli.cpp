// SPDX-License-Identifier: MIT
// The real agent CLI against FakeModelServer: text and tool turns, per-agent scripts on one server, the error
// results the harness has to tell apart (429, prompt too long, time-out), compaction; and the server itself over
// raw sockets (SSE framing, keep-alive, partial reads, malformed requests, script validation, hive-fake-model).
#include "agentcliprocess.h"
#include "fakemodelserver.h"
#include "rawhttpclient.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using hive::test::AgentCliProcess;
using hive::test::FakeModelServer;
using hive::test::RawHttpClient;

namespace {

QJsonArray jsonArray(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isArray())
        qFatal("a script in the test is not a JSON array: %s", qPrintable(error.errorString()));
    return document.array();
}

} // namespace

#define REQUIRE_CLI()                                                                                                  \
    QVERIFY2(QFileInfo(AgentCliProcess::path()).isExecutable(),                                                        \
             qPrintable(QStringLiteral("agent CLI not found at %1; run scripts/setup").arg(AgentCliProcess::path())))

class TestAgentCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The server over raw sockets.
    void sseFraming();
    void keepAliveDelayAndPartialReads();
    void errorStep();
    void notFound();
    void malformedRequest_data();
    void malformedRequest();
    void badJsonBody();
    void expectMismatchIsRecorded();
    void wildcardScriptRunsPerAgent();
    void scriptErrors_data();
    void scriptErrors();
    void scriptFile();
    void program();
    void programErrors_data();
    void programErrors();
    // The real CLI.
    void textReplyTurn();
    void toolUseTurn();
    void twoAgentsShareOneServer();
    void rateLimited();
    void promptTooLong();
    void promptTooLongAfterCompaction();
    void reactiveCompaction();
    void compaction();
    void hangTimesOut();

private:
    static std::unique_ptr<FakeModelServer> server();
};

std::unique_ptr<FakeModelServer> TestAgentCli::server()
{
    auto fake = std::make_unique<FakeModelServer>();
    const auto listening = fake->listen();
    if (!listening)
        qFatal("%s", qPrintable(listening.error().message));
    return fake;
}

void TestAgentCli::sseFraming()
{
    auto fake = server();
    QVERIFY(fake->setScript(QStringLiteral("*"), jsonArray(R"([{"reply": [{"text": "Hello."},
        {"tool_use": {"name": "Bash", "input": {"command": "ls", "n": 2}}}],
        "usage": {"input_tokens": 11, "output_tokens": 22, "cache_read_input_tokens": 33,
                  "cache_creation_input_tokens": 44}}])")));
    RawHttpClient client(fake->port());
    QVERIFY(client.connected());
    client.write(
        RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("hi"), QStringLiteral("echo-me"))));
    const auto response = client.response();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->header("content-type"), QByteArray("text/event-stream; charset=utf-8"));
    QCOMPARE(response->header("request-id"), QByteArray("req_fake_1"));
    const auto events = response->events();
    QList<QByteArray> names;
    for (const auto &[event, data] : events) {
        names << event;
        QCOMPARE(data.value(QLatin1String("type")).toString().toUtf8(), event);
    }
    QCOMPARE(names, (QList<QByteArray>{"message_start", "ping", "content_block_start", "content_block_delta",
                                       "content_block_stop", "content_block_start", "content_block_delta",
                                       "content_block_stop", "message_delta", "message_stop"}));
    // One chunk per event, each a complete frame.
    QCOMPARE(response->chunks.size(), 10);
    for (const QByteArray &chunk : response->chunks) {
        QVERIFY(chunk.startsWith("event: "));
        QVERIFY(chunk.endsWith("}\n\n"));
    }
    const QJsonObject message = events.at(0).second.value(QLatin1String("message")).toObject();
    QCOMPARE(message.value(QLatin1String("id")).toString(), QStringLiteral("msg_fake_1"));
    QCOMPARE(message.value(QLatin1String("model")).toString(), QStringLiteral("echo-me"));
    QCOMPARE(message.value(QLatin1String("role")).toString(), QStringLiteral("assistant"));
    QVERIFY(message.value(QLatin1String("stop_reason")).isNull());
    QCOMPARE(message.value(QLatin1String("usage")).toObject(),
             (QJsonObject{{QStringLiteral("input_tokens"), 11},
                          {QStringLiteral("output_tokens"), 1},
                          {QStringLiteral("cache_read_input_tokens"), 33},
                          {QStringLiteral("cache_creation_input_tokens"), 44}}));
    QCOMPARE(events.at(2).second.value(QLatin1String("content_block")).toObject(),
             (QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), QString()}}));
    QCOMPARE(events.at(3).second.value(QLatin1String("delta")).toObject(),
             (QJsonObject{{QStringLiteral("type"), QStringLiteral("text_delta")},
                          {QStringLiteral("text"), QStringLiteral("Hello.")}}));
    QCOMPARE(events.at(4).second.value(QLatin1String("index")).toInt(), 0);
    QCOMPARE(events.at(5).second.value(QLatin1String("index")).toInt(), 1);
    QCOMPARE(events.at(5).second.value(QLatin1String("content_block")).toObject(),
             (QJsonObject{{QStringLiteral("type"), QStringLiteral("tool_use")},
                          {QStringLiteral("id"), QStringLiteral("toolu_fake_1")},
                          {QStringLiteral("name"), QStringLiteral("Bash")},
                          {QStringLiteral("input"), QJsonObject()}}));
    const QJsonObject inputDelta = events.at(6).second.value(QLatin1String("delta")).toObject();
    QCOMPARE(inputDelta.value(QLatin1String("type")).toString(), QStringLiteral("input_json_delta"));
    QCOMPARE(QJsonDocument::fromJson(inputDelta.value(QLatin1String("partial_json")).toString().toUtf8()).object(),
             (QJsonObject{{QStringLiteral("command"), QStringLiteral("ls")}, {QStringLiteral("n"), 2}}));
    QCOMPARE(events.at(8).second.value(QLatin1String("delta")).toObject(),
             (QJsonObject{{QStringLiteral("stop_reason"), QStringLiteral("tool_use")},
                          {QStringLiteral("stop_sequence"), QJsonValue::Null}}));
    QCOMPARE(events.at(8).second.value(QLatin1String("usage")).toObject(),
             (QJsonObject{{QStringLiteral("output_tokens"), 22}}));
    // The raw text of the first frames, byte for byte.
    QVERIFY2(response->body.startsWith("event: message_start\ndata: {\"message\":{"), response->body.constData());
    QVERIFY(response->body.contains("\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\nevent: content_block_start\n"));
    QVERIFY(response->body.endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));

    QCOMPARE(fake->requestCount(QStringLiteral("*")), 1);
    const FakeModelServer::Request request = fake->requests(QStringLiteral("*")).at(0);
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.target, QByteArray("/v1/messages?beta=true"));
    QCOMPARE(request.answer, FakeModelServer::Answer::Step);
    QCOMPARE(request.step, 0);
    QCOMPARE(request.status, 200);
    QCOMPARE(request.headers.value(QLatin1String("content-type")).toString(), QStringLiteral("application/json"));
    QCOMPARE(FakeModelServer::lastUserText(request.body), QStringLiteral("hi"));
    QCOMPARE(fake->stepsLeft(QStringLiteral("*")), 0);
    QVERIFY(fake->failures().isEmpty());
}

void TestAgentCli::keepAliveDelayAndPartialReads()
{
    auto fake = server();
    QVERIFY(fake->setScript(QStringLiteral("a"), jsonArray(R"([{"reply": [{"text": "one"}]},
        {"reply": [{"text": "late"}], "delay_ms": 300}, {"reply": [{"text": "three"}], "repeat": 2}])")));
    QSignalSpy served(fake.get(), &FakeModelServer::requestServed);
    RawHttpClient client(fake->port());
    QVERIFY(client.connected());
    // One request in four pieces, each read on its own.
    const QByteArray first = RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("first")), "a");
    const qsizetype headerEnd = first.indexOf("\r\n\r\n");
    for (const QByteArray &piece :
         {first.left(7), first.mid(7, headerEnd - 5), first.mid(headerEnd + 2, 10), first.mid(headerEnd + 12)}) {
        client.write(piece);
        QTest::qWait(30);
    }
    auto response = client.response();
    QVERIFY(response);
    QCOMPARE(response->text(), QStringLiteral("one"));
    QCOMPARE(response->header("connection"), QByteArray("keep-alive"));
    // Three requests in one write on the same connection: answered in order, the delayed one holds the others.
    QElapsedTimer timer;
    timer.start();
    client.write(RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("2")), "a") +
                 RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("3")), "a") +
                 RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("4")), "a"));
    response = client.response();
    QVERIFY(response);
    QCOMPARE(response->text(), QStringLiteral("late"));
    QVERIFY2(timer.elapsed() >= 290, QByteArray::number(timer.elapsed()).constData());
    for (int i = 0; i < 2; ++i) {
        response = client.response();
        QVERIFY(response);
        QCOMPARE(response->text(), QStringLiteral("three"));
    }
    QCOMPARE(fake->requestCount(QStringLiteral("a")), 4);
    QCOMPARE(served.size(), 4);
    QCOMPARE(served.at(1).at(1).toInt(), 1);
    QList<int> steps;
    for (const auto &request : fake->requests(QStringLiteral("a")))
        steps << request.step;
    QCOMPARE(steps, (QList<int>{0, 1, 2, 2}));
    // Past the end of the script: a text, and a failure on record.
    client.write(RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("5")), "a"));
    response = client.response();
    QVERIFY(response);
    QCOMPARE(response->text(), QStringLiteral("(script exhausted)"));
    QCOMPARE(fake->requests(QStringLiteral("a")).last().answer, FakeModelServer::Answer::Exhausted);
    QCOMPARE(fake->failures(),
             QStringList{QStringLiteral("agent 'a': script exhausted at request 5, answered \"(script exhausted)\"")});
}

void TestAgentCli::errorStep()
{
    auto fake = server();
    QVERIFY(fake->setScript(QStringLiteral("*"), jsonArray(R"([{"error": {"status": 529, "message": "busy",
        "retry_after": 3}}, {"error": {"status": 500}}])")));
    RawHttpClient client(fake->port());
    QVERIFY(client.connected());
    client.write(RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("x"))));
    auto response = client.response();
    QVERIFY(response);
    QCOMPARE(response->status, 529);
    QCOMPARE(response->header("retry-after"), QByteArray("3"));
    QCOMPARE(response->body, QByteArray(R"({"error":{"message":"busy","type":"overloaded_error"},"type":"error"})"));
    client.write(RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("x"))));
    response = client.response();
    QVERIFY(response);
    QCOMPARE(response->status, 500);
    QCOMPARE(response->header("retry-after"), QByteArray());
    QCOMPARE(response->body,
             QByteArray(R"({"error":{"message":"scripted error 500","type":"api_error"},"type":"error"})"));
    QCOMPARE(fake->requests(QStringLiteral("*")).last().status, 500);
}

void TestAgentCli::notFound()
{
    auto fake = server();
    RawHttpClient client(fake->port());
    QVERIFY(client.connected());
    client.write("HEAD /api/hello HTTP/1.1\r\nHost: x\r\n\r\n");
    auto response = client.response(true);
    QVERIFY(response);
    QCOMPARE(response->status, 404);
    client.write("GET /v1/models HTTP/1.1\r\nHost: x\r\nx-fake-agent: zed\r\n\r\n");
    response = client.response();
    QVERIFY(response);
    QCOMPARE(response->status, 404);
    QCOMPARE(
        response->body,
        QByteArray(R"({"error":{"message":"Not found: GET /v1/models","type":"not_found_error"},"type":"error"})"));
    QCOMPARE(fake->requests(QStringLiteral("*")).at(0).answer, FakeModelServer::Answer::NotFound);
    QCOMPARE(fake->requests(QStringLiteral("*")).at(0).method, QByteArray("HEAD"));
    QCOMPARE(fake->requests(QStringLiteral("zed")).at(0).target, QByteArray("/v1/models"));
}

void TestAgentCli::malformedRequest_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("error");
    QTest::newRow("request line") << QByteArray("HELLO\r\n\r\n") << QStringLiteral("malformed request line 'HELLO'");
    QTest::newRow("request line, no blank line yet")
        << QByteArray("GET  / HTTP/1.1\r\n") << QStringLiteral("malformed request line 'GET  / HTTP/1.1'");
    QTest::newRow("version") << QByteArray("GET / HTTP/2.0\r\n\r\n")
                             << QStringLiteral("unsupported HTTP version 'HTTP/2.0'");
    QTest::newRow("header") << QByteArray("POST /v1/messages HTTP/1.1\r\nno colon\r\n\r\n")
                            << QStringLiteral("malformed header line 'no colon'");
    QTest::newRow("content-length") << QByteArray("POST /v1/messages HTTP/1.1\r\nContent-Length: 1x\r\n\r\n")
                                    << QStringLiteral("invalid Content-Length '1x'");
    QTest::newRow("negative content-length") << QByteArray("POST /v1/messages HTTP/1.1\r\nContent-Length: -1\r\n\r\n")
                                             << QStringLiteral("invalid Content-Length '-1'");
    QTest::newRow("chunked") << QByteArray("POST /v1/messages HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                             << QStringLiteral("Transfer-Encoding 'chunked' is not supported; send Content-Length");
    QTest::newRow("body too large") << QByteArray("POST /v1/messages HTTP/1.1\r\nContent-Length: 67108865\r\n\r\n")
                                    << QStringLiteral("request body of 67108865 bytes is over the 67108864-byte limit");
    QTest::newRow("header section too large") << QByteArray("GET / HTTP/1.1\r\nX-Big: " + QByteArray(70000, 'a'))
                                              << QStringLiteral("request header section over 65536 bytes");
}

void TestAgentCli::malformedRequest()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, error);
    auto fake = server();
    RawHttpClient client(fake->port());
    QVERIFY(client.connected());
    client.write(request);
    const auto response = client.response();
    QVERIFY(response);
    QCOMPARE(response->status, 400);
    QCOMPARE(response->header("connection"), QByteArray("close"));
    const QJsonObject body = response->json().value(QLatin1String("error")).toObject();
    QCOMPARE(body.value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));
    QCOMPARE(body.value(QLatin1String("message")).toString(), error);
    QVERIFY(client.closedByPeer());
    QCOMPARE(fake->requestCount(QStringLiteral("*")), 1);
    QCOMPARE(fake->requests(QStringLiteral("*")).at(0).answer, FakeModelServer::Answer::BadRequest);
    QCOMPARE(fake->requests(QStringLiteral("*")).at(0).error, error);
}

void TestAgentCli::badJsonBody()
{
    auto fake = server();
    QVERIFY(fake->setScript(QStringLiteral("*"), jsonArray(R"([{"reply": [{"text": "fine"}]}])")));
    RawHttpClient client(fake->port());
    QVERIFY(client.connected());
    client.write(RawHttpClient::messagesPost("{nope"));
    auto response = client.response();
    QVERIFY(response);
    QCOMPARE(response->status, 400);
    QCOMPARE(response->json().value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
             QStringLiteral("request body is not JSON: unterminated object at offset 2"));
    client.write(RawHttpClient::messagesPost("[1]"));
    response = client.response();
    QVERIFY(response);
    QCOMPARE(response->json().value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
             QStringLiteral("request body is not a JSON object"));
    // The framing was fine, so the connection goes on, and no step was used.
    client.write(RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("x"))));
    response = client.response();
    QVERIFY(response);
    QCOMPARE(response->text(), QStringLiteral("fine"));
    QCOMPARE(fake->requestCount(QStringLiteral("*")), 3);
}

void TestAgentCli::expectMismatchIsRecorded()
{
    auto fake = server();
    QVERIFY(fake->setScript(QStringLiteral("*"), jsonArray(R"([{"reply": [{"text": "a"}], "expect": "apples"},
        {"reply": [{"text": "b"}], "expect": "pears"}])")));
    RawHttpClient client(fake->port());
    QVERIFY(client.connected());
    client.write(RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("I like apples\n"))));
    QVERIFY(client.response());
    // The last user message with a tool_result and text blocks; an earlier user message does not count.
    const QJsonObject body{{QStringLiteral("model"), QStringLiteral("m")},
                           {QStringLiteral("messages"),
                            jsonArray(R"([{"role": "user", "content": "pears"}, {"role": "assistant", "content": "ok"},
             {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t",
                 "content": [{"type": "text", "text": "plums"}]}, {"type": "text", "text": "figs"}]},
             {"role": "system", "content": "pears in a system entry"}])")}};
    QCOMPARE(FakeModelServer::lastUserText(body), QStringLiteral("plums\nfigs"));
    client.write(RawHttpClient::messagesPost(QJsonDocument(body).toJson(QJsonDocument::Compact)));
    const auto response = client.response();
    QVERIFY(response);
    QCOMPARE(response->text(), QStringLiteral("b"));
    QCOMPARE(fake->failures(),
             QStringList{
                 QStringLiteral("agent '*' step 1: expected \"pears\" in the last user message, got \"plums\nfigs\"")});
}

void TestAgentCli::wildcardScriptRunsPerAgent()
{
    auto fake = server();
    QVERIFY(fake->setScript(QStringLiteral("*"), jsonArray(R"([{"reply": [{"text": "one"}]},
        {"reply": [{"text": "two"}]}])")));
    QVERIFY(fake->setScript(QStringLiteral("own"), jsonArray(R"([{"reply": [{"text": "mine"}]}])")));
    RawHttpClient client(fake->port());
    QVERIFY(client.connected());
    QStringList texts;
    for (const QByteArray agent : {"carol", "carol", "dave", "own", "dave"}) {
        client.write(RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("x")), agent));
        const auto response = client.response();
        QVERIFY(response);
        texts << response->text();
    }
    QCOMPARE(texts, (QStringList{QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("one"),
                                 QStringLiteral("mine"), QStringLiteral("two")}));
    QCOMPARE(fake->stepsLeft(QStringLiteral("*")), 2);
    QCOMPARE(fake->stepsLeft(QStringLiteral("erin")), 2);
    QCOMPARE(fake->stepsLeft(QStringLiteral("carol")), 0);
    QVERIFY(fake->failures().isEmpty());
}

void TestAgentCli::scriptErrors_data()
{
    QTest::addColumn<QByteArray>("steps");
    QTest::addColumn<QString>("error");
    QTest::newRow("not an object") << QByteArray("[1]") << QStringLiteral("a[0] must be an object");
    QTest::newRow("no kind") << QByteArray("[{}]")
                             << QStringLiteral("a[0] needs exactly one of 'reply', 'error' and 'hang': true");
    QTest::newRow("two kinds") << QByteArray(R"([{"reply": [], "hang": true}])")
                               << QStringLiteral("a[0] needs exactly one of 'reply', 'error' and 'hang': true");
    QTest::newRow("unknown key")
        << QByteArray(R"([{"reply": [], "bogus": 1}])")
        << QStringLiteral("unknown field 'bogus' in a[0]; known: delay_ms, error, expect, hang, repeat, reply, "
                          "stop_reason, usage");
    QTest::newRow("reply type") << QByteArray(R"([{"reply": "hi"}])")
                                << QStringLiteral("field 'a[0].reply' must be an array");
    QTest::newRow("repeat 0") << QByteArray(R"([{"reply": [], "repeat": 0}])")
                              << QStringLiteral("invalid field 'a[0].repeat': must be between 1 and 2147483647, got 0");
    QTest::newRow("delay") << QByteArray(R"([{"reply": [], "delay_ms": -5}])")
                           << QStringLiteral("invalid field 'a[0].delay_ms': must be between 0 and 3600000, got -5");
    QTest::newRow("block not an object") << QByteArray(R"([{"reply": ["hi"]}])")
                                         << QStringLiteral("a[0].reply[0] must be an object");
    QTest::newRow("block kinds") << QByteArray(R"([{"reply": [{"text": "x", "tool_use": {"name": "n"}}]}])")
                                 << QStringLiteral("a[0].reply[0] needs exactly one of 'text' and 'tool_use'");
    QTest::newRow("tool name") << QByteArray(R"([{"reply": [{"text": "x"}, {"tool_use": {"input": {}}}]}])")
                               << QStringLiteral("missing required field 'a[0].reply[1].tool_use.name'");
    QTest::newRow("tool input") << QByteArray(R"([{"reply": [{"tool_use": {"name": "n", "input": [1]}}]}])")
                                << QStringLiteral("field 'a[0].reply[0].tool_use.input' must be an object");
    QTest::newRow("usage") << QByteArray(R"([{"reply": [], "usage": {"input_tokens": -1}}])")
                           << QStringLiteral(
                                  "invalid field 'a[0].usage.input_tokens': must be between 0 and 2147483647, got -1");
    QTest::newRow("usage key") << QByteArray(R"([{"reply": [], "usage": {"tokens": 1}}])")
                               << QStringLiteral("unknown field 'tokens' in a[0].usage; known: "
                                                 "cache_creation_input_tokens, cache_read_input_tokens, "
                                                 "input_tokens, output_tokens");
    QTest::newRow("error status") << QByteArray(R"([{"reply": []}, {"error": {"status": 200}}])")
                                  << QStringLiteral(
                                         "invalid field 'a[1].error.status': must be between 400 and 599, got 200");
    QTest::newRow("error without status") << QByteArray(R"([{"error": {"message": "m"}}])")
                                          << QStringLiteral("missing required field 'a[0].error.status'");
}

void TestAgentCli::scriptErrors()
{
    QFETCH(QByteArray, steps);
    QFETCH(QString, error);
    FakeModelServer fake;
    QVERIFY(fake.setScript(QStringLiteral("a"), jsonArray(R"([{"reply": [{"text": "kept"}]}])")));
    const auto set = fake.setScript(QStringLiteral("a"), jsonArray(steps));
    QVERIFY(!set);
    QCOMPARE(set.error().message, error);
    QCOMPARE(fake.stepsLeft(QStringLiteral("a")), 1); // the old script stays
}

void TestAgentCli::scriptFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("script.json"));
    FakeModelServer fake;
    auto loaded = fake.loadScriptFile(path);
    QVERIFY(!loaded);
    QCOMPARE(loaded.error().message, QStringLiteral("cannot read script %1: No such file or directory").arg(path));
    QVERIFY(hive::test::writeFile(path, "{\"agents\": "));
    loaded = fake.loadScriptFile(path);
    QVERIFY(!loaded);
    QCOMPARE(loaded.error().message,
             QStringLiteral("script %1 is not JSON: unterminated object at offset 11").arg(path));
    QVERIFY(hive::test::writeFile(path, "[]"));
    loaded = fake.loadScriptFile(path);
    QVERIFY(!loaded);
    QCOMPARE(loaded.error().message, QStringLiteral("script %1 must hold a JSON object").arg(path));
    QVERIFY(hive::test::writeFile(path, "{\"agent\": {}}"));
    loaded = fake.loadScriptFile(path);
    QVERIFY(!loaded);
    QCOMPARE(loaded.error().message, QStringLiteral("script %1: missing required field 'agents'").arg(path));
    QVERIFY(hive::test::writeFile(path, R"({"agents": {"x": {}}})"));
    loaded = fake.loadScriptFile(path);
    QVERIFY(!loaded);
    QCOMPARE(loaded.error().message, QStringLiteral("script %1: agents.x must be an array of steps").arg(path));
    QVERIFY(hive::test::writeFile(path, R"({"agents": {"x": [{"hang": false}]}})"));
    loaded = fake.loadScriptFile(path);
    QVERIFY(!loaded);
    QCOMPARE(loaded.error().message,
             QStringLiteral("script %1: x[0] needs exactly one of 'reply', 'error' and 'hang': true").arg(path));

    QVERIFY(hive::test::writeFile(path, R"({"agents": {"alice": [{"reply": [{"text": "hi"}], "repeat": 3}],
        "*": [{"hang": true}, {"reply": []}]}, "compaction_summary": "S"})"));
    loaded = fake.loadScriptFile(path);
    QVERIFY2(loaded, qPrintable(loaded ? QString() : loaded.error().message));
    QCOMPARE(fake.stepsLeft(QStringLiteral("alice")), 3);
    QCOMPARE(fake.stepsLeft(QStringLiteral("bob")), 2);
    // Loading again replaces every script, also those set by setScript.
    QVERIFY(fake.setScript(QStringLiteral("carl"), jsonArray(R"([{"hang": true}])")));
    QVERIFY(hive::test::writeFile(path, R"({"agents": {"*": [{"reply": []}]}})"));
    QVERIFY(fake.loadScriptFile(path));
    QCOMPARE(fake.stepsLeft(QStringLiteral("alice")), 1);
    QCOMPARE(fake.stepsLeft(QStringLiteral("carl")), 1);
}

void TestAgentCli::program()
{
    QTemporaryDir dir;
    const QString script = dir.filePath(QStringLiteral("script.json"));
    const QString log = dir.filePath(QStringLiteral("requests.jsonl"));
    QVERIFY(hive::test::writeFile(script, R"({"agents": {"*": [{"reply": [{"text": "from the program"}]}]}})"));
    QProcess program;
    program.start(hive::test::binaryPath(QStringLiteral("hive-fake-model")),
                  {QStringLiteral("--script"), script, QStringLiteral("--log"), log});
    QVERIFY(program.waitForStarted());
    QVERIFY(program.waitForReadyRead(5000));
    const QByteArray line = program.readLine().trimmed();
    QVERIFY2(line.startsWith("listening on 127.0.0.1:"), line.constData());
    const auto port = quint16(line.mid(line.lastIndexOf(':') + 1).toUInt());
    QVERIFY(port > 0);
    RawHttpClient client(port);
    QVERIFY(client.connected());
    client.write(RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("hello")), "p"));
    const auto response = client.response();
    QVERIFY(response);
    QCOMPARE(response->text(), QStringLiteral("from the program"));
    client.write(RawHttpClient::messagesPost(RawHttpClient::messagesBody(QStringLiteral("again")), "p"));
    QVERIFY(client.response());
    ::kill(pid_t(program.processId()), SIGTERM);
    QVERIFY(program.waitForFinished(5000));
    QCOMPARE(program.exitStatus(), QProcess::NormalExit);
    QCOMPARE(program.exitCode(), 0);
    const QByteArray err = program.readAllStandardError();
    QVERIFY2(
        err.endsWith("\nhive-fake-model: agent 'p': script exhausted at request 2, answered \"(script exhausted)\"\n"),
        err.constData());
    const QList<QByteArray> lines = hive::test::readFile(log).trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    const QJsonObject first = QJsonDocument::fromJson(lines.at(0)).object();
    QCOMPARE(first.value(QLatin1String("agent")).toString(), QStringLiteral("p"));
    QCOMPARE(first.value(QLatin1String("answer")).toString(), QStringLiteral("step"));
    QCOMPARE(first.value(QLatin1String("status")).toInt(), 200);
    QCOMPARE(FakeModelServer::lastUserText(first.value(QLatin1String("body")).toObject()), QStringLiteral("hello"));
    QCOMPARE(QJsonDocument::fromJson(lines.at(1)).object().value(QLatin1String("answer")).toString(),
             QStringLiteral("exhausted"));
}

void TestAgentCli::programErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("err");
    const QString usage = QStringLiteral("usage: hive-fake-model --script FILE [--port N] [--log FILE]\n");
    QTest::newRow("no script") << QStringList() << 2 << usage;
    QTest::newRow("bad port") << QStringList{QStringLiteral("--script"), QStringLiteral("DIR/s.json"),
                                             QStringLiteral("--port"), QStringLiteral("70000")}
                              << 2 << usage;
    QTest::newRow("missing script")
        << QStringList{QStringLiteral("--script"), QStringLiteral("DIR/none.json")} << 2
        << QStringLiteral("hive-fake-model: cannot read script DIR/none.json: No such file or directory\n");
    QTest::newRow("bad script") << QStringList{QStringLiteral("--script"), QStringLiteral("DIR/bad.json")} << 2
                                << QStringLiteral("hive-fake-model: script DIR/bad.json: a[0] needs exactly one of "
                                                  "'reply', 'error' and 'hang': true\n");
    QTest::newRow("log") << QStringList{QStringLiteral("--script"), QStringLiteral("DIR/s.json"),
                                        QStringLiteral("--log"), QStringLiteral("DIR/none/log")}
                         << 1
                         << QStringLiteral("hive-fake-model: cannot open DIR/none/log: No such file or directory\n");
    QTest::newRow("port taken") << QStringList{QStringLiteral("--script"), QStringLiteral("DIR/s.json"),
                                               QStringLiteral("--port"), QStringLiteral("PORT")}
                                << 1
                                << QStringLiteral("hive-fake-model: cannot listen on 127.0.0.1:PORT: The bound address "
                                                  "is already in use\n");
}

void TestAgentCli::programErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, err);
    QTemporaryDir dir;
    QVERIFY(hive::test::writeFile(dir.filePath(QStringLiteral("s.json")), R"({"agents": {}})"));
    QVERIFY(hive::test::writeFile(dir.filePath(QStringLiteral("bad.json")), R"({"agents": {"a": [{}]}})"));
    auto taken = server(); // a port in use
    const QString port = QString::number(taken->port());
    for (QString &argument : arguments)
        argument.replace(QLatin1String("DIR"), dir.path()).replace(QLatin1String("PORT"), port);
    err.replace(QLatin1String("DIR"), dir.path()).replace(QLatin1String("PORT"), port);
    QProcess program;
    program.start(hive::test::binaryPath(QStringLiteral("hive-fake-model")), arguments);
    QVERIFY(QTest::qWaitFor([&] { return program.state() == QProcess::NotRunning; }, 5000));
    QCOMPARE(program.exitCode(), exitCode);
    QCOMPARE(QString::fromUtf8(program.readAllStandardError()), err);
    QCOMPARE(program.readAllStandardOutput(), QByteArray());
}

void TestAgentCli::textReplyTurn()
{
    REQUIRE_CLI();
    auto fake = server();
    QVERIFY(fake->setScript(QStringLiteral("solo"), jsonArray(R"([{"reply": [{"text": "Hello from the fake."}],
        "usage": {"input_tokens": 1234, "output_tokens": 56, "cache_read_input_tokens": 7,
                  "cache_creation_input_tokens": 8}, "expect": "please say hello"}])")));
    QTemporaryDir home;
    QTemporaryDir work;
    AgentCliProcess cli(fake->baseUrl(), QStringLiteral("solo"), home.path(), work.path());
    const AgentCliProcess::Run run = cli.run(QStringLiteral("please say hello\n"));
    QVERIFY2(run.finished, run.describe().constData());
    QVERIFY2(run.result.value(QLatin1String("subtype")).toString() == QLatin1String("success") &&
                 !run.result.value(QLatin1String("is_error")).toBool(),
             run.describe().constData());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.result.value(QLatin1String("result")).toString(), QStringLiteral("Hello from the fake."));
    const QJsonObject usage = run.result.value(QLatin1String("usage")).toObject();
    QCOMPARE(usage.value(QLatin1String("input_tokens")).toInt(), 1234);
    QCOMPARE(usage.value(QLatin1String("output_tokens")).toInt(), 56);
    QCOMPARE(usage.value(QLatin1String("cache_read_input_tokens")).toInt(), 7);
    QCOMPARE(usage.value(QLatin1String("cache_creation_input_tokens")).toInt(), 8);
    const QList<QJsonObject> assistant = run.of(QStringLiteral("assistant"));
    QCOMPARE(assistant.size(), 1);
    const QJsonObject message = assistant.at(0).value(QLatin1String("message")).toObject();
    QCOMPARE(message.value(QLatin1String("id")).toString(), QStringLiteral("msg_fake_1"));
    QCOMPARE(message.value(QLatin1String("model")).toString(), QStringLiteral("hive-fake-model"));

    QCOMPARE(fake->requestCount(QStringLiteral("solo")), 1);
    const FakeModelServer::Request request = fake->requests(QStringLiteral("solo")).at(0);
    QCOMPARE(request.target, QByteArray("/v1/messages?beta=true"));
    QCOMPARE(request.headers.value(QLatin1String("x-api-key")).toString(), QStringLiteral("dummy"));
    QCOMPARE(request.body.value(QLatin1String("model")).toString(), QStringLiteral("hive-fake-model"));
    QCOMPARE(request.body.value(QLatin1String("stream")).toBool(), true);
    QCOMPARE(FakeModelServer::lastUserText(request.body), QStringLiteral("please say hello\n"));
    QVERIFY2(fake->failures().isEmpty(), qPrintable(fake->failures().join(QLatin1Char('\n'))));
    QCOMPARE(fake->requestCount(QStringLiteral("*")), 0); // no HEAD /api/hello, nothing else
}

void TestAgentCli::toolUseTurn()
{
    REQUIRE_CLI();
    QTemporaryDir home;
    QTemporaryDir work;
    const QString file = work.filePath(QStringLiteral("notes.txt"));
    QVERIFY(hive::test::writeFile(file, "the-file-content-42\n"));
    auto fake = server();
    const QJsonObject read{{QStringLiteral("name"), QStringLiteral("Read")},
                           {QStringLiteral("input"), QJsonObject{{QStringLiteral("file_path"), file}}}};
    QVERIFY(fake->setScript(
        QStringLiteral("tool"),
        QJsonArray{QJsonObject{{QStringLiteral("reply"),
                                QJsonArray{QJsonObject{{QStringLiteral("text"), QStringLiteral("Reading.")}},
                                           QJsonObject{{QStringLiteral("tool_use"), read}}}}},
                   jsonArray(R"([{"reply": [{"text": "done"}], "expect": "the-file-content-42"}])").at(0)}));
    AgentCliProcess cli(fake->baseUrl(), QStringLiteral("tool"), home.path(), work.path());
    const AgentCliProcess::Run run =
        cli.run(QStringLiteral("read notes.txt\n"), {QStringLiteral("--tools"), QStringLiteral("Read")});
    QVERIFY2(run.finished, run.describe().constData());
    QVERIFY2(!run.result.value(QLatin1String("is_error")).toBool(), run.describe().constData());
    QCOMPARE(run.result.value(QLatin1String("result")).toString(), QStringLiteral("done"));
    QCOMPARE(run.result.value(QLatin1String("num_turns")).toInt(), 2);
    QCOMPARE(fake->requestCount(QStringLiteral("tool")), 2);
    QVERIFY2(fake->failures().isEmpty(), qPrintable(fake->failures().join(QLatin1Char('\n'))));
    // The tool call as the CLI understood it: id and input from the stream.
    QJsonObject toolUse;
    for (const QJsonObject &line : run.of(QStringLiteral("assistant"))) {
        for (const QJsonValue block :
             line.value(QLatin1String("message")).toObject().value(QLatin1String("content")).toArray()) {
            if (block.toObject().value(QLatin1String("type")).toString() == QLatin1String("tool_use"))
                toolUse = block.toObject();
        }
    }
    QCOMPARE(toolUse.value(QLatin1String("id")).toString(), QStringLiteral("toolu_fake_1"));
    QCOMPARE(toolUse.value(QLatin1String("input")).toObject(), read.value(QLatin1String("input")).toObject());
}

void TestAgentCli::twoAgentsShareOneServer()
{
    REQUIRE_CLI();
    auto fake = server();
    QVERIFY(fake->setScript(QStringLiteral("alice"),
                            jsonArray(R"([{"reply": [{"text": "I am alice"}], "expect": "for alice"}])")));
    QVERIFY(fake->setScript(QStringLiteral("bob"),
                            jsonArray(R"([{"reply": [{"text": "I am bob"}], "expect": "for bob"}])")));
    QTemporaryDir aliceHome;
    QTemporaryDir bobHome;
    QTemporaryDir work;
    AgentCliProcess alice(fake->baseUrl(), QStringLiteral("alice"), aliceHome.path(), work.path());
    AgentCliProcess bob(fake->baseUrl(), QStringLiteral("bob"), bobHome.path(), work.path());
    alice.start(QStringLiteral("a prompt for alice\n"));
    bob.start(QStringLiteral("a prompt for bob\n"));
    const AgentCliProcess::Run aliceRun = alice.finish();
    const AgentCliProcess::Run bobRun = bob.finish();
    QVERIFY2(aliceRun.finished, aliceRun.describe().constData());
    QVERIFY2(bobRun.finished, bobRun.describe().constData());
    QCOMPARE(aliceRun.result.value(QLatin1String("result")).toString(), QStringLiteral("I am alice"));
    QCOMPARE(bobRun.result.value(QLatin1String("result")).toString(), QStringLiteral("I am bob"));
    QCOMPARE(fake->requestCount(QStringLiteral("alice")), 1);
    QCOMPARE(fake->requestCount(QStringLiteral("bob")), 1);
    QVERIFY2(fake->failures().isEmpty(), qPrintable(fake->failures().join(QLatin1Char('\n'))));
}

void TestAgentCli::rateLimited()
{
    REQUIRE_CLI();
    auto fake = server();
    QVERIFY(fake->setScript(QStringLiteral("rl"), jsonArray(R"([{"error": {"status": 429, "type": "rate_limit_error",
        "message": "slow down"}, "repeat": 5}])")));
    QTemporaryDir home;
    QTemporaryDir work;
    AgentCliProcess cli(fake->baseUrl(), QStringLiteral("rl"), home.path(), work.path());
    const AgentCliProcess::Run run = cli.run(QStringLiteral("hi\n"));
    QVERIFY2(run.finished, run.describe().constData());
    QVERIFY2(run.result.value(QLatin1String("is_error")).toBool(), run.describe().constData());
    QCOMPARE(run.result.value(QLatin1String("api_error_status")).toInt(), 429);
    QCOMPARE(run.result.value(QLatin1String("result")).toString(),
             QStringLiteral("API Error: Request rejected (429) · slow down"));
    QCOMPARE(run.result.value(QLatin1String("terminal_reason")).toString(), QStringLiteral("api_error"));
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(fake->requestCount(QStringLiteral("rl")), 1); // CLAUDE_CODE_MAX_RETRIES=0
}

void TestAgentCli::promptTooLong()
{
    REQUIRE_CLI();
    auto fake = server();
    QVERIFY(fake->setScript(QStringLiteral("big"), jsonArray(R"([{"error": {"status": 400,
        "type": "invalid_request_error", "message": "prompt is too long: 210000 tokens > 200000 maximum"},
        "repeat": 10}])")));
    QTemporaryDir home;
    QTemporaryDir work;
    AgentCliProcess cli(fake->baseUrl(), QStringLiteral("big"), home.path(), work.path());
    const AgentCliProcess::Run run = cli.run(QStringLiteral("hi\n"));
    QVERIFY2(run.finished, run.describe().constData());
    QVERIFY2(run.result.value(QLatin1String("is_error")).toBool(), run.describe().constData());
    // A single exchange cannot be compacted: the CLI says so after the usual text.
    QCOMPARE(
        run.result.value(QLatin1String("result")).toString(),
        QStringLiteral("Prompt is too long \u00b7 the request is ~210000 tokens (limit 200000) but this conversation "
                       "is only ~%1 tokens \u2014 the rest is system prompt, tool definitions, and attachment "
                       "content. A single-exchange conversation cannot be compacted; reduce attached files/tools "
                       "or start with less context.")
            .arg(run.result.value(QLatin1String("result"))
                     .toString()
                     .section(QLatin1Char('~'), 2)
                     .section(QLatin1Char(' '), 0, 0)));
    QCOMPARE(run.result.value(QLatin1String("terminal_reason")).toString(), QStringLiteral("prompt_too_long"));
    QCOMPARE(run.result.value(QLatin1String("api_error_status")).toInt(), 400);
    QCOMPARE(fake->requestCount(QStringLiteral("big")), 1);
    QCOMPARE(fake->compactions(QStringLiteral("big")), 0);
}

void TestAgentCli::promptTooLongAfterCompaction()
{
    REQUIRE_CLI();
    auto fake = server();
    QVERIFY(fake->setScript(QStringLiteral("big"), jsonArray(R"([{"reply": [{"text": "ok"}]},
        {"error": {"status": 400, "message": "prompt is too long: 210000 tokens > 200000 maximum"}, "repeat": 2}])")));
    QTemporaryDir home;
    QTemporaryDir work;
    AgentCliProcess cli(fake->baseUrl(), QStringLiteral("big"), home.path(), work.path());
    AgentCliProcess::Run run = cli.run(QStringLiteral("hello\n"));
    QVERIFY2(run.finished && !run.result.value(QLatin1String("is_error")).toBool(), run.describe().constData());
    // Mid-conversation the CLI compacts on its own and retries once, then gives up.
    run = cli.run(QStringLiteral("again\n"), {QStringLiteral("--continue")});
    QVERIFY2(run.finished, run.describe().constData());
    QVERIFY2(run.result.value(QLatin1String("is_error")).toBool(), run.describe().constData());
    QCOMPARE(run.result.value(QLatin1String("result")).toString(), QStringLiteral("Prompt is too long"));
    QCOMPARE(run.result.value(QLatin1String("terminal_reason")).toString(), QStringLiteral("prompt_too_long"));
    QCOMPARE(fake->compactions(QStringLiteral("big")), 1);
    QList<FakeModelServer::Answer> answers;
    for (const auto &request : fake->requests(QStringLiteral("big")))
        answers << request.answer;
    QCOMPARE(answers,
             (QList<FakeModelServer::Answer>{FakeModelServer::Answer::Step, FakeModelServer::Answer::Step,
                                             FakeModelServer::Answer::Compaction, FakeModelServer::Answer::Step}));
    QVERIFY2(fake->failures().isEmpty(), qPrintable(fake->failures().join(QLatin1Char('\n'))));
}

void TestAgentCli::reactiveCompaction()
{
    REQUIRE_CLI();
    auto fake = server();
    fake->setCompactionSummary(QStringLiteral("REACTIVE-SUMMARY"));
    QVERIFY(fake->setScript(QStringLiteral("r"), jsonArray(R"([{"reply": [{"text": "ok"}]},
        {"error": {"status": 400, "message": "prompt is too long: 210000 tokens > 200000 maximum"}},
        {"reply": [{"text": "recovered"}], "expect": "again"}])")));
    QTemporaryDir home;
    QTemporaryDir work;
    AgentCliProcess cli(fake->baseUrl(), QStringLiteral("r"), home.path(), work.path());
    AgentCliProcess::Run run = cli.run(QStringLiteral("hello\n"));
    QVERIFY2(run.finished && !run.result.value(QLatin1String("is_error")).toBool(), run.describe().constData());
    run = cli.run(QStringLiteral("again\n"), {QStringLiteral("--continue")});
    QVERIFY2(run.finished, run.describe().constData());
    QVERIFY2(!run.result.value(QLatin1String("is_error")).toBool(), run.describe().constData());
    QCOMPARE(run.result.value(QLatin1String("result")).toString(), QStringLiteral("recovered"));
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(fake->compactions(QStringLiteral("r")), 1);
    QCOMPARE(fake->requestCount(QStringLiteral("r")), 4);
    QVERIFY2(fake->failures().isEmpty(), qPrintable(fake->failures().join(QLatin1Char('\n'))));
    // What a harness sees: status compacting, then an automatic compact boundary, then the answer.
    const QList<QJsonObject> boundaries = run.of(QStringLiteral("system"), QStringLiteral("compact_boundary"));
    QCOMPARE(boundaries.size(), 1);
    QCOMPARE(
        boundaries.at(0).value(QLatin1String("compact_metadata")).toObject().value(QLatin1String("trigger")).toString(),
        QStringLiteral("auto"));
    QStringList statuses;
    for (const QJsonObject &line : run.of(QStringLiteral("system"), QStringLiteral("status")))
        statuses << line.value(QLatin1String("status")).toString(QStringLiteral("null"));
    QCOMPARE(statuses, (QStringList{QStringLiteral("compacting"), QStringLiteral("null")}));
}

void TestAgentCli::compaction()
{
    REQUIRE_CLI();
    auto fake = server();
    fake->setCompactionSummary(QStringLiteral("THE-SUMMARY-TEXT"));
    QVERIFY(fake->setScript(QStringLiteral("c"), jsonArray(R"([{"reply": [{"text": "first answer"}]}])")));
    QTemporaryDir home;
    QTemporaryDir work;
    AgentCliProcess cli(fake->baseUrl(), QStringLiteral("c"), home.path(), work.path());
    AgentCliProcess::Run run = cli.run(QStringLiteral("remember this\n"));
    QVERIFY2(run.finished && !run.result.value(QLatin1String("is_error")).toBool(), run.describe().constData());
    run = cli.run(QStringLiteral("/compact"), {QStringLiteral("--continue")});
    QVERIFY2(run.finished, run.describe().constData());
    QVERIFY2(!run.result.value(QLatin1String("is_error")).toBool(), run.describe().constData());
    QCOMPARE(fake->compactions(QStringLiteral("c")), 1);
    QCOMPARE(fake->requestCount(QStringLiteral("c")), 2);
    QCOMPARE(fake->requests(QStringLiteral("c")).at(1).answer, FakeModelServer::Answer::Compaction);
    QCOMPARE(fake->stepsLeft(QStringLiteral("c")), 0);
    QVERIFY2(fake->failures().isEmpty(), qPrintable(fake->failures().join(QLatin1Char('\n'))));
    QCOMPARE(run.of(QStringLiteral("system"), QStringLiteral("compact_boundary")).size(), 1);
    bool summarySeen = false;
    for (const QJsonObject &line : run.of(QStringLiteral("user")))
        summarySeen = summarySeen || QJsonDocument(line).toJson().contains("THE-SUMMARY-TEXT");
    QVERIFY2(summarySeen, run.describe().constData());
}

void TestAgentCli::hangTimesOut()
{
    REQUIRE_CLI();
    auto fake = server();
    QVERIFY(fake->setScript(QStringLiteral("h"), jsonArray(R"([{"hang": true, "repeat": 3}])")));
    QTemporaryDir home;
    QTemporaryDir work;
    AgentCliProcess cli(fake->baseUrl(), QStringLiteral("h"), home.path(), work.path());
    cli.setEnv(QStringLiteral("API_TIMEOUT_MS"), QStringLiteral("1000"));
    const AgentCliProcess::Run run = cli.run(QStringLiteral("hi\n"));
    QVERIFY2(run.finished, run.describe().constData());
    QVERIFY2(run.result.value(QLatin1String("is_error")).toBool(), run.describe().constData());
    QCOMPARE(run.result.value(QLatin1String("result")).toString(),
             QStringLiteral("Request timed out. If the API is slow to answer, or a proxy or gateway holds responses, "
                            "set API_TIMEOUT_MS above 1000."));
    QCOMPARE(run.result.value(QLatin1String("terminal_reason")).toString(), QStringLiteral("api_error"));
    QVERIFY(run.result.value(QLatin1String("api_error_status")).isNull());
    QCOMPARE(fake->requestCount(QStringLiteral("h")), 1); // CLAUDE_CODE_MAX_RETRIES=0
    QCOMPARE(fake->requests(QStringLiteral("h")).at(0).status, 0);
    QVERIFY2(run.elapsedMs < 10000, QByteArray::number(run.elapsedMs).constData());
}

QTEST_GUILESS_MAIN(TestAgentCli)
#include "tst_agentcli.moc"
