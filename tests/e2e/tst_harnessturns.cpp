// SPDX-License-Identifier: MIT
// The turn loop end to end: hive-engine, `hive-harness serve` per agent (in real systemd-nspawn containers as
// root, else host processes), the real agent CLI and a scripted model server on loopback. Each case scripts
// the model's replies and checks what the engine, the other agent, the operator and the stats see.
#include "engineprocess.h"
#include "fakemodelserver.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "protocol/methods.h"
#include "rpcclient.h"
#include "statepaths.h"
#include "testsupport.h"
#include "verify.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

#include <csignal>
#include <memory>

using namespace hive;
using namespace hive::protocol;
using hive::test::EngineProcess;
using hive::test::FakeModelServer;

namespace {

constexpr int CallTimeout = 30000;
constexpr int TurnTimeout = 60000; // a CLI turn takes about a second; the first in a container a little more

QString cliPath()
{
    const QString fromEnv = qEnvironmentVariable("HIVE_AGENT_CLI");
    return fromEnv.isEmpty() ? QStringLiteral("/usr/local/lib/hyperhive/agent-cli/claude") : fromEnv;
}

QJsonObject text(const QString &t)
{
    return QJsonObject{{QStringLiteral("text"), t}};
}

QJsonObject toolUse(const QString &name, const QJsonObject &input)
{
    return QJsonObject{
        {QStringLiteral("tool_use"), QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("input"), input}}}};
}

QJsonObject reply(const QJsonArray &blocks, const QString &expect = {})
{
    QJsonObject step{{QStringLiteral("reply"), blocks}};
    if (!expect.isEmpty())
        step.insert(QStringLiteral("expect"), expect);
    return step;
}

QJsonObject errorStep(int status, const QString &type, const QString &message, int repeat)
{
    return QJsonObject{{QStringLiteral("error"), QJsonObject{{QStringLiteral("status"), status},
                                                             {QStringLiteral("type"), type},
                                                             {QStringLiteral("message"), message}}},
                       {QStringLiteral("repeat"), repeat}};
}

} // namespace

class TestHarnessTurns : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void sendReachesThePeersNextTurn();
    void questionAnsweredReachesTheAsker();
    void refusedSendComesBackAsAnError();
    void deniedBashShowsInTheStats();
    void promptTooLongCompactsAndRetries();
    void rateLimitParksThenResumes();
    void killedMidTurnRedeliversFlagged();
    void operatorCancelsARunningTurn();
    void modelOverrideReachesTheModel();
    void notesAreCompactedInPlace();
    void budgetOverrunPausesTheAgent();

private:
    [[nodiscard]] Result<void> startSwarm(const QByteArray &harnessExtra = {});
    [[nodiscard]] Result<void> addAgent(const QString &name);
    [[nodiscard]] Result<void> startHarness(const QString &name);
    void killHarness(const QString &name);
    [[nodiscard]] Result<AgentInfo> agent(const QString &name);
    [[nodiscard]] QString notesPath(const QString &name) const;
    /// Index of the first agent_turn "ended" event of `agent` at or after `from` with this exit, or -1.
    qsizetype waitForTurnEnd(const QString &agentName, const QString &exit, qsizetype from,
                             int timeoutMs = TurnTimeout);
    /// Whether the agent's inbox has nothing queued or in flight.
    bool inboxEmpty(const QString &name);
    [[nodiscard]] Result<SendResult> sendAsOperator(const QString &to, const QString &body);
    /// The sum of a stats key's samples of the last hour (-1 when the query fails).
    [[nodiscard]] double statSum(const QString &agentName, const QString &key);
    template<typename M>
    Result<typename M::Result> call(const typename M::Params &params)
    {
        return m_client->callAndWait<M>(params, CallTimeout);
    }
    void dumpLogs();

    bool m_containers = false;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_state;
    std::unique_ptr<FakeModelServer> m_fake;
    std::unique_ptr<EngineProcess> m_engine;
    std::unique_ptr<client::RpcClient> m_client;
    QList<Event> m_events;
    QHash<QString, QProcess *> m_harnesses; ///< host mode: one `hive-harness serve` per agent
    QHash<QString, QString> m_sockets;      ///< host mode: the agents' sockets
};

void TestHarnessTurns::initTestCase()
{
    QVERIFY2(QFileInfo(cliPath()).isExecutable(),
             qPrintable(QStringLiteral("agent CLI not found at %1; run scripts/setup").arg(cliPath())));
    QVERIFY2(QFileInfo(test::binaryPath(QStringLiteral("hive-harness"))).isExecutable(),
             "no hive-harness in HIVE_BIN_DIR");
    m_containers = ::geteuid() == 0 && !QStandardPaths::findExecutable(QStringLiteral("systemd-nspawn")).isEmpty() &&
                   qEnvironmentVariable("HIVE_TEST_HARNESS_ON_HOST") != QLatin1String("1");
    qInfo("harnesses run %s", m_containers ? "in systemd-nspawn containers" : "as host processes");
}

void TestHarnessTurns::init()
{
    m_dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/hive-tst-turns-XXXXXX"));
    QVERIFY(m_dir->isValid());
    m_state = m_dir->filePath(QStringLiteral("state"));
    m_fake = std::make_unique<FakeModelServer>();
    VERIFY_OK(m_fake->listen());
    m_events.clear();
}

void TestHarnessTurns::cleanup()
{
    if (QTest::currentTestFailed())
        dumpLogs();
    for (QProcess *harness : std::as_const(m_harnesses)) {
        harness->terminate();
        if (!harness->waitForFinished(10000))
            harness->kill();
        delete harness;
    }
    m_harnesses.clear();
    m_sockets.clear();
    if (m_containers && m_client) {
        auto listed = call<AgentListMethod>(AgentListParams{});
        for (const AgentInfo &info : listed ? listed->agents : QList<AgentInfo>{}) {
            if (info.container && info.name != QLatin1String("manager"))
                (void)call<AgentPurgeMethod>(AgentPurgeParams{info.name});
        }
    }
    m_client.reset();
    if (m_engine && m_engine->process().state() == QProcess::Running)
        m_engine->stop(SIGTERM);
    m_engine.reset();
    m_fake.reset();
    m_dir.reset();
}

void TestHarnessTurns::dumpLogs()
{
    if (m_engine)
        qWarning("engine log:\n%s", qPrintable(m_engine->log().right(20000)));
    const QStringList logs = QDir(m_dir->path()).entryList({QStringLiteral("harness-*.log")});
    for (const QString &log : logs)
        qWarning("%s:\n%s", qPrintable(log), test::readFile(m_dir->filePath(log)).right(8000).constData());
    for (const FakeModelServer::Request &request : m_fake->allRequests())
        qWarning("model request %s step %d: %s", qPrintable(request.agent), request.step,
                 qPrintable(FakeModelServer::lastUserText(request.body).left(300)));
    for (const QString &failure : m_fake->failures())
        qWarning("fake model: %s", qPrintable(failure));
}

Result<void> TestHarnessTurns::startSwarm(const QByteArray &harnessExtra)
{
    const QByteArray config = "listen = \"off\"\n"
                              "[containers]\n"
                              "backend = \"" +
                              QByteArray(m_containers ? "nspawn" : "none") +
                              "\"\n"
                              "spawn_manager = false\n"
                              "stop_grace_seconds = 2\n"
                              "command = [\"/opt/hive/bin/hive-harness\", \"serve\"]\n"
                              "harness = \"" +
                              QFile::encodeName(test::binaryPath(QStringLiteral("hive-harness"))) +
                              "\"\n"
                              "[harness]\n"
                              "cli = \"" +
                              QFile::encodeName(cliPath()) +
                              "\"\n"
                              "rate_limit_retry_seconds = 2\n"
                              "turn_timeout_seconds = 120\n" +
                              harnessExtra +
                              "[harness.env]\n"
                              "ANTHROPIC_BASE_URL = \"" +
                              m_fake->baseUrl().toUtf8() +
                              "\"\n"
                              "ANTHROPIC_API_KEY = \"dummy\"\n"
                              "ANTHROPIC_CUSTOM_HEADERS = \"x-fake-agent: {agent}\"\n"
                              "CLAUDE_CODE_MAX_RETRIES = \"0\"\n"
                              "API_TIMEOUT_MS = \"60000\"\n";
    const QString configPath = m_dir->filePath(QStringLiteral("engine.conf"));
    if (!test::writeFile(configPath, config))
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1").arg(configPath));
    m_engine = std::make_unique<EngineProcess>(m_state, m_dir->filePath(QStringLiteral("engine.log")));
    if (auto started = m_engine->start({QStringLiteral("--config"), configPath}); !started)
        return fail(started.error());
    m_client = std::make_unique<client::RpcClient>(new client::LocalSocketPeer(paths::adminSocket(m_state)));
    if (auto opened = m_client->openAndWait(CallTimeout); !opened)
        return opened;
    connect(m_client.get(), &client::RpcClient::notificationReceived, this,
            [this](const QString &method, const QJsonObject &params) {
                if (method == QLatin1String(EventNotification)) {
                    if (auto event = Event::fromJson(params))
                        m_events.append(*event);
                }
            });
    if (auto subscribed = call<EventsSubscribeMethod>(EventsSubscribeParams{}); !subscribed)
        return fail(subscribed.error());
    return {};
}

Result<void> TestHarnessTurns::addAgent(const QString &name)
{
    if (m_containers) {
        AgentSpawnParams spawn;
        spawn.name = name;
        if (auto spawned = call<AgentSpawnMethod>(spawn); !spawned)
            return fail(spawned.error());
    } else {
        auto added = call<AgentAddMethod>(AgentAddParams{name});
        if (!added)
            return fail(added.error());
        m_sockets.insert(name, added->socketPath);
        if (auto started = startHarness(name); !started)
            return started;
    }
    // Ready when its harness has attached and waits for messages.
    const bool idle = QTest::qWaitFor(
        [&] {
            auto info = agent(name);
            return info && info->harness && info->harness->state == QLatin1String(harnessstates::Idle);
        },
        CallTimeout);
    if (!idle)
        return fail(ErrorCode::Unavailable, QStringLiteral("the harness of %1 never became idle").arg(name));
    return {};
}

Result<void> TestHarnessTurns::startHarness(const QString &name)
{
    const QString home = m_dir->filePath(QStringLiteral("home-") + name);
    const QString stateDir = m_dir->filePath(QStringLiteral("state-") + name);
    QDir().mkpath(home);
    QDir().mkpath(stateDir);
    auto *harness = new QProcess(this);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("HOME"), home);
    harness->setProcessEnvironment(environment);
    harness->setStandardOutputFile(m_dir->filePath(QStringLiteral("harness-%1.log").arg(name)), QIODevice::Append);
    harness->setStandardErrorFile(m_dir->filePath(QStringLiteral("harness-%1.log").arg(name)), QIODevice::Append);
    harness->start(test::binaryPath(QStringLiteral("hive-harness")),
                   {QStringLiteral("serve"), QStringLiteral("--socket"), m_sockets.value(name),
                    QStringLiteral("--state"), stateDir, QStringLiteral("--run-dir"),
                    m_dir->filePath(QStringLiteral("run-") + name)});
    if (!harness->waitForStarted(10000))
        return fail(ErrorCode::Io, QStringLiteral("cannot start hive-harness: %1").arg(harness->errorString()));
    delete m_harnesses.value(name);
    m_harnesses.insert(name, harness);
    return {};
}

void TestHarnessTurns::killHarness(const QString &name)
{
    if (!m_containers) {
        QProcess *harness = m_harnesses.value(name);
        QVERIFY(harness);
        ::kill(static_cast<pid_t>(harness->processId()), SIGKILL);
        QVERIFY(harness->waitForFinished(10000));
        return;
    }
    // The harness is the container's main process: SIGKILL it, as a crash would. systemd-nspawn (whose pid the
    // agent object gives) runs the stub init, whose child is the harness.
    auto info = agent(name);
    QVERIFY(info && info->container && info->container->pid);
    const auto childOf = [](qint64 parent) {
        const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QString &entry : entries) {
            const QByteArray stat = test::readFile(QStringLiteral("/proc/%1/stat").arg(entry));
            if (!stat.isEmpty() && stat.mid(stat.lastIndexOf(')') + 2).split(' ').value(1).toLongLong() == parent)
                return entry.toLongLong();
        }
        return qint64(0);
    };
    const qint64 harness = childOf(childOf(*info->container->pid));
    QVERIFY(harness > 0);
    QVERIFY(test::readFile(QStringLiteral("/proc/%1/cmdline").arg(harness))
                .startsWith("/opt/hive/bin/hive-harness\0serve"));
    QCOMPARE(::kill(static_cast<pid_t>(harness), SIGKILL), 0);
}

Result<AgentInfo> TestHarnessTurns::agent(const QString &name)
{
    auto listed = call<AgentListMethod>(AgentListParams{});
    if (!listed)
        return fail(listed.error());
    for (const AgentInfo &info : std::as_const(listed->agents)) {
        if (info.name == name)
            return info;
    }
    return fail(ErrorCode::NotFound, QStringLiteral("no agent %1").arg(name));
}

QString TestHarnessTurns::notesPath(const QString &name) const
{
    return m_containers ? m_state + QStringLiteral("/agents/%1/state/notes.md").arg(name)
                        : m_dir->filePath(QStringLiteral("state-%1/notes.md").arg(name));
}

qsizetype TestHarnessTurns::waitForTurnEnd(const QString &agentName, const QString &exit, qsizetype from, int timeoutMs)
{
    qsizetype found = -1;
    (void)QTest::qWaitFor(
        [&] {
            for (qsizetype i = from; i < m_events.size(); ++i) {
                const Event &event = m_events.at(i);
                if (event.kind == QLatin1String("agent_turn") &&
                    event.data.value(QStringLiteral("agent")).toString() == agentName &&
                    event.data.value(QStringLiteral("kind")).toString() == QLatin1String(turneventkinds::Ended) &&
                    event.data.value(QStringLiteral("data")).toObject().value(QStringLiteral("exit")).toString() ==
                        exit) {
                    found = i;
                    return true;
                }
            }
            return false;
        },
        timeoutMs);
    return found;
}

bool TestHarnessTurns::inboxEmpty(const QString &name)
{
    auto info = agent(name);
    return info && info->unread == 0 && info->inflight == 0;
}

Result<SendResult> TestHarnessTurns::sendAsOperator(const QString &to, const QString &body)
{
    MessageSendParams send;
    send.to = to;
    send.body = body;
    return call<MessageSendMethod>(send);
}

double TestHarnessTurns::statSum(const QString &agentName, const QString &key)
{
    StatsQueryParams query;
    query.agent = agentName;
    query.keys = {key};
    query.since = QDateTime::currentDateTimeUtc().addSecs(-3600);
    auto result = call<StatsQueryMethod>(query);
    if (!result)
        return -1;
    double sum = 0;
    for (const StatsSeries &series : std::as_const(result->series)) {
        for (const StatsPoint &point : series.points)
            sum += point.sum;
    }
    return sum;
}

// ---- the cases --------------------------------------------------------------------------------

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

void TestHarnessTurns::promptTooLongCompactsAndRetries()
{
    // A conversation that no longer fits: the CLI compacts on its own and retries, which fails again, so the
    // turn ends with "Prompt is too long". The harness then runs /compact (state "compacting") and retries the
    // turn once; by then the model answers.
    VERIFY_OK(
        m_fake->setScript(QStringLiteral("alice"), QJsonArray{reply({text(QStringLiteral("First."))}),
                                                              errorStep(400, QStringLiteral("invalid_request_error"),
                                                                        QStringLiteral("prompt is too long"), 100)}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Start.")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Do the big thing.")));
    const auto compacting = [&] {
        for (qsizetype i = from; i < m_events.size(); ++i) {
            if (m_events.at(i).kind == QLatin1String("agent_harness") &&
                m_events.at(i)
                        .data.value(QStringLiteral("harness"))
                        .toObject()
                        .value(QStringLiteral("state"))
                        .toString() == QLatin1String(harnessstates::Compacting))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(compacting(), TurnTimeout);
    VERIFY_OK(m_fake->setScript(QStringLiteral("alice"),
                                QJsonArray{reply({text(QStringLiteral("Done after compaction."))})}));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("compact_retry"), from) >= 0);
    const QString retried = FakeModelServer::lastUserText(
        m_fake->request(QStringLiteral("alice"), m_fake->requestCount(QStringLiteral("alice")) - 1).body);
    QVERIFY2(retried.contains(QStringLiteral("Do the big thing.")), qPrintable(retried));
    QTRY_VERIFY_WITH_TIMEOUT(inboxEmpty(QStringLiteral("alice")), CallTimeout);
    QTRY_COMPARE_WITH_TIMEOUT(statSum(QStringLiteral("alice"), QStringLiteral("turn.exit.compact_retry")), 1.0,
                              CallTimeout);
}

void TestHarnessTurns::rateLimitParksThenResumes()
{
    VERIFY_OK(m_fake->setScript(QStringLiteral("alice"), QJsonArray{errorStep(429, QStringLiteral("rate_limit_error"),
                                                                              QStringLiteral("slow down"), 1),
                                                                    reply({text(QStringLiteral("Back."))})}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    const qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Work.")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("rate_limited"), from) >= 0);
    // Parked, visibly: the agent's state says so while the retry waits.
    bool sawParked = false;
    for (qsizetype i = from; i < m_events.size() && !sawParked; ++i) {
        sawParked =
            m_events.at(i).kind == QLatin1String("agent_harness") &&
            m_events.at(i).data.value(QStringLiteral("harness")).toObject().value(QStringLiteral("state")).toString() ==
                QLatin1String(harnessstates::RateLimited);
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        sawParked ||
            [&] {
                auto info = agent(QStringLiteral("alice"));
                return info && info->state == QLatin1String(harnessstates::RateLimited);
            }(),
        5000);
    // The same message comes again after the sleep, and then succeeds.
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    QTRY_VERIFY_WITH_TIMEOUT(inboxEmpty(QStringLiteral("alice")), CallTimeout);
    QCOMPARE(m_fake->requestCount(QStringLiteral("alice")), 2);
    const QString retried = FakeModelServer::lastUserText(m_fake->request(QStringLiteral("alice"), 1).body);
    QVERIFY2(retried.contains(QStringLiteral("Work.")), qPrintable(retried));
}

void TestHarnessTurns::killedMidTurnRedeliversFlagged()
{
    VERIFY_OK(m_fake->setScript(QStringLiteral("alice"), QJsonArray{QJsonObject{{QStringLiteral("hang"), true}},
                                                                    reply({text(QStringLiteral("Finished this time."))},
                                                                          QStringLiteral("redelivered"))}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    const qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Long job.")));
    QTRY_COMPARE_WITH_TIMEOUT(m_fake->requestCount(QStringLiteral("alice")), 1, TurnTimeout);
    killHarness(QStringLiteral("alice"));
    auto info = agent(QStringLiteral("alice"));
    VERIFY_OK(info);
    QCOMPARE(info->inflight, 1); // leased, never acknowledged
    if (m_containers) {
        QTRY_COMPARE_WITH_TIMEOUT(agent(QStringLiteral("alice"))->state, QString::fromLatin1(agentstates::Crashed),
                                  CallTimeout);
        VERIFY_OK(call<AgentStartMethod>(AgentStartParams{QStringLiteral("alice")}));
    } else {
        VERIFY_OK(startHarness(QStringLiteral("alice")));
    }
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    QVERIFY2(m_fake->failures().isEmpty(), qPrintable(m_fake->failures().join(QLatin1Char('\n'))));
    QTRY_VERIFY_WITH_TIMEOUT(inboxEmpty(QStringLiteral("alice")), CallTimeout);
}

void TestHarnessTurns::operatorCancelsARunningTurn()
{
    VERIFY_OK(m_fake->setScript(QStringLiteral("alice"), QJsonArray{QJsonObject{{QStringLiteral("hang"), true}},
                                                                    reply({text(QStringLiteral("Next."))})}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));
    VERIFY_FAILS(call<AgentCancelTurnMethod>(AgentCancelTurnParams{QStringLiteral("alice")}), ErrorCode::Unavailable,
                 "the harness of agent 'alice' is not in a turn (it is idle): there is nothing to cancel");
    const qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Spin forever.")));
    QTRY_COMPARE_WITH_TIMEOUT(m_fake->requestCount(QStringLiteral("alice")), 1, TurnTimeout);
    auto cancelled = call<AgentCancelTurnMethod>(AgentCancelTurnParams{QStringLiteral("alice")});
    VERIFY_OK(cancelled);
    QVERIFY(cancelled->cancelled);
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("cancelled"), from, 30000) >= 0);
    // A cancelled turn's message is done with; the agent takes the next one.
    QTRY_VERIFY_WITH_TIMEOUT(inboxEmpty(QStringLiteral("alice")), CallTimeout);
    const qsizetype next = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("Something else.")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), next) >= 0);
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

void TestHarnessTurns::budgetOverrunPausesTheAgent()
{
    // One turn of 1500 tokens against a budget of 1000 a day: the agent pauses and the operator is asked.
    QJsonObject expensive = reply({text(QStringLiteral("That was a lot of reading."))});
    expensive.insert(QStringLiteral("usage"),
                     QJsonObject{{QStringLiteral("input_tokens"), 1400}, {QStringLiteral("output_tokens"), 100}});
    VERIFY_OK(m_fake->setScript(
        QStringLiteral("alice"),
        QJsonArray{expensive, reply({text(QStringLiteral("Back at work."))}, QStringLiteral("second job"))}));
    VERIFY_OK(startSwarm());
    VERIFY_OK(addAgent(QStringLiteral("alice")));

    // The budget comes from the agent's deployed agent.toml: commit it, have the manager propose it, approve it.
    const QString repo = m_state + QStringLiteral("/agents/alice/config");
    QByteArray toml = test::readFile(repo + QStringLiteral("/agent.toml"));
    QVERIFY(!toml.isEmpty());
    toml += "\n[budget]\ntokens_per_day = 1000\n";
    QVERIFY(test::writeFile(repo + QStringLiteral("/agent.toml"), toml));
    const auto git = [&repo](const QStringList &args) {
        QProcess process;
        process.setWorkingDirectory(repo);
        process.start(QStringLiteral("git"),
                      QStringList{QStringLiteral("-c"), QStringLiteral("user.name=test"), QStringLiteral("-c"),
                                  QStringLiteral("user.email=t@example.invalid")} +
                          args);
        process.waitForFinished(30000);
        return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    };
    git({QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("a daily budget")});
    const QString sha = git({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
    QCOMPARE(sha.size(), 40);
    client::RpcClient manager(new client::LocalSocketPeer(m_state + QStringLiteral("/run/agents/manager/agent.sock")));
    VERIFY_OK(manager.openAndWait(CallTimeout));
    RequestApplyCommitParams request;
    request.agent = QStringLiteral("alice");
    request.commitRef = sha;
    auto proposed = manager.callAndWait<RequestApplyCommitMethod>(request, CallTimeout);
    VERIFY_OK(proposed);
    auto approved = call<ApprovalApproveMethod>(ApprovalApproveParams{proposed->approval.id});
    VERIFY_OK(approved);
    QCOMPARE(approved->approval.state, QStringLiteral("deployed"));
    // A deploy restarts a running container: wait until its harness is back.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            auto info = agent(QStringLiteral("alice"));
            return info && info->harness && info->harness->state == QLatin1String(harnessstates::Idle);
        }(),
        CallTimeout);

    qsizetype from = m_events.size();
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("first job")));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from) >= 0);
    QTRY_VERIFY_WITH_TIMEOUT(agent(QStringLiteral("alice"))->state == QLatin1String(harnessstates::OverBudget),
                             CallTimeout);

    // It takes no more turns while over budget, and the operator has a question about it.
    VERIFY_OK(sendAsOperator(QStringLiteral("alice"), QStringLiteral("second job")));
    QTest::qWait(3000);
    QCOMPARE(m_fake->requestCount(QStringLiteral("alice")), 1);
    QCOMPARE(agent(QStringLiteral("alice"))->unread, 1);
    QuestionListParams list;
    list.agent = QStringLiteral("alice");
    auto questions = call<QuestionListMethod>(list);
    VERIFY_OK(questions);
    QCOMPARE(questions->questions.size(), 1);
    const Question question = questions->questions.first();
    QCOMPARE(question.target, QStringLiteral("operator"));
    QVERIFY2(question.question.contains(QStringLiteral("Raise today's budget")), qPrintable(question.question));
    QCOMPARE(question.options.size(), 2);

    // Raising it lets the agent go on at once, with the waiting message; the budget question itself never
    // reaches the model.
    from = m_events.size();
    VERIFY_OK(call<QuestionAnswerMethod>(QuestionAnswerParams{question.id, question.options.first()}));
    QVERIFY(waitForTurnEnd(QStringLiteral("alice"), QStringLiteral("ok"), from, 30000) >= 0);
    QVERIFY2(m_fake->failures().isEmpty(), qPrintable(m_fake->failures().join(QLatin1Char('\n'))));
    QTRY_VERIFY_WITH_TIMEOUT(inboxEmpty(QStringLiteral("alice")), CallTimeout);
    QCOMPARE(m_fake->requestCount(QStringLiteral("alice")), 2);
}

QTEST_GUILESS_MAIN(TestHarnessTurns)
#include "tst_harnessturns.moc"
