// SPDX-License-Identifier: MIT
#include "benchapplication.h"

#include "benchmark.h"
#include "worker.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>

#include <cstdio>

namespace hive::bench {

namespace {

constexpr int ExitUsage = 2;

struct Options {
    QCommandLineOption agents{QStringLiteral("agents"), QStringLiteral("Agent counts to run (default 1,16,64)."),
                              QStringLiteral("LIST"), QStringLiteral("1,16,64")};
    QCommandLineOption workloads{QStringLiteral("workloads"),
                                 QStringLiteral("Workloads to run: pingpong, fanin (default both)."),
                                 QStringLiteral("LIST"), QStringLiteral("pingpong,fanin")};
    QCommandLineOption duration{QStringLiteral("duration"),
                                QStringLiteral("Measured seconds per workload and broker (default 5)."),
                                QStringLiteral("SECONDS"), QStringLiteral("5")};
    QCommandLineOption warmup{QStringLiteral("warmup"), QStringLiteral("Unmeasured seconds before that (default 1)."),
                              QStringLiteral("SECONDS"), QStringLiteral("1")};
    QCommandLineOption drain{QStringLiteral("drain"),
                             QStringLiteral("Seconds a receiver may take to drain its queue after the window "
                                            "(default 60)."),
                             QStringLiteral("SECONDS"), QStringLiteral("60")};
    QCommandLineOption bodyBytes{QStringLiteral("body-bytes"), QStringLiteral("Message body size (default 100)."),
                                 QStringLiteral("BYTES"), QStringLiteral("100")};
    QCommandLineOption recvMax{QStringLiteral("recv-max"), QStringLiteral("recv's max, XREAD's COUNT (default 32)."),
                               QStringLiteral("N"), QStringLiteral("32")};
    QCommandLineOption fanInRate{
        QStringLiteral("fanin-rate"),
        QStringLiteral("Mean messages per second per fan-in sender, as a Poisson process; 0 floods "
                       "(default 0)."),
        QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption only{QStringLiteral("only"), QStringLiteral("Measure one side only: ours or anchor."),
                            QStringLiteral("SIDE")};
    QCommandLineOption engine{QStringLiteral("engine"),
                              QStringLiteral("The hive-engine to run (default: the one beside this program)."),
                              QStringLiteral("PATH")};
    QCommandLineOption enginePrefix{QStringLiteral("engine-prefix"),
                                    QStringLiteral("Run the engine under this command, split at spaces (e.g. "
                                                   "\"valgrind --tool=callgrind\")."),
                                    QStringLiteral("COMMAND")};
    QCommandLineOption redis{QStringLiteral("redis-server"),
                             QStringLiteral("The redis-server to run (default: redis-server from PATH)."),
                             QStringLiteral("PATH"), QStringLiteral("redis-server")};
    QCommandLineOption workDir{QStringLiteral("work-dir"),
                               QStringLiteral("Where the temporary state dirs go (default: %1).").arg(QDir::tempPath()),
                               QStringLiteral("DIR"), QDir::tempPath()};
    QCommandLineOption repeat{QStringLiteral("repeat"),
                              QStringLiteral("Rounds per workload and side; each figure is the median (default 1)."),
                              QStringLiteral("N"), QStringLiteral("1")};
    QCommandLineOption keep{QStringLiteral("keep"), QStringLiteral("Keep the temporary dir (logs, databases, AOF).")};

    // A worker process's own options, set by WorkloadRunner.
    QCommandLineOption worker{QStringLiteral("worker"), QStringLiteral("Run as a worker."), QStringLiteral("ROLE")};
    QCommandLineOption backend{QStringLiteral("backend"), QStringLiteral("hive or redis."), QStringLiteral("NAME")};
    QCommandLineOption socket{QStringLiteral("socket"), QStringLiteral("Socket to connect to."),
                              QStringLiteral("PATH")};
    QCommandLineOption agent{QStringLiteral("agent"), QStringLiteral("Own agent name."), QStringLiteral("NAME")};
    QCommandLineOption peer{QStringLiteral("peer"), QStringLiteral("Agent to send to."), QStringLiteral("NAME")};
    QCommandLineOption senders{QStringLiteral("senders"), QStringLiteral("End markers to wait for."),
                               QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption samples{QStringLiteral("samples"), QStringLiteral("Samples file."), QStringLiteral("PATH")};

    Options()
    {
        for (QCommandLineOption *hidden : {&worker, &backend, &socket, &agent, &peer, &senders, &samples})
            hidden->setFlags(QCommandLineOption::HiddenFromHelp);
    }
};

void printError(const QString &message)
{
    std::fprintf(stderr, "hive-bench-broker: %s\n", qPrintable(message));
}

/// A number option; false (after printing why) when it is not one or is below `minimum`.
bool readNumber(const QCommandLineParser &parser, const QCommandLineOption &option, double minimum, double &into)
{
    bool ok = false;
    const double value = parser.value(option).toDouble(&ok);
    if (!ok || value < minimum) {
        printError(QStringLiteral("--%1 must be a number of at least %2, got '%3'")
                       .arg(option.names().constFirst())
                       .arg(minimum)
                       .arg(parser.value(option)));
        return false;
    }
    into = value;
    return true;
}

int runWorker(const QCommandLineParser &parser, const Options &options)
{
    WorkerOptions worker;
    const auto role = roleFromName(parser.value(options.worker));
    const auto backend = backendFromName(parser.value(options.backend));
    if (!role || !backend) {
        printError(QStringLiteral("--worker needs a known role and --backend hive|redis"));
        return ExitUsage;
    }
    worker.role = *role;
    worker.backend = *backend;
    worker.socketPath = parser.value(options.socket);
    worker.agent = parser.value(options.agent).toLatin1();
    worker.peer = parser.value(options.peer).toLatin1();
    worker.senders = parser.value(options.senders).toInt();
    worker.samplesPath = parser.value(options.samples);
    worker.bodyBytes = parser.value(options.bodyBytes).toInt();
    worker.recvMax = parser.value(options.recvMax).toInt();
    worker.rate = parser.value(options.fanInRate).toDouble();
    return Worker(std::move(worker)).run();
}

int runBenchmark(const QCommandLineParser &parser, const Options &options)
{
    BenchSettings settings;
    settings.agents.clear();
    for (const QString &count : parser.value(options.agents).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int agents = count.toInt(&ok);
        if (!ok || agents < 1 || agents > 1000 || (agents > 1 && agents % 2 != 0)) {
            printError(QStringLiteral("--agents takes 1 or even counts up to 1000, got '%1'").arg(count));
            return ExitUsage;
        }
        settings.agents << agents;
    }
    settings.workloads.clear();
    for (const QString &name : parser.value(options.workloads).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const auto workload = workloadFromName(name);
        if (!workload) {
            printError(QStringLiteral("unknown workload '%1': pingpong or fanin").arg(name));
            return ExitUsage;
        }
        settings.workloads << *workload;
    }
    double duration = 0;
    double warmup = 0;
    double drain = 0;
    double bodyBytes = 0;
    double recvMax = 0;
    double repeat = 0;
    if (!readNumber(parser, options.duration, 0.1, duration) || !readNumber(parser, options.warmup, 0, warmup) ||
        !readNumber(parser, options.drain, 1, drain) || !readNumber(parser, options.bodyBytes, 32, bodyBytes) ||
        !readNumber(parser, options.recvMax, 1, recvMax) || !readNumber(parser, options.repeat, 1, repeat) ||
        !readNumber(parser, options.fanInRate, 0, settings.run.fanInRate)) {
        return ExitUsage;
    }
    if (recvMax > 32 || bodyBytes > 65536) {
        printError(QStringLiteral("--recv-max is at most 32 and --body-bytes at most 65536 (the engine's limits)"));
        return ExitUsage;
    }
    settings.run.durationMs = std::llround(duration * 1000);
    settings.run.warmupMs = std::llround(warmup * 1000);
    settings.run.drainMs = std::llround(drain * 1000);
    settings.run.bodyBytes = static_cast<int>(bodyBytes);
    settings.run.recvMax = static_cast<int>(recvMax);
    settings.repeat = static_cast<int>(repeat);
    if (parser.isSet(options.only)) {
        const QString side = parser.value(options.only);
        if (side != QLatin1String("ours") && side != QLatin1String("anchor")) {
            printError(QStringLiteral("--only takes ours or anchor, got '%1'").arg(side));
            return ExitUsage;
        }
        settings.ours = side == QLatin1String("ours");
        settings.anchor = !settings.ours;
    }
    settings.engineProgram = parser.isSet(options.engine)
                                 ? parser.value(options.engine)
                                 : QCoreApplication::applicationDirPath() + QStringLiteral("/hive-engine");
    settings.enginePrefix = parser.value(options.enginePrefix).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    settings.redisProgram = parser.value(options.redis);
    settings.workDir = parser.value(options.workDir);
    settings.keep = parser.isSet(options.keep);
    return Benchmark(std::move(settings)).run();
}

} // namespace

int BenchApplication::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures hive-engine's broker against Redis Streams: ping-pong and fan-in with 1, 16 and 64 "
                       "agents, each agent a separate client process. Prints one line per figure:\n"
                       "  bench: <workload>-n<agents>-<figure> ours=<value> anchor=<value> ratio=<ours/anchor>\n"
                       "Exit codes: 0 success, 1 a measurement failed, 2 bad command line, 130 interrupted."));
    const QCommandLineOption help = parser.addHelpOption();
    const Options options;
    parser.addOptions({options.agents,       options.workloads, options.duration,  options.warmup, options.drain,
                       options.bodyBytes,    options.recvMax,   options.fanInRate, options.only,   options.engine,
                       options.enginePrefix, options.redis,     options.workDir,   options.repeat, options.keep,
                       options.worker,       options.backend,   options.socket,    options.agent,  options.peer,
                       options.senders,      options.samples});
    if (!parser.parse(arguments)) {
        printError(parser.errorText() + QStringLiteral(" (see --help)"));
        return ExitUsage;
    }
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("unexpected argument '%1' (see --help)").arg(parser.positionalArguments().first()));
        return ExitUsage;
    }
    return parser.isSet(options.worker) ? runWorker(parser, options) : runBenchmark(parser, options);
}

} // namespace hive::bench
