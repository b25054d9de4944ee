// SPDX-License-Identifier: MIT
#include "database.h"

#include <QAtomicInteger>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>
#include <QTimer>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

Database::Database(QSqlDatabase db, QString path)
    : m_db(std::move(db)), m_path(std::move(path)), m_syncContext(std::make_unique<QObject>())
{}

Database::~Database()
{
    // Make the last commits durable; whoever queued callbacks is gone by now, so drop them.
    m_pending.clear();
    if (auto synced = syncWal(); !synced)
        qCWarning(lcStore).noquote() << synced.error().message;
    if (m_walFd >= 0)
        ::close(m_walFd);
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

    // WAL lets readers (backups, sqlite3 shells) run beside the engine. NORMAL sync: a COMMIT does
    // not fsync; whenDurable() syncs the WAL once per event-loop turn before acknowledgements
    // (group commit). Checkpoints still sync the WAL and the database file themselves.
    const char *pragmas[] = {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"};
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

void Database::whenDurable(DurableCallback callback)
{
    m_pending.push_back(std::move(callback));
    if (m_syncScheduled)
        return;
    m_syncScheduled = true;
    // Queued behind the frames already read in this turn: their commits join this one sync.
    QTimer::singleShot(0, m_syncContext.get(), [this] { syncNow(); });
}

void Database::syncNow()
{
    m_syncScheduled = false;
    if (m_pending.empty())
        return;
    const Result<void> synced = syncWal();
    if (!synced)
        qCCritical(lcStore).noquote() << synced.error().message;
    // Callbacks may queue more (a reply that publishes): those wait for the next sync.
    std::vector<DurableCallback> callbacks;
    callbacks.swap(m_pending);
    ++m_syncs;
    m_released += static_cast<qint64>(callbacks.size());
    for (const DurableCallback &callback : callbacks)
        callback(synced);
}

Result<void> Database::syncWal()
{
    if (m_walFd < 0) {
        const QByteArray wal = QFile::encodeName(m_path + QStringLiteral("-wal"));
        m_walFd = ::open(wal.constData(), O_RDONLY | O_CLOEXEC);
        if (m_walFd < 0) {
            if (errno == ENOENT)
                return {}; // nothing written yet
            return fail(ErrorCode::Io,
                        QStringLiteral("cannot open %1 to sync it: %2")
                            .arg(QString::fromLocal8Bit(wal), QString::fromLocal8Bit(std::strerror(errno))));
        }
        // The WAL's directory entry must be durable too, once.
        const QByteArray dir = QFile::encodeName(QFileInfo(m_path).absolutePath());
        if (const int dirFd = ::open(dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dirFd >= 0) {
            ::fsync(dirFd);
            ::close(dirFd);
        }
    }
    if (::fdatasync(m_walFd) != 0) {
        return fail(ErrorCode::Io, QStringLiteral("cannot sync the write-ahead log of %1: %2")
                                       .arg(m_path, QString::fromLocal8Bit(std::strerror(errno))));
    }
    return {};
}

} // namespace hive::engine
