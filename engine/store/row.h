// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QSqlRecord>

#include <optional>

namespace hive::engine {

/// Reads the current row of a query by column name. A missing column or a NULL where a value is
/// required is recorded, not hidden: check status() after reading (the original lost pending
/// questions because a failed read of one row was swallowed).
class Row
{
public:
    explicit Row(const QSqlQuery &query) : m_query(query) {}

    [[nodiscard]] QString text(const char *column);
    [[nodiscard]] qint64 integer(const char *column);
    [[nodiscard]] QDateTime time(const char *column); ///< stored as milliseconds since the epoch, UTC
    [[nodiscard]] std::optional<QDateTime> optionalTime(const char *column);
    [[nodiscard]] std::optional<QString> optionalText(const char *column);

    [[nodiscard]] Result<void> status() const;

private:
    QVariant value(const char *column, bool nullable);

    const QSqlQuery &m_query;
    std::optional<QSqlRecord> m_record; ///< the column names, read once per row
    std::optional<QString> m_error;
};

[[nodiscard]] inline qint64 toDbTime(const QDateTime &time)
{
    return time.toMSecsSinceEpoch();
}

} // namespace hive::engine
