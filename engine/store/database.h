// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

#include <functional>
#include <memory>
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

    /// Prepares and runs one statement; the error names the statement and SQLite's reason.
    [[nodiscard]] Result<QSqlQuery> exec(const QString &sql, const Bindings &bindings = {});

    /// Runs a query expected to return one row with one integer column (COUNT, MAX, ...).
    [[nodiscard]] Result<qint64> scalar(const QString &sql, const Bindings &bindings = {});

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
    Database(QSqlDatabase db, QString path);
    Result<void> syncWal();

    QSqlDatabase m_db;
    QString m_path;
    std::unique_ptr<QObject> m_syncContext; ///< owns the pending zero-timer; gone with the database
    std::vector<DurableCallback> m_pending;
    bool m_syncScheduled = false;
    int m_walFd = -1;
    qint64 m_syncs = 0;
    qint64 m_released = 0;
};

} // namespace hive::engine
