// SPDX-License-Identifier: MIT
#include "workloadrunner.h"

#include "childprocess.h"
#include "interrupt.h"
#include "monotonic.h"

#include <QDir>
#include <QFile>

#include <algorithm>
#include <cstring>

namespace hive::bench {

namespace {

constexpr int PollMs = 100;
// The engine registers its manager agent itself; on Redis it is one more stream.
const QString Driver = QStringLiteral("manager");
constexpr qint64 ExitGraceNs = 30 * NsPerSecond;

QString stderrOf(ChildProcess &worker)
{
    return QString::fromLocal8Bit(worker.process().readAllStandardError()).trimmed();
}

Result<void> readSamples(const QString &path, std::vector<Sample> &samples)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot read %1").arg(path));
    const QByteArray raw = file.readAll();
    const size_t count = static_cast<size_t>(raw.size()) / sizeof(Sample);
    const size_t old = samples.size();
    samples.resize(old + count);
    std::memcpy(samples.data() + old, raw.constData(), count * sizeof(Sample));
    return {};
}

} // namespace

QString workloadName(Workload workload)
{
    return workload == Workload::PingPong ? QStringLiteral("pingpong") : QStringLiteral("fanin");
}

std::optional<Workload> workloadFromName(const QString &name)
{
    if (name == QLatin1String("pingpong"))
        return Workload::PingPong;
    if (name == QLatin1String("fanin"))
        return Workload::FanIn;
    return std::nullopt;
}

WorkloadRunner::WorkloadRunner(QString program, RunSettings settings, Backend backend,
                               std::function<QString(const QString &)> socketFor)
    : m_program(std::move(program)), m_settings(settings), m_backend(backend), m_socketFor(std::move(socketFor))
{}

QStringList WorkloadRunner::agentNames(int count)
{
    QStringList names;
    for (int i = 0; i < count; ++i)
        names << QStringLiteral("a%1").arg(i);
    return names;
}

Result<QList<WorkloadRunner::Part>> WorkloadRunner::plan(Workload workload, int agents)
{
    const QStringList names = agentNames(agents);
    QList<Part> parts;
    if (workload == Workload::FanIn) {
        // Every agent reports to the manager, the fan-in point of a real swarm.
        parts.append(Part{Role::FanInReceiver, Driver, Driver, agents});
        for (const QString &name : names)
            parts.append(Part{Role::FanInSender, name, Driver});
        return parts;
    }
    if (agents == 1) {
        // The engine refuses a send to oneself, so a lone agent plays against the manager.
        parts.append(Part{Role::PingPongInitiator, names[0], Driver});
        parts.append(Part{Role::PingPongResponder, Driver, names[0]});
        return parts;
    }
    if (agents % 2 != 0)
        return fail(ErrorCode::InvalidParams, QStringLiteral("ping-pong pairs agents: use 1 or an even count"));
    for (int i = 0; i < agents; i += 2) {
        parts.append(Part{Role::PingPongInitiator, names[i], names[i + 1]});
        parts.append(Part{Role::PingPongResponder, names[i + 1], names[i]});
    }
    return parts;
}

QStringList WorkloadRunner::workerArguments(const Part &part, const QString &samplesPath) const
{
    QStringList arguments{QStringLiteral("--worker"),     roleName(part.role),
                          QStringLiteral("--backend"),    backendName(m_backend),
                          QStringLiteral("--socket"),     m_socketFor(part.agent),
                          QStringLiteral("--agent"),      part.agent,
                          QStringLiteral("--peer"),       part.peer,
                          QStringLiteral("--senders"),    QString::number(part.senders),
                          QStringLiteral("--samples"),    samplesPath,
                          QStringLiteral("--body-bytes"), QString::number(m_settings.bodyBytes),
                          QStringLiteral("--recv-max"),   QString::number(m_settings.recvMax),
                          QStringLiteral("--fanin-rate"), QString::number(m_settings.fanInRate)};
    return arguments;
}

Result<Measurement> WorkloadRunner::run(Workload workload, int agents, const QString &samplesDir) const
{
    auto parts = plan(workload, agents);
    if (!parts)
        return fail(parts.error());
    if (!QDir().mkpath(samplesDir))
        return fail(ErrorCode::Io, QStringLiteral("cannot create %1").arg(samplesDir));

    std::vector<std::unique_ptr<ChildProcess>> workers;
    QStringList samplesPaths;
    for (const Part &part : std::as_const(*parts)) {
        samplesPaths << samplesDir + QStringLiteral("/") + part.agent + QStringLiteral(".samples");
        auto &worker = workers.emplace_back(std::make_unique<ChildProcess>());
        if (auto started = worker->start(m_program, workerArguments(part, samplesPaths.last())); !started)
            return fail(started.error());
    }

    // Everyone connected before anyone sends: the window measures the brokers, not process start-up.
    const qint64 readyBy = monotonicNs() + m_settings.startTimeoutMs * NsPerMs;
    for (size_t i = 0; i < workers.size(); ++i) {
        QProcess &process = workers[i]->process();
        while (!process.canReadLine()) {
            if (Interrupt::requested())
                return fail(ErrorCode::Unavailable, QStringLiteral("interrupted"));
            if (!workers[i]->isRunning() || monotonicNs() > readyBy) {
                return fail(ErrorCode::Unavailable,
                            QStringLiteral("worker %1 did not get ready: %2")
                                .arg(parts->at(static_cast<qsizetype>(i)).agent, stderrOf(*workers[i])));
            }
            process.waitForReadyRead(PollMs);
        }
        if (process.readLine().trimmed() != "ready")
            return fail(ErrorCode::Internal, QStringLiteral("worker %1: unexpected start line").arg(i));
    }

    const qint64 windowStart = monotonicNs() + m_settings.warmupMs * NsPerMs;
    const qint64 deadline = windowStart + m_settings.durationMs * NsPerMs;
    const qint64 hardStop = deadline + m_settings.drainMs * NsPerMs;
    const QByteArray go =
        QByteArrayLiteral("go ") + QByteArray::number(deadline) + ' ' + QByteArray::number(hardStop) + '\n';
    // QProcess writes from its buffer only inside a waitFor...() of that same process (there is no
    // event loop here): push every start line out now, or a worker would start only once the one
    // before it in this list has finished.
    for (auto &worker : workers)
        worker->process().write(go);
    for (auto &worker : workers) {
        if (!worker->process().waitForBytesWritten(m_settings.startTimeoutMs))
            return fail(ErrorCode::Unavailable, QStringLiteral("a worker did not take its start line"));
        worker->process().closeWriteChannel();
    }

    // Round robin over the workers, so that the first one to fail is reported at once (its partner
    // would otherwise only time out, long after, with a less useful message).
    std::vector<bool> finished(workers.size(), false);
    for (size_t left = workers.size(); left > 0;) {
        if (Interrupt::requested())
            return fail(ErrorCode::Unavailable, QStringLiteral("interrupted"));
        for (size_t i = 0; i < workers.size(); ++i) {
            const QString &agent = parts->at(static_cast<qsizetype>(i)).agent;
            if (finished[i])
                continue;
            if (monotonicNs() > hardStop + ExitGraceNs)
                return fail(ErrorCode::Unavailable, QStringLiteral("worker %1 did not finish").arg(agent));
            QProcess &process = workers[i]->process();
            if (!process.waitForFinished(left == 1 ? PollMs : 1))
                continue;
            if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
                return fail(ErrorCode::Internal,
                            QStringLiteral("worker %1 failed: %2").arg(agent, stderrOf(*workers[i])));
            finished[i] = true;
            --left;
        }
    }

    std::vector<Sample> samples;
    for (const QString &path : std::as_const(samplesPaths)) {
        if (auto read = readSamples(path, samples); !read)
            return fail(read.error());
    }
    if (samples.empty())
        return fail(ErrorCode::Internal, QStringLiteral("no message arrived"));
    if (workload == Workload::PingPong)
        return Measurement::compute(samples, windowStart, deadline, deadline);
    // A flood is over when the receiver has drained it: the window ends with the last receipt.
    const auto last = std::max_element(samples.begin(), samples.end(),
                                       [](const Sample &a, const Sample &b) { return a.receivedNs < b.receivedNs; });
    return Measurement::compute(samples, windowStart, std::max(last->receivedNs, deadline), deadline);
}

} // namespace hive::bench
