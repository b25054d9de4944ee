// SPDX-License-Identifier: MIT
// The three small stores of the foundation (tokens, audit log, event history), each against a
// real migrated SQLite file.
#include "fakeclock.h"
#include "store/auditlog.h"
#include "store/database.h"
#include "store/eventlog.h"
#include "store/migrator.h"
#include "store/tokenstore.h"
#include "store/transaction.h"
#include "verify.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hive;
using namespace hive::engine;

class TestStores : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void tokenCreateAuthenticateRevoke();
    void tokenSecretIsNotStored();
    void tokenNames_data();
    void tokenNames();
    void tokenNameReusableAfterRevoke();

    void auditChainVerifies();
    void auditDetectsEdits_data();
    void auditDetectsEdits();
    void auditIsAppendOnlyThroughTheEngine();
    void auditRedactsSecrets();
    void auditPagesAndFilters();

    void eventsReplaySince();
    void eventsResyncWhenTrimmed();
    void eventSeqSurvivesRestartAndTrim();

    void groupSyncReleasesInOrderOncePerTurn();
    void cachedStatementsArePreparedOnceAndReset();
    void cachedStatementsNestAndReportErrors();

private:
    QString sqlite(const QString &sql);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    test::FakeClock m_clock;
};

void TestStores::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    auto db = Database::open(m_dir->filePath(QStringLiteral("engine.db")));
    QVERIFY(db);
    m_db = std::move(*db);
    QVERIFY(Migrator::migrate(*m_db));
}

void TestStores::cleanup()
{
    m_db.reset();
    m_dir.reset();
}

QString TestStores::sqlite(const QString &sql)
{
    QProcess process;
    process.start(QStringLiteral("sqlite3"), {m_db->path(), sql});
    process.waitForFinished(10000);
    return QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError()).trimmed();
}

void TestStores::tokenCreateAuthenticateRevoke()
{
    TokenStore tokens(*m_db, m_clock);
    auto created = tokens.create(QStringLiteral("ops"), Role::Operator, QStringLiteral("local:root"));
    QVERIFY(created);
    QVERIFY(created->secret.startsWith(QStringLiteral("hht_")));
    QVERIFY(created->secret.size() > 40);
    QCOMPARE(created->token.createdBy, QStringLiteral("local:root"));

    auto duplicate = tokens.create(QStringLiteral("ops"), Role::Viewer, QStringLiteral("x"));
    QVERIFY(!duplicate);
    QCOMPARE(duplicate.error().code, ErrorCode::AlreadyExists);

    m_clock.advance(5000);
    auto who = tokens.authenticate(created->secret);
    QVERIFY(who);
    QCOMPARE(who->name, QStringLiteral("ops"));
    QCOMPARE(who->role, Role::Operator);
    auto listed = tokens.list();
    QVERIFY(listed && listed->size() == 1);
    QCOMPARE(listed->first().lastUsedAt, m_clock.now());

    QVERIFY(!tokens.authenticate(created->secret + QLatin1Char('x')));
    QVERIFY(!tokens.authenticate(QStringLiteral("not-a-token")));

    QVERIFY(tokens.revoke(QStringLiteral("ops")));
    auto after = tokens.authenticate(created->secret);
    QVERIFY(!after);
    QCOMPARE(after.error().code, ErrorCode::Unauthenticated);
    QCOMPARE(tokens.revoke(QStringLiteral("ops")).error().code, ErrorCode::NotFound);
    QCOMPARE(*tokens.liveCount(), 0);
}

void TestStores::tokenSecretIsNotStored()
{
    TokenStore tokens(*m_db, m_clock);
    auto created = tokens.create(QStringLiteral("ops"), Role::Admin, QStringLiteral("me"));
    QVERIFY(created);
    m_db.reset(); // flush to disk
    QFile file(m_dir->filePath(QStringLiteral("engine.db")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray all = file.readAll();
    QFile wal(m_dir->filePath(QStringLiteral("engine.db-wal")));
    if (wal.open(QIODevice::ReadOnly))
        all += wal.readAll();
    QVERIFY(!all.contains(created->secret.toUtf8()));
    QVERIFY(all.contains(TokenStore::hashSecret(created->secret).toUtf8()));
    init();
}

void TestStores::tokenNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("simple") << QStringLiteral("ops") << true;
    QTest::newRow("email-like") << QStringLiteral("ann@laptop.home") << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("space") << QStringLiteral("a b") << false;
    QTest::newRow("leading dash") << QStringLiteral("-x") << false;
    QTest::newRow("65 chars") << QString(65, QLatin1Char('a')) << false;
    QTest::newRow("64 chars") << QString(64, QLatin1Char('a')) << true;
    QTest::newRow("quote") << QStringLiteral("a'b") << false;
}

void TestStores::tokenNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    TokenStore tokens(*m_db, m_clock);
    auto created = tokens.create(name, Role::Viewer, QStringLiteral("me"));
    QCOMPARE(created.has_value(), valid);
    if (!valid)
        QCOMPARE(created.error().code, ErrorCode::InvalidParams);
}

void TestStores::tokenNameReusableAfterRevoke()
{
    TokenStore tokens(*m_db, m_clock);
    auto first = tokens.create(QStringLiteral("ci"), Role::Viewer, QStringLiteral("me"));
    QVERIFY(first && tokens.revoke(QStringLiteral("ci")));
    auto second = tokens.create(QStringLiteral("ci"), Role::Operator, QStringLiteral("me"));
    QVERIFY(second);
    QVERIFY(!tokens.authenticate(first->secret));
    QCOMPARE(tokens.authenticate(second->secret)->role, Role::Operator);
    QCOMPARE(sqlite(QStringLiteral("SELECT COUNT(*) FROM tokens WHERE name = 'ci'")), QStringLiteral("2"));
}

void TestStores::auditChainVerifies()
{
    AuditLog audit(*m_db, m_clock);
    auto empty = audit.verify();
    QVERIFY(empty && empty->ok && empty->checked == 0);
    QString prev = QString::fromLatin1(AuditLog::GenesisHash);
    for (int i = 0; i < 5; ++i) {
        m_clock.advance(1000);
        auto entry = audit.append({QStringLiteral("admin"),
                                   QStringLiteral("admin"),
                                   QStringLiteral("token_create"),
                                   {{QStringLiteral("name"), QStringLiteral("t%1").arg(i)}},
                                   QStringLiteral("ok"),
                                   QString()});
        QVERIFY2(entry, entry ? "" : qPrintable(entry.error().message));
        QCOMPARE(entry->prevHash, prev);
        prev = entry->hash;
    }
    auto verified = audit.verify();
    QVERIFY(verified);
    QVERIFY(verified->ok);
    QCOMPARE(verified->checked, 5);
}

void TestStores::auditDetectsEdits_data()
{
    // Tampering done with the sqlite3 CLI, outside the engine, after dropping the guard triggers.
    QTest::addColumn<QString>("tamper");
    QTest::addColumn<qint64>("firstBad");
    QTest::addColumn<QString>("problem");
    QTest::newRow("edited result") << QStringLiteral("UPDATE audit_log SET result = 'ok' WHERE id = 3") << qint64(3)
                                   << QStringLiteral("do not match its hash");
    QTest::newRow("edited params") << QStringLiteral("UPDATE audit_log SET params = '{}' WHERE id = 2") << qint64(2)
                                   << QStringLiteral("do not match its hash");
    QTest::newRow("deleted middle row") << QStringLiteral("DELETE FROM audit_log WHERE id = 3") << qint64(4)
                                        << QStringLiteral("missing");
    QTest::newRow("deleted first row") << QStringLiteral("DELETE FROM audit_log WHERE id = 1") << qint64(2)
                                       << QStringLiteral("prev_hash");
    QTest::newRow("rehashed row") << QStringLiteral("UPDATE audit_log SET token_name = 'x', hash = 'f' WHERE id = 4")
                                  << qint64(4) << QStringLiteral("do not match its hash");
}

void TestStores::auditDetectsEdits()
{
    QFETCH(QString, tamper);
    QFETCH(qint64, firstBad);
    QFETCH(QString, problem);
    AuditLog audit(*m_db, m_clock);
    for (int i = 0; i < 5; ++i) {
        QVERIFY(audit.append({QStringLiteral("admin"),
                              QStringLiteral("admin"),
                              QStringLiteral("token_revoke"),
                              {{QStringLiteral("name"), QStringLiteral("t%1").arg(i)}},
                              i == 2 ? QStringLiteral("forbidden") : QStringLiteral("ok"),
                              QString()}));
    }
    const QString out = sqlite(QStringLiteral("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; ") +
                               tamper + QLatin1Char(';'));
    QVERIFY2(out.isEmpty(), qPrintable(out));
    auto verified = audit.verify();
    QVERIFY(verified);
    QVERIFY(!verified->ok);
    QCOMPARE(verified->firstBadId, firstBad);
    QVERIFY2(verified->problem.contains(problem), qPrintable(verified->problem));
}

void TestStores::auditIsAppendOnlyThroughTheEngine()
{
    AuditLog audit(*m_db, m_clock);
    QVERIFY(audit.append(
        {QStringLiteral("a"), QStringLiteral("admin"), QStringLiteral("m"), {}, QStringLiteral("ok"), QString()}));
    auto update = m_db->exec(QStringLiteral("UPDATE audit_log SET result = 'x'"));
    QVERIFY(!update);
    QVERIFY(update.error().message.contains(QStringLiteral("append-only")));
    QVERIFY(!m_db->exec(QStringLiteral("DELETE FROM audit_log")));
    QCOMPARE(*audit.count(), 1);
}

void TestStores::auditRedactsSecrets()
{
    const QJsonObject summary =
        AuditLog::summarize({{QStringLiteral("token"), QStringLiteral("hht_secret")},
                             {QStringLiteral("name"), QStringLiteral("ci")},
                             {QStringLiteral("nested"), QJsonObject{{QStringLiteral("api_key"), QStringLiteral("k")}}},
                             {QStringLiteral("body"), QString(1000, QLatin1Char('b'))}});
    QCOMPARE(summary.value(QStringLiteral("token")).toString(), QStringLiteral("[redacted]"));
    QCOMPARE(summary.value(QStringLiteral("nested")).toObject().value(QStringLiteral("api_key")).toString(),
             QStringLiteral("[redacted]"));
    QCOMPARE(summary.value(QStringLiteral("name")).toString(), QStringLiteral("ci"));
    QVERIFY(summary.value(QStringLiteral("body")).toString().size() < 300);
}

void TestStores::auditPagesAndFilters()
{
    AuditLog audit(*m_db, m_clock);
    for (int i = 0; i < 7; ++i) {
        QVERIFY(audit.append({i % 2 ? QStringLiteral("ann") : QStringLiteral("bob"),
                              QStringLiteral("admin"),
                              i < 4 ? QStringLiteral("token_create") : QStringLiteral("token_revoke"),
                              {},
                              QStringLiteral("ok"),
                              QString()}));
    }
    protocol::AuditListParams page;
    page.limit = 3;
    auto first = audit.list(page);
    QVERIFY(first);
    QCOMPARE(first->entries.size(), 3);
    QVERIFY(first->hasMore);
    QCOMPARE(first->entries.first().id, 7); // newest first
    page.beforeId = first->entries.last().id;
    auto second = audit.list(page);
    QCOMPARE(second->entries.first().id, 4);
    page.beforeId = 2;
    auto last = audit.list(page);
    QCOMPARE(last->entries.size(), 1);
    QVERIFY(!last->hasMore);

    protocol::AuditListParams filtered;
    filtered.tokenName = QStringLiteral("ann");
    filtered.method = QStringLiteral("token_create");
    auto annCreates = audit.list(filtered);
    QCOMPARE(annCreates->entries.size(), 2); // ids 2 and 4
}

void TestStores::eventsReplaySince()
{
    EventLog events(*m_db, m_clock, 1000);
    QVERIFY(events.load());
    QSignalSpy published(&events, &EventLog::published);
    for (int i = 0; i < 5; ++i)
        QVERIFY(events.publish(QStringLiteral("k%1").arg(i), {{QStringLiteral("i"), i}}));
    QCOMPARE(published.size(), 5);
    QCOMPARE(events.latestSeq(), 5);
    auto missed = events.since(2);
    QVERIFY(missed);
    QCOMPARE(missed->size(), 3);
    QCOMPARE(missed->first().seq, 3);
    QCOMPARE(missed->first().kind, QStringLiteral("k2"));
    QCOMPARE(missed->last().data.value(QStringLiteral("i")).toInt(), 4);
    QCOMPARE(events.since(5)->size(), 0);
    QCOMPARE(events.since(0)->size(), 5);
    auto future = events.since(6);
    QVERIFY(!future);
    QCOMPARE(future.error().code, ErrorCode::ResyncRequired);
}

void TestStores::eventsResyncWhenTrimmed()
{
    EventLog events(*m_db, m_clock, 100);
    QVERIFY(events.load());
    for (int i = 0; i < 250; ++i)
        QVERIFY(events.publish(QStringLiteral("tick"), {}));
    QVERIFY(events.oldestSeq() > 100);
    QVERIFY(events.latestSeq() - events.oldestSeq() + 1 <= 101);
    auto tooOld = events.since(10);
    QVERIFY(!tooOld);
    QCOMPARE(tooOld.error().code, ErrorCode::ResyncRequired);
    QCOMPARE(tooOld.error().data.value(QStringLiteral("oldest_seq")).toInteger(), events.oldestSeq());
    auto edge = events.since(events.oldestSeq() - 1);
    QVERIFY(edge);
    QCOMPARE(edge->size(), events.latestSeq() - events.oldestSeq() + 1);
}

void TestStores::eventSeqSurvivesRestartAndTrim()
{
    {
        EventLog events(*m_db, m_clock, 100);
        QVERIFY(events.load());
        for (int i = 0; i < 3; ++i)
            QVERIFY(events.publish(QStringLiteral("a"), {}));
    }
    // Even with every row gone, seq never goes back: a client's since_seq stays meaningful.
    QVERIFY(m_db->exec(QStringLiteral("DELETE FROM events")));
    EventLog reopened(*m_db, m_clock, 100);
    QVERIFY(reopened.load());
    QCOMPARE(reopened.latestSeq(), 3);
    QCOMPARE(reopened.since(3)->size(), 0);
    QCOMPARE(reopened.since(1).error().code, ErrorCode::ResyncRequired);
    auto next = reopened.publish(QStringLiteral("b"), {});
    QCOMPARE(next->seq, 4);
}

void TestStores::groupSyncReleasesInOrderOncePerTurn()
{
    QVERIFY(m_db->exec(QStringLiteral("CREATE TABLE t (x INTEGER)")));
    const qint64 syncsBefore = m_db->syncCount();
    QStringList order;
    for (int i = 0; i < 3; ++i) {
        QVERIFY(m_db->exec(QStringLiteral("INSERT INTO t VALUES (%1)").arg(i)));
        m_db->whenDurable([&order, i](const Result<void> &synced) {
            QVERIFY(synced);
            order << QString::number(i);
        });
    }
    // Nothing is released inside the turn that committed: the sync comes after it.
    QVERIFY(order.isEmpty());
    QVERIFY(m_db->hasPending());
    QTRY_COMPARE(order, (QStringList{QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("2")}));
    QCOMPARE(m_db->syncCount(), syncsBefore + 1); // three commits, one sync
    QVERIFY(!m_db->hasPending());

    // A callback that queues another waits for the next sync, not this one.
    bool second = false;
    m_db->whenDurable([this, &second](const Result<void> &) {
        m_db->whenDurable([&second](const Result<void> &) { second = true; });
    });
    m_db->syncNow();
    QVERIFY(!second);
    QTRY_VERIFY(second);
    // The rows are in the WAL that was synced; a reader sees them.
    QCOMPARE(sqlite(QStringLiteral("SELECT group_concat(x) FROM t")), QStringLiteral("0,1,2"));
}

void TestStores::cachedStatementsArePreparedOnceAndReset()
{
    QVERIFY(m_db->exec(QStringLiteral("CREATE TABLE t (x INTEGER PRIMARY KEY, s TEXT NOT NULL)")));
    const QString insert = QStringLiteral("INSERT INTO t (x, s) VALUES (:x, :s)");
    const qint64 preparedBefore = m_db->prepareCount();
    for (int i = 1; i <= 50; ++i) {
        auto written = m_db->write(insert, {{QStringLiteral(":x"), i}, {QStringLiteral(":s"), QString::number(i)}});
        VERIFY_OK(written);
        QCOMPARE(written->rowsAffected, 1);
        QCOMPARE(written->lastInsertId.toLongLong(), i);
    }
    QCOMPARE(m_db->prepareCount(), preparedBefore + 1);

    const QString select = QStringLiteral("SELECT x, s FROM t WHERE x > :from ORDER BY x");
    for (int from : {40, 45}) {
        QStringList seen;
        VERIFY_OK(m_db->select(select, {{QStringLiteral(":from"), from}}, [&](const QSqlQuery &row) {
            seen << row.value(1).toString();
            return Result<void>();
        }));
        QCOMPARE(seen.size(), 50 - from);
        QCOMPARE(seen.first(), QString::number(from + 1));
    }
    auto count = m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM t WHERE x <= :to"), {{QStringLiteral(":to"), 10}});
    VERIFY_OK(count);
    QCOMPARE(*count, 10);
    QCOMPARE(m_db->prepareCount(), preparedBefore + 3);

    // A cached statement left mid-walk would hold a read snapshot and keep the WAL from being
    // checkpointed and truncated by another connection; statements are reset after each use.
    // An error from the row callback stops the walk and comes back as is.
    int rows = 0;
    VERIFY_FAILS(m_db->select(select, {{QStringLiteral(":from"), 0}},
                              [&rows](const QSqlQuery &) {
                                  ++rows;
                                  return Result<void>(fail(ErrorCode::Internal, QStringLiteral("stop here")));
                              }),
                 ErrorCode::Internal, "stop here");
    QCOMPARE(rows, 1);
    QCOMPARE(sqlite(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")), QStringLiteral("0|0|0"));
}

void TestStores::cachedStatementsNestAndReportErrors()
{
    QVERIFY(m_db->exec(QStringLiteral("CREATE TABLE t (x INTEGER PRIMARY KEY)")));
    for (int i = 1; i <= 3; ++i)
        VERIFY_OK(m_db->write(QStringLiteral("INSERT INTO t (x) VALUES (:x)"), {{QStringLiteral(":x"), i}}));

    // The same statement walked inside its own walk: the inner one is prepared afresh.
    const QString select = QStringLiteral("SELECT x FROM t WHERE x >= :from ORDER BY x");
    QStringList pairs;
    VERIFY_OK(m_db->select(select, {{QStringLiteral(":from"), 2}}, [&](const QSqlQuery &outer) {
        const qint64 x = outer.value(0).toLongLong();
        return m_db->select(select, {{QStringLiteral(":from"), 1}}, [&](const QSqlQuery &inner) {
            pairs << QStringLiteral("%1%2").arg(x).arg(inner.value(0).toLongLong());
            return Result<void>();
        });
    }));
    QCOMPARE(pairs, (QStringList{QStringLiteral("21"), QStringLiteral("22"), QStringLiteral("23"), QStringLiteral("31"),
                                 QStringLiteral("32"), QStringLiteral("33")}));

    // A statement that cannot be prepared names itself; one that fails stays usable.
    VERIFY_FAILS(m_db->write(QStringLiteral("INSERT INTO missing VALUES (1)")), ErrorCode::Io, "INSERT INTO missing");
    const QString insert = QStringLiteral("INSERT INTO t (x) VALUES (:x)");
    VERIFY_FAILS(m_db->write(insert, {{QStringLiteral(":x"), 1}}), ErrorCode::Io, "UNIQUE");
    VERIFY_OK(m_db->write(insert, {{QStringLiteral(":x"), 4}}));
    QCOMPARE(*m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM t")), 4);
    VERIFY_FAILS(m_db->scalar(QStringLiteral("SELECT x FROM t WHERE x > 100")), ErrorCode::Io, "returned no row");

    // Rollbacks are counted (for the caches of rows above the store).
    const quint64 rollbacks = m_db->rollbackCount();
    {
        Transaction tx(*m_db);
        QVERIFY(tx.isActive());
        VERIFY_OK(m_db->write(insert, {{QStringLiteral(":x"), 5}}));
    }
    QCOMPARE(m_db->rollbackCount(), rollbacks + 1);
    QCOMPARE(*m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM t")), 4);
}

QTEST_GUILESS_MAIN(TestStores)
#include "tst_stores.moc"
