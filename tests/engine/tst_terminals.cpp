// SPDX-License-Identifier: MIT
// Terminals through a real in-process engine: over the admin socket (JSON, base64) and over wss
// (binary frames), with roles, audit rows, events, flow control, bad input, and the shell's end
// in every way (exit, terminal_close, the client going away, the engine stopping). A scripted
// runtime gives a plain /bin/sh on the host; as root, the last case opens a real login shell in
// a real systemd-nspawn container.
#include "containers/agentlifecycle.h"
#include "engine.h"
#include "engineclients.h"
#include "fakeclock.h"
#include "fakeruntime.h"
#include "localsocketpeer.h"
#include "protocol/methods.h"
#include "protocol/version.h"
#include "rpcclient.h"
#include "store/auditlog.h"
#include "store/eventlog.h"
#include "store/tokenstore.h"
#include "terminalchannel.h"
#include "terminals/terminalsessions.h"
#include "testsupport.h"
#include "verify.h"
#include "websocketpeer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;
using hive::client::RpcClient;
using hive::client::TerminalChannel;
using hive::test::FakeRuntime;
using hive::test::FakeWorld;

namespace {

constexpr int Timeout = 10000;

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

bool processGone(qint64 pid)
{
    return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

/// A terminal's output, collected, and its end.
struct Screen {
    QByteArray text;
    std::optional<TerminalClosed> closed;
    QList<Error> errors;

    explicit Screen(TerminalChannel &channel)
    {
        QObject::connect(&channel, &TerminalChannel::output, [this](const QByteArray &data) { text += data; });
        QObject::connect(&channel, &TerminalChannel::closed, [this](const TerminalClosed &end) { closed = end; });
        QObject::connect(&channel, &TerminalChannel::error, [this](const Error &error) { errors << error; });
    }
    bool waitFor(const QByteArray &marker, int timeoutMs = Timeout)
    {
        if (!QTest::qWaitFor([&] { return text.contains(marker); }, timeoutMs)) {
            qWarning("no '%s' in the terminal's output: %s", marker.constData(), text.right(2000).constData());
            return false;
        }
        return true;
    }
    bool waitForEnd(int timeoutMs = Timeout)
    {
        return QTest::qWaitFor([&] { return closed.has_value(); }, timeoutMs);
    }
    /// Asks the shell for its pid (`prefix` runs first on the same line); 0 when none came.
    qint64 askShellPid(TerminalChannel &channel, const QByteArray &prefix = {})
    {
        static const QRegularExpression pid(QStringLiteral("P(\\d+)P"));
        channel.write(prefix + "echo P$$P\n");
        qint64 found = 0;
        (void)QTest::qWaitFor(
            [&] {
                const auto match = pid.match(QString::fromUtf8(text));
                found = match.hasMatch() ? match.captured(1).toLongLong() : 0;
                return found > 0;
            },
            Timeout);
        return found;
    }
};

} // namespace

class TestTerminals : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void adminShellRunsResizesAndExits();
    void remoteTerminalCarriesBinaryFrames();
    void bulkOutputArrivesWhole();
    void slowClientHoldsTheShellBack();
    void closeHangsTheShellUp();
    void clientGoingAwayKillsTheShell();
    void engineStopEndsTerminals();
    void openRefusals_data();
    void openRefusals();
    void viewerCannotOpen();
    void terminalsBelongToTheirConnection();
    void badInput();
    void binaryFrameBeforeHelloCloses();
    void realContainerShell();

private:
    void startEngine(const QString &backend = {});
    std::unique_ptr<RpcClient> connectAdmin();
    std::unique_ptr<RpcClient> connectRemote(Role role);
    QList<QJsonObject> events(const QString &kind);
    QList<AuditEntry> auditRows(const QString &method);
    Result<void> spawn(const QString &agent);
    /// The engine on the scripted runtime with agent "alice" running (false, and a warning, if not).
    bool startWithAlice();

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<FakeWorld> m_world;
    std::unique_ptr<Engine> m_engine;
};

void TestTerminals::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_world = std::make_unique<FakeWorld>();
    // A shell that is quiet and the same everywhere: no rc files, a fixed prompt.
    m_world->shell = {QStringLiteral("/bin/sh"), QStringLiteral("-i")};
}

void TestTerminals::startEngine(const QString &backend)
{
    EngineConfig config = EngineConfig::defaults();
    config.stateDir = m_dir->filePath(QStringLiteral("state"));
    config.listenHost = QStringLiteral("127.0.0.1");
    config.listenPort = 0;
    config.spawnManager = false;
    config.stopGraceSeconds = 1;
    if (!backend.isEmpty()) {
        config.containerBackend = backend;
        config.harnessPath = test::binaryPath(QStringLiteral("hive-harness"));
    }
    m_engine = std::make_unique<Engine>(config, m_clock);
    if (backend.isEmpty())
        m_engine->setContainerRuntime(std::make_unique<FakeRuntime>(*m_world));
    auto started = m_engine->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
}

void TestTerminals::cleanup()
{
    m_engine.reset();
    m_world.reset();
    m_dir.reset();
}

std::unique_ptr<RpcClient> TestTerminals::connectAdmin()
{
    return test::connectAdmin(*m_engine);
}

std::unique_ptr<RpcClient> TestTerminals::connectRemote(Role role)
{
    return test::connectRemote(*m_engine, role);
}

QList<QJsonObject> TestTerminals::events(const QString &kind)
{
    QList<QJsonObject> out;
    const auto all = m_engine->events().since(0);
    for (const Event &event : all ? *all : QList<Event>{}) {
        if (event.kind == kind)
            out << event.data;
    }
    return out;
}

QList<AuditEntry> TestTerminals::auditRows(const QString &method)
{
    auto rows = m_engine->audit().list(AuditListParams{1000, {}, {}, method});
    return rows ? rows->entries : QList<AuditEntry>{};
}

bool TestTerminals::startWithAlice()
{
    startEngine();
    if (QTest::currentTestFailed())
        return false; // startEngine() said why
    const auto spawned = spawn(QStringLiteral("alice"));
    if (!spawned)
        qWarning("cannot spawn alice: %s", qPrintable(spawned.error().message));
    return spawned.has_value();
}

Result<void> TestTerminals::spawn(const QString &agent)
{
    std::optional<Result<void>> out;
    AgentSpawnParams params;
    params.name = agent;
    m_engine->lifecycle().spawn(params, [&out](const Result<void> &done) { out = done; });
    (void)QTest::qWaitFor([&out] { return out.has_value(); }, 30000);
    return out ? *out : Result<void>(fail(ErrorCode::Internal, QStringLiteral("no answer")));
}

void TestTerminals::adminShellRunsResizesAndExits()
{
    QVERIFY(startWithAlice());
    auto admin = connectAdmin();
    TerminalChannel channel(*admin);
    Screen screen(channel);
    auto opened = channel.openAndWait(TerminalOpenParams{QStringLiteral("alice"), 80, 24}, Timeout);
    VERIFY_OK(opened);
    QVERIFY(opened->terminal > 0);
    QCOMPARE(opened->transport, QStringLiteral("json")); // the admin socket has no binary frames
    QCOMPARE(opened->cols, 80);

    channel.write("echo M$((6*7))K\n");
    QVERIFY(screen.waitFor("M42K"));
    channel.write("stty size\n");
    QVERIFY(screen.waitFor("24 80"));
    channel.resize(132, 43);
    channel.write("stty size\n");
    QVERIFY(screen.waitFor("43 132"));
    channel.write("exit 3\n");
    QVERIFY(screen.waitForEnd());
    QCOMPARE(screen.closed->terminal, opened->terminal);
    QCOMPARE(screen.closed->reason, QStringLiteral("exited"));
    QCOMPARE(screen.closed->exitCode, 3);
    QVERIFY(!screen.closed->signal);
    QVERIFY(screen.errors.isEmpty());
    QVERIFY(QTest::qWaitFor([&] { return m_engine->terminals().count() == 0; }, Timeout));

    // Audited: the opening (by the dispatcher) and the session's end, with who and how long.
    const auto opens = auditRows(QStringLiteral("terminal_open"));
    QCOMPARE(opens.size(), 1);
    QCOMPARE(opens.first().tokenName, QStringLiteral("local:uid%1")
                                          .arg(::getuid())
                                          .replace(QStringLiteral("local:uid0"), QStringLiteral("local:root")));
    QCOMPARE(opens.first().params.value(QStringLiteral("agent")).toString(), QStringLiteral("alice"));
    const auto sessions = auditRows(QStringLiteral("terminal_session"));
    QCOMPARE(sessions.size(), 1);
    const QJsonObject session = sessions.first().params;
    QCOMPARE(session.value(QStringLiteral("terminal")).toInteger(), opened->terminal);
    QCOMPARE(session.value(QStringLiteral("exit_code")).toInt(), 3);
    QVERIFY(session.contains(QStringLiteral("duration_ms")));
    QVERIFY(session.contains(QStringLiteral("opened_at")));
    QVERIFY(session.value(QStringLiteral("bytes_in")).toInteger() > 20);
    QVERIFY(session.value(QStringLiteral("bytes_out")).toInteger() > 10);
    QCOMPARE(sessions.first().message, QStringLiteral("exited"));
    QVERIFY(m_engine->audit().verify()->ok);
    // Subscribers hear of both ends.
    QCOMPARE(events(QStringLiteral("terminal_opened")).size(), 1);
    QCOMPARE(events(QStringLiteral("terminal_closed")).size(), 1);
    QCOMPARE(events(QStringLiteral("terminal_closed")).first().value(QStringLiteral("exit_code")).toInt(), 3);
}

void TestTerminals::remoteTerminalCarriesBinaryFrames()
{
    QVERIFY(startWithAlice());
    auto remote = connectRemote(Role::Operator);
    QSignalSpy binary(&remote->peer(), &client::Peer::binaryFrameReceived);
    QSignalSpy notifications(remote.get(), &RpcClient::notificationReceived);
    TerminalChannel channel(*remote);
    Screen screen(channel);
    auto opened = channel.openAndWait(TerminalOpenParams{QStringLiteral("alice"), 100, 30}, Timeout);
    VERIFY_OK(opened);
    QCOMPARE(opened->transport, QStringLiteral("binary"));
    // UTF-8 goes through byte for byte.
    channel.write("printf 'A\\342\\202\\254B\\n'\n");
    QVERIFY(screen.waitFor("A\xe2\x82\xac"
                           "B"));
    channel.write("stty size\n");
    QVERIFY(screen.waitFor("30 100"));
    QVERIFY(binary.count() > 0);
    for (const auto &arguments : std::as_const(notifications))
        QVERIFY(arguments.at(0).toString() != QLatin1String("terminal.output"));
    QCOMPARE(auditRows(QStringLiteral("terminal_open")).first().tokenName, QStringLiteral("operator-token"));
    channel.write("exit\n");
    QVERIFY(screen.waitForEnd());
    QCOMPARE(screen.closed->exitCode, 0);
    QCOMPARE(auditRows(QStringLiteral("terminal_session")).first().tokenName, QStringLiteral("operator-token"));
}

void TestTerminals::bulkOutputArrivesWhole()
{
    // 4 MB through a reader that is slower than the shell: flow control holds the shell back
    // instead of queueing without bound, and nothing is lost or reordered.
    QVERIFY(startWithAlice());
    for (const bool remoteClient : {true, false}) {
        auto client = remoteClient ? connectRemote(Role::Operator) : connectAdmin();
        TerminalChannel channel(*client);
        Screen screen(channel);
        VERIFY_OK(channel.openAndWait(TerminalOpenParams{QStringLiteral("alice"), 80, 24}, Timeout));
        channel.write("stty -echo; echo R$((3+3))R\n");
        QVERIFY(screen.waitFor("R6R")); // from here on nothing typed comes back
        channel.write("head -c 4000000 /dev/zero | tr '\\0' x; echo; echo E$((1+1))D; exit\n");
        QVERIFY(screen.waitForEnd(60000));
        QVERIFY(screen.text.contains("E2D"));
        QCOMPARE(screen.text.count('x'), qsizetype(4000000));
        const qsizetype first = screen.text.indexOf('x');
        QCOMPARE(screen.text.mid(first, 4000000), QByteArray(4000000, 'x'));
    }
}

void TestTerminals::slowClientHoldsTheShellBack()
{
    // A raw admin-socket client that stops reading: the engine must stop reading the shell's
    // terminal instead of buffering its output without bound, and go on once the client reads.
    QVERIFY(startWithAlice());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    QVERIFY(fd >= 0);
    const auto closeFd = qScopeGuard([fd] { ::close(fd); });
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray path = QFile::encodeName(m_engine->adminSocketPath());
    std::copy(path.cbegin(), path.cend(), address.sun_path);
    QCOMPARE(::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);
    QByteArray received;
    const auto readSome = [fd, &received] {
        char buffer[65536];
        ssize_t got = 0;
        while ((got = ::read(fd, buffer, sizeof buffer)) > 0)
            received.append(buffer, got);
    };
    const auto send = [fd](const QByteArray &line) {
        return ::write(fd, line.constData(), static_cast<size_t>(line.size())) == line.size();
    };
    QVERIFY(send(R"({"jsonrpc":"2.0","id":1,"method":"terminal_open","params":{"agent":"alice"}})"
                 "\n"));
    QVERIFY(QTest::qWaitFor(
        [&] {
            readSome();
            return received.contains("\"result\"");
        },
        Timeout));
    const QJsonObject reply = QJsonDocument::fromJson(received.left(received.indexOf('\n'))).object();
    const auto id = static_cast<quint32>(
        reply.value(QStringLiteral("result")).toObject().value(QStringLiteral("terminal")).toInteger());
    QVERIFY(id > 0);
    const QByteArray command = "stty -echo; head -c 12000000 /dev/zero | tr '\\0' x; exit\n";
    QVERIFY(send(R"({"jsonrpc":"2.0","id":2,"method":"terminal_input","params":{"terminal":)" + QByteArray::number(id) +
                 R"(,"data":")" + command.toBase64() + "\"}}\n"));
    // Not reading for a while: what the engine passed on stays near its pause mark (1 MiB) plus
    // what the socket buffers hold, far below the 16 MB the shell wants to write.
    QTest::qWait(1500);
    const qint64 stalled = m_engine->terminals().bytesSent(id);
    QVERIFY2(stalled > 0 && stalled < 8 * 1024 * 1024, qPrintable(QString::number(stalled)));
    QTest::qWait(500);
    QCOMPARE(m_engine->terminals().bytesSent(id), stalled);
    // Reading again lets it run to the end (no sleeping between reads, unlike qWaitFor).
    QElapsedTimer reading;
    reading.start();
    while (!received.contains("terminal.closed") && reading.elapsed() < 60000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        readSome();
    }
    QVERIFY(received.contains("terminal.closed"));
    const auto sessions = auditRows(QStringLiteral("terminal_session"));
    QCOMPARE(sessions.size(), 1);
    QVERIFY(sessions.first().params.value(QStringLiteral("bytes_out")).toInteger() >= 12000000);
    QCOMPARE(sessions.first().params.value(QStringLiteral("exit_code")).toInt(), 0);
}

void TestTerminals::closeHangsTheShellUp()
{
    QVERIFY(startWithAlice());
    auto admin = connectAdmin();
    TerminalChannel channel(*admin);
    Screen screen(channel);
    VERIFY_OK(channel.openAndWait(TerminalOpenParams{QStringLiteral("alice"), 80, 24}, Timeout));
    const qint64 pid = screen.askShellPid(channel);
    QVERIFY(pid > 0);
    channel.close();
    QVERIFY(screen.waitForEnd());
    QCOMPARE(screen.closed->reason, QStringLiteral("closed"));
    QCOMPARE(screen.closed->signal, SIGHUP);
    QVERIFY(QTest::qWaitFor([pid] { return processGone(pid); }, Timeout));
    QCOMPARE(auditRows(QStringLiteral("terminal_session")).first().message, QStringLiteral("closed"));
}

void TestTerminals::clientGoingAwayKillsTheShell()
{
    QVERIFY(startWithAlice());
    qint64 pid = 0;
    {
        auto remote = connectRemote(Role::Operator);
        TerminalChannel channel(*remote);
        Screen screen(channel);
        VERIFY_OK(channel.openAndWait(TerminalOpenParams{QStringLiteral("alice"), 80, 24}, Timeout));
        // A shell that ignores the hang-up is killed after the grace.
        pid = screen.askShellPid(channel, "trap '' HUP; ");
        QVERIFY(pid > 0);
        QVERIFY(!processGone(pid));
    }
    QVERIFY(QTest::qWaitFor([pid] { return processGone(pid); }, Timeout));
    QVERIFY(QTest::qWaitFor([&] { return m_engine->terminals().count() == 0; }, Timeout));
    const auto sessions = auditRows(QStringLiteral("terminal_session"));
    QCOMPARE(sessions.size(), 1);
    QCOMPARE(sessions.first().message, QStringLiteral("connection_closed"));
}

void TestTerminals::engineStopEndsTerminals()
{
    QVERIFY(startWithAlice());
    auto admin = connectAdmin();
    TerminalChannel channel(*admin);
    Screen screen(channel);
    VERIFY_OK(channel.openAndWait(TerminalOpenParams{QStringLiteral("alice"), 80, 24}, Timeout));
    const qint64 pid = screen.askShellPid(channel);
    QVERIFY(pid > 0);
    bool stopped = false;
    m_engine->shutdown(std::chrono::milliseconds(2000), [&stopped] { stopped = true; });
    QVERIFY(QTest::qWaitFor([&] { return stopped; }, Timeout));
    QVERIFY(screen.waitForEnd());
    QCOMPARE(screen.closed->reason, QStringLiteral("engine_stopping"));
    QVERIFY(processGone(pid)); // reaped before the engine returned
}

void TestTerminals::openRefusals_data()
{
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("mentions");
    const auto row = [](const char *name, const char *params, ErrorCode code, const char *mentions) {
        QTest::newRow(name) << json(params) << static_cast<int>(code) << QString::fromLatin1(mentions);
    };
    row("unknown agent", R"({"agent": "nobody"})", ErrorCode::NotFound, "no agent named 'nobody'");
    row("stopped agent", R"({"agent": "bob"})", ErrorCode::Unavailable, "agent 'bob' is stopped, not running");
    row("external agent", R"({"agent": "ext"})", ErrorCode::InvalidParams, "registered without a container");
    row("no agent", R"({"cols": 80})", ErrorCode::InvalidParams, "missing required field 'agent'");
    row("too narrow", R"({"agent": "alice", "cols": 1})", ErrorCode::InvalidParams,
        "field 'cols': must be between 2 and 1000, got 1");
    row("too tall", R"({"agent": "alice", "rows": 5000})", ErrorCode::InvalidParams,
        "field 'rows': must be between 1 and 1000, got 5000");
    row("cols as text", R"({"agent": "alice", "cols": "80"})", ErrorCode::InvalidParams, "'cols' must be");
    row("unknown field", R"({"agent": "alice", "shell": "/bin/zsh"})", ErrorCode::InvalidParams, "shell");
}

void TestTerminals::openRefusals()
{
    QFETCH(QJsonObject, params);
    QFETCH(int, code);
    QFETCH(QString, mentions);
    QVERIFY(startWithAlice());
    VERIFY_OK(spawn(QStringLiteral("bob")));
    std::optional<Result<void>> killed;
    m_engine->lifecycle().submit(LifecycleOp::Kill, QStringLiteral("bob"), [&](const Result<void> &r) { killed = r; });
    QVERIFY(QTest::qWaitFor([&] { return killed.has_value(); }, Timeout));
    auto admin = connectAdmin();
    VERIFY_OK(admin->callAndWait<AgentAddMethod>(AgentAddParams{QStringLiteral("ext")}, Timeout));
    auto refused = admin->callAndWait(QStringLiteral("terminal_open"), params, Timeout);
    QVERIFY(!refused);
    QCOMPARE(static_cast<int>(refused.error().code), code);
    QVERIFY2(refused.error().message.contains(mentions), qPrintable(refused.error().message));
    QCOMPARE(m_engine->terminals().count(), 0);
}

void TestTerminals::viewerCannotOpen()
{
    QVERIFY(startWithAlice());
    auto viewer = connectRemote(Role::Viewer);
    VERIFY_FAILS(viewer->callAndWait<TerminalOpenMethod>(TerminalOpenParams{QStringLiteral("alice"), 80, 24}, Timeout),
                 ErrorCode::Forbidden, "operator");
    QCOMPARE(m_engine->terminals().count(), 0);
    // Refusals are audited too.
    QCOMPARE(auditRows(QStringLiteral("terminal_open")).size(), 1);
}

void TestTerminals::terminalsBelongToTheirConnection()
{
    QVERIFY(startWithAlice());
    auto owner = connectRemote(Role::Operator);
    TerminalChannel channel(*owner);
    Screen screen(channel);
    auto opened = channel.openAndWait(TerminalOpenParams{QStringLiteral("alice"), 80, 24}, Timeout);
    VERIFY_OK(opened);
    // Another connection, even an admin one, cannot type into it, resize or close it.
    auto other = connectAdmin();
    const QString mention = QStringLiteral("no terminal %1 on this connection").arg(opened->terminal);
    auto typed = other->callAndWait<TerminalInputMethod>(TerminalInputParams{opened->terminal, "echo X\n"}, Timeout);
    QVERIFY(!typed && typed.error().code == ErrorCode::NotFound && typed.error().message == mention);
    auto resized = other->callAndWait<TerminalResizeMethod>(TerminalResizeParams{opened->terminal, 90, 20}, Timeout);
    QVERIFY(!resized && resized.error().code == ErrorCode::NotFound);
    auto closed = other->callAndWait<TerminalCloseMethod>(TerminalCloseParams{opened->terminal}, Timeout);
    QVERIFY(!closed && closed.error().code == ErrorCode::NotFound);
    // Nor can a second wss connection send binary input to it.
    auto intruder = connectRemote(Role::Admin);
    QSignalSpy refusals(intruder.get(), &RpcClient::unsolicitedError);
    intruder->peer().sendBinary(
        TerminalFrame{TerminalFrame::Kind::Input, static_cast<quint32>(opened->terminal), "echo INTRUDER\n"}.encode());
    QVERIFY(refusals.wait(Timeout));
    QCOMPARE(refusals.first().first().value<Error>().code, ErrorCode::NotFound);
    channel.write("echo OK$((2+2))\n");
    QVERIFY(screen.waitFor("OK4"));
    QVERIFY(!screen.text.contains("INTRUDER"));
    QVERIFY(channel.isOpen());
}

void TestTerminals::badInput()
{
    QVERIFY(startWithAlice());
    auto remote = connectRemote(Role::Operator);
    TerminalChannel channel(*remote);
    Screen screen(channel);
    auto opened = channel.openAndWait(TerminalOpenParams{QStringLiteral("alice"), 80, 24}, Timeout);
    VERIFY_OK(opened);
    const qint64 id = opened->terminal;
    const QJsonValue terminal(id);
    VERIFY_FAILS(remote->callAndWait(
                     QStringLiteral("terminal_input"),
                     {{QStringLiteral("terminal"), terminal}, {QStringLiteral("data"), QStringLiteral("not base64!")}},
                     Timeout),
                 ErrorCode::InvalidParams, "field 'data' must be a base64 string");
    VERIFY_FAILS(remote->callAndWait(QStringLiteral("terminal_input"), json(R"({"terminal": 0, "data": ""})"), Timeout),
                 ErrorCode::InvalidParams, "field 'terminal': must be between 1 and 4294967295, got 0");
    VERIFY_FAILS(remote->callAndWait(QStringLiteral("terminal_input"),
                                     {{QStringLiteral("terminal"), terminal},
                                      {QStringLiteral("data"), QString::fromLatin1(QByteArray(70000, 'a').toBase64())}},
                                     Timeout),
                 ErrorCode::InvalidParams, "at most 65536 bytes, got 70000");
    VERIFY_FAILS(remote->callAndWait<TerminalInputMethod>(TerminalInputParams{id + 1000, "x"}, Timeout),
                 ErrorCode::NotFound, "no terminal");
    VERIFY_FAILS(
        remote->callAndWait(
            QStringLiteral("terminal_resize"),
            {{QStringLiteral("terminal"), terminal}, {QStringLiteral("cols"), 0}, {QStringLiteral("rows"), 10}},
            Timeout),
        ErrorCode::InvalidParams, "field 'cols': must be between 2 and 1000, got 0");

    // Malformed binary frames get an error each; the connection and the terminal go on.
    QSignalSpy refusals(remote.get(), &RpcClient::unsolicitedError);
    remote->peer().sendBinary(QByteArray("\x02\x00", 2));
    remote->peer().sendBinary(QByteArray("\x07\x00\x00\x00\x01hi", 7));
    remote->peer().sendBinary(TerminalFrame{TerminalFrame::Kind::Output, static_cast<quint32>(id), "x"}.encode());
    remote->peer().sendBinary(
        TerminalFrame{TerminalFrame::Kind::Input, static_cast<quint32>(id), QByteArray(70000, 'a')}.encode());
    QVERIFY(QTest::qWaitFor([&] { return refusals.count() == 4; }, Timeout));
    const auto message = [&refusals](int i) {
        return refusals.at(i).first().value<Error>().message;
    };
    QVERIFY2(message(0).contains(QLatin1String("shorter than the 5-byte terminal header")), qPrintable(message(0)));
    QVERIFY2(message(1).contains(QLatin1String("unknown kind 7")), qPrintable(message(1)));
    QVERIFY2(message(2).contains(QLatin1String("goes from the engine to clients")), qPrintable(message(2)));
    QCOMPARE(refusals.at(3).first().value<Error>().code, ErrorCode::TooLarge);
    channel.write("echo STILL$((1+2))\n");
    QVERIFY(screen.waitFor("STILL3"));
}

void TestTerminals::binaryFrameBeforeHelloCloses()
{
    startEngine();
    auto client = test::connectTls(*m_engine);
    RpcClient &anonymous = *client;
    QVERIFY(anonymous.isOpen());
    QSignalSpy closed(&anonymous, &RpcClient::closed);
    QSignalSpy refusals(&anonymous, &RpcClient::unsolicitedError);
    anonymous.peer().sendBinary(TerminalFrame{TerminalFrame::Kind::Input, 1, "id\n"}.encode());
    QVERIFY(closed.wait(Timeout));
    QCOMPARE(refusals.size(), 1);
    QCOMPARE(refusals.first().first().value<Error>().code, ErrorCode::Unauthenticated);
}

void TestTerminals::realContainerShell()
{
    if (::geteuid() != 0)
        QSKIP("not root: real containers need root (the scripted runtime covered the rest)");
    if (QStandardPaths::findExecutable(QStringLiteral("systemd-nspawn")).isEmpty())
        QSKIP("systemd-nspawn is not installed");
    startEngine(QStringLiteral("nspawn"));
    const auto cleanup = qScopeGuard([this] {
        std::optional<Result<void>> purged;
        m_engine->lifecycle().submit(LifecycleOp::Purge, QStringLiteral("tty"),
                                     [&purged](const Result<void> &r) { purged = r; });
        (void)QTest::qWaitFor([&purged] { return purged.has_value(); }, 30000);
    });
    VERIFY_OK(spawn(QStringLiteral("tty")));
    auto remote = connectRemote(Role::Operator);
    TerminalChannel channel(*remote);
    Screen screen(channel);
    VERIFY_OK(channel.openAndWait(TerminalOpenParams{QStringLiteral("tty"), 91, 27}, Timeout));
    // Root inside, in the container's own view of the world, on our terminal.
    channel.write("echo U$(id -u)U H$(hostname)H; echo C$(cat /proc/1/comm)C; touch /state/from-terminal\n");
    QVERIFY(screen.waitFor("U0U"));
    QVERIFY(screen.waitFor("HttyH"));
    QVERIFY(screen.waitFor("C"));
    QVERIFY2(!screen.text.contains("Csystemd") && !screen.text.contains("Cinit"), screen.text.constData());
    channel.write("stty size\n");
    QVERIFY(screen.waitFor("27 91"));
    channel.resize(120, 40);
    channel.write("stty size\n");
    QVERIFY(screen.waitFor("40 120"));
    // What root made inside belongs to the agent's mapped uid on the host.
    const QString file = m_dir->filePath(QStringLiteral("state/agents/tty/state/from-terminal"));
    QVERIFY(QTest::qWaitFor([&] { return QFileInfo::exists(file); }, Timeout));
    struct stat info {
    };
    QCOMPARE(::stat(QFile::encodeName(file).constData(), &info), 0);
    AgentInfo agent;
    agent.name = QStringLiteral("tty");
    VERIFY_OK(m_engine->lifecycle().describe(agent));
    QVERIFY(info.st_uid >= 65536);
    QCOMPARE(qint64(info.st_uid), agent.container->uidBase);
    channel.write("exit 7\n");
    QVERIFY(screen.waitForEnd());
    QCOMPARE(screen.closed->exitCode, 7);
}

QTEST_GUILESS_MAIN(TestTerminals)
#include "tst_terminals.moc"
