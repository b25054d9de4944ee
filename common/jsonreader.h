// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QStringList>

#include <optional>

namespace hive {

/// Reads a JSON object field by field with precise errors, for `fromJson` of protocol structs.
/// Every field read is remembered; `finish()` reports the first type error, or else any field
/// that nobody read (so a misspelt parameter is an error, not silently ignored).
///
///     JsonReader r(params);
///     r.required("name", p.name);
///     r.optional("limit", p.limit);
///     return r.finish(std::move(p));
class JsonReader
{
public:
    explicit JsonReader(QJsonObject object, QString context = {});

    template<typename T>
    void required(const char *key, T &out)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined()) {
            setError(QStringLiteral("missing required field '%1'").arg(qualified(key)));
            return;
        }
        convert(key, v, out);
    }

    template<typename T>
    void optional(const char *key, std::optional<T> &out)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined() || v.isNull())
            return;
        T value{};
        if (convert(key, v, value))
            out = std::move(value);
    }

    /// Optional with a default: `out` keeps its value when the field is absent or null.
    template<typename T>
    void optional(const char *key, T &out)
    {
        const QJsonValue v = take(key);
        if (!v.isUndefined() && !v.isNull())
            convert(key, v, out);
    }

    /// Records a validation error found by the caller (e.g. a value out of range).
    void invalid(const char *key, const QString &why);
    /// "must be between MIN and MAX, got V" unless min <= value <= max (checked only while ok()).
    void checkRange(const char *key, qint64 value, qint64 min, qint64 max);
    /// "must be a positive NOUN id, got V" for an id present and <= 0 (checked only while ok()).
    void checkPositiveId(const char *key, std::optional<qint64> id, const char *noun);

    [[nodiscard]] bool ok() const { return !m_error.has_value(); }

    template<typename T>
    [[nodiscard]] Result<T> finish(T value)
    {
        checkUnknown();
        if (m_error)
            return fail(ErrorCode::InvalidParams, *m_error);
        return value;
    }

private:
    QJsonValue take(const char *key);
    QString qualified(const char *key) const;
    void setError(const QString &message);
    void checkUnknown();
    bool typeError(const char *key, const char *expected);
    /// False (and the error recorded) when `text` holds a lone UTF-16 surrogate; `where` prefixes the reason.
    bool validUnicode(const char *key, const QString &text, const QString &where);

    bool convert(const char *key, const QJsonValue &v, QString &out);
    bool convert(const char *key, const QJsonValue &v, bool &out);
    bool convert(const char *key, const QJsonValue &v, qint64 &out);
    bool convert(const char *key, const QJsonValue &v, int &out);
    bool convert(const char *key, const QJsonValue &v, double &out);
    bool convert(const char *key, const QJsonValue &v, QStringList &out);
    bool convert(const char *key, const QJsonValue &v, QJsonObject &out);
    bool convert(const char *key, const QJsonValue &v, QJsonArray &out);
    bool convert(const char *key, const QJsonValue &v, QJsonValue &out);
    bool convert(const char *key, const QJsonValue &v, QDateTime &out);
    /// Bytes travel as standard base64 (RFC 4648 with padding); anything else is a type error.
    bool convert(const char *key, const QJsonValue &v, QByteArray &out);

    QJsonObject m_object;
    QString m_context;
    QSet<QString> m_seen;
    std::optional<QString> m_error;
};

/// ISO 8601 UTC with milliseconds, the one timestamp format on the wire.
[[nodiscard]] QString toWireTime(const QDateTime &time);

} // namespace hive
