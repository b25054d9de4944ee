// SPDX-License-Identifier: MIT
// Approvals with real containers: a hive-engine process with the nspawn backend and the manager in its own
// container. The manager drafts an agent, edits and commits its config with git inside its container (/agents,
// /applied), and the approved commit becomes a running container with the declared limits; an engine killed with
// SIGKILL in the middle of a deploy finishes it on the next start. As root only.
#include "engineprocess.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "protocol/methods.h"
#include "rpcclient.h"
#include "statepaths.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

using namespace hive;
using namespace hive::protocol;
using hive::test::EngineProcess;

namespace {

constexpr int CallTimeout = 60000;

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run run(const QString &program, const QStringList &args, const QString &dir = QString())
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/usr/sbin:/bin:/sbin"));
    process.setProcessEnvironment(environment);
    if (!dir.isEmpty())
        process.setWorkingDirectory(dir);
    process.start(program, args);
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()).trimmed(),
            QString::fromUtf8(process.readAllStandardError()).trimmed()};
}

Run git(const QString &dir, const QStringList &args)
{
    return run(QStringLiteral("git"), QStringList{QStringLiteral("-C"), dir} + args);
}

/// The host pid of a process inside the container whose systemd-nspawn is `nspawnPid`: its main process.
qint64 insidePid(qint64 nspawnPid)
{
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QList<qint64> parents{nspawnPid};
    QList<std::pair<qint64, qint64>> processes; // pid, ppid
    for (const QString &entry : entries) {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        processes.append({entry.toLongLong(), text.mid(text.lastIndexOf(')') + 2).split(' ').value(1).toLongLong()});
    }
    while (!parents.isEmpty()) {
        const qint64 parent = parents.takeFirst();
        for (const auto &[pid, ppid] : std::as_const(processes)) {
            if (ppid != parent)
                continue;
            QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
            if (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains("hive-harness"))
                return pid;
            parents.append(pid);
        }
    }
    return 0;
}

} // namespace

#define VERIFY_OK(expr)                                                                                                \
    do {                                                                                                               \
        const auto &result_ = (expr);                                                                                  \
        QVERIFY2(result_, result_ ? "" : qPrintable(result_.error().message));                                         \
    } while (false)

class TestApprovalContainers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void twoStepSpawnFromTheManagersContainer();
    void killedMidDeployFinishesOnRestart();

private:
    Result<void> startEngine();
    Result<AgentInfo> agent(const QString &name);
    Result<AgentInfo> waitRunning(const QString &name);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_state;
    QString m_config;
    std::unique_ptr<EngineProcess> m_engine;
    std::unique_ptr<client::RpcClient> m_admin;
    std::unique_ptr<client::RpcClient> m_manager;
};

void TestApprovalContainers::initTestCase()
{
    if (::geteuid() != 0)
        QSKIP("real containers need root: run this test as root (it starts hive-engine with the nspawn backend)");
    if (QStandardPaths::findExecutable(QStringLiteral("systemd-nspawn")).isEmpty())
        QSKIP("systemd-nspawn is not installed (Debian: the systemd-container package)");
    QVERIFY2(QFileInfo(test::binaryPath(QStringLiteral("hive-harness"))).isExecutable(),
             "no hive-harness in HIVE_BIN_DIR");
}

void TestApprovalContainers::init()
{
    m_dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/hive-tst-approvals-XXXXXX"));
    QVERIFY(m_dir->isValid());
    m_state = m_dir->filePath(QStringLiteral("state"));
    m_config = m_dir->filePath(QStringLiteral("engine.conf"));
    QVERIFY(test::writeFile(m_config, "listen = \"off\"\n[containers]\nbackend = \"nspawn\"\nspawn_manager = true\n"
                                      "harness = \"" +
                                          QFile::encodeName(test::binaryPath(QStringLiteral("hive-harness"))) +
                                          "\"\nstop_grace_seconds = 2\n"
                                          "command = [\"/opt/hive/bin/hive-harness\", \"idle\"]\n"));
    VERIFY_OK(startEngine());
    VERIFY_OK(waitRunning(QStringLiteral("manager")));
}

void TestApprovalContainers::cleanup()
{
    if (m_admin && m_engine && m_engine->process().state() == QProcess::Running) {
        auto listed = m_admin->callAndWait<AgentListMethod>(AgentListParams{}, CallTimeout);
        for (const AgentInfo &info : listed ? listed->agents : QList<AgentInfo>{}) {
            if (info.container && info.name != QLatin1String("manager"))
                (void)m_admin->callAndWait<AgentPurgeMethod>(AgentPurgeParams{info.name}, CallTimeout);
        }
        (void)m_admin->callAndWait<AgentKillMethod>(AgentKillParams{QStringLiteral("manager")}, CallTimeout);
    }
    m_manager.reset();
    m_admin.reset();
    if (m_engine && m_engine->process().state() == QProcess::Running)
        (void)m_engine->stop(SIGTERM);
    if (QTest::currentTestFailed() && m_engine)
        qWarning("engine log:\n%s", qPrintable(m_engine->log()));
    m_engine.reset();
    m_dir.reset();
}

Result<void> TestApprovalContainers::startEngine()
{
    m_manager.reset();
    m_admin.reset();
    m_engine = std::make_unique<EngineProcess>(m_state, m_dir->filePath(QStringLiteral("engine.log")));
    auto started = m_engine->start({QStringLiteral("--config"), m_config});
    if (!started)
        return fail(started.error());
    m_admin = std::make_unique<client::RpcClient>(new client::LocalSocketPeer(paths::adminSocket(m_state)));
    if (auto opened = m_admin->openAndWait(CallTimeout); !opened)
        return opened;
    m_manager = std::make_unique<client::RpcClient>(
        new client::LocalSocketPeer(m_state + QStringLiteral("/run/agents/manager/agent.sock")));
    return m_manager->openAndWait(CallTimeout);
}

Result<AgentInfo> TestApprovalContainers::agent(const QString &name)
{
    auto listed = m_admin->callAndWait<AgentListMethod>(AgentListParams{}, CallTimeout);
    if (!listed)
        return fail(listed.error());
    for (const AgentInfo &info : std::as_const(listed->agents)) {
        if (info.name == name)
            return info;
    }
    return fail(ErrorCode::NotFound, QStringLiteral("agent_list has no '%1'").arg(name));
}

Result<AgentInfo> TestApprovalContainers::waitRunning(const QString &name)
{
    Result<AgentInfo> found = fail(ErrorCode::NotFound, QStringLiteral("not yet"));
    (void)QTest::qWaitFor(
        [&] {
            found = agent(name);
            return found && found->state == QLatin1String("running") && found->container && found->container->pid;
        },
        CallTimeout);
    if (found && found->state != QLatin1String("running"))
        return fail(ErrorCode::Unavailable, QStringLiteral("%1 is %2").arg(name, found->state));
    return found;
}

void TestApprovalContainers::twoStepSpawnFromTheManagersContainer()
{
    auto draft =
        m_manager->callAndWait<RequestSpawnDraftMethod>(RequestSpawnDraftParams{QStringLiteral("writer")}, CallTimeout);
    VERIFY_OK(draft);
    auto manager = agent(QStringLiteral("manager"));
    VERIFY_OK(manager);
    const qint64 inside = insidePid(*manager->container->pid);
    QVERIFY(inside > 0);
    // The manager edits the draft in its container and fetches what is applied, as it would with its tools.
    const QString script = QStringLiteral(
        "set -e; cd /agents/writer/config; "
        "printf 'description = \"writes\"\\nnetwork = \"none\"\\n[limits]\\nmemory = \"3G\"\\ncpu = \"150%%\"\\n' "
        "> agent.toml; git add agent.toml; git commit -q -m 'writer: offline, 3G'; git fetch -q applied; "
        "git rev-parse HEAD");
    const Run edited =
        run(QStringLiteral("nsenter"), {QStringLiteral("--target"), QString::number(inside), QStringLiteral("--all"),
                                        QStringLiteral("--"), QStringLiteral("/bin/sh"), QStringLiteral("-c"), script});
    QVERIFY2(edited.exitCode == 0, qPrintable(edited.err));
    // Other agents' files in their own uid ranges stay closed to the manager: the draft's state dir
    // belongs to the engine until the spawn hands it over, and a spawned agent's credentials (0700,
    // its range) cannot be listed from the manager's range.
    auto managerInside = [&](const QString &command) {
        return run(QStringLiteral("nsenter"),
                   {QStringLiteral("--target"), QString::number(inside), QStringLiteral("--all"), QStringLiteral("--"),
                    QStringLiteral("/bin/sh"), QStringLiteral("-c"), command});
    };
    const QString sha = edited.out;
    QCOMPARE(sha.size(), 40);
    // Written through the idmapped bind: still the engine's (root's) files on the host.
    struct stat info = {};
    QCOMPARE(::stat(QFile::encodeName(m_state + QStringLiteral("/agents/writer/config/agent.toml")).constData(), &info),
             0);
    QCOMPARE(info.st_uid, 0u);

    auto queued = m_manager->callAndWait<RequestSpawnCommitMethod>(
        RequestSpawnCommitParams{QStringLiteral("writer"), sha.left(12), QStringLiteral("a writer")}, CallTimeout);
    VERIFY_OK(queued);
    auto deployed =
        m_admin->callAndWait<ApprovalApproveMethod>(ApprovalApproveParams{queued->approval.id}, CallTimeout);
    VERIFY_OK(deployed);
    QCOMPARE(deployed->approval.state, QStringLiteral("deployed"));
    auto writer = waitRunning(QStringLiteral("writer"));
    VERIFY_OK(writer);
    QCOMPARE(writer->container->memoryMax, QStringLiteral("3G"));
    QCOMPARE(writer->container->cpuQuota, QStringLiteral("150%"));
    QCOMPARE(writer->container->network, QStringLiteral("none"));
    // The container has no network but loopback.
    const Run links =
        run(QStringLiteral("nsenter"),
            {QStringLiteral("--target"), QString::number(insidePid(*writer->container->pid)), QStringLiteral("--net"),
             QStringLiteral("--"), QStringLiteral("ip"), QStringLiteral("-o"), QStringLiteral("link")});
    QCOMPARE(links.exitCode, 0);
    QCOMPARE(links.out.count(QLatin1Char('\n')), 0); // one line: lo

    const QString applied = m_state + QStringLiteral("/applied/writer");
    const QString id = QString::number(queued->approval.id);
    QCOMPARE(git(applied, {QStringLiteral("rev-parse"), QStringLiteral("main")}).out, sha);
    QCOMPARE(git(applied, {QStringLiteral("cat-file"), QStringLiteral("-t"), QStringLiteral("deployed/") + id}).out,
             QStringLiteral("tag"));
    QCOMPARE(git(applied, {QStringLiteral("fsck"), QStringLiteral("--strict")}).exitCode, 0);
    QCOMPARE(git(m_state + QStringLiteral("/meta"),
                 {QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%s")})
                 .out,
             QStringLiteral("deploy writer deployed/%1 %2").arg(id, sha.left(12)));
    auto drafts = m_admin->callAndWait<DraftListMethod>(DraftListParams{}, CallTimeout);
    VERIFY_OK(drafts);
    QVERIFY(drafts->drafts.isEmpty());
    const Run secrets = managerInside(QStringLiteral("ls /agents/writer/claude"));
    QVERIFY2(secrets.exitCode != 0, qPrintable(secrets.out));
    QVERIFY2(secrets.err.contains(QStringLiteral("Permission denied")), qPrintable(secrets.err));
    // The applied repos are read-only in there.
    const Run write = managerInside(QStringLiteral("touch /applied/writer/x"));
    QVERIFY(write.exitCode != 0);
}

void TestApprovalContainers::killedMidDeployFinishesOnRestart()
{
    AgentSpawnParams params;
    params.name = QStringLiteral("alice");
    VERIFY_OK(m_admin->callAndWait<AgentSpawnMethod>(params, CallTimeout));
    const QString proposed = m_state + QStringLiteral("/agents/alice/config");
    QVERIFY(test::writeFile(proposed + QStringLiteral("/agent.toml"), "[limits]\nmemory = \"5G\"\n"));
    QCOMPARE(git(proposed, {QStringLiteral("-c"), QStringLiteral("user.name=m"), QStringLiteral("-c"),
                            QStringLiteral("user.email=m@x"), QStringLiteral("commit"), QStringLiteral("-qam"),
                            QStringLiteral("5G")})
                 .exitCode,
             0);
    const QString sha = git(proposed, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}).out;
    auto queued = m_manager->callAndWait<RequestApplyCommitMethod>(
        RequestApplyCommitParams{QStringLiteral("alice"), sha, QString()}, CallTimeout);
    VERIFY_OK(queued);
    const QString id = QString::number(queued->approval.id);
    const QString applied = m_state + QStringLiteral("/applied/alice");
    const QString buildingRef = applied + QStringLiteral("/refs/tags/building/") + id;

    m_admin->call<ApprovalApproveMethod>(ApprovalApproveParams{queued->approval.id},
                                         [](const Result<ApprovalResult> &) {});
    QVERIFY(QTest::qWaitFor([&] { return QFileInfo::exists(buildingRef); }, CallTimeout));
    m_admin.reset();
    m_manager.reset();
    QCOMPARE(m_engine->stop(SIGKILL), -1); // killed in the middle of the restart
    const QString tags = git(applied, {QStringLiteral("tag"), QStringLiteral("-l")}).out;
    QVERIFY2(!tags.contains(QStringLiteral("deployed/")) && !tags.contains(QStringLiteral("failed/")),
             qPrintable(tags));

    VERIFY_OK(startEngine());
    std::optional<ApprovalInfo> finished;
    QVERIFY(QTest::qWaitFor(
        [&] {
            auto got = m_admin->callAndWait<ApprovalGetMethod>(ApprovalGetParams{queued->approval.id}, CallTimeout);
            if (got && isTerminalApprovalState(got->approval.state))
                finished = got->approval;
            return finished.has_value();
        },
        CallTimeout));
    QCOMPARE(finished->state, QStringLiteral("deployed"));
    const QString after = git(applied, {QStringLiteral("tag"), QStringLiteral("-l")}).out;
    QCOMPARE(after.split(QLatin1Char('\n')),
             (QStringList{QStringLiteral("approved/") + id, QStringLiteral("building/") + id,
                          QStringLiteral("deployed/") + id, QStringLiteral("proposal/") + id}));
    QCOMPARE(git(applied, {QStringLiteral("rev-parse"), QStringLiteral("main")}).out, sha);
    QCOMPARE(git(applied, {QStringLiteral("fsck"), QStringLiteral("--strict")}).exitCode, 0);
    auto alice = waitRunning(QStringLiteral("alice"));
    VERIFY_OK(alice);
    QCOMPARE(alice->container->memoryMax, QStringLiteral("5G"));
}

QTEST_GUILESS_MAIN(TestApprovalContainers)
#include "tst_approvalcontainers.moc"
