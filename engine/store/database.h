// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hive::engine {

/// Named bind values for a prepared statement: {":name", value}. A null QString binds as ''
/// (text columns are NOT NULL); pass QVariant() for SQL NULL.
using Bindings = std::vector<std::pair<QString, QVariant>>;

/// The engine's SQLite database (WAL, foreign keys, group commit): one connection, used on the
/// thread that opened it (see docs/dev/threading.md).
///
/// Durability is a group commit. Transactions commit with synchronous=NORMAL: in WAL mode a COMMIT
/// writes the WAL but does not fsync it, so a committed change survives the engine being killed
/// (the data is in the kernel) but not yet a power loss. What the engine acknowledges waits in
/// whenDurable() for one fdatasync(2) of the WAL, made once per event-loop turn for everything
/// committed in that turn: many agents' sends share one sync instead of paying one each.
class Database
{
public:
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    /// Opens (creating if needed) the database file and sets the pragmas. Does not migrate.
    [[nodiscard]] static Result<std::unique_ptr<Database>> open(const QString &path);

    /// Prepares and runs one statement; the error names the statement and SQLite's reason. The
    /// caller owns the result (it may keep and iterate it): this path prepares afresh each time.
    [[nodiscard]] Result<QSqlQuery> exec(const QString &sql, const Bindings &bindings = {});

    /// What a statement without a result set changed.
    struct Written {
        qint64 rowsAffected = 0;
        QVariant lastInsertId;
    };
    /// Runs a statement that returns no rows (INSERT, UPDATE, DELETE, ...) from the statement
    /// cache: prepared once, reset after each use. For the hot paths.
    [[nodiscard]] Result<Written> write(const QString &sql, const Bindings &bindings = {});
    using RowCallback = std::function<Result<void>(const QSqlQuery &row)>;
    /// Runs a query from the statement cache and hands each row to `onRow` (an error from it
    /// stops the walk and is returned); the statement is reset afterwards, so no read snapshot
    /// stays open. A statement already being walked (a nested call) is prepared afresh.
    [[nodiscard]] Result<void> select(const QString &sql, const Bindings &bindings, const RowCallback &onRow);
    /// Runs a query expected to return one row with one integer column (COUNT, MAX, ...).
    [[nodiscard]] Result<qint64> scalar(const QString &sql, const Bindings &bindings = {});

    /// Transaction control for Transaction (cached statements). rollback() counts, so caches of
    /// rows (the agent registry) can tell that what they read inside a transaction may be gone.
    [[nodiscard]] Result<void> begin();
    [[nodiscard]] Result<void> commit();
    [[nodiscard]] Result<void> rollback();
    [[nodiscard]] quint64 rollbackCount() const { return m_rollbacks; }
    /// Statements prepared so far by the cached paths (tests and benchmarks).
    [[nodiscard]] qint64 prepareCount() const { return m_prepares; }

    [[nodiscard]] QSqlDatabase &connection() { return m_db; }
    [[nodiscard]] const QString &path() const { return m_path; }

    using DurableCallback = std::function<void(const Result<void> &synced)>;
    /// Runs `callback` once everything committed so far is on stable storage: after the next
    /// group sync (at the end of this event-loop turn), or with its error. Callbacks run in the
    /// order they were queued.
    void whenDurable(DurableCallback callback);
    [[nodiscard]] bool hasPending() const { return !m_pending.empty(); }
    /// Syncs now and runs the queued callbacks (shutdown, tests).
    void syncNow();
    /// How many group syncs ran, and how many callbacks they released (for benchmarks and tests).
    [[nodiscard]] qint64 syncCount() const { return m_syncs; }
    [[nodiscard]] qint64 releasedCount() const { return m_released; }

private:
    struct CachedStatement {
        std::optional<QSqlQuery> query; ///< prepared on first use
        bool busy = false;
    };
    /// Runs `sql` on a cached statement (or a fresh one when the cached one is busy); `use`
    /// reads what it needs before the statement is reset.
    Result<void> run(const QString &sql, const Bindings &bindings, const std::function<Result<void>(QSqlQuery &)> &use);
    Database(QSqlDatabase db, QString path);
    Result<void> syncWal();

    QSqlDatabase m_db;
    QString m_path;
    std::unique_ptr<QObject> m_syncContext; ///< owns the pending zero-timer; gone with the database
    std::unordered_map<QString, std::unique_ptr<CachedStatement>> m_statements;
    std::vector<DurableCallback> m_pending;
    bool m_syncScheduled = false;
    int m_walFd = -1;
    qint64 m_syncs = 0;
    qint64 m_released = 0;
    qint64 m_prepares = 0;
    quint64 m_rollbacks = 0;
};

} // namespace hive::engine
