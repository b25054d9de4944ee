// SPDX-License-Identifier: MIT
// GitRepo's reading side on real repos: trees, files, log pages (with a path filter and over a
// 20000-commit history) and diffs with hunks, each compared with what the git CLI says.
#include "configrepo/gitrepo.h"
#include "gitcli.h"
#include "testsupport.h"
#include "verify.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace hive;
using namespace hive::engine;
using hive::test::runGit;
using hive::test::signatureAt;

namespace {

/// `git diff --numstat -z` as path -> "additions deletions" ("- -" for a binary file); a rename
/// is keyed by its new path.
QMap<QString, QString> numstat(const QString &repo, const QString &from, const QString &to)
{
    const test::GitRun run = runGit(repo, {QStringLiteral("diff"), QStringLiteral("--numstat"), QStringLiteral("-z"),
                                           QStringLiteral("-M"), from, to});
    QStringList fields = run.out.split(QChar(0));
    QMap<QString, QString> out;
    while (!fields.isEmpty()) {
        const QStringList counts = fields.takeFirst().split(QLatin1Char('\t'));
        if (counts.size() < 3)
            continue;
        QString path = counts.at(2);
        if (path.isEmpty() && fields.size() >= 2) { // a rename: old and new path follow
            fields.removeFirst();
            path = fields.takeFirst();
        }
        out.insert(path, counts.at(0) + QLatin1Char(' ') + counts.at(1));
    }
    return out;
}

/// The hunks of `git diff` for some paths: from the first @@ line on.
QStringList cliHunks(const QString &repo, const QString &from, const QString &to, int context, const QStringList &paths)
{
    const QStringList lines =
        runGit(repo, QStringList{QStringLiteral("diff"), QStringLiteral("--no-color"), QStringLiteral("-M"),
                                 QStringLiteral("-U%1").arg(context), from, to, QStringLiteral("--")} +
                         paths)
            .out.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines.at(i).startsWith(QLatin1String("@@")))
            return lines.mid(i);
    }
    return {};
}

QStringList ourHunks(const GitFileDiff &file)
{
    QStringList out;
    for (const GitDiffHunk &hunk : file.hunks)
        out << hunk.header << hunk.lines;
    return out;
}

QStringList shas(const GitLogPage &page)
{
    QStringList out;
    for (const GitCommitInfo &commit : page.commits)
        out << commit.sha;
    return out;
}

QByteArray numbered(const QString &prefix, int count)
{
    QByteArray out;
    for (int i = 1; i <= count; ++i)
        out += (prefix + QString::number(i)).toUtf8() + '\n';
    return out;
}

} // namespace

class TestGitRepoHistory : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void treeListsDirectoriesFirst();
    void readFileErrors();
    void logPages_data();
    void logPages();
    void logPathFilter();
    void diffWithHunks();
    void diffFromTheEmptyTree();
    void logOverALongHistory();

private:
    QTemporaryDir m_dir;
    QString m_logPath;
    QStringList m_logShas; ///< newest first, as git log says
    [[nodiscard]] QString dir(const QString &name) const { return m_dir.filePath(name); }
};

void TestGitRepoHistory::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Ten commits for the log pages.
    m_logPath = dir(QStringLiteral("log"));
    auto repo = GitRepo::init(m_logPath, true);
    VERIFY_OK(repo);
    for (int i = 0; i < 10; ++i)
        VERIFY_OK(repo->commitFiles(QStringLiteral("refs/heads/main"), {{QStringLiteral("n"), QByteArray::number(i)}},
                                    QStringLiteral("commit %1\n\nbody %1").arg(i), signatureAt(5000 + i * 60)));
    m_logShas = runGit(m_logPath, {QStringLiteral("log"), QStringLiteral("--format=%H")}).out.split(QLatin1Char('\n'));
    QCOMPARE(m_logShas.size(), 10);
}

void TestGitRepoHistory::treeListsDirectoriesFirst()
{
    // A commit the CLI makes, with an executable and a symlink, which writeCommit cannot make.
    const QString path = dir(QStringLiteral("tree"));
    auto repo = GitRepo::init(path, false);
    VERIFY_OK(repo);
    QVERIFY(QDir().mkpath(path + QStringLiteral("/zdir/inner")) && QDir().mkpath(path + QStringLiteral("/adir")));
    for (const QString &file : {QStringLiteral("b.txt"), QStringLiteral("a.txt"), QStringLiteral("zdir/inner/x"),
                                QStringLiteral("adir/y"), QStringLiteral("run.sh"), QStringLiteral("Z.md")})
        QVERIFY(test::writeFile(path + QLatin1Char('/') + file, file.toUtf8() + "\n"));
    QVERIFY(QFile::setPermissions(path + QStringLiteral("/run.sh"),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    QVERIFY(QFile::link(QStringLiteral("a.txt"), path + QStringLiteral("/link")));
    VERIFY_GIT(runGit(path, {QStringLiteral("add"), QStringLiteral(".")}));
    VERIFY_GIT(
        runGit(path, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("cli")}));
    auto sha = repo->resolveCommit(QStringLiteral("HEAD"));
    VERIFY_OK(sha);

    auto root = repo->tree(*sha, QString());
    VERIFY_OK(root);
    QStringList names;
    for (const GitTreeEntry &entry : *root)
        names << entry.name;
    QCOMPARE(names, (QStringList{QStringLiteral("adir"), QStringLiteral("zdir"), QStringLiteral("Z.md"),
                                 QStringLiteral("a.txt"), QStringLiteral("b.txt"), QStringLiteral("link"),
                                 QStringLiteral("run.sh")}));
    const GitTreeEntry &adir = root->at(0);
    QCOMPARE(adir.kind, QStringLiteral("tree"));
    QCOMPARE(adir.path, QStringLiteral("adir"));
    QCOMPARE(adir.sha, runGit(path, {QStringLiteral("rev-parse"), QStringLiteral("HEAD:adir")}).out);
    QCOMPARE(adir.size, 0);
    const GitTreeEntry &a = root->at(3);
    QCOMPARE(a.kind, QStringLiteral("blob"));
    QCOMPARE(a.size, 6);
    QCOMPARE(a.sha, runGit(path, {QStringLiteral("rev-parse"), QStringLiteral("HEAD:a.txt")}).out);
    QVERIFY(!a.executable);
    QCOMPARE(root->at(5).kind, QStringLiteral("blob")); // a symlink is a blob holding its target
    QCOMPARE(root->at(5).size, 5);
    QVERIFY(root->at(6).executable);

    for (const QString &sub : {QStringLiteral("zdir"), QStringLiteral("zdir/"), QStringLiteral("/zdir")}) {
        auto zdir = repo->tree(*sha, sub);
        VERIFY_OK(zdir);
        QCOMPARE(zdir->size(), 1);
        QCOMPARE(zdir->first().path, QStringLiteral("zdir/inner"));
        QCOMPARE(zdir->first().kind, QStringLiteral("tree"));
    }
    auto inner = repo->tree(*sha, QStringLiteral("zdir/inner"));
    VERIFY_OK(inner);
    QCOMPARE(inner->first().path, QStringLiteral("zdir/inner/x"));
    QCOMPARE(repo->readFile(*sha, QStringLiteral("zdir/inner/x")).value_or({}), QByteArray("zdir/inner/x\n"));
    QCOMPARE(repo->readAllFiles(*sha).value_or({}).keys(),
             runGit(path, {QStringLiteral("ls-files")}).out.split(QLatin1Char('\n')));

    VERIFY_FAILS(repo->tree(*sha, QStringLiteral("a.txt")), ErrorCode::NotFound, "not a directory");
    VERIFY_FAILS(repo->tree(*sha, QStringLiteral("nope")), ErrorCode::NotFound, "nope");
    VERIFY_FAILS(repo->tree(QStringLiteral("nope"), QString()), ErrorCode::NotFound, "nope");
}

void TestGitRepoHistory::readFileErrors()
{
    auto repo = GitRepo::init(dir(QStringLiteral("read")), true);
    VERIFY_OK(repo);
    auto sha = repo->writeCommit({{QStringLiteral("dir/file"), "x"}, {QStringLiteral("top"), "t"}}, {},
                                 QStringLiteral("files"), {});
    VERIFY_OK(sha);
    QCOMPARE(repo->readFile(*sha, QStringLiteral("top")).value_or({}), QByteArray("t"));
    for (const QString &bad :
         {QStringLiteral("missing"), QStringLiteral("dir"), QStringLiteral("dir/missing"), QStringLiteral("top/x"),
          QStringLiteral("../top"), QStringLiteral("dir/../top"), QString()}) {
        auto read = repo->readFile(*sha, bad);
        QVERIFY2(!read, qPrintable(bad));
        QVERIFY2(read.error().code == ErrorCode::NotFound, qPrintable(test::describe(read.error())));
        QVERIFY2(read.error().message.contains(repo->path()), qPrintable(read.error().message));
    }
    VERIFY_FAILS(repo->readFile(QString(40, QLatin1Char('0')), QStringLiteral("top")), ErrorCode::NotFound, "0000");
    VERIFY_FAILS(repo->readAllFiles(QStringLiteral("refs/heads/nope")), ErrorCode::NotFound, "nope");
    VERIFY_FAILS(repo->commit(QStringLiteral("1234567")), ErrorCode::NotFound, "1234567");
}

void TestGitRepoHistory::logPages_data()
{
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("limit");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("more");
    QTest::newRow("first page") << 0 << 3 << 3 << true;
    QTest::newRow("middle") << 3 << 3 << 3 << true;
    QTest::newRow("exactly the rest") << 7 << 3 << 3 << false;
    QTest::newRow("short last page") << 8 << 3 << 2 << false;
    QTest::newRow("everything") << 0 << 100 << 10 << false;
    QTest::newRow("past the end") << 10 << 5 << 0 << false;
    QTest::newRow("no commits asked") << 0 << 0 << 0 << true;
}

void TestGitRepoHistory::logPages()
{
    QFETCH(int, offset);
    QFETCH(int, limit);
    QFETCH(int, count);
    QFETCH(bool, more);
    auto repo = GitRepo::open(m_logPath);
    VERIFY_OK(repo);
    auto page = repo->log(QStringLiteral("refs/heads/main"), offset, limit);
    VERIFY_OK(page);
    QCOMPARE(shas(*page), m_logShas.mid(offset, count));
    QCOMPARE(page->more, more);
    if (offset == 0 && count > 0) {
        const GitCommitInfo &newest = page->commits.first();
        QCOMPARE(newest.summary, QStringLiteral("commit 9"));
        QCOMPARE(newest.message, QStringLiteral("commit 9\n\nbody 9"));
        QCOMPARE(newest.commitTime, QDateTime::fromSecsSinceEpoch(5000 + 9 * 60, Qt::UTC));
        QCOMPARE(newest.parents, QStringList{m_logShas.at(1)});
    }
    // From an older commit: its history only.
    auto older = repo->log(m_logShas.at(4), 0, 100);
    VERIFY_OK(older);
    QCOMPARE(shas(*older), m_logShas.mid(4));
    VERIFY_FAILS(repo->log(QStringLiteral("main"), -1, 3), ErrorCode::InvalidParams, "-1");
    VERIFY_FAILS(repo->log(QStringLiteral("refs/heads/nope"), 0, 3), ErrorCode::NotFound, "nope");
}

void TestGitRepoHistory::logPathFilter()
{
    auto repo = GitRepo::init(dir(QStringLiteral("logpath")), true);
    VERIFY_OK(repo);
    QMap<QString, QByteArray> files{{QStringLiteral("docs/x.md"), "x0"}};
    for (int i = 0; i < 10; ++i) {
        files.insert(QStringLiteral("n"), QByteArray::number(i));
        if (i == 2 || i == 5 || i == 8)
            files.insert(QStringLiteral("docs/x.md"), "x" + QByteArray::number(i));
        if (i == 6)
            files.insert(QStringLiteral("docs/y.md"), "y");
        if (i == 9)
            files.remove(QStringLiteral("docs/x.md"));
        VERIFY_OK(repo->commitFiles(QStringLiteral("refs/heads/main"), files, QStringLiteral("c%1").arg(i),
                                    signatureAt(9000 + i)));
    }
    const QString path = repo->path();
    for (const QString &filter : {QStringLiteral("docs/x.md"), QStringLiteral("docs"), QStringLiteral("docs/"),
                                  QStringLiteral("docs/y.md"), QStringLiteral("n"), QStringLiteral("none")}) {
        const QString cli = runGit(path, {QStringLiteral("log"), QStringLiteral("--format=%H"), QStringLiteral("main"),
                                          QStringLiteral("--"), filter})
                                .out;
        const QStringList expected = cli.isEmpty() ? QStringList() : cli.split(QLatin1Char('\n'));
        auto page = repo->log(QStringLiteral("main"), 0, 100, filter);
        VERIFY_OK(page);
        QCOMPARE(shas(*page), expected);
        QVERIFY(!page->more);
        if (expected.size() >= 2) {
            auto second = repo->log(QStringLiteral("main"), 1, 1, filter);
            VERIFY_OK(second);
            QCOMPARE(shas(*second), expected.mid(1, 1));
            QCOMPARE(second->more, expected.size() > 2);
        }
    }
    // The root commit adds docs/x.md; the last one deletes it.
    QCOMPARE(repo->log(QStringLiteral("main"), 0, 100, QStringLiteral("docs/x.md"))->commits.size(), 5);
}

void TestGitRepoHistory::diffWithHunks()
{
    auto repo = GitRepo::init(dir(QStringLiteral("diff")), true);
    VERIFY_OK(repo);
    const QByteArray keep = numbered(QStringLiteral("line "), 10);
    const QByteArray renameMe = numbered(QStringLiteral("r "), 20);
    auto from = repo->writeCommit({{QStringLiteral("keep.txt"), keep},
                                   {QStringLiteral("remove.txt"), "x\ny\n"},
                                   {QStringLiteral("rename-me.txt"), renameMe},
                                   {QStringLiteral("bin.dat"), QByteArray("\0\1\2\3", 4)},
                                   {QStringLiteral("noeol.txt"), "a\nb"}},
                                  {}, QStringLiteral("from"), {});
    VERIFY_OK(from);
    QByteArray renamed = renameMe;
    renamed.replace("r 10\n", "r ten\n");
    auto to = repo->writeCommit({{QStringLiteral("keep.txt"), QByteArray(keep).replace("line 5\n", "line five\n")},
                                 {QStringLiteral("renamed.txt"), renamed},
                                 {QStringLiteral("new.txt"), "n1\nn2\n"},
                                 {QStringLiteral("bin.dat"), QByteArray("\0\1\2\4", 4)},
                                 {QStringLiteral("noeol.txt"), "a\nc"}},
                                {*from}, QStringLiteral("to"), {});
    VERIFY_OK(to);
    const QString path = repo->path();
    const QMap<QString, QString> cliCounts = numstat(path, *from, *to);

    auto diff = repo->diff(*from, *to);
    VERIFY_OK(diff);
    QMap<QString, GitFileDiff> byPath;
    for (const GitFileDiff &file : *diff)
        byPath.insert(file.newPath.isEmpty() ? file.oldPath : file.newPath, file);
    QCOMPARE(byPath.keys(),
             (QStringList{QStringLiteral("bin.dat"), QStringLiteral("keep.txt"), QStringLiteral("new.txt"),
                          QStringLiteral("noeol.txt"), QStringLiteral("remove.txt"), QStringLiteral("renamed.txt")}));
    QCOMPARE(QStringList(cliCounts.keys()), QStringList(byPath.keys()));
    for (const GitFileDiff &file : *diff) {
        const QString key = file.newPath.isEmpty() ? file.oldPath : file.newPath;
        const QString counts =
            file.binary ? QStringLiteral("- -") : QStringLiteral("%1 %2").arg(file.additions).arg(file.deletions);
        QCOMPARE(counts, cliCounts.value(key));
        if (!file.binary) {
            const QStringList paths =
                file.status == QLatin1String("renamed") ? QStringList{file.oldPath, file.newPath} : QStringList{key};
            QCOMPARE(ourHunks(file), cliHunks(path, *from, *to, 3, paths));
        }
    }

    const GitFileDiff &modified = byPath.value(QStringLiteral("keep.txt"));
    QCOMPARE(modified.status, QStringLiteral("modified"));
    QCOMPARE(modified.oldPath, QStringLiteral("keep.txt"));
    QCOMPARE(modified.hunks.size(), 1);
    const GitDiffHunk &hunk = modified.hunks.first();
    QCOMPARE(hunk.oldStart, 2);
    QCOMPARE(hunk.oldLines, 7);
    QCOMPARE(hunk.newStart, 2);
    QCOMPARE(hunk.newLines, 7);
    QVERIFY2(hunk.header.startsWith(QStringLiteral("@@ -2,7 +2,7 @@")), qPrintable(hunk.header));
    QCOMPARE(hunk.lines.mid(2, 3),
             (QStringList{QStringLiteral(" line 4"), QStringLiteral("-line 5"), QStringLiteral("+line five")}));

    const GitFileDiff &removed = byPath.value(QStringLiteral("remove.txt"));
    QCOMPARE(removed.status, QStringLiteral("deleted"));
    QVERIFY(removed.newPath.isEmpty());
    QCOMPARE(removed.hunks.first().lines, (QStringList{QStringLiteral("-x"), QStringLiteral("-y")}));
    const GitFileDiff &added = byPath.value(QStringLiteral("new.txt"));
    QCOMPARE(added.status, QStringLiteral("added"));
    QVERIFY(added.oldPath.isEmpty());
    QCOMPARE(added.additions, 2);
    const GitFileDiff &renamedFile = byPath.value(QStringLiteral("renamed.txt"));
    QCOMPARE(renamedFile.status, QStringLiteral("renamed"));
    QCOMPARE(renamedFile.oldPath, QStringLiteral("rename-me.txt"));
    QCOMPARE(renamedFile.additions, 1);
    QCOMPARE(renamedFile.deletions, 1);
    const GitFileDiff &binary = byPath.value(QStringLiteral("bin.dat"));
    QVERIFY(binary.binary);
    QVERIFY(binary.hunks.isEmpty());
    const GitFileDiff &noEol = byPath.value(QStringLiteral("noeol.txt"));
    QVERIFY(!noEol.binary);
    QVERIFY(noEol.hunks.first().lines.contains(QStringLiteral("\\ No newline at end of file")));

    // No context: only the changed lines.
    auto tight = repo->diff(*from, *to, 0);
    VERIFY_OK(tight);
    for (const GitFileDiff &file : *tight) {
        if (file.newPath == QLatin1String("keep.txt")) {
            QCOMPARE(file.hunks.first().lines, (QStringList{QStringLiteral("-line 5"), QStringLiteral("+line five")}));
            QCOMPARE(ourHunks(file), cliHunks(path, *from, *to, 0, {file.newPath}));
        }
    }
    auto none = repo->diff(*to, *to);
    VERIFY_OK(none);
    QVERIFY(none->isEmpty());
    VERIFY_FAILS(repo->diff(*from, QStringLiteral("nope")), ErrorCode::NotFound, "nope");
}

void TestGitRepoHistory::diffFromTheEmptyTree()
{
    auto repo = GitRepo::init(dir(QStringLiteral("diffroot")), true);
    VERIFY_OK(repo);
    auto sha = repo->writeCommit({{QStringLiteral("a"), "1\n2\n"}, {QStringLiteral("d/b"), "3\n"}}, {},
                                 QStringLiteral("root"), {});
    VERIFY_OK(sha);
    auto diff = repo->diff(QString(), *sha);
    VERIFY_OK(diff);
    QCOMPARE(diff->size(), 2);
    const QString emptyTree = runGit(repo->path(), {QStringLiteral("hash-object"), QStringLiteral("-t"),
                                                    QStringLiteral("tree"), QStringLiteral("/dev/null")})
                                  .out;
    const QMap<QString, QString> counts = numstat(repo->path(), emptyTree, *sha);
    for (const GitFileDiff &file : *diff) {
        QCOMPARE(file.status, QStringLiteral("added"));
        QCOMPARE(QStringLiteral("%1 %2").arg(file.additions).arg(file.deletions), counts.value(file.newPath));
        QCOMPARE(file.hunks.size(), 1);
        QCOMPARE(ourHunks(file), cliHunks(repo->path(), emptyTree, *sha, 3, {file.newPath}));
    }
}

void TestGitRepoHistory::logOverALongHistory()
{
    constexpr int Commits = 20000;
    auto repo = GitRepo::init(dir(QStringLiteral("long")), true);
    VERIFY_OK(repo);
    QStringList written; // oldest first
    written.reserve(Commits);
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < Commits; ++i) {
        auto sha = repo->writeCommit({{QStringLiteral("n"), QByteArray::number(i)}},
                                     written.isEmpty() ? QStringList() : QStringList{written.last()},
                                     QStringLiteral("commit %1").arg(i), signatureAt(1600000000 + i));
        QVERIFY2(sha, sha ? "" : qPrintable(sha.error().message));
        written << *sha;
    }
    const qint64 writeMs = timer.restart();
    VERIFY_OK(repo->setRef(QStringLiteral("refs/heads/main"), written.last(), true, QStringLiteral("long")));

    timer.restart();
    auto deep = repo->log(QStringLiteral("refs/heads/main"), 19900, 100);
    const qint64 deepMs = timer.restart();
    auto first = repo->log(QStringLiteral("refs/heads/main"), 0, 100);
    const qint64 firstMs = timer.elapsed();
    qInfo("%d commits written in %lld ms; log page offset 19900 in %lld ms, offset 0 in %lld ms", Commits, writeMs,
          deepMs, firstMs);

    VERIFY_OK(deep);
    QCOMPARE(deep->commits.size(), 100);
    QVERIFY(!deep->more);
    for (int k = 0; k < 100; ++k)
        QCOMPARE(deep->commits.at(k).sha, written.at(99 - k));
    QVERIFY(deep->commits.last().parents.isEmpty());
    QCOMPARE(deep->commits.first().summary, QStringLiteral("commit 99"));
    QCOMPARE(deep->commits.first().sha,
             runGit(repo->path(), {QStringLiteral("rev-parse"), QStringLiteral("main~19900")}).out);
    VERIFY_OK(first);
    QCOMPARE(first->commits.size(), 100);
    QVERIFY(first->more);
    QCOMPARE(first->commits.first().sha, written.last());
}

QTEST_GUILESS_MAIN(TestGitRepoHistory)
#include "tst_gitrepohistory.moc"
