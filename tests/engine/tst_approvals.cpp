// SPDX-License-Identifier: MIT
// The approval queue against a real in-process engine: real SQLite, real git repos (written by
// libgit2, checked with the git CLI), real agent and admin sockets, and a scripted container
// runtime. The whole state machine (proposal, approved, building, deployed / failed / denied),
// the meta deploy log, rollback of a failed deploy, capability deltas, spawns one-shot and in
// two steps, the allow-list taking effect, and a deploy interrupted by an engine stop.
#include "agents/agentsockets.h"
#include "approvals/approvals.h"
#include "broker/agentregistry.h"
#include "containers/agentlifecycle.h"
#include "engine.h"
#include "engineclients.h"
#include "fakeclock.h"
#include "fakeruntime.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "protocol/methods.h"
#include "rpcclient.h"
#include "store/eventlog.h"
#include "verify.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;
using hive::test::FakeRuntime;
using hive::test::FakeWorld;

namespace {

constexpr int Timeout = 15000;

struct GitRun {
    int exitCode = -1;
    QString out;
    QString err;
};

GitRun git(const QString &dir, const QStringList &args)
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.start(QStringLiteral("git"), QStringList{QStringLiteral("-c"), QStringLiteral("safe.directory=*")} + args);
    process.waitForFinished(30000);
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()).trimmed(),
            QString::fromUtf8(process.readAllStandardError()).trimmed()};
}

QString gitOk(const QString &dir, const QStringList &args)
{
    const GitRun run = git(dir, args);
    if (run.exitCode != 0)
        qWarning("git %s in %s failed: %s", qPrintable(args.join(QLatin1Char(' '))), qPrintable(dir),
                 qPrintable(run.err));
    return run.out;
}

} // namespace

class TestApprovals : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void agentsGetConfigRepos();
    void applyCommitDeploysThroughTheTags();
    void laterAmendsChangeNothing();
    void commitRefIsValidated_data();
    void commitRefIsValidated();
    void onlyTheManagerRequests();
    void invalidConfigIsRefusedWithPositions();
    void denyAnnotatesTheNote();
    void failedDeployKeepsTheRunningConfig();
    void approvalMustBuildOnTheRunningConfig();
    void approvalGetComparesWithEachBase();
    void deployedAllowListBlocksASend();
    void terminalFalseRefusesTerminals();
    void oneShotSpawn();
    void deniedSpawnLeavesOnlyTags();
    void twoStepSpawn();
    void draftsAreListedAndDiscarded();
    void engineStopMidDeployFinishesOnRestart();

private:
    void startEngine();
    std::unique_ptr<client::RpcClient> connectAgent(const QString &agent);
    Result<void> spawn(const QString &agent);
    /// Writes files into the agent's proposed repo and commits them with the git CLI; returns the sha.
    QString commitConfig(const QString &agent, const QMap<QString, QByteArray> &files, const QString &message);
    Result<ApprovalInfo> request(const QString &agent, const QString &ref, const QString &description = QString());
    Result<ApprovalInfo> approve(qint64 id);
    QString appliedDir(const QString &agent) const;
    QString tags(const QString &agent) const;
    QList<QJsonObject> managerInbox();

    std::unique_ptr<QTemporaryDir> m_dir;
    test::FakeClock m_clock;
    std::unique_ptr<FakeWorld> m_world;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<client::RpcClient> m_admin;
    std::unique_ptr<client::RpcClient> m_manager;
};

void TestApprovals::init()
{
    m_clock = test::FakeClock();
    m_dir = std::make_unique<QTemporaryDir>();
    m_world = std::make_unique<FakeWorld>();
    startEngine();
}

void TestApprovals::startEngine()
{
    EngineConfig config = EngineConfig::defaults();
    config.stateDir = m_dir->filePath(QStringLiteral("state"));
    config.listenHost = QStringLiteral("127.0.0.1");
    config.listenPort = 0;
    config.spawnManager = false;
    config.stopGraceSeconds = 1;
    m_engine = std::make_unique<Engine>(config, m_clock);
    m_engine->setContainerRuntime(std::make_unique<FakeRuntime>(*m_world));
    auto started = m_engine->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    m_admin = test::connectAdmin(*m_engine);
    m_manager = connectAgent(QStringLiteral("manager"));
}

void TestApprovals::cleanup()
{
    m_manager.reset();
    m_admin.reset();
    m_engine.reset();
    m_world.reset();
    m_dir.reset();
}

std::unique_ptr<client::RpcClient> TestApprovals::connectAgent(const QString &agent)
{
    auto client =
        std::make_unique<client::RpcClient>(new client::LocalSocketPeer(m_engine->agentSockets().socketPath(agent)));
    if (!client->openAndWait(Timeout))
        qWarning("cannot connect to %s's socket", qPrintable(agent));
    return client;
}

Result<void> TestApprovals::spawn(const QString &agent)
{
    AgentSpawnParams params;
    params.name = agent;
    std::optional<Result<void>> out;
    m_engine->lifecycle().spawn(params, [&out](const Result<void> &done) { out = done; });
    (void)QTest::qWaitFor([&out] { return out.has_value(); }, Timeout);
    return out ? *out : Result<void>(fail(ErrorCode::Internal, QStringLiteral("no answer")));
}

QString TestApprovals::commitConfig(const QString &agent, const QMap<QString, QByteArray> &files,
                                    const QString &message)
{
    const QString repo = m_engine->approvals().repos().proposedPath(agent);
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        const QString path = QDir(repo).filePath(it.key());
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qWarning("cannot write %s", qPrintable(path));
        file.write(*it);
    }
    gitOk(repo, {QStringLiteral("add"), QStringLiteral("-A")});
    gitOk(repo, {QStringLiteral("-c"), QStringLiteral("user.name=manager"), QStringLiteral("-c"),
                 QStringLiteral("user.email=manager@hive"), QStringLiteral("commit"), QStringLiteral("-q"),
                 QStringLiteral("-m"), message});
    return gitOk(repo, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
}

Result<ApprovalInfo> TestApprovals::request(const QString &agent, const QString &ref, const QString &description)
{
    auto result =
        m_manager->callAndWait<RequestApplyCommitMethod>(RequestApplyCommitParams{agent, ref, description}, Timeout);
    if (!result)
        return fail(result.error());
    return result->approval;
}

Result<ApprovalInfo> TestApprovals::approve(qint64 id)
{
    auto result = m_admin->callAndWait<ApprovalApproveMethod>(ApprovalApproveParams{id}, Timeout);
    if (!result)
        return fail(result.error());
    return result->approval;
}

QString TestApprovals::appliedDir(const QString &agent) const
{
    return m_dir->filePath(QStringLiteral("state/applied/") + agent);
}

QString TestApprovals::tags(const QString &agent) const
{
    return gitOk(appliedDir(agent), {QStringLiteral("tag"), QStringLiteral("-l")})
        .split(QLatin1Char('\n'))
        .join(QLatin1Char(' '));
}

QList<QJsonObject> TestApprovals::managerInbox()
{
    QList<QJsonObject> events;
    auto received = m_manager->callAndWait<RecvMethod>(RecvParams{0.0, 32}, Timeout);
    if (!received)
        return events;
    QList<qint64> ids;
    for (const Message &message : std::as_const(received->messages)) {
        events.append(QJsonDocument::fromJson(message.body.toUtf8()).object());
        ids << message.id;
    }
    (void)m_manager->callAndWait<AckMethod>(AckParams{ids}, Timeout);
    return events;
}

void TestApprovals::agentsGetConfigRepos()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const QString proposed = m_engine->approvals().repos().proposedPath(QStringLiteral("alice"));
    QCOMPARE(git(proposed, {QStringLiteral("status"), QStringLiteral("--porcelain")}).out, QString());
    QVERIFY(QFile::exists(QDir(proposed).filePath(QStringLiteral("agent.toml"))));
    // The applied remote works as `git fetch applied` from the work tree.
    const GitRun fetched = git(proposed, {QStringLiteral("fetch"), QStringLiteral("applied")});
    QVERIFY2(fetched.exitCode == 0, qPrintable(fetched.err));
    QCOMPARE(gitOk(proposed, {QStringLiteral("remote"), QStringLiteral("get-url"), QStringLiteral("applied")}),
             QStringLiteral("../../../applied/alice"));
    QCOMPARE(gitOk(appliedDir(QStringLiteral("alice")),
                   {QStringLiteral("rev-parse"), QStringLiteral("--is-bare-repository")}),
             QStringLiteral("true"));
    // The manager has its repos from the start too.
    QVERIFY(m_engine->approvals().repos().hasProposed(QStringLiteral("manager")));
}

void TestApprovals::applyCommitDeploysThroughTheTags()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    VERIFY_OK(spawn(QStringLiteral("bob")));
    const int startsBefore = m_world->starts;
    const QString sha = commitConfig(QStringLiteral("alice"),
                                     {{QStringLiteral("agent.toml"), "description = \"tests\"\n"
                                                                     "allowed_recipients = [\"operator\"]\n"
                                                                     "allowed_bash_patterns = [\"git *\"]\n"
                                                                     "[limits]\nmemory = \"8G\"\ncpu = \"100%\"\n"}},
                                     QStringLiteral("more memory, git only"));
    auto queued = request(QStringLiteral("alice"), sha.left(10), QStringLiteral("give alice git"));
    VERIFY_OK(queued);
    QCOMPARE(queued->state, QString::fromLatin1(approvalstates::Pending));
    QCOMPARE(queued->commit, sha);
    QCOMPARE(queued->kind, QString::fromLatin1(approvalkinds::ApplyCommit));
    QCOMPARE(queued->requestedBy, QStringLiteral("manager"));
    const QString id = QString::number(queued->id);
    const QString applied = appliedDir(QStringLiteral("alice"));
    QCOMPARE(tags(QStringLiteral("alice")), QStringLiteral("proposal/") + id);
    QCOMPARE(gitOk(applied, {QStringLiteral("cat-file"), QStringLiteral("-t"), QStringLiteral("proposal/") + id}),
             QStringLiteral("tag"));
    QCOMPARE(gitOk(applied, {QStringLiteral("rev-parse"), QStringLiteral("proposal/%1^{commit}").arg(id)}), sha);

    auto listed = m_admin->callAndWait<ApprovalListMethod>(ApprovalListParams{}, Timeout);
    VERIFY_OK(listed);
    QCOMPARE(listed->approvals.size(), 1);
    QCOMPARE(listed->approvals.first().id, queued->id);

    auto deployed = approve(queued->id);
    VERIFY_OK(deployed);
    QCOMPARE(deployed->state, QString::fromLatin1(approvalstates::Deployed));
    QVERIFY(deployed->resolvedBy && deployed->resolvedBy->startsWith(QStringLiteral("local")));
    QVERIFY(gitOk(applied, {QStringLiteral("cat-file"), QStringLiteral("-p"), QStringLiteral("approved/") + id})
                .contains(QStringLiteral("approved by ") + *deployed->resolvedBy));
    for (const QString &state : {QStringLiteral("approved"), QStringLiteral("building"), QStringLiteral("deployed")}) {
        QCOMPARE(gitOk(applied, {QStringLiteral("cat-file"), QStringLiteral("-t"), state + QLatin1Char('/') + id}),
                 QStringLiteral("tag"));
    }
    QCOMPARE(gitOk(applied, {QStringLiteral("rev-parse"), QStringLiteral("main")}), sha);
    QCOMPARE(git(applied, {QStringLiteral("fsck"), QStringLiteral("--strict")}).exitCode, 0);

    // The meta repo: one commit for the deploy, running.txt naming the commit.
    const QString meta = m_engine->approvals().repos().metaPath();
    QCOMPARE(gitOk(meta, {QStringLiteral("log"), QStringLiteral("--format=%s"), QStringLiteral("main")}),
             QStringLiteral("deploy alice deployed/%1 %2").arg(id, sha.left(12)));
    QCOMPARE(gitOk(meta, {QStringLiteral("show"), QStringLiteral("main:running.txt")}),
             QStringLiteral("alice %1 deployed/%2").arg(sha, id));
    QCOMPARE(git(meta, {QStringLiteral("fsck"), QStringLiteral("--strict")}).exitCode, 0);

    // Materialised: the container restarted with the new limits, the allow-list is in the broker,
    // the harness's config has the CLI's allowed tools.
    QCOMPARE(m_world->starts, startsBefore + 1);
    QCOMPARE(m_world->specs.value(QStringLiteral("alice")).memoryMax, QStringLiteral("8G"));
    QCOMPARE(m_world->specs.value(QStringLiteral("alice")).cpuQuota, QStringLiteral("100%"));
    auto record = m_engine->agents().find(QStringLiteral("alice"));
    VERIFY_OK(record);
    QCOMPARE((*record)->allowedRecipients, QStringList{QStringLiteral("operator")});
    auto alice = connectAgent(QStringLiteral("alice"));
    auto config = alice->callAndWait<ConfigMethod>(ConfigParams{}, Timeout);
    VERIFY_OK(config);
    QCOMPARE(config->commit, std::optional<QString>(sha));
    QCOMPARE(config->allowedTools, QStringList{QStringLiteral("Bash(git *)")});

    // The requester heard about it.
    const QList<QJsonObject> inbox = managerInbox();
    const auto resolved = std::find_if(inbox.cbegin(), inbox.cend(), [](const QJsonObject &event) {
        return event.value(QStringLiteral("event")).toString() == QLatin1String("approval_resolved");
    });
    QVERIFY(resolved != inbox.cend());
    QCOMPARE(resolved->value(QStringLiteral("state")).toString(), QStringLiteral("deployed"));
    QCOMPARE(resolved->value(QStringLiteral("id")).toInteger(), queued->id);

    // And the events tell every step.
    auto events = m_engine->events().since(0);
    VERIFY_OK(events);
    QStringList kinds;
    for (const Event &event : std::as_const(*events)) {
        if (event.kind.startsWith(QLatin1String("approval_")))
            kinds << event.kind + QLatin1Char(':') +
                         event.data.value(QStringLiteral("approval"))
                             .toObject()
                             .value(QStringLiteral("state"))
                             .toString();
    }
    QCOMPARE(kinds,
             (QStringList{QStringLiteral("approval_added:pending"), QStringLiteral("approval_changed:approved"),
                          QStringLiteral("approval_changed:building"), QStringLiteral("approval_resolved:deployed")}));
}

void TestApprovals::laterAmendsChangeNothing()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const QString sha = commitConfig(QStringLiteral("alice"), {{QStringLiteral("agent.toml"), "model = \"a\"\n"}},
                                     QStringLiteral("model a"));
    auto queued = request(QStringLiteral("alice"), sha);
    VERIFY_OK(queued);
    // The manager amends and even garbage-collects its repo: the proposal is safe in applied/.
    const QString proposed = m_engine->approvals().repos().proposedPath(QStringLiteral("alice"));
    QFile file(QDir(proposed).filePath(QStringLiteral("agent.toml")));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("model = \"b\"\n");
    file.close();
    gitOk(proposed, {QStringLiteral("-c"), QStringLiteral("user.name=m"), QStringLiteral("-c"),
                     QStringLiteral("user.email=m@x"), QStringLiteral("commit"), QStringLiteral("-qa"),
                     QStringLiteral("--amend"), QStringLiteral("-m"), QStringLiteral("model b")});
    gitOk(proposed, {QStringLiteral("reflog"), QStringLiteral("expire"), QStringLiteral("--expire=now"),
                     QStringLiteral("--all")});
    gitOk(proposed, {QStringLiteral("gc"), QStringLiteral("-q"), QStringLiteral("--prune=now")});
    QCOMPARE(git(proposed, {QStringLiteral("cat-file"), QStringLiteral("-t"), sha}).exitCode, 128);

    auto deployed = approve(queued->id);
    VERIFY_OK(deployed);
    QCOMPARE(deployed->state, QString::fromLatin1(approvalstates::Deployed));
    QCOMPARE(gitOk(appliedDir(QStringLiteral("alice")), {QStringLiteral("show"), QStringLiteral("main:agent.toml")}),
             QStringLiteral("model = \"a\""));
}

void TestApprovals::commitRefIsValidated_data()
{
    QTest::addColumn<QString>("ref");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::newRow("branch") << QStringLiteral("main") << static_cast<int>(ErrorCode::InvalidParams)
                            << QStringLiteral("branch and tag names are refused");
    QTest::newRow("tag") << QStringLiteral("v1.0") << static_cast<int>(ErrorCode::InvalidParams)
                         << QStringLiteral("7 to 40 hex digits");
    QTest::newRow("too short") << QStringLiteral("abc123") << static_cast<int>(ErrorCode::InvalidParams)
                               << QStringLiteral("7 to 40 hex digits");
    QTest::newRow("too long") << QString(41, QLatin1Char('a')) << static_cast<int>(ErrorCode::InvalidParams)
                              << QStringLiteral("7 to 40 hex digits");
    QTest::newRow("unknown") << QString(40, QLatin1Char('e')) << static_cast<int>(ErrorCode::NotFound)
                             << QStringLiteral("is not a commit of alice's config repo");
}

void TestApprovals::commitRefIsValidated()
{
    QFETCH(QString, ref);
    QFETCH(int, code);
    QFETCH(QString, message);
    VERIFY_OK(spawn(QStringLiteral("alice")));
    auto refused = request(QStringLiteral("alice"), ref);
    QVERIFY(!refused);
    QCOMPARE(static_cast<int>(refused.error().code), code);
    QVERIFY2(refused.error().message.contains(message), qPrintable(refused.error().message));
    QCOMPARE(tags(QStringLiteral("alice")), QString());
    auto listed = m_admin->callAndWait<ApprovalListMethod>(
        ApprovalListParams{QStringLiteral("all"), std::nullopt, 100, std::nullopt}, Timeout);
    VERIFY_OK(listed);
    QVERIFY(listed->approvals.isEmpty());
}

void TestApprovals::onlyTheManagerRequests()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const QString sha =
        commitConfig(QStringLiteral("alice"), {{QStringLiteral("agent.toml"), "model = \"x\"\n"}}, QStringLiteral("x"));
    auto alice = connectAgent(QStringLiteral("alice"));
    auto refused = alice->callAndWait<RequestApplyCommitMethod>(
        RequestApplyCommitParams{QStringLiteral("alice"), sha, QString()}, Timeout);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Forbidden);
    auto spawnRefused =
        alice->callAndWait<RequestSpawnDraftMethod>(RequestSpawnDraftParams{QStringLiteral("evil")}, Timeout);
    QVERIFY(!spawnRefused);
    QCOMPARE(spawnRefused.error().code, ErrorCode::Forbidden);
    // A viewer may look but not approve.
    auto queued = request(QStringLiteral("alice"), sha);
    VERIFY_OK(queued);
    auto viewer = test::connectRemote(*m_engine, Role::Viewer);
    VERIFY_OK(viewer->callAndWait<ApprovalGetMethod>(ApprovalGetParams{queued->id}, Timeout));
    auto notAllowed = viewer->callAndWait<ApprovalApproveMethod>(ApprovalApproveParams{queued->id}, Timeout);
    QVERIFY(!notAllowed);
    QCOMPARE(notAllowed.error().code, ErrorCode::Forbidden);
}

void TestApprovals::invalidConfigIsRefusedWithPositions()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const QString sha = commitConfig(QStringLiteral("alice"),
                                     {{QStringLiteral("agent.toml"), "description = \"x\"\nmodle = \"y\"\n"
                                                                     "[limits]\nmemory = \"4 GB\"\n"}},
                                     QStringLiteral("broken"));
    auto refused = request(QStringLiteral("alice"), sha);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Config);
    const QString message = refused.error().message;
    QVERIFY2(message.contains(QStringLiteral("agent.toml:2:1: unknown key 'modle'")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("agent.toml:4:10: ")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("did you mean 'model'?")), qPrintable(message));
    QCOMPARE(tags(QStringLiteral("alice")), QString());

    // A prompt file that is not in the commit, and a recipient that is no agent.
    const QString missing =
        commitConfig(QStringLiteral("alice"), {{QStringLiteral("agent.toml"), "prompt = { file = \"prompt.md\" }\n"}},
                     QStringLiteral("prompt file"));
    auto noPrompt = request(QStringLiteral("alice"), missing);
    QVERIFY(!noPrompt);
    QVERIFY2(noPrompt.error().message.contains(QStringLiteral("the prompt file 'prompt.md' is not in the commit")),
             qPrintable(noPrompt.error().message));
    const QString stranger =
        commitConfig(QStringLiteral("alice"), {{QStringLiteral("agent.toml"), "allowed_recipients = [\"zed\"]\n"}},
                     QStringLiteral("zed"));
    auto noZed = request(QStringLiteral("alice"), stranger);
    QVERIFY(!noZed);
    QCOMPARE(noZed.error().code, ErrorCode::Config);
    QVERIFY2(noZed.error().message.contains(QStringLiteral("zed")), qPrintable(noZed.error().message));
}

void TestApprovals::denyAnnotatesTheNote()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const QString sha = commitConfig(QStringLiteral("alice"), {{QStringLiteral("agent.toml"), "network = \"host\"\n"}},
                                     QStringLiteral("net"));
    auto queued = request(QStringLiteral("alice"), sha);
    VERIFY_OK(queued);
    (void)managerInbox();
    const QString note = QStringLiteral("not now: explain why alice needs it");
    auto denied = m_admin->callAndWait<ApprovalDenyMethod>(ApprovalDenyParams{queued->id, note}, Timeout);
    VERIFY_OK(denied);
    QCOMPARE(denied->approval.state, QString::fromLatin1(approvalstates::Denied));
    QCOMPARE(denied->approval.note, std::optional<QString>(note));
    const QString tag = QStringLiteral("denied/%1").arg(queued->id);
    const QString applied = appliedDir(QStringLiteral("alice"));
    QCOMPARE(gitOk(applied, {QStringLiteral("cat-file"), QStringLiteral("-t"), tag}), QStringLiteral("tag"));
    QVERIFY(gitOk(applied, {QStringLiteral("cat-file"), QStringLiteral("-p"), tag}).contains(note));
    QVERIFY(gitOk(applied, {QStringLiteral("rev-parse"), QStringLiteral("--verify"), QStringLiteral("-q"),
                            QStringLiteral("main")})
                .isEmpty()); // nothing deployed
    const QList<QJsonObject> inbox = managerInbox();
    QCOMPARE(inbox.size(), 1);
    QCOMPARE(inbox.first().value(QStringLiteral("state")).toString(), QStringLiteral("denied"));
    QCOMPARE(inbox.first().value(QStringLiteral("note")).toString(), note);

    auto again = m_admin->callAndWait<ApprovalDenyMethod>(ApprovalDenyParams{queued->id, note}, Timeout);
    QVERIFY(!again);
    QCOMPARE(again.error().code, ErrorCode::Conflict);
    auto late = approve(queued->id);
    QVERIFY(!late);
    QCOMPARE(late.error().code, ErrorCode::Conflict);
    auto unknown = approve(9999);
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().code, ErrorCode::NotFound);
}

void TestApprovals::failedDeployKeepsTheRunningConfig()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const QString sha = commitConfig(QStringLiteral("alice"),
                                     {{QStringLiteral("agent.toml"), "allowed_recipients = [\"operator\"]\n"
                                                                     "[limits]\nmemory = \"16G\"\n"}},
                                     QStringLiteral("big"));
    auto queued = request(QStringLiteral("alice"), sha);
    VERIFY_OK(queued);
    m_world->failStart = QStringLiteral("the fake machine will not boot");
    auto failed = approve(queued->id);
    VERIFY_OK(failed);
    QCOMPARE(failed->state, QString::fromLatin1(approvalstates::Failed));
    QVERIFY2(failed->error && failed->error->contains(QStringLiteral("will not boot")),
             qPrintable(failed->error.value_or(QString())));
    const QString applied = appliedDir(QStringLiteral("alice"));
    const QString tag = QStringLiteral("failed/%1").arg(queued->id);
    QCOMPARE(gitOk(applied, {QStringLiteral("cat-file"), QStringLiteral("-t"), tag}), QStringLiteral("tag"));
    QVERIFY(gitOk(applied, {QStringLiteral("cat-file"), QStringLiteral("-p"), tag})
                .contains(QStringLiteral("will not boot")));
    QCOMPARE(git(applied, {QStringLiteral("rev-parse"), QStringLiteral("--verify"), QStringLiteral("-q"),
                           QStringLiteral("main")})
                 .exitCode,
             1); // main unchanged: still unborn
    QVERIFY(!tags(QStringLiteral("alice")).contains(QStringLiteral("deployed/")));
    // Settings, allow-list and the served config are what they were.
    auto container = m_engine->lifecycle().find(QStringLiteral("alice"));
    VERIFY_OK(container);
    QCOMPARE((*container)->memoryMax, QStringLiteral("4G"));
    auto record = m_engine->agents().find(QStringLiteral("alice"));
    VERIFY_OK(record);
    QVERIFY((*record)->allowedRecipients.isEmpty());
    auto config = m_engine->approvals().deployedConfig(QStringLiteral("alice"));
    VERIFY_OK(config);
    QVERIFY(!config->has_value());
    QCOMPARE(gitOk(m_engine->approvals().repos().metaPath(), {QStringLiteral("log"), QStringLiteral("--oneline")}),
             QString()); // no deploy recorded
}

void TestApprovals::approvalMustBuildOnTheRunningConfig()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const QString proposed = m_engine->approvals().repos().proposedPath(QStringLiteral("alice"));
    const QString base = gitOk(proposed, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
    const QString first = commitConfig(QStringLiteral("alice"), {{QStringLiteral("agent.toml"), "model = \"one\"\n"}},
                                       QStringLiteral("one"));
    gitOk(proposed, {QStringLiteral("reset"), QStringLiteral("-q"), QStringLiteral("--hard"), base});
    const QString second = commitConfig(QStringLiteral("alice"), {{QStringLiteral("agent.toml"), "model = \"two\"\n"}},
                                        QStringLiteral("two"));
    auto one = request(QStringLiteral("alice"), first);
    auto two = request(QStringLiteral("alice"), second);
    VERIFY_OK(one);
    VERIFY_OK(two);
    QCOMPARE(approve(one->id)->state, QString::fromLatin1(approvalstates::Deployed));
    auto refused = approve(two->id);
    VERIFY_OK(refused);
    QCOMPARE(refused->state, QString::fromLatin1(approvalstates::Failed));
    QVERIFY2(refused->error->contains(QStringLiteral("does not build on the running config")),
             qPrintable(*refused->error));
    QCOMPARE(gitOk(appliedDir(QStringLiteral("alice")), {QStringLiteral("rev-parse"), QStringLiteral("main")}), first);
}

void TestApprovals::approvalGetComparesWithEachBase()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    VERIFY_OK(spawn(QStringLiteral("bob")));
    const QString first = commitConfig(
        QStringLiteral("alice"), {{QStringLiteral("agent.toml"), "allowed_tools = [\"Read\"]\nnetwork = \"none\"\n"}},
        QStringLiteral("read only"));
    auto one = request(QStringLiteral("alice"), first);
    VERIFY_OK(one);
    QCOMPARE(approve(one->id)->state, QString::fromLatin1(approvalstates::Deployed));
    const QString second = commitConfig(QStringLiteral("alice"),
                                        {{QStringLiteral("agent.toml"), "allowed_tools = [\"Read\", \"Edit\"]\n"
                                                                        "allowed_recipients = [\"bob\"]\n"},
                                         {QStringLiteral("prompt.md"), "Be brief.\n"}},
                                        QStringLiteral("edit too"));
    auto two = request(QStringLiteral("alice"), second);
    VERIFY_OK(two);
    const QString third = commitConfig(
        QStringLiteral("alice"), {{QStringLiteral("agent.toml"), "allowed_tools = []\n"}}, QStringLiteral("nothing"));
    auto three = request(QStringLiteral("alice"), third);
    VERIFY_OK(three);

    auto running = m_admin->callAndWait<ApprovalGetMethod>(ApprovalGetParams{two->id}, Timeout);
    VERIFY_OK(running);
    QCOMPARE(running->baseCommit, std::optional<QString>(first));
    QCOMPARE(running->files.size(), 2);
    QCOMPARE(running->files.at(0).newPath, QStringLiteral("agent.toml"));
    QCOMPARE(running->files.at(0).status, QStringLiteral("modified"));
    QCOMPARE(running->files.at(1).newPath, QStringLiteral("prompt.md"));
    QCOMPARE(running->files.at(1).status, QStringLiteral("added"));
    QVERIFY(running->files.at(0).hunks.first().lines.contains(QStringLiteral("+allowed_tools = [\"Read\", \"Edit\"]")));
    QVERIFY(running->files.at(0).hunks.first().lines.contains(QStringLiteral("-network = \"none\"")));
    // Edit added (widening), network none -> host (widening), recipients anyone -> bob (narrowing).
    auto find = [&running](const QString &area, const QString &item) {
        for (const CapabilityChange &change : std::as_const(running->delta)) {
            if (change.area == area && change.item == item)
                return std::optional<CapabilityChange>(change);
        }
        return std::optional<CapabilityChange>();
    };
    QVERIFY(find(QStringLiteral("tools"), QStringLiteral("Edit")));
    QVERIFY(find(QStringLiteral("tools"), QStringLiteral("Edit"))->widening);
    QVERIFY(find(QStringLiteral("network"), QStringLiteral("network")).has_value() ||
            std::any_of(running->delta.cbegin(), running->delta.cend(),
                        [](const CapabilityChange &c) { return c.area == QLatin1String("network") && c.widening; }));
    QVERIFY(std::any_of(running->delta.cbegin(), running->delta.cend(), [](const CapabilityChange &c) {
        return c.area == QLatin1String("recipients") && !c.widening;
    }));

    auto queuedBase = m_admin->callAndWait<ApprovalGetMethod>(
        ApprovalGetParams{three->id, QString::fromLatin1(approvalbases::Queued)}, Timeout);
    VERIFY_OK(queuedBase);
    QCOMPARE(queuedBase->baseCommit, std::optional<QString>(second));
    QVERIFY(std::any_of(queuedBase->delta.cbegin(), queuedBase->delta.cend(), [](const CapabilityChange &c) {
        return c.area == QLatin1String("tools") && c.item == QLatin1String("Edit") && !c.widening;
    }));
    auto approvedBase = m_admin->callAndWait<ApprovalGetMethod>(
        ApprovalGetParams{three->id, QString::fromLatin1(approvalbases::Approved)}, Timeout);
    VERIFY_OK(approvedBase);
    QCOMPARE(approvedBase->baseCommit, std::optional<QString>(first));
    auto nothingQueued = m_admin->callAndWait<ApprovalGetMethod>(
        ApprovalGetParams{two->id, QString::fromLatin1(approvalbases::Queued)}, Timeout);
    VERIFY_OK(nothingQueued);
    QVERIFY(!nothingQueued->baseCommit);
    QCOMPARE(nothingQueued->baseDescription, QStringLiteral("no earlier proposal is queued"));
}

void TestApprovals::deployedAllowListBlocksASend()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    VERIFY_OK(spawn(QStringLiteral("bob")));
    VERIFY_OK(spawn(QStringLiteral("carol")));
    auto alice = connectAgent(QStringLiteral("alice"));
    VERIFY_OK(alice->callAndWait<SendMethod>(SendParams{QStringLiteral("carol"), QStringLiteral("hi"), {}}, Timeout));
    const QString sha = commitConfig(QStringLiteral("alice"),
                                     {{QStringLiteral("agent.toml"), "allowed_recipients = [\"bob\", \"operator\"]\n"}},
                                     QStringLiteral("bob only"));
    auto queued = request(QStringLiteral("alice"), sha);
    VERIFY_OK(queued);
    QCOMPARE(approve(queued->id)->state, QString::fromLatin1(approvalstates::Deployed));
    alice = connectAgent(QStringLiteral("alice")); // the container restarted; the socket is new
    auto blocked =
        alice->callAndWait<SendMethod>(SendParams{QStringLiteral("carol"), QStringLiteral("hi again"), {}}, Timeout);
    QVERIFY(!blocked);
    QCOMPARE(blocked.error().code, ErrorCode::Forbidden);
    QVERIFY2(blocked.error().message.contains(QStringLiteral("allowed_recipients")),
             qPrintable(blocked.error().message));
    VERIFY_OK(alice->callAndWait<SendMethod>(SendParams{QStringLiteral("bob"), QStringLiteral("hi"), {}}, Timeout));
    VERIFY_OK(alice->callAndWait<SendMethod>(SendParams{QStringLiteral("manager"), QStringLiteral("hi"), {}}, Timeout));
}

void TestApprovals::terminalFalseRefusesTerminals()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const QString sha = commitConfig(QStringLiteral("alice"), {{QStringLiteral("agent.toml"), "terminal = false\n"}},
                                     QStringLiteral("no terminals"));
    auto queued = request(QStringLiteral("alice"), sha);
    VERIFY_OK(queued);
    QCOMPARE(approve(queued->id)->state, QString::fromLatin1(approvalstates::Deployed));
    auto refused =
        m_admin->callAndWait<TerminalOpenMethod>(TerminalOpenParams{QStringLiteral("alice"), 80, 24}, Timeout);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Forbidden);
    QVERIFY2(refused.error().message.contains(QStringLiteral("terminal = false")), qPrintable(refused.error().message));
}

void TestApprovals::oneShotSpawn()
{
    auto queued = m_admin->callAndWait<RequestSpawnMethod>(
        RequestSpawnParams{QStringLiteral("carol"), QStringLiteral("Writes the docs")}, Timeout);
    VERIFY_OK(queued);
    QCOMPARE(queued->approval.kind, QString::fromLatin1(approvalkinds::Spawn));
    QCOMPARE(queued->approval.requestedBy, QStringLiteral("operator"));
    auto registered = m_engine->agents().find(QStringLiteral("carol"));
    VERIFY_OK(registered);
    QVERIFY(!registered->has_value()); // nothing until approved
    auto twice =
        m_admin->callAndWait<RequestSpawnMethod>(RequestSpawnParams{QStringLiteral("carol"), QString()}, Timeout);
    QVERIFY(!twice);
    QCOMPARE(twice.error().code, ErrorCode::AlreadyExists);
    auto reserved =
        m_admin->callAndWait<RequestSpawnMethod>(RequestSpawnParams{QStringLiteral("operator"), QString()}, Timeout);
    QVERIFY(!reserved);
    QCOMPARE(reserved.error().code, ErrorCode::InvalidParams);

    auto deployed = approve(queued->approval.id);
    VERIFY_OK(deployed);
    QCOMPARE(deployed->state, QString::fromLatin1(approvalstates::Deployed));
    auto info = m_engine->lifecycle().find(QStringLiteral("carol"));
    VERIFY_OK(info);
    QVERIFY(info->has_value());
    QCOMPARE((*info)->state, QStringLiteral("running"));
    const QString applied = appliedDir(QStringLiteral("carol"));
    QCOMPARE(gitOk(applied, {QStringLiteral("rev-parse"), QStringLiteral("main")}), queued->approval.commit);
    QVERIFY(gitOk(applied, {QStringLiteral("show"), QStringLiteral("main:agent.toml")})
                .contains(QStringLiteral("description = \"Writes the docs\"")));
    QCOMPARE(gitOk(m_engine->approvals().repos().metaPath(),
                   {QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%s")}),
             QStringLiteral("deploy carol deployed/%1 %2").arg(deployed->id).arg(deployed->commit.left(12)));
}

void TestApprovals::deniedSpawnLeavesOnlyTags()
{
    auto queued =
        m_manager->callAndWait<AgentRequestSpawnMethod>(RequestSpawnParams{QStringLiteral("dave"), QString()}, Timeout);
    VERIFY_OK(queued);
    QVERIFY(m_engine->approvals().repos().hasProposed(QStringLiteral("dave")));
    VERIFY_OK(m_admin->callAndWait<ApprovalDenyMethod>(
        ApprovalDenyParams{queued->approval.id, QStringLiteral("we have enough agents")}, Timeout));
    QVERIFY(!m_engine->approvals().repos().hasProposed(QStringLiteral("dave")));
    QCOMPARE(tags(QStringLiteral("dave")), QStringLiteral("denied/%1 proposal/%1").arg(queued->approval.id));
    // The name is free again.
    VERIFY_OK(m_manager->callAndWait<AgentRequestSpawnMethod>(RequestSpawnParams{QStringLiteral("dave"), QString()},
                                                              Timeout));
}

void TestApprovals::twoStepSpawn()
{
    auto draft =
        m_manager->callAndWait<RequestSpawnDraftMethod>(RequestSpawnDraftParams{QStringLiteral("erin")}, Timeout);
    VERIFY_OK(draft);
    QCOMPARE(draft->draft.name, QStringLiteral("erin"));
    QCOMPARE(draft->draft.head.size(), 40);
    QVERIFY(QFileInfo::exists(m_dir->filePath(QStringLiteral("state/agents/erin/state"))));
    QVERIFY(m_world->specs.isEmpty()); // no container
    const QList<QJsonObject> inbox = managerInbox();
    QCOMPARE(inbox.size(), 1);
    QCOMPARE(inbox.first().value(QStringLiteral("event")).toString(), QStringLiteral("config_ready"));
    QCOMPARE(inbox.first().value(QStringLiteral("name")).toString(), QStringLiteral("erin"));

    // request_apply_commit is not for drafts; request_spawn of a drafted name is refused.
    const QString sha =
        commitConfig(QStringLiteral("erin"),
                     {{QStringLiteral("agent.toml"), "description = \"release notes\"\n"
                                                     "network = \"none\"\n[limits]\nmemory = \"2G\"\n"}},
                     QStringLiteral("erin's config"));
    auto wrongKind = request(QStringLiteral("erin"), sha);
    QVERIFY(!wrongKind);
    QVERIFY2(wrongKind.error().message.contains(QStringLiteral("request_spawn_commit")),
             qPrintable(wrongKind.error().message));
    auto taken =
        m_manager->callAndWait<AgentRequestSpawnMethod>(RequestSpawnParams{QStringLiteral("erin"), QString()}, Timeout);
    QVERIFY(!taken);
    QCOMPARE(taken.error().code, ErrorCode::AlreadyExists);

    auto queued = m_manager->callAndWait<RequestSpawnCommitMethod>(
        RequestSpawnCommitParams{QStringLiteral("erin"), sha, QStringLiteral("notes writer")}, Timeout);
    VERIFY_OK(queued);
    QCOMPARE(queued->approval.kind, QString::fromLatin1(approvalkinds::SpawnCommit));
    auto shown = m_admin->callAndWait<ApprovalGetMethod>(ApprovalGetParams{queued->approval.id}, Timeout);
    VERIFY_OK(shown);
    QVERIFY(!shown->baseCommit); // the full config, against nothing
    QCOMPARE(shown->baseDescription, QStringLiteral("nothing deployed yet"));
    QCOMPARE(shown->files.size(), 1);
    QCOMPARE(shown->files.first().status, QStringLiteral("added"));
    auto drafts = m_admin->callAndWait<DraftListMethod>(DraftListParams{}, Timeout);
    VERIFY_OK(drafts);
    QCOMPARE(drafts->drafts.size(), 1);
    QCOMPARE(drafts->drafts.first().approval, std::optional<qint64>(queued->approval.id));

    auto deployed = approve(queued->approval.id);
    VERIFY_OK(deployed);
    QCOMPARE(deployed->state, QString::fromLatin1(approvalstates::Deployed));
    QCOMPARE(m_world->specs.value(QStringLiteral("erin")).memoryMax, QStringLiteral("2G"));
    QVERIFY(m_world->specs.value(QStringLiteral("erin")).privateNetwork);
    drafts = m_admin->callAndWait<DraftListMethod>(DraftListParams{}, Timeout);
    VERIFY_OK(drafts);
    QVERIFY(drafts->drafts.isEmpty());
    // The manager's repo work survived the spawn.
    QCOMPARE(gitOk(m_engine->approvals().repos().proposedPath(QStringLiteral("erin")),
                   {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}),
             sha);
}

void TestApprovals::draftsAreListedAndDiscarded()
{
    VERIFY_OK(m_manager->callAndWait<RequestSpawnDraftMethod>(RequestSpawnDraftParams{QStringLiteral("fay")}, Timeout));
    VERIFY_OK(m_manager->callAndWait<RequestSpawnDraftMethod>(RequestSpawnDraftParams{QStringLiteral("gus")}, Timeout));
    const QString sha =
        commitConfig(QStringLiteral("gus"), {{QStringLiteral("agent.toml"), "model = \"m\"\n"}}, QStringLiteral("gus"));
    auto queued = m_manager->callAndWait<RequestSpawnCommitMethod>(
        RequestSpawnCommitParams{QStringLiteral("gus"), sha, QString()}, Timeout);
    VERIFY_OK(queued);
    auto drafts = m_admin->callAndWait<DraftListMethod>(DraftListParams{}, Timeout);
    VERIFY_OK(drafts);
    QCOMPARE(drafts->drafts.size(), 2);
    QCOMPARE(drafts->drafts.at(0).name, QStringLiteral("fay"));
    QVERIFY(!drafts->drafts.at(0).approval);

    VERIFY_OK(m_admin->callAndWait<DraftDiscardMethod>(DraftDiscardParams{QStringLiteral("gus")}, Timeout));
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("state/agents/gus"))));
    auto approval = m_admin->callAndWait<ApprovalGetMethod>(ApprovalGetParams{queued->approval.id}, Timeout);
    VERIFY_OK(approval);
    QCOMPARE(approval->approval.state, QString::fromLatin1(approvalstates::Denied));
    QCOMPARE(approval->approval.note, std::optional<QString>(QStringLiteral("the draft was discarded")));
    auto unknown = m_admin->callAndWait<DraftDiscardMethod>(DraftDiscardParams{QStringLiteral("gus")}, Timeout);
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().code, ErrorCode::NotFound);
    auto noDraft = m_manager->callAndWait<RequestSpawnCommitMethod>(
        RequestSpawnCommitParams{QStringLiteral("gus"), sha, QString()}, Timeout);
    QVERIFY(!noDraft);
    QCOMPARE(noDraft.error().code, ErrorCode::NotFound);
}

void TestApprovals::engineStopMidDeployFinishesOnRestart()
{
    VERIFY_OK(spawn(QStringLiteral("alice")));
    const QString sha = commitConfig(
        QStringLiteral("alice"), {{QStringLiteral("agent.toml"), "[limits]\nmemory = \"6G\"\n"}}, QStringLiteral("6G"));
    auto queued = request(QStringLiteral("alice"), sha);
    VERIFY_OK(queued);
    // The container ignores SIGTERM: the restart waits out its grace, and the engine stops then.
    for (auto &process : m_world->processes)
        process.ignoresTerm = true;
    std::optional<Result<ApprovalResult>> answer;
    m_admin->call<ApprovalApproveMethod>(ApprovalApproveParams{queued->id},
                                         [&answer](const Result<ApprovalResult> &result) { answer = result; });
    const QString applied = appliedDir(QStringLiteral("alice"));
    const QString building = QStringLiteral("building/%1").arg(queued->id);
    QVERIFY(QTest::qWaitFor([&] { return tags(QStringLiteral("alice")).contains(building); }, Timeout));
    m_manager.reset();
    m_admin.reset();
    m_engine.reset(); // mid-deploy
    QVERIFY(!tags(QStringLiteral("alice")).contains(QStringLiteral("deployed/")));
    QVERIFY(!tags(QStringLiteral("alice")).contains(QStringLiteral("failed/")));

    for (auto &process : m_world->processes)
        process.ignoresTerm = false;
    startEngine();
    const QString deployedTag = QStringLiteral("deployed/%1").arg(queued->id);
    QVERIFY(QTest::qWaitFor([&] { return tags(QStringLiteral("alice")).contains(deployedTag); }, Timeout));
    auto finished = m_admin->callAndWait<ApprovalGetMethod>(ApprovalGetParams{queued->id}, Timeout);
    VERIFY_OK(finished);
    QCOMPARE(finished->approval.state, QString::fromLatin1(approvalstates::Deployed));
    QCOMPARE(gitOk(applied, {QStringLiteral("rev-parse"), QStringLiteral("main")}), sha);
    QCOMPARE(m_world->specs.value(QStringLiteral("alice")).memoryMax, QStringLiteral("6G"));
    QCOMPARE(git(applied, {QStringLiteral("fsck"), QStringLiteral("--strict")}).exitCode, 0);
    QVERIFY(!tags(QStringLiteral("alice")).contains(QStringLiteral("failed/")));
}

QTEST_GUILESS_MAIN(TestApprovals)
#include "tst_approvals.moc"
