// SPDX-License-Identifier: MIT
#include "row.h"

#include <QTimeZone>

namespace hive::engine {

QVariant Row::value(const char *column, bool nullable)
{
    const QString name = QString::fromLatin1(column);
    if (!m_record)
        m_record = m_query.record();
    const int index = m_record->indexOf(name);
    if (index < 0) {
        if (!m_error)
            m_error = QStringLiteral("column '%1' is missing from the result").arg(name);
        return {};
    }
    QVariant v = m_query.value(index);
    if (v.isNull() && !nullable && !m_error)
        m_error = QStringLiteral("column '%1' is NULL").arg(name);
    return v;
}

QString Row::text(const char *column)
{
    return value(column, false).toString();
}

qint64 Row::integer(const char *column)
{
    return value(column, false).toLongLong();
}

QDateTime Row::time(const char *column)
{
    return QDateTime::fromMSecsSinceEpoch(value(column, false).toLongLong(), QTimeZone::utc());
}

std::optional<QDateTime> Row::optionalTime(const char *column)
{
    const QVariant v = value(column, true);
    if (v.isNull())
        return std::nullopt;
    return QDateTime::fromMSecsSinceEpoch(v.toLongLong(), QTimeZone::utc());
}

std::optional<QString> Row::optionalText(const char *column)
{
    const QVariant v = value(column, true);
    if (v.isNull())
        return std::nullopt;
    return v.toString();
}

Result<void> Row::status() const
{
    if (m_error)
        return fail(ErrorCode::Io, *m_error);
    return {};
}

} // namespace hive::engine
