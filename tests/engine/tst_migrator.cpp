// SPDX-License-Identifier: MIT
#include "store/database.h"
#include "store/migrator.h"
#include "store/row.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace hive;
using namespace hive::engine;

namespace {

// What the sqlite3 CLI (not our code) sees in the file: the schema really is on disk.
QString sqliteCli(const QString &dbPath, const QString &sql)
{
    QProcess process;
    process.start(QStringLiteral("sqlite3"), {dbPath, sql});
    process.waitForFinished(10000);
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

} // namespace

class TestMigrator : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void splitsStatements_data();
    void splitsStatements();
    void migratesNewDatabaseToLatest();
    void migratesVersionOneWithRows();
    void isIdempotent();
    void refusesNewerDatabase();
    void failedMigrationLeavesDatabaseUntouched();
    void walModeIsOn();
    void rowReportsMissingColumns();
};

void TestMigrator::splitsStatements_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<int>("count");
    QTest::newRow("two") << QStringLiteral("CREATE TABLE a (x);\nCREATE TABLE b (y);") << 2;
    QTest::newRow("comment with ;") << QStringLiteral("-- one; two;\nCREATE TABLE a (x);") << 1;
    QTest::newRow("string with ;") << QStringLiteral("INSERT INTO a VALUES ('x;y');\nSELECT 1;") << 2;
    QTest::newRow("trigger") << QStringLiteral("CREATE TRIGGER t BEFORE UPDATE ON a BEGIN SELECT 1; SELECT 2; "
                                               "END;\nSELECT 3;")
                             << 2;
    QTest::newRow("no trailing ;") << QStringLiteral("SELECT 1") << 1;
    QTest::newRow("blank") << QStringLiteral("  \n-- only a comment\n") << 0;
}

void TestMigrator::splitsStatements()
{
    QFETCH(QString, script);
    QFETCH(int, count);
    QCOMPARE(Migrator::splitStatements(script).size(), count);
}

void TestMigrator::migratesNewDatabaseToLatest()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("engine.db"));
    {
        auto db = Database::open(path);
        QVERIFY(db);
        auto version = Migrator::migrate(**db);
        QVERIFY2(version, version ? "" : qPrintable(version.error().message));
        QCOMPARE(*version, Migrator::latestVersion());
        QVERIFY(Migrator::latestVersion() >= 2);
    }
    QCOMPARE(sqliteCli(path, QStringLiteral("PRAGMA user_version")), QString::number(Migrator::latestVersion()));
    QCOMPARE(sqliteCli(path, QStringLiteral("SELECT group_concat(version) FROM schema_migrations ORDER BY version")),
             QStringLiteral("1,2,3,4"));
    QCOMPARE(sqliteCli(path, QStringLiteral("SELECT name FROM sqlite_master WHERE type='table' AND name IN "
                                            "('tokens','audit_log','events') ORDER BY name")),
             QStringLiteral("audit_log\nevents\ntokens"));
}

void TestMigrator::migratesVersionOneWithRows()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("engine.db"));
    {
        auto db = Database::open(path);
        QVERIFY(db);
        QCOMPARE(*Migrator::migrate(**db, 1), 1);
        QVERIFY((*db)->exec(QStringLiteral("INSERT INTO tokens (name, role, secret_sha256, created_at, created_by) "
                                           "VALUES ('old', 'admin', 'h1', 1000, 'local:root')")));
        QVERIFY((*db)->exec(QStringLiteral("INSERT INTO audit_log (ts, token_name, role, method, params, result, "
                                           "message, prev_hash, hash) VALUES (1000, 'old', 'admin', 'token_create', "
                                           "'{}', 'ok', '', 'p', 'h')")));
    }
    // A newer engine opens the old file: the rows survive and the new table appears.
    auto db = Database::open(path);
    QVERIFY(db);
    QCOMPARE(*Migrator::currentVersion(**db), 1);
    auto version = Migrator::migrate(**db);
    QVERIFY(version);
    QCOMPARE(*version, Migrator::latestVersion());
    auto query = (*db)->exec(QStringLiteral("SELECT name, role, created_by FROM tokens"));
    QVERIFY(query && query->next());
    Row row(*query);
    QCOMPARE(row.text("name"), QStringLiteral("old"));
    QCOMPARE(row.text("role"), QStringLiteral("admin"));
    QCOMPARE(row.text("created_by"), QStringLiteral("local:root"));
    QVERIFY(row.status());
    QCOMPARE(*(*db)->scalar(QStringLiteral("SELECT COUNT(*) FROM audit_log")), 1);
    QCOMPARE(*(*db)->scalar(QStringLiteral("SELECT COUNT(*) FROM events")), 0);
    QCOMPARE(sqliteCli(path, QStringLiteral("SELECT name FROM sqlite_master WHERE name = 'audit_log_token'")),
             QStringLiteral("audit_log_token"));
}

void TestMigrator::isIdempotent()
{
    QTemporaryDir dir;
    auto db = Database::open(dir.filePath(QStringLiteral("engine.db")));
    QVERIFY(db);
    QVERIFY(Migrator::migrate(**db));
    QCOMPARE(*Migrator::migrate(**db), Migrator::latestVersion());
    QCOMPARE(*(*db)->scalar(QStringLiteral("SELECT COUNT(*) FROM schema_migrations")), Migrator::latestVersion());
}

void TestMigrator::refusesNewerDatabase()
{
    QTemporaryDir dir;
    auto db = Database::open(dir.filePath(QStringLiteral("engine.db")));
    QVERIFY(db);
    QVERIFY(Migrator::migrate(**db));
    QVERIFY((*db)->exec(QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, "
                                       "'9999_future.sql', 0)")));
    auto again = Migrator::migrate(**db);
    QVERIFY(!again);
    QVERIFY2(again.error().message.contains(QStringLiteral("newer than this engine supports")),
             qPrintable(again.error().message));
}

void TestMigrator::failedMigrationLeavesDatabaseUntouched()
{
    // Make migration 2 fail half way: a table it creates exists already at version 1. Its index
    // creation must be rolled back with it, and the version must stay 1.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("engine.db"));
    auto db = Database::open(path);
    QVERIFY(db);
    QCOMPARE(*Migrator::migrate(**db, 1), 1);
    QVERIFY((*db)->exec(QStringLiteral("CREATE TABLE events (x)")));
    QVERIFY((*db)->exec(QStringLiteral("INSERT INTO tokens (name, role, secret_sha256, created_at, created_by) "
                                       "VALUES ('keep', 'viewer', 'h', 1, 'me')")));
    auto failed = Migrator::migrate(**db);
    QVERIFY(!failed);
    QVERIFY2(failed.error().message.contains(QStringLiteral("0002_events.sql")), qPrintable(failed.error().message));
    QVERIFY2(failed.error().message.contains(QStringLiteral("left at schema version 1")),
             qPrintable(failed.error().message));
    QCOMPARE(*Migrator::currentVersion(**db), 1);
    QCOMPARE(sqliteCli(path, QStringLiteral("SELECT COUNT(*) FROM tokens WHERE name='keep'")), QStringLiteral("1"));
    QCOMPARE(sqliteCli(path, QStringLiteral("PRAGMA user_version")), QStringLiteral("1"));
}

void TestMigrator::walModeIsOn()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("engine.db"));
    {
        auto db = Database::open(path);
        QVERIFY(db);
        QVERIFY(Migrator::migrate(**db));
    }
    QCOMPARE(sqliteCli(path, QStringLiteral("PRAGMA journal_mode")), QStringLiteral("wal"));
}

void TestMigrator::rowReportsMissingColumns()
{
    QTemporaryDir dir;
    auto db = Database::open(dir.filePath(QStringLiteral("engine.db")));
    QVERIFY(db);
    auto query = (*db)->exec(QStringLiteral("SELECT 1 AS present, NULL AS empty_value"));
    QVERIFY(query && query->next());
    Row row(*query);
    QCOMPARE(row.integer("present"), 1);
    QVERIFY(row.status());
    QVERIFY(!row.optionalText("empty_value"));
    QVERIFY(row.status());
    (void)row.text("absent");
    QVERIFY(!row.status());
    QVERIFY(row.status().error().message.contains(QStringLiteral("'absent'")));
    Row nulls(*query);
    (void)nulls.text("empty_value");
    QVERIFY(!nulls.status());
}

QTEST_GUILESS_MAIN(TestMigrator)
#include "tst_migrator.moc"
