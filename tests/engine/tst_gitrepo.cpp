// SPDX-License-Identifier: MIT
// GitRepo's writing side on real repos: init/open, commits with nested paths, refs, the work-tree
// checkout of commitFiles, tags, remotes, and copying commits between repos. Each result is
// checked with the stock git CLI (fsck --strict, cat-file, log, status, fetch).
#include "configrepo/gitrepo.h"
#include "gitcli.h"
#include "testsupport.h"
#include "verify.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace hive;
using namespace hive::engine;
using hive::test::runGit;
using hive::test::signatureAt;

namespace {

QString fileText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QStringLiteral("<missing>");
}

} // namespace

class TestGitRepo : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initOpenAndExists();
    void writeCommitWithNestedPaths();
    void writeCommitRefusesBadPaths_data();
    void writeCommitRefusesBadPaths();
    void signatureTime();
    void resolveAndRefs();
    void fastForwardOnly();
    void commitFilesChecksOutTheWorkTree();
    void commitFilesInABareRepo();
    void annotatedAndLightweightTags();
    void tagPatternsAndErrors();
    void remotesAndFetch();
    void copyCommitBetweenRepos();

private:
    QTemporaryDir m_dir;
    [[nodiscard]] QString dir(const QString &name) const { return m_dir.filePath(name); }
};

void TestGitRepo::initOpenAndExists()
{
    // MKPATH: the parents are made too.
    const QString workPath = dir(QStringLiteral("init/nested/work"));
    const QString barePath = dir(QStringLiteral("init/bare.git"));
    QVERIFY(!GitRepo::exists(workPath));
    auto work = GitRepo::init(workPath, false);
    VERIFY_OK(work);
    auto bare = GitRepo::init(barePath, true);
    VERIFY_OK(bare);
    QVERIFY(GitRepo::exists(workPath) && GitRepo::exists(barePath));
    QCOMPARE(work->path(), workPath);
    QCOMPARE(bare->path(), barePath);
    QVERIFY(!work->isBare());
    QVERIFY(bare->isBare());
    QCOMPARE(runGit(workPath, {QStringLiteral("symbolic-ref"), QStringLiteral("HEAD")}).out,
             QStringLiteral("refs/heads/main"));
    QCOMPARE(runGit(barePath, {QStringLiteral("symbolic-ref"), QStringLiteral("HEAD")}).out,
             QStringLiteral("refs/heads/main"));
    QCOMPARE(runGit(barePath, {QStringLiteral("rev-parse"), QStringLiteral("--is-bare-repository")}).out,
             QStringLiteral("true"));
    VERIFY_GIT(runGit(workPath, {QStringLiteral("fsck"), QStringLiteral("--strict")}));

    // Unborn: no target, no commit.
    auto unborn = work->refTarget(QStringLiteral("HEAD"));
    VERIFY_OK(unborn);
    QVERIFY(!unborn->has_value());
    VERIFY_FAILS(work->resolveCommit(QStringLiteral("HEAD")), ErrorCode::NotFound, "HEAD");

    VERIFY_FAILS(GitRepo::init(workPath, false), ErrorCode::AlreadyExists, "work");
    VERIFY_FAILS(GitRepo::init(barePath, false), ErrorCode::AlreadyExists, "bare.git");

    auto opened = GitRepo::open(workPath);
    VERIFY_OK(opened);
    QCOMPARE(opened->path(), workPath);
    // A directory inside a repo is not a repo: open does not search upwards.
    QVERIFY(QDir().mkpath(workPath + QStringLiteral("/sub")));
    QVERIFY(!GitRepo::exists(workPath + QStringLiteral("/sub")));
    VERIFY_FAILS(GitRepo::open(workPath + QStringLiteral("/sub")), ErrorCode::NotFound, "/sub");
    VERIFY_FAILS(GitRepo::open(dir(QStringLiteral("nothing"))), ErrorCode::NotFound, "nothing");

    // Moving hands the repo over.
    GitRepo moved = std::move(*opened);
    QCOMPARE(moved.path(), workPath);
    GitRepo other = std::move(*bare);
    other = std::move(moved);
    QCOMPARE(other.path(), workPath);
}

void TestGitRepo::writeCommitWithNestedPaths()
{
    auto repo = GitRepo::init(dir(QStringLiteral("nested")), true);
    VERIFY_OK(repo);
    const QMap<QString, QByteArray> files{{QStringLiteral("agent.toml"), "model = \"x\"\n"},
                                          {QStringLiteral("prompts/ci.md"), "Run the tests.\n"},
                                          {QStringLiteral("prompts/deep/er/file.txt"), QByteArray("\0\1\2", 3)},
                                          {QStringLiteral("empty"), QByteArray()}};
    auto sha = repo->writeCommit(files, {}, QStringLiteral("First\n\nWith a body."), signatureAt(1700000000));
    VERIFY_OK(sha);
    QCOMPARE(sha->size(), 40);
    QVERIFY(repo->hasCommit(*sha));
    // No ref moved: main is still unborn.
    QVERIFY(!repo->refTarget(QStringLiteral("refs/heads/main"))->has_value());
    VERIFY_OK(repo->setRef(QStringLiteral("refs/heads/main"), *sha, true, QStringLiteral("test")));

    const QString path = repo->path();
    VERIFY_GIT(runGit(path, {QStringLiteral("fsck"), QStringLiteral("--strict")}));
    QCOMPARE(runGit(path, {QStringLiteral("rev-parse"), QStringLiteral("main")}).out, *sha);
    QCOMPARE(runGit(path, {QStringLiteral("ls-tree"), QStringLiteral("-r"), QStringLiteral("--name-only"),
                           QStringLiteral("main")})
                 .out.split(QLatin1Char('\n')),
             QStringList(files.keys()));
    QCOMPARE(runGit(path, {QStringLiteral("cat-file"), QStringLiteral("-p"), QStringLiteral("main:prompts/ci.md")}).out,
             QStringLiteral("Run the tests."));
    QCOMPARE(runGit(path, {QStringLiteral("log"), QStringLiteral("--format=%B"), QStringLiteral("main")}).out,
             QStringLiteral("First\n\nWith a body."));

    auto read = repo->readAllFiles(*sha);
    VERIFY_OK(read);
    QCOMPARE(*read, files);
    auto one = repo->readFile(*sha, QStringLiteral("prompts/deep/er/file.txt"));
    VERIFY_OK(one);
    QCOMPARE(*one, QByteArray("\0\1\2", 3));

    auto info = repo->commit(*sha);
    VERIFY_OK(info);
    QCOMPARE(info->sha, *sha);
    QVERIFY(info->parents.isEmpty());
    QCOMPARE(info->summary, QStringLiteral("First"));
    QCOMPARE(info->message, QStringLiteral("First\n\nWith a body."));
    QCOMPARE(info->authorName, QStringLiteral("Ada"));
    QCOMPARE(info->authorEmail, QStringLiteral("ada@example.invalid"));
    QCOMPARE(info->committerName, QStringLiteral("Ada"));
    QCOMPARE(info->authorTime, QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC));
    QCOMPARE(info->authorTime.timeSpec(), Qt::UTC);

    // A child with two parents (a merge) keeps their order.
    auto second = repo->writeCommit({}, {*sha}, QStringLiteral("empty tree"), signatureAt(1700000100));
    VERIFY_OK(second);
    auto merge = repo->writeCommit(files, {*second, *sha}, QStringLiteral("merge"), signatureAt(1700000200));
    VERIFY_OK(merge);
    QCOMPARE(repo->commit(*merge)->parents, (QStringList{*second, *sha}));
    QCOMPARE(runGit(path, {QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%P"), *merge}).out,
             *second + QLatin1Char(' ') + *sha);
    QVERIFY(repo->readAllFiles(*second)->isEmpty());

    // hasCommit: only full shas of commits that are here.
    QVERIFY(!repo->hasCommit(sha->left(12)));
    QVERIFY(!repo->hasCommit(QString(40, QLatin1Char('a'))));
    QVERIFY(!repo->hasCommit(runGit(path, {QStringLiteral("rev-parse"), QStringLiteral("main^{tree}")}).out));
    QVERIFY(!repo->hasCommit(QStringLiteral("main")));

    VERIFY_FAILS(repo->writeCommit(files, {QString(40, QLatin1Char('b'))}, QStringLiteral("x"), {}),
                 ErrorCode::NotFound, "bbbbbbbb");
}

void TestGitRepo::writeCommitRefusesBadPaths_data()
{
    QTest::addColumn<QStringList>("paths");
    QTest::addColumn<QString>("mention");
    QTest::newRow("empty") << QStringList{QString()} << QStringLiteral("empty");
    QTest::newRow("absolute") << QStringList{QStringLiteral("/etc/passwd")} << QStringLiteral("/etc/passwd");
    QTest::newRow("dot-dot") << QStringList{QStringLiteral("a/../../x")} << QStringLiteral("a/../../x");
    QTest::newRow("double slash") << QStringList{QStringLiteral("a//b")} << QStringLiteral("a//b");
    QTest::newRow("trailing slash") << QStringList{QStringLiteral("a/")} << QStringLiteral("a/");
    QTest::newRow(".git") << QStringList{QStringLiteral(".git/config")} << QStringLiteral(".git/config");
    QTest::newRow(".GIT") << QStringList{QStringLiteral("x/.GIT/hooks")} << QStringLiteral(".GIT");
    QTest::newRow("file and dir") << QStringList{QStringLiteral("a"), QStringLiteral("a/b")}
                                  << QStringLiteral("both a file and a directory");
}

void TestGitRepo::writeCommitRefusesBadPaths()
{
    QFETCH(QStringList, paths);
    QFETCH(QString, mention);
    const QString path = dir(QStringLiteral("badpaths-%1")
                                 .arg(QString::fromUtf8(QTest::currentDataTag()))
                                 .replace(QLatin1Char('/'), QLatin1Char('_')));
    auto repo = GitRepo::init(path, true);
    VERIFY_OK(repo);
    QMap<QString, QByteArray> files;
    for (const QString &file : paths)
        files.insert(file, "x");
    auto sha = repo->writeCommit(files, {}, QStringLiteral("bad"), {});
    QVERIFY(!sha);
    QCOMPARE(sha.error().code, ErrorCode::InvalidParams);
    QVERIFY2(sha.error().message.contains(mention), qPrintable(sha.error().message));
    QVERIFY2(sha.error().message.contains(path), qPrintable(sha.error().message));
}

void TestGitRepo::signatureTime()
{
    auto repo = GitRepo::init(dir(QStringLiteral("when")), true);
    VERIFY_OK(repo);
    // An explicit time, given in another zone: the same instant, and the zone is the signature's.
    GitSignature berlin = signatureAt(0, QStringLiteral("Grace"));
    berlin.when = QDateTime(QDate(2024, 3, 1), QTime(12, 0), Qt::OffsetFromUTC, 3600);
    auto sha = repo->writeCommit({}, {}, QStringLiteral("at noon"), berlin);
    VERIFY_OK(sha);
    const QStringList fields = runGit(repo->path(), {QStringLiteral("log"), QStringLiteral("-1"),
                                                     QStringLiteral("--format=%at %ct %ai|%an|%ae"), *sha})
                                   .out.split(QLatin1Char(' '));
    QCOMPARE(fields.value(0).toLongLong(), berlin.when.toSecsSinceEpoch());
    QCOMPARE(fields.value(1).toLongLong(), berlin.when.toSecsSinceEpoch());
    QVERIFY2(fields.join(QLatin1Char(' ')).contains(QStringLiteral("12:00:00 +0100|Grace|grace@example.invalid")),
             qPrintable(fields.join(QLatin1Char(' '))));
    QCOMPARE(repo->commit(*sha)->authorTime, berlin.when.toUTC());

    // No time: now.
    const qint64 before = QDateTime::currentSecsSinceEpoch();
    auto now = repo->writeCommit({}, {}, QStringLiteral("now"), GitSignature{});
    VERIFY_OK(now);
    const qint64 at =
        runGit(repo->path(), {QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%at"), *now})
            .out.toLongLong();
    QVERIFY(at >= before && at <= QDateTime::currentSecsSinceEpoch());
    QCOMPARE(repo->commit(*now)->authorName, QStringLiteral("hyperhive"));
    QCOMPARE(repo->commit(*now)->authorEmail, QStringLiteral("engine@hyperhive.invalid"));

    GitSignature nameless;
    nameless.name.clear();
    VERIFY_FAILS(repo->writeCommit({}, {}, QStringLiteral("x"), nameless), ErrorCode::InvalidParams, "signature");
}

void TestGitRepo::resolveAndRefs()
{
    auto repo = GitRepo::init(dir(QStringLiteral("refs")), true);
    VERIFY_OK(repo);
    auto first = repo->commitFiles(QStringLiteral("refs/heads/main"), {{QStringLiteral("a"), "1"}},
                                   QStringLiteral("one"), signatureAt(1000));
    VERIFY_OK(first);
    auto second = repo->commitFiles(QStringLiteral("refs/heads/main"), {{QStringLiteral("a"), "2"}},
                                    QStringLiteral("two"), signatureAt(2000));
    VERIFY_OK(second);
    QCOMPARE(repo->commit(*second)->parents, QStringList{*first});
    VERIFY_OK(repo->createTag(QStringLiteral("v1"), *first, QStringLiteral("version one"), signatureAt(3000)));

    // Anything rev-parse takes, peeled to the commit.
    for (const QString &spec :
         {QStringLiteral("main"), QStringLiteral("refs/heads/main"), QStringLiteral("HEAD"), second->left(7), *second})
        QCOMPARE(repo->resolveCommit(spec).value_or(spec), *second);
    QCOMPARE(repo->resolveCommit(QStringLiteral("main~1")).value_or({}), *first);
    QCOMPARE(repo->resolveCommit(QStringLiteral("v1")).value_or({}), *first);
    QCOMPARE(repo->resolveCommit(QStringLiteral("refs/tags/v1")).value_or({}), *first);
    VERIFY_FAILS(repo->resolveCommit(QStringLiteral("nope")), ErrorCode::NotFound, "'nope'");
    VERIFY_FAILS(repo->resolveCommit(QString(40, QLatin1Char('c'))), ErrorCode::NotFound, "cccc");
    VERIFY_FAILS(repo->resolveCommit(QString()), ErrorCode::InvalidParams, "refs");
    VERIFY_FAILS(repo->resolveCommit(QStringLiteral("main^{tree}")), ErrorCode::InvalidParams, "not name a commit");

    // refTarget peels an annotated tag's ref to its commit.
    QCOMPARE(repo->refTarget(QStringLiteral("refs/heads/main"))->value_or(QString()), *second);
    QCOMPARE(repo->refTarget(QStringLiteral("HEAD"))->value_or(QString()), *second);
    QCOMPARE(repo->refTarget(QStringLiteral("refs/tags/v1"))->value_or(QString()), *first);
    QVERIFY(!repo->refTarget(QStringLiteral("refs/heads/none"))->has_value());
    VERIFY_FAILS(repo->refTarget(QStringLiteral("main")), ErrorCode::InvalidParams, "full ref name");
    VERIFY_FAILS(repo->refTarget(QStringLiteral("refs/heads/a..b")), ErrorCode::InvalidParams, "a..b");

    VERIFY_OK(repo->setRef(QStringLiteral("refs/heads/old"), *first, false, QStringLiteral("made by the test")));
    QCOMPARE(runGit(repo->path(), {QStringLiteral("rev-parse"), QStringLiteral("old")}).out, *first);
    VERIFY_FAILS(repo->setRef(QStringLiteral("refs/heads/x"), QString(40, QLatin1Char('d')), false, {}),
                 ErrorCode::NotFound, "dddd");
    VERIFY_FAILS(repo->setRef(QStringLiteral("refs/heads/x y"), *first, false, {}), ErrorCode::InvalidParams, "x y");

    QCOMPARE(repo->isAncestor(*first, *second).value_or(false), true);
    QCOMPARE(repo->isAncestor(*second, *first).value_or(true), false);
    QCOMPARE(repo->isAncestor(*first, *first).value_or(false), true);
    VERIFY_FAILS(repo->isAncestor(*first, QStringLiteral("nope")), ErrorCode::NotFound, "nope");
    VERIFY_GIT(runGit(repo->path(), {QStringLiteral("fsck"), QStringLiteral("--strict")}));
}

void TestGitRepo::fastForwardOnly()
{
    auto repo = GitRepo::init(dir(QStringLiteral("ff")), true);
    VERIFY_OK(repo);
    auto base = repo->writeCommit({{QStringLiteral("f"), "base"}}, {}, QStringLiteral("base"), signatureAt(10));
    VERIFY_OK(base);
    auto left = repo->writeCommit({{QStringLiteral("f"), "left"}}, {*base}, QStringLiteral("left"), signatureAt(20));
    VERIFY_OK(left);
    auto right = repo->writeCommit({{QStringLiteral("f"), "right"}}, {*base}, QStringLiteral("right"), signatureAt(30));
    VERIFY_OK(right);
    const QString main = QStringLiteral("refs/heads/main");
    VERIFY_OK(repo->setRef(main, *base, true, QStringLiteral("new ref")));
    VERIFY_OK(repo->setRef(main, *left, true, QStringLiteral("fast-forward")));
    VERIFY_OK(repo->setRef(main, *left, true, QStringLiteral("the same commit")));
    VERIFY_FAILS(repo->setRef(main, *right, true, QStringLiteral("sideways")), ErrorCode::InvalidParams,
                 "not a fast-forward");
    VERIFY_FAILS(repo->setRef(main, *base, true, QStringLiteral("backwards")), ErrorCode::InvalidParams,
                 "not a fast-forward");
    QCOMPARE(runGit(repo->path(), {QStringLiteral("rev-parse"), QStringLiteral("main")}).out, *left);
    VERIFY_OK(repo->setRef(main, *right, false, QStringLiteral("forced")));
    QCOMPARE(runGit(repo->path(), {QStringLiteral("rev-parse"), QStringLiteral("main")}).out, *right);
    // Every move is in the reflog with its message.
    // A bare repo keeps a reflog when asked to.
    QCOMPARE(runGit(repo->path(),
                    {QStringLiteral("config"), QStringLiteral("core.logAllRefUpdates"), QStringLiteral("true")})
                 .exitCode,
             0);
    auto reopened = GitRepo::open(repo->path());
    VERIFY_OK(reopened);
    VERIFY_OK(reopened->setRef(main, *left, false, QStringLiteral("back to the left")));
    QCOMPARE(runGit(repo->path(), {QStringLiteral("log"), QStringLiteral("-g"), QStringLiteral("-1"),
                                   QStringLiteral("--format=%gs"), QStringLiteral("refs/heads/main")})
                 .out,
             QStringLiteral("back to the left"));
}

void TestGitRepo::commitFilesChecksOutTheWorkTree()
{
    const QString path = dir(QStringLiteral("worktree"));
    auto repo = GitRepo::init(path, false);
    VERIFY_OK(repo);
    const QString main = QStringLiteral("refs/heads/main");
    auto first = repo->commitFiles(main,
                                   {{QStringLiteral("agent.toml"), "a = 1\n"},
                                    {QStringLiteral("prompts/ci.md"), "ci\n"},
                                    {QStringLiteral("prompts/old.md"), "old\n"}},
                                   QStringLiteral("first"), signatureAt(100));
    VERIFY_OK(first);
    QCOMPARE(fileText(path + QStringLiteral("/agent.toml")), QStringLiteral("a = 1\n"));
    QCOMPARE(fileText(path + QStringLiteral("/prompts/old.md")), QStringLiteral("old\n"));
    auto status = runGit(path, {QStringLiteral("status"), QStringLiteral("--porcelain")});
    VERIFY_GIT(status);
    QCOMPARE(status.out, QString());

    // The second commit changes one file, drops one and adds one; the work tree follows.
    auto second = repo->commitFiles(main,
                                    {{QStringLiteral("agent.toml"), "a = 2\n"},
                                     {QStringLiteral("prompts/ci.md"), "ci\n"},
                                     {QStringLiteral("new/x"), "x"}},
                                    QStringLiteral("second"), signatureAt(200));
    VERIFY_OK(second);
    QCOMPARE(fileText(path + QStringLiteral("/agent.toml")), QStringLiteral("a = 2\n"));
    QCOMPARE(fileText(path + QStringLiteral("/new/x")), QStringLiteral("x"));
    QVERIFY(!QFile::exists(path + QStringLiteral("/prompts/old.md")));
    status = runGit(path, {QStringLiteral("status"), QStringLiteral("--porcelain"), QStringLiteral("--ignored")});
    VERIFY_GIT(status);
    QCOMPARE(status.out, QString());
    QCOMPARE(runGit(path, {QStringLiteral("log"), QStringLiteral("--format=%H %s")}).out,
             QStringLiteral("%1 second\n%2 first").arg(*second, *first));
    QCOMPARE(runGit(path, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}).out, *second);

    // As `git reset --hard`: a local edit and a staged file give way to the commit; an untracked
    // file stays.
    QVERIFY(test::writeFile(path + QStringLiteral("/agent.toml"), "edited\n"));
    QVERIFY(test::writeFile(path + QStringLiteral("/staged"), "s\n"));
    QVERIFY(test::writeFile(path + QStringLiteral("/untracked"), "u\n"));
    VERIFY_GIT(runGit(path, {QStringLiteral("add"), QStringLiteral("staged")}));
    auto third = repo->commitFiles(main, {{QStringLiteral("agent.toml"), "a = 3\n"}}, QStringLiteral("third"), {});
    VERIFY_OK(third);
    status = runGit(path, {QStringLiteral("status"), QStringLiteral("--porcelain")});
    VERIFY_GIT(status);
    QCOMPARE(status.out, QStringLiteral("?? untracked"));
    QCOMPARE(fileText(path + QStringLiteral("/agent.toml")), QStringLiteral("a = 3\n"));
    QVERIFY(!QFile::exists(path + QStringLiteral("/staged")));
    QVERIFY(QFile::remove(path + QStringLiteral("/untracked")));

    // Another branch: the work tree (which shows main) is left alone.
    auto other = repo->commitFiles(QStringLiteral("refs/heads/other"), {{QStringLiteral("agent.toml"), "other\n"}},
                                   QStringLiteral("other"), {});
    VERIFY_OK(other);
    QCOMPARE(repo->commit(*other)->parents, QStringList());
    QCOMPARE(fileText(path + QStringLiteral("/agent.toml")), QStringLiteral("a = 3\n"));
    VERIFY_GIT(runGit(path, {QStringLiteral("fsck"), QStringLiteral("--strict")}));
}

void TestGitRepo::commitFilesInABareRepo()
{
    auto repo = GitRepo::init(dir(QStringLiteral("bare-commits.git")), true);
    VERIFY_OK(repo);
    auto first = repo->commitFiles(QStringLiteral("HEAD"), {{QStringLiteral("f"), "1"}}, QStringLiteral("one"), {});
    VERIFY_OK(first);
    // HEAD is followed to the branch it names.
    QCOMPARE(runGit(repo->path(), {QStringLiteral("rev-parse"), QStringLiteral("refs/heads/main")}).out, *first);
    QCOMPARE(runGit(repo->path(), {QStringLiteral("symbolic-ref"), QStringLiteral("HEAD")}).out,
             QStringLiteral("refs/heads/main"));
    auto second =
        repo->commitFiles(QStringLiteral("refs/heads/main"), {{QStringLiteral("f"), "2"}}, QStringLiteral("two"), {});
    VERIFY_OK(second);
    QCOMPARE(repo->commit(*second)->parents, QStringList{*first});
    QCOMPARE(QDir(repo->path()).entryList({QStringLiteral("f")}), QStringList());
    VERIFY_GIT(runGit(repo->path(), {QStringLiteral("fsck"), QStringLiteral("--strict")}));
    VERIFY_FAILS(repo->commitFiles(QStringLiteral("main"), {}, QStringLiteral("x"), {}), ErrorCode::InvalidParams,
                 "full ref name");
}

void TestGitRepo::annotatedAndLightweightTags()
{
    auto repo = GitRepo::init(dir(QStringLiteral("tags")), true);
    VERIFY_OK(repo);
    auto sha = repo->commitFiles(QStringLiteral("refs/heads/main"), {{QStringLiteral("f"), "1"}}, QStringLiteral("one"),
                                 signatureAt(1000));
    VERIFY_OK(sha);
    GitSignature tagger = signatureAt(1700001234, QStringLiteral("Operator"));
    VERIFY_OK(repo->createTag(QStringLiteral("approved/1"), *sha,
                              QStringLiteral("Approved by the operator\n\nAll good."), tagger));
    VERIFY_OK(repo->createTag(QStringLiteral("light"), *sha, QString(), {}));
    const QString path = repo->path();
    QCOMPARE(runGit(path, {QStringLiteral("cat-file"), QStringLiteral("-t"), QStringLiteral("approved/1")}).out,
             QStringLiteral("tag"));
    QCOMPARE(runGit(path, {QStringLiteral("cat-file"), QStringLiteral("-t"), QStringLiteral("light")}).out,
             QStringLiteral("commit"));
    QCOMPARE(runGit(path, {QStringLiteral("tag"), QStringLiteral("-l")}).out, QStringLiteral("approved/1\nlight"));
    QCOMPARE(runGit(path, {QStringLiteral("for-each-ref"),
                           QStringLiteral("--format=%(taggername)|%(taggeremail)|%(taggerdate:unix)|%(contents)"),
                           QStringLiteral("refs/tags/approved/1")})
                 .out,
             QStringLiteral("Operator|<operator@example.invalid>|1700001234|Approved by the operator\n\nAll good."));
    QCOMPARE(runGit(path, {QStringLiteral("rev-parse"), QStringLiteral("approved/1^{commit}")}).out, *sha);
    VERIFY_GIT(runGit(path, {QStringLiteral("fsck"), QStringLiteral("--strict")}));

    auto annotated = repo->tag(QStringLiteral("approved/1"));
    VERIFY_OK(annotated);
    QVERIFY(annotated->has_value());
    const GitTagInfo &info = **annotated;
    QCOMPARE(info.name, QStringLiteral("approved/1"));
    QCOMPARE(info.target, *sha);
    QVERIFY(info.annotated);
    QCOMPARE(info.taggerName, QStringLiteral("Operator"));
    QCOMPARE(info.taggerEmail, QStringLiteral("operator@example.invalid"));
    QCOMPARE(info.time, QDateTime::fromSecsSinceEpoch(1700001234, Qt::UTC));
    QCOMPARE(info.message, QStringLiteral("Approved by the operator\n\nAll good."));

    auto light = repo->tag(QStringLiteral("light"));
    VERIFY_OK(light);
    QVERIFY(light->has_value());
    QVERIFY(!(*light)->annotated);
    QCOMPARE((*light)->target, *sha);
    QCOMPARE((*light)->time, QDateTime::fromSecsSinceEpoch(1000, Qt::UTC));
    QVERIFY((*light)->message.isEmpty() && (*light)->taggerName.isEmpty());
}

void TestGitRepo::tagPatternsAndErrors()
{
    auto repo = GitRepo::init(dir(QStringLiteral("tagpatterns")), true);
    VERIFY_OK(repo);
    auto one =
        repo->commitFiles(QStringLiteral("refs/heads/main"), {{QStringLiteral("f"), "1"}}, QStringLiteral("1"), {});
    VERIFY_OK(one);
    auto two =
        repo->commitFiles(QStringLiteral("refs/heads/main"), {{QStringLiteral("f"), "2"}}, QStringLiteral("2"), {});
    VERIFY_OK(two);
    for (const QString &name : {QStringLiteral("approved/2"), QStringLiteral("approved/10"),
                                QStringLiteral("deployed/1"), QStringLiteral("approved/1")})
        VERIFY_OK(repo->createTag(name, name.endsWith(QLatin1Char('2')) ? *two : *one, QStringLiteral("m"), {}));

    auto all = repo->tags();
    VERIFY_OK(all);
    QStringList names;
    for (const GitTagInfo &tag : *all)
        names << tag.name;
    QCOMPARE(names, (QStringList{QStringLiteral("approved/1"), QStringLiteral("approved/10"),
                                 QStringLiteral("approved/2"), QStringLiteral("deployed/1")}));
    QCOMPARE(names.join(QLatin1Char('\n')), runGit(repo->path(), {QStringLiteral("tag"), QStringLiteral("-l")}).out);
    auto approved = repo->tags(QStringLiteral("approved/*"));
    VERIFY_OK(approved);
    QCOMPARE(approved->size(), 3);
    QCOMPARE(approved->at(2).target, *two);
    QCOMPARE(approved->at(0).target, *one);
    QVERIFY(repo->tags(QStringLiteral("nothing/*"))->isEmpty());

    // Re-creating fails whether the tag points at the same commit or elsewhere, annotated or not.
    VERIFY_FAILS(repo->createTag(QStringLiteral("approved/1"), *one, QStringLiteral("again"), {}),
                 ErrorCode::AlreadyExists, "approved/1");
    VERIFY_FAILS(repo->createTag(QStringLiteral("approved/1"), *two, QString(), {}), ErrorCode::AlreadyExists,
                 "approved/1");
    QCOMPARE(repo->tag(QStringLiteral("approved/1"))->value().target, *one);
    VERIFY_FAILS(repo->createTag(QStringLiteral("bad..name"), *one, QString(), {}), ErrorCode::InvalidParams,
                 "bad..name");
    VERIFY_FAILS(repo->createTag(QStringLiteral("x"), QString(40, QLatin1Char('e')), QString(), {}),
                 ErrorCode::NotFound, "eeee");
    VERIFY_FAILS(repo->createTag(QString(), *one, QString(), {}), ErrorCode::InvalidParams, "name");

    VERIFY_OK(repo->deleteTag(QStringLiteral("approved/10")));
    QVERIFY(!repo->tag(QStringLiteral("approved/10"))->has_value());
    QVERIFY(!runGit(repo->path(), {QStringLiteral("tag"), QStringLiteral("-l")}).out.contains(QStringLiteral("/10")));
    VERIFY_FAILS(repo->deleteTag(QStringLiteral("approved/10")), ErrorCode::NotFound, "approved/10");
    QVERIFY(!repo->tag(QStringLiteral("missing"))->has_value());

    // A tag of a tree (which the CLI can make) is no commit: tag() says so, tags() skips it.
    VERIFY_GIT(runGit(repo->path(), {QStringLiteral("tag"), QStringLiteral("treetag"), QStringLiteral("main^{tree}")}));
    VERIFY_FAILS(repo->tag(QStringLiteral("treetag")), ErrorCode::InvalidParams, "treetag");
    QCOMPARE(repo->tags()->size(), 3);
}

void TestGitRepo::remotesAndFetch()
{
    // The layout the engine uses: an agent's config work tree fetches from its applied repo.
    const QString appliedPath = dir(QStringLiteral("remotes/applied/alice"));
    const QString workPath = dir(QStringLiteral("remotes/agents/alice/config"));
    auto applied = GitRepo::init(appliedPath, true);
    VERIFY_OK(applied);
    auto work = GitRepo::init(workPath, false);
    VERIFY_OK(work);
    auto sha = applied->commitFiles(QStringLiteral("refs/heads/main"), {{QStringLiteral("agent.toml"), "x = 1\n"}},
                                    QStringLiteral("applied"), {});
    VERIFY_OK(sha);

    const QString relative = QStringLiteral("../../../applied/alice");
    VERIFY_OK(work->setRemote(QStringLiteral("applied"), relative));
    QCOMPARE(work->remoteUrl(QStringLiteral("applied")).value_or({}), relative);
    QCOMPARE(runGit(workPath, {QStringLiteral("config"), QStringLiteral("remote.applied.url")}).out, relative);
    VERIFY_GIT(runGit(workPath, {QStringLiteral("fetch"), QStringLiteral("applied")}));
    QCOMPARE(runGit(workPath, {QStringLiteral("rev-parse"), QStringLiteral("applied/main")}).out, *sha);

    // Set again: the url changes, the remote stays one.
    const QString absolute = QDir(appliedPath).absolutePath();
    VERIFY_OK(work->setRemote(QStringLiteral("applied"), absolute));
    QCOMPARE(work->remoteUrl(QStringLiteral("applied")).value_or({}), absolute);
    QCOMPARE(runGit(workPath, {QStringLiteral("remote")}).out, QStringLiteral("applied"));
    VERIFY_GIT(runGit(workPath, {QStringLiteral("fetch"), QStringLiteral("applied")}));

    VERIFY_FAILS(work->remoteUrl(QStringLiteral("origin")), ErrorCode::NotFound, "origin");
    VERIFY_FAILS(work->setRemote(QStringLiteral("bad name"), absolute), ErrorCode::InvalidParams, "bad name");
}

void TestGitRepo::copyCommitBetweenRepos()
{
    auto source = GitRepo::init(dir(QStringLiteral("copy/source")), false);
    auto target = GitRepo::init(dir(QStringLiteral("copy/target.git")), true);
    VERIFY_OK(source);
    VERIFY_OK(target);
    const QString main = QStringLiteral("refs/heads/main");
    QStringList shas;
    QMap<QString, QByteArray> files{{QStringLiteral("shared/big.txt"), QByteArray(5000, 'x')},
                                    {QStringLiteral("a/b/c/deep.txt"), "deep"}};
    for (int i = 0; i < 3; ++i) {
        files.insert(QStringLiteral("n.txt"), QByteArray::number(i));
        auto sha = source->commitFiles(main, files, QStringLiteral("commit %1").arg(i), signatureAt(1000 + i));
        VERIFY_OK(sha);
        shas << *sha;
    }
    VERIFY_OK(target->copyCommit(*source, shas.last()));
    for (const QString &sha : shas)
        QVERIFY2(target->hasCommit(sha), qPrintable(sha));
    QCOMPARE(target->readAllFiles(shas.last()).value_or({}), files);
    VERIFY_OK(target->setRef(main, shas.last(), true, QStringLiteral("copied")));
    VERIFY_GIT(runGit(target->path(), {QStringLiteral("fsck"), QStringLiteral("--strict"), QStringLiteral("--full")}));
    QCOMPARE(runGit(target->path(), {QStringLiteral("log"), QStringLiteral("--format=%H")}).out,
             runGit(source->path(), {QStringLiteral("log"), QStringLiteral("--format=%H")}).out);

    // Again, with a merge and a new file: only what is missing is written, and the result is whole.
    const int before =
        runGit(target->path(), {QStringLiteral("count-objects")}).out.section(QLatin1Char(' '), 0, 0).toInt();
    files.insert(QStringLiteral("a/b/new.txt"), "new");
    auto side = source->writeCommit(files, {shas.at(1)}, QStringLiteral("side"), signatureAt(2000));
    VERIFY_OK(side);
    auto merge = source->writeCommit(files, {shas.last(), *side}, QStringLiteral("merge"), signatureAt(2001));
    VERIFY_OK(merge);
    VERIFY_OK(target->copyCommit(*source, *merge));
    VERIFY_OK(target->copyCommit(*source, *merge)); // nothing to do
    // side, merge, their tree, a/, a/b/ and new.txt (the merge has side's tree).
    const int after =
        runGit(target->path(), {QStringLiteral("count-objects")}).out.section(QLatin1Char(' '), 0, 0).toInt();
    QCOMPARE(after - before, 6);
    VERIFY_OK(target->setRef(main, *merge, true, QStringLiteral("copied the merge")));
    VERIFY_GIT(runGit(target->path(), {QStringLiteral("fsck"), QStringLiteral("--strict"), QStringLiteral("--full")}));
    QCOMPARE(target->readFile(*merge, QStringLiteral("a/b/new.txt")).value_or({}), QByteArray("new"));

    VERIFY_FAILS(target->copyCommit(*source, QString(40, QLatin1Char('f'))), ErrorCode::NotFound, "ffff");
}

QTEST_GUILESS_MAIN(TestGitRepo)
#include "tst_gitrepo.moc"
