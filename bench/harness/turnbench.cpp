// SPDX-License-Identifier: MIT
#include "turnbench.h"

#include "clisetup.h"
#include "engineserver.h"
#include "fakemodelserver.h"
#include "interrupt.h"
#include "measurement.h"
#include "monotonic.h"
#include "prompts.h"
#include "protocol/deployedconfig.h"
#include "protocol/methods.h"
#include "rpcsocket.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>

#include <csignal>
#include <cstdio>
#include <vector>

namespace hive::bench {

namespace {

constexpr char Agent[] = "alice";
constexpr int StartTimeoutMs = 120'000;
constexpr int TurnTimeoutMs = 120'000;
constexpr int IdleTimeoutMs = 60'000;
constexpr int IdlePollMs = 20;

double msBetween(qint64 fromNs, qint64 toNs)
{
    return static_cast<double>(toNs - fromNs) / static_cast<double>(NsPerMs);
}

QByteArray engineConfig(const QString &cli, const QString &modelUrl)
{
    // The harness runs as a host process on alice's socket: no containers, no manager.
    return "# written by hive-bench-harness\n"
           "listen = \"off\"\n\n"
           "[log]\n"
           "level = \"warning\"\n\n"
           "[containers]\n"
           "backend = \"none\"\n"
           "spawn_manager = false\n\n"
           "[harness]\n"
           "cli = \"" +
           QFile::encodeName(cli) +
           "\"\n\n"
           "[harness.env]\n"
           "ANTHROPIC_BASE_URL = \"" +
           modelUrl.toUtf8() +
           "\"\n"
           "ANTHROPIC_API_KEY = \"dummy\"\n"
           "ANTHROPIC_CUSTOM_HEADERS = \"x-fake-agent: {agent}\"\n"
           "CLAUDE_CODE_MAX_RETRIES = \"0\"\n";
}

QString body(int round)
{
    return QStringLiteral("Round %1 of the benchmark: please note that the build passed.").arg(round);
}

bool isTurnEvent(const protocol::Event &event, const char *kind)
{
    return event.kind == QLatin1String("agent_turn") &&
           event.data.value(QLatin1String("agent")) == QLatin1String(Agent) &&
           event.data.value(QLatin1String("kind")) == QLatin1String(kind);
}

/// The `result` line of a stream-json run: whether the turn succeeded, and its text.
std::pair<bool, QString> resultOf(const QByteArray &output)
{
    const QList<QByteArray> lines = output.trimmed().split('\n');
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        const QJsonObject line = QJsonDocument::fromJson(*it).object();
        if (line.value(QLatin1String("type")) == QLatin1String("result"))
            return {!line.value(QLatin1String("is_error")).toBool(), line.value(QLatin1String("result")).toString()};
    }
    return {false, QStringLiteral("no result line")};
}

void printSummary(const char *what, const std::vector<double> &values)
{
    std::fprintf(stderr, "hive-bench-harness: turn-overhead %s: median %s, mean %s\n", what,
                 qPrintable(formatMs(median(values).value_or(0))), qPrintable(formatMs(mean(values).value_or(0))));
}

} // namespace

TurnBench::TurnBench(HarnessBenchSettings settings) : m_settings(std::move(settings)) {}

TurnBench::~TurnBench()
{
    // The harness first: a turn it runs would otherwise see the engine go away.
    (void)m_harness.stop(SIGTERM, 15'000);
    if (m_engine)
        m_engine->stop();
}

int TurnBench::run()
{
    auto measured = runMeasured();
    if (!measured && !Interrupt::requested()) {
        std::fprintf(stderr, "hive-bench-harness: turn-overhead failed: %s\n", qPrintable(measured.error().message));
        QFile log(m_settings.dir + QStringLiteral("/harness.log"));
        if (log.open(QIODevice::ReadOnly))
            std::fprintf(stderr, "harness log (tail):\n%s\n", log.readAll().right(4000).constData());
        if (m_engine && !m_engine->log().isEmpty())
            std::fprintf(stderr, "engine log:\n%s\n", qPrintable(m_engine->log().right(4000)));
        if (m_fake) {
            for (const QString &failure : m_fake->failures())
                std::fprintf(stderr, "model server: %s\n", qPrintable(failure));
        }
    }
    (void)m_harness.stop(SIGTERM, 15'000);
    if (m_engine)
        m_engine->stop();
    if (Interrupt::requested())
        return 130;
    return measured ? 0 : 1;
}

Result<void> TurnBench::startSwarm()
{
    if (!QFileInfo(m_settings.harnessProgram).isExecutable())
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("no hive-harness at %1 (see --harness)").arg(m_settings.harnessProgram));
    if (!QFileInfo(m_settings.cliProgram).isExecutable())
        return fail(
            ErrorCode::Unavailable,
            QStringLiteral("no agent CLI at %1 (see --cli; scripts/setup installs it)").arg(m_settings.cliProgram));
    for (const char *dir : {"home-alice", "home-bare", "state-alice"}) {
        if (!QDir().mkpath(m_settings.dir + QLatin1Char('/') + QLatin1String(dir)))
            return fail(ErrorCode::Io, QStringLiteral("cannot create %1/%2").arg(m_settings.dir, QLatin1String(dir)));
    }

    // Every model request gets the same one-text reply, whoever sends it.
    m_fake = std::make_unique<test::FakeModelServer>();
    if (auto listening = m_fake->listen(); !listening)
        return listening;
    const QJsonObject step{
        {QStringLiteral("reply"), QJsonArray{QJsonObject{{QStringLiteral("text"), QStringLiteral("Noted.")}}}},
        {QStringLiteral("repeat"), 1'000'000'000}};
    if (auto scripted = m_fake->setScript(QStringLiteral("*"), QJsonArray{step}); !scripted)
        return scripted;

    m_engine = std::make_unique<EngineServer>(m_settings.engineProgram, QStringList{},
                                              m_settings.dir + QStringLiteral("/engine"),
                                              engineConfig(m_settings.cliProgram, m_fake->baseUrl()));
    if (auto started = m_engine->start(StartTimeoutMs); !started)
        return started;
    if (auto opened = m_admin.open(m_engine->stateDir(), StartTimeoutMs); !opened)
        return opened;
    auto added = m_admin.call<protocol::AgentAddMethod>(protocol::AgentAddParams{QLatin1String(Agent)});
    if (!added)
        return fail(added.error().wrapped(QStringLiteral("agent_add")));
    m_socket = added->socketPath;

    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("HOME"), m_settings.dir + QStringLiteral("/home-alice"));
    if (auto started = m_harness.start(m_settings.harnessProgram,
                                       {QStringLiteral("serve"), QStringLiteral("--socket"), m_socket,
                                        QStringLiteral("--state"), m_settings.dir + QStringLiteral("/state-alice"),
                                        QStringLiteral("--run-dir"), m_settings.dir + QStringLiteral("/run-alice")},
                                       m_settings.dir + QStringLiteral("/harness.log"), environment);
        !started)
        return started;
    return waitUntilIdle();
}

Result<void> TurnBench::waitUntilIdle()
{
    // Idle is set just before the harness parks in its recv: a message sent now wakes it at once.
    const qint64 deadline = monotonicNs() + IdleTimeoutMs * NsPerMs;
    while (!Interrupt::requested()) {
        if (!m_harness.isRunning())
            return fail(ErrorCode::Unavailable, QStringLiteral("hive-harness serve exited"));
        auto listed = m_admin.call<protocol::AgentListMethod>(protocol::AgentListParams{});
        if (!listed)
            return fail(listed.error().wrapped(QStringLiteral("agent_list")));
        for (const protocol::AgentInfo &info : std::as_const(listed->agents)) {
            if (info.name == QLatin1String(Agent) && info.harness &&
                info.harness->state == QLatin1String(protocol::harnessstates::Idle))
                return {};
        }
        if (monotonicNs() > deadline)
            break;
        m_admin.waitUntil([] { return false; }, IdlePollMs); // the event loop runs meanwhile
    }
    if (Interrupt::requested())
        return fail(ErrorCode::Unavailable, QStringLiteral("interrupted"));
    return fail(ErrorCode::Unavailable,
                QStringLiteral("alice's harness did not become idle within %1 ms").arg(IdleTimeoutMs));
}

QStringList TurnBench::harnessCliCommand() const
{
    // The CLI is the harness's child started from its main thread.
    const QString pid = QString::number(m_harness.pid());
    QFile children(QStringLiteral("/proc/%1/task/%1/children").arg(pid));
    if (!children.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &child : children.readAll().trimmed().split(' ')) {
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(QString::fromLatin1(child)));
        if (child.isEmpty() || !cmdline.open(QIODevice::ReadOnly))
            continue;
        QByteArray text = cmdline.readAll();
        if (text.endsWith('\0'))
            text.chop(1);
        QStringList command;
        for (const QByteArray &argument : text.split('\0'))
            command << QString::fromLocal8Bit(argument);
        if (!command.isEmpty() && command.first() == m_settings.cliProgram)
            return command;
    }
    return {};
}

Result<TurnBench::OursRound> TurnBench::measureOurs(int round, bool checkCommand)
{
    if (auto idle = waitUntilIdle(); !idle)
        return fail(idle.error());
    const qsizetype from = m_admin.eventCount();
    protocol::MessageSendParams send;
    send.to = QLatin1String(Agent);
    send.body = body(round);
    std::optional<Error> sendFailure;
    const qint64 sentNs = monotonicNs();
    m_admin.callLater<protocol::MessageSendMethod>(send, [&sendFailure](const Result<protocol::SendResult> &sent) {
        if (!sent)
            sendFailure = sent.error();
    });
    std::optional<TimedEvent> ended;
    m_admin.waitUntil(
        [&] {
            if (checkCommand && m_seenCommand.isEmpty())
                m_seenCommand = harnessCliCommand();
            if (sendFailure)
                return true;
            ended =
                m_admin.waitForEvent([](const protocol::Event &event) { return isTurnEvent(event, "ended"); }, from, 0);
            return ended.has_value();
        },
        TurnTimeoutMs);
    if (Interrupt::requested())
        return fail(ErrorCode::Unavailable, QStringLiteral("interrupted"));
    if (sendFailure)
        return fail(sendFailure->wrapped(QStringLiteral("message_send")));
    if (!ended)
        return fail(ErrorCode::Unavailable, QStringLiteral("no agent_turn ended within %1 ms").arg(TurnTimeoutMs));
    const QJsonObject data = ended->event.data.value(QLatin1String("data")).toObject();
    if (data.value(QLatin1String("exit")) != QLatin1String("ok"))
        return fail(ErrorCode::Unavailable, QStringLiteral("the turn ended with %1: %2")
                                                .arg(data.value(QLatin1String("exit")).toString(),
                                                     data.value(QLatin1String("detail")).toString()));
    const auto started =
        m_admin.waitForEvent([](const protocol::Event &event) { return isTurnEvent(event, "started"); }, from, 0);

    OursRound result;
    result.wallMs = msBetween(sentNs, ended->receivedNs);
    result.wakeMs = started ? msBetween(sentNs, started->receivedNs) : 0;
    result.reportedMs = data.value(QLatin1String("duration_ms")).toDouble();
    return result;
}

Result<harness::CliInvocation> TurnBench::bareInvocation(int round)
{
    // What the harness reads before a turn: alice's config, on her socket.
    auto socket = RpcSocket::connect(m_socket);
    if (!socket)
        return fail(socket.error());
    auto answer = (*socket)->call("config", "{}", AdminConnection::CallTimeoutMs);
    if (!answer)
        return fail(answer.error());
    auto config = protocol::ConfigResult::fromJson(*answer);
    if (!config)
        return fail(config.error().wrapped(QStringLiteral("config")));
    const harness::ServeSettings settings =
        harness::ServeSettings::from(QLatin1String(Agent), QStringLiteral("agent"), *config);
    // The files the harness wrote (MCP config, settings, system prompt), used as they are.
    harness::HarnessPaths paths;
    paths.socketPath = m_socket;
    paths.stateDir = m_settings.dir + QStringLiteral("/state-alice");
    paths.runDir = m_settings.dir + QStringLiteral("/run-alice");
    paths.selfPath = m_settings.harnessProgram;
    protocol::Message message;
    message.id = round + 1;
    message.from = QStringLiteral("operator");
    message.to = QLatin1String(Agent);
    message.body = body(round);
    message.sentAt = QDateTime::currentDateTimeUtc();
    harness::CliInvocation invocation = harness::turnInvocation(settings, paths, harness::wakePrompt(message, 0));
    // Its own HOME: its own session, which grows turn by turn as the harness's does.
    invocation.environment.insert(QStringLiteral("HOME"), m_settings.dir + QStringLiteral("/home-bare"));
    return invocation;
}

Result<double> TurnBench::measureBare(int round)
{
    auto invocation = bareInvocation(round);
    if (!invocation)
        return fail(invocation.error());
    m_bareCommand = QStringList{invocation->program} + invocation->arguments;

    // As the harness runs it: started, the prompt written, stdin closed; stdout read as it comes.
    QProcess cli;
    cli.setProgram(invocation->program);
    cli.setArguments(invocation->arguments);
    cli.setProcessEnvironment(invocation->environment);
    cli.setWorkingDirectory(invocation->workingDirectory);
    cli.setStandardErrorFile(m_settings.dir + QStringLiteral("/bare-cli.log"), QIODevice::Append);
    QByteArray output;
    std::optional<qint64> endedNs;
    QObject::connect(&cli, &QProcess::readyReadStandardOutput, &cli, [&] { output += cli.readAllStandardOutput(); });
    QObject::connect(&cli, &QProcess::finished, &cli, [&] { endedNs = monotonicNs(); });
    const qint64 startedNs = monotonicNs();
    cli.start(QIODevice::ReadWrite);
    if (!cli.waitForStarted(10'000))
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("cannot start %1: %2").arg(invocation->program, cli.errorString()));
    cli.write(invocation->input);
    cli.closeWriteChannel();
    m_admin.waitUntil([&] { return endedNs.has_value(); }, TurnTimeoutMs);
    if (!endedNs) {
        cli.kill();
        cli.waitForFinished(5000);
        if (Interrupt::requested())
            return fail(ErrorCode::Unavailable, QStringLiteral("interrupted"));
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the bare CLI did not finish within %1 ms").arg(TurnTimeoutMs));
    }
    output += cli.readAllStandardOutput();
    if (const auto [ok, text] = resultOf(output); !ok)
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the bare CLI's turn failed (exit %1): %2").arg(cli.exitCode()).arg(text));
    return msBetween(startedNs, *endedNs);
}

Result<void> TurnBench::runMeasured()
{
    if (auto started = startSwarm(); !started)
        return started;

    // One turn each unmeasured: the CLI's 400 MB binary into the page cache, both sessions created.
    auto warmOurs = measureOurs(0, true);
    if (!warmOurs)
        return fail(warmOurs.error());
    auto warmBare = measureBare(0);
    if (!warmBare)
        return fail(warmBare.error());
    std::fprintf(stderr, "hive-bench-harness: turn-overhead warm-up: ours %.0f ms, anchor %.0f ms\n", warmOurs->wallMs,
                 *warmBare);
    // The anchor is only fair if it is the command the harness ran (the prompt on stdin aside).
    if (m_seenCommand.isEmpty())
        std::fprintf(stderr, "hive-bench-harness: turn-overhead: could not catch the harness's CLI command line\n");
    else if (m_seenCommand != m_bareCommand)
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the bare command differs from the harness's:\n  harness: %1\n  bare:    %2")
                        .arg(m_seenCommand.join(QLatin1Char(' ')), m_bareCommand.join(QLatin1Char(' '))));
    else
        std::fprintf(stderr, "hive-bench-harness: turn-overhead: the bare command is the harness's: %s\n",
                     qPrintable(m_bareCommand.join(QLatin1Char(' '))));

    std::vector<double> ours;
    std::vector<double> anchor;
    std::vector<double> wakes;
    std::vector<double> reported;
    std::vector<double> outside;
    for (int round = 1; round <= m_settings.turns; ++round) {
        // Alternating which goes first, so that a slow spell of a shared machine hits both sides.
        std::optional<OursRound> mine;
        std::optional<double> bare;
        for (int side = 0; side < 2; ++side) {
            if ((side == 0) == (round % 2 == 1)) {
                auto measured = measureOurs(round, false);
                if (!measured)
                    return fail(measured.error());
                mine = *measured;
            } else {
                auto measured = measureBare(round);
                if (!measured)
                    return fail(measured.error());
                bare = *measured;
            }
        }
        std::fprintf(stderr,
                     "hive-bench-harness: turn-overhead (%d/%d): ours %.0f ms (started event at %.0f ms, the harness's "
                     "duration_ms %.0f), anchor %.0f ms\n",
                     round, m_settings.turns, mine->wallMs, mine->wakeMs, mine->reportedMs, *bare);
        ours.push_back(mine->wallMs);
        wakes.push_back(mine->wakeMs);
        reported.push_back(mine->reportedMs);
        outside.push_back(mine->wallMs - mine->reportedMs);
        anchor.push_back(*bare);
    }
    printSummary("message_send -> started event", wakes);
    printSummary("the harness's duration_ms (its CLI run)", reported);
    printSummary("ours outside that run (wall - duration_ms)", outside);
    printBenchLine(QStringLiteral("turn-wall-p50"), median(ours), median(anchor), formatMs);
    printBenchLine(QStringLiteral("turn-wall-mean"), mean(ours), mean(anchor), formatMs);
    return {};
}

} // namespace hive::bench
