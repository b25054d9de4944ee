// SPDX-License-Identifier: MIT
#pragma once

#include "jsonreader.h"
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

/// A required array field of objects, each parsed with T::fromJson; problems go to the reader.
template<typename T>
void readObjectList(JsonReader &r, const char *key, QList<T> &out)
{
    QJsonArray array;
    r.required(key, array);
    if (!r.ok())
        return;
    auto items = fromJsonArray<T>(array, QString::fromLatin1(key));
    if (!items)
        r.invalid(key, items.error().message);
    else
        out = std::move(*items);
}

} // namespace hive::protocol
