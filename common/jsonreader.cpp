// SPDX-License-Identifier: MIT
#include "jsonreader.h"

#include <cmath>
#include <limits>

namespace hive {

JsonReader::JsonReader(QJsonObject object, QString context) : m_object(std::move(object)), m_context(std::move(context))
{}

QJsonValue JsonReader::take(const char *key)
{
    const QString name = QString::fromLatin1(key);
    m_seen.insert(name);
    return m_object.value(name);
}

QString JsonReader::qualified(const char *key) const
{
    const QString name = QString::fromLatin1(key);
    return m_context.isEmpty() ? name : m_context + QLatin1Char('.') + name;
}

void JsonReader::setError(const QString &message)
{
    if (!m_error)
        m_error = message;
}

void JsonReader::checkRange(const char *key, qint64 value, qint64 min, qint64 max)
{
    if (ok() && (value < min || value > max))
        invalid(key, QStringLiteral("must be between %1 and %2, got %3").arg(min).arg(max).arg(value));
}

void JsonReader::checkPositiveId(const char *key, std::optional<qint64> id, const char *noun)
{
    if (ok() && id && *id <= 0)
        invalid(key, QStringLiteral("must be a positive %1 id, got %2").arg(QLatin1String(noun)).arg(*id));
}

void JsonReader::invalid(const char *key, const QString &why)
{
    setError(QStringLiteral("invalid field '%1': %2").arg(qualified(key), why));
}

void JsonReader::checkUnknown()
{
    if (m_error)
        return;
    QStringList unknown;
    for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
        if (!m_seen.contains(it.key()))
            unknown << it.key();
    }
    if (unknown.isEmpty())
        return;
    QStringList known(m_seen.cbegin(), m_seen.cend());
    known.sort();
    setError(QStringLiteral("unknown field%1 '%2'%3; known: %4")
                 .arg(unknown.size() > 1 ? QStringLiteral("s") : QString(), unknown.join(QStringLiteral("', '")),
                      m_context.isEmpty() ? QString() : QStringLiteral(" in ") + m_context,
                      known.isEmpty() ? QStringLiteral("none") : known.join(QStringLiteral(", "))));
}

bool JsonReader::typeError(const char *key, const char *expected)
{
    setError(QStringLiteral("field '%1' must be %2").arg(qualified(key), QLatin1String(expected)));
    return false;
}

bool JsonReader::validUnicode(const char *key, const QString &text, const QString &where)
{
    // A JSON escape can name half a surrogate pair ("\ud800"). Such a string has no UTF-8 form:
    // SQLite would store invalid UTF-8 and the reader would get U+FFFD, not what was sent.
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            ++i;
            continue;
        }
        if (c.isSurrogate()) {
            const QString code = QStringLiteral("%1").arg(static_cast<uint>(c.unicode()), 4, 16, QLatin1Char('0'));
            invalid(key, QStringLiteral("%1a lone UTF-16 surrogate (\\u%2) at character %3 is not valid Unicode")
                             .arg(where, code, QString::number(i)));
            return false;
        }
    }
    return true;
}

bool JsonReader::convert(const char *key, const QJsonValue &v, QString &out)
{
    if (!v.isString())
        return typeError(key, "a string");
    out = v.toString();
    return validUnicode(key, out, QString());
}

bool JsonReader::convert(const char *key, const QJsonValue &v, bool &out)
{
    if (!v.isBool())
        return typeError(key, "a boolean");
    out = v.toBool();
    return true;
}

bool JsonReader::convert(const char *key, const QJsonValue &v, qint64 &out)
{
    // JSON numbers are doubles; accept only integral values that a double holds exactly.
    constexpr double Limit = 9007199254740992.0; // 2^53
    if (!v.isDouble())
        return typeError(key, "an integer");
    const double d = v.toDouble();
    if (std::trunc(d) != d || std::fabs(d) > Limit)
        return typeError(key, "an integer");
    out = static_cast<qint64>(d);
    return true;
}

bool JsonReader::convert(const char *key, const QJsonValue &v, int &out)
{
    qint64 wide = 0;
    if (!convert(key, v, wide))
        return false;
    if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max())
        return typeError(key, "a 32-bit integer");
    out = static_cast<int>(wide);
    return true;
}

bool JsonReader::convert(const char *key, const QJsonValue &v, double &out)
{
    if (!v.isDouble())
        return typeError(key, "a number");
    out = v.toDouble();
    return true;
}

bool JsonReader::convert(const char *key, const QJsonValue &v, QStringList &out)
{
    if (!v.isArray())
        return typeError(key, "an array of strings");
    QStringList list;
    const QJsonArray array = v.toArray();
    for (const auto &item : array) {
        if (!item.isString())
            return typeError(key, "an array of strings");
        if (!validUnicode(key, item.toString(), QStringLiteral("item %1: ").arg(list.size())))
            return false;
        list << item.toString();
    }
    out = list;
    return true;
}

bool JsonReader::convert(const char *key, const QJsonValue &v, QJsonObject &out)
{
    if (!v.isObject())
        return typeError(key, "an object");
    out = v.toObject();
    return true;
}

bool JsonReader::convert(const char *key, const QJsonValue &v, QJsonArray &out)
{
    if (!v.isArray())
        return typeError(key, "an array");
    out = v.toArray();
    return true;
}

bool JsonReader::convert(const char * /*key*/, const QJsonValue &v, QJsonValue &out)
{
    out = v;
    return true;
}

bool JsonReader::convert(const char *key, const QJsonValue &v, QDateTime &out)
{
    if (!v.isString())
        return typeError(key, "an ISO 8601 timestamp string");
    QDateTime time = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    if (!time.isValid())
        return typeError(key, "an ISO 8601 timestamp string");
    out = time.toUTC();
    return true;
}

bool JsonReader::convert(const char *key, const QJsonValue &v, QByteArray &out)
{
    if (!v.isString())
        return typeError(key, "a base64 string");
    auto decoded = QByteArray::fromBase64Encoding(v.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) // characters outside Latin-1 become '?', which is not base64 either
        return typeError(key, "a base64 string");
    out = std::move(*decoded);
    return true;
}

QString toWireTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace hive
