// SPDX-License-Identifier: MIT
#include "jsonrpc.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace hive;
using namespace hive::rpc;

class TestJsonRpc : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void requestRoundTrip_data();
    void requestRoundTrip();
    void responseRoundTrip();
    void errorRoundTripKeepsKindAndData();
    void notificationHasNoId();
    void malformed_data();
    void malformed();
    void everyErrorCodeMapsBothWays();
    void framesHaveNoNewline();
};

void TestJsonRpc::requestRoundTrip_data()
{
    QTest::addColumn<QJsonValue>("id");
    QTest::addColumn<QJsonObject>("params");
    QTest::newRow("integer id") << QJsonValue(7) << QJsonObject{{QStringLiteral("a"), 1}};
    QTest::newRow("string id") << QJsonValue(QStringLiteral("x-1")) << QJsonObject{};
    QTest::newRow("nested params") << QJsonValue(1)
                                   << QJsonObject{{QStringLiteral("o"), QJsonObject{{QStringLiteral("k"), true}}},
                                                  {QStringLiteral("l"),
                                                   QJsonArray{QJsonValue(1), QJsonValue(QStringLiteral("two"))}}};
    QTest::newRow("unicode") << QJsonValue(2) << QJsonObject{{QStringLiteral("body"), QStringLiteral("grüße 🐝\n")}};
}

void TestJsonRpc::requestRoundTrip()
{
    QFETCH(QJsonValue, id);
    QFETCH(QJsonObject, params);
    const Request request{id, QStringLiteral("token_list"), params};
    const Message decoded = Codec::decode(Codec::encode(request));
    QVERIFY(std::holds_alternative<Request>(decoded));
    QCOMPARE(std::get<Request>(decoded), request);
}

void TestJsonRpc::responseRoundTrip()
{
    const QByteArray frame = Codec::encodeResult(QJsonValue(3), QJsonObject{{QStringLiteral("ok"), true}});
    const Message decoded = Codec::decode(frame);
    QVERIFY(std::holds_alternative<Response>(decoded));
    const auto &response = std::get<Response>(decoded);
    QCOMPARE(response.id, QJsonValue(3));
    QVERIFY(!response.error);
    QCOMPARE(response.result.toObject().value(QStringLiteral("ok")).toBool(), true);
}

void TestJsonRpc::errorRoundTripKeepsKindAndData()
{
    const Error error{ErrorCode::ResyncRequired, QStringLiteral("too old"), {{QStringLiteral("oldest_seq"), 5}}};
    const QByteArray frame = Codec::encodeError(QJsonValue(9), error);
    const QJsonObject wire = QJsonDocument::fromJson(frame).object();
    QCOMPARE(wire.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(), -32005);
    const Message decoded = Codec::decode(frame);
    QVERIFY(std::holds_alternative<Response>(decoded));
    QCOMPARE(*std::get<Response>(decoded).error, error);
}

void TestJsonRpc::notificationHasNoId()
{
    const QByteArray frame = Codec::encodeNotification(QStringLiteral("event"), {{QStringLiteral("seq"), 1}});
    QVERIFY(!QJsonDocument::fromJson(frame).object().contains(QStringLiteral("id")));
    const Message decoded = Codec::decode(frame);
    QVERIFY(std::holds_alternative<Request>(decoded));
    QVERIFY(std::get<Request>(decoded).isNotification());
}

void TestJsonRpc::malformed_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<int>("code");
    QTest::addColumn<QJsonValue>("id");
    const QJsonValue null(QJsonValue::Null);
    QTest::newRow("not json") << QByteArray("{nope") << -32700 << null;
    QTest::newRow("empty") << QByteArray("") << -32700 << null;
    QTest::newRow("array (batch)") << QByteArray(R"([{"jsonrpc":"2.0","id":1,"method":"a"}])") << -32600 << null;
    QTest::newRow("number") << QByteArray("42") << -32600 << null;
    QTest::newRow("string") << QByteArray(R"("hello")") << -32600 << null;
    QTest::newRow("no jsonrpc") << QByteArray(R"({"id":1,"method":"a"})") << -32600 << QJsonValue(1);
    QTest::newRow("wrong version") << QByteArray(R"({"jsonrpc":"1.0","id":1,"method":"a"})") << -32600 << QJsonValue(1);
    QTest::newRow("method not string") << QByteArray(R"({"jsonrpc":"2.0","id":2,"method":5})") << -32600
                                       << QJsonValue(2);
    QTest::newRow("empty method") << QByteArray(R"({"jsonrpc":"2.0","id":2,"method":""})") << -32600 << QJsonValue(2);
    QTest::newRow("object id") << QByteArray(R"({"jsonrpc":"2.0","id":{},"method":"a"})") << -32600 << null;
    QTest::newRow("fractional id") << QByteArray(R"({"jsonrpc":"2.0","id":1.5,"method":"a"})") << -32600 << null;
    QTest::newRow("null id request") << QByteArray(R"({"jsonrpc":"2.0","id":null,"method":"a"})") << -32600 << null;
    QTest::newRow("positional params") << QByteArray(R"({"jsonrpc":"2.0","id":3,"method":"a","params":[1]})") << -32602
                                       << QJsonValue(3);
    QTest::newRow("scalar params") << QByteArray(R"({"jsonrpc":"2.0","id":3,"method":"a","params":1})") << -32602
                                   << QJsonValue(3);
    QTest::newRow("response with both") << QByteArray(R"({"jsonrpc":"2.0","id":4,"result":1,"error":{"code":1}})")
                                        << -32600 << QJsonValue(4);
    QTest::newRow("response with neither") << QByteArray(R"({"jsonrpc":"2.0","id":4})") << -32600 << QJsonValue(4);
}

void TestJsonRpc::malformed()
{
    QFETCH(QByteArray, frame);
    QFETCH(int, code);
    QFETCH(QJsonValue, id);
    const Message decoded = Codec::decode(frame);
    QVERIFY(std::holds_alternative<Invalid>(decoded));
    const auto &invalid = std::get<Invalid>(decoded);
    QCOMPARE(jsonRpcCode(invalid.error.code), code);
    QCOMPARE(invalid.id, id);
    QVERIFY(!invalid.error.message.isEmpty());
}

void TestJsonRpc::everyErrorCodeMapsBothWays()
{
    for (int i = static_cast<int>(ErrorCode::ParseError); i <= static_cast<int>(ErrorCode::Tls); ++i) {
        const auto code = static_cast<ErrorCode>(i);
        QCOMPARE(errorCodeFromJsonRpc(jsonRpcCode(code), errorCodeName(code)), code);
        QCOMPARE(errorCodeFromJsonRpc(jsonRpcCode(code), QString()), code);
        QVERIFY(!errorCodeName(code).isEmpty());
    }
    // A size limit is checked before parsing: an oversized frame is too_large even if it is JSON.
    const QByteArray big = R"({"jsonrpc":"2.0","id":1,"method":"a","params":{"x":")" + QByteArray(2000, 'a') + R"("}})";
    const Message decoded = Codec::decode(big, 1024);
    QVERIFY(std::holds_alternative<Invalid>(decoded));
    QCOMPARE(std::get<Invalid>(decoded).error.code, ErrorCode::TooLarge);
}

void TestJsonRpc::framesHaveNoNewline()
{
    const Request request{
        QJsonValue(1), QStringLiteral("send"), {{QStringLiteral("body"), QStringLiteral("line one\nline two\r\n")}}};
    QVERIFY(!Codec::encode(request).contains('\n'));
}

QTEST_GUILESS_MAIN(TestJsonRpc)
#include "tst_jsonrpc.moc"
