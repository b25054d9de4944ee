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
    m_statements.clear(); // statements before the connection
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

Result<void> Database::run(const QString &sql, const Bindings &bindings,
                           const std::function<Result<void>(QSqlQuery &)> &use)
{
    // A long-running engine builds SQL from a bounded set of shapes (IN lists up to the recv
    // cap); the limit only guards against a caller that embeds values in the text.
    constexpr std::size_t MaxCached = 512;
    CachedStatement fresh;
    CachedStatement *statement = nullptr;
    if (auto found = m_statements.find(sql); found != m_statements.end() && !found->second->busy) {
        statement = found->second.get();
    } else if (found == m_statements.end()) {
        if (m_statements.size() >= MaxCached)
            std::erase_if(m_statements, [](const auto &entry) { return !entry.second->busy; });
        auto created = std::make_unique<CachedStatement>();
        statement = created.get();
        m_statements.emplace(sql, std::move(created));
    } else {
        statement = &fresh; // nested use of a statement being walked
    }
    if (!statement->query) {
        QSqlQuery prepared(m_db);
        prepared.setForwardOnly(true);
        ++m_prepares;
        if (!prepared.prepare(sql)) {
            const QString reason = prepared.lastError().text();
            if (statement != &fresh)
                m_statements.erase(sql);
            return fail(ErrorCode::Io, QStringLiteral("cannot prepare \"%1\": %2").arg(firstLine(sql), reason));
        }
        statement->query = std::move(prepared);
    }
    QSqlQuery &query = *statement->query;
    for (const auto &[name, value] : bindings) {
        if (value.typeId() == QMetaType::QString && value.toString().isNull())
            query.bindValue(name, QString(QLatin1String("")));
        else
            query.bindValue(name, value);
    }
    if (!query.exec()) {
        const QString reason = query.lastError().text();
        query.finish();
        return fail(ErrorCode::Io, QStringLiteral("\"%1\" failed: %2").arg(firstLine(sql), reason));
    }
    statement->busy = true;
    Result<void> used = use(query);
    // `use` may have called run() again and grown the map; `statement` stays valid (unique_ptr).
    statement->busy = false;
    query.finish();
    return used;
}

Result<Database::Written> Database::write(const QString &sql, const Bindings &bindings)
{
    Written written;
    auto ran = run(sql, bindings, [&](QSqlQuery &query) -> Result<void> {
        written.rowsAffected = query.numRowsAffected();
        written.lastInsertId = query.lastInsertId();
        return {};
    });
    if (!ran)
        return fail(ran.error());
    return written;
}

Result<void> Database::select(const QString &sql, const Bindings &bindings, const RowCallback &onRow)
{
    return run(sql, bindings, [&](QSqlQuery &query) -> Result<void> {
        while (query.next()) {
            if (auto handled = onRow(query); !handled)
                return handled;
        }
        if (query.lastError().isValid()) {
            return fail(ErrorCode::Io,
                        QStringLiteral("reading \"%1\" failed: %2").arg(firstLine(sql), query.lastError().text()));
        }
        return {};
    });
}

Result<qint64> Database::scalar(const QString &sql, const Bindings &bindings)
{
    std::optional<qint64> value;
    auto ran = run(sql, bindings, [&](QSqlQuery &query) -> Result<void> {
        if (query.next())
            value = query.value(0).toLongLong();
        return {};
    });
    if (!ran)
        return fail(ran.error());
    if (!value)
        return fail(ErrorCode::Io, QStringLiteral("\"%1\" returned no row").arg(firstLine(sql)));
    return *value;
}

Result<void> Database::begin()
{
    // IMMEDIATE takes the write lock up front, so a read-then-write transaction cannot fail
    // half way with SQLITE_BUSY when another connection (a backup, a shell) writes meanwhile.
    auto begun = write(QStringLiteral("BEGIN IMMEDIATE"));
    if (!begun)
        return fail(begun.error());
    return {};
}

Result<void> Database::commit()
{
    auto committed = write(QStringLiteral("COMMIT"));
    if (!committed)
        return fail(committed.error());
    return {};
}

Result<void> Database::rollback()
{
    ++m_rollbacks;
    auto rolledBack = write(QStringLiteral("ROLLBACK"));
    if (!rolledBack)
        return fail(rolledBack.error());
    return {};
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
