// SPDX-License-Identifier: MIT
// `hive-harness mcp` as the agent CLI runs it: the real binary over stdio (newline-delimited
// JSON-RPC) against a real hive-engine process and its agent sockets. Initialize and version
// negotiation, tools/list for an agent and for the manager, a message from one MCP server to
// another, the allow-list's refusal, bad arguments and engine errors as isError results,
// JSON-RPC errors for protocol misuse, stdout that holds only JSON lines, the end of stdin, and an
// engine that is down, goes away mid-call or turns up later.
#include "engineprocess.h"
#include "hivectlrun.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

namespace {

constexpr int Timeout = 15000;

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

/// One `hive-harness mcp` process and the client side of its stdio.
class McpSession
{
public:
    explicit McpSession(const QString &socket)
    {
        m_process.start(hive::test::binaryPath(key("hive-harness")), {key("mcp"), key("--socket"), socket});
        if (!m_process.waitForStarted(Timeout))
            qWarning("hive-harness mcp did not start: %s", qPrintable(m_process.errorString()));
    }
    ~McpSession()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(Timeout);
        }
    }
    Q_DISABLE_COPY_MOVE(McpSession)

    void sendLine(const QByteArray &line) { m_process.write(line + '\n'); }
    void send(const QJsonObject &message) { sendLine(QJsonDocument(message).toJson(QJsonDocument::Compact)); }
    void request(qint64 id, const QString &method, const QJsonObject &params = {})
    {
        QJsonObject message{{key("jsonrpc"), key("2.0")}, {key("id"), id}, {key("method"), method}};
        if (!params.isEmpty())
            message.insert(key("params"), params);
        send(message);
    }
    /// The next message, whatever it is; empty when none came in time.
    QJsonObject next(int timeoutMs = Timeout)
    {
        (void)QTest::qWaitFor(
            [this] {
                read();
                return !m_queue.isEmpty();
            },
            timeoutMs);
        return m_queue.isEmpty() ? QJsonObject() : m_queue.takeFirst();
    }
    /// The response with this id (messages before it are kept for next()); empty on time-out.
    QJsonObject response(const QJsonValue &id, int timeoutMs = Timeout)
    {
        QJsonObject found;
        (void)QTest::qWaitFor(
            [&] {
                read();
                for (qsizetype i = 0; i < m_queue.size(); ++i) {
                    if (m_queue.at(i).value(key("id")) == id && !m_queue.at(i).contains(key("method"))) {
                        found = m_queue.takeAt(i);
                        return true;
                    }
                }
                return false;
            },
            timeoutMs);
        return found;
    }
    QJsonObject call(qint64 id, const QString &method, const QJsonObject &params = {})
    {
        request(id, method, params);
        return response(id);
    }
    /// initialize and notifications/initialized; the initialize result.
    QJsonObject initialize(const QString &version = key("2025-06-18"))
    {
        const QJsonObject answer =
            call(0, key("initialize"),
                 {{key("protocolVersion"), version},
                  {key("capabilities"), QJsonObject{}},
                  {key("clientInfo"), QJsonObject{{key("name"), key("tst_mcpserver")}, {key("version"), key("1")}}}});
        send({{key("jsonrpc"), key("2.0")}, {key("method"), key("notifications/initialized")}});
        return answer.value(key("result")).toObject();
    }
    /// tools/call; the result object (content, isError, structuredContent).
    QJsonObject tool(const QString &name, const QJsonValue &arguments = QJsonObject{})
    {
        const qint64 id = m_nextId++;
        return call(id, key("tools/call"), {{key("name"), name}, {key("arguments"), arguments}})
            .value(key("result"))
            .toObject();
    }
    QStringList toolNames()
    {
        QStringList names;
        const QJsonObject answer = call(m_nextId++, key("tools/list"));
        for (const QJsonValue tool : answer.value(key("result")).toObject().value(key("tools")).toArray())
            names << tool.toObject().value(key("name")).toString();
        return names;
    }
    /// Closes stdin and waits: the exit code (-1 on a crash or time-out).
    int finish(int timeoutMs = Timeout)
    {
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(timeoutMs))
            return -1;
        read();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }
    /// Every stdout line that was not a JSON-RPC 2.0 object (there must be none).
    [[nodiscard]] const QList<QByteArray> &strayLines() const { return m_stray; }
    [[nodiscard]] qsizetype linesRead() const { return m_lines; }
    QProcess &process() { return m_process; }
    [[nodiscard]] QByteArray errors() { return m_process.readAllStandardError(); }

private:
    void read()
    {
        m_buffer += m_process.readAllStandardOutput();
        qsizetype newline = 0;
        while ((newline = m_buffer.indexOf('\n')) >= 0) {
            const QByteArray line = m_buffer.left(newline);
            m_buffer.remove(0, newline + 1);
            ++m_lines;
            const QJsonDocument document = QJsonDocument::fromJson(line);
            if (!document.isObject() || document.object().value(key("jsonrpc")) != key("2.0"))
                m_stray << line;
            else
                m_queue << document.object();
        }
    }

    QProcess m_process;
    QByteArray m_buffer;
    QList<QJsonObject> m_queue;
    QList<QByteArray> m_stray;
    qsizetype m_lines = 0;
    qint64 m_nextId = 100;
};

QString text(const QJsonObject &result)
{
    return result.value(key("content")).toArray().first().toObject().value(key("text")).toString();
}

QJsonObject structured(const QJsonObject &result)
{
    return result.value(key("structuredContent")).toObject();
}

QJsonObject errorOf(const QJsonObject &response)
{
    return response.value(key("error")).toObject();
}

const QStringList AgentTools{key("recv"),          key("send"),   key("ask"),
                             key("answer"),        key("remind"), key("get_open_threads"),
                             key("cancel_thread"), key("whoami")};
const QStringList ManagerTools{key("request_spawn"),
                               key("request_spawn_draft"),
                               key("request_spawn_commit"),
                               key("kill"),
                               key("start"),
                               key("restart"),
                               key("update"),
                               key("request_apply_commit"),
                               key("list_agents")};

/// A stand-in engine on a socket of the test's own: it answers whoami as `role`, and closes the
/// connection when any other call arrives (an engine that goes away mid-call).
class FlakyEngine
{
public:
    FlakyEngine(const QString &path, QString role) : m_role(std::move(role))
    {
        QLocalServer::removeServer(path);
        if (!m_server.listen(path))
            qWarning("cannot listen on %s", qPrintable(path));
        QObject::connect(&m_server, &QLocalServer::newConnection, &m_server, [this] {
            while (QLocalSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
    }
    int calls = 0;

private:
    void serve(QLocalSocket *socket)
    {
        QObject::connect(socket, &QLocalSocket::readyRead, socket, [this, socket] {
            while (socket->canReadLine()) {
                const QJsonObject request = QJsonDocument::fromJson(socket->readLine()).object();
                if (request.value(key("method")) != key("whoami")) {
                    ++calls;
                    socket->disconnectFromServer();
                    return;
                }
                const QJsonObject reply{
                    {key("jsonrpc"), key("2.0")},
                    {key("id"), request.value(key("id"))},
                    {key("result"),
                     QJsonObject{{key("name"), m_role}, {key("role"), m_role}, {key("engine_version"), key("0.0.0")}}}};
                socket->write(QJsonDocument(reply).toJson(QJsonDocument::Compact) + '\n');
            }
        });
    }

    QLocalServer m_server;
    QString m_role;
};

} // namespace

class TestMcpServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void initializeNegotiatesTheVersion_data();
    void initializeNegotiatesTheVersion();
    void lifecycleOfTheSession();
    void toolsListForAnAgentAndTheManager();
    void schemasCarryTheEngineLimits();
    void sendAndRecvThroughTwoServers();
    void refusedByTheAllowList();
    void badArgumentsAreToolErrors_data();
    void badArgumentsAreToolErrors();
    void engineErrorsAreToolErrors();
    void managerToolsReachTheEngine();
    void protocolErrors();
    void oversizedLineIsSkipped();
    void eofEndsAWaitingServer();
    void engineDown();
    void engineGoesAwayMidCall();
    void managerToolsAppearWhenTheEngineDoes();

private:
    [[nodiscard]] QString socket(const QString &agent) const
    {
        return QDir(m_stateDir).absoluteFilePath(QStringLiteral("run/agents/%1/agent.sock").arg(agent));
    }
    void hivectl(const QStringList &arguments);

    QTemporaryDir m_dir;
    QString m_stateDir;
    std::unique_ptr<hive::test::EngineProcess> m_engine;
};

void TestMcpServer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_stateDir = m_dir.filePath(key("s"));
    m_engine = std::make_unique<hive::test::EngineProcess>(m_stateDir, m_dir.filePath(key("engine.log")));
    auto started = m_engine->start({key("--listen"), key("off")});
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    for (const char *agent : {"alice", "bob", "carol"})
        hivectl({key("agent"), key("add"), key(agent)});
    // bob may only reach carol (and the manager, always).
    hivectl({key("agent"), key("set-recipients"), key("bob"), key("carol")});
}

void TestMcpServer::hivectl(const QStringList &arguments)
{
    const auto run = hive::test::runHivectl(QStringList{key("--state-dir"), m_stateDir} + arguments);
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
}

void TestMcpServer::initializeNegotiatesTheVersion_data()
{
    QTest::addColumn<QString>("asked");
    QTest::addColumn<QString>("answered");
    QTest::newRow("2025-06-18") << key("2025-06-18") << key("2025-06-18");
    QTest::newRow("2025-03-26") << key("2025-03-26") << key("2025-03-26");
    QTest::newRow("2024-11-05") << key("2024-11-05") << key("2024-11-05");
    QTest::newRow("newer") << key("2025-11-25") << key("2025-06-18");
    QTest::newRow("older") << key("2024-10-07") << key("2025-06-18");
    QTest::newRow("nonsense") << key("v1") << key("2025-06-18");
}

void TestMcpServer::initializeNegotiatesTheVersion()
{
    QFETCH(QString, asked);
    QFETCH(QString, answered);
    McpSession mcp(socket(key("alice")));
    const QJsonObject result = mcp.initialize(asked);
    QCOMPARE(result.value(key("protocolVersion")).toString(), answered);
    QCOMPARE(result.value(key("capabilities")).toObject(),
             (QJsonObject{{key("tools"), QJsonObject{{key("listChanged"), true}}}}));
    const QJsonObject server = result.value(key("serverInfo")).toObject();
    QCOMPARE(server.value(key("name")).toString(), key("hive"));
    QCOMPARE(server.value(key("version")).toString(), QStringLiteral(HIVE_VERSION));
    QVERIFY(!result.value(key("instructions")).toString().isEmpty());
    // What each revision has: title from 2025-06-18, annotations from 2025-03-26, structuredContent from 2025-06-18.
    const bool newest = answered == key("2025-06-18");
    QCOMPARE(server.contains(key("title")), newest);
    const QJsonObject list = mcp.call(1, key("tools/list")).value(key("result")).toObject();
    const QJsonObject recv = list.value(key("tools")).toArray().first().toObject();
    QCOMPARE(recv.value(key("name")).toString(), key("recv"));
    QCOMPARE(recv.contains(key("title")), newest);
    QCOMPARE(recv.contains(key("annotations")), answered >= key("2025-03-26"));
    const QJsonObject whoami = mcp.tool(key("whoami"));
    QCOMPARE(whoami.value(key("isError")).toBool(), false);
    QCOMPARE(whoami.contains(key("structuredContent")), newest);
    QCOMPARE(mcp.finish(), 0);
    QVERIFY(mcp.strayLines().isEmpty());
}

void TestMcpServer::lifecycleOfTheSession()
{
    McpSession mcp(socket(key("alice")));
    // Before initialize: ping works, the rest is refused.
    QCOMPARE(mcp.call(1, key("ping")).value(key("result")).toObject(), QJsonObject());
    QJsonObject early = errorOf(mcp.call(2, key("tools/list")));
    QCOMPARE(early.value(key("code")).toInt(), -32600);
    QCOMPARE(early.value(key("message")).toString(),
             key("Invalid Request: the server is not initialized; call initialize first"));
    // An unknown method is that, initialized or not (the CLI probes with server/discover first).
    QJsonObject probe = errorOf(mcp.call(3, key("server/discover")));
    QCOMPARE(probe.value(key("code")).toInt(), -32601);
    QCOMPARE(probe.value(key("message")).toString(), key("Method not found: 'server/discover'"));
    QJsonObject noVersion = errorOf(mcp.call(4, key("initialize"), {{key("capabilities"), QJsonObject{}}}));
    QCOMPARE(noVersion.value(key("code")).toInt(), -32602);
    QCOMPARE(noVersion.value(key("message")).toString(),
             key("Invalid params: initialize needs \"protocolVersion\", a string such as \"2025-06-18\""));
    QCOMPARE(mcp.initialize().value(key("protocolVersion")).toString(), key("2025-06-18"));
    QJsonObject twice = errorOf(mcp.call(5, key("initialize"), {{key("protocolVersion"), key("2025-06-18")}}));
    QCOMPARE(twice.value(key("code")).toInt(), -32600);
    QCOMPARE(twice.value(key("message")).toString(), key("Invalid Request: initialize was called already"));
    // String ids are answered with the same id.
    mcp.send({{key("jsonrpc"), key("2.0")}, {key("id"), key("req-7")}, {key("method"), key("ping")}});
    QVERIFY(mcp.response(key("req-7")).contains(key("result")));
    QCOMPARE(mcp.finish(), 0);
    QVERIFY2(mcp.strayLines().isEmpty(), mcp.strayLines().join('\n').constData());
}

void TestMcpServer::toolsListForAnAgentAndTheManager()
{
    McpSession alice(socket(key("alice")));
    alice.initialize();
    QCOMPARE(alice.toolNames(), AgentTools);
    McpSession manager(socket(key("manager")));
    manager.initialize();
    QCOMPARE(manager.toolNames(), AgentTools + ManagerTools);
    QCOMPARE(alice.finish(), 0);
    QCOMPARE(manager.finish(), 0);
}

void TestMcpServer::schemasCarryTheEngineLimits()
{
    McpSession manager(socket(key("manager")));
    manager.initialize();
    QHash<QString, QJsonObject> tools;
    for (const QJsonValue tool :
         manager.call(1, key("tools/list")).value(key("result")).toObject().value(key("tools")).toArray())
        tools.insert(tool.toObject().value(key("name")).toString(), tool.toObject());
    for (const QJsonObject &tool : std::as_const(tools)) {
        const QJsonObject schema = tool.value(key("inputSchema")).toObject();
        const QString name = tool.value(key("name")).toString();
        QVERIFY2(schema.value(key("type")) == key("object"), qPrintable(name));
        QVERIFY2(schema.value(key("additionalProperties")) == QJsonValue(false), qPrintable(name));
        QVERIFY2(tool.value(key("description")).toString().size() > 40, qPrintable(name));
        // The API refuses oneOf/anyOf/allOf at the top of a tool's schema.
        QVERIFY2(!schema.contains(key("oneOf")) && !schema.contains(key("anyOf")), qPrintable(name));
    }
    const auto property = [&](const char *tool, const char *field) {
        return tools.value(key(tool))
            .value(key("inputSchema"))
            .toObject()
            .value(key("properties"))
            .toObject()
            .value(key(field));
    };
    const auto required = [&](const char *tool) {
        return tools.value(key(tool)).value(key("inputSchema")).toObject().value(key("required")).toArray();
    };
    QCOMPARE(property("recv", "max").toObject().value(key("minimum")).toInt(), 1);
    QCOMPARE(property("recv", "max").toObject().value(key("maximum")).toInt(), 32);
    QCOMPARE(property("recv", "wait_seconds").toObject().value(key("maximum")).toDouble(), 180.0);
    QCOMPARE(property("recv", "wait_seconds").toObject().value(key("type")).toString(), key("number"));
    QCOMPARE(property("ask", "ttl_seconds").toObject().value(key("maximum")).toInt(), 21600);
    QCOMPARE(property("ask", "options").toObject().value(key("maxItems")).toInt(), 32);
    QCOMPARE(property("remind", "delay_seconds").toObject().value(key("maximum")).toInteger(), 2592000);
    QCOMPARE(property("cancel_thread", "kind").toObject().value(key("enum")).toArray(),
             (QJsonArray{key("question"), key("reminder")}));
    QCOMPARE(property("kill", "name").toObject().value(key("pattern")).toString(), key("^[a-z][a-z0-9-]{0,11}$"));
    QCOMPARE(property("request_apply_commit", "commit_ref").toObject().value(key("pattern")).toString(),
             key("^[0-9a-fA-F]{7,40}$"));
    QCOMPARE(required("send"), (QJsonArray{key("to"), key("body")}));
    QCOMPARE(required("answer"), (QJsonArray{key("id"), key("answer")}));
    QCOMPARE(required("request_spawn"), QJsonArray{key("name")}); // description is optional here
    QVERIFY(required("recv").isEmpty());
    // The descriptions teach the semantics.
    QVERIFY(tools.value(key("recv")).value(key("description")).toString().contains(key("immediate peek")));
    QVERIFY(tools.value(key("ask")).value(key("description")).toString().contains(key("question_answered")));
    QVERIFY(tools.value(key("send")).value(key("description")).toString().contains(key("allowed_recipients")));
    QCOMPARE(tools.value(key("list_agents")).value(key("annotations")).toObject().value(key("readOnlyHint")),
             QJsonValue(true));
    QCOMPARE(tools.value(key("kill")).value(key("annotations")).toObject().value(key("destructiveHint")),
             QJsonValue(true));
    QCOMPARE(manager.finish(), 0);
}

void TestMcpServer::sendAndRecvThroughTwoServers()
{
    McpSession alice(socket(key("alice")));
    McpSession carol(socket(key("carol")));
    alice.initialize();
    carol.initialize();

    const QJsonObject sent =
        alice.tool(key("send"), QJsonObject{{key("to"), key("carol")}, {key("body"), key("hello")}});
    QCOMPARE(sent.value(key("isError")).toBool(), false);
    const QJsonObject receipt = structured(sent);
    QVERIFY(receipt.value(key("id")).toInteger() > 0);
    QCOMPARE(receipt.value(key("recipients")).toInt(), 1);
    // The text block is the same object as compact JSON.
    QCOMPARE(QJsonDocument::fromJson(text(sent).toUtf8()).object(), receipt);
    QVERIFY(!text(sent).contains(QLatin1Char('\n')));

    const QJsonObject got = carol.tool(key("recv"), QJsonObject{{key("wait_seconds"), 5}});
    QCOMPARE(got.value(key("isError")).toBool(), false);
    const QJsonArray messages = structured(got).value(key("messages")).toArray();
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.first().toObject().value(key("from")).toString(), key("alice"));
    QCOMPARE(messages.first().toObject().value(key("body")).toString(), key("hello"));
    QCOMPARE(messages.first().toObject().value(key("id")), receipt.value(key("id")));

    // A waiting recv wakes at once on a send; calls made meanwhile are answered first.
    carol.request(50, key("tools/call"),
                  {{key("name"), key("recv")}, {key("arguments"), QJsonObject{{key("wait_seconds"), 60}}}});
    carol.request(51, key("tools/call"), {{key("name"), key("whoami")}});
    const QJsonObject whoami = carol.response(51);
    QCOMPARE(structured(whoami.value(key("result")).toObject()).value(key("name")).toString(), key("carol"));
    QElapsedTimer timer;
    timer.start();
    const QJsonObject reply = alice.tool(key("send"), QJsonObject{{key("to"), key("carol")},
                                                                  {key("body"), key("again")},
                                                                  {key("in_reply_to"), receipt.value(key("id"))}});
    QCOMPARE(reply.value(key("isError")).toBool(), false);
    const QJsonObject woke = carol.response(50, 10000).value(key("result")).toObject();
    QVERIFY2(timer.elapsed() < 10000, "the long poll did not wake");
    const QJsonObject message = structured(woke).value(key("messages")).toArray().first().toObject();
    QCOMPARE(message.value(key("body")).toString(), key("again"));
    QCOMPARE(message.value(key("in_reply_to")), receipt.value(key("id")));

    // A peek returns at once with nothing.
    const QJsonObject peek = carol.tool(key("recv"));
    QCOMPARE(structured(peek).value(key("messages")).toArray().size(), 0);
    QCOMPARE(alice.finish(), 0);
    QCOMPARE(carol.finish(), 0);
    QVERIFY(alice.strayLines().isEmpty() && carol.strayLines().isEmpty());
}

void TestMcpServer::refusedByTheAllowList()
{
    McpSession bob(socket(key("bob")));
    bob.initialize();
    const QJsonObject refused = bob.tool(key("send"), QJsonObject{{key("to"), key("alice")}, {key("body"), key("hi")}});
    QCOMPARE(refused.value(key("isError")).toBool(), true);
    QCOMPARE(text(refused),
             key("send failed (forbidden): 'bob' may only send to: manager, carol (allowed_recipients)\n"
                 "Send to one of those instead; to reach anyone else, ask the operator (ask with no 'to' always "
                 "reaches the operator) to change your allowed_recipients."));
    const QJsonObject error = structured(refused).value(key("error")).toObject();
    QCOMPARE(error.value(key("kind")).toString(), key("forbidden"));
    QCOMPARE(error.value(key("allowed_recipients")).toArray(), (QJsonArray{key("manager"), key("carol")}));
    // ask of a peer obeys the same list.
    const QJsonObject asked =
        bob.tool(key("ask"), QJsonObject{{key("question"), key("lunch?")}, {key("to"), key("alice")}});
    QCOMPARE(asked.value(key("isError")).toBool(), true);
    QVERIFY2(text(asked).startsWith(key("ask failed (forbidden): 'bob' may only send to: manager, carol")),
             qPrintable(text(asked)));
    // What the list allows goes through.
    const QJsonObject allowed = bob.tool(key("send"), QJsonObject{{key("to"), key("carol")}, {key("body"), key("hi")}});
    QCOMPARE(allowed.value(key("isError")).toBool(), false);
    QCOMPARE(bob.finish(), 0);
}

void TestMcpServer::badArgumentsAreToolErrors_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QJsonValue>("arguments");
    QTest::addColumn<QString>("message");
    const auto args = [](std::initializer_list<QPair<QString, QJsonValue>> fields) {
        return QJsonValue(QJsonObject(fields));
    };
    QTest::newRow("missing") << key("send") << QJsonValue(QJsonObject{})
                             << key("Invalid arguments for send: missing required field 'to'");
    QTest::newRow("wrong type") << key("send") << args({{key("to"), key("carol")}, {key("body"), 5}})
                                << key("Invalid arguments for send: field 'body' must be a string");
    QTest::newRow("unknown field") << key("send")
                                   << args({{key("to"), key("carol")}, {key("body"), key("x")}, {key("urgent"), true}})
                                   << key("Invalid arguments for send: unknown field 'urgent'; known: body, "
                                          "in_reply_to, to");
    QTest::newRow("max 40") << key("recv") << args({{key("max"), 40}})
                            << key("Invalid arguments for recv: invalid field 'max': must be between 1 and 32, got 40");
    QTest::newRow("wait 600") << key("recv") << args({{key("wait_seconds"), 600}})
                              << key("Invalid arguments for recv: invalid field 'wait_seconds': must be at most 180 "
                                     "(the long-poll cap), got 600");
    QTest::newRow("ttl 0") << key("ask") << args({{key("question"), key("q")}, {key("ttl_seconds"), 0}})
                           << key("Invalid arguments for ask: invalid field 'ttl_seconds': must be between 1 and "
                                  "21600 (6 h), got 0");
    QTest::newRow("remind neither") << key("remind") << args({{key("message"), key("m")}})
                                    << key("Invalid arguments for remind: invalid field 'delay_seconds': give exactly "
                                           "one of 'delay_seconds' and 'at'");
    QTest::newRow("kind") << key("cancel_thread") << args({{key("kind"), key("thread")}, {key("id"), 1}})
                          << key("Invalid arguments for cancel_thread: invalid field 'kind': must be 'question' or "
                                 "'reminder', got 'thread'");
    QTest::newRow("id 0") << key("answer") << args({{key("id"), 0}, {key("answer"), key("x")}})
                          << key("Invalid arguments for answer: invalid field 'id': must be a positive question id, "
                                 "got 0");
    QTest::newRow("not an object") << key("whoami") << QJsonValue(QJsonArray{1})
                                   << key("Invalid arguments for whoami: \"arguments\" must be an object");
    QTest::newRow("unknown tool") << key("fly") << QJsonValue(QJsonObject{})
                                  << key("Unknown tool 'fly'. The tools are: recv, send, ask, answer, remind, "
                                         "get_open_threads, cancel_thread, whoami.");
    QTest::newRow("manager's tool") << key("kill") << args({{key("name"), key("bob")}})
                                    << key("Unknown tool 'kill': it is one of the manager's tools, and this agent is "
                                           "not the manager.");
}

void TestMcpServer::badArgumentsAreToolErrors()
{
    QFETCH(QString, tool);
    QFETCH(QJsonValue, arguments);
    QFETCH(QString, message);
    McpSession alice(socket(key("alice")));
    alice.initialize();
    const QJsonObject result = alice.tool(tool, arguments);
    QCOMPARE(result.value(key("isError")).toBool(), true);
    QCOMPARE(text(result), message);
    QCOMPARE(alice.finish(), 0);
}

void TestMcpServer::engineErrorsAreToolErrors()
{
    McpSession alice(socket(key("alice")));
    alice.initialize();
    const QJsonObject unknown = alice.tool(key("send"), QJsonObject{{key("to"), key("zed")}, {key("body"), key("x")}});
    QCOMPARE(unknown.value(key("isError")).toBool(), true);
    QCOMPARE(text(unknown), key("send failed (not_found): unknown recipient 'zed': send to an agent's name, "
                                "'operator', 'manager' or '*'"));
    const QJsonObject self = alice.tool(key("send"), QJsonObject{{key("to"), key("alice")}, {key("body"), key("x")}});
    QCOMPARE(text(self), key("send failed (invalid_params): invalid field 'to': an agent cannot send to itself; use "
                             "remind for a note to your future self"));
    const QJsonObject noQuestion = alice.tool(key("answer"), QJsonObject{{key("id"), 999}, {key("answer"), key("x")}});
    QCOMPARE(text(noQuestion), key("answer failed (not_found): no question 999"));
    // A round trip of a thread: ask, see it open, cancel it.
    const QJsonObject asked = alice.tool(key("ask"), QJsonObject{{key("question"), key("deploy?")}});
    QCOMPARE(asked.value(key("isError")).toBool(), false);
    const qint64 id = structured(asked).value(key("id")).toInteger();
    const QJsonObject open = alice.tool(key("get_open_threads"));
    QCOMPARE(structured(open).value(key("asked")).toArray().first().toObject().value(key("id")).toInteger(), id);
    const QJsonObject cancelled =
        alice.tool(key("cancel_thread"), QJsonObject{{key("kind"), key("question")}, {key("id"), id}});
    QCOMPARE(structured(cancelled), (QJsonObject{{key("kind"), key("question")}, {key("id"), id}}));
    QCOMPARE(alice.finish(), 0);
}

void TestMcpServer::managerToolsReachTheEngine()
{
    McpSession manager(socket(key("manager")));
    manager.initialize();
    const QJsonObject listed = manager.tool(key("list_agents"));
    QCOMPARE(listed.value(key("isError")).toBool(), false);
    QStringList names;
    for (const QJsonValue agent : structured(listed).value(key("agents")).toArray())
        names << agent.toObject().value(key("name")).toString();
    QCOMPARE(names, (QStringList{key("alice"), key("bob"), key("carol"), key("manager")}));
    const QJsonObject self = manager.tool(key("kill"), QJsonObject{{key("name"), key("manager")}});
    QCOMPARE(self.value(key("isError")).toBool(), true);
    QCOMPARE(text(self), key("kill failed (forbidden): the manager cannot kill itself: that would stop the container "
                             "this call comes from; ask the operator to kill the manager (agent_kill)"));
    const QJsonObject external = manager.tool(key("restart"), QJsonObject{{key("name"), key("alice")}});
    QCOMPARE(text(external), key("restart failed (invalid_params): agent 'alice' was registered without a container "
                                 "(agent_add): it has no container to run; purge it and spawn it instead"));
    const QJsonObject ref = manager.tool(key("request_apply_commit"),
                                         QJsonObject{{key("agent"), key("alice")}, {key("commit_ref"), key("main")}});
    QCOMPARE(text(ref), key("Invalid arguments for request_apply_commit: commit_ref must be 7 to 40 hex digits of a "
                            "commit (branch and tag names are refused), got 'main'"));
    QCOMPARE(manager.finish(), 0);
}

void TestMcpServer::protocolErrors()
{
    McpSession mcp(socket(key("alice")));
    mcp.initialize();
    mcp.sendLine("{\"jsonrpc\": \"2.0\", \"id\": 9, \"method\": ");
    QJsonObject parse = mcp.next();
    QCOMPARE(parse.value(key("id")), QJsonValue(QJsonValue::Null));
    QCOMPARE(errorOf(parse).value(key("code")).toInt(), -32700);
    QVERIFY2(errorOf(parse).value(key("message")).toString().startsWith(key("Parse error: ")),
             qPrintable(errorOf(parse).value(key("message")).toString()));
    const QJsonObject unknown = errorOf(mcp.call(10, key("resources/list")));
    QCOMPARE(unknown.value(key("code")).toInt(), -32601);
    QCOMPARE(unknown.value(key("message")).toString(), key("Method not found: 'resources/list'"));
    const QJsonObject noName = errorOf(mcp.call(11, key("tools/call"), {{key("arguments"), QJsonObject{}}}));
    QCOMPARE(noName.value(key("code")).toInt(), -32602);
    QCOMPARE(noName.value(key("message")).toString(), key("Invalid params: tools/call needs \"name\", a string"));
    mcp.sendLine("[{\"jsonrpc\": \"2.0\", \"id\": 12, \"method\": \"ping\"}]");
    QJsonObject batch = mcp.next();
    QCOMPARE(errorOf(batch).value(key("code")).toInt(), -32600);
    QCOMPARE(errorOf(batch).value(key("message")).toString(),
             key("Invalid Request: batches are not supported; send one message per line"));
    mcp.sendLine("{\"jsonrpc\": \"1.0\", \"id\": 13, \"method\": \"ping\"}");
    QJsonObject version = mcp.next();
    QCOMPARE(version.value(key("id")).toInt(), 13);
    QCOMPARE(errorOf(version).value(key("message")).toString(), key("Invalid Request: \"jsonrpc\" must be \"2.0\""));
    // Notifications, known or not, and responses are never answered: the next line is the ping's.
    mcp.send({{key("jsonrpc"), key("2.0")}, {key("method"), key("notifications/whatever")}});
    mcp.send({{key("jsonrpc"), key("2.0")},
              {key("method"), key("notifications/cancelled")},
              {key("params"), QJsonObject{{key("requestId"), 3}}}});
    mcp.send({{key("jsonrpc"), key("2.0")}, {key("id"), 77}, {key("result"), QJsonObject{}}});
    mcp.sendLine("");
    mcp.request(14, key("ping"));
    QCOMPARE(mcp.next().value(key("id")).toInt(), 14);
    QCOMPARE(mcp.finish(), 0);
    QVERIFY2(mcp.strayLines().isEmpty(), mcp.strayLines().join('\n').constData());
}

void TestMcpServer::oversizedLineIsSkipped()
{
    McpSession mcp(socket(key("alice")));
    mcp.initialize();
    // 2 MiB of a send body on one line: refused with the size, and the server goes on.
    const QByteArray body(qsizetype{2} * 1024 * 1024, 'x');
    const QByteArray line = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"send\","
                            "\"arguments\":{\"to\":\"carol\",\"body\":\"" +
                            body + "\"}}}";
    mcp.sendLine(line);
    const QJsonObject refused = mcp.next(30000);
    QCOMPARE(refused.value(key("id")), QJsonValue(QJsonValue::Null));
    QCOMPARE(errorOf(refused).value(key("code")).toInt(), -32600);
    QCOMPARE(errorOf(refused).value(key("message")).toString(),
             QStringLiteral("Invalid Request: a line of %1 bytes exceeds the limit of 1048576 bytes; it was skipped")
                 .arg(line.size()));
    QVERIFY(mcp.call(6, key("ping")).contains(key("result")));
    QCOMPARE(mcp.finish(), 0);
}

void TestMcpServer::eofEndsAWaitingServer()
{
    McpSession mcp(socket(key("carol")));
    mcp.initialize();
    mcp.request(8, key("tools/call"),
                {{key("name"), key("recv")}, {key("arguments"), QJsonObject{{key("wait_seconds"), 120}}}});
    QTest::qWait(200);
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(mcp.finish(5000), 0);
    QVERIFY(timer.elapsed() < 5000);
    QVERIFY(mcp.strayLines().isEmpty());
}

void TestMcpServer::engineDown()
{
    const QString nowhere = m_dir.filePath(key("nowhere.sock"));
    McpSession mcp(nowhere);
    const QJsonObject result = mcp.initialize();
    QCOMPARE(result.value(key("protocolVersion")).toString(), key("2025-06-18"));
    QCOMPARE(mcp.toolNames(), AgentTools); // not knowing better: an agent's tools
    const QJsonObject whoami = mcp.tool(key("whoami"));
    QCOMPARE(whoami.value(key("isError")).toBool(), true);
    QVERIFY2(text(whoami).startsWith(QStringLiteral("whoami failed (unavailable): the hive engine cannot be reached "
                                                    "at %1: ")
                                         .arg(nowhere)),
             qPrintable(text(whoami)));
    QVERIFY2(text(whoami).endsWith(key("The call was not made. Try again in a moment; if it keeps failing, the engine "
                                       "is down and only the operator can start it.")),
             qPrintable(text(whoami)));
    QCOMPARE(mcp.finish(), 0);
    QVERIFY(mcp.strayLines().isEmpty());
}

void TestMcpServer::engineGoesAwayMidCall()
{
    const QString path = m_dir.filePath(key("flaky.sock"));
    FlakyEngine engine(path, key("agent"));
    McpSession mcp(path);
    mcp.initialize();
    const QJsonObject lost = mcp.tool(key("send"), QJsonObject{{key("to"), key("carol")}, {key("body"), key("x")}});
    QCOMPARE(engine.calls, 1);
    QCOMPARE(lost.value(key("isError")).toBool(), true);
    QCOMPARE(text(lost), key("send failed (unavailable): the connection to the hive engine closed before it answered "
                             "send (the engine closed the connection): the call may or may not have taken effect\n"
                             "Check before you repeat it (get_open_threads, recv), so that it does not happen twice."));
    // The next call connects again.
    const QJsonObject again = mcp.tool(key("recv"));
    QCOMPARE(engine.calls, 2);
    QVERIFY(text(again).contains(key("closed before it answered recv")));
    QCOMPARE(mcp.finish(), 0);
}

void TestMcpServer::managerToolsAppearWhenTheEngineDoes()
{
    const QString path = m_dir.filePath(key("late.sock"));
    McpSession mcp(path);
    mcp.initialize();
    QCOMPARE(mcp.toolNames(), AgentTools);
    FlakyEngine engine(path, key("manager"));
    // The next call reaches the engine, which says "manager": the list changes, and the client is told.
    (void)mcp.tool(key("whoami"));
    const QJsonObject changed = mcp.next();
    QCOMPARE(changed.value(key("method")).toString(), key("notifications/tools/list_changed"));
    QVERIFY(!changed.contains(key("id")));
    QCOMPARE(mcp.toolNames(), AgentTools + ManagerTools);
    QCOMPARE(mcp.finish(), 0);
}

QTEST_GUILESS_MAIN(TestMcpServer)
#include "tst_mcpserver.moc"
