// SPDX-License-Identifier: MIT
// Bad input on an agent's socket, byte for byte: every malformed frame gets the precise error of
// docs/protocol.md (code, id, the offending field named), changes nothing, and the same
// connection goes on answering.
#include "agents/agentsockets.h"
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "engine.h"
#include "fakeclock.h"
#include "store/database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace hive;
using namespace hive::engine;

namespace {

constexpr int Timeout = 10000;
constexpr qint64 MaxFrameBytes = 4096; // small, so that oversized frames are cheap to write
constexpr qint64 MaxBodyBytes = 1024;

/// One malformed frame and what the engine must answer. `code` 0: no reply at all.
struct BadFrame {
    const char *name;
    QByteArray frame;
    int code;
    QByteArray id;        ///< the reply's id as compact JSON
    const char *mentions; ///< part of the error message
};

QByteArray call(const QByteArray &method, const QByteArray &params)
{
    return R"({"jsonrpc":"2.0","id":7,"method":")" + method + R"(","params":)" + params + '}';
}

QByteArray idList(int count)
{
    QByteArray list = "[";
    for (int i = 1; i <= count; ++i)
        list += QByteArray::number(i) + (i < count ? "," : "");
    return list + ']';
}

QList<BadFrame> badFrames()
{
    const QByteArray nested = QByteArray(1100, '[') + QByteArray(1100, ']');
    const QByteArray oversized = call("send", R"({"to":"bob","body":")" + QByteArray(MaxFrameBytes, 'x') + "\"}");
    static_assert(MaxFrameBytes == 4096 && MaxBodyBytes == 1024, "the messages below quote the limits");
    return {
        // Wrong JSON types: the field and the expected type are named (3.6).
        {"to is a number", call("send", R"({"to":5,"body":"x"})"), -32602, "7", "field 'to' must be a string"},
        {"to is null", call("send", R"({"to":null,"body":"x"})"), -32602, "7", "field 'to' must be a string"},
        {"body is an array", call("send", R"({"to":"bob","body":[]})"), -32602, "7", "field 'body' must be a string"},
        {"ids is a string", call("ack", R"({"ids":"x"})"), -32602, "7", "field 'ids' must be an array"},
        {"ids holds a string", call("ack", R"({"ids":[1,"2"]})"), -32602, "7",
         "invalid field 'ids': ids[1] must be a positive integer message id"},
        {"ids holds a fraction", call("ack", R"({"ids":[1.5]})"), -32602, "7", "ids[0] must be a positive integer"},
        {"ids holds a negative", call("ack", R"({"ids":[3,-3]})"), -32602, "7", "ids[1] must be a positive integer"},
        {"wait_seconds is a string", call("recv", R"({"wait_seconds":"3"})"), -32602, "7",
         "field 'wait_seconds' must be a number"},
        {"wait_seconds is a boolean", call("recv", R"({"wait_seconds":true})"), -32602, "7",
         "field 'wait_seconds' must be a number"},
        {"max is a string", call("recv", R"({"max":"4"})"), -32602, "7", "field 'max' must be an integer"},
        {"limit is an object", call("recent", R"({"limit":{}})"), -32602, "7", "field 'limit' must be an integer"},
        {"in_reply_to is a string", call("send", R"({"to":"bob","body":"x","in_reply_to":"3"})"), -32602, "7",
         "field 'in_reply_to' must be an integer"},
        // Numbers out of range or not integral. A wait over the cap is refused, not shortened (9.6).
        {"negative wait", call("recv", R"({"wait_seconds":-1})"), -32602, "7",
         "invalid field 'wait_seconds': must not be negative, got -1"},
        {"negative fractional wait", call("recv", R"({"wait_seconds":-0.5})"), -32602, "7",
         "invalid field 'wait_seconds': must not be negative, got -0.5"},
        {"wait over the cap", call("recv", R"({"wait_seconds":600})"), -32602, "7",
         "invalid field 'wait_seconds': must be at most 180 (the long-poll cap), got 600"},
        {"wait just over the cap", call("recv", R"({"wait_seconds":180.5})"), -32602, "7",
         "invalid field 'wait_seconds': must be at most 180 (the long-poll cap), got 180.5"},
        {"max 1e9", call("recv", R"({"max":1e9})"), -32602, "7",
         "invalid field 'max': must be between 1 and 32, got 1000000000"},
        {"max 33", call("recv", R"({"max":33})"), -32602, "7", "invalid field 'max': must be between 1 and 32, got 33"},
        {"max 0", call("recv", R"({"max":0})"), -32602, "7", "invalid field 'max': must be between 1 and 32, got 0"},
        {"max past 32 bits", call("recv", R"({"max":1e10})"), -32602, "7", "field 'max' must be a 32-bit integer"},
        {"max past 2^53", call("recv", R"({"max":1e300})"), -32602, "7", "field 'max' must be an integer"},
        {"max fractional", call("recv", R"({"max":2.5})"), -32602, "7", "field 'max' must be an integer"},
        {"in_reply_to fractional", call("send", R"({"to":"bob","body":"x","in_reply_to":1.5})"), -32602, "7",
         "field 'in_reply_to' must be an integer"},
        {"in_reply_to zero", call("send", R"({"to":"bob","body":"x","in_reply_to":0})"), -32602, "7",
         "invalid field 'in_reply_to': must be a positive message id, got 0"},
        {"recent limit 201", call("recent", R"({"limit":201})"), -32602, "7",
         "invalid field 'limit': must be between 1 and 200, got 201"},
        {"no ids", call("ack", R"({"ids":[]})"), -32602, "7",
         "invalid field 'ids': must hold between 1 and 256 ids, got 0"},
        {"257 ids", call("ack", "{\"ids\":" + idList(257) + '}'), -32602, "7",
         "invalid field 'ids': must hold between 1 and 256 ids, got 257"},
        {"number past a double", call("recv", R"({"max":1e400})"), -32700, "null", "offset 61"},
        // Empty and reserved names, and the body.
        {"empty to", call("send", R"({"to":"","body":"x"})"), -32602, "7", "invalid field 'to': must not be empty"},
        {"empty body", call("send", R"({"to":"bob","body":""})"), -32602, "7",
         "invalid field 'body': must not be empty"},
        {"to system", call("send", R"({"to":"system","body":"x"})"), -32602, "7",
         "'system' is reserved for engine events"},
        {"unknown recipient", call("send", R"({"to":"Bob","body":"x"})"), -32003, "7", "unknown recipient 'Bob'"},
        {"body over the cap", call("send", R"({"to":"bob","body":")" + QByteArray(MaxBodyBytes + 1, 'b') + "\"}"),
         -32007, "7", "body of 1025 bytes exceeds the limit of 1024 bytes"},
        {"ask with empty to", call("ask", R"({"question":"q","to":""})"), -32602, "7",
         "invalid field 'to': must not be empty"},
        {"ask ttl 0", call("ask", R"({"question":"q","ttl_seconds":0})"), -32602, "7",
         "invalid field 'ttl_seconds': must be between 1 and 21600"},
        // Unknown and missing fields.
        {"unknown field", call("send", R"({"to":"bob","body":"x","urgent":true})"), -32602, "7",
         "unknown field 'urgent'; known: body, in_reply_to, to"},
        {"a claimed sender", call("send", R"({"to":"bob","body":"x","from":"manager"})"), -32602, "7",
         "unknown field 'from'"},
        {"unknown fields on status", call("status", R"({"y":1,"x":2})"), -32602, "7", "known: none"},
        {"missing to", call("send", R"({"body":"x"})"), -32602, "7", "missing required field 'to'"},
        {"missing body", call("send", R"({"to":"bob"})"), -32602, "7", "missing required field 'body'"},
        {"missing ids", call("ack", "{}"), -32602, "7", "missing required field 'ids'"},
        {"missing answer id", call("answer", R"({"answer":"yes"})"), -32602, "7", "missing required field 'id'"},
        // Text that is not Unicode. Raw bytes that are not UTF-8 make the frame not JSON (RFC 8259
        // 8.1), and the offset points at the first bad byte; an escaped lone surrogate is JSON
        // but has no UTF-8 form, so the field is refused rather than stored mangled.
        {"bytes ff fe in a string", call("send", "{\"to\":\"bob\",\"body\":\"\xff\xfe\"}"), -32700, "null",
         "not valid JSON at offset 69: invalid UTF8 string"},
        {"overlong UTF-8", call("send", "{\"to\":\"bob\",\"body\":\"\xc0\xaf\"}"), -32700, "null", "offset 69"},
        {"UTF-8 of a surrogate", call("send", "{\"to\":\"bob\",\"body\":\"ok \xed\xa0\x80\"}"), -32700, "null",
         "offset 72"},
        {"lone surrogate escape in body", call("send", R"({"to":"bob","body":"ab\ud800"})"), -32602, "7",
         R"(invalid field 'body': a lone UTF-16 surrogate (\ud800) at character 2 is not valid Unicode)"},
        {"lone low surrogate in to", call("send", R"({"to":"\udc00bob","body":"x"})"), -32602, "7",
         R"(invalid field 'to': a lone UTF-16 surrogate (\udc00) at character 0)"},
        {"reversed pair in question", call("ask", R"({"question":"\udc00\ud800"})"), -32602, "7",
         "invalid field 'question': a lone UTF-16 surrogate"},
        {"lone surrogate in an option", call("ask", R"({"question":"q","options":["a","\ud83d"]})"), -32602, "7",
         R"(invalid field 'options': item 1: a lone UTF-16 surrogate (\ud83d))"},
        // Frames that are not requests (3.1, 3.2).
        {"truncated", R"({"jsonrpc":"2.0","id":7,"method":"status")", -32700, "null", "not valid JSON at offset 41"},
        {"not JSON", "send bob hello", -32700, "null", "not valid JSON at offset 1: illegal value"},
        {"too deeply nested", call("status", R"({"a":)" + nested + '}'), -32700, "null", "nested"},
        {"a number", "42", -32600, "null", "a frame must be a JSON object"},
        {"a string", R"("status")", -32600, "null", "a frame must be a JSON object"},
        {"null", "null", -32600, "null", "a frame must be a JSON object"},
        {"a batch", R"([{"jsonrpc":"2.0","id":7,"method":"status"}])", -32600, "null",
         "batch requests are not supported"},
        {"an empty batch", "[]", -32600, "null", "batch requests are not supported"},
        {"id is fractional", R"({"jsonrpc":"2.0","id":1.5,"method":"status"})", -32600, "null",
         "id must be a string or an integer"},
        {"id is an object", R"({"jsonrpc":"2.0","id":{},"method":"status"})", -32600, "null",
         "id must be a string or an integer"},
        {"id is an array", R"({"jsonrpc":"2.0","id":[7],"method":"status"})", -32600, "null",
         "id must be a string or an integer"},
        {"id is a boolean", R"({"jsonrpc":"2.0","id":true,"method":"status"})", -32600, "null",
         "id must be a string or an integer"},
        {"id is null", R"({"jsonrpc":"2.0","id":null,"method":"status"})", -32600, "null", "not null"},
        {"no jsonrpc", R"({"id":7,"method":"status"})", -32600, "7", R"(jsonrpc must be "2.0")"},
        {"jsonrpc 1.0", R"({"jsonrpc":"1.0","id":"s","method":"status"})", -32600, "\"s\"", R"(jsonrpc must be "2.0")"},
        {"method is a number", R"({"jsonrpc":"2.0","id":7,"method":5})", -32600, "7",
         "method must be a non-empty string"},
        {"method is empty", R"({"jsonrpc":"2.0","id":7,"method":""})", -32600, "7",
         "method must be a non-empty string"},
        {"params is an array", R"({"jsonrpc":"2.0","id":7,"method":"send","params":["bob","x"]})", -32602, "7",
         "params must be an object: this API takes named parameters only"},
        {"params is null", R"({"jsonrpc":"2.0","id":7,"method":"status","params":null})", -32602, "7",
         "params must be an object"},
        {"params is a string", R"({"jsonrpc":"2.0","id":7,"method":"status","params":"x"})", -32602, "7",
         "params must be an object"},
        {"unknown method", R"({"jsonrpc":"2.0","id":7,"method":"frobnicate"})", -32601, "7",
         "unknown method 'frobnicate'"},
        {"operator method", call("message_send", R"({"to":"bob","body":"x"})"), -32601, "7",
         "unknown method 'message_send'"},
        {"response with neither", R"({"jsonrpc":"2.0","id":9})", -32600, "9",
         "a response has exactly one of result and error"},
        {"response with both", R"({"jsonrpc":"2.0","id":9,"result":{},"error":{"code":1}})", -32600, "9",
         "a response has exactly one of result and error"},
        // Ignored without a reply: a response, and a notification (even of a method that would
        // change state: nothing is sent).
        {"a response", R"({"jsonrpc":"2.0","id":9,"result":{}})", 0, "", ""},
        {"a notification", R"({"jsonrpc":"2.0","method":"send","params":{"to":"bob","body":"x"}})", 0, "", ""},
        // Over the frame cap: too_large, id null, skipped up to the newline; the connection stays
        // open on an agent socket (9.1).
        {"oversized frame", oversized, -32007, "null", "exceeds the limit of 4096 bytes"},
    };
}

} // namespace

class TestAgentBadInput : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void badFrameIsAnsweredPrecisely_data();
    void badFrameIsAnsweredPrecisely();
    void oversizedFrameInPiecesIsSkipped();
    void allBadFramesInOneBurst();
    void edgeValuesAreAccepted_data();
    void edgeValuesAreAccepted();
    void textRoundTripsExactly();

private:
    /// A fresh connection to alice's socket.
    std::unique_ptr<QLocalSocket> connectAlice();
    /// Reads reply lines until the `status` probe (id "after") is answered, or until `atLeast`
    /// replies came, whichever is later (a waiting recv is answered after the probe).
    QList<QJsonObject> repliesUntilProbe(QLocalSocket &socket, qsizetype atLeast = 1);
    qint64 storedMessages();

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<Engine> m_engine;
};

namespace {
const QByteArray Probe = R"({"jsonrpc":"2.0","id":"after","method":"status"})"
                         "\n";
}

void TestAgentBadInput::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    EngineConfig config = EngineConfig::defaults();
    config.containerBackend = QStringLiteral("none");
    config.stateDir = m_dir->filePath(QStringLiteral("state"));
    config.listenEnabled = false;
    config.maxFrameBytes = MaxFrameBytes;
    config.maxBodyBytes = MaxBodyBytes;
    m_engine = std::make_unique<Engine>(config, m_clock);
    auto started = m_engine->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    for (const char *name : {"alice", "bob"}) {
        QVERIFY(m_engine->agents().add(QString::fromLatin1(name)));
        QVERIFY(m_engine->agentSockets().open(QString::fromLatin1(name)));
    }
}

void TestAgentBadInput::cleanupTestCase()
{
    m_engine.reset();
    m_dir.reset();
}

std::unique_ptr<QLocalSocket> TestAgentBadInput::connectAlice()
{
    auto socket = std::make_unique<QLocalSocket>();
    socket->connectToServer(m_engine->agentSockets().socketPath(QStringLiteral("alice")));
    if (!socket->waitForConnected(Timeout))
        qWarning("cannot connect to alice's socket: %s", qPrintable(socket->errorString()));
    return socket;
}

QList<QJsonObject> TestAgentBadInput::repliesUntilProbe(QLocalSocket &socket, qsizetype atLeast)
{
    QList<QJsonObject> replies;
    QByteArray buffer;
    (void)QTest::qWaitFor(
        [&] {
            // No waitForReadyRead(): it would block the engine, which runs on this thread.
            buffer += socket.readAll();
            qsizetype newline = -1;
            while ((newline = buffer.indexOf('\n')) >= 0) {
                replies << QJsonDocument::fromJson(buffer.left(newline)).object();
                buffer.remove(0, newline + 1);
            }
            const bool probed = std::any_of(replies.cbegin(), replies.cend(), [](const QJsonObject &reply) {
                return reply.value(QStringLiteral("id")) == QStringLiteral("after");
            });
            return probed && replies.size() >= atLeast;
        },
        Timeout);
    return replies;
}

qint64 TestAgentBadInput::storedMessages()
{
    auto count = m_engine->database().scalar(QStringLiteral("SELECT COUNT(*) FROM messages"));
    return count ? *count : -1;
}

void TestAgentBadInput::badFrameIsAnsweredPrecisely_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<int>("code");
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QString>("mentions");
    for (const BadFrame &bad : badFrames())
        QTest::newRow(bad.name) << bad.frame << bad.code << bad.id << QString::fromUtf8(bad.mentions);
}

void TestAgentBadInput::badFrameIsAnsweredPrecisely()
{
    QFETCH(QByteArray, frame);
    QFETCH(int, code);
    QFETCH(QByteArray, id);
    QFETCH(QString, mentions);
    const qint64 before = storedMessages();
    auto socket = connectAlice();
    socket->write(frame + '\n' + Probe);
    const QList<QJsonObject> replies = repliesUntilProbe(*socket);

    // The same connection answers the next call, in order, after exactly the expected replies.
    QCOMPARE(replies.size(), code == 0 ? 1 : 2);
    const QJsonObject &probe = replies.last();
    QVERIFY2(probe.value(QStringLiteral("result")).toObject().contains(QStringLiteral("unread")),
             QJsonDocument(probe).toJson().constData());
    QCOMPARE(socket->state(), QLocalSocket::ConnectedState);
    QCOMPARE(storedMessages(), before); // refused or ignored: nothing was sent
    if (code == 0)
        return;

    const QJsonObject &reply = replies.first();
    const QByteArray text = QJsonDocument(reply).toJson(QJsonDocument::Compact);
    QVERIFY2(!reply.contains(QStringLiteral("result")), text.constData());
    const QJsonObject error = reply.value(QStringLiteral("error")).toObject();
    QCOMPARE(error.value(QStringLiteral("code")).toInt(), code);
    QVERIFY2(!error.value(QStringLiteral("data")).toObject().value(QStringLiteral("kind")).toString().isEmpty(),
             text.constData());
    QCOMPARE(QJsonDocument(QJsonArray{reply.value(QStringLiteral("id"))}).toJson(QJsonDocument::Compact),
             '[' + id + ']');
    const QString message = error.value(QStringLiteral("message")).toString();
    QVERIFY2(message.contains(mentions), qPrintable(message + QStringLiteral(" -- expected: ") + mentions));
}

void TestAgentBadInput::oversizedFrameInPiecesIsSkipped()
{
    // A frame over the cap that arrives in pieces is refused as soon as the cap is passed, its
    // rest is skipped up to the newline without being buffered, and the call in it never runs.
    const qint64 before = storedMessages();
    auto socket = connectAlice();
    const QByteArray head = R"({"jsonrpc":"2.0","id":7,"method":"send","params":{"to":"bob","body":")";
    socket->write(head + QByteArray(MaxFrameBytes, 'x'));
    socket->flush();
    QTest::qWait(50);
    for (int i = 0; i < 3; ++i) {
        socket->write(QByteArray(MaxFrameBytes, 'y'));
        socket->flush();
        QTest::qWait(20);
    }
    socket->write("\"}}\n" + Probe);
    const QList<QJsonObject> replies = repliesUntilProbe(*socket);
    QCOMPARE(replies.size(), 2);
    const QJsonObject error = replies.first().value(QStringLiteral("error")).toObject();
    QCOMPARE(error.value(QStringLiteral("code")).toInt(), -32007);
    QVERIFY(replies.first().value(QStringLiteral("id")).isNull());
    QVERIFY2(error.value(QStringLiteral("message"))
                 .toString()
                 .contains(QStringLiteral("exceeds the limit of %1 bytes").arg(MaxFrameBytes)),
             qPrintable(error.value(QStringLiteral("message")).toString()));
    QVERIFY(replies.last().value(QStringLiteral("result")).isObject());
    QCOMPARE(storedMessages(), before);
}

void TestAgentBadInput::allBadFramesInOneBurst()
{
    // Every bad frame pipelined in one write: one reply each, in order, then the probe.
    const QList<BadFrame> frames = badFrames();
    QByteArray burst;
    QList<int> expected;
    for (const BadFrame &bad : frames) {
        burst += bad.frame + '\n';
        if (bad.code != 0)
            expected << bad.code;
    }
    const qint64 before = storedMessages();
    auto socket = connectAlice();
    socket->write(burst + Probe);
    const QList<QJsonObject> replies = repliesUntilProbe(*socket);
    QCOMPARE(replies.size(), expected.size() + 1);
    for (qsizetype i = 0; i < expected.size(); ++i)
        QCOMPARE(replies.at(i).value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(),
                 expected.at(i));
    QVERIFY(replies.last().value(QStringLiteral("result")).isObject());
    QCOMPARE(storedMessages(), before);
}

void TestAgentBadInput::edgeValuesAreAccepted_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QByteArray>("id");
    QTest::newRow("fractional wait") << call("recv", R"({"wait_seconds":0.05,"max":32})") << QByteArray("7");
    QTest::newRow("wait 0 and max 1") << call("recv", R"({"wait_seconds":0,"max":1})") << QByteArray("7");
    QTest::newRow("max as 3.0") << call("recv", R"({"max":3.0})") << QByteArray("7");
    QTest::newRow("optional null") << call("recv", R"({"wait_seconds":null,"max":null})") << QByteArray("7");
    QTest::newRow("no params") << QByteArray(R"({"jsonrpc":"2.0","id":7,"method":"status"})") << QByteArray("7");
    QTest::newRow("empty params") << call("whoami", "{}") << QByteArray("7");
    QTest::newRow("string id") << QByteArray(R"({"jsonrpc":"2.0","id":"a b","method":"status"})")
                               << QByteArray("\"a b\"");
    QTest::newRow("negative id") << QByteArray(R"({"jsonrpc":"2.0","id":-5,"method":"status"})") << QByteArray("-5");
    QTest::newRow("id 2^53") << QByteArray(R"({"jsonrpc":"2.0","id":9007199254740992,"method":"status"})")
                             << QByteArray("9007199254740992");
    QTest::newRow("CRLF") << QByteArray(R"({"jsonrpc":"2.0","id":7,"method":"status"})"
                                        "\r")
                          << QByteArray("7");
    QTest::newRow("recent limit 200") << call("recent", R"({"limit":200})") << QByteArray("7");
    QTest::newRow("256 ids") << call("ack", "{\"ids\":" + idList(256) + '}') << QByteArray("7");
    QTest::newRow("a surrogate pair") << call("send", R"({"to":"bob","body":"\ud83d\ude00"})") << QByteArray("7");
}

void TestAgentBadInput::edgeValuesAreAccepted()
{
    QFETCH(QByteArray, frame);
    QFETCH(QByteArray, id);
    auto socket = connectAlice();
    socket->write("\n  \n" + frame + '\n' + Probe); // blank lines are skipped without a reply
    const QList<QJsonObject> replies = repliesUntilProbe(*socket, 2);
    QCOMPARE(replies.size(), 2);
    // A recv that waits is answered after the probe (9.1): find the reply by id.
    const QJsonObject reply =
        replies.first().value(QStringLiteral("id")) == QStringLiteral("after") ? replies.last() : replies.first();
    QVERIFY2(reply.value(QStringLiteral("result")).isObject(), QJsonDocument(reply).toJson().constData());
    QCOMPARE(QJsonDocument(QJsonArray{reply.value(QStringLiteral("id"))}).toJson(QJsonDocument::Compact),
             '[' + id + ']');
}

void TestAgentBadInput::textRoundTripsExactly()
{
    // What the lone-surrogate rule protects: any valid text, escaped or raw, control characters
    // included, reaches the recipient exactly as it was sent.
    const QString body = QStringLiteral("caf\u00e9 \U0001F600 \u0001 tab\t nul\u0000 end");
    auto alice = connectAlice();
    const QJsonObject send{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                           {QStringLiteral("id"), 1},
                           {QStringLiteral("method"), QStringLiteral("send")},
                           {QStringLiteral("params"), QJsonObject{{QStringLiteral("to"), QStringLiteral("bob")},
                                                                  {QStringLiteral("body"), body}}}};
    alice->write(QJsonDocument(send).toJson(QJsonDocument::Compact) + '\n' +
                 call("send", R"({"to":"bob","body":"\ud83d\ude00 pair"})") + '\n' + Probe);
    const QList<QJsonObject> sent = repliesUntilProbe(*alice);
    QCOMPARE(sent.size(), 3);
    QVERIFY(sent.at(0).value(QStringLiteral("result")).isObject());
    QVERIFY(sent.at(1).value(QStringLiteral("result")).isObject());

    QLocalSocket bob;
    bob.connectToServer(m_engine->agentSockets().socketPath(QStringLiteral("bob")));
    QVERIFY(bob.waitForConnected(Timeout));
    bob.write(call("recent", R"({"limit":2})") + '\n' + Probe);
    const QList<QJsonObject> got = repliesUntilProbe(bob);
    QCOMPARE(got.size(), 2);
    const QJsonArray messages =
        got.first().value(QStringLiteral("result")).toObject().value(QStringLiteral("messages")).toArray();
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages.at(0).toObject().value(QStringLiteral("body")).toString(), QStringLiteral("\U0001F600 pair"));
    QCOMPARE(messages.at(1).toObject().value(QStringLiteral("body")).toString(), body);
}

QTEST_GUILESS_MAIN(TestAgentBadInput)
#include "tst_agentbadinput.moc"
