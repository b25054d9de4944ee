// SPDX-License-Identifier: MIT
#include "database.h"

#include <QAtomicInteger>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcStore, "hive.store")

QString connectionName()
{
    static QAtomicInteger<int> counter;
    return QStringLiteral("hive-db-%1").arg(counter.fetchAndAddRelaxed(1));
}

QString firstLine(const QString &sql)
{
    const QString simplified = sql.simplified();
    return simplified.size() > 80 ? simplified.left(77) + QStringLiteral("...") : simplified;
}

} // namespace

Database::Database(QSqlDatabase db, QString path) : m_db(std::move(db)), m_path(std::move(path)) {}

Database::~Database()
{
    const QString name = m_db.connectionName();
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(name);
}

Result<std::unique_ptr<Database>> Database::open(const QString &path)
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return fail(ErrorCode::Unavailable, QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed"));

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName());
    db.setDatabaseName(path);
    // Wait for a lock rather than failing at once when a backup or sqlite3 shell holds it.
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        const QString reason = db.lastError().text();
        const QString name = db.connectionName();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        return fail(ErrorCode::Io, QStringLiteral("cannot open database %1: %2").arg(path, reason));
    }
    std::unique_ptr<Database> database(new Database(db, QFileInfo(path).absoluteFilePath()));

    // WAL lets readers (backups, sqlite3 shells) run beside the engine; FULL sync makes a
    // committed transaction survive power loss, which the broker's durability promise needs.
    const char *pragmas[] = {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"};
    for (const char *pragma : pragmas) {
        auto result = database->exec(QString::fromLatin1(pragma));
        if (!result)
            return fail(result.error());
    }
    auto mode = database->exec(QStringLiteral("PRAGMA journal_mode"));
    if (!mode)
        return fail(mode.error());
    if (!mode->next() || mode->value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
        return fail(ErrorCode::Io, QStringLiteral("cannot switch %1 to WAL mode (is it on a file system without "
                                                  "shared memory support?)")
                                       .arg(path));
    }
    qCDebug(lcStore) << "opened" << path;
    return database;
}

Result<QSqlQuery> Database::exec(const QString &sql, const Bindings &bindings)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.prepare(sql)) {
        return fail(ErrorCode::Io,
                    QStringLiteral("cannot prepare \"%1\": %2").arg(firstLine(sql), query.lastError().text()));
    }
    for (const auto &[name, value] : bindings) {
        // Qt binds a null QString as SQL NULL; text is never meant that way here (NOT NULL
        // columns would refuse it). A real NULL is asked for with an invalid QVariant().
        if (value.typeId() == QMetaType::QString && value.toString().isNull())
            query.bindValue(name, QString(QLatin1String("")));
        else
            query.bindValue(name, value);
    }
    if (!query.exec()) {
        return fail(ErrorCode::Io, QStringLiteral("\"%1\" failed: %2").arg(firstLine(sql), query.lastError().text()));
    }
    return query;
}

Result<qint64> Database::scalar(const QString &sql, const Bindings &bindings)
{
    auto query = exec(sql, bindings);
    if (!query)
        return fail(query.error());
    if (!query->next())
        return fail(ErrorCode::Io, QStringLiteral("\"%1\" returned no row").arg(firstLine(sql)));
    return query->value(0).toLongLong();
}

} // namespace hive::engine
