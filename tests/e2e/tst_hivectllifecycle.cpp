// SPDX-License-Identifier: MIT
// hivectl's container lifecycle commands (agent spawn to agent purge) against real hive-engine
// processes: usage errors, an engine with containers off, and, as root with systemd-nspawn, real
// containers from spawn to purge.
#include "engineprocess.h"
#include "hivectlrun.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

namespace {

using hive::test::parseObject;
using Run = hive::test::HivectlRun;

constexpr int HivectlTimeoutMs = 60 * 1000;

/// hivectl with stdin on a pseudo-terminal, as a person at a terminal runs it, and `typed` as
/// what they type.
Run runAtTerminal(const QStringList &arguments, const QByteArray &typed)
{
    Run run;
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
        run.err = QStringLiteral("no pseudo-terminal");
        return run;
    }
    // Held open here as well, so that what is typed waits in the terminal until hivectl reads it.
    const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) {
        ::close(master);
        run.err = QStringLiteral("cannot open the pseudo-terminal's other end");
        return run;
    }
    QProcess process;
    process.setChildProcessModifier([slave] { ::dup2(slave, STDIN_FILENO); });
    process.start(hive::test::binaryPath(QStringLiteral("hivectl")), arguments);
    if (process.waitForStarted() && ::write(master, typed.constData(), typed.size()) != typed.size())
        run.err = QStringLiteral("cannot type into the pseudo-terminal");
    run.finished = process.waitForFinished(HivectlTimeoutMs);
    if (!run.finished) {
        process.kill();
        process.waitForFinished(5000);
    }
    ::close(slave);
    ::close(master);
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err += QString::fromUtf8(process.readAllStandardError());
    return run;
}

/// The processes of the containers with root trees under `stateDir`, orphans included:
/// systemd-nspawn by its --directory, and everything inside by its root mount. Other tests may run
/// containers at the same time, in the same uid range even (each engine hands out ranges from the
/// same first one), so neither uids nor program names tell ours apart.
QList<qint64> containerProcesses(const QString &stateDir)
{
    const QByteArray rootTrees = QFile::encodeName(stateDir + QStringLiteral("/agents/"));
    // A mount's source is shown relative to its file system, which may begin anywhere above the
    // state dir: the temporary dir's unique name and what follows it identify the trees anyway.
    const QFileInfo state(stateDir);
    const QByteArray mountedTrees =
        QFile::encodeName(state.dir().dirName() + QLatin1Char('/') + state.fileName() + QStringLiteral("/agents/"));
    QList<qint64> found;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        if (!numeric || pid == ::getpid())
            continue;
        const QString proc = QStringLiteral("/proc/") + entry;
        const QByteArray status = hive::test::readFile(proc + QStringLiteral("/status"));
        if (status.isEmpty() || status.contains("(zombie)"))
            continue;
        QByteArray commandLine = hive::test::readFile(proc + QStringLiteral("/cmdline"));
        commandLine.replace('\0', ' ');
        bool ours = commandLine.contains("--directory=" + rootTrees);
        const QList<QByteArray> mounts = hive::test::readFile(proc + QStringLiteral("/mountinfo")).split('\n');
        for (const QByteArray &mount : mounts) {
            const QList<QByteArray> fields = mount.split(' ');
            if (!ours && fields.size() > 4 && fields.at(4) == "/")
                ours = fields.at(3).contains(mountedTrees);
        }
        if (ours)
            found.append(pid);
    }
    return found;
}

} // namespace

class TestHivectlLifecycle : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void usageErrors_data();
    void usageErrors();
    void spawnWithContainersOffKeepsNothing();
    void engineErrorsExitOne();
    void purgeAsksForTheNameAtATerminal();
    void containerFromSpawnToPurge();

private:
    [[nodiscard]] static Run hivectl(const QString &stateDir, const QStringList &arguments)
    {
        return hive::test::runHivectl(QStringList{QStringLiteral("--state-dir"), stateDir} + arguments, {},
                                      HivectlTimeoutMs);
    }
    [[nodiscard]] Run local(const QStringList &arguments) const { return hivectl(m_stateDir, arguments); }
    /// agent list --json of the engine on `stateDir`, by name; empty (and a warning) on failure.
    [[nodiscard]] static QHash<QString, QJsonObject> agents(const QString &stateDir);
    void purgeLeftovers();

    QTemporaryDir m_dir;
    QString m_stateDir; ///< the engine with containers off (the tests' default)
    std::unique_ptr<hive::test::EngineProcess> m_engine;
    QString m_nspawnStateDir;
    std::unique_ptr<hive::test::EngineProcess> m_nspawnEngine;
};

QHash<QString, QJsonObject> TestHivectlLifecycle::agents(const QString &stateDir)
{
    const Run listed = hivectl(stateDir, {QStringLiteral("--json"), QStringLiteral("agent"), QStringLiteral("list")});
    QString error;
    const QJsonObject result = parseObject(listed.out, &error);
    if (listed.exitCode != 0 || !error.isEmpty()) {
        qWarning("agent list failed: %s", qPrintable(listed.describe()));
        return {};
    }
    QHash<QString, QJsonObject> byName;
    for (const QJsonValue agent : result.value(QStringLiteral("agents")).toArray())
        byName.insert(agent.toObject().value(QStringLiteral("name")).toString(), agent.toObject());
    return byName;
}

void TestHivectlLifecycle::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_stateDir = m_dir.filePath(QStringLiteral("off"));
    m_engine = std::make_unique<hive::test::EngineProcess>(m_stateDir, m_dir.filePath(QStringLiteral("off.log")));
    auto started = m_engine->start({QStringLiteral("--listen"), QStringLiteral("off")});
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
}

void TestHivectlLifecycle::cleanupTestCase()
{
    purgeLeftovers();
}

void TestHivectlLifecycle::purgeLeftovers()
{
    // Containers run detached from the engine: whatever a failed case left behind is purged
    // through the engine, and what still runs after that is killed by its pid.
    if (m_nspawnEngine && m_nspawnEngine->process().state() == QProcess::Running) {
        const QHash<QString, QJsonObject> left = agents(m_nspawnStateDir);
        for (auto it = left.cbegin(); it != left.cend(); ++it) {
            if (it.key() == QLatin1String("manager"))
                continue;
            const Run purged = hivectl(m_nspawnStateDir, {QStringLiteral("agent"), QStringLiteral("purge"), it.key(),
                                                          QStringLiteral("--yes")});
            if (purged.exitCode != 0)
                qWarning("cannot purge %s: %s", qPrintable(it.key()), qPrintable(purged.describe()));
        }
        (void)m_nspawnEngine->stop(SIGTERM);
    }
    if (m_nspawnStateDir.isEmpty())
        return;
    for (const qint64 pid : containerProcesses(m_nspawnStateDir)) {
        qWarning("process %lld of a container survived its purge; killing it", pid);
        ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
}

void TestHivectlLifecycle::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    const QString agent = QStringLiteral("agent");
    QTest::newRow("spawn without NAME")
        << QStringList{agent, QStringLiteral("spawn")}
        << QStringLiteral("missing argument: hivectl agent spawn NAME [--network host|none] [--memory-max SIZE] "
                          "[--cpu-quota PCT]");
    QTest::newRow("kill without NAME") << QStringList{agent, QStringLiteral("kill")}
                                       << QStringLiteral("missing argument: hivectl agent kill NAME");
    QTest::newRow("purge without NAME") << QStringList{agent, QStringLiteral("purge"), QStringLiteral("--yes")}
                                        << QStringLiteral("missing argument: hivectl agent purge NAME [--yes]");
    QTest::newRow("two names") << QStringList{agent, QStringLiteral("restart"), QStringLiteral("w1"),
                                              QStringLiteral("w2")}
                               << QStringLiteral("unexpected argument 'w2': hivectl agent restart NAME");
    QTest::newRow("unknown option") << QStringList{agent, QStringLiteral("start"), QStringLiteral("w1"),
                                                   QStringLiteral("--force")}
                                    << QStringLiteral("unknown option '--force' for 'agent'");
    QTest::newRow("spawn option elsewhere")
        << QStringList{agent, QStringLiteral("update"), QStringLiteral("w1"), QStringLiteral("--network=none")}
        << QStringLiteral("option --network is only for 'agent spawn'");
    QTest::newRow("--yes elsewhere") << QStringList{agent, QStringLiteral("destroy"), QStringLiteral("w1"),
                                                    QStringLiteral("--yes")}
                                     << QStringLiteral("option --yes is only for 'agent purge'");
    QTest::newRow("bad --network") << QStringList{agent, QStringLiteral("spawn"), QStringLiteral("w1"),
                                                  QStringLiteral("--network"), QStringLiteral("wifi")}
                                   << QStringLiteral("option --network: expected host or none, got 'wifi'");
    QTest::newRow("--network without value")
        << QStringList{agent, QStringLiteral("spawn"), QStringLiteral("w1"), QStringLiteral("--network")}
        << QStringLiteral("option --network needs a value");
    QTest::newRow("purge without --yes, no terminal")
        << QStringList{agent, QStringLiteral("purge"), QStringLiteral("w1")}
        << QStringLiteral("agent purge deletes 'w1' for good and stdin is not a terminal to confirm it: pass --yes");
    QTest::newRow("unknown agent command")
        << QStringList{agent, QStringLiteral("stop"), QStringLiteral("w1")}
        << QStringLiteral("unknown command 'agent stop'; there are add, list, set-recipients, spawn, start, kill, "
                          "restart, update, destroy, revive, purge and shell");
    QTest::newRow("shell without NAME") << QStringList{agent, QStringLiteral("shell")}
                                        << QStringLiteral("missing argument: hivectl agent shell NAME");
    QTest::newRow("shell with an option")
        << QStringList{agent, QStringLiteral("shell"), QStringLiteral("w1"), QStringLiteral("--yes")}
        << QStringLiteral("option --yes is only for 'agent purge'");
}

void TestHivectlLifecycle::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    // No engine runs on this state dir: a usage error must come before any connection.
    const Run run = hivectl(m_dir.filePath(QStringLiteral("nowhere")), arguments);
    QVERIFY2(run.exitCode == 2, qPrintable(run.describe()));
    QCOMPARE(run.err, QStringLiteral("hivectl: %1 (see hivectl --help)\n").arg(message));
    QCOMPARE(run.out, QString());
}

void TestHivectlLifecycle::spawnWithContainersOffKeepsNothing()
{
    const QString refusal =
        QStringLiteral("hivectl: cannot spawn 'x': containers are off in this engine's configuration "
                       "(containers.backend = \"none\")\n");
    const Run spawned = local({QStringLiteral("agent"), QStringLiteral("spawn"), QStringLiteral("x")});
    QVERIFY2(spawned.exitCode == 1, qPrintable(spawned.describe()));
    QCOMPARE(spawned.err, refusal);
    QCOMPARE(spawned.out, QString());
    // --json changes what a success prints, not how a refusal is reported.
    const Run json = local({QStringLiteral("--json"), QStringLiteral("agent"), QStringLiteral("spawn"),
                            QStringLiteral("x"), QStringLiteral("--network"), QStringLiteral("none")});
    QVERIFY2(json.exitCode == 1 && json.err == refusal && json.out.isEmpty(), qPrintable(json.describe()));

    const QHash<QString, QJsonObject> listed = agents(m_stateDir);
    QVERIFY2(listed.contains(QStringLiteral("manager")), "agent list failed");
    QVERIFY(!listed.contains(QStringLiteral("x")));
    QVERIFY(!QFile::exists(m_stateDir + QStringLiteral("/agents/x")));
    QVERIFY(!QFile::exists(m_stateDir + QStringLiteral("/run/agents/x")));
}

void TestHivectlLifecycle::engineErrorsExitOne()
{
    struct Case {
        QStringList arguments;
        QString message;
    };
    QVERIFY(local({QStringLiteral("agent"), QStringLiteral("add"), QStringLiteral("ext")}).exitCode == 0);
    const QList<Case> cases{
        // The engine checks the container's settings, before it looks for a container runtime.
        {{QStringLiteral("agent"), QStringLiteral("spawn"), QStringLiteral("x"), QStringLiteral("--memory-max"),
          QStringLiteral("4GB")},
         QStringLiteral("invalid field 'memory_max': '4GB' is not a size like 512M or 4G, or 'infinity'")},
        {{QStringLiteral("agent"), QStringLiteral("spawn"), QStringLiteral("x"), QStringLiteral("--cpu-quota"),
          QStringLiteral("0%")},
         QStringLiteral("invalid field 'cpu_quota': '0%' is not a percentage from 1% to 10000% (100% = one core)")},
        {{QStringLiteral("agent"), QStringLiteral("kill"), QStringLiteral("carol")},
         QStringLiteral("no agent named 'carol'")},
        {{QStringLiteral("agent"), QStringLiteral("purge"), QStringLiteral("carol"), QStringLiteral("--yes")},
         QStringLiteral("no agent named 'carol'")},
        {{QStringLiteral("agent"), QStringLiteral("purge"), QStringLiteral("manager"), QStringLiteral("--yes")},
         QStringLiteral("the manager cannot be purged")},
        {{QStringLiteral("agent"), QStringLiteral("start"), QStringLiteral("ext")},
         QStringLiteral("agent 'ext' was registered without a container (agent_add): it has no container to run; "
                        "purge it and spawn it instead")},
    };
    for (const Case &c : cases) {
        const Run run = local(c.arguments);
        const QString what = c.arguments.join(QLatin1Char(' ')) + QStringLiteral(": ") + run.describe();
        QVERIFY2(run.exitCode == 1, qPrintable(what));
        QVERIFY2(run.err == QStringLiteral("hivectl: %1\n").arg(c.message), qPrintable(what));
        QVERIFY2(run.out.isEmpty(), qPrintable(what));
    }
}

void TestHivectlLifecycle::purgeAsksForTheNameAtATerminal()
{
    QVERIFY(local({QStringLiteral("agent"), QStringLiteral("add"), QStringLiteral("tmp")}).exitCode == 0);
    const QStringList purge{QStringLiteral("--state-dir"), m_stateDir, QStringLiteral("agent"), QStringLiteral("purge"),
                            QStringLiteral("tmp")};

    const Run wrong = runAtTerminal(purge, "temp\n");
    QVERIFY2(wrong.exitCode == 2, qPrintable(wrong.describe()));
    QVERIFY2(wrong.err.contains(QStringLiteral("Type its name to confirm: ")), qPrintable(wrong.err));
    QVERIFY2(wrong.err.endsWith(QStringLiteral("hivectl: 'tmp' was not purged: its name was not typed\n")),
             qPrintable(wrong.err));
    QCOMPARE(wrong.out, QString());
    QVERIFY(agents(m_stateDir).contains(QStringLiteral("tmp")));

    const Run typed = runAtTerminal(purge, "tmp\n");
    QVERIFY2(typed.exitCode == 0, qPrintable(typed.describe()));
    QCOMPARE(typed.out, QStringLiteral("purged tmp\n"));
    QVERIFY(!agents(m_stateDir).contains(QStringLiteral("tmp")));

    // --yes asks nothing, at a terminal or not; --json prints the engine's result.
    QVERIFY(local({QStringLiteral("agent"), QStringLiteral("add"), QStringLiteral("tmp")}).exitCode == 0);
    const Run yes = local({QStringLiteral("--json"), QStringLiteral("agent"), QStringLiteral("purge"),
                           QStringLiteral("tmp"), QStringLiteral("--yes")});
    QVERIFY2(yes.exitCode == 0, qPrintable(yes.describe()));
    QString error;
    QCOMPARE(parseObject(yes.out, &error), (QJsonObject{{QStringLiteral("name"), QStringLiteral("tmp")}}));
    QVERIFY(!agents(m_stateDir).contains(QStringLiteral("tmp")));
}

void TestHivectlLifecycle::containerFromSpawnToPurge()
{
    if (::geteuid() != 0)
        QSKIP("real containers need root");
    if (QStandardPaths::findExecutable(QStringLiteral("systemd-nspawn")).isEmpty())
        QSKIP("real containers need systemd-nspawn (package systemd-container)");

    QElapsedTimer timer;
    timer.start();
    m_nspawnStateDir = m_dir.filePath(QStringLiteral("nspawn"));
    const QString config = m_dir.filePath(QStringLiteral("nspawn.conf"));
    QVERIFY(hive::test::writeFile(config, QStringLiteral("[containers]\n"
                                                         "backend = \"nspawn\"\n"
                                                         "spawn_manager = false\n"
                                                         "harness = \"%1\"\n"
                                                         "stop_grace_seconds = 2\n"
                                                         "command = [\"/opt/hive/bin/hive-harness\", \"idle\"]\n")
                                              .arg(hive::test::binaryPath(QStringLiteral("hive-harness")))
                                              .toUtf8()));
    m_nspawnEngine =
        std::make_unique<hive::test::EngineProcess>(m_nspawnStateDir, m_dir.filePath(QStringLiteral("nspawn.log")));
    auto started =
        m_nspawnEngine->start({QStringLiteral("--config"), config, QStringLiteral("--listen"), QStringLiteral("off")});
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    const auto run = [this](const QStringList &arguments) {
        return hivectl(m_nspawnStateDir, QStringList{QStringLiteral("agent")} + arguments);
    };
    const QString engineLog = QStringLiteral("\n--- engine log:\n");
    const QRegularExpression runningLine(QStringLiteral("^(\\w+) w1: running, pid (\\d+), uids (\\d+)-(\\d+)\\n$"));

    const Run spawned = run({QStringLiteral("spawn"), QStringLiteral("w1"), QStringLiteral("--network"),
                             QStringLiteral("none"), QStringLiteral("--memory-max"), QStringLiteral("1G")});
    QVERIFY2(spawned.exitCode == 0, qPrintable(spawned.describe() + engineLog + m_nspawnEngine->log()));
    const auto spawnMatch = runningLine.match(spawned.out);
    QVERIFY2(spawnMatch.hasMatch() && spawnMatch.captured(1) == QLatin1String("spawned"), qPrintable(spawned.out));
    const qint64 firstPid = spawnMatch.captured(2).toLongLong();
    const qint64 uidBase = spawnMatch.captured(3).toLongLong();
    QCOMPARE(spawnMatch.captured(4).toLongLong(), uidBase + 65535);
    // systemd-nspawn, and inside its container at least the harness.
    const QList<qint64> firstProcesses = containerProcesses(m_nspawnStateDir);
    QVERIFY2(firstProcesses.contains(firstPid) && firstProcesses.size() >= 2,
             qPrintable(QStringLiteral("%1 processes").arg(firstProcesses.size())));

    QJsonObject w1 = agents(m_nspawnStateDir).value(QStringLiteral("w1"));
    QCOMPARE(w1.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    QJsonObject container = w1.value(QStringLiteral("container")).toObject();
    QCOMPARE(container.value(QStringLiteral("pid")).toInteger(), firstPid);
    QCOMPARE(container.value(QStringLiteral("network")).toString(), QStringLiteral("none"));
    QCOMPARE(container.value(QStringLiteral("memory_max")).toString(), QStringLiteral("1G"));
    QCOMPARE(container.value(QStringLiteral("uid_base")).toInteger(), uidBase);

    // A shell inside, from a pipe: root there, the container's hostname, the shell's exit code.
    const Run shell =
        hive::test::runHivectl({QStringLiteral("--state-dir"), m_nspawnStateDir, QStringLiteral("agent"),
                                QStringLiteral("shell"), QStringLiteral("w1")},
                               {}, HivectlTimeoutMs, "echo U$(id -u)U H$(hostname)H; stty size\nexit 5\n");
    QVERIFY2(shell.exitCode == 5, qPrintable(shell.describe()));
    QVERIFY2(shell.out.contains(QLatin1String("U0U")) && shell.out.contains(QLatin1String("Hw1H")),
             qPrintable(shell.describe()));
    QVERIFY2(shell.out.contains(QLatin1String("24 80")), qPrintable(shell.describe())); // no terminal: 80x24
    const Run noShell = run({QStringLiteral("shell"), QStringLiteral("nobody")});
    QCOMPARE(noShell.exitCode, 1);
    QCOMPARE(noShell.err, QStringLiteral("hivectl: no agent named 'nobody'\n"));
    const Run table = run({QStringLiteral("list")});
    QVERIFY2(table.exitCode == 0 &&
                 table.out.contains(QRegularExpression(QStringLiteral("\\nw1 +agent +running +%1 ").arg(firstPid))),
             qPrintable(table.describe()));

    const Run killed = run({QStringLiteral("kill"), QStringLiteral("w1")});
    QVERIFY2(killed.exitCode == 0, qPrintable(killed.describe()));
    QCOMPARE(killed.out, QStringLiteral("killed w1: stopped\n"));
    QCOMPARE(containerProcesses(m_nspawnStateDir), QList<qint64>());

    const Run startedAgain = run({QStringLiteral("start"), QStringLiteral("w1")});
    QVERIFY2(startedAgain.exitCode == 0, qPrintable(startedAgain.describe() + engineLog + m_nspawnEngine->log()));
    const auto startMatch = runningLine.match(startedAgain.out);
    QVERIFY2(startMatch.hasMatch() && startMatch.captured(1) == QLatin1String("started"), qPrintable(startedAgain.out));
    const qint64 secondPid = startMatch.captured(2).toLongLong();
    const QList<qint64> secondProcesses = containerProcesses(m_nspawnStateDir);
    QVERIFY(secondProcesses.contains(secondPid));

    const Run restarted = run({QStringLiteral("restart"), QStringLiteral("w1")});
    QVERIFY2(restarted.exitCode == 0, qPrintable(restarted.describe() + engineLog + m_nspawnEngine->log()));
    const auto restartMatch = runningLine.match(restarted.out);
    QVERIFY2(restartMatch.hasMatch() && restartMatch.captured(1) == QLatin1String("restarted"),
             qPrintable(restarted.out));
    const qint64 thirdPid = restartMatch.captured(2).toLongLong();
    QVERIFY(thirdPid != secondPid);
    const QList<qint64> thirdProcesses = containerProcesses(m_nspawnStateDir);
    QVERIFY(thirdProcesses.contains(thirdPid));
    for (const qint64 pid : secondProcesses)
        QVERIFY2(!thirdProcesses.contains(pid), qPrintable(QStringLiteral("pid %1 outlived the restart").arg(pid)));

    // The root tree is built again; the uid range stays.
    QVERIFY(hive::test::writeFile(m_nspawnStateDir + QStringLiteral("/agents/w1/root/stale"), "x"));
    const Run updated = run({QStringLiteral("update"), QStringLiteral("w1")});
    QVERIFY2(updated.exitCode == 0, qPrintable(updated.describe() + engineLog + m_nspawnEngine->log()));
    const auto updateMatch = runningLine.match(updated.out);
    QVERIFY2(updateMatch.hasMatch() && updateMatch.captured(1) == QLatin1String("updated") &&
                 updateMatch.captured(3).toLongLong() == uidBase,
             qPrintable(updated.out));
    QVERIFY(updateMatch.captured(2).toLongLong() != thirdPid);
    QVERIFY(!QFile::exists(m_nspawnStateDir + QStringLiteral("/agents/w1/root/stale")));

    // --json: the agent object itself, as the engine answered it.
    const Run destroyed = hivectl(m_nspawnStateDir, {QStringLiteral("--json"), QStringLiteral("agent"),
                                                     QStringLiteral("destroy"), QStringLiteral("w1")});
    QVERIFY2(destroyed.exitCode == 0, qPrintable(destroyed.describe()));
    QString error;
    w1 = parseObject(destroyed.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(w1.value(QStringLiteral("name")).toString(), QStringLiteral("w1"));
    QCOMPARE(w1.value(QStringLiteral("state")).toString(), QStringLiteral("tombstone"));
    QVERIFY(!w1.value(QStringLiteral("container")).toObject().contains(QStringLiteral("pid")));
    QCOMPARE(containerProcesses(m_nspawnStateDir), QList<qint64>());
    const Run tombstone = run({QStringLiteral("start"), QStringLiteral("w1")});
    QVERIFY2(tombstone.exitCode == 1 &&
                 tombstone.err ==
                     QStringLiteral("hivectl: 'w1' was destroyed (a tombstone): revive it to start it again\n"),
             qPrintable(tombstone.describe()));

    // The engine revives a tombstone all the way: stopped, then started again.
    const Run revived = run({QStringLiteral("revive"), QStringLiteral("w1")});
    QVERIFY2(revived.exitCode == 0, qPrintable(revived.describe() + engineLog + m_nspawnEngine->log()));
    const auto reviveMatch = runningLine.match(revived.out);
    QVERIFY2(reviveMatch.hasMatch() && reviveMatch.captured(1) == QLatin1String("revived"), qPrintable(revived.out));
    QCOMPARE(reviveMatch.captured(3).toLongLong(), uidBase); // the same uid range
    QVERIFY(containerProcesses(m_nspawnStateDir).contains(reviveMatch.captured(2).toLongLong()));
    QCOMPARE(agents(m_nspawnStateDir).value(QStringLiteral("w1")).value(QStringLiteral("state")).toString(),
             QStringLiteral("running"));

    const Run purged = run({QStringLiteral("purge"), QStringLiteral("w1"), QStringLiteral("--yes")});
    QVERIFY2(purged.exitCode == 0, qPrintable(purged.describe()));
    QCOMPARE(purged.out, QStringLiteral("purged w1\n"));
    const QHash<QString, QJsonObject> left = agents(m_nspawnStateDir);
    QVERIFY2(left.contains(QStringLiteral("manager")), "agent list failed");
    QVERIFY(!left.contains(QStringLiteral("w1")));
    QCOMPARE(containerProcesses(m_nspawnStateDir), QList<qint64>());
    QVERIFY(!QFile::exists(m_nspawnStateDir + QStringLiteral("/agents/w1")));
    qInfo("spawn to purge took %lld ms", timer.elapsed());
}

QTEST_GUILESS_MAIN(TestHivectlLifecycle)
#include "tst_hivectllifecycle.moc"
