// SPDX-License-Identifier: MIT
// Agents in real systemd-nspawn containers, driven as an operator drives them: a hive-engine process with the nspawn
// backend, its admin socket, and the event stream. Spawn to a connected harness, uid mapping, the lifecycle, crash
// detection, reconciliation across an engine restart, and isolation between two agents. As root only.
#include "engineprocess.h"
#include "localsocketpeer.h"
#include "protocol/methods.h"
#include "rpcclient.h"
#include "statepaths.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <csignal>
#include <memory>
#include <optional>

using namespace hive;
using namespace hive::protocol;
using hive::test::EngineProcess;

namespace {

constexpr int CallTimeout = 30000;  // a lifecycle call waits for the queue, a stop for its grace (2 s here)
constexpr int EventTimeout = 15000; // the bound for crash detection; plenty for a harness to connect
constexpr char TempPrefix[] = "/tmp/hive-tst-containers-";

struct Process {
    qint64 pid = 0;
    qint64 ppid = 0;
    QByteArray args; ///< the command line, arguments joined by spaces
};

/// A directory by identity: a container's root seen through /proc/<pid>/root has no usable path on the host (it
/// reads "/"), but it is the same inode as the agent's root tree.
using DirId = std::pair<quint64, quint64>;

std::optional<DirId> dirId(const QString &path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return std::nullopt;
    return DirId{info.st_dev, info.st_ino};
}

QString readLink(const QString &path)
{
    char target[PATH_MAX];
    const ssize_t size = ::readlink(QFile::encodeName(path).constData(), target, sizeof target);
    return size > 0 ? QFile::decodeName(QByteArray(target, static_cast<qsizetype>(size))) : QString();
}

QList<Process> allProcesses()
{
    QList<Process> found;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
        if (!numeric || !stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (fields.value(0) == "Z")
            continue;
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(entry));
        QByteArray args = cmdline.open(QIODevice::ReadOnly) ? cmdline.readAll() : QByteArray();
        found.append({pid, fields.value(1).toLongLong(), args.replace('\0', ' ').trimmed()});
    }
    return found;
}

QList<Process> descendants(qint64 pid)
{
    const QList<Process> processes = allProcesses();
    QList<Process> found;
    QList<qint64> parents{pid};
    while (!parents.isEmpty()) {
        const qint64 parent = parents.takeFirst();
        for (const Process &process : processes) {
            if (process.ppid == parent) {
                found.append(process);
                parents.append(process.pid);
            }
        }
    }
    return found;
}

bool isAlive(qint64 pid)
{
    const QList<Process> processes = allProcesses();
    return std::any_of(processes.cbegin(), processes.cend(),
                       [pid](const Process &process) { return process.pid == pid; });
}

/// The host pid of the harness inside the container whose systemd-nspawn is `nspawnPid`.
std::optional<qint64> harnessPid(qint64 nspawnPid)
{
    for (const Process &process : descendants(nspawnPid)) {
        if (process.args == "/opt/hive/bin/hive-harness idle")
            return process.pid;
    }
    return std::nullopt;
}

qint64 ownerOf(const QString &path)
{
    struct stat info = {};
    return ::lstat(QFile::encodeName(path).constData(), &info) == 0 ? qint64(info.st_uid) : -1;
}

struct Output {
    int exitCode = -1;
    QByteArray out;
};

/// Runs `script` with /bin/sh as root inside the container of `pid` (all its namespaces).
Output runInside(qint64 pid, const QString &script)
{
    QProcess process;
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/usr/sbin:/bin:/sbin"));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral("nsenter"),
                  {QStringLiteral("--target"), QString::number(pid), QStringLiteral("--all"), QStringLiteral("--"),
                   QStringLiteral("/bin/sh"), QStringLiteral("-c"), script});
    if (!process.waitForFinished(10000)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    if (process.exitCode() != 0)
        qWarning("inside (%s): %s", qPrintable(script), process.readAllStandardError().constData());
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput()};
}

} // namespace

#define VERIFY_OK(expr)                                                                                                \
    do {                                                                                                               \
        const auto &result_ = (expr);                                                                                  \
        QVERIFY2(result_, result_ ? "" : qPrintable(result_.error().message));                                         \
    } while (false)

class TestContainers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void spawnedAgentRunsAndConnects();
    void lifecycleThroughTheApi();
    void crashIsDetected();
    void engineRestartKeepsContainers();
    void agentsAreIsolated();

private:
    [[nodiscard]] Result<void> startEngine();
    [[nodiscard]] Result<void> connectClient(std::optional<qint64> sinceSeq = std::nullopt);
    template<typename M>
    Result<typename M::Result> call(const typename M::Params &params)
    {
        return m_client->callAndWait<M>(params, CallTimeout);
    }
    [[nodiscard]] Result<AgentInfo> agent(const QString &name);
    /// The index in m_events of the first event of `kind` for `name` (any when empty) at or after `from`, or -1
    /// after the timeout.
    qsizetype waitForEvent(const QString &kind, const QString &name, qsizetype from, int timeoutMs = EventTimeout);
    [[nodiscard]] qsizetype countEvents(const QString &kind, qsizetype from) const;
    /// Spawns `name` and waits until its harness is connected; returns its agent object.
    [[nodiscard]] Result<AgentInfo> spawnConnected(const QString &name);
    [[nodiscard]] QString agentPath(const QString &name, const QString &relative = {}) const;
    /// Records the root trees of the agents there are now (see m_roots).
    void rememberRoots();
    /// Processes of this test's containers (rooted in one of its agents' trees) and their systemd-nspawn, killed
    /// with SIGKILL; their command lines.
    QStringList killLeftovers();

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_state;
    QString m_config;
    std::unique_ptr<EngineProcess> m_engine;
    std::unique_ptr<client::RpcClient> m_client;
    QList<Event> m_events;
    QElapsedTimer m_caseTimer;
    QList<DirId> m_roots; ///< every agent root tree of the run: what a leftover process would be rooted in
};

void TestContainers::initTestCase()
{
    if (::geteuid() != 0)
        QSKIP("real containers need root: run this test as root (it starts hive-engine with the nspawn backend)");
    if (QStandardPaths::findExecutable(QStringLiteral("systemd-nspawn")).isEmpty())
        QSKIP("systemd-nspawn is not installed (Debian: the systemd-container package)");
    if (QStandardPaths::findExecutable(QStringLiteral("nsenter")).isEmpty())
        QSKIP("nsenter is not installed (Debian: the util-linux package)");
    QVERIFY2(QFileInfo(test::binaryPath(QStringLiteral("hive-harness"))).isExecutable(),
             "no hive-harness in HIVE_BIN_DIR");
    m_caseTimer.start();
}

void TestContainers::init()
{
    // Short paths under /tmp, as the engine's state dir of a real host would be on a disk file system.
    m_dir = std::make_unique<QTemporaryDir>(QString::fromLatin1(TempPrefix) + QStringLiteral("XXXXXX"));
    QVERIFY(m_dir->isValid());
    m_state = m_dir->filePath(QStringLiteral("state"));
    m_config = m_dir->filePath(QStringLiteral("engine.conf"));
    const QByteArray config = "listen = \"off\"\n"
                              "[containers]\n"
                              "backend = \"nspawn\"\n"
                              "spawn_manager = false\n"
                              "harness = \"" +
                              QFile::encodeName(test::binaryPath(QStringLiteral("hive-harness"))) +
                              "\"\n"
                              "stop_grace_seconds = 2\n"
                              "command = [\"/opt/hive/bin/hive-harness\", \"idle\"]\n";
    QVERIFY(test::writeFile(m_config, config));
    m_events.clear();
    VERIFY_OK(startEngine());
    VERIFY_OK(connectClient());
}

void TestContainers::cleanup()
{
    // Whatever failed above: purge every container through the engine, then make sure nothing is left.
    QStringList problems;
    if (m_engine && m_engine->process().state() == QProcess::Running && m_client) {
        auto listed = m_client->callAndWait<AgentListMethod>(AgentListParams{}, CallTimeout);
        for (const AgentInfo &info : listed ? listed->agents : QList<AgentInfo>{}) {
            if (!info.container || info.name == QLatin1String("manager"))
                continue;
            if (auto purged = call<AgentPurgeMethod>(AgentPurgeParams{info.name}); !purged)
                problems << QStringLiteral("purging %1: %2").arg(info.name, purged.error().message);
        }
    }
    m_client.reset();
    if (m_engine && m_engine->process().state() == QProcess::Running && m_engine->stop(SIGTERM) != 0)
        problems << QStringLiteral("the engine did not stop cleanly");
    const QStringList leftovers = killLeftovers();
    if (!leftovers.isEmpty())
        problems << QStringLiteral("left running (now killed): ") + leftovers.join(QStringLiteral("; "));
    if (!problems.isEmpty() && m_engine)
        qWarning("engine log:\n%s", qPrintable(m_engine->log()));
    m_engine.reset();
    m_dir.reset();
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestContainers::cleanupTestCase()
{
    // `ps` as an operator would look: no harness or stub init of ours anywhere.
    QProcess ps;
    ps.start(QStringLiteral("ps"), {QStringLiteral("-eo"), QStringLiteral("pid,args")});
    QVERIFY(ps.waitForFinished(10000));
    QStringList ours;
    for (const QByteArray &line : ps.readAllStandardOutput().split('\n')) {
        const qint64 pid = line.trimmed().split(' ').value(0).toLongLong();
        if (!line.contains("hive-harness idle") && !line.contains("sd-stubinit"))
            continue;
        // A root tree whose directory is gone is still the inode the process holds, so it cannot have been reused.
        const auto root = dirId(QStringLiteral("/proc/%1/root").arg(pid));
        if (root && m_roots.contains(*root))
            ours << QString::fromUtf8(line.trimmed());
    }
    QVERIFY2(ours.isEmpty(), qPrintable(ours.join(QLatin1Char('\n'))));
    if (m_caseTimer.isValid())
        qInfo("the container tests took %lld ms", qint64(m_caseTimer.elapsed()));
}

Result<void> TestContainers::startEngine()
{
    if (!m_engine)
        m_engine = std::make_unique<EngineProcess>(m_state, m_dir->filePath(QStringLiteral("engine.log")));
    auto started = m_engine->start({QStringLiteral("--config"), m_config});
    if (!started)
        return fail(started.error());
    return {};
}

Result<void> TestContainers::connectClient(std::optional<qint64> sinceSeq)
{
    m_client = std::make_unique<client::RpcClient>(new client::LocalSocketPeer(paths::adminSocket(m_state)));
    if (auto opened = m_client->openAndWait(CallTimeout); !opened)
        return opened;
    connect(m_client.get(), &client::RpcClient::notificationReceived, this,
            [this](const QString &method, const QJsonObject &params) {
                if (method != QLatin1String(EventNotification))
                    return;
                if (auto event = Event::fromJson(params))
                    m_events.append(*event);
            });
    auto subscribed = call<EventsSubscribeMethod>(EventsSubscribeParams{sinceSeq});
    if (!subscribed)
        return fail(subscribed.error());
    return {};
}

Result<AgentInfo> TestContainers::agent(const QString &name)
{
    auto listed = call<AgentListMethod>(AgentListParams{});
    if (!listed)
        return fail(listed.error());
    for (const AgentInfo &info : std::as_const(listed->agents)) {
        if (info.name == name)
            return info;
    }
    return fail(ErrorCode::NotFound, QStringLiteral("agent_list has no '%1'").arg(name));
}

qsizetype TestContainers::waitForEvent(const QString &kind, const QString &name, qsizetype from, int timeoutMs)
{
    qsizetype found = -1;
    (void)QTest::qWaitFor(
        [&] {
            for (qsizetype i = from; i < m_events.size(); ++i) {
                if (m_events[i].kind == kind &&
                    (name.isEmpty() || m_events[i].data.value(QStringLiteral("name")).toString() == name)) {
                    found = i;
                    return true;
                }
            }
            return false;
        },
        timeoutMs);
    return found;
}

qsizetype TestContainers::countEvents(const QString &kind, qsizetype from) const
{
    return std::count_if(m_events.cbegin() + from, m_events.cend(),
                         [&kind](const Event &event) { return event.kind == kind; });
}

Result<AgentInfo> TestContainers::spawnConnected(const QString &name)
{
    const qsizetype from = m_events.size();
    AgentSpawnParams params;
    params.name = name;
    auto spawned = call<AgentSpawnMethod>(params);
    rememberRoots(); // even when it failed: it may have left something
    if (!spawned)
        return fail(spawned.error().wrapped(QStringLiteral("agent_spawn %1").arg(name)));
    if (waitForEvent(QStringLiteral("agent_connected"), name, from) < 0) {
        return fail(
            ErrorCode::Unavailable,
            QStringLiteral("the harness of %1 did not connect; its container.log:\n%2")
                .arg(name, QString::fromUtf8(test::readFile(agentPath(name, QStringLiteral("container.log"))))));
    }
    return spawned;
}

QString TestContainers::agentPath(const QString &name, const QString &relative) const
{
    const QString dir = m_state + QStringLiteral("/agents/") + name;
    return relative.isEmpty() ? dir : dir + QLatin1Char('/') + relative;
}

void TestContainers::rememberRoots()
{
    const QDir agents(m_state + QStringLiteral("/agents"));
    for (const QString &agent : agents.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const auto root = dirId(agents.filePath(agent + QStringLiteral("/root")));
        if (root && !m_roots.contains(*root))
            m_roots.append(*root);
    }
}

QStringList TestContainers::killLeftovers()
{
    rememberRoots();
    QStringList killed;
    for (const Process &process : allProcesses()) {
        const auto root = dirId(QStringLiteral("/proc/%1/root").arg(process.pid));
        if (root && m_roots.contains(*root)) {
            killed << QStringLiteral("%1 %2").arg(process.pid).arg(QString::fromUtf8(process.args));
            ::kill(static_cast<pid_t>(process.pid), SIGKILL);
        }
    }
    // The systemd-nspawn processes above them run in the host's root: theirs is found by --directory=.
    for (const Process &process : allProcesses()) {
        if (process.args.contains("systemd-nspawn") && process.args.contains(QFile::encodeName(m_dir->path()) + '/')) {
            killed << QStringLiteral("%1 %2").arg(process.pid).arg(QString::fromUtf8(process.args));
            ::kill(static_cast<pid_t>(process.pid), SIGKILL);
        }
    }
    return killed;
}

void TestContainers::spawnedAgentRunsAndConnects()
{
    QElapsedTimer timer;
    timer.start();
    auto spawned = spawnConnected(QStringLiteral("alpha"));
    VERIFY_OK(spawned);
    qInfo("spawned and connected in %lld ms", qint64(timer.elapsed()));
    QCOMPARE(spawned->state, QStringLiteral("running"));
    QVERIFY(spawned->container && spawned->container->pid);
    QCOMPARE(spawned->container->backend, QStringLiteral("nspawn"));
    const qint64 nspawn = *spawned->container->pid;
    QVERIFY2(QFileInfo(QStringLiteral("/proc/%1/exe").arg(nspawn)).symLinkTarget().endsWith(QLatin1String("nspawn")),
             "the container's pid is not a systemd-nspawn");
    const qint64 base = spawned->container->uidBase;
    QVERIFY(base >= 65536);

    auto listed = agent(QStringLiteral("alpha"));
    VERIFY_OK(listed);
    QCOMPARE(listed->state, QStringLiteral("running"));
    QCOMPARE(listed->container->pid.value_or(-1), nspawn);

    // The harness runs inside as container root, which is the agent's first host uid.
    const auto harness = harnessPid(nspawn);
    QVERIFY(harness);
    QFile status(QStringLiteral("/proc/%1/status").arg(*harness));
    QVERIFY(status.open(QIODevice::ReadOnly));
    QVERIFY(status.readAll().contains("\nUid:\t" + QByteArray::number(base) + '\t'));

    // A file root makes inside belongs, on the host, to the mapped uid.
    const Output touched = runInside(*harness, QStringLiteral("id -u && touch /state/probe && ls -ln /state/probe"));
    QCOMPARE(touched.exitCode, 0);
    QVERIFY2(touched.out.startsWith("0\n"), touched.out.constData());
    QVERIFY2(touched.out.contains(" 0 0 "), touched.out.constData()); // owned by root inside
    const QString probe = agentPath(QStringLiteral("alpha"), QStringLiteral("state/probe"));
    QVERIFY(QFileInfo::exists(probe));
    QCOMPARE(ownerOf(probe), base);
    QCOMPARE(QFileInfo(probe).groupId(), quint32(base));
}

void TestContainers::lifecycleThroughTheApi()
{
    const QString name = QStringLiteral("cycle");
    auto spawned = spawnConnected(name);
    VERIFY_OK(spawned);
    const qint64 firstPid = *spawned->container->pid;
    const auto harness = harnessPid(firstPid);
    QVERIFY(harness);
    QCOMPARE(runInside(*harness, QStringLiteral("echo kept > /state/notes")).exitCode, 0);

    qsizetype from = m_events.size();
    auto killed = call<AgentKillMethod>(AgentKillParams{name});
    VERIFY_OK(killed);
    QCOMPARE(killed->state, QStringLiteral("stopped"));
    QVERIFY(!killed->container->pid);
    QVERIFY(waitForEvent(QStringLiteral("agent_disconnected"), name, from) >= 0);
    QTRY_VERIFY(!isAlive(firstPid));
    QCOMPARE(agent(name)->state, QStringLiteral("stopped"));

    from = m_events.size();
    auto started = call<AgentStartMethod>(AgentStartParams{name});
    VERIFY_OK(started);
    QCOMPARE(started->state, QStringLiteral("running"));
    QVERIFY(started->container->pid && *started->container->pid != firstPid);
    QVERIFY(waitForEvent(QStringLiteral("agent_connected"), name, from) >= 0);
    const qint64 secondPid = *started->container->pid;

    from = m_events.size();
    auto restarted = call<AgentRestartMethod>(AgentRestartParams{name});
    VERIFY_OK(restarted);
    QCOMPARE(restarted->state, QStringLiteral("running"));
    QVERIFY(restarted->container->pid);
    QVERIFY(*restarted->container->pid != secondPid);
    QVERIFY(!isAlive(secondPid));
    QVERIFY(waitForEvent(QStringLiteral("agent_disconnected"), name, from) >= 0);
    QVERIFY(waitForEvent(QStringLiteral("agent_connected"), name, from) >= 0);
    const qint64 thirdPid = *restarted->container->pid;

    // Destroyed: a tombstone, nothing runs, the socket is gone, the state stays on disk.
    auto destroyed = call<AgentDestroyMethod>(AgentDestroyParams{name});
    VERIFY_OK(destroyed);
    QCOMPARE(destroyed->state, QStringLiteral("tombstone"));
    QTRY_VERIFY(!isAlive(thirdPid));
    QCOMPARE(agent(name)->state, QStringLiteral("tombstone"));
    QVERIFY(!QFileInfo::exists(m_state + QStringLiteral("/run/agents/cycle/agent.sock")));
    QCOMPARE(test::readFile(agentPath(name, QStringLiteral("state/notes"))), QByteArray("kept\n"));
    auto refused = call<AgentStartMethod>(AgentStartParams{name});
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::InvalidParams);

    from = m_events.size();
    auto revived = call<AgentReviveMethod>(AgentReviveParams{name});
    VERIFY_OK(revived);
    QCOMPARE(revived->state, QStringLiteral("running"));
    QVERIFY(waitForEvent(QStringLiteral("agent_connected"), name, from) >= 0);
    const qint64 revivedPid = *revived->container->pid;
    const auto revivedHarness = harnessPid(revivedPid);
    QVERIFY(revivedHarness);
    QCOMPARE(runInside(*revivedHarness, QStringLiteral("cat /state/notes")).out, QByteArray("kept\n"));

    // Purged: the agent, its processes and its dirs are gone.
    auto purged = call<AgentPurgeMethod>(AgentPurgeParams{name});
    VERIFY_OK(purged);
    QCOMPARE(purged->name, name);
    QTRY_VERIFY(!isAlive(revivedPid));
    QVERIFY(!isAlive(*revivedHarness));
    auto gone = agent(name);
    QVERIFY(!gone);
    QCOMPARE(gone.error().code, ErrorCode::NotFound);
    QVERIFY(!QFileInfo::exists(agentPath(name)));
    QVERIFY(!QFileInfo::exists(m_state + QStringLiteral("/run/agents/cycle")));
    QVERIFY(waitForEvent(QStringLiteral("agent_purged"), name, 0) >= 0);
    QCOMPARE(countEvents(QStringLiteral("container_crash"), 0), 0);
}

void TestContainers::crashIsDetected()
{
    const QString name = QStringLiteral("crashy");
    auto spawned = spawnConnected(name);
    VERIFY_OK(spawned);
    const qint64 nspawn = *spawned->container->pid;
    const QList<Process> inside = descendants(nspawn);
    QVERIFY(!inside.isEmpty());

    // From the host, as the OOM killer or a stray `kill -9` would: nspawn and everything under it.
    const qsizetype from = m_events.size();
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(::kill(static_cast<pid_t>(nspawn), SIGKILL), 0);
    for (const Process &process : inside)
        ::kill(static_cast<pid_t>(process.pid), SIGKILL);
    const qsizetype crash = waitForEvent(QStringLiteral("container_crash"), name, from);
    QVERIFY2(crash >= 0, "no container_crash within 15 s");
    qInfo("container_crash %lld ms after the kill", qint64(timer.elapsed()));
    const QJsonObject data = m_events[crash].data;
    QCOMPARE(data.value(QStringLiteral("pid")).toInteger(), nspawn);
    QCOMPARE(data.value(QStringLiteral("crashes")).toInteger(), 1);
    QVERIFY(waitForEvent(QStringLiteral("agent_disconnected"), name, from) >= 0);

    auto crashed = agent(name);
    VERIFY_OK(crashed);
    QCOMPARE(crashed->state, QStringLiteral("crashed"));
    QCOMPARE(crashed->container->crashes, 1);
    QVERIFY(!crashed->container->pid);
}

void TestContainers::engineRestartKeepsContainers()
{
    const QString name = QStringLiteral("keeper");
    auto spawned = spawnConnected(name);
    VERIFY_OK(spawned);
    const qint64 nspawn = *spawned->container->pid;
    const auto harness = harnessPid(nspawn);
    QVERIFY(harness);
    const qint64 seen = m_events.last().seq;

    m_client.reset();
    QCOMPARE(m_engine->stop(SIGTERM), 0);
    QVERIFY2(isAlive(nspawn) && isAlive(*harness), "the container did not outlive the engine");

    m_events.clear();
    VERIFY_OK(startEngine());
    VERIFY_OK(connectClient(seen)); // what happened meanwhile is replayed
    const qsizetype restarted = waitForEvent(QStringLiteral("engine_started"), {}, 0);
    QVERIFY(restarted >= 0);
    QVERIFY2(waitForEvent(QStringLiteral("agent_connected"), name, restarted) >= 0,
             "the harness did not reconnect to the restarted engine");

    auto still = agent(name);
    VERIFY_OK(still);
    QCOMPARE(still->state, QStringLiteral("running"));
    QCOMPARE(still->container->pid.value_or(-1), nspawn);
    QCOMPARE(harnessPid(nspawn).value_or(-1), *harness); // the same harness, reconnected rather than restarted
    QCOMPARE(countEvents(QStringLiteral("container_crash"), 0), 0);
    QCOMPARE(still->container->crashes, 0);
}

void TestContainers::agentsAreIsolated()
{
    auto a = spawnConnected(QStringLiteral("iso-a"));
    VERIFY_OK(a);
    auto b = spawnConnected(QStringLiteral("iso-b"));
    VERIFY_OK(b);
    QVERIFY(a->container->uidBase != b->container->uidBase);
    const auto insideA = harnessPid(*a->container->pid);
    const auto insideB = harnessPid(*b->container->pid);
    QVERIFY(insideA && insideB);
    QCOMPARE(runInside(*insideA, QStringLiteral("touch /state/probe-a")).exitCode, 0);
    QCOMPARE(runInside(*insideB, QStringLiteral("touch /state/probe-b")).exitCode, 0);

    // A's /state is A's alone.
    const Output listed = runInside(*insideA, QStringLiteral("ls -A /state"));
    QCOMPARE(listed.exitCode, 0);
    QCOMPARE(listed.out, QByteArray("probe-a\n"));
    // B's probe is nowhere A can write or is handed things, and neither agent's host dirs are reachable.
    const Output found = runInside(
        *insideA, QStringLiteral("find /state /run/hive /root /tmp /var /opt /etc -name 'probe-*' 2>/dev/null; true"));
    QCOMPARE(found.out, QByteArray("/state/probe-a\n"));
    for (const QString &host : {agentPath(QStringLiteral("iso-a"), QStringLiteral("state")),
                                agentPath(QStringLiteral("iso-b"), QStringLiteral("state")), m_state}) {
        const Output reached = runInside(*insideA, QStringLiteral("test -e '%1' && echo reachable; true").arg(host));
        QVERIFY2(reached.exitCode == 0 && reached.out.isEmpty(), qPrintable(host));
    }
    // A's /proc shows A's processes only: one harness (not B's too), all in A's pid namespace.
    const Output harnesses = runInside(
        *insideA, QStringLiteral("for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done 2>/dev/null | "
                                 "grep -c '^/opt/hive/bin/hive-harness idle'"));
    QCOMPARE(harnesses.out.trimmed(), QByteArray("1"));
    const QByteArray namespaceB = QFile::encodeName(readLink(QStringLiteral("/proc/%1/ns/pid").arg(*insideB)));
    const Output namespaces =
        runInside(*insideA, QStringLiteral("for p in /proc/[0-9]*; do readlink $p/ns/pid; done 2>/dev/null | sort -u"));
    QVERIFY(!namespaceB.isEmpty());
    QVERIFY2(!namespaces.out.isEmpty() && !namespaces.out.contains(namespaceB), namespaces.out.constData());
    QCOMPARE(namespaces.out.count('\n'), 1);
}

QTEST_GUILESS_MAIN(TestContainers)
#include "tst_containers.moc"
