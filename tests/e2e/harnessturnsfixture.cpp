// SPDX-License-Identifier: MIT
#include "harnessturnsfixture.h"

#include <unistd.h>

#include <csignal>

namespace hive::test::turns {

void HarnessTurnsFixture::initTestCase()
{
    QVERIFY2(QFileInfo(cliPath()).isExecutable(),
             qPrintable(QStringLiteral("agent CLI not found at %1; run scripts/setup").arg(cliPath())));
    QVERIFY2(QFileInfo(test::binaryPath(QStringLiteral("hive-harness"))).isExecutable(),
             "no hive-harness in HIVE_BIN_DIR");
    m_containers = ::geteuid() == 0 && !QStandardPaths::findExecutable(QStringLiteral("systemd-nspawn")).isEmpty() &&
                   qEnvironmentVariable("HIVE_TEST_HARNESS_ON_HOST") != QLatin1String("1");
    qInfo("harnesses run %s", m_containers ? "in systemd-nspawn containers" : "as host processes");
}

void HarnessTurnsFixture::init()
{
    m_dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/hive-tst-turns-XXXXXX"));
    QVERIFY(m_dir->isValid());
    m_state = m_dir->filePath(QStringLiteral("state"));
    m_fake = std::make_unique<FakeModelServer>();
    VERIFY_OK(m_fake->listen());
    m_events.clear();
}

void HarnessTurnsFixture::cleanup()
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

void HarnessTurnsFixture::dumpLogs()
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

Result<void> HarnessTurnsFixture::startSwarm(const QByteArray &harnessExtra)
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

Result<void> HarnessTurnsFixture::addAgent(const QString &name)
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

Result<void> HarnessTurnsFixture::startHarness(const QString &name)
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

void HarnessTurnsFixture::killHarness(const QString &name)
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

Result<AgentInfo> HarnessTurnsFixture::agent(const QString &name)
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

QString HarnessTurnsFixture::notesPath(const QString &name) const
{
    return m_containers ? m_state + QStringLiteral("/agents/%1/state/notes.md").arg(name)
                        : m_dir->filePath(QStringLiteral("state-%1/notes.md").arg(name));
}

qsizetype HarnessTurnsFixture::waitForTurnEnd(const QString &agentName, const QString &exit, qsizetype from,
                                              int timeoutMs)
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

bool HarnessTurnsFixture::inboxEmpty(const QString &name)
{
    auto info = agent(name);
    return info && info->unread == 0 && info->inflight == 0;
}

Result<SendResult> HarnessTurnsFixture::sendAsOperator(const QString &to, const QString &body)
{
    MessageSendParams send;
    send.to = to;
    send.body = body;
    return call<MessageSendMethod>(send);
}

double HarnessTurnsFixture::statSum(const QString &agentName, const QString &key)
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

} // namespace hive::test::turns
