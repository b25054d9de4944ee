// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QJsonArray>
#include <QList>

namespace hive::protocol {

template<typename T>
[[nodiscard]] QJsonArray toJsonArray(const QList<T> &items)
{
    QJsonArray array;
    for (const T &item : items)
        array.append(item.toJson());
    return array;
}

/// Parses each element with T::fromJson; the first bad one fails the whole list, naming its index.
template<typename T>
[[nodiscard]] Result<QList<T>> fromJsonArray(const QJsonArray &array, const QString &field)
{
    QList<T> items;
    items.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isObject())
            return fail(ErrorCode::InvalidParams, QStringLiteral("%1[%2] must be an object").arg(field).arg(i));
        auto item = T::fromJson(array.at(i).toObject());
        if (!item)
            return fail(item.error().wrapped(QStringLiteral("%1[%2]").arg(field).arg(i)));
        items.append(std::move(*item));
    }
    return items;
}

} // namespace hive::protocol
