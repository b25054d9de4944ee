// SPDX-License-Identifier: MIT
// The git browsing API end to end inside one process: a real Engine on a temporary state dir (no
// containers), an agent registered with agent_add (which gives it its config repos), commits
// written with the git CLI into the proposed repo and through GitRepo into the applied and meta
// repos, and repo_log / repo_tags / repo_diff / repo_file / repo_tree checked against what the git
// CLI says about the same repos.
#include "approvals/approvals.h"
#include "configrepo/gitrepo.h"
#include "engine.h"
#include "engineclients.h"
#include "fakeclock.h"
#include "gitcli.h"
#include "protocol/methods.h"
#include "rpcclient.h"
#include "store/auditlog.h"
#include "testsupport.h"
#include "verify.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;
using hive::test::GitRun;
using hive::test::runGit;
using hive::test::signatureAt;

namespace {

constexpr int Timeout = 10000;
constexpr qint64 Epoch = 1700000000;

/// `git -C dir ARGS` as runGit, with the author and committer dates at `seconds` (so that the
/// order of commits by time is known) and `author` as "Name <email>" when given.
GitRun gitAt(const QString &dir, const QStringList &args, qint64 seconds)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    env.insert(QStringLiteral("GIT_CONFIG_GLOBAL"), QStringLiteral("/dev/null"));
    env.insert(QStringLiteral("GIT_AUTHOR_NAME"), QStringLiteral("cli"));
    env.insert(QStringLiteral("GIT_AUTHOR_EMAIL"), QStringLiteral("cli@example.invalid"));
    env.insert(QStringLiteral("GIT_COMMITTER_NAME"), QStringLiteral("cli"));
    env.insert(QStringLiteral("GIT_COMMITTER_EMAIL"), QStringLiteral("cli@example.invalid"));
    const QString date = QStringLiteral("@%1 +0000").arg(seconds);
    env.insert(QStringLiteral("GIT_AUTHOR_DATE"), date);
    env.insert(QStringLiteral("GIT_COMMITTER_DATE"), date);
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

/// Writes `path` in the work tree and commits it with the CLI at `seconds`; the new sha.
QString cliCommit(const QString &dir, const QString &path, const QByteArray &content, const QString &message,
                  qint64 seconds, const QString &author = QString())
{
    QDir().mkpath(QFileInfo(QDir(dir).filePath(path)).path());
    if (!test::writeFile(QDir(dir).filePath(path), content))
        return QString();
    if (gitAt(dir, {QStringLiteral("add"), QStringLiteral("--"), path}, seconds).exitCode != 0)
        return QString();
    QStringList args{QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), message};
    if (!author.isEmpty())
        args << QStringLiteral("--author=%1").arg(author);
    const GitRun committed = gitAt(dir, args, seconds);
    if (committed.exitCode != 0)
        qWarning("git commit failed: %s", qPrintable(committed.err));
    return runGit(dir, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}).out;
}

QStringList shas(const QList<RepoCommit> &commits)
{
    QStringList out;
    for (const RepoCommit &commit : commits)
        out << commit.sha;
    return out;
}

QStringList lines(const GitRun &run)
{
    return run.out.isEmpty() ? QStringList() : run.out.split(QLatin1Char('\n'));
}

RepoSelector agentRepo(const QString &repo, const QString &agent = QStringLiteral("alice"))
{
    return RepoSelector{agent, repo};
}

/// repo_log's defaults on `selector`.
RepoLogParams logOf(const RepoSelector &selector)
{
    RepoLogParams params;
    params.selector = selector;
    return params;
}

const QString Applied = QString::fromLatin1(repokinds::Applied);
const QString Proposed = QString::fromLatin1(repokinds::Proposed);

} // namespace

class TestRepoApi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void protocolRoundTrips();
    void logPagesMatchGitLog();
    void logOfAnUnbornMainIsEmpty();
    void logFollowsAMerge();
    void logSearch();
    void logPathFilter();
    void metaRepoLog();
    void tagsSplitAndSorted();
    void diffAgainstParentOrRoot();
    void fileTextBinaryAndLimits();
    void treeRootAndSubdirs();
    void refusals_data();
    void refusals();
    void viewerMayBrowse();

private:
    [[nodiscard]] QString proposedPath() const { return m_state + QStringLiteral("/agents/alice/config"); }
    [[nodiscard]] QString appliedPath() const { return m_state + QStringLiteral("/applied/alice"); }
    Result<RepoLogResult> log(const RepoLogParams &params)
    {
        return m_admin->callAndWait<RepoLogMethod>(params, Timeout);
    }
    /// The whole log of `selector` at `ref`, through pages of `pageSize`.
    QStringList walkPages(const RepoSelector &selector, int pageSize, const QString &ref = QStringLiteral("main"));
    /// Commits in the applied repo through GitRepo: files -> content, on main.
    QString appliedCommit(const QMap<QString, QByteArray> &files, const QString &message, qint64 seconds);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_state;
    test::FakeClock m_clock;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<client::RpcClient> m_admin;
};

void TestRepoApi::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_state = m_dir->filePath(QStringLiteral("state"));
    EngineConfig config = EngineConfig::defaults();
    config.containerBackend = QStringLiteral("none");
    config.stateDir = m_state;
    config.listenHost = QStringLiteral("127.0.0.1");
    config.listenPort = 0;
    config.maxFrameBytes = qint64(1024) * 1024;
    m_engine = std::make_unique<Engine>(config, m_clock);
    auto started = m_engine->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    m_admin = test::connectAdmin(*m_engine);
    QVERIFY(m_admin->isOpen());
    auto added = m_admin->callAndWait<AgentAddMethod>(AgentAddParams{QStringLiteral("alice")}, Timeout);
    VERIFY_OK(added);
    QVERIFY(GitRepo::exists(proposedPath()));
    QVERIFY(GitRepo::exists(appliedPath()));
}

void TestRepoApi::cleanup()
{
    m_admin.reset();
    m_engine.reset();
    m_dir.reset();
}

QStringList TestRepoApi::walkPages(const RepoSelector &selector, int pageSize, const QString &ref)
{
    QStringList out;
    qint64 offset = 0;
    for (int guard = 0; guard < 1000; ++guard) {
        RepoLogParams params;
        params.selector = selector;
        params.ref = ref;
        params.offset = offset;
        params.limit = pageSize;
        auto page = log(params);
        if (!page) {
            qWarning("repo_log failed: %s", qPrintable(page.error().message));
            return {};
        }
        out << shas(page->commits);
        if (page->nextOffset != offset + page->commits.size())
            return {QStringLiteral("bad next_offset")};
        offset = page->nextOffset;
        if (!page->more)
            return out;
    }
    return {};
}

QString TestRepoApi::appliedCommit(const QMap<QString, QByteArray> &files, const QString &message, qint64 seconds)
{
    auto repo = GitRepo::open(appliedPath());
    if (!repo)
        return QString();
    auto sha = repo->commitFiles(QStringLiteral("refs/heads/main"), files, message, signatureAt(seconds));
    return sha ? *sha : QString();
}

void TestRepoApi::protocolRoundTrips()
{
    const auto roundTrip = [](const auto &value) {
        using T = std::decay_t<decltype(value)>;
        auto back = T::fromJson(value.toJson());
        return back && *back == value;
    };
    const QDateTime time = QDateTime::fromSecsSinceEpoch(Epoch, Qt::UTC);
    QVERIFY(roundTrip(
        RepoLogParams{agentRepo(Proposed), QStringLiteral("v1"), 5, 7, QStringLiteral("a/b"), QStringLiteral("fix")}));
    QVERIFY(roundTrip(logOf(RepoSelector{std::nullopt, QStringLiteral("meta")})));
    const RepoCommit commit{QString(40, QLatin1Char('a')),
                            {QString(40, QLatin1Char('b'))},
                            QStringLiteral("Ada"),
                            QStringLiteral("ada@example.invalid"),
                            time,
                            QStringLiteral("Bob"),
                            time.addSecs(5),
                            QStringLiteral("summary"),
                            QStringLiteral("summary\n\nbody")};
    QVERIFY(roundTrip(commit));
    QVERIFY(roundTrip(RepoLogResult{{commit, commit}, true, 9}));
    QVERIFY(roundTrip(RepoTagsParams{agentRepo(Applied)}));
    const RepoTag approval{QStringLiteral("approved/3"),
                           commit.sha,
                           true,
                           QStringLiteral("hyperhive"),
                           QStringLiteral("engine@hyperhive.invalid"),
                           time,
                           QStringLiteral("ok"),
                           QStringLiteral("approved"),
                           3};
    const RepoTag plain{QStringLiteral("v1"), commit.sha, false, std::nullopt, std::nullopt, time, {}, {}, {}};
    QVERIFY(roundTrip(approval));
    QVERIFY(roundTrip(RepoTagsResult{{approval, plain}}));
    QVERIFY(roundTrip(RepoDiffParams{agentRepo(Applied), QStringLiteral("main~1"), QStringLiteral("main"), 0}));
    QVERIFY(roundTrip(RepoDiffParams{agentRepo(Applied), std::nullopt, QStringLiteral("main"), 3}));
    const FileDiff file{{},
                        QStringLiteral("a"),
                        QStringLiteral("added"),
                        false,
                        1,
                        0,
                        {DiffHunk{0, 0, 1, 1, QStringLiteral("@@ -0,0 +1 @@"), {QStringLiteral("+x")}}}};
    QVERIFY(roundTrip(RepoDiffResult{std::nullopt, commit.sha, {file}}));
    QCOMPARE(RepoDiffResult{}.toJson().value(QStringLiteral("from")), QJsonValue(QJsonValue::Null));
    QVERIFY(roundTrip(RepoFileParams{agentRepo(Applied), QStringLiteral("main"), QStringLiteral("agent.toml")}));
    const RepoFileResult text{QStringLiteral("main"), commit.sha, QStringLiteral("a.txt"), 6, false, "h\xc3\xa9llo"};
    const RepoFileResult binary{QStringLiteral("main"), commit.sha, QStringLiteral("b"), 3, true,
                                QByteArray("\0\1\2", 3)};
    QVERIFY(roundTrip(text));
    QVERIFY(roundTrip(binary));
    QCOMPARE(text.toJson().value(QStringLiteral("encoding")).toString(), QStringLiteral("utf-8"));
    QCOMPARE(binary.toJson().value(QStringLiteral("encoding")).toString(), QStringLiteral("base64"));
    QCOMPARE(binary.toJson().value(QStringLiteral("content")).toString(), QStringLiteral("AAEC"));
    QVERIFY(roundTrip(RepoTreeParams{agentRepo(Applied), QStringLiteral("main"), QStringLiteral("dir")}));
    const RepoTreeEntry entry{
        QStringLiteral("x"), QStringLiteral("dir/x"), QStringLiteral("blob"), commit.sha, 4, true};
    QVERIFY(roundTrip(entry));
    QVERIFY(roundTrip(RepoTreeResult{QStringLiteral("main"), commit.sha, QStringLiteral("dir"), {entry}}));
}

void TestRepoApi::logPagesMatchGitLog()
{
    const QString dir = proposedPath();
    for (int i = 0; i < 24; ++i) {
        QVERIFY(!cliCommit(dir, QStringLiteral("notes/n%1.txt").arg(i % 3), QByteArray::number(i),
                           QStringLiteral("note %1\n\nbody of %1").arg(i), Epoch + i)
                     .isEmpty());
    }
    const QStringList expected = lines(runGit(dir, {QStringLiteral("log"), QStringLiteral("--format=%H")}));
    QCOMPARE(expected.size(), 25); // with the default config's commit

    RepoLogParams params;
    params.selector = agentRepo(Proposed);
    params.limit = 10;
    auto first = log(params);
    VERIFY_OK(first);
    QCOMPARE(shas(first->commits), expected.mid(0, 10));
    QVERIFY(first->more);
    QCOMPARE(first->nextOffset, 10);
    params.offset = 20;
    auto last = log(params);
    VERIFY_OK(last);
    QCOMPARE(shas(last->commits), expected.mid(20));
    QVERIFY(!last->more);
    QCOMPARE(last->nextOffset, 25);
    params.offset = 15;
    params.limit = 10; // exactly the rest: nothing follows
    auto rest = log(params);
    VERIFY_OK(rest);
    QCOMPARE(rest->commits.size(), 10);
    QVERIFY(!rest->more);
    params.offset = 99;
    auto beyond = log(params);
    VERIFY_OK(beyond);
    QVERIFY(beyond->commits.isEmpty());
    QVERIFY(!beyond->more);
    QCOMPARE(beyond->nextOffset, 99);
    QCOMPARE(walkPages(agentRepo(Proposed), 7), expected);

    // A ref by sha, prefix, branch and tag; the fields as git prints them.
    VERIFY_GIT(runGit(dir, {QStringLiteral("tag"), QStringLiteral("v1"), expected.at(5)}));
    for (const QString &ref : {expected.at(5), expected.at(5).left(10), QStringLiteral("v1")}) {
        params = RepoLogParams{agentRepo(Proposed), ref, 0, 2, {}, {}};
        auto page = log(params);
        VERIFY_OK(page);
        QCOMPARE(shas(page->commits), expected.mid(5, 2));
    }
    const RepoCommit commit = first->commits.at(3);
    const QStringList fields = runGit(dir, {QStringLiteral("log"), QStringLiteral("-1"),
                                            QStringLiteral("--format=%an%n%ae%n%at%n%cn%n%ct%n%s%n%P"), commit.sha})
                                   .out.split(QLatin1Char('\n'));
    QCOMPARE(commit.authorName, fields.at(0));
    QCOMPARE(commit.authorEmail, fields.at(1));
    QCOMPARE(commit.authorTime.toSecsSinceEpoch(), fields.at(2).toLongLong());
    QCOMPARE(commit.authorTime.timeSpec(), Qt::UTC);
    QCOMPARE(commit.committerName, fields.at(3));
    QCOMPARE(commit.commitTime.toSecsSinceEpoch(), fields.at(4).toLongLong());
    QCOMPARE(commit.summary, fields.at(5));
    QCOMPARE(commit.parents, QStringList{fields.at(6)});
    QCOMPARE(commit.message,
             runGit(dir, {QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%B"), commit.sha}).out);
}

void TestRepoApi::logOfAnUnbornMainIsEmpty()
{
    // agent_add made the applied repo empty: main is unborn.
    RepoLogParams params;
    params.selector = agentRepo(Applied);
    params.offset = 3;
    auto page = log(params);
    VERIFY_OK(page);
    QVERIFY(page->commits.isEmpty());
    QVERIFY(!page->more);
    QCOMPARE(page->nextOffset, 3);
    // Another ref that does not exist is not "empty" but missing.
    params.ref = QStringLiteral("nope");
    VERIFY_FAILS(log(params), ErrorCode::NotFound, "alice's applied repo has no commit 'nope'");

    const QString sha = appliedCommit({{QStringLiteral("agent.toml"), "x = 1\n"}}, QStringLiteral("first"), Epoch);
    QVERIFY(!sha.isEmpty());
    params.ref = QStringLiteral("main");
    params.offset = 0;
    page = log(params);
    VERIFY_OK(page);
    QCOMPARE(shas(page->commits), QStringList{sha});
    QCOMPARE(page->commits.at(0).authorName, QStringLiteral("Ada"));
    QCOMPARE(page->commits.at(0).authorTime, QDateTime::fromSecsSinceEpoch(Epoch, Qt::UTC));
    QVERIFY(page->commits.at(0).parents.isEmpty());
}

void TestRepoApi::logFollowsAMerge()
{
    // main: c1 c2 (branch side: s1 s2) c3, merged with --no-ff, then two more: the linear part is
    // walked lazily, the rest by the sorted revwalk from the merge on; git log --date-order agrees.
    const QString dir = proposedPath();
    qint64 t = Epoch;
    QVERIFY(!cliCommit(dir, QStringLiteral("a"), "1", QStringLiteral("c1"), ++t).isEmpty());
    QVERIFY(!cliCommit(dir, QStringLiteral("a"), "2", QStringLiteral("c2"), ++t).isEmpty());
    VERIFY_GIT(gitAt(
        dir, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("side")}, t));
    QVERIFY(!cliCommit(dir, QStringLiteral("b"), "1", QStringLiteral("s1"), ++t).isEmpty());
    QVERIFY(!cliCommit(dir, QStringLiteral("b"), "2", QStringLiteral("s2"), t += 2).isEmpty());
    VERIFY_GIT(gitAt(dir, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")}, t));
    QVERIFY(!cliCommit(dir, QStringLiteral("a"), "3", QStringLiteral("c3"), t - 1).isEmpty());
    VERIFY_GIT(gitAt(dir,
                     {QStringLiteral("merge"), QStringLiteral("-q"), QStringLiteral("--no-ff"), QStringLiteral("-m"),
                      QStringLiteral("merge side"), QStringLiteral("side")},
                     ++t));
    QVERIFY(!cliCommit(dir, QStringLiteral("a"), "4", QStringLiteral("c4"), ++t).isEmpty());
    QVERIFY(!cliCommit(dir, QStringLiteral("a"), "5", QStringLiteral("c5"), ++t).isEmpty());
    const QStringList expected =
        lines(runGit(dir, {QStringLiteral("log"), QStringLiteral("--date-order"), QStringLiteral("--format=%H")}));
    QCOMPARE(expected.size(), 9);
    for (int pageSize : {1, 2, 3, 4, 100})
        QCOMPARE(walkPages(agentRepo(Proposed), pageSize), expected);
    auto page = log(RepoLogParams{agentRepo(Proposed), QStringLiteral("main"), 2, 1, {}, {}});
    VERIFY_OK(page);
    QCOMPARE(page->commits.at(0).summary, QStringLiteral("merge side"));
    QCOMPARE(page->commits.at(0).parents.size(), 2);
}

void TestRepoApi::logSearch()
{
    const QString dir = proposedPath();
    QStringList made;
    made << cliCommit(dir, QStringLiteral("a"), "1", QStringLiteral("fix: the Alpha thing"), Epoch + 1);
    made << cliCommit(dir, QStringLiteral("a"), "2", QStringLiteral("feat: beta"), Epoch + 2,
                      QStringLiteral("Zed Zulu <zed@example.invalid>"));
    made << cliCommit(dir, QStringLiteral("a"), "3", QStringLiteral("docs: gamma\n\nmentions ALPHA in the body"),
                      Epoch + 3);
    made << cliCommit(dir, QStringLiteral("a"), "4", QStringLiteral("chore: delta"), Epoch + 4,
                      QStringLiteral("Yan <yan@zed-corp.invalid>"));
    const auto search = [this](const QString &needle, qint64 offset = 0, int limit = 100) {
        auto page = log(RepoLogParams{agentRepo(Proposed), QStringLiteral("main"), offset, limit, {}, needle});
        return page ? shas(page->commits) : QStringList{QStringLiteral("failed: ") + page.error().message};
    };
    QCOMPARE(search(QStringLiteral("alpha")), (QStringList{made.at(2), made.at(0)})); // message, any case
    QCOMPARE(search(QStringLiteral("zulu")), QStringList{made.at(1)});                // author name
    QCOMPARE(search(QStringLiteral("zed")), (QStringList{made.at(3), made.at(1)}));   // email and name
    QCOMPARE(search(made.at(1).left(8).toUpper()), QStringList{made.at(1)});          // sha prefix
    QCOMPARE(search(QStringLiteral("no such text")), QStringList());
    // Paging counts the matches.
    QCOMPARE(search(QStringLiteral("alpha"), 1, 1), QStringList{made.at(0)});
    auto page = log(RepoLogParams{agentRepo(Proposed), QStringLiteral("main"), 0, 1, {}, QStringLiteral("alpha")});
    VERIFY_OK(page);
    QVERIFY(page->more);
    QCOMPARE(page->nextOffset, 1);
    page = log(RepoLogParams{agentRepo(Proposed), QStringLiteral("main"), 1, 1, {}, QStringLiteral("alpha")});
    VERIFY_OK(page);
    QVERIFY(!page->more);
    // Search and path together: both must hold.
    page = log(RepoLogParams{agentRepo(Proposed), QStringLiteral("main"), 0, 10, QStringLiteral("agent.toml"),
                             QStringLiteral("default")});
    VERIFY_OK(page);
    QCOMPARE(page->commits.size(), 1);
    QCOMPARE(page->commits.at(0).summary, QStringLiteral("alice: the default config"));
}

void TestRepoApi::logPathFilter()
{
    const QString dir = proposedPath();
    for (int i = 0; i < 12; ++i) {
        const QString path =
            i % 3 == 0 ? QStringLiteral("notes/deep/x.txt") : QStringLiteral("notes/y%1.txt").arg(i % 2);
        QVERIFY(!cliCommit(dir, path, QByteArray::number(i), QStringLiteral("c%1").arg(i), Epoch + i).isEmpty());
    }
    for (const QString &path : {QStringLiteral("notes/deep/x.txt"), QStringLiteral("notes/y1.txt"),
                                QStringLiteral("notes"), QStringLiteral("agent.toml")}) {
        const QStringList expected =
            lines(runGit(dir, {QStringLiteral("log"), QStringLiteral("--format=%H"), QStringLiteral("--"), path}));
        auto page = log(RepoLogParams{agentRepo(Proposed), QStringLiteral("main"), 0, 100, path, {}});
        VERIFY_OK(page);
        QCOMPARE(shas(page->commits), expected);
        // A page in the middle of the matches.
        page = log(RepoLogParams{agentRepo(Proposed), QStringLiteral("main"), 1, 2, path + QLatin1Char('/'), {}});
        VERIFY_OK(page);
        QCOMPARE(shas(page->commits), expected.mid(1, 2));
        QCOMPARE(page->more, expected.size() > 3);
    }
}

void TestRepoApi::metaRepoLog()
{
    const RepoSelector meta{std::nullopt, QStringLiteral("meta")};
    auto page = log(logOf(meta));
    VERIFY_OK(page);
    QVERIFY(page->commits.isEmpty());
    ConfigRepos &repos = m_engine->approvals().repos();
    const QString config = appliedCommit({{QStringLiteral("agent.toml"), "x = 1\n"}}, QStringLiteral("one"), Epoch);
    auto first = repos.recordDeploy(QStringLiteral("alice"), QStringLiteral("deployed/1"), config);
    VERIFY_OK(first);
    auto second = repos.recordDeploy(QStringLiteral("bob"), QStringLiteral("deployed/2"), config);
    VERIFY_OK(second);
    page = log(logOf(meta));
    VERIFY_OK(page);
    QCOMPARE(shas(page->commits), (QStringList{*second, *first}));
    QCOMPARE(page->commits.at(1).summary, QStringLiteral("deploy alice deployed/1 %1").arg(config.left(12)));
    const QStringList expected =
        lines(runGit(repos.metaPath(), {QStringLiteral("log"), QStringLiteral("--format=%H"), QStringLiteral("main")}));
    QCOMPARE(shas(page->commits), expected);
    auto file = m_admin->callAndWait<RepoFileMethod>(
        RepoFileParams{meta, QStringLiteral("main"), QStringLiteral("running.txt")}, Timeout);
    VERIFY_OK(file);
    QVERIFY(file->content.contains("alice " + config.toLatin1() + " deployed/1"));
}

void TestRepoApi::tagsSplitAndSorted()
{
    auto repo = GitRepo::open(appliedPath());
    VERIFY_OK(repo);
    const QString one = appliedCommit({{QStringLiteral("agent.toml"), "x = 1\n"}}, QStringLiteral("one"), Epoch);
    const QString two = appliedCommit({{QStringLiteral("agent.toml"), "x = 2\n"}}, QStringLiteral("two"), Epoch + 10);
    // Created out of order; lightweight and annotated; names that only look like approvals.
    const QList<std::pair<QString, QString>> made{
        {QStringLiteral("approved/2"), two},  {QStringLiteral("deployed/1"), one}, {QStringLiteral("proposal/2"), two},
        {QStringLiteral("v1.0"), one},        {QStringLiteral("denied/10"), two},  {QStringLiteral("building/1"), one},
        {QStringLiteral("proposal/1"), one},  {QStringLiteral("approved/1"), one}, {QStringLiteral("proposal/x"), one},
        {QStringLiteral("proposal/01"), one}, {QStringLiteral("other/3"), two},    {QStringLiteral("failed/2"), two},
    };
    for (const auto &[name, sha] : made) {
        const QString message = name.startsWith(QLatin1String("v1")) ? QString() : QStringLiteral("step %1").arg(name);
        VERIFY_OK(repo->createTag(name, sha, message, signatureAt(Epoch + 100, QStringLiteral("Tagger"))));
    }
    auto tags = m_admin->callAndWait<RepoTagsMethod>(RepoTagsParams{agentRepo(Applied)}, Timeout);
    VERIFY_OK(tags);
    QStringList names;
    for (const RepoTag &tag : std::as_const(tags->tags))
        names << tag.name;
    QCOMPARE(names,
             (QStringList{QStringLiteral("proposal/1"), QStringLiteral("approved/1"), QStringLiteral("building/1"),
                          QStringLiteral("deployed/1"), QStringLiteral("proposal/2"), QStringLiteral("approved/2"),
                          QStringLiteral("failed/2"), QStringLiteral("denied/10"), QStringLiteral("other/3"),
                          QStringLiteral("proposal/01"), QStringLiteral("proposal/x"), QStringLiteral("v1.0")}));
    for (const RepoTag &tag : std::as_const(tags->tags)) {
        QCOMPARE(tag.target,
                 runGit(appliedPath(), {QStringLiteral("rev-parse"), tag.name + QStringLiteral("^{commit}")}).out);
        const bool approval = names.indexOf(tag.name) < 8;
        QCOMPARE(tag.id.has_value(), approval);
        QCOMPARE(tag.state.has_value(), approval);
        if (approval) {
            QCOMPARE(*tag.state, tag.name.section(QLatin1Char('/'), 0, 0));
            QCOMPARE(*tag.id, tag.name.section(QLatin1Char('/'), 1).toLongLong());
        }
    }
    const RepoTag annotated = tags->tags.at(0);
    QVERIFY(annotated.annotated);
    QCOMPARE(annotated.taggerName, QStringLiteral("Tagger"));
    QCOMPARE(annotated.taggerEmail, QStringLiteral("tagger@example.invalid"));
    QCOMPARE(annotated.time, QDateTime::fromSecsSinceEpoch(Epoch + 100, Qt::UTC));
    QCOMPARE(annotated.message, QStringLiteral("step proposal/1"));
    const RepoTag lightweight = tags->tags.last();
    QVERIFY(!lightweight.annotated);
    QVERIFY(!lightweight.taggerName);
    QCOMPARE(lightweight.message, QString());
    QCOMPARE(lightweight.time, QDateTime::fromSecsSinceEpoch(Epoch, Qt::UTC)); // the commit's
    QCOMPARE(runGit(appliedPath(), {QStringLiteral("tag"), QStringLiteral("-l")}).out.split(QLatin1Char('\n')).size(),
             made.size());
}

void TestRepoApi::diffAgainstParentOrRoot()
{
    const QString root = appliedCommit(
        {{QStringLiteral("agent.toml"), "a = 1\nb = 2\nc = 3\n"}, {QStringLiteral("dir/notes.txt"), "one\n"}},
        QStringLiteral("root"), Epoch);
    QString body;
    for (int i = 0; i < 20; ++i)
        body += QStringLiteral("line %1\n").arg(i);
    const QString child = appliedCommit(
        {{QStringLiteral("agent.toml"), "a = 1\nb = 20\nc = 3\n"}, {QStringLiteral("dir/other.txt"), body.toUtf8()}},
        QStringLiteral("child"), Epoch + 1);
    const auto diff = [this](const std::optional<QString> &from, const QString &to, int context = 3) {
        return m_admin->callAndWait<RepoDiffMethod>(RepoDiffParams{agentRepo(Applied), from, to, context}, Timeout);
    };
    // The root commit without from: against the empty tree.
    auto added = diff(std::nullopt, root);
    VERIFY_OK(added);
    QVERIFY(!added->from);
    QCOMPARE(added->to, root);
    QCOMPARE(added->files.size(), 2);
    QCOMPARE(added->files.at(0).status, QStringLiteral("added"));
    QCOMPARE(added->files.at(0).newPath, QStringLiteral("agent.toml"));
    QCOMPARE(added->files.at(0).additions, 3);

    // A child without from: against its parent; by ref names too.
    auto changed = diff(std::nullopt, QStringLiteral("main"));
    VERIFY_OK(changed);
    QCOMPARE(changed->from, std::optional<QString>(root));
    QCOMPARE(changed->to, child);
    const QStringList numstat =
        lines(runGit(appliedPath(), {QStringLiteral("diff"), QStringLiteral("--numstat"), root, child}));
    QCOMPARE(changed->files.size(), numstat.size());
    for (const FileDiff &file : std::as_const(changed->files)) {
        const QString path = file.newPath.isEmpty() ? file.oldPath : file.newPath;
        QVERIFY2(numstat.contains(QStringLiteral("%1\t%2\t%3").arg(file.additions).arg(file.deletions).arg(path)),
                 qPrintable(path));
    }
    const FileDiff toml = changed->files.at(0);
    QCOMPARE(toml.status, QStringLiteral("modified"));
    QCOMPARE(toml.hunks.size(), 1);
    QCOMPARE(toml.hunks.at(0).lines, (QStringList{QStringLiteral(" a = 1"), QStringLiteral("-b = 2"),
                                                  QStringLiteral("+b = 20"), QStringLiteral(" c = 3")}));
    auto bare = diff(QStringLiteral("main~1"), QStringLiteral("main"), 0);
    VERIFY_OK(bare);
    QCOMPARE(bare->from, std::optional<QString>(root));
    QCOMPARE(bare->files.at(0).hunks.at(0).lines, (QStringList{QStringLiteral("-b = 2"), QStringLiteral("+b = 20")}));
    // Backwards works too; a missing ref is not_found and names the field.
    auto backwards = diff(child, root);
    VERIFY_OK(backwards);
    QCOMPARE(backwards->files.at(0).hunks.at(0).lines.at(2), QStringLiteral("+b = 2"));
    VERIFY_FAILS(diff(QStringLiteral("nope"), child), ErrorCode::NotFound, "invalid field 'from'");
    VERIFY_FAILS(diff(std::nullopt, QStringLiteral("nope")), ErrorCode::NotFound, "invalid field 'to'");
}

void TestRepoApi::fileTextBinaryAndLimits()
{
    const QByteArray binary("PNG\0\x01\x02\xff", 7);
    const QByteArray latin1("caf\xe9\n");
    const QByteArray atCap(int(RepoFileMaxBytes), 'x');
    const QByteArray overCap(int(RepoFileMaxBytes) + 1, 'y');
    const QString sha = appliedCommit({{QStringLiteral("agent.toml"), "description = \"h\xc3\xa9llo\"\n"},
                                       {QStringLiteral("img/logo.png"), binary},
                                       {QStringLiteral("latin1.txt"), latin1},
                                       {QStringLiteral("cap.txt"), atCap},
                                       {QStringLiteral("big.txt"), overCap}},
                                      QStringLiteral("files"), Epoch);
    const auto file = [this](const QString &path, const QString &ref = QStringLiteral("main")) {
        return m_admin->callAndWait<RepoFileMethod>(RepoFileParams{agentRepo(Applied), ref, path}, Timeout);
    };
    auto text = file(QStringLiteral("agent.toml"));
    VERIFY_OK(text);
    QCOMPARE(text->sha, sha);
    QCOMPARE(text->ref, QStringLiteral("main"));
    QVERIFY(!text->binary);
    QCOMPARE(text->content, runGit(appliedPath(), {QStringLiteral("cat-file"), QStringLiteral("-p"),
                                                   sha + QStringLiteral(":agent.toml")})
                                    .out.toUtf8() +
                                '\n');
    QCOMPARE(text->size, text->content.size());
    // The wire form: the encoding says how to read the content.
    auto raw = m_admin->callAndWait(QStringLiteral("repo_file"),
                                    {{QStringLiteral("agent"), QStringLiteral("alice")},
                                     {QStringLiteral("ref"), sha.left(8)},
                                     {QStringLiteral("path"), QStringLiteral("/img/logo.png")}},
                                    Timeout);
    VERIFY_OK(raw);
    QCOMPARE(raw->toObject().value(QStringLiteral("encoding")).toString(), QStringLiteral("base64"));
    QCOMPARE(raw->toObject().value(QStringLiteral("binary")).toBool(), true);
    QCOMPARE(raw->toObject().value(QStringLiteral("path")).toString(), QStringLiteral("img/logo.png"));
    QCOMPARE(raw->toObject().value(QStringLiteral("content")).toString(), QString::fromLatin1(binary.toBase64()));
    QCOMPARE(raw->toObject().value(QStringLiteral("size")).toInt(), 7);
    auto notUtf8 = file(QStringLiteral("latin1.txt"));
    VERIFY_OK(notUtf8);
    QVERIFY(notUtf8->binary);
    QCOMPARE(notUtf8->content, latin1);
    auto full = file(QStringLiteral("cap.txt"));
    VERIFY_OK(full);
    QCOMPARE(full->size, RepoFileMaxBytes);
    QCOMPARE(full->content, atCap);

    VERIFY_FAILS(file(QStringLiteral("big.txt")), ErrorCode::TooLarge, "is 4194305 bytes, over repo_file's cap");
    VERIFY_FAILS(file(QStringLiteral("missing.txt")), ErrorCode::NotFound, "has no file 'missing.txt' at main");
    VERIFY_FAILS(file(QStringLiteral("no/such/dir.txt")), ErrorCode::NotFound, "has no file 'no/such/dir.txt'");
    VERIFY_FAILS(file(QStringLiteral("img")), ErrorCode::NotFound, "is a directory, not a file");
    VERIFY_FAILS(file(QStringLiteral("agent.toml"), QStringLiteral("v9")), ErrorCode::NotFound, "has no commit 'v9'");
    VERIFY_FAILS(file(QStringLiteral("/")), ErrorCode::InvalidParams, "names the root directory");
}

void TestRepoApi::treeRootAndSubdirs()
{
    const QString dir = proposedPath();
    QVERIFY(!cliCommit(dir, QStringLiteral("prompts/deep/p.md"), "# p\n", QStringLiteral("prompt"), Epoch).isEmpty());
    QVERIFY(test::writeFile(QDir(dir).filePath(QStringLiteral("run.sh")), "#!/bin/sh\n"));
    QVERIFY(QFile::setPermissions(QDir(dir).filePath(QStringLiteral("run.sh")),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    QVERIFY(!cliCommit(dir, QStringLiteral("a.txt"), "a\n", QStringLiteral("more"), Epoch + 1).isEmpty());
    VERIFY_GIT(gitAt(dir, {QStringLiteral("add"), QStringLiteral("run.sh")}, Epoch + 2));
    VERIFY_GIT(gitAt(dir,
                     {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("script")},
                     Epoch + 2));
    const QString head = runGit(dir, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}).out;
    const auto tree = [this](const QString &path) {
        return m_admin->callAndWait<RepoTreeMethod>(RepoTreeParams{agentRepo(Proposed), QStringLiteral("main"), path},
                                                    Timeout);
    };
    for (const QString &path : {QString(), QStringLiteral("prompts"), QStringLiteral("prompts/deep/")}) {
        auto listed = tree(path);
        VERIFY_OK(listed);
        QCOMPARE(listed->sha, head);
        QString clean = path;
        if (clean.endsWith(QLatin1Char('/')))
            clean.chop(1);
        QCOMPARE(listed->path, clean);
        // git ls-tree -l: "MODE KIND SHA SIZE\tNAME", the same entries (git sorts by name only).
        const QStringList git = lines(runGit(dir, {QStringLiteral("ls-tree"), QStringLiteral("-l"),
                                                   clean.isEmpty() ? head : head + QLatin1Char(':') + clean}));
        QCOMPARE(listed->entries.size(), git.size());
        bool seenFile = false;
        for (const RepoTreeEntry &entry : std::as_const(listed->entries)) {
            const QString kind = entry.kind;
            seenFile = seenFile || kind == QLatin1String("blob");
            QVERIFY2(!(seenFile && kind == QLatin1String("tree")), "directories come first");
            const QString size = kind == QLatin1String("blob") ? QString::number(entry.size) : QStringLiteral("-");
            const QString mode = kind == QLatin1String("tree") ? QStringLiteral("040000")
                                 : entry.executable            ? QStringLiteral("100755")
                                                               : QStringLiteral("100644");
            const QString line =
                QStringLiteral("%1 %2 %3 %4\t%5").arg(mode, kind, entry.sha, size.rightJustified(7), entry.name);
            QVERIFY2(git.contains(line), qPrintable(line + QStringLiteral(" not in\n") + git.join(QLatin1Char('\n'))));
            QCOMPARE(entry.path, clean.isEmpty() ? entry.name : clean + QLatin1Char('/') + entry.name);
        }
    }
    auto root = tree(QString());
    VERIFY_OK(root);
    QCOMPARE(root->entries.at(0).name, QStringLiteral("prompts"));
    const auto script = std::find_if(root->entries.cbegin(), root->entries.cend(),
                                     [](const RepoTreeEntry &e) { return e.name == QLatin1String("run.sh"); });
    QVERIFY(script != root->entries.cend());
    QVERIFY(script->executable);
    VERIFY_FAILS(tree(QStringLiteral("nope")), ErrorCode::NotFound, "alice's proposed repo has no directory 'nope'");
    VERIFY_FAILS(tree(QStringLiteral("a.txt")), ErrorCode::NotFound, "has no directory 'a.txt'");
    // An older commit by sha has the older tree.
    auto older = m_admin->callAndWait<RepoTreeMethod>(
        RepoTreeParams{agentRepo(Proposed), QStringLiteral("main~2"), QString()}, Timeout);
    VERIFY_OK(older);
    QCOMPARE(older->entries.size(), 2); // prompts, agent.toml
}

void TestRepoApi::refusals_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QByteArray>("params");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("mention");
    const ErrorCode invalid = ErrorCode::InvalidParams;
    const ErrorCode notFound = ErrorCode::NotFound;
    const auto row = [](const char *name, const char *method, const char *params, ErrorCode code, const char *mention) {
        QTest::newRow(name) << QString::fromLatin1(method) << QByteArray(params) << code << QString::fromUtf8(mention);
    };
    row("limit 0", "repo_log", R"({"agent": "alice", "limit": 0})", invalid,
        "field 'limit': must be between 1 and 1000, got 0");
    row("limit 1001", "repo_log", R"({"agent": "alice", "limit": 1001})", invalid, "must be between 1 and 1000");
    row("negative offset", "repo_log", R"({"agent": "alice", "offset": -1})", invalid, "field 'offset'");
    row("bad repo", "repo_log", R"({"agent": "alice", "repo": "main"})", invalid,
        "must be applied, proposed or meta, got 'main'");
    row("no agent", "repo_log", "{}", invalid, "field 'agent': is required for the applied");
    row("agent for meta", "repo_tags", R"({"agent": "alice", "repo": "meta"})", invalid,
        "must be absent for the meta repo");
    row("empty ref", "repo_log", R"({"agent": "alice", "ref": ""})", invalid, "field 'ref': must not be empty");
    row("unknown field", "repo_tree", R"({"agent": "alice", "ref": "main", "depth": 2})", invalid,
        "unknown field 'depth'");
    row("no to", "repo_diff", R"({"agent": "alice"})", invalid, "missing required field 'to'");
    row("context", "repo_diff", R"({"agent": "alice", "to": "main", "context_lines": 1001})", invalid,
        "field 'context_lines'");
    row("no path", "repo_file", R"({"agent": "alice", "ref": "main"})", invalid, "missing required field 'path'");
    row("bad name", "repo_log", R"({"agent": "../etc"})", invalid, "invalid agent name '../etc'");
    row("reserved", "repo_tags", R"({"agent": "operator"})", invalid, "'operator' is a reserved name");
    row("unknown agent", "repo_log", R"({"agent": "carol"})", notFound, "no agent named 'carol'");
    row("unknown agent tags", "repo_tags", R"({"agent": "carol"})", notFound, "no agent named 'carol'");
    row("unknown agent file", "repo_file", R"({"agent": "carol", "repo": "proposed", "ref": "main", "path": "a"})",
        notFound, "no agent named 'carol'");
    row("unborn tree", "repo_tree", R"({"agent": "alice", "ref": "main"})", notFound,
        "alice's applied repo has no commits yet");
    row("a range for a ref", "repo_diff", R"({"agent": "alice", "to": "main..x"})", invalid, "invalid field 'to'");
}

void TestRepoApi::refusals()
{
    QFETCH(QString, method);
    QFETCH(QByteArray, params);
    QFETCH(ErrorCode, code);
    QFETCH(QString, mention);
    auto reply = m_admin->callAndWait(method, QJsonDocument::fromJson(params).object(), Timeout);
    QVERIFY2(!reply, "accepted");
    QVERIFY2(reply.error().code == code, qPrintable(test::describe(reply.error())));
    QVERIFY2(reply.error().message.contains(mention), qPrintable(test::describe(reply.error())));
}

void TestRepoApi::viewerMayBrowse()
{
    const QString sha = appliedCommit({{QStringLiteral("agent.toml"), "x = 1\n"}}, QStringLiteral("one"), Epoch);
    auto repo = GitRepo::open(appliedPath());
    VERIFY_OK(repo);
    VERIFY_OK(repo->createTag(QStringLiteral("proposal/1"), sha, QStringLiteral("p"), signatureAt(Epoch)));
    auto viewer = test::connectRemote(*m_engine, Role::Viewer);
    QVERIFY(viewer->isOpen());
    const RepoSelector applied = agentRepo(Applied);
    auto page = viewer->callAndWait<RepoLogMethod>(logOf(applied), Timeout);
    VERIFY_OK(page);
    QCOMPARE(shas(page->commits), QStringList{sha});
    auto tags = viewer->callAndWait<RepoTagsMethod>(RepoTagsParams{applied}, Timeout);
    VERIFY_OK(tags);
    QCOMPARE(tags->tags.at(0).id, std::optional<qint64>(1));
    VERIFY_OK(viewer->callAndWait<RepoDiffMethod>(RepoDiffParams{applied, {}, QStringLiteral("main"), 3}, Timeout));
    VERIFY_OK(viewer->callAndWait<RepoFileMethod>(
        RepoFileParams{applied, QStringLiteral("main"), QStringLiteral("agent.toml")}, Timeout));
    VERIFY_OK(viewer->callAndWait<RepoTreeMethod>(RepoTreeParams{applied, QStringLiteral("main"), {}}, Timeout));
    VERIFY_OK(viewer->callAndWait<RepoLogMethod>(logOf(agentRepo(Proposed)), Timeout));
    // Reads are not audited.
    auto rows = m_engine->audit().list(AuditListParams{1000, {}, {}, QStringLiteral("repo_log")});
    VERIFY_OK(rows);
    QVERIFY(rows->entries.isEmpty());
}

QTEST_GUILESS_MAIN(TestRepoApi)
#include "tst_repoapi.moc"
