// SPDX-License-Identifier: MIT
#include "spawnbench.h"

#include "containerengine.h"
#include "containers/nspawnruntime.h"
#include "interrupt.h"
#include "measurement.h"
#include "monotonic.h"
#include "protocol/methods.h"

#include <QDateTime>
#include <QFile>
#include <QProcess>

#include <cstdio>
#include <memory>
#include <vector>

namespace hive::bench {

namespace {

constexpr char Agent[] = "spawnbench";
constexpr int ReadyTimeoutMs = 60'000;
constexpr int AnchorTimeoutMs = 60'000;

double msBetween(qint64 fromNs, qint64 toNs)
{
    return static_cast<double>(toNs - fromNs) / static_cast<double>(NsPerMs);
}

/// The engine's timestamp (ms resolution) of the first event from `from` on that matches.
std::optional<qint64> eventMs(const QList<ReceivedEvent> &events, qsizetype from, const QString &kind,
                              const QString &agent, const QString &state = {})
{
    for (qsizetype i = from; i < events.size(); ++i) {
        const protocol::Event &event = events[i].event;
        if (event.kind == kind && event.data.value(QStringLiteral("name")).toString() == agent &&
            (state.isEmpty() || event.data.value(QStringLiteral("state")).toString() == state))
            return event.ts.toMSecsSinceEpoch();
    }
    return std::nullopt;
}

/// When start() last began to run the container: the header it writes into container.log.
std::optional<qint64> startHeaderMs(const QString &logPath, const QString &agent)
{
    QFile log(logPath);
    if (!log.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray marker = "-- hive: starting hive-" + agent.toUtf8() + " at ";
    const QByteArray text = log.readAll();
    const qsizetype at = text.lastIndexOf(marker);
    if (at < 0)
        return std::nullopt;
    const qsizetype end = text.indexOf('\n', at);
    const QDateTime time = QDateTime::fromString(
        QString::fromUtf8(text.mid(at + marker.size(), end - at - marker.size())), Qt::ISODateWithMs);
    return time.isValid() ? std::optional<qint64>(time.toMSecsSinceEpoch()) : std::nullopt;
}

void printMedians(const char *what, const std::vector<double> &values)
{
    const auto middle = median(values);
    std::fprintf(stderr, "hive-bench-containers: spawn-to-ready %s: median %s\n", what,
                 qPrintable(middle ? formatMs(*middle) : QStringLiteral("n/a")));
}

} // namespace

Result<SpawnBench::Round> SpawnBench::measureOurs(ContainerEngine &engine, const QString &agent) const
{
    const qsizetype from = engine.eventCount();
    struct Answer {
        std::optional<Result<protocol::AgentInfo>> result;
        qint64 receivedNs = 0;
    };
    // Shared with the callback, which outlives this round when the answer comes late.
    const auto answer = std::make_shared<Answer>();
    const qint64 sentWallMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 sentNs = monotonicNs();
    engine.callLater<protocol::AgentStartMethod>(protocol::AgentStartParams{agent},
                                                 [answer](const Result<protocol::AgentInfo> &result) {
                                                     answer->receivedNs = monotonicNs();
                                                     answer->result = result;
                                                 });
    const auto connected = engine.waitForEvent(QStringLiteral("agent_connected"), agent, from, ReadyTimeoutMs);
    engine.waitUntil([&] { return answer->result.has_value(); }, ReadyTimeoutMs);
    if (Interrupt::requested())
        return fail(ErrorCode::Unavailable, QStringLiteral("interrupted"));
    if (!answer->result)
        return fail(ErrorCode::Unavailable, QStringLiteral("agent_start was not answered in time"));
    if (!*answer->result)
        return fail(answer->result->error().wrapped(QStringLiteral("agent_start")));
    if (!connected)
        return fail(ErrorCode::Unavailable, QStringLiteral("no agent_connected within %1 ms").arg(ReadyTimeoutMs));

    Round round;
    round.readyMs = msBetween(sentNs, connected->receivedNs);
    round.answerMs = msBetween(sentNs, answer->receivedNs);
    const auto starting =
        eventMs(engine.events(), from, QStringLiteral("agent_state_changed"), agent, QStringLiteral("starting"));
    const auto running =
        eventMs(engine.events(), from, QStringLiteral("agent_state_changed"), agent, QStringLiteral("running"));
    const auto header = startHeaderMs(engine.specOf(**answer->result).logPath, agent);
    const qint64 connectedMs = connected->event.ts.toMSecsSinceEpoch();
    if (starting && running && header) {
        round.queuedMs = static_cast<double>(*starting - sentWallMs);
        round.prepareMs = static_cast<double>(*header - *starting);
        round.startMs = static_cast<double>(*running - *header);
        round.acceptMs = static_cast<double>(connectedMs - *running);
        // Its wall-clock receipt, from the monotonic one: both clocks tick alike over a second.
        round.deliveryMs = static_cast<double>(sentWallMs) + round.readyMs - static_cast<double>(connectedMs);
    }

    // Between rounds: stopped again, so that the next round starts the same existing tree.
    auto killed = engine.call<protocol::AgentKillMethod>(protocol::AgentKillParams{agent});
    if (!killed)
        return fail(killed.error().wrapped(QStringLiteral("agent_kill")));
    return round;
}

Result<double> SpawnBench::measureAnchor(const QStringList &command, const QString &logPath) const
{
    QProcess process;
    process.setStandardOutputFile(logPath, QIODevice::Append);
    process.setStandardErrorFile(logPath, QIODevice::Append);
    process.setStandardInputFile(QProcess::nullDevice());
    const qint64 startNs = monotonicNs();
    process.start(command.first(), command.mid(1));
    if (!process.waitForFinished(AnchorTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        return fail(
            ErrorCode::Unavailable,
            QStringLiteral("the bare systemd-nspawn did not finish: %1 (see %2)").arg(process.errorString(), logPath));
    }
    const qint64 endNs = monotonicNs();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return fail(
            ErrorCode::Unavailable,
            QStringLiteral("the bare systemd-nspawn exited with %1 (see %2)").arg(process.exitCode()).arg(logPath));
    return msBetween(startNs, endNs);
}

int SpawnBench::run()
{
    ContainerEngine engine(m_settings.engineProgram, m_settings.harnessProgram,
                           m_settings.dir + QStringLiteral("/engine"));
    auto measured = runMeasured(engine);
    if (!measured) {
        std::fprintf(stderr, "hive-bench-containers: spawn-to-ready failed: %s\n",
                     qPrintable(measured.error().message));
        const QString log = engine.log();
        if (!log.isEmpty() && !Interrupt::requested())
            std::fprintf(stderr, "engine log:\n%s\n", qPrintable(log));
    }
    engine.stop(); // purges the agent: no container outlives the run
    if (Interrupt::requested())
        return 130;
    return measured ? *measured : 1;
}

Result<int> SpawnBench::runMeasured(ContainerEngine &engine)
{
    if (auto started = engine.start(); !started)
        return fail(started.error());
    const QString agent = QLatin1String(Agent);
    // Spawned and killed once, unmeasured: the tree exists and the caches are warm, as for any later start.
    auto spawned = engine.spawn(agent);
    if (!spawned)
        return fail(spawned.error());
    if (auto killed = engine.call<protocol::AgentKillMethod>(protocol::AgentKillParams{agent}); !killed)
        return fail(killed.error().wrapped(QStringLiteral("agent_kill")));

    // The anchor: what NspawnRuntime runs for this agent (its tree, uid range, binds and flags), with /bin/true
    // as the payload instead of the harness.
    engine::ContainerSpec spec = engine.specOf(*spawned);
    spec.command = {QStringLiteral("/bin/true")};
    engine::NspawnRuntime runtime;
    const QStringList anchorCommand = runtime.commandLine(spec, false);
    const QString anchorLog = m_settings.dir + QStringLiteral("/anchor.log");
    std::fprintf(stderr, "hive-bench-containers: anchor: %s\n", qPrintable(anchorCommand.join(QLatin1Char(' '))));
    if (auto warm = measureAnchor(anchorCommand, anchorLog); !warm)
        return fail(warm.error());

    std::vector<double> ours;
    std::vector<double> anchor;
    std::vector<double> answers;
    std::vector<double> queued;
    std::vector<double> preparing;
    std::vector<double> starting;
    std::vector<double> accepting;
    std::vector<double> delivery;
    for (int round = 1; round <= m_settings.repeat; ++round) {
        // Alternating, so that a slow spell of a shared machine hits both sides.
        auto mine = measureOurs(engine, agent);
        if (!mine)
            return fail(mine.error());
        auto bare = measureAnchor(anchorCommand, anchorLog);
        if (!bare)
            return fail(bare.error());
        std::fprintf(stderr,
                     "hive-bench-containers: spawn-to-ready (%d/%d): ours %.1f ms (answered at %.1f ms; engine: "
                     "queued %.0f, prepare %.0f, start %.0f, accept %.0f, delivery %.0f ms), anchor %.1f ms\n",
                     round, m_settings.repeat, mine->readyMs, mine->answerMs, mine->queuedMs, mine->prepareMs,
                     mine->startMs, mine->acceptMs, mine->deliveryMs, *bare);
        ours.push_back(mine->readyMs);
        answers.push_back(mine->answerMs);
        queued.push_back(mine->queuedMs);
        preparing.push_back(mine->prepareMs);
        starting.push_back(mine->startMs);
        accepting.push_back(mine->acceptMs);
        delivery.push_back(mine->deliveryMs);
        anchor.push_back(*bare);
    }

    // Where the engine's part goes: prepare() alone, in this process, on the same stopped tree.
    std::vector<double> prepares;
    for (int round = 0; round < m_settings.repeat; ++round) {
        const qint64 before = monotonicNs();
        if (auto prepared = runtime.prepare(engine.specOf(*spawned)); !prepared)
            return fail(prepared.error().wrapped(QStringLiteral("prepare()")));
        prepares.push_back(msBetween(before, monotonicNs()));
    }
    printMedians("agent_start answered", answers);
    printMedians("queued (sent -> starting)", queued);
    printMedians("prepare (starting -> start() runs nspawn: dirs, socket, prepare())", preparing);
    printMedians("prepare() alone, in this process", prepares);
    printMedians("start (-> running: nspawn's setup, the harness's exec, /proc polling)", starting);
    printMedians("accept (running -> agent_connected)", accepting);
    printMedians("delivery (agent_connected -> received)", delivery);
    printBenchLine(QStringLiteral("spawn-to-ready"), median(ours), median(anchor), formatMs);
    return 0;
}

} // namespace hive::bench
