// SPDX-License-Identifier: MIT
// hive-bench-repos: the reads behind the git browsing API (GitRepo on libgit2, as repo_log, repo_tags
// and repo_diff run them: the repo opened per call) against the stock git CLI on the same repo, a
// history of 100,000 linear commits written through GitRepo::writeCommit. Prints
// "bench: NAME ours=... anchor=... ratio=..." lines (medians); scripts/bench repos builds and runs it.
#include "configrepo/gitrepo.h"
#include "interrupt.h"
#include "measurement.h"
#include "monotonic.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>
#include <functional>
#include <vector>

namespace {

using hive::Result;
using hive::engine::GitRepo;
using hive::engine::GitSignature;

constexpr int NoteFiles = 8;
constexpr int NoteLines = 40;
constexpr int PageSize = 100;
constexpr char MainRef[] = "refs/heads/main";
const QStringList States{QStringLiteral("proposal"), QStringLiteral("approved"), QStringLiteral("building"),
                         QStringLiteral("deployed")};

void say(const QString &message)
{
    std::fprintf(stderr, "hive-bench-repos: %s\n", qPrintable(message));
}

double msSince(qint64 startNs)
{
    return static_cast<double>(hive::bench::monotonicNs() - startNs) / static_cast<double>(hive::bench::NsPerMs);
}

QString notePath(int file)
{
    return QStringLiteral("notes/n%1.txt").arg(file);
}

/// The history: agent.toml and eight note files of 40 lines; commit i rewrites one line of note
/// i % 8, so any two commits far apart differ in every note.
Result<void> buildRepo(const QString &path, int commits, int tags)
{
    auto repo = GitRepo::init(path, true);
    if (!repo)
        return hive::fail(repo.error());
    QMap<QString, QByteArray> files;
    files.insert(QStringLiteral("agent.toml"),
                 QByteArrayLiteral("description = \"bench\"\n[limits]\nmemory = \"4G\"\n"));
    std::vector<QList<QByteArray>> notes(NoteFiles);
    for (int f = 0; f < NoteFiles; ++f) {
        for (int l = 0; l < NoteLines; ++l)
            notes[f] << QByteArray("line ") + QByteArray::number(l) + " of note " + QByteArray::number(f);
        files.insert(notePath(f), notes[f].join('\n') + '\n');
    }
    GitSignature author;
    author.name = QStringLiteral("Bench Author");
    author.email = QStringLiteral("bench@example.invalid");
    const qint64 epoch = 1700000000;
    QStringList shas;
    shas.reserve(commits);
    const qint64 started = hive::bench::monotonicNs();
    for (int i = 0; i < commits; ++i) {
        if (hive::bench::Interrupt::requested())
            return hive::fail(hive::ErrorCode::Unavailable, QStringLiteral("interrupted"));
        const int f = i % NoteFiles;
        notes[f][(i / NoteFiles) % NoteLines] = QByteArray("line changed by commit ") + QByteArray::number(i);
        files.insert(notePath(f), notes[f].join('\n') + '\n');
        author.when = QDateTime::fromSecsSinceEpoch(epoch + i, Qt::UTC);
        auto sha =
            repo->writeCommit(files, shas.isEmpty() ? QStringList() : QStringList{shas.last()},
                              QStringLiteral("commit %1\n\nRewrites a line of %2.").arg(i).arg(notePath(f)), author);
        if (!sha)
            return hive::fail(sha.error());
        shas << *sha;
        if ((i + 1) % 10000 == 0)
            say(QStringLiteral("%1 commits written").arg(i + 1));
    }
    if (auto moved = repo->setRef(QString::fromLatin1(MainRef), shas.last(), false, QStringLiteral("bench")); !moved)
        return moved;
    const double writeMs = msSince(started);
    say(QStringLiteral("wrote %1 commits in %2 s (%3 ms per commit, writeCommit + one setRef)")
            .arg(commits)
            .arg(writeMs / 1000, 0, 'f', 1)
            .arg(writeMs / commits, 0, 'f', 3));

    // Tags as the approvals write them: <state>/<id>, annotated, on commits spread over the history.
    const qint64 tagsStarted = hive::bench::monotonicNs();
    for (int t = 0; t < tags; ++t) {
        const int id = t / int(States.size()) + 1;
        const QString &sha = shas.at(qMax(0, commits - 1 - id * (commits / (tags + 1))));
        author.when = QDateTime::fromSecsSinceEpoch(epoch + commits + t, Qt::UTC);
        if (auto made = repo->createTag(States.at(t % States.size()) + QLatin1Char('/') + QString::number(id), sha,
                                        QStringLiteral("approval %1").arg(id), author);
            !made)
            return made;
    }
    say(QStringLiteral("wrote %1 annotated tags in %2 ms").arg(tags).arg(msSince(tagsStarted), 0, 'f', 0));
    return {};
}

/// `git -C repo ARGS` without the system's or the user's configuration; stdout is read and
/// dropped (or goes to /dev/null). Returns the lines it wrote, or -1 when it failed.
qsizetype runGit(const QString &repo, const QStringList &args, bool devNull)
{
    QProcess git;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    env.insert(QStringLiteral("GIT_CONFIG_GLOBAL"), QStringLiteral("/dev/null"));
    git.setProcessEnvironment(env);
    if (devNull)
        git.setStandardOutputFile(QProcess::nullDevice());
    git.start(QStringLiteral("git"), QStringList{QStringLiteral("-C"), repo} + args);
    qsizetype lines = 0;
    if (!git.waitForStarted(10000))
        return -1;
    while (git.state() != QProcess::NotRunning) {
        git.waitForReadyRead(1000);
        lines += git.readAllStandardOutput().count('\n');
    }
    lines += git.readAllStandardOutput().count('\n');
    if (git.exitStatus() != QProcess::NormalExit || git.exitCode() != 0) {
        say(QStringLiteral("git %1 failed: %2")
                .arg(args.join(QLatin1Char(' ')), QString::fromUtf8(git.readAllStandardError()).trimmed()));
        return -1;
    }
    return lines;
}

/// One figure: `ours` and `anchor` (each returns false on failure) alternately, once unmeasured
/// and then `rounds` times; prints the medians.
bool measure(const QString &name, int rounds, const std::function<bool()> &ours, const std::function<bool()> &anchor)
{
    if (!ours() || !anchor())
        return false;
    std::vector<double> oursMs;
    std::vector<double> anchorMs;
    for (int round = 0; round < rounds; ++round) {
        qint64 started = hive::bench::monotonicNs();
        if (!ours())
            return false;
        oursMs.push_back(msSince(started));
        started = hive::bench::monotonicNs();
        if (!anchor())
            return false;
        anchorMs.push_back(msSince(started));
    }
    hive::bench::printBenchLine(name, hive::bench::median(oursMs), hive::bench::median(anchorMs),
                                hive::bench::formatMs);
    return true;
}

/// Ours as the API does it: open the repo, then one call; a failure is printed.
template<typename Call>
bool ours(const QString &path, Call call)
{
    auto repo = GitRepo::open(path);
    if (!repo) {
        say(repo.error().message);
        return false;
    }
    return call(*repo);
}

int runBenchmarks(const QString &path, int commits, int rounds)
{
    const QString logFormat = QStringLiteral("--format=%H%x00%an%x00%s");
    const auto logPage = [&](qsizetype offset) {
        return [&path, offset] {
            return ours(path, [offset](GitRepo &repo) {
                auto page = repo.log(QStringLiteral("main"), offset, PageSize);
                if (!page || page->commits.size() != PageSize) {
                    say(page ? QStringLiteral("the log page has %1 commits").arg(page->commits.size())
                             : page.error().message);
                    return false;
                }
                return true;
            });
        };
    };
    const auto gitLog = [&](qsizetype offset) {
        return [&path, &logFormat, offset] {
            QStringList args{QStringLiteral("log"), QStringLiteral("-n"), QString::number(PageSize), logFormat};
            if (offset > 0)
                args.insert(1, QStringLiteral("--skip=%1").arg(offset));
            return runGit(path, args << QStringLiteral("main"), false) == PageSize;
        };
    };
    const qsizetype deep = commits - PageSize;
    bool ok = measure(QStringLiteral("log-offset-%1").arg(deep), rounds, logPage(deep), gitLog(deep)) &&
              measure(QStringLiteral("log-first-page"), rounds, logPage(0), gitLog(0));

    const auto tags = [&path] {
        return ours(path, [](GitRepo &repo) {
            auto listed = repo.tags();
            if (!listed)
                say(listed.error().message);
            return listed.has_value();
        });
    };
    ok = ok && measure(QStringLiteral("tags"), rounds, tags, [&path] {
             return runGit(path, {QStringLiteral("tag"), QStringLiteral("-l")}, false) > 0;
         });
    // The same information as GitRepo::tags reads: target, tagger, time and message of each tag.
    ok = ok && measure(QStringLiteral("tags-detail"), rounds, tags, [&path] {
             return runGit(
                        path,
                        {QStringLiteral("tag"), QStringLiteral("-l"),
                         QStringLiteral("--format=%(refname:strip=2)%00%(*objectname)%00%(taggername)%00%(taggeremail)"
                                        "%00%(taggerdate:unix)%00%(contents)")},
                        false) > 0;
         });

    QString from;
    QString to;
    if (auto repo = GitRepo::open(path); repo) {
        auto first = repo->resolveCommit(QStringLiteral("main~%1").arg(commits / 2));
        auto last = repo->resolveCommit(QStringLiteral("main"));
        if (first && last) {
            from = *first;
            to = *last;
        }
    }
    if (from.isEmpty()) {
        say(QStringLiteral("cannot resolve the commits to diff"));
        return 1;
    }
    ok = ok && measure(
                   QStringLiteral("diff"), rounds,
                   [&] {
                       return ours(path, [&](GitRepo &repo) {
                           auto files = repo.diff(from, to, 3);
                           if (!files || files->size() != NoteFiles) {
                               say(files ? QStringLiteral("the diff has %1 files").arg(files->size())
                                         : files.error().message);
                               return false;
                           }
                           return true;
                       });
                   },
                   [&] {
                       return runGit(path, {QStringLiteral("diff"), from, to}, true) == 0;
                   });
    if (hive::bench::Interrupt::requested())
        return 130;
    return ok ? 0 : 1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hive-bench-repos"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HIVE_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures the git browsing API's reads (GitRepo, libgit2) against the git CLI on a repo of "
                       "linear commits: a deep log page, the first page, the tags, a diff.\nExit codes: 0 success, "
                       "1 a measurement failed, 2 bad command line, 130 interrupted."));
    parser.addHelpOption();
    const QCommandLineOption commitsOption(QStringLiteral("commits"),
                                           QStringLiteral("Commits in the history (default 100000)."),
                                           QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption tagsOption(QStringLiteral("tags"), QStringLiteral("Annotated tags (default 1000)."),
                                        QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption repeat(QStringLiteral("repeat"),
                                    QStringLiteral("Rounds per figure, alternating ours and the anchor; each figure "
                                                   "is the median (default 5)."),
                                    QStringLiteral("N"), QStringLiteral("5"));
    const QCommandLineOption repoOption(
        QStringLiteral("repo"),
        QStringLiteral("Use the repo in DIR, built there first when DIR does not exist (default: a temporary dir)."),
        QStringLiteral("DIR"));
    const QCommandLineOption pack(QStringLiteral("pack"),
                                  QStringLiteral("Pack the objects (git repack -a -d) before measuring; GitRepo writes "
                                                 "loose objects."));
    const QCommandLineOption workDir(
        QStringLiteral("work-dir"), QStringLiteral("Where the temporary dir goes (default: %1).").arg(QDir::tempPath()),
        QStringLiteral("DIR"), QDir::tempPath());
    parser.addOptions({commitsOption, tagsOption, repeat, repoOption, pack, workDir});
    parser.process(app);

    bool ok = false;
    const int rounds = parser.value(repeat).toInt(&ok);
    bool commitsOk = false;
    const int commits = parser.value(commitsOption).toInt(&commitsOk);
    bool tagsOk = false;
    const int tags = parser.value(tagsOption).toInt(&tagsOk);
    if (!ok || rounds < 1 || !commitsOk || commits < 2 * PageSize || !tagsOk || tags < 1) {
        say(QStringLiteral("--repeat and --tags must be positive numbers, --commits at least %1").arg(2 * PageSize));
        return 2;
    }

    hive::bench::Interrupt::install();
    QTemporaryDir temporary(parser.value(workDir) + QStringLiteral("/hive-bench-repos-XXXXXX"));
    QString path = parser.value(repoOption);
    if (path.isEmpty()) {
        if (!temporary.isValid()) {
            say(QStringLiteral("cannot create a temporary dir: %1").arg(temporary.errorString()));
            return 1;
        }
        path = temporary.filePath(QStringLiteral("repo.git"));
    }
    if (!QFileInfo::exists(path)) {
        say(QStringLiteral("building %1 commits and %2 tags in %3").arg(commits).arg(tags).arg(path));
        if (auto built = buildRepo(path, commits, tags); !built) {
            say(built.error().message);
            return hive::bench::Interrupt::requested() ? 130 : 1;
        }
    }
    if (parser.isSet(pack)) {
        const qint64 started = hive::bench::monotonicNs();
        if (runGit(path, {QStringLiteral("repack"), QStringLiteral("-a"), QStringLiteral("-d"), QStringLiteral("-q")},
                   true) < 0)
            return 1;
        say(QStringLiteral("packed in %1 s").arg(msSince(started) / 1000, 0, 'f', 1));
    }
    return runBenchmarks(path, commits, rounds);
}
