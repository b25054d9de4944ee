// SPDX-License-Identifier: MIT
// hivectl's approval, spawn, draft and gc commands against a real hive-engine process without
// containers: a spawn requested and denied, a config change proposed on the manager's socket,
// shown with its capability delta and deployed, drafts, the tag retention, and the refusals. The
// applied repos are checked with the git CLI.
#include "engineprocess.h"
#include "hivectlrun.h"
#include "localsocketpeer.h"
#include "protocol/agentmethods.h"
#include "rpcclient.h"
#include "testsupport.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

using hive::test::parseObject;
using Run = hive::test::HivectlRun;

constexpr int CallTimeoutMs = 10000;

struct GitRun {
    int exitCode = -1;
    QString out; ///< trimmed
    QString err;
};

/// `git -C dir ARGS` without the system's or the user's configuration.
GitRun git(const QString &dir, const QStringList &args)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    env.insert(QStringLiteral("GIT_CONFIG_GLOBAL"), QStringLiteral("/dev/null"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral("git"), QStringList{QStringLiteral("-C"), dir} + args);
    GitRun run;
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit)
        return run;
    run.exitCode = process.exitCode();
    run.out = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    run.err = QString::fromUtf8(process.readAllStandardError()).trimmed();
    return run;
}

} // namespace

class TestHivectlApprovals : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void usageErrors();
    void spawnListShowDenyAndGc();
    void proposalShownAndDeployed();
    void drafts();

private:
    [[nodiscard]] Run local(const QStringList &arguments) const
    {
        return hive::test::runHivectl(QStringList{QStringLiteral("--state-dir"), m_stateDir} + arguments);
    }
    [[nodiscard]] QString applied(const QString &agent) const
    {
        return QDir(m_stateDir).filePath(QStringLiteral("applied/") + agent);
    }
    [[nodiscard]] QStringList tags(const QString &agent) const
    {
        const GitRun run = git(applied(agent), {QStringLiteral("tag"), QStringLiteral("-l")});
        return run.out.isEmpty() ? QStringList() : run.out.split(QLatin1Char('\n'));
    }
    /// Commits `toml` as carol's agent.toml and asks for it on the manager's socket; the
    /// approval's id goes to m_approval.
    [[nodiscard]] bool propose(const QByteArray &toml, QString *sha);
    /// A client of the manager's own socket, where the manager's requests are served.
    [[nodiscard]] std::unique_ptr<hive::client::RpcClient> manager() const
    {
        auto client = std::make_unique<hive::client::RpcClient>(new hive::client::LocalSocketPeer(
            QDir(m_stateDir).absoluteFilePath(QStringLiteral("run/agents/manager/agent.sock"))));
        if (auto opened = client->openAndWait(CallTimeoutMs); !opened)
            qWarning("cannot open the manager's socket: %s", qPrintable(opened.error().message));
        return client;
    }

    QTemporaryDir m_dir;
    QString m_stateDir;
    std::unique_ptr<hive::test::EngineProcess> m_engine;
    qint64 m_approval = 0;
};

void TestHivectlApprovals::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_stateDir = m_dir.filePath(QStringLiteral("s"));
    m_engine = std::make_unique<hive::test::EngineProcess>(m_stateDir, m_dir.filePath(QStringLiteral("engine.log")));
    auto started = m_engine->start({QStringLiteral("--listen"), QStringLiteral("off")});
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
}

void TestHivectlApprovals::usageErrors()
{
    // Exit 2 and a pointer to --help; none of these reaches the engine.
    const QList<std::pair<QStringList, QString>> cases{
        {{QStringLiteral("approval")}, QStringLiteral("missing approval command: list, show, approve and deny")},
        {{QStringLiteral("approval"), QStringLiteral("accept"), QStringLiteral("1")},
         QStringLiteral("unknown command 'approval accept'")},
        {{QStringLiteral("approval"), QStringLiteral("deny"), QStringLiteral("1")},
         QStringLiteral("missing --note, which tells the requester why: hivectl approval deny ID --note TEXT")},
        {{QStringLiteral("approval"), QStringLiteral("deny"), QStringLiteral("1"), QStringLiteral("--note"),
          QStringLiteral(" ")},
         QStringLiteral("option --note must not be empty")},
        {{QStringLiteral("approval"), QStringLiteral("approve"), QStringLiteral("x")},
         QStringLiteral("'x' is not an id (a positive integer): hivectl approval approve ID")},
        {{QStringLiteral("approval"), QStringLiteral("approve"), QStringLiteral("1"), QStringLiteral("--note"),
          QStringLiteral("why")},
         QStringLiteral("option --note is only for 'approval deny'")},
        {{QStringLiteral("approval"), QStringLiteral("list"), QStringLiteral("--all"), QStringLiteral("--state"),
          QStringLiteral("denied")},
         QStringLiteral("give --all or --state, not both")},
        {{QStringLiteral("approval"), QStringLiteral("list"), QStringLiteral("--state"), QStringLiteral("done")},
         QStringLiteral("option --state: expected open, pending, approved, building, deployed, failed, denied or "
                        "all, got 'done'")},
        {{QStringLiteral("approval"), QStringLiteral("show"), QStringLiteral("1"), QStringLiteral("--base"),
          QStringLiteral("main")},
         QStringLiteral("option --base: expected running, approved or queued, got 'main'")},
        {{QStringLiteral("spawn")}, QStringLiteral("missing argument: hivectl spawn NAME [--description TEXT]")},
        {{QStringLiteral("draft"), QStringLiteral("list"), QStringLiteral("--yes")},
         QStringLiteral("option --yes is only for 'draft discard'")},
        {{QStringLiteral("gc"), QStringLiteral("now")}, QStringLiteral("unexpected argument 'now': hivectl gc")},
        {{QStringLiteral("gc"), QStringLiteral("--all")}, QStringLiteral("unknown option '--all' for 'gc'")},
    };
    for (const auto &[arguments, message] : cases) {
        const Run run = local(arguments);
        QVERIFY2(run.exitCode == 2 && run.err.startsWith(QStringLiteral("hivectl: ") + message) &&
                     run.err.contains(QStringLiteral("hivectl --help")) && run.out.isEmpty(),
                 qPrintable(arguments.join(QLatin1Char(' ')) + QStringLiteral(": ") + run.describe()));
    }
}

void TestHivectlApprovals::spawnListShowDenyAndGc()
{
    const Run spawned = local({QStringLiteral("spawn"), QStringLiteral("worker"), QStringLiteral("--description"),
                               QStringLiteral("builds the docs")});
    QVERIFY2(spawned.exitCode == 0, qPrintable(spawned.describe()));
    const QString id = spawned.out.trimmed();
    QCOMPARE(id, QStringLiteral("1"));
    QVERIFY2(spawned.err.contains(QStringLiteral("hivectl approval approve 1")) &&
                 spawned.err.contains(QStringLiteral("hivectl approval deny 1 --note TEXT")),
             qPrintable(spawned.err));

    const Run listed = local({QStringLiteral("approval"), QStringLiteral("list")});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
    const QStringList lines = listed.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(0).startsWith(QStringLiteral("ID  KIND   AGENT   STATE    REQUESTED BY")),
             qPrintable(lines.at(0)));
    QVERIFY2(lines.at(1).startsWith(QStringLiteral("1   spawn  worker  pending  operator")), qPrintable(lines.at(1)));
    QVERIFY2(lines.at(1).endsWith(QStringLiteral("builds the docs")), qPrintable(lines.at(1)));
    const Run none = local(
        {QStringLiteral("approval"), QStringLiteral("list"), QStringLiteral("--state"), QStringLiteral("denied")});
    QVERIFY2(none.exitCode == 0 && none.out == QStringLiteral("no denied approvals\n"), qPrintable(none.describe()));

    const Run shown = local({QStringLiteral("approval"), QStringLiteral("show"), id});
    QVERIFY2(shown.exitCode == 0, qPrintable(shown.describe()));
    for (const QString &expected :
         {QStringLiteral("approval       1\n"), QStringLiteral("kind           spawn\n"),
          QStringLiteral("compared with  nothing deployed yet (--base running)\n"),
          QStringLiteral("\ndiff --git a/agent.toml b/agent.toml\nnew file\n--- /dev/null\n+++ b/agent.toml\n@@ -0,0 "),
          QStringLiteral("\n+description = \"builds the docs\"\n")}) {
        QVERIFY2(shown.out.contains(expected), qPrintable(expected + QStringLiteral(" in:\n") + shown.out));
    }

    const Run denied = local({QStringLiteral("approval"), QStringLiteral("deny"), id, QStringLiteral("--note"),
                              QStringLiteral("not this week")});
    QVERIFY2(denied.exitCode == 0 && denied.out == QStringLiteral("approval 1 denied\n"),
             qPrintable(denied.describe()));
    QCOMPARE(git(applied(QStringLiteral("worker")),
                 {QStringLiteral("cat-file"), QStringLiteral("-t"), QStringLiteral("denied/1")})
                 .out,
             QStringLiteral("tag"));
    const GitRun note = git(applied(QStringLiteral("worker")), {QStringLiteral("tag"), QStringLiteral("-l"),
                                                                QStringLiteral("-n9"), QStringLiteral("denied/1")});
    QVERIFY2(note.out.contains(QStringLiteral("not this week")), qPrintable(note.out));
    QCOMPARE(tags(QStringLiteral("worker")), (QStringList{QStringLiteral("denied/1"), QStringLiteral("proposal/1")}));
    const Run json = local({QStringLiteral("--json"), QStringLiteral("approval"), QStringLiteral("list"),
                            QStringLiteral("--all"), QStringLiteral("--agent"), QStringLiteral("worker")});
    QString error;
    const QJsonArray all = parseObject(json.out, &error).value(QStringLiteral("approvals")).toArray();
    QVERIFY2(error.isEmpty() && all.size() == 1, qPrintable(json.describe()));
    QCOMPARE(all.first().toObject().value(QStringLiteral("note")).toString(), QStringLiteral("not this week"));

    // Refusals by the engine: exit 1 and its message.
    const Run unknown = local({QStringLiteral("approval"), QStringLiteral("approve"), QStringLiteral("999")});
    QVERIFY2(unknown.exitCode == 1 && unknown.err == QStringLiteral("hivectl: approval 999 does not exist\n"),
             qPrintable(unknown.describe()));
    const Run again = local({QStringLiteral("approval"), QStringLiteral("approve"), id});
    QVERIFY2(again.exitCode == 1 &&
                 again.err ==
                     QStringLiteral("hivectl: approval 1 is denied: only a pending approval can be approved\n"),
             qPrintable(again.describe()));
    const Run twice =
        local({QStringLiteral("approval"), QStringLiteral("deny"), id, QStringLiteral("--note"), QStringLiteral("no")});
    QVERIFY2(twice.exitCode == 1 && twice.err.contains(QStringLiteral("only a pending approval can be denied")),
             qPrintable(twice.describe()));

    // The retention: a dry run lists the proposal tag the denial superseded and removes nothing.
    const Run dry = local({QStringLiteral("gc"), QStringLiteral("--dry-run")});
    QVERIFY2(dry.exitCode == 0, qPrintable(dry.describe()));
    QVERIFY2(dry.out.contains(QStringLiteral("worker  proposal/1  superseded by denied/1\n")) &&
                 dry.out.contains(QStringLiteral("would remove 1 tag(s) (dry run: nothing was removed); 1 kept\n")),
             qPrintable(dry.out));
    QCOMPARE(tags(QStringLiteral("worker")), (QStringList{QStringLiteral("denied/1"), QStringLiteral("proposal/1")}));
    const Run collected = local({QStringLiteral("--json"), QStringLiteral("gc")});
    const QJsonObject result = parseObject(collected.out, &error);
    QVERIFY2(error.isEmpty() && collected.exitCode == 0, qPrintable(collected.describe()));
    QCOMPARE(result.value(QStringLiteral("dry_run")).toBool(true), false);
    QCOMPARE(result.value(QStringLiteral("kept")).toInt(), 1);
    QCOMPARE(result.value(QStringLiteral("removed")).toArray(),
             (QJsonArray{QJsonObject{{QStringLiteral("agent"), QStringLiteral("worker")},
                                     {QStringLiteral("tag"), QStringLiteral("proposal/1")},
                                     {QStringLiteral("reason"), QStringLiteral("superseded by denied/1")}}}));
    QCOMPARE(tags(QStringLiteral("worker")), QStringList{QStringLiteral("denied/1")});
    QVERIFY(git(applied(QStringLiteral("worker")), {QStringLiteral("fsck")}).exitCode == 0);
    const Run nothing = local({QStringLiteral("gc")});
    QVERIFY2(nothing.exitCode == 0 && nothing.out == QStringLiteral("nothing to remove; 1 tag(s) kept\n"),
             qPrintable(nothing.describe()));
}

void TestHivectlApprovals::proposalShownAndDeployed()
{
    const Run added = local({QStringLiteral("agent"), QStringLiteral("add"), QStringLiteral("carol")});
    QVERIFY2(added.exitCode == 0, qPrintable(added.describe()));
    const QString config = QDir(m_stateDir).filePath(QStringLiteral("agents/carol/config"));
    const QString toml = QDir(config).filePath(QStringLiteral("agent.toml"));
    const QByteArray defaults = hive::test::readFile(toml);
    QVERIFY(!defaults.isEmpty());

    // The manager's way: a commit in carol's proposed repo, then request_apply_commit.
    QString sha;
    QVERIFY(propose(QByteArrayLiteral("allowed_tools = [\"Read\", \"Edit\"]\n") + defaults, &sha));
    QVERIFY(m_approval > 0);
    const QString first = QString::number(m_approval);
    const Run shown = local({QStringLiteral("approval"), QStringLiteral("show"), first});
    QVERIFY2(shown.exitCode == 0, qPrintable(shown.describe()));
    // Nothing runs yet: the whole file is new.
    for (const QString &expected :
         {QStringLiteral(" by manager\n"), QStringLiteral("description    read and edit\n"),
          QStringLiteral("compared with  nothing deployed yet (--base running)\n"),
          QStringLiteral("Capability delta (! widens what the agent may do):\n"),
          QStringLiteral("!  tools  Read  added\n"), QStringLiteral("!  tools  Edit  added\n"),
          QStringLiteral(
              "diff --git a/agent.toml b/agent.toml\nnew file\n--- /dev/null\n+++ b/agent.toml\n@@ -0,0 +1,"),
          QStringLiteral("\n+allowed_tools = [\"Read\", \"Edit\"]\n")}) {
        QVERIFY2(shown.out.contains(expected), qPrintable(expected + QStringLiteral(" in:\n") + shown.out));
    }
    const Run queued = local({QStringLiteral("approval"), QStringLiteral("show"), first, QStringLiteral("--base"),
                              QStringLiteral("queued")});
    QVERIFY2(queued.exitCode == 0 &&
                 queued.out.contains(QStringLiteral("no earlier proposal is queued (--base queued)")),
             qPrintable(queued.describe()));

    const Run approved = local({QStringLiteral("approval"), QStringLiteral("approve"), first});
    QVERIFY2(approved.exitCode == 0 &&
                 approved.out ==
                     QStringLiteral("approval %1 deployed: carol runs config %2\n").arg(first, sha.left(12)),
             qPrintable(approved.describe()));
    QCOMPARE(git(applied(QStringLiteral("carol")), {QStringLiteral("rev-parse"), QStringLiteral("main")}).out, sha);
    QCOMPARE(tags(QStringLiteral("carol")),
             (QStringList{QStringLiteral("approved/") + first, QStringLiteral("building/") + first,
                          QStringLiteral("deployed/") + first, QStringLiteral("proposal/") + first}));
    const Run deployedAgain = local({QStringLiteral("approval"), QStringLiteral("approve"), first});
    QVERIFY2(deployedAgain.exitCode == 1 &&
                 deployedAgain.err == QStringLiteral("hivectl: approval %1 is deployed: only a pending approval can be "
                                                     "approved\n")
                                          .arg(first),
             qPrintable(deployedAgain.describe()));

    // A second change is shown against what runs now; a narrowing line has no mark.
    QVERIFY(propose(QByteArrayLiteral("allowed_tools = [\"Read\"]\n") + defaults, &sha));
    const QString second = QString::number(m_approval);
    const Run narrowed = local({QStringLiteral("approval"), QStringLiteral("show"), second});
    for (const QString &expected :
         {QStringLiteral("compared with  the running config (main at "), QStringLiteral("\n   tools  Edit  removed\n"),
          QStringLiteral("diff --git a/agent.toml b/agent.toml\n--- a/agent.toml\n+++ b/agent.toml\n@@ -1,"),
          QStringLiteral("\n-allowed_tools = [\"Read\", \"Edit\"]\n+allowed_tools = [\"Read\"]\n")}) {
        QVERIFY2(narrowed.out.contains(expected), qPrintable(expected + QStringLiteral(" in:\n") + narrowed.out));
    }
    QVERIFY2(!narrowed.out.contains(QStringLiteral("\n!")), qPrintable(narrowed.out));
    const Run denied = local({QStringLiteral("approval"), QStringLiteral("deny"), second, QStringLiteral("--note"),
                              QStringLiteral("keep Edit")});
    QVERIFY2(denied.exitCode == 0 && denied.out == QStringLiteral("approval %1 denied; manager was told\n").arg(second),
             qPrintable(denied.describe()));

    // The way to each resolution goes; deployed/ID stays for good, the denials for now.
    const Run collected = local({QStringLiteral("gc")});
    QVERIFY2(collected.exitCode == 0 &&
                 collected.out.contains(QStringLiteral("carol  proposal/%1  superseded by deployed/%1\n").arg(first)) &&
                 collected.out.contains(QStringLiteral("carol  proposal/%1  superseded by denied/%1\n").arg(second)) &&
                 collected.out.contains(QStringLiteral("removed 4 tag(s); 3 kept\n")),
             qPrintable(collected.describe()));
    QCOMPARE(tags(QStringLiteral("carol")),
             (QStringList{QStringLiteral("denied/") + second, QStringLiteral("deployed/") + first}));
    QCOMPARE(tags(QStringLiteral("worker")), QStringList{QStringLiteral("denied/1")});
    QVERIFY(git(applied(QStringLiteral("carol")), {QStringLiteral("fsck")}).exitCode == 0);
}

bool TestHivectlApprovals::propose(const QByteArray &toml, QString *sha)
{
    const QString config = QDir(m_stateDir).filePath(QStringLiteral("agents/carol/config"));
    if (!hive::test::writeFile(QDir(config).filePath(QStringLiteral("agent.toml")), toml))
        return false;
    const GitRun committed = git(config, {QStringLiteral("-c"), QStringLiteral("user.name=t"), QStringLiteral("-c"),
                                          QStringLiteral("user.email=t@x"), QStringLiteral("commit"),
                                          QStringLiteral("-qam"), QStringLiteral("tools")});
    if (committed.exitCode != 0) {
        qWarning("git commit: %s", qPrintable(committed.err));
        return false;
    }
    *sha = git(config, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}).out;
    auto requested = manager()->callAndWait<hive::protocol::RequestApplyCommitMethod>(
        hive::protocol::RequestApplyCommitParams{QStringLiteral("carol"), *sha, QStringLiteral("read and edit")},
        CallTimeoutMs);
    if (!requested) {
        qWarning("request_apply_commit: %s", qPrintable(requested.error().message));
        return false;
    }
    m_approval = requested->approval.id;
    return true;
}

void TestHivectlApprovals::drafts()
{
    const Run empty = local({QStringLiteral("draft"), QStringLiteral("list")});
    QVERIFY2(empty.exitCode == 0 && empty.out == QStringLiteral("no drafts\n"), qPrintable(empty.describe()));
    auto client = manager();
    auto drafted = client->callAndWait<hive::protocol::RequestSpawnDraftMethod>(
        hive::protocol::RequestSpawnDraftParams{QStringLiteral("scout")}, CallTimeoutMs);
    QVERIFY2(drafted, drafted ? "" : qPrintable(drafted.error().message));

    const Run listed = local({QStringLiteral("draft"), QStringLiteral("list")});
    QVERIFY2(listed.exitCode == 0 && listed.out.contains(QStringLiteral("scout  manager")) &&
                 listed.out.contains(drafted->draft.head.left(12)) &&
                 listed.out.contains(QDir(m_stateDir).filePath(QStringLiteral("agents/scout/config"))),
             qPrintable(listed.describe()));
    // Not at a terminal, and no --yes: nothing is asked, nothing is deleted.
    const Run unconfirmed = local({QStringLiteral("draft"), QStringLiteral("discard"), QStringLiteral("scout")});
    QVERIFY2(unconfirmed.exitCode == 2 && unconfirmed.err.contains(QStringLiteral("pass --yes")),
             qPrintable(unconfirmed.describe()));
    QVERIFY(QDir(m_stateDir).exists(QStringLiteral("agents/scout/config")));
    const Run discarded =
        local({QStringLiteral("draft"), QStringLiteral("discard"), QStringLiteral("scout"), QStringLiteral("--yes")});
    QVERIFY2(discarded.exitCode == 0 && discarded.out == QStringLiteral("draft 'scout' discarded\n"),
             qPrintable(discarded.describe()));
    QVERIFY(!QDir(m_stateDir).exists(QStringLiteral("agents/scout")));
    const Run gone =
        local({QStringLiteral("draft"), QStringLiteral("discard"), QStringLiteral("scout"), QStringLiteral("--yes")});
    QVERIFY2(gone.exitCode == 1 && gone.err == QStringLiteral("hivectl: there is no draft named 'scout'\n"),
             qPrintable(gone.describe()));
}

QTEST_GUILESS_MAIN(TestHivectlApprovals)
#include "tst_hivectlapprovals.moc"
