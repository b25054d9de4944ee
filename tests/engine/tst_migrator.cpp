// SPDX-License-Identifier: MIT
// Migrations against real SQLite files: from a new file and from each older schema with rows in
// it, which must come through intact and readable by the engine's classes of today.
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "fakeclock.h"
#include "store/auditlog.h"
#include "store/database.h"
#include "store/eventlog.h"
#include "store/migrator.h"
#include "store/row.h"
#include "store/tokenstore.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace hive;
using namespace hive::engine;
using namespace hive::protocol;

namespace {

// What the sqlite3 CLI (not our code) sees in the file: the schema really is on disk.
QString sqliteCli(const QString &dbPath, const QString &sql)
{
    QProcess process;
    process.start(QStringLiteral("sqlite3"), {dbPath, sql});
    process.waitForFinished(10000);
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

QDateTime atMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}

/// "1,2,...,latest": what schema_migrations holds after a full migration.
QString allVersions()
{
    QStringList versions;
    for (int v = 1; v <= Migrator::latestVersion(); ++v)
        versions << QString::number(v);
    return versions.join(QLatin1Char(','));
}

/// Opens `path` and migrates it from wherever it is to the newest schema.
std::unique_ptr<Database> openMigrated(const QString &path, int expectedFrom)
{
    auto db = Database::open(path);
    if (!db)
        return nullptr;
    auto from = Migrator::currentVersion(**db);
    auto to = Migrator::migrate(**db);
    if (!from || *from != expectedFrom || !to || *to != Migrator::latestVersion()) {
        qWarning("migration from %d failed: %s", expectedFrom, to ? "wrong version" : qPrintable(to.error().message));
        return nullptr;
    }
    return std::move(*db);
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
    void migratesVersionTwoWithRows();
    void migratesVersionThreeWithRows();
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
             allVersions());
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

void TestMigrator::migratesVersionTwoWithRows()
{
    // Tokens, audit rows and events as a version-2 engine wrote them: the stores of today write
    // them while the file is at version 2 (they touch only the tables of versions 1 and 2).
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("engine.db"));
    test::FakeClock clock;
    QString secret;
    {
        auto db = Database::open(path);
        QVERIFY(db);
        QCOMPARE(*Migrator::migrate(**db, 2), 2);
        TokenStore tokens(**db, clock);
        auto created = tokens.create(QStringLiteral("ops"), Role::Operator, QStringLiteral("local:root"));
        QVERIFY(created);
        secret = created->secret;
        QVERIFY(tokens.create(QStringLiteral("gone"), Role::Viewer, QStringLiteral("local:root")));
        QVERIFY(tokens.revoke(QStringLiteral("gone")));
        AuditLog audit(**db, clock);
        for (const char *method : {"token_create", "token_create", "token_revoke"}) {
            clock.advance(1000);
            QVERIFY(audit.append(AuditLog::Call{
                QStringLiteral("local:root"), QStringLiteral("admin"), QString::fromLatin1(method),
                QJsonObject{{QStringLiteral("name"), QStringLiteral("gone")}}, QStringLiteral("ok"), QString()}));
        }
        EventLog events(**db, clock, 1000);
        QVERIFY(events.load());
        QVERIFY(events.publish(QStringLiteral("engine_started"), {}));
        QVERIFY(events.publish(QStringLiteral("token_created"), {{QStringLiteral("name"), QStringLiteral("ops")}}));
        QVERIFY(events.publish(QStringLiteral("token_revoked"), {{QStringLiteral("name"), QStringLiteral("gone")}}));
    }

    auto db = openMigrated(path, 2);
    QVERIFY(db);
    QCOMPARE(sqliteCli(path, QStringLiteral("PRAGMA user_version")), QString::number(Migrator::latestVersion()));
    TokenStore tokens(*db, clock);
    auto ops = tokens.authenticate(secret);
    QVERIFY2(ops, ops ? "" : qPrintable(ops.error().message));
    QCOMPARE(ops->name, QStringLiteral("ops"));
    QCOMPARE(ops->role, Role::Operator);
    QCOMPARE(*tokens.liveCount(), 1);
    auto listed = tokens.list();
    QVERIFY(listed);
    QCOMPARE(listed->size(), 1);
    QCOMPARE(listed->first().createdBy, QStringLiteral("local:root"));

    AuditLog audit(*db, clock);
    QCOMPARE(*audit.count(), 3);
    auto verified = audit.verify();
    QVERIFY(verified);
    QVERIFY2(verified->ok, qPrintable(verified->problem));
    QCOMPARE(verified->checked, 3);
    QVERIFY(audit.append(AuditLog::Call{QStringLiteral("local:root"),
                                        QStringLiteral("admin"),
                                        QStringLiteral("agent_add"),
                                        {},
                                        QStringLiteral("ok"),
                                        QString()}));
    QVERIFY(audit.verify()->ok); // the chain goes on across the migration

    EventLog events(*db, clock, 1000);
    QVERIFY(events.load());
    QCOMPARE(events.latestSeq(), 3);
    auto replay = events.since(0);
    QVERIFY2(replay, replay ? "" : qPrintable(replay.error().message));
    QCOMPARE(replay->size(), 3);
    QCOMPARE(replay->at(1).kind, QStringLiteral("token_created"));
    QCOMPARE(replay->at(1).data.value(QStringLiteral("name")).toString(), QStringLiteral("ops"));
    QCOMPARE(events.publish(QStringLiteral("agent_added"), {})->seq, 4);

    // The newer tables start empty and work; the manager is registered as at any start.
    AgentRegistry agents(*db, clock);
    QVERIFY(agents.ensureManager());
    QCOMPARE(agents.list()->size(), 1);
}

void TestMigrator::migratesVersionThreeWithRows()
{
    // Agents and messages in every state, as a version-3 engine left them (plain SQL, so that
    // the rows are what that engine wrote, whatever today's code would write).
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("engine.db"));
    {
        auto db = Database::open(path);
        QVERIFY(db);
        QCOMPARE(*Migrator::migrate(**db, 3), 3);
        for (const char *sql : {
                 "INSERT INTO agents (name, kind, allowed_recipients, created_at) VALUES "
                 "('manager', 'manager', '[]', 1000), ('alice', 'agent', '[\"bob\",\"operator\"]', 1001), "
                 "('bob', 'agent', '[]', 1002)",
                 "INSERT INTO messages (id, sender, recipient, body, sent_at, in_reply_to, broadcast, state, "
                 "delivered_at, acked_at, redelivered) VALUES "
                 "(1, 'operator', 'alice', 'hello alice', 2000, NULL, 0, 'acked', 2100, 2200, 0), "
                 "(2, 'alice', 'bob', 'queued for bob', 3000, 1, 0, 'queued', NULL, NULL, 0), "
                 "(3, 'alice', 'bob', 'leased to bob', 3100, NULL, 0, 'delivered', 3200, NULL, 0), "
                 "(4, 'manager', 'alice', 'to all', 4000, NULL, 1, 'queued', NULL, NULL, 1), "
                 "(5, 'manager', 'bob', 'to all', 4000, NULL, 1, 'delivered', 4100, NULL, 0), "
                 "(6, 'bob', 'operator', 'done, see 3', 5000, 3, 0, 'queued', NULL, NULL, 0)",
             }) {
            auto inserted = (*db)->exec(QString::fromLatin1(sql));
            QVERIFY2(inserted, inserted ? "" : qPrintable(inserted.error().message));
        }
    }

    auto db = openMigrated(path, 3);
    QVERIFY(db);
    test::FakeClock clock;
    AgentRegistry agents(*db, clock);
    QVERIFY(agents.ensureManager()); // as at every start: the old manager row stays as it is
    auto listed = agents.list();
    QVERIFY(listed);
    QStringList names;
    for (const AgentRecord &agent : std::as_const(*listed))
        names << agent.name;
    names.sort();
    QCOMPARE(names, (QStringList{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("manager")}));
    auto alice = agents.find(QStringLiteral("alice"));
    QVERIFY(alice && *alice);
    QCOMPARE((*alice)->kind, QStringLiteral("agent"));
    QCOMPARE((*alice)->allowedRecipients, (QStringList{QStringLiteral("bob"), QStringLiteral("operator")}));
    QCOMPARE((*alice)->createdAt, atMs(1001));
    QCOMPARE((*agents.find(QStringLiteral("manager")))->createdAt, atMs(1000));

    Broker broker(*db, agents, clock);
    auto recvNow = [&broker](const QString &agent) {
        std::optional<Result<RecvResult>> out;
        broker.recv(agent, RecvParams{std::nullopt, 32}, nullptr,
                    [&out](const Result<RecvResult> &result) { out = result; });
        return out ? *out : Result<RecvResult>(fail(ErrorCode::Internal, QStringLiteral("recv did not answer")));
    };
    auto bobStatus = broker.status(QStringLiteral("bob"));
    QVERIFY(bobStatus);
    QCOMPARE(bobStatus->unread, 1);
    QCOMPARE(bobStatus->inflight, 2);

    // The old queued message, with every field as stored.
    auto queued = recvNow(QStringLiteral("bob"));
    QVERIFY2(queued, queued ? "" : qPrintable(queued.error().message));
    QCOMPARE(queued->messages.size(), 1);
    const Message expected{
        2,    QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("queued for bob"), atMs(3000), 1, false,
        false};
    QCOMPARE(queued->messages.first(), expected);
    // The old leases come back like new ones, and the broadcast copy stays one.
    QCOMPARE(broker.requeueInflight(QStringLiteral("bob"))->requeued, 3);
    auto again = recvNow(QStringLiteral("bob"));
    QVERIFY(again);
    QCOMPARE(again->messages.size(), 3);
    QList<qint64> ids;
    for (const Message &message : std::as_const(again->messages)) {
        ids << message.id;
        QVERIFY(message.redelivered);
    }
    QCOMPARE(ids, (QList<qint64>{2, 3, 5}));
    QCOMPARE(again->messages.at(1).body, QStringLiteral("leased to bob"));
    QVERIFY(again->messages.at(2).broadcast);
    QCOMPARE(again->messages.at(2).from, QStringLiteral("manager"));
    QCOMPARE(broker.ack(QStringLiteral("bob"), ids)->acked, 3);

    // alice: her acked message never comes back, her broadcast copy keeps its flags.
    auto forAlice = recvNow(QStringLiteral("alice"));
    QVERIFY(forAlice);
    QCOMPARE(forAlice->messages.size(), 1);
    const Message broadcastCopy{4,
                                QStringLiteral("manager"),
                                QStringLiteral("alice"),
                                QStringLiteral("to all"),
                                atMs(4000),
                                std::nullopt,
                                true,
                                true};
    QCOMPARE(forAlice->messages.first(), broadcastCopy);
    auto recent = broker.recent(QStringLiteral("alice"), 10);
    QVERIFY(recent);
    QCOMPARE(recent->messages.size(), 4); // 4, 3, 2 and the acked 1
    QCOMPARE(recent->messages.last().body, QStringLiteral("hello alice"));
    QCOMPARE(recent->messages.last().from, QStringLiteral("operator"));

    // The operator's inbox, and the old allow-list still applied.
    auto inbox = broker.list(std::nullopt, 10, std::nullopt);
    QVERIFY(inbox);
    QCOMPARE(inbox->messages.size(), 1);
    QCOMPARE(inbox->messages.first().inReplyTo, 3);
    QCOMPARE(inbox->messages.first().body, QStringLiteral("done, see 3"));
    auto sent = broker.send(QStringLiteral("alice"), SendParams{QStringLiteral("bob"), QStringLiteral("new"), 6});
    QVERIFY2(sent, sent ? "" : qPrintable(sent.error().message));
    QCOMPARE(sent->id, 7); // ids go on after the old ones
    auto unrestricted =
        broker.send(QStringLiteral("bob"), SendParams{QStringLiteral("alice"), QStringLiteral("x"), std::nullopt});
    QVERIFY(unrestricted); // bob's list is empty: unrestricted
    QVERIFY(agents.add(QStringLiteral("carol")));
    auto blocked =
        broker.send(QStringLiteral("alice"), SendParams{QStringLiteral("carol"), QStringLiteral("x"), std::nullopt});
    QVERIFY(!blocked);
    QCOMPARE(blocked.error().code, ErrorCode::Forbidden);
    QCOMPARE(*db->scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE state = 'acked'")), 4);
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
