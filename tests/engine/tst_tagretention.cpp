// SPDX-License-Identifier: MIT
// The approval tags' retention on real applied repos written with GitRepo, each result checked
// with the git CLI (tag -l, fsck): what goes and what stays, dry runs, the aging of failed and
// denied tags, and the repo_gc protocol types.
#include "approvals/tagretention.h"
#include "configrepo/configrepos.h"
#include "fakeclock.h"
#include "gitcli.h"
#include "protocol/retention.h"
#include "verify.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace hive;
using namespace hive::engine;
using hive::test::runGit;

namespace {

constexpr qint64 Day = qint64(24) * 3600;

/// The tags as `git tag -l` lists them, one per element.
QStringList gitTags(const QString &repo)
{
    const auto run = runGit(repo, {QStringLiteral("tag"), QStringLiteral("-l")});
    return run.out.isEmpty() ? QStringList() : run.out.split(QLatin1Char('\n'));
}

GitTagInfo tagInfo(const QString &name, const QDateTime &time)
{
    GitTagInfo tag;
    tag.name = name;
    tag.annotated = true;
    tag.time = time;
    return tag;
}

QStringList names(const QList<TagRemoval> &removals)
{
    QStringList out;
    for (const TagRemoval &removal : removals)
        out << removal.tag;
    return out;
}

} // namespace

class TestTagRetention : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void planRules_data();
    void planRules();
    void reasons();
    void dryRunThenRealRun();
    void agingBoundary();
    void zeroDaysKeepsFailedAndDenied();
    void metaRepoAndStrayDirsUntouched();
    void failedRemovalIsReportedOthersCollected();
    void protocolRoundTrip();

private:
    /// Tags `<state>/<id>` in the agent's applied repo, each `secondsAgo` before the clock's now.
    void tagApproval(const QString &agent, qint64 id, std::initializer_list<const char *> states, qint64 secondsAgo);
    [[nodiscard]] QString applied(const QString &agent) const { return m_repos->appliedPath(agent); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ConfigRepos> m_repos;
    test::FakeClock m_clock;
    QMap<QString, QString> m_commits; ///< agent -> the commit every tag points at
};

void TestTagRetention::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_repos = std::make_unique<ConfigRepos>(m_dir->path());
    m_commits.clear();
}

void TestTagRetention::tagApproval(const QString &agent, qint64 id, std::initializer_list<const char *> states,
                                   qint64 secondsAgo)
{
    auto repo = m_repos->applied(agent);
    VERIFY_OK(repo);
    if (!m_commits.contains(agent)) {
        auto sha = repo->writeCommit({{QStringLiteral("agent.toml"), QByteArrayLiteral("description = \"x\"\n")}}, {},
                                     QStringLiteral("config"), test::signatureAt(0));
        VERIFY_OK(sha);
        m_commits.insert(agent, *sha);
    }
    GitSignature tagger;
    tagger.when = m_clock.now().addSecs(-secondsAgo);
    for (const char *state : states) {
        VERIFY_OK(repo->createTag(QStringLiteral("%1/%2").arg(QLatin1String(state)).arg(id), m_commits.value(agent),
                                  QStringLiteral("%1 of approval %2").arg(QLatin1String(state)).arg(id), tagger));
    }
}

void TestTagRetention::planRules_data()
{
    QTest::addColumn<QStringList>("tags");
    QTest::addColumn<qint64>("ageDays");
    QTest::addColumn<int>("retentionDays");
    QTest::addColumn<QStringList>("removed");

    const QStringList flow{QStringLiteral("proposal/7"), QStringLiteral("approved/7"), QStringLiteral("building/7")};
    QTest::newRow("pending") << QStringList{QStringLiteral("proposal/7")} << qint64(400) << 30 << QStringList();
    QTest::newRow("building") << flow << qint64(400) << 30 << QStringList();
    QTest::newRow("deployed, however old")
        << flow + QStringList{QStringLiteral("deployed/7")} << qint64(4000) << 30 << flow;
    QTest::newRow("failed recently") << flow + QStringList{QStringLiteral("failed/7")} << qint64(29) << 30 << flow;
    QTest::newRow("failed long ago") << flow + QStringList{QStringLiteral("failed/7")} << qint64(31) << 30
                                     << flow + QStringList{QStringLiteral("failed/7")};
    QTest::newRow("denied recently") << QStringList{QStringLiteral("proposal/7"), QStringLiteral("denied/7")}
                                     << qint64(1) << 30 << QStringList{QStringLiteral("proposal/7")};
    QTest::newRow("denied long ago") << QStringList{QStringLiteral("denied/7"), QStringLiteral("proposal/7")}
                                     << qint64(31) << 30
                                     << QStringList{QStringLiteral("proposal/7"), QStringLiteral("denied/7")};
    QTest::newRow("denied, kept for good") << QStringList{QStringLiteral("proposal/7"), QStringLiteral("denied/7")}
                                           << qint64(4000) << 0 << QStringList{QStringLiteral("proposal/7")};
    // Only the denial's own tags age: a terminal tag alone, its siblings gone already.
    QTest::newRow("a lone terminal tag") << QStringList{QStringLiteral("failed/7")} << qint64(31) << 30
                                         << QStringList{QStringLiteral("failed/7")};
    QTest::newRow("not <state>/<number>")
        << QStringList{QStringLiteral("v1.0"),         QStringLiteral("proposal/x"),      QStringLiteral("proposal/0"),
                       QStringLiteral("denied/007"),   QStringLiteral("Denied/7"),        QStringLiteral("pending/7"),
                       QStringLiteral("proposal/7/x"), QStringLiteral("release/denied/7")}
        << qint64(400) << 30 << QStringList();
    QTest::newRow("a stray tag beside an approval")
        << QStringList{QStringLiteral("proposal/7"), QStringLiteral("deployed/7"), QStringLiteral("denied/07")}
        << qint64(400) << 30 << QStringList{QStringLiteral("proposal/7")};
    // By id (numerically), then in the order of an approval's life.
    QTest::newRow("report order") << QStringList{QStringLiteral("denied/10"),  QStringLiteral("proposal/10"),
                                                 QStringLiteral("proposal/9"), QStringLiteral("building/9"),
                                                 QStringLiteral("approved/9"), QStringLiteral("deployed/9")}
                                  << qint64(1) << 30
                                  << QStringList{QStringLiteral("proposal/9"), QStringLiteral("approved/9"),
                                                 QStringLiteral("building/9"), QStringLiteral("proposal/10")};
}

void TestTagRetention::planRules()
{
    QFETCH(QStringList, tags);
    QFETCH(qint64, ageDays);
    QFETCH(int, retentionDays);
    QFETCH(QStringList, removed);
    const QDateTime now = m_clock.now();
    QList<GitTagInfo> infos;
    for (const QString &name : tags)
        infos << tagInfo(name, now.addSecs(-ageDays * Day));
    QCOMPARE(names(TagRetention::plan(infos, now, retentionDays)), removed);
}

void TestTagRetention::reasons()
{
    const QDateTime now = m_clock.now();
    const QList<TagRemoval> removals =
        TagRetention::plan({tagInfo(QStringLiteral("proposal/3"), now), tagInfo(QStringLiteral("failed/3"), now),
                            tagInfo(QStringLiteral("denied/4"), now.addDays(-45))},
                           now, 30);
    const QList<TagRemoval> expected{{QStringLiteral("proposal/3"), QStringLiteral("superseded by failed/3")},
                                     {QStringLiteral("denied/4"), QStringLiteral("older than 30 days")}};
    QCOMPARE(removals, expected);
}

void TestTagRetention::dryRunThenRealRun()
{
    const QString alice = QStringLiteral("alice");
    const QString bob = QStringLiteral("bob");
    tagApproval(alice, 1, {"proposal", "approved", "building", "deployed"}, 100 * Day);
    tagApproval(alice, 2, {"proposal", "denied"}, 40 * Day);
    tagApproval(alice, 3, {"proposal", "approved", "building", "failed"}, 5 * Day);
    tagApproval(alice, 4, {"proposal"}, 90 * Day);
    tagApproval(alice, 5, {"proposal", "approved", "building"}, 60 * Day);
    tagApproval(bob, 6, {"proposal", "denied"}, 20 * Day);
    auto repo = m_repos->applied(alice);
    VERIFY_OK(repo);
    VERIFY_OK(repo->createTag(QStringLiteral("v1"), m_commits.value(alice), QString(), GitSignature()));
    VERIFY_OK(repo->createTag(QStringLiteral("release/2026"), m_commits.value(alice), QStringLiteral("release"),
                              GitSignature()));
    const QStringList aliceBefore = gitTags(applied(alice));
    const QStringList bobBefore = gitTags(applied(bob));
    QCOMPARE(aliceBefore.size(), 16);

    const TagRetention retention(*m_repos, m_clock, 30);
    const RetentionReport dry = retention.run(true);
    QVERIFY(dry.dryRun);
    QVERIFY2(dry.errors().isEmpty(), qPrintable(dry.errors().join(QLatin1Char('\n'))));
    QCOMPARE(dry.repos.size(), 2);
    QCOMPARE(dry.repos.at(0).agent, alice);
    const QStringList aliceGoes{QStringLiteral("proposal/1"), QStringLiteral("approved/1"),
                                QStringLiteral("building/1"), QStringLiteral("proposal/2"),
                                QStringLiteral("denied/2"),   QStringLiteral("proposal/3"),
                                QStringLiteral("approved/3"), QStringLiteral("building/3")};
    QCOMPARE(names(dry.repos.at(0).removed), aliceGoes);
    QCOMPARE(dry.repos.at(0).kept, 8);
    QCOMPARE(dry.repos.at(1).agent, bob);
    QCOMPARE(names(dry.repos.at(1).removed), QStringList{QStringLiteral("proposal/6")});
    QCOMPARE(dry.repos.at(1).kept, 1);
    QCOMPARE(dry.removedCount(), 9);
    QCOMPARE(dry.keptCount(), 9);
    // A dry run removes nothing.
    QCOMPARE(gitTags(applied(alice)), aliceBefore);
    QCOMPARE(gitTags(applied(bob)), bobBefore);

    const RetentionReport real = retention.run(false);
    QVERIFY(!real.dryRun);
    QVERIFY2(real.errors().isEmpty(), qPrintable(real.errors().join(QLatin1Char('\n'))));
    QCOMPARE(names(real.repos.at(0).removed), aliceGoes);
    QCOMPARE(real.keptCount(), 9);
    // Deployed stays for good, the recent failure stays, unresolved approvals and foreign tags stay.
    QCOMPARE(gitTags(applied(alice)),
             (QStringList{QStringLiteral("approved/5"), QStringLiteral("building/5"), QStringLiteral("deployed/1"),
                          QStringLiteral("failed/3"), QStringLiteral("proposal/4"), QStringLiteral("proposal/5"),
                          QStringLiteral("release/2026"), QStringLiteral("v1")}));
    QCOMPARE(gitTags(applied(bob)), QStringList{QStringLiteral("denied/6")});
    for (const QString &agent : {alice, bob})
        VERIFY_GIT(runGit(applied(agent), {QStringLiteral("fsck"), QStringLiteral("--strict")}));
    QCOMPARE(
        runGit(applied(alice), {QStringLiteral("cat-file"), QStringLiteral("-t"), QStringLiteral("deployed/1")}).out,
        QStringLiteral("tag"));

    // Nothing more to collect; 15 days later bob's denial is 35 days old and goes, alice's failure (20) stays.
    const RetentionReport again = retention.run(false);
    QCOMPARE(again.removedCount(), 0);
    QCOMPARE(again.keptCount(), 9);
    m_clock.advance(15 * Day * 1000);
    const RetentionReport later = retention.run(false);
    QCOMPARE(later.removedCount(), 1);
    QCOMPARE(later.repos.at(1).removed.first(),
             (TagRemoval{QStringLiteral("denied/6"), QStringLiteral("older than 30 days")}));
    QVERIFY(gitTags(applied(bob)).isEmpty());
    QVERIFY(gitTags(applied(alice)).contains(QStringLiteral("failed/3")));
}

void TestTagRetention::agingBoundary()
{
    tagApproval(QStringLiteral("alice"), 1, {"proposal", "failed"}, 30 * Day - 60);
    tagApproval(QStringLiteral("alice"), 2, {"proposal", "failed"}, 30 * Day + 60);
    const RetentionReport report = TagRetention(*m_repos, m_clock, 30).run(false);
    QCOMPARE(names(report.repos.at(0).removed),
             (QStringList{QStringLiteral("proposal/1"), QStringLiteral("proposal/2"), QStringLiteral("failed/2")}));
    QCOMPARE(gitTags(applied(QStringLiteral("alice"))), QStringList{QStringLiteral("failed/1")});
    m_clock.advance(qint64(120) * 1000);
    QCOMPARE(TagRetention(*m_repos, m_clock, 30).run(false).removedCount(), 1);
    QVERIFY(gitTags(applied(QStringLiteral("alice"))).isEmpty());
}

void TestTagRetention::zeroDaysKeepsFailedAndDenied()
{
    tagApproval(QStringLiteral("alice"), 1, {"proposal", "approved", "building", "failed"}, 3650 * Day);
    tagApproval(QStringLiteral("alice"), 2, {"proposal", "denied"}, 3650 * Day);
    const RetentionReport report = TagRetention(*m_repos, m_clock, 0).run(false);
    QCOMPARE(report.removedCount(), 4);
    QCOMPARE(gitTags(applied(QStringLiteral("alice"))),
             (QStringList{QStringLiteral("denied/2"), QStringLiteral("failed/1")}));
}

void TestTagRetention::metaRepoAndStrayDirsUntouched()
{
    tagApproval(QStringLiteral("alice"), 1, {"proposal", "denied"}, 400 * Day);
    // The meta repo keeps every deploy, whatever its tags look like.
    auto meta = m_repos->meta();
    VERIFY_OK(meta);
    auto sha = meta->writeCommit({{QStringLiteral("running.txt"), QByteArray()}}, {}, QStringLiteral("log"),
                                 test::signatureAt(0));
    VERIFY_OK(sha);
    GitSignature old;
    old.when = m_clock.now().addDays(-400);
    VERIFY_OK(meta->createTag(QStringLiteral("proposal/1"), *sha, QStringLiteral("x"), old));
    VERIFY_OK(meta->createTag(QStringLiteral("denied/1"), *sha, QStringLiteral("x"), old));
    // A directory under applied/ that is not a repo is not one to collect (nor an error).
    QVERIFY(QDir().mkpath(QDir(m_dir->path()).filePath(QStringLiteral("applied/not-a-repo"))));

    const RetentionReport report = TagRetention(*m_repos, m_clock, 30).run(false);
    QVERIFY(report.errors().isEmpty());
    QCOMPARE(report.repos.size(), 1);
    QCOMPARE(report.removedCount(), 2);
    QCOMPARE(gitTags(m_repos->metaPath()), (QStringList{QStringLiteral("denied/1"), QStringLiteral("proposal/1")}));
    QVERIFY(gitTags(applied(QStringLiteral("alice"))).isEmpty());
}

void TestTagRetention::failedRemovalIsReportedOthersCollected()
{
    tagApproval(QStringLiteral("alice"), 1, {"proposal", "deployed"}, Day);
    tagApproval(QStringLiteral("bob"), 2, {"proposal", "deployed"}, Day);
    // A git process holding the lock of one of bob's tags: removing that tag fails.
    QFile lock(QDir(applied(QStringLiteral("bob"))).filePath(QStringLiteral("refs/tags/proposal/2.lock")));
    QVERIFY(lock.open(QIODevice::WriteOnly));
    lock.close();

    const RetentionReport report = TagRetention(*m_repos, m_clock, 30).run(false);
    QCOMPARE(report.repos.size(), 2);
    QCOMPARE(names(report.repos.at(0).removed), QStringList{QStringLiteral("proposal/1")});
    QCOMPARE(report.errors().size(), 1);
    QVERIFY2(report.errors().first().startsWith(QStringLiteral("applied/bob: ")) &&
                 report.errors().first().contains(QStringLiteral("proposal/2")),
             qPrintable(report.errors().first()));
    QVERIFY(report.repos.at(1).removed.isEmpty());
    QCOMPARE(report.repos.at(1).kept, 2);
    QCOMPARE(gitTags(applied(QStringLiteral("alice"))), QStringList{QStringLiteral("deployed/1")});
    QCOMPARE(gitTags(applied(QStringLiteral("bob"))),
             (QStringList{QStringLiteral("deployed/2"), QStringLiteral("proposal/2")}));
}

void TestTagRetention::protocolRoundTrip()
{
    const protocol::RepoGcParams params{true};
    QCOMPARE(params.toJson(), (QJsonObject{{QStringLiteral("dry_run"), true}}));
    auto parsed = protocol::RepoGcParams::fromJson(params.toJson());
    VERIFY_OK(parsed);
    QCOMPARE(*parsed, params);
    auto defaults = protocol::RepoGcParams::fromJson(QJsonObject{});
    VERIFY_OK(defaults);
    QVERIFY(!defaults->dryRun);
    VERIFY_FAILS(protocol::RepoGcParams::fromJson(QJsonObject{{QStringLiteral("dryrun"), true}}),
                 ErrorCode::InvalidParams, "dryrun");
    VERIFY_FAILS(protocol::RepoGcParams::fromJson(QJsonObject{{QStringLiteral("dry_run"), QStringLiteral("yes")}}),
                 ErrorCode::InvalidParams, "dry_run");

    protocol::RepoGcResult result;
    result.dryRun = true;
    result.kept = 12;
    result.removed = {{QStringLiteral("alice"), QStringLiteral("proposal/3"), QStringLiteral("superseded by denied/3")},
                      {QStringLiteral("bob"), QStringLiteral("failed/9"), QStringLiteral("older than 30 days")}};
    const QJsonObject json = result.toJson();
    QCOMPARE(json.value(QStringLiteral("removed")).toArray().first().toObject().value(QStringLiteral("reason")),
             QStringLiteral("superseded by denied/3"));
    auto back = protocol::RepoGcResult::fromJson(json);
    VERIFY_OK(back);
    QCOMPARE(*back, result);
    QJsonObject missing = json;
    missing.remove(QStringLiteral("kept"));
    VERIFY_FAILS(protocol::RepoGcResult::fromJson(missing), ErrorCode::InvalidParams, "kept");
}

QTEST_GUILESS_MAIN(TestTagRetention)
#include "tst_tagretention.moc"
