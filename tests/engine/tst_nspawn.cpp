// SPDX-License-Identifier: MIT
// The systemd-nspawn backend against real containers (as root; skipped elsewhere): the command line, the root tree
// and ownership, detached start, stop and kill, and isolation between two agents; with root = "image" one debootstrap
// build per run (cached between the test functions), each agent's layer over it, and a stale DIR.tmp.
#include "containers/baseimage.h"
#include "containers/nspawnruntime.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <poll.h>

using namespace hive;
using namespace hive::engine;

namespace {

constexpr quint32 RangeSize = 65536;
constexpr int FirstRange = 3000; // far from the ranges other tests and hosts hand out
constexpr int Slots = 15;        // ranges FirstRange .. FirstRange + Slots - 1

quint32 uidBase(int slot)
{
    return static_cast<quint32>(FirstRange + slot) * RangeSize;
}

// Field `n` (1-based, as in proc(5)) of /proc/<pid>/stat, counted from the last ')' since comm may hold both.
QByteArray statField(qint64 pid, int n)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray text = file.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return fields.value(n - 3);
}

// Live (not zombie) processes whose real uid is in [base, base + count).
QList<qint64> processesInRange(quint32 base, qint64 count = RangeSize)
{
    QList<qint64> found;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        QFile status(QStringLiteral("/proc/%1/status").arg(entry));
        if (!numeric || !status.open(QIODevice::ReadOnly))
            continue;
        bool zombie = false;
        qint64 uid = -1;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("State:"))
                zombie = line.contains("(zombie)");
            else if (line.startsWith("Uid:"))
                uid = line.mid(4).simplified().split(' ').value(0).toLongLong();
        }
        if (!zombie && uid >= base && uid < base + count)
            found.append(pid);
    }
    return found;
}

qint64 realUid(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("Uid:"))
            return line.mid(4).simplified().split(' ').value(0).toLongLong();
    }
    return -1;
}

qint64 ownerOf(const QString &path)
{
    struct stat info = {};
    return ::lstat(QFile::encodeName(path).constData(), &info) == 0 ? qint64(info.st_uid) : -1;
}

int modeOf(const QString &path)
{
    struct stat info = {};
    return ::lstat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 07777) : -1;
}

struct Output {
    int exitCode = -1;
    QByteArray out;
};

// Runs `command` inside the container of `mainPid` (all its namespaces, as container root).
Output runInside(qint64 mainPid, const QStringList &command)
{
    QProcess process;
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("PATH"), QStringLiteral("/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin"));
    environment.insert(QStringLiteral("HOME"), QStringLiteral("/root"));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral("nsenter"), QStringList{QStringLiteral("--target"), QString::number(mainPid),
                                                         QStringLiteral("--all"), QStringLiteral("--")} +
                                                 command);
    if (!process.waitForFinished(10000))
        return {};
    if (process.exitCode() != 0)
        qWarning("inside: %s", process.readAllStandardError().constData());
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput()};
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Every path, size, mtime and owner below `dir`, and the content of a few files: whatever an agent changed shows.
QByteArray treeFingerprint(const QString &dir)
{
    QProcess find;
    find.start(QStringLiteral("find"),
               {dir, QStringLiteral("-xdev"), QStringLiteral("-printf"), QStringLiteral("%P %s %T@ %U %G %m\\n")});
    find.waitForFinished(60000);
    QByteArrayList lines = find.readAllStandardOutput().split('\n');
    std::sort(lines.begin(), lines.end());
    QByteArray print = lines.join('\n');
    for (const char *file : {"etc/os-release", "etc/passwd", "etc/hostname", "etc/hosts", "root/.bashrc"})
        print += readAll(dir + QLatin1Char('/') + QLatin1String(file));
    return print;
}

} // namespace

#define REQUIRE_CONTAINERS()                                                                                           \
    do {                                                                                                               \
        if (!m_availability)                                                                                           \
            QSKIP(qPrintable(QStringLiteral("no containers here: ") + m_availability.error().message));                \
    } while (false)

// Skips only for a missing network; a missing debootstrap fails (scripts/setup installs it).
#define REQUIRE_IMAGE()                                                                                                \
    do {                                                                                                               \
        REQUIRE_CONTAINERS();                                                                                          \
        const Result<void> &image = baseImage();                                                                       \
        if (!image && isNetworkFailure(image.error().message))                                                         \
            QSKIP(qPrintable(QStringLiteral("the base image cannot be built without the network: ") +                  \
                             image.error().message));                                                                  \
        QVERIFY2(image, image ? "" : qPrintable(image.error().message));                                               \
    } while (false)

class TestNspawn : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

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
    void imageCommandLine();
    void imageBuildReplacesAStaleTmp();
    void imageContainerRunsOnItsLayer();
    void imageLayersAreSeparate();
    void imageLayerIsResetByARebuild();

private:
    ContainerSpec makeSpec(const QString &agent, int slot, const QStringList &command) const;
    ContainerSpec makeImageSpec(const QString &agent, int slot, const QStringList &command) const;
    /// Builds the image once per run (into m_imageDir, with a stale DIR.tmp planted first) and keeps the result.
    const Result<void> &baseImage();
    static bool isNetworkFailure(const QString &message);
    Result<ContainerProcess> startTracked(const ContainerSpec &spec);

    std::unique_ptr<NspawnRuntime> m_runtime;
    Result<void> m_availability;
    std::unique_ptr<QTemporaryDir> m_dir;
    QList<ContainerProcess> m_started;
    std::unique_ptr<QTemporaryDir> m_imageParent; ///< the image and its DIR.tmp, kept for the whole run
    std::optional<Result<void>> m_imageBuilt;
    qint64 m_imageBuildMs = 0;
};

void TestNspawn::initTestCase()
{
    m_runtime = std::make_unique<NspawnRuntime>();
    m_availability = m_runtime->available();
    if (!m_availability)
        qInfo("container tests will be skipped: %s", qPrintable(m_availability.error().message));
}

void TestNspawn::init()
{
    // Under /tmp (a disk file system here) rather than the build tree: short paths, and gone after a reboot.
    m_dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/hive-tst-nspawn-XXXXXX"));
    QVERIFY(m_dir->isValid());
}

void TestNspawn::cleanup()
{
    for (const ContainerProcess &process : std::as_const(m_started)) {
        if (m_runtime->isRunning(process)) {
            auto killed = m_runtime->kill(process);
            QVERIFY2(killed, killed ? "" : qPrintable(killed.error().message));
        }
    }
    m_started.clear();
    // A failed check may have left a container whose nspawn is gone: nothing outlives a test.
    for (const qint64 pid : processesInRange(uidBase(0), qint64(Slots) * RangeSize))
        ::kill(static_cast<pid_t>(pid), SIGKILL);
    m_dir.reset();
}

void TestNspawn::cleanupTestCase()
{
    QTRY_VERIFY_WITH_TIMEOUT(processesInRange(uidBase(0), qint64(Slots) * RangeSize).isEmpty(), 3000);
}

ContainerSpec TestNspawn::makeSpec(const QString &agent, int slot, const QStringList &command) const
{
    const QDir dir(m_dir->path());
    ContainerSpec spec;
    spec.agent = agent;
    spec.rootDir = dir.filePath(QStringLiteral("agents/%1/root").arg(agent));
    spec.stateDir = dir.filePath(QStringLiteral("agents/%1/state").arg(agent));
    spec.credentialsDir = dir.filePath(QStringLiteral("agents/%1/credentials").arg(agent));
    spec.socketDir = dir.filePath(QStringLiteral("run/agents/%1").arg(agent));
    spec.logPath = dir.filePath(QStringLiteral("agents/%1/container.log").arg(agent));
    spec.harnessPath = dir.filePath(QStringLiteral("hive-harness"));
    spec.command = command;
    spec.uidBase = uidBase(slot);
    spec.gitName = QStringLiteral("Agent ") + agent;
    spec.gitEmail = agent + QStringLiteral("@hive.invalid");
    QFile harness(spec.harnessPath);
    if (!harness.exists() && harness.open(QIODevice::WriteOnly)) {
        harness.write("#!/bin/sh\necho harness\n");
        harness.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                               QFileDevice::ReadOther | QFileDevice::ExeOther);
    }
    return spec;
}

ContainerSpec TestNspawn::makeImageSpec(const QString &agent, int slot, const QStringList &command) const
{
    ContainerSpec spec = makeSpec(agent, slot, command);
    spec.imageDir = m_imageParent ? m_imageParent->filePath(QStringLiteral("debian")) : QString();
    // The real harness when there is one: run by the host's loader with the host's libraries (see harnessWrapper).
    const QString harness = QDir(qEnvironmentVariable("HIVE_BIN_DIR")).filePath(QStringLiteral("hive-harness"));
    if (qEnvironmentVariableIsSet("HIVE_BIN_DIR") && QFileInfo(harness).isExecutable())
        spec.harnessPath = harness;
    return spec;
}

bool TestNspawn::isNetworkFailure(const QString &message)
{
    for (const char *sign : {"Failed getting release file", "Temporary failure resolving", "Couldn't download",
                             "Could not resolve", "Network is unreachable", "Connection refused"}) {
        if (message.contains(QLatin1String(sign)))
            return true;
    }
    return false;
}

const Result<void> &TestNspawn::baseImage()
{
    if (m_imageBuilt)
        return *m_imageBuilt;
    m_imageParent = std::make_unique<QTemporaryDir>(QStringLiteral("/var/tmp/hive-tst-image-XXXXXX"));
    const QString dir = m_imageParent->filePath(QStringLiteral("debian"));
    // What a build killed half way leaves: the next one removes it and starts over.
    QDir().mkpath(dir + QStringLiteral(".tmp/usr/bin"));
    QFile stale(dir + QStringLiteral(".tmp/usr/bin/half-written"));
    if (stale.open(QIODevice::WriteOnly))
        stale.write("stale");
    stale.close();
    BaseImage image({dir, QStringLiteral("bookworm"), QStringLiteral("http://deb.debian.org/debian"), {}});
    QEventLoop loop;
    QElapsedTimer timer;
    timer.start();
    Result<void> result = fail(ErrorCode::Internal, QStringLiteral("the build did not finish"));
    image.build(nullptr, [&](const Result<void> &built) {
        result = built;
        loop.quit();
    });
    if (image.building())
        loop.exec();
    m_imageBuildMs = timer.elapsed();
    qInfo("debootstrap --variant=minbase bookworm took %lld ms", m_imageBuildMs);
    m_imageBuilt = result;
    return *m_imageBuilt;
}

Result<ContainerProcess> TestNspawn::startTracked(const ContainerSpec &spec)
{
    if (auto prepared = m_runtime->prepare(spec); !prepared)
        return fail(prepared.error());
    auto started = m_runtime->start(spec);
    if (started)
        m_started.append(*started);
    return started;
}

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

void TestNspawn::imageCommandLine()
{
    NspawnRuntime::Options options;
    options.nspawnPath = QStringLiteral("/usr/bin/systemd-nspawn");
    const NspawnRuntime runtime(options);
    ContainerSpec spec;
    spec.agent = QStringLiteral("alpha");
    spec.rootDir = QStringLiteral("/srv/a/root");
    spec.imageDir = QStringLiteral("/srv/images/debian-bookworm");
    spec.stateDir = QStringLiteral("/srv/a/state");
    spec.harnessPath = m_dir->filePath(QStringLiteral("no-elf-harness")); // bound as it is
    spec.uidBase = uidBase(0);
    spec.command = {QStringLiteral("/bin/true")};
    const QStringList args = runtime.commandLine(spec, false);
    for (const char *flag : {"--directory=/srv/a/root/merged", "--private-users=196608000:65536",
                             "--private-users-ownership=off", "--bind=/srv/a/state:/state"})
        QVERIFY2(args.contains(QLatin1String(flag)), flag);
    QVERIFY2(args.contains(spec.harnessPath + QStringLiteral(":/opt/hive/bin/hive-harness"), Qt::CaseSensitive) ||
                 args.contains(QStringLiteral("--bind-ro=") + spec.harnessPath +
                               QStringLiteral(":/opt/hive/bin/hive-harness")),
             qPrintable(args.join(QLatin1Char(' '))));
    // Neither the host's /usr nor its /etc pieces: the image has its own.
    QVERIFY(!args.contains(QStringLiteral("--bind-ro=/usr:/usr:idmap")));
    QVERIFY(!args.contains(QStringLiteral("--private-users-ownership=chown")));
    // overlayfs cannot take ',' or ':' in its paths.
    spec.rootDir = QStringLiteral("/srv/a,b/root");
    const auto refused = NspawnRuntime().prepare(spec);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QLatin1String("which an overlay mount cannot take")),
             qPrintable(refused.error().message));
}

void TestNspawn::imageBuildReplacesAStaleTmp()
{
    if (::geteuid() != 0)
        QSKIP("building the base image needs root");
    BaseImage missing({QStringLiteral("/var/tmp/x"), QStringLiteral("bookworm"), QString(),
                       QStringLiteral("/nonexistent/debootstrap")});
    QVERIFY(!missing.buildable());
    QCOMPARE(missing.buildable().error().message,
             QStringLiteral("debootstrap not found: install the Debian package debootstrap, which builds the base "
                            "image of containers.root = \"image\""));
    REQUIRE_IMAGE();
    const QString dir = m_imageParent->filePath(QStringLiteral("debian"));
    QVERIFY(BaseImage::exists(dir));
    QVERIFY2(!QFileInfo::exists(dir + QStringLiteral(".tmp")), "the stale DIR.tmp is gone after the rename");
    QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/usr/bin/half-written")));
    QVERIFY(readAll(dir + QStringLiteral("/etc/os-release")).contains("VERSION_CODENAME=bookworm"));
    QCOMPARE(ownerOf(dir + QStringLiteral("/etc/passwd")), qint64(0));
    qInfo("the base image took %lld ms to build", m_imageBuildMs);
}

void TestNspawn::imageContainerRunsOnItsLayer()
{
    REQUIRE_IMAGE();
    const ContainerSpec spec = makeImageSpec(
        QStringLiteral("kappa"), 11,
        {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("touch /state/made-inside; exec sleep 600")});
    QElapsedTimer timer;
    timer.start();
    auto started = startTracked(spec);
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    qInfo("prepare() and start() on the image took %lld ms", timer.elapsed());
    const auto mainPid = m_runtime->mainPid(*started);
    QVERIFY(mainPid);
    QCOMPARE(realUid(*mainPid), qint64(spec.uidBase));
    QTRY_VERIFY(QFileInfo::exists(spec.stateDir + QStringLiteral("/made-inside")));

    // The image's system, root's files are root's, root can write anywhere (into its layer).
    const Output osRelease = runInside(*mainPid, {QStringLiteral("cat"), QStringLiteral("/etc/os-release")});
    QCOMPARE(osRelease.exitCode, 0);
    QCOMPARE(osRelease.out, readAll(spec.imageDir + QStringLiteral("/etc/os-release")));
    const Output made = runInside(
        *mainPid, {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                   QStringLiteral("id -u; stat -c '%U %G' /etc/passwd /usr/bin/dpkg; cat /etc/hostname; "
                                  "echo mine > /root/made && echo x >> /etc/issue && mkdir -p /usr/local/lib/agent && "
                                  "chown 1000:1000 /usr/local/lib/agent && rm /etc/motd && stat -c '%U' /root/made")});
    QCOMPARE(made.exitCode, 0);
    QCOMPARE(made.out, QByteArray("0\nroot root\nroot root\nkappa\nroot\n"));
    const QString upper = spec.rootDir + QStringLiteral("/upper");
    QCOMPARE(ownerOf(upper + QStringLiteral("/root/made")), qint64(spec.uidBase));
    QCOMPARE(ownerOf(upper + QStringLiteral("/usr/local/lib/agent")), qint64(spec.uidBase + 1000));
    QCOMPARE(ownerOf(upper + QStringLiteral("/etc/issue")), qint64(spec.uidBase));
    QVERIFY(!QFileInfo::exists(spec.imageDir + QStringLiteral("/root/made")));
    QVERIFY(QFileInfo::exists(spec.imageDir + QStringLiteral("/etc/motd")));
    QVERIFY(!readAll(spec.imageDir + QStringLiteral("/etc/issue")).endsWith("x\n"));
    // Nothing is mounted in the engine's namespace: the overlay lives with the container.
    QVERIFY(!readAll(QStringLiteral("/proc/self/mountinfo")).contains(QFile::encodeName(spec.rootDir)));

    // The git identity, and the harness (the host's, on the host's libraries) when the build has one.
    const Output git = runInside(*mainPid, {QStringLiteral("cat"), QStringLiteral("/etc/gitconfig")});
    QVERIFY2(git.out.contains("name = \"Agent kappa\"") && git.out.contains("directory = *"), git.out.constData());
    const Output harness =
        runInside(*mainPid, {QStringLiteral("/opt/hive/bin/hive-harness"), QStringLiteral("--version")});
    QCOMPARE(harness.exitCode, 0);
    if (QFileInfo(spec.harnessPath).fileName() == QLatin1String("hive-harness"))
        QVERIFY2(harness.out.startsWith("hive-harness "), harness.out.constData());
    else
        QCOMPARE(harness.out, QByteArray("harness\n"));
}

void TestNspawn::imageLayersAreSeparate()
{
    REQUIRE_IMAGE();
    const QStringList sleeper = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("exec sleep 600")};
    const ContainerSpec specA = makeImageSpec(QStringLiteral("lambda"), 12, sleeper);
    const ContainerSpec specB = makeImageSpec(QStringLiteral("mu"), 13, sleeper);
    const QByteArray before = treeFingerprint(specA.imageDir);
    auto a = startTracked(specA);
    QVERIFY2(a, a ? "" : qPrintable(a.error().message));
    auto b = startTracked(specB);
    QVERIFY2(b, b ? "" : qPrintable(b.error().message));
    const auto mainA = m_runtime->mainPid(*a);
    const auto mainB = m_runtime->mainPid(*b);
    QVERIFY(mainA && mainB);

    QCOMPARE(runInside(*mainA, {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                QStringLiteral("echo a > /etc/marker-a && echo a > /usr/bin/marker-a && "
                                               "rm /etc/issue.net && chmod 700 /opt")})
                 .exitCode,
             0);
    const Output seenByB = runInside(*mainB, {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                              QStringLiteral("ls /etc/marker-a /usr/bin/marker-a 2>&1; "
                                                             "test -f /etc/issue.net && stat -c %a /opt")});
    QVERIFY2(seenByB.out.contains("No such file") && !seenByB.out.contains("\n/etc/marker-a") &&
                 seenByB.out.endsWith("755\n"),
             seenByB.out.constData());
    QCOMPARE(treeFingerprint(specA.imageDir), before);
    QVERIFY(QFileInfo::exists(specA.rootDir + QStringLiteral("/upper/etc/marker-a")));
    QVERIFY(!QFileInfo::exists(specB.rootDir + QStringLiteral("/upper/etc/marker-a")));
}

void TestNspawn::imageLayerIsResetByARebuild()
{
    REQUIRE_IMAGE();
    const ContainerSpec spec = makeImageSpec(
        QStringLiteral("nu"), 14, {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("exec sleep 600")});
    auto first = startTracked(spec);
    QVERIFY2(first, first ? "" : qPrintable(first.error().message));
    const auto oldMain = m_runtime->mainPid(*first);
    QVERIFY(oldMain);
    QCOMPARE(
        runInside(*oldMain, {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("echo x > /root/kept")})
            .exitCode,
        0);
    QVERIFY(m_runtime->kill(*first));

    // A restart keeps the layer ...
    auto second = startTracked(spec);
    QVERIFY2(second, second ? "" : qPrintable(second.error().message));
    QCOMPARE(runInside(*m_runtime->mainPid(*second), {QStringLiteral("cat"), QStringLiteral("/root/kept")}).out,
             QByteArray("x\n"));
    QVERIFY(m_runtime->kill(*second));

    // ... agent_update removes the root dir, and the next start is on a fresh layer.
    QVERIFY(QDir(spec.rootDir).removeRecursively());
    auto third = startTracked(spec);
    QVERIFY2(third, third ? "" : qPrintable(third.error().message));
    const Output gone = runInside(*m_runtime->mainPid(*third), {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                                                QStringLiteral("test -e /root/kept || echo gone")});
    QCOMPARE(gone.out, QByteArray("gone\n"));
    QVERIFY(m_runtime->kill(*third));

    // A host tree is not reused as a layer (nor a layer as a host tree): agent_update rebuilds it.
    ContainerSpec host = spec;
    host.imageDir.clear();
    const auto refused = m_runtime->prepare(host);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QLatin1String("was made for containers.root = \"image\"")),
             qPrintable(refused.error().message));
}

QTEST_GUILESS_MAIN(TestNspawn)
#include "tst_nspawn.moc"
