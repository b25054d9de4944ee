// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QStringList>

namespace hive::engine {

class Database;

/// Applies the numbered SQL migrations kept as resources (:/hive/sql/NNNN_name.sql) in order,
/// each in its own transaction together with its row in schema_migrations. A failing migration
/// rolls back completely: the database stays at the last good version.
class Migrator
{
public:
    /// The highest migration number this build knows.
    [[nodiscard]] static int latestVersion();

    /// The schema version recorded in the database (0 for a new one).
    [[nodiscard]] static Result<int> currentVersion(Database &db);

    /// Migrates up to `target` (default: latest). Refuses a database newer than this build.
    /// Returns the version reached.
    [[nodiscard]] static Result<int> migrate(Database &db, int target = -1);

    /// Splits a migration script into statements: on ';' outside quotes and comments, and
    /// keeping CREATE TRIGGER ... END; whole.
    [[nodiscard]] static QStringList splitStatements(const QString &script);

    /// The migration resources in order, as (version, resource path).
    [[nodiscard]] static QList<std::pair<int, QString>> migrations();
};

} // namespace hive::engine
