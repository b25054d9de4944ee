// SPDX-License-Identifier: MIT
// The systemd-nspawn backend against real containers (as root; skipped elsewhere): the command line, the root tree
// and ownership, detached start, stop and kill, and isolation between two agents (the image mode: tst_nspawnimage).
#include "nspawntest.h"

using namespace hive;
using namespace hive::engine;
using namespace hive::test::nspawn;

class TestNspawn : public NspawnFixture
{
    Q_OBJECT
public:
    TestNspawn() : NspawnFixture(0, 10) {}

private Q_SLOTS:
    void commandLine_data();
    void commandLine();
    void statParsingSurvivesOddNames();
    void uidsInUseAreTheHosts();
    void availableSaysWhatIsMissing();
    void prepareHandsDirsToTheRange();
    void startRunsTheCommandInside();
    void terminateStopsTheContainer();
    void killLeavesNothing();
    void containerIsDetached();
    void failingStartShowsTheLog();
    void startTimeoutKillsTheContainer();
    void leftoverOfADeadNspawnGoesOnStart();
    void containersAreIsolated();
};

void TestNspawn::commandLine_data()
{
    QTest::addColumn<bool>("privateNetwork");
    QTest::addColumn<bool>("scope");
    QTest::newRow("host network") << false << false;
    QTest::newRow("private network") << true << false;
    QTest::newRow("systemd scope") << false << true;
    QTest::newRow("systemd scope, private network") << true << true;
}

void TestNspawn::commandLine()
{
    QFETCH(bool, privateNetwork);
    QFETCH(bool, scope);
    NspawnRuntime::Options options;
    options.nspawnPath = QStringLiteral("/usr/bin/systemd-nspawn");
    options.systemdRunPath = QStringLiteral("/usr/bin/systemd-run");
    options.readOnlyBinds = {QStringLiteral("/etc/alternatives"), QStringLiteral("/etc/odd:name")};
    const NspawnRuntime runtime(options);
    ContainerSpec spec;
    spec.agent = QStringLiteral("alpha");
    spec.rootDir = QStringLiteral("/srv/a/root");
    spec.stateDir = QStringLiteral("/srv/a/state");
    spec.socketDir = QStringLiteral("/srv/run/a");
    spec.credentialsDir = QStringLiteral("/srv/a/creds");
    spec.harnessPath = QStringLiteral("/usr/libexec/hive-harness");
    spec.uidBase = uidBase(0);
    spec.privateNetwork = privateNetwork;
    spec.command = {QStringLiteral("/opt/hive/bin/hive-harness"), QStringLiteral("--serve")};

    const QStringList args = runtime.commandLine(spec, scope);
    const qsizetype nspawnAt = args.indexOf(QStringLiteral("/usr/bin/systemd-nspawn"));
    QCOMPARE(nspawnAt, scope ? args.indexOf(QStringLiteral("--")) + 1 : 0);
    const QStringList prefix = args.mid(0, nspawnAt);
    const QStringList nspawnArgs = args.mid(nspawnAt + 1);
    if (scope) {
        QCOMPARE(prefix.value(0), QStringLiteral("/usr/bin/systemd-run"));
        for (const char *flag :
             {"--scope", "--quiet", "--collect", "--unit=hive-agent-alpha", "--property=Delegate=yes",
              "--property=MemoryMax=4G", "--property=CPUQuota=200%", "--"})
            QVERIFY2(prefix.contains(QLatin1String(flag)), flag);
    } else {
        QVERIFY(prefix.isEmpty());
    }
    const QStringList expected = {
        QStringLiteral("--quiet"),
        QStringLiteral("--register=no"),
        QStringLiteral("--keep-unit"),
        QStringLiteral("--console=pipe"),
        QStringLiteral("--directory=/srv/a/root"),
        QStringLiteral("--machine=hive-alpha"),
        QStringLiteral("--hostname=alpha"),
        QStringLiteral("--private-users=196608000:65536"),
        QStringLiteral("--private-users-ownership=chown"),
        QStringLiteral("--bind-ro=/usr:/usr:idmap"),
        QStringLiteral("--bind-ro=/etc/alternatives:/etc/alternatives"),
        QStringLiteral("--bind-ro=/etc/odd\\:name:/etc/odd\\:name"),
        QStringLiteral("--bind=/srv/a/state:/state"),
        QStringLiteral("--bind=/srv/run/a:/run/hive"),
        QStringLiteral("--bind=/srv/a/creds:/root/.claude"),
        QStringLiteral("--bind-ro=/usr/libexec/hive-harness:/opt/hive/bin/hive-harness"),
        QStringLiteral("--kill-signal=SIGTERM"),
        QStringLiteral("--as-pid2"),
    };
    const qsizetype end = nspawnArgs.indexOf(QStringLiteral("--"));
    QVERIFY(end > 0);
    const QStringList options2 = nspawnArgs.mid(0, end);
    for (const QString &flag : expected)
        QVERIFY2(options2.contains(flag), qPrintable(flag));
    QCOMPARE(options2.contains(QStringLiteral("--private-network")), privateNetwork);
    QCOMPARE(options2.size(), expected.size() + (privateNetwork ? 1 : 0));
    QCOMPARE(nspawnArgs.mid(end + 1), spec.command);
}

void TestNspawn::uidsInUseAreTheHosts()
{
    // What spawns check before handing out a uid range: the uids processes run as, this one's too.
    NspawnRuntime runtime;
    QList<qint64> uids = runtime.uidsInUse();
    QVERIFY(uids.contains(qint64(::geteuid())));
    QVERIFY(std::is_sorted(uids.cbegin(), uids.cend()));
    QVERIFY(std::adjacent_find(uids.cbegin(), uids.cend()) == uids.cend());
    if (::geteuid() != 0)
        QSKIP("running a process as another uid needs root: only this process's uid was checked");
    QProcess other;
    other.start(QStringLiteral("/usr/bin/setpriv"),
                {QStringLiteral("--reuid=612345"), QStringLiteral("--regid=612345"), QStringLiteral("--clear-groups"),
                 QStringLiteral("sleep"), QStringLiteral("30")});
    QVERIFY(other.waitForStarted());
    QVERIFY(QTest::qWaitFor([&] { return runtime.uidsInUse().contains(612345); }, 5000));
    other.kill();
    other.waitForFinished();
    QVERIFY(!runtime.uidsInUse().contains(612345));
}

void TestNspawn::statParsingSurvivesOddNames()
{
    // comm is "a) 1 2 (b": a parser that splits at the first ')' reads the wrong start time.
    const QString odd = m_dir->filePath(QStringLiteral("a) 1 2 (b"));
    QVERIFY(QFile::copy(QStringLiteral("/bin/sleep"), odd));
    QProcess sleeper;
    sleeper.start(odd, {QStringLiteral("30")});
    QVERIFY(sleeper.waitForStarted());
    const ContainerProcess process{sleeper.processId(), statField(sleeper.processId(), 22).toULongLong()};
    QVERIFY(process.startTime > 0);
    QVERIFY(m_runtime->isRunning(process));
    QVERIFY(!m_runtime->isRunning({process.pid, process.startTime + 1}));
    sleeper.kill();
    QVERIFY(sleeper.waitForFinished());
    QVERIFY(!m_runtime->isRunning(process));

    // A zombie is not running.
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    const ContainerProcess zombie{child, statField(child, 22).toULongLong()};
    QTRY_COMPARE(statField(child, 3), QByteArray("Z"));
    QVERIFY(!m_runtime->isRunning(zombie));
    QVERIFY(::waitpid(child, nullptr, 0) == child);
}

void TestNspawn::availableSaysWhatIsMissing()
{
    if (::geteuid() != 0) {
        QVERIFY(!m_availability);
        QVERIFY2(m_availability.error().message.contains(QLatin1String("needs the engine to run as root")),
                 qPrintable(m_availability.error().message));
        QSKIP("not root: only the message for that was checked");
    }
    NspawnRuntime::Options options;
    options.nspawnPath = QStringLiteral("/nonexistent/systemd-nspawn");
    const auto missing = NspawnRuntime(options).available();
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::Unavailable);
    QCOMPARE(missing.error().message,
             QStringLiteral("systemd-nspawn not found: install the systemd-container package"));
    if (!QFileInfo::exists(QStringLiteral("/usr/bin/systemd-nspawn")))
        QSKIP("systemd-nspawn is not installed");
    QVERIFY2(m_availability, m_availability ? "" : qPrintable(m_availability.error().message));
}

void TestNspawn::prepareHandsDirsToTheRange()
{
    if (::geteuid() != 0)
        QSKIP("handing dirs to a uid range needs root");
    const ContainerSpec spec = makeSpec(QStringLiteral("prep"), 1, {});
    const quint32 base = spec.uidBase;
    // Leftovers of an earlier run, a link planted to a host file, and the engine's socket.
    QVERIFY(QDir().mkpath(spec.stateDir + QStringLiteral("/repo")));
    QFile old(spec.stateDir + QStringLiteral("/repo/notes"));
    QVERIFY(old.open(QIODevice::WriteOnly) && old.write("kept") == 4);
    old.close();
    const QString hostFile = m_dir->filePath(QStringLiteral("host-file"));
    QFile host(hostFile);
    QVERIFY(host.open(QIODevice::WriteOnly) && host.write("host") == 4);
    host.close();
    QVERIFY(QFile::link(hostFile, spec.stateDir + QStringLiteral("/planted")));
    QVERIFY(QDir().mkpath(spec.socketDir));
    QLocalServer server;
    QVERIFY(server.listen(spec.socketDir + QStringLiteral("/agent.sock")));

    for (int round = 0; round < 2; ++round) {
        auto prepared = m_runtime->prepare(spec);
        QVERIFY2(prepared, prepared ? "" : qPrintable(prepared.error().message));
        if (round == 0) // container root replaced /etc/passwd with a link to a host file
            QVERIFY(QFile::remove(spec.rootDir + QStringLiteral("/etc/passwd")) &&
                    QFile::link(hostFile, spec.rootDir + QStringLiteral("/etc/passwd")));
    }

    const auto owner = ownerOf;
    const auto mode = modeOf;
    QCOMPARE(owner(spec.stateDir), qint64(base));
    QCOMPARE(mode(spec.stateDir), 0700);
    QCOMPARE(owner(spec.stateDir + QStringLiteral("/repo/notes")), qint64(base));
    QCOMPARE(owner(spec.stateDir + QStringLiteral("/planted")), qint64(base));
    QCOMPARE(owner(hostFile), qint64(0)); // the link was not followed
    QFile kept(spec.stateDir + QStringLiteral("/repo/notes"));
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), QByteArray("kept"));
    QCOMPARE(owner(spec.credentialsDir), qint64(base));
    QCOMPARE(mode(spec.credentialsDir), 0700);
    QCOMPARE(owner(spec.socketDir), qint64(base));
    QCOMPARE(mode(spec.socketDir), 0750);
    QCOMPARE(owner(spec.socketDir + QStringLiteral("/agent.sock")), qint64(base));

    QCOMPARE(owner(spec.rootDir), qint64(base));
    QCOMPARE(owner(spec.rootDir + QStringLiteral("/etc/os-release")), qint64(base));
    QCOMPARE(mode(spec.rootDir + QStringLiteral("/tmp")), 01777);
    QCOMPARE(mode(spec.rootDir + QStringLiteral("/root")), 0700);
    QCOMPARE(QFileInfo(spec.rootDir + QStringLiteral("/bin")).symLinkTarget(),
             spec.rootDir + QStringLiteral("/usr/bin"));
    QVERIFY(!QFileInfo(spec.rootDir + QStringLiteral("/etc/passwd")).isSymLink());
    QVERIFY(host.open(QIODevice::ReadOnly));
    QCOMPARE(host.readAll(), QByteArray("host"));
    QFile gitconfig(spec.rootDir + QStringLiteral("/etc/gitconfig"));
    QVERIFY(gitconfig.open(QIODevice::ReadOnly));
    const QByteArray config = gitconfig.readAll();
    QVERIFY2(config.contains("name = \"Agent prep\"") && config.contains("directory = *"), config.constData());
}

void TestNspawn::startRunsTheCommandInside()
{
    REQUIRE_CONTAINERS();
    const ContainerSpec spec = makeSpec(QStringLiteral("alpha"), 2,
                                        {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                         QStringLiteral("touch /state/made-inside; echo ready; exec sleep 600")});
    auto prepared = m_runtime->prepare(spec);
    QVERIFY2(prepared, prepared ? "" : qPrintable(prepared.error().message));
    QElapsedTimer timer;
    timer.start();
    auto started = m_runtime->start(spec);
    const qint64 startMs = timer.elapsed();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    m_started.append(*started);
    qInfo("start() returned after %lld ms", startMs);

    QVERIFY(m_runtime->isRunning(*started));
    const auto mainPid = m_runtime->mainPid(*started);
    QVERIFY(mainPid);
    QCOMPARE(realUid(*mainPid), qint64(spec.uidBase));
    const QString made = spec.stateDir + QStringLiteral("/made-inside");
    QTRY_VERIFY(QFileInfo::exists(made));
    QCOMPARE(QFileInfo(made).ownerId(), spec.uidBase);
    QTRY_VERIFY([&] {
        QFile log(spec.logPath);
        return log.open(QIODevice::ReadOnly) && log.readAll().contains("ready\n");
    }());

    // Root inside; /usr/bin's links into /etc/alternatives resolve; the host name is the agent's.
    const Output basics =
        runInside(*mainPid, {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                             QStringLiteral("id -u; readlink -f /usr/bin/awk >/dev/null && awk 'BEGIN { print 7 }'; "
                                            "cat /etc/hostname; test -r /etc/ssl/certs/ca-certificates.crt || "
                                            "echo no-certificates")});
    QCOMPARE(basics.exitCode, 0);
    QCOMPARE(basics.out, QByteArray("0\n7\nalpha\n"));

    if (!QFileInfo(QStringLiteral("/usr/bin/git")).isExecutable())
        QSKIP("git is not installed: the identity inside was not checked");
    const Output name = runInside(*mainPid, {QStringLiteral("git"), QStringLiteral("config"), QStringLiteral("--get"),
                                             QStringLiteral("user.name")});
    QCOMPARE(name.out.trimmed(), QByteArray("Agent alpha"));
    const Output email = runInside(*mainPid, {QStringLiteral("git"), QStringLiteral("config"), QStringLiteral("--get"),
                                              QStringLiteral("user.email")});
    QCOMPARE(email.out.trimmed(), QByteArray("alpha@hive.invalid"));
}

void TestNspawn::terminateStopsTheContainer()
{
    REQUIRE_CONTAINERS();
    const ContainerSpec spec = makeSpec(
        QStringLiteral("beta"), 3, {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("exec sleep 600")});
    auto started = startTracked(spec);
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    const int notifier = m_runtime->exitNotifier(*started);
    QVERIFY(notifier >= 0);
    pollfd waiting{notifier, POLLIN, 0};
    QCOMPARE(::poll(&waiting, 1, 0), 0);

    auto terminated = m_runtime->terminate(*started);
    QVERIFY2(terminated, terminated ? "" : qPrintable(terminated.error().message));
    QTRY_VERIFY_WITH_TIMEOUT(!m_runtime->isRunning(*started), 5000);
    QCOMPARE(::poll(&waiting, 1, 1000), 1);
    QVERIFY(waiting.revents & POLLIN);
    ::close(notifier);
    QTRY_VERIFY_WITH_TIMEOUT(processesInRange(spec.uidBase).isEmpty(), 2000);
    QVERIFY(m_runtime->terminate(*started)); // stopping a stopped container is not an error
    // Once it is gone there is no fd; while its zombie waits for init there is one, readable at once.
    if (const int late = m_runtime->exitNotifier(*started); late >= 0) {
        pollfd gone{late, POLLIN, 0};
        QCOMPARE(::poll(&gone, 1, 0), 1);
        ::close(late);
    }
}

void TestNspawn::killLeavesNothing()
{
    REQUIRE_CONTAINERS();
    // The main process ignores SIGTERM and leaves an orphan behind under the stub init.
    const ContainerSpec spec = makeSpec(QStringLiteral("gamma"), 4,
                                        {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                         QStringLiteral("trap '' TERM; (sleep 500 &); exec sleep 600")});
    auto started = startTracked(spec);
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    const auto running = [&](const QByteArray &command) {
        const QList<qint64> pids = processesInRange(spec.uidBase);
        return std::any_of(pids.cbegin(), pids.cend(), [&](qint64 pid) {
            QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
            return cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().replace('\0', ' ').trimmed() == command;
        });
    };
    QTRY_VERIFY(running("sleep 600") && running("sleep 500"));

    auto killed = m_runtime->kill(*started);
    QVERIFY2(killed, killed ? "" : qPrintable(killed.error().message));
    QVERIFY(!m_runtime->isRunning(*started));
    QVERIFY(!m_runtime->mainPid(*started));
    QTRY_VERIFY_WITH_TIMEOUT(processesInRange(spec.uidBase).isEmpty(), 2000);

    // The same machine starts again after being killed.
    auto again = startTracked(spec);
    QVERIFY2(again, again ? "" : qPrintable(again.error().message));
}

void TestNspawn::containerIsDetached()
{
    REQUIRE_CONTAINERS();
    const ContainerSpec spec =
        makeSpec(QStringLiteral("delta"), 5,
                 {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("exec sleep 600")});
    // Neither an inheritable descriptor nor the engine's notify socket may reach nspawn.
    const int leak = ::open("/dev/zero", O_RDONLY);
    QVERIFY(leak >= 0);
    qputenv("NOTIFY_SOCKET", "/nonexistent/notify");
    auto started = startTracked(spec);
    qunsetenv("NOTIFY_SOCKET");
    ::close(leak);
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    const pid_t pid = static_cast<pid_t>(started->pid);
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    for (const QString &fd : fds.entryList(QDir::System | QDir::NoDotAndDotDot))
        QVERIFY(QFileInfo(fds.filePath(fd)).symLinkTarget() != QLatin1String("/dev/zero"));
    QFile environment(QStringLiteral("/proc/%1/environ").arg(pid));
    QVERIFY(environment.open(QIODevice::ReadOnly));
    QVERIFY(!environment.readAll().contains("NOTIFY_SOCKET="));
    QVERIFY(
        QFileInfo(QStringLiteral("/proc/%1/exe").arg(pid)).symLinkTarget().endsWith(QLatin1String("systemd-nspawn")));
    // In a session of its own (but not its leader, so it can never gain a controlling terminal), adopted by init.
    QVERIFY(::getsid(pid) > 0);
    QVERIFY(::getsid(pid) != ::getsid(0));
    QVERIFY(::getsid(pid) != pid);
    QVERIFY(statField(pid, 4).toLongLong() != ::getpid());
    QCOMPARE(QFileInfo(QStringLiteral("/proc/%1/fd/0").arg(pid)).symLinkTarget(), QStringLiteral("/dev/null"));
    QCOMPARE(QFileInfo(QStringLiteral("/proc/%1/fd/1").arg(pid)).symLinkTarget(), spec.logPath);
    QCOMPARE(QFileInfo(QStringLiteral("/proc/%1/fd/2").arg(pid)).symLinkTarget(), spec.logPath);
}

void TestNspawn::failingStartShowsTheLog()
{
    REQUIRE_CONTAINERS();
    const ContainerSpec spec = makeSpec(QStringLiteral("epsilon"), 6, {QStringLiteral("/nonexistent")});
    QElapsedTimer timer;
    timer.start();
    auto started = startTracked(spec);
    QVERIFY(!started);
    QVERIFY(timer.elapsed() < 5000);
    QCOMPARE(started.error().code, ErrorCode::Unavailable);
    const QString message = started.error().message;
    QVERIFY2(message.contains(QLatin1String("stopped before its command ran")), qPrintable(message));
    QVERIFY2(!message.contains(QLatin1String("Attempted to remove disk")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("/nonexistent")) && message.contains(QLatin1String("No such file")),
             qPrintable(message));
    QTRY_VERIFY_WITH_TIMEOUT(processesInRange(spec.uidBase).isEmpty(), 2000);
}

void TestNspawn::startTimeoutKillsTheContainer()
{
    REQUIRE_CONTAINERS();
    // A timeout shorter than nspawn's setup: start() kills it half way, and nothing may be left over.
    NspawnRuntime::Options options;
    options.startTimeoutMs = 1;
    NspawnRuntime impatient(options);
    const ContainerSpec spec =
        makeSpec(QStringLiteral("theta"), 9, {QStringLiteral("/bin/sleep"), QStringLiteral("600")});
    auto prepared = impatient.prepare(spec);
    QVERIFY2(prepared, prepared ? "" : qPrintable(prepared.error().message));
    auto started = impatient.start(spec);
    if (started)
        m_started.append(*started);
    QVERIFY(!started);
    QVERIFY2(started.error().message.contains(QLatin1String("did not start within 1 ms")),
             qPrintable(started.error().message));
    QTRY_VERIFY_WITH_TIMEOUT(processesInRange(spec.uidBase).isEmpty(), 2000);
    QCOMPARE(QProcess::execute(QStringLiteral("pgrep"), {QStringLiteral("-f"), QStringLiteral("machine=hive-theta")}),
             1);
}

void TestNspawn::leftoverOfADeadNspawnGoesOnStart()
{
    REQUIRE_CONTAINERS();
    const ContainerSpec spec =
        makeSpec(QStringLiteral("iota"), 10, {QStringLiteral("/bin/sleep"), QStringLiteral("600")});
    auto first = startTracked(spec);
    QVERIFY2(first, first ? "" : qPrintable(first.error().message));
    const auto oldMain = m_runtime->mainPid(*first);
    QVERIFY(oldMain);

    // nspawn dies on its own (OOM killer, a stray kill): with --console=pipe its container lives on under init.
    QCOMPARE(::kill(static_cast<pid_t>(first->pid), SIGKILL), 0);
    QTRY_VERIFY(!m_runtime->isRunning(*first));
    QTest::qWait(100);
    if (processesInRange(spec.uidBase).contains(*oldMain)) {
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("^killing the container left in .*/iota/root")));
    } else {
        qInfo("this systemd-nspawn takes its container down when it dies");
    }
    auto second = startTracked(spec);
    QVERIFY2(second, second ? "" : qPrintable(second.error().message));
    QVERIFY(!processesInRange(spec.uidBase).contains(*oldMain));
    const auto newMain = m_runtime->mainPid(*second);
    QVERIFY(newMain && *newMain != *oldMain);
}

void TestNspawn::containersAreIsolated()
{
    REQUIRE_CONTAINERS();
    const QStringList sleeper = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("exec sleep 600")};
    const ContainerSpec specA = makeSpec(QStringLiteral("zeta"), 7, sleeper);
    const ContainerSpec specB = makeSpec(QStringLiteral("eta"), 8, sleeper);
    auto a = startTracked(specA);
    QVERIFY2(a, a ? "" : qPrintable(a.error().message));
    auto b = startTracked(specB);
    QVERIFY2(b, b ? "" : qPrintable(b.error().message));
    const auto mainA = m_runtime->mainPid(*a);
    const auto mainB = m_runtime->mainPid(*b);
    QVERIFY(mainA && mainB);

    QCOMPARE(
        runInside(*mainA, {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("echo a > /state/marker-a")})
            .exitCode,
        0);
    QVERIFY(runInside(*mainA, {QStringLiteral("ls"), QStringLiteral("/state")}).out.contains("marker-a"));
    const Output listedB = runInside(*mainB, {QStringLiteral("ls"), QStringLiteral("-a"), QStringLiteral("/state")});
    QCOMPARE(listedB.exitCode, 0);
    QVERIFY2(!listedB.out.contains("marker-a"), listedB.out.constData());
    QCOMPARE(QFileInfo(specA.stateDir + QStringLiteral("/marker-a")).ownerId(), specA.uidBase);

    QCOMPARE(ownerOf(specB.stateDir), qint64(specB.uidBase));
    QCOMPARE(QFileInfo(specB.stateDir).groupId(), specB.uidBase);
    QCOMPARE(modeOf(specB.stateDir), 0700);
}

QTEST_GUILESS_MAIN(TestNspawn)
#include "tst_nspawn.moc"
