// SPDX-License-Identifier: MIT
#include "protocol/methods.h"
#include "protocol/version.h"
#include "testsupport.h"
#include "verify.h"

#include <QFile>
#include <QTest>
#include <QTimeZone>

using namespace hive;
using namespace hive::protocol;

namespace {

const QDateTime T1 = QDateTime(QDate(2026, 11, 24), QTime(15, 32, 26, 123), QTimeZone::utc());
const QDateTime T2 = QDateTime(QDate(2026, 11, 25), QTime(1, 2, 3, 4), QTimeZone::utc());

TokenInfo sampleToken()
{
    return TokenInfo{QStringLiteral("ops-laptop"), QStringLiteral("operator"), T1, QStringLiteral("local:root"), T2};
}

AuditEntry sampleAudit()
{
    return AuditEntry{7,
                      T1,
                      QStringLiteral("admin"),
                      QStringLiteral("admin"),
                      QStringLiteral("token_create"),
                      {{QStringLiteral("name"), QStringLiteral("x")}},
                      QStringLiteral("ok"),
                      QString(),
                      QString(64, QLatin1Char('0')),
                      QString(64, QLatin1Char('a'))};
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

} // namespace

class TestProtocol : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyMessageRoundTrips();
    void optionalFieldsRoundTripWhenAbsent();
    void unknownFieldIsRefused();
    void missingAndMistypedFieldsAreNamed_data();
    void missingAndMistypedFieldsAreNamed();
    void rangeChecks();
    void roles();
    void versionParsing();
    void methodTableIsDocumented();
    void terminalFrames();
};

void TestProtocol::everyMessageRoundTrips()
{
    roundTrip(HelloParams{QStringLiteral("1.0.0"), QStringLiteral("hht_secret"), QStringLiteral("hivectl 0.1.0")});
    roundTrip(HelloResult{QStringLiteral("0.1.0"), QStringLiteral("1.0.0"), features(), QStringLiteral("admin"),
                          QStringLiteral("admin")});
    roundTrip(EngineInfoParams{});
    roundTrip(EngineInfoResult{QStringLiteral("0.1.0"), QStringLiteral("1.0.0"), T1, 3600,
                               QStringLiteral("/var/lib/hyperhive"), QStringLiteral("127.0.0.1:7443"),
                               QStringLiteral("AB:CD"), 2, 3, 40, 50, 1});
    roundTrip(sampleToken());
    roundTrip(TokenCreateParams{QStringLiteral("ci"), QStringLiteral("viewer")});
    roundTrip(TokenCreateResult{sampleToken(), QStringLiteral("hht_abc")});
    roundTrip(TokenListParams{});
    roundTrip(TokenListResult{{sampleToken(), sampleToken()}});
    roundTrip(TokenRevokeParams{QStringLiteral("ci")});
    roundTrip(TokenRevokeResult{QStringLiteral("ci"), 2});
    roundTrip(sampleAudit());
    roundTrip(AuditListParams{50, 100, QStringLiteral("admin"), QStringLiteral("token_create")});
    roundTrip(AuditListResult{{sampleAudit()}, true});
    roundTrip(AuditVerifyParams{});
    roundTrip(AuditVerifyResult{false, 12, 7, QStringLiteral("edited")});
    roundTrip(Event{42, T2, QStringLiteral("token_created"), {{QStringLiteral("name"), QStringLiteral("ci")}}});
    roundTrip(EventsSubscribeParams{10});
    roundTrip(EventsSubscribeResult{99, 3, 89});
    roundTrip(EventsUnsubscribeParams{});
    roundTrip(EventsUnsubscribeResult{true});

    const AgentInfo agent{QStringLiteral("alice"),
                          QStringLiteral("agent"),
                          {QStringLiteral("bob")},
                          T1,
                          3,
                          1,
                          QStringLiteral("external"),
                          std::nullopt,
                          std::nullopt,
                          std::nullopt};
    roundTrip(agent);
    const ContainerInfo container{QStringLiteral("nspawn"),
                                  4242,
                                  T1,
                                  60,
                                  524288,
                                  65536,
                                  QStringLiteral("none"),
                                  QStringLiteral("4G"),
                                  QStringLiteral("200%"),
                                  2,
                                  QStringLiteral("exited")};
    roundTrip(container);
    roundTrip(ContainerInfo{QStringLiteral("nspawn"), std::nullopt, std::nullopt, std::nullopt, 589824, 65536,
                            QStringLiteral("host"), QStringLiteral("infinity"), QStringLiteral("50%"), 0,
                            std::nullopt});
    roundTrip(AgentInfo{QStringLiteral("bob"),
                        QStringLiteral("agent"),
                        {},
                        T1,
                        0,
                        0,
                        QStringLiteral("running"),
                        container,
                        std::nullopt,
                        std::nullopt});
    roundTrip(AgentSpawnParams{QStringLiteral("bob"), QStringLiteral("none"), QStringLiteral("512M"),
                               QStringLiteral("100%")});
    roundTrip(AgentStartParams{QStringLiteral("bob")});
    roundTrip(AgentPurgeParams{QStringLiteral("bob")});
    roundTrip(AgentPurgeResult{QStringLiteral("bob")});
    roundTrip(AgentAddParams{QStringLiteral("alice")});
    roundTrip(AgentAddResult{agent, QStringLiteral("/var/lib/hyperhive/run/agents/alice/agent.sock")});
    roundTrip(AgentListParams{});
    roundTrip(AgentListResult{{agent, agent}});
    roundTrip(AgentSetRecipientsParams{QStringLiteral("alice"), {QStringLiteral("bob"), QStringLiteral("operator")}});
    roundTrip(AgentSetRecipientsParams{QStringLiteral("alice"), {}});
    roundTrip(AgentSetRecipientsResult{agent});
    roundTrip(MessageSendParams{QStringLiteral("*"), QStringLiteral("freeze"), 7});
    roundTrip(MessageSendParams{QStringLiteral("alice"), QStringLiteral("hi"), std::nullopt});
    roundTrip(MessageListParams{QStringLiteral("alice"), 500, 42});
    roundTrip(MessageListParams{});
    roundTrip(MessageListResult{
        {Message{9, QStringLiteral("alice"), QStringLiteral("operator"), QStringLiteral("done"), T2, 8, false, false}},
        true});
    roundTrip(TerminalOpenParams{QStringLiteral("alice"), 120, 40});
    roundTrip(TerminalOpenResult{7, QStringLiteral("alice"), 120, 40, QStringLiteral("binary")});
    roundTrip(TerminalInputParams{7, QByteArray("ls\n\x00\xff", 5)});
    roundTrip(TerminalInputResult{5});
    roundTrip(TerminalResizeParams{7, 80, 24});
    roundTrip(TerminalCloseParams{7});
    roundTrip(TerminalRef{7});
    roundTrip(TerminalOutput{7, QByteArray("\x1b[1mbold\x1b[0m\r\n")});
    roundTrip(TerminalClosed{7, QStringLiteral("alice"), QStringLiteral("exited"), 3, std::nullopt, 1500});
    roundTrip(TerminalClosed{7, QStringLiteral("alice"), QStringLiteral("closed"), std::nullopt, 1, 20});
}

void TestProtocol::terminalFrames()
{
    // The header by hand: kind, then the id big-endian.
    const QByteArray frame = TerminalFrame{TerminalFrame::Kind::Input, 0x01020304, "ab"}.encode();
    QCOMPARE(frame, QByteArray("\x02\x01\x02\x03\x04"
                               "ab",
                               7));
    auto back = TerminalFrame::decode(frame);
    QVERIFY(back);
    QCOMPARE(back->kind, TerminalFrame::Kind::Input);
    QCOMPARE(back->terminal, 0x01020304U);
    QCOMPARE(back->data, QByteArray("ab"));
    auto empty = TerminalFrame::decode(TerminalFrame{TerminalFrame::Kind::Output, 0xffffffffU, {}}.encode());
    QVERIFY(empty && empty->terminal == 0xffffffffU && empty->data.isEmpty());
    VERIFY_FAILS(TerminalFrame::decode(QByteArray("\x01\x00\x00\x00", 4)), ErrorCode::InvalidRequest,
                 "binary frame of 4 bytes is shorter than the 5-byte terminal header");
    VERIFY_FAILS(TerminalFrame::decode(QByteArray("\x00\x00\x00\x00\x01", 5)), ErrorCode::InvalidRequest,
                 "unknown kind 0");
}

void TestProtocol::optionalFieldsRoundTripWhenAbsent()
{
    TokenInfo unused = sampleToken();
    unused.lastUsedAt.reset();
    roundTrip(unused);
    roundTrip(AuditListParams{});
    roundTrip(EventsSubscribeParams{});
    roundTrip(AuditVerifyResult{true, 3, std::nullopt, QString()});
}

void TestProtocol::unknownFieldIsRefused()
{
    QJsonObject json = TokenCreateParams{QStringLiteral("ci"), QStringLiteral("viewer")}.toJson();
    json.insert(QStringLiteral("rol"), QStringLiteral("admin"));
    const auto parsed = TokenCreateParams::fromJson(json);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().code, ErrorCode::InvalidParams);
    QVERIFY2(parsed.error().message.contains(QStringLiteral("'rol'")), qPrintable(parsed.error().message));
    QVERIFY(!EngineInfoParams::fromJson({{QStringLiteral("x"), 1}}));
}

void TestProtocol::missingAndMistypedFieldsAreNamed_data()
{
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("missing name") << QJsonObject{{QStringLiteral("role"), QStringLiteral("viewer")}}
                                  << QStringLiteral("missing required field 'name'");
    QTest::newRow("name is a number") << QJsonObject{{QStringLiteral("name"), 5},
                                                     {QStringLiteral("role"), QStringLiteral("viewer")}}
                                      << QStringLiteral("field 'name' must be a string");
    QTest::newRow("role is null") << QJsonObject{{QStringLiteral("name"), QStringLiteral("a")},
                                                 {QStringLiteral("role"), QJsonValue()}}
                                  << QStringLiteral("field 'role' must be a string");
}

void TestProtocol::missingAndMistypedFieldsAreNamed()
{
    QFETCH(QJsonObject, params);
    QFETCH(QString, mentions);
    const auto parsed = TokenCreateParams::fromJson(params);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().code, ErrorCode::InvalidParams);
    QVERIFY2(parsed.error().message.contains(mentions), qPrintable(parsed.error().message));
}

void TestProtocol::rangeChecks()
{
    QVERIFY(!AuditListParams::fromJson({{QStringLiteral("limit"), 0}}));
    QVERIFY(!AuditListParams::fromJson({{QStringLiteral("limit"), 1001}}));
    QVERIFY(!AuditListParams::fromJson({{QStringLiteral("limit"), 1.5}}));
    QVERIFY(AuditListParams::fromJson({{QStringLiteral("limit"), 1000}}));
    QVERIFY(!EventsSubscribeParams::fromJson({{QStringLiteral("since_seq"), -1}}));
    QVERIFY(!EventsSubscribeParams::fromJson({{QStringLiteral("since_seq"), QStringLiteral("5")}}));
    QVERIFY(!Event::fromJson({{QStringLiteral("seq"), 1},
                              {QStringLiteral("ts"), QStringLiteral("yesterday")},
                              {QStringLiteral("kind"), QStringLiteral("k")},
                              {QStringLiteral("data"), QJsonObject{}}}));
}

void TestProtocol::roles()
{
    QCOMPARE(parseRole(QStringLiteral("operator")), Role::Operator);
    QVERIFY(!parseRole(QStringLiteral("root")));
    QVERIFY(roleAllows(Role::Admin, Role::Viewer));
    QVERIFY(roleAllows(Role::Operator, Role::Operator));
    QVERIFY(!roleAllows(Role::Viewer, Role::Operator));
    QVERIFY(!roleAllows(Role::Operator, Role::Admin));
}

void TestProtocol::versionParsing()
{
    QCOMPARE(majorOf(QString::fromLatin1(Version)), VersionMajor);
    QCOMPARE(majorOf(QStringLiteral("2.1.0-rc1")), 2);
    QCOMPARE(majorOf(QStringLiteral("1.0")), -1);
    QCOMPARE(majorOf(QStringLiteral("v1.0.0")), -1);
    QCOMPARE(QStringLiteral("%1.%2.%3").arg(VersionMajor).arg(VersionMinor).arg(VersionPatch),
             QString::fromLatin1(Version));
}

void TestProtocol::methodTableIsDocumented()
{
    // docs/protocol.md has a section per method and names every error kind: the spec and the
    // code cannot drift apart silently.
    QFile doc(test::sourcePath(QStringLiteral("docs/protocol.md")));
    QVERIFY2(doc.open(QIODevice::ReadOnly), qPrintable(doc.fileName()));
    const QString text = QString::fromUtf8(doc.readAll());
    const auto methods = methodTable(ApiMethods{});
    QVERIFY(methods.size() >= 9);
    for (const MethodInfo &method : methods) {
        QVERIFY2(text.contains(QStringLiteral("### `%1`").arg(method.name)), qPrintable(method.name));
        QVERIFY2(text.contains(QStringLiteral("Role: %1").arg(roleName(method.role))), qPrintable(method.name));
    }
    for (int i = static_cast<int>(ErrorCode::ParseError); i <= static_cast<int>(ErrorCode::Conflict); ++i) {
        const auto code = static_cast<ErrorCode>(i);
        QVERIFY2(text.contains(QStringLiteral("`%1`").arg(errorCodeName(code))), qPrintable(errorCodeName(code)));
        QVERIFY2(text.contains(QString::number(jsonRpcCode(code))), qPrintable(errorCodeName(code)));
    }
    QVERIFY(text.contains(QString::fromLatin1(Version)));
    for (const QString &flag : features())
        QVERIFY2(text.contains(QStringLiteral("`%1`").arg(flag)), qPrintable(flag));
}

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
