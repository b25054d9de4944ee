// SPDX-License-Identifier: MIT
// hive-bench-containers: agents' containers under hive-engine against bare systemd-nspawn. One entry per workload in
// Workloads; each gets the common settings and its own dir, and prints "bench: NAME ours=... anchor=... ratio=..."
// lines. scripts/bench containers builds and runs it (as root).
#include "interrupt.h"
#include "spawnbench.h"
#include "terminalbench.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

#include <unistd.h>

#include <cstdio>

namespace {

using hive::bench::ContainerBenchSettings;

struct Workload {
    const char *name;
    const char *summary;
    int (*run)(const ContainerBenchSettings &settings); ///< the exit code: 0, 1 failed, 130 interrupted
};

// A new workload is a class of its own (as SpawnBench) and one line here.
const Workload Workloads[] = {
    {"spawn-to-ready", "agent_start until the harness is connected, against a bare systemd-nspawn /bin/true",
     [](const ContainerBenchSettings &settings) {
         return hive::bench::SpawnBench(settings).run();
     }},
    {"terminal-relay",
     "cat of a large file in a container through terminal_open over wss, against ssh -tt to sshd on "
     "loopback",
     [](const ContainerBenchSettings &settings) {
         return hive::bench::TerminalBench(settings).run();
     }},
};

int fail(const QString &message, int code)
{
    std::fprintf(stderr, "hive-bench-containers: %s\n", qPrintable(message));
    return code;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hive-bench-containers"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HIVE_VERSION));
    QStringList names;
    QString help = QStringLiteral("Measures agents' containers under hive-engine (the nspawn backend) against bare "
                                  "systemd-nspawn. Needs root. Workloads:");
    for (const Workload &workload : Workloads) {
        names << QLatin1String(workload.name);
        help += QStringLiteral("\n  %1: %2").arg(QLatin1String(workload.name), QLatin1String(workload.summary));
    }
    const QString bin = QCoreApplication::applicationDirPath();
    QCommandLineParser parser;
    parser.setApplicationDescription(help + QStringLiteral("\nExit codes: 0 success, 1 a measurement failed or not "
                                                           "root, 2 bad command line, 130 interrupted."));
    parser.addHelpOption();
    const QCommandLineOption only(QStringLiteral("only"), QStringLiteral("Run this workload only."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption repeat(QStringLiteral("repeat"),
                                    QStringLiteral("Rounds per workload, alternating ours and the anchor; each figure "
                                                   "is the median (default 10)."),
                                    QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption engine(QStringLiteral("engine"), QStringLiteral("The hive-engine (default: beside this)."),
                                    QStringLiteral("PATH"), bin + QStringLiteral("/hive-engine"));
    const QCommandLineOption harness(QStringLiteral("harness"),
                                     QStringLiteral("The hive-harness (default: beside this)."), QStringLiteral("PATH"),
                                     bin + QStringLiteral("/hive-harness"));
    const QCommandLineOption workDir(
        QStringLiteral("work-dir"), QStringLiteral("Where the temporary dir goes (default: %1).").arg(QDir::tempPath()),
        QStringLiteral("DIR"), QDir::tempPath());
    const QCommandLineOption keep(QStringLiteral("keep"), QStringLiteral("Keep the temporary dir (logs, state)."));
    parser.addOptions({only, repeat, engine, harness, workDir, keep});
    parser.process(app);

    bool ok = false;
    const int rounds = parser.value(repeat).toInt(&ok);
    if (!ok || rounds < 1)
        return fail(QStringLiteral("--repeat must be a positive number, got '%1'").arg(parser.value(repeat)), 2);
    if (parser.isSet(only) && !names.contains(parser.value(only))) {
        return fail(QStringLiteral("unknown workload '%1' for --only: %2")
                        .arg(parser.value(only), names.join(QStringLiteral(", "))),
                    2);
    }
    if (::geteuid() != 0)
        return fail(QStringLiteral("needs root: the engine's nspawn backend runs the containers (run it as root)"), 1);

    hive::bench::Interrupt::install();
    QTemporaryDir temporary(parser.value(workDir) + QStringLiteral("/hive-bench-containers-XXXXXX"));
    if (!temporary.isValid())
        return fail(QStringLiteral("cannot create a temporary dir: %1").arg(temporary.errorString()), 1);
    temporary.setAutoRemove(!parser.isSet(keep));
    if (parser.isSet(keep))
        std::fprintf(stderr, "hive-bench-containers: keeping %s\n", qPrintable(temporary.path()));
    for (const Workload &workload : Workloads) {
        if (parser.isSet(only) && parser.value(only) != QLatin1String(workload.name))
            continue;
        const ContainerBenchSettings settings{parser.value(engine), parser.value(harness),
                                              temporary.filePath(QLatin1String(workload.name)), rounds};
        if (const int code = workload.run(settings); code != 0)
            return code;
    }
    return 0;
}
