// SPDX-License-Identifier: MIT
// hive-bench-harness: what the agent harness costs. One entry per workload in Workloads; each gets the common
// settings and its own dir, and prints "bench: NAME ours=... anchor=... ratio=..." lines. scripts/bench harness
// builds and runs it.
#include "interrupt.h"
#include "mcpbench.h"
#include "turnbench.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

#include <cstdio>

namespace {

using hive::bench::HarnessBenchSettings;

struct Workload {
    const char *name;
    const char *summary;
    int (*run)(const HarnessBenchSettings &settings); ///< the exit code: 0, 1 failed, 130 interrupted
};

// A new workload is a class of its own (as McpBench) and one line here.
const Workload Workloads[] = {
    {"mcp-roundtrip",
     "tools/call of send and recv (peek) through hive-harness mcp over stdio, against the same engine calls on "
     "the agent socket",
     [](const HarnessBenchSettings &settings) {
         return hive::bench::McpBench(settings).run();
     }},
    {"turn-overhead",
     "a one-reply turn through hive-harness serve (message_send until the turn's ended event), against the same "
     "agent CLI command run bare",
     [](const HarnessBenchSettings &settings) {
         return hive::bench::TurnBench(settings).run();
     }},
};

int fail(const QString &message, int code)
{
    std::fprintf(stderr, "hive-bench-harness: %s\n", qPrintable(message));
    return code;
}

int positive(const QCommandLineParser &parser, const QCommandLineOption &option, bool &ok)
{
    const int value = parser.value(option).toInt(&ok);
    ok = ok && value > 0;
    return value;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hive-bench-harness"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HIVE_VERSION));
    QStringList names;
    QString help = QStringLiteral("Measures the agent harness (hive-harness) on a real hive-engine against the same "
                                  "work done without it. Workloads:");
    for (const Workload &workload : Workloads) {
        names << QLatin1String(workload.name);
        help += QStringLiteral("\n  %1: %2").arg(QLatin1String(workload.name), QLatin1String(workload.summary));
    }
    const QString bin = QCoreApplication::applicationDirPath();
    QCommandLineParser parser;
    parser.setApplicationDescription(
        help + QStringLiteral("\nExit codes: 0 success, 1 a measurement failed, 2 bad command line, 130 interrupted."));
    parser.addHelpOption();
    const QCommandLineOption only(QStringLiteral("only"), QStringLiteral("Run this workload only."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption count(QStringLiteral("count"),
                                   QStringLiteral("mcp-roundtrip: timed calls of each tool and side (default 2000)."),
                                   QStringLiteral("N"), QStringLiteral("2000"));
    const QCommandLineOption turns(QStringLiteral("turns"),
                                   QStringLiteral("turn-overhead: timed turns of each side, alternating (default 10)."),
                                   QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption engine(QStringLiteral("engine"), QStringLiteral("The hive-engine (default: beside this)."),
                                    QStringLiteral("PATH"), bin + QStringLiteral("/hive-engine"));
    const QCommandLineOption harness(QStringLiteral("harness"),
                                     QStringLiteral("The hive-harness (default: beside this)."), QStringLiteral("PATH"),
                                     bin + QStringLiteral("/hive-harness"));
    const QCommandLineOption cli(QStringLiteral("cli"),
                                 QStringLiteral("The agent CLI (default: /usr/local/lib/hyperhive/agent-cli/claude)."),
                                 QStringLiteral("PATH"), QStringLiteral("/usr/local/lib/hyperhive/agent-cli/claude"));
    const QCommandLineOption workDir(
        QStringLiteral("work-dir"), QStringLiteral("Where the temporary dir goes (default: %1).").arg(QDir::tempPath()),
        QStringLiteral("DIR"), QDir::tempPath());
    const QCommandLineOption keep(QStringLiteral("keep"),
                                  QStringLiteral("Keep the temporary dir (logs, state dirs, the CLI's sessions)."));
    parser.addOptions({only, count, turns, engine, harness, cli, workDir, keep});
    parser.process(app);

    HarnessBenchSettings settings;
    bool ok = false;
    settings.count = positive(parser, count, ok);
    if (!ok)
        return fail(QStringLiteral("--count must be a positive number, got '%1'").arg(parser.value(count)), 2);
    settings.turns = positive(parser, turns, ok);
    if (!ok)
        return fail(QStringLiteral("--turns must be a positive number, got '%1'").arg(parser.value(turns)), 2);
    if (parser.isSet(only) && !names.contains(parser.value(only))) {
        return fail(QStringLiteral("unknown workload '%1' for --only: %2")
                        .arg(parser.value(only), names.join(QStringLiteral(", "))),
                    2);
    }
    settings.engineProgram = parser.value(engine);
    settings.harnessProgram = parser.value(harness);
    settings.cliProgram = parser.value(cli);

    hive::bench::Interrupt::install();
    QTemporaryDir temporary(parser.value(workDir) + QStringLiteral("/hive-bench-harness-XXXXXX"));
    if (!temporary.isValid())
        return fail(QStringLiteral("cannot create a temporary dir: %1").arg(temporary.errorString()), 1);
    temporary.setAutoRemove(!parser.isSet(keep));
    if (parser.isSet(keep))
        std::fprintf(stderr, "hive-bench-harness: keeping %s\n", qPrintable(temporary.path()));
    for (const Workload &workload : Workloads) {
        if (parser.isSet(only) && parser.value(only) != QLatin1String(workload.name))
            continue;
        settings.dir = temporary.filePath(QLatin1String(workload.name));
        if (!QDir().mkpath(settings.dir))
            return fail(QStringLiteral("cannot create %1").arg(settings.dir), 1);
        if (const int code = workload.run(settings); code != 0)
            return code;
    }
    return 0;
}
