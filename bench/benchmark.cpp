// SPDX-License-Identifier: MIT
#include "benchmark.h"

#include "engineserver.h"
#include "interrupt.h"
#include "redisserver.h"

#include <QCoreApplication>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

namespace hive::bench {

namespace {

constexpr int ServerStartTimeoutMs = 120'000;

QString formatRate(double perSecond)
{
    return QString::number(std::llround(perSecond)) + QStringLiteral("msg/s");
}

/// The median of one figure over the rounds; none when the side was not measured.
std::optional<double> median(const QList<Measurement> &rounds, double Measurement::*figure)
{
    std::vector<double> values;
    for (const Measurement &round : rounds)
        values.push_back(round.*figure);
    return bench::median(std::move(values));
}

void report(const QString &what, const Measurement &m)
{
    std::fprintf(stderr,
                 "hive-bench-broker: %s: %.0f msg/s, p50 %.3f ms, p99 %.3f ms (%lld messages, %lld latencies)\n",
                 qPrintable(what), m.perSecond, m.p50Ms, m.p99Ms, static_cast<long long>(m.messages),
                 static_cast<long long>(m.latencies));
}

/// Runs one side once; false (after saying why) when it failed.
bool measure(const QString &what, const char *side, const std::function<Result<Measurement>()> &how,
             QList<Measurement> &into)
{
    if (Interrupt::requested())
        return false;
    auto measured = how();
    if (!measured) {
        std::fprintf(stderr, "hive-bench-broker: %s %s failed: %s\n", qPrintable(what), side,
                     qPrintable(measured.error().message));
        return false;
    }
    report(what + QLatin1Char(' ') + QLatin1String(side), *measured);
    into.append(*measured);
    return true;
}

} // namespace

Result<Measurement> Benchmark::measureOurs(Workload workload, int agents, const QString &dir) const
{
    EngineServer engine(m_settings.engineProgram, m_settings.enginePrefix, dir + QStringLiteral("/engine"));
    if (auto started = engine.start(ServerStartTimeoutMs); !started)
        return fail(started.error());
    if (auto added = engine.addAgents(WorkloadRunner::agentNames(agents)); !added)
        return fail(added.error().wrapped(QStringLiteral("registering agents")));
    const WorkloadRunner runner(QCoreApplication::applicationFilePath(), m_settings.run, Backend::Hive,
                                [&engine](const QString &agent) { return engine.agentSocket(agent); });
    auto measured = runner.run(workload, agents, dir + QStringLiteral("/samples-ours"));
    engine.stop();
    if (!measured) {
        const QString log = engine.log();
        if (log.isEmpty() || Interrupt::requested())
            return measured;
        return fail(ErrorCode::Internal, QStringLiteral("%1\nengine log:\n%2").arg(measured.error().message, log));
    }
    return measured;
}

Result<Measurement> Benchmark::measureAnchor(Workload workload, int agents, const QString &dir) const
{
    RedisServer redis(m_settings.redisProgram, dir + QStringLiteral("/redis"));
    if (auto started = redis.start(ServerStartTimeoutMs); !started)
        return fail(started.error());
    const WorkloadRunner runner(QCoreApplication::applicationFilePath(), m_settings.run, Backend::Redis,
                                [&redis](const QString & /*agent*/) { return redis.socketPath(); });
    return runner.run(workload, agents, dir + QStringLiteral("/samples-anchor"));
}

int Benchmark::run()
{
    Interrupt::install();
    QTemporaryDir temporary(m_settings.workDir + QStringLiteral("/hive-bench-XXXXXX"));
    if (!temporary.isValid()) {
        std::fprintf(stderr, "hive-bench-broker: cannot create a temporary dir in %s: %s\n",
                     qPrintable(m_settings.workDir), qPrintable(temporary.errorString()));
        return 1;
    }
    temporary.setAutoRemove(!m_settings.keep);
    if (m_settings.keep)
        std::fprintf(stderr, "hive-bench-broker: keeping %s\n", qPrintable(temporary.path()));

    for (const Workload workload : std::as_const(m_settings.workloads)) {
        for (const int agents : std::as_const(m_settings.agents)) {
            const QString name = QStringLiteral("%1-n%2").arg(workloadName(workload)).arg(agents);
            QList<Measurement> ours;
            QList<Measurement> anchor;
            // Rounds alternate the two sides, so that a slow spell of a shared machine hits both.
            for (int round = 1; round <= m_settings.repeat; ++round) {
                const QString dir = temporary.path() + QStringLiteral("/%1-%2").arg(name).arg(round);
                const QString what = m_settings.repeat > 1
                                         ? QStringLiteral("%1 (%2/%3)").arg(name).arg(round).arg(m_settings.repeat)
                                         : name;
                if (m_settings.ours && !measure(
                                           what, "ours", [&] { return measureOurs(workload, agents, dir); }, ours))
                    return Interrupt::requested() ? 130 : 1;
                if (m_settings.anchor &&
                    !measure(
                        what, "anchor", [&] { return measureAnchor(workload, agents, dir); }, anchor)) {
                    return Interrupt::requested() ? 130 : 1;
                }
            }
            if (Interrupt::requested())
                return 130;
            printBenchLine(name + QStringLiteral("-throughput"), median(ours, &Measurement::perSecond),
                           median(anchor, &Measurement::perSecond), formatRate);
            printBenchLine(name + QStringLiteral("-p50"), median(ours, &Measurement::p50Ms),
                           median(anchor, &Measurement::p50Ms), formatMs);
            printBenchLine(name + QStringLiteral("-p99"), median(ours, &Measurement::p99Ms),
                           median(anchor, &Measurement::p99Ms), formatMs);
        }
    }
    return 0;
}

} // namespace hive::bench
