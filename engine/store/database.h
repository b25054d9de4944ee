// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

#include <memory>
#include <utility>
#include <vector>

namespace hive::engine {

/// Named bind values for a prepared statement: {":name", value}. A null QString binds as ''
/// (text columns are NOT NULL); pass QVariant() for SQL NULL.
using Bindings = std::vector<std::pair<QString, QVariant>>;

/// The engine's SQLite database (WAL, foreign keys, full sync): one connection, used on the
/// thread that opened it (see docs/dev/threading.md).
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

private:
    Database(QSqlDatabase db, QString path);

    QSqlDatabase m_db;
    QString m_path;
};

} // namespace hive::engine
