// SPDX-License-Identifier: MIT
#include "jsonrpc.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace hive::rpc {

namespace {

const QString JsonRpcVersion = QStringLiteral("2.0");

bool isValidId(const QJsonValue &id)
{
    // Strings and integral numbers; null is tolerated for error replies only.
    if (id.isString())
        return true;
    if (id.isDouble()) {
        const double d = id.toDouble();
        return d == static_cast<double>(static_cast<qint64>(d));
    }
    return false;
}

Invalid invalid(const QJsonValue &id, ErrorCode code, const QString &message)
{
    return Invalid{id, Error{code, message, {}}};
}

Message decodeResponse(const QJsonObject &object)
{
    const QJsonValue id = object.value(QLatin1String("id"));
    const bool hasResult = object.contains(QLatin1String("result"));
    const bool hasError = object.contains(QLatin1String("error"));
    if (hasResult == hasError)
        return invalid(id, ErrorCode::InvalidRequest, QStringLiteral("a response has exactly one of result and error"));
    if (hasError) {
        const QJsonValue error = object.value(QLatin1String("error"));
        if (!error.isObject() || !error.toObject().value(QLatin1String("code")).isDouble())
            return invalid(id, ErrorCode::InvalidRequest,
                           QStringLiteral("error must be an object with a numeric code"));
        return Response{id, QJsonValue(), Codec::errorFromJson(error.toObject())};
    }
    return Response{id, object.value(QLatin1String("result")), std::nullopt};
}

} // namespace

Message Codec::decode(const QByteArray &frame, qsizetype maxBytes)
{
    if (frame.size() > maxBytes) {
        return invalid(
            QJsonValue(QJsonValue::Null), ErrorCode::TooLarge,
            QStringLiteral("frame of %1 bytes exceeds the limit of %2 bytes").arg(frame.size()).arg(maxBytes));
    }
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(frame, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // QJsonDocument reads only objects and arrays; a bare scalar is valid JSON, just not a
        // valid request, and deserves to be called that.
        QJsonParseError scalarError{};
        (void)QJsonDocument::fromJson('[' + frame + ']', &scalarError);
        if (scalarError.error == QJsonParseError::NoError && !frame.trimmed().isEmpty())
            return invalid(QJsonValue(QJsonValue::Null), ErrorCode::InvalidRequest,
                           QStringLiteral("a frame must be a JSON object"));
        return invalid(
            QJsonValue(QJsonValue::Null), ErrorCode::ParseError,
            QStringLiteral("not valid JSON at offset %1: %2").arg(parseError.offset).arg(parseError.errorString()));
    }
    if (doc.isArray())
        return invalid(QJsonValue(QJsonValue::Null), ErrorCode::InvalidRequest,
                       QStringLiteral("batch requests are not supported"));
    if (!doc.isObject())
        return invalid(QJsonValue(QJsonValue::Null), ErrorCode::InvalidRequest,
                       QStringLiteral("a frame must be a JSON object"));

    const QJsonObject object = doc.object();
    QJsonValue id = object.value(QLatin1String("id"));
    if (!id.isUndefined() && !isValidId(id) && !id.isNull()) {
        return invalid(QJsonValue(QJsonValue::Null), ErrorCode::InvalidRequest,
                       QStringLiteral("id must be a string or an integer"));
    }
    if (object.value(QLatin1String("jsonrpc")).toString() != JsonRpcVersion)
        return invalid(id.isUndefined() ? QJsonValue(QJsonValue::Null) : id, ErrorCode::InvalidRequest,
                       QStringLiteral("jsonrpc must be \"2.0\""));

    if (!object.contains(QLatin1String("method")))
        return decodeResponse(object);

    const QJsonValue method = object.value(QLatin1String("method"));
    const QJsonValue replyId = id.isUndefined() ? QJsonValue(QJsonValue::Null) : id;
    if (!method.isString() || method.toString().isEmpty())
        return invalid(replyId, ErrorCode::InvalidRequest, QStringLiteral("method must be a non-empty string"));
    if (id.isNull())
        return invalid(replyId, ErrorCode::InvalidRequest,
                       QStringLiteral("id must be a string or an integer, not null"));

    const QJsonValue params = object.value(QLatin1String("params"));
    if (!params.isUndefined() && !params.isObject()) {
        return invalid(replyId, ErrorCode::InvalidParams,
                       QStringLiteral("params must be an object: this API takes named parameters only"));
    }
    return Request{id, method.toString(), params.toObject()};
}

QByteArray Codec::encode(const Request &request)
{
    QJsonObject object{{QStringLiteral("jsonrpc"), JsonRpcVersion}, {QStringLiteral("method"), request.method}};
    if (!request.isNotification())
        object.insert(QStringLiteral("id"), request.id);
    if (!request.params.isEmpty())
        object.insert(QStringLiteral("params"), request.params);
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray Codec::encode(const Response &response)
{
    if (response.error)
        return encodeError(response.id, *response.error);
    return encodeResult(response.id, response.result);
}

QByteArray Codec::encodeResult(const QJsonValue &id, const QJsonValue &result)
{
    const QJsonObject object{{QStringLiteral("jsonrpc"), JsonRpcVersion},
                             {QStringLiteral("id"), id},
                             {QStringLiteral("result"), result.isUndefined() ? QJsonValue(QJsonObject{}) : result}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray Codec::encodeError(const QJsonValue &id, const Error &error)
{
    const QJsonObject object{{QStringLiteral("jsonrpc"), JsonRpcVersion},
                             {QStringLiteral("id"), id.isUndefined() ? QJsonValue(QJsonValue::Null) : id},
                             {QStringLiteral("error"), errorToJson(error)}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray Codec::encodeNotification(const QString &method, const QJsonObject &params)
{
    return encode(Request{QJsonValue(QJsonValue::Undefined), method, params});
}

QJsonObject Codec::errorToJson(const Error &error)
{
    QJsonObject data = error.data;
    data.insert(QStringLiteral("kind"), errorCodeName(error.code));
    return QJsonObject{{QStringLiteral("code"), jsonRpcCode(error.code)},
                       {QStringLiteral("message"), error.message},
                       {QStringLiteral("data"), data}};
}

Error Codec::errorFromJson(const QJsonObject &object)
{
    QJsonObject data = object.value(QLatin1String("data")).toObject();
    const QString kind = data.take(QLatin1String("kind")).toString();
    const int code = object.value(QLatin1String("code")).toInt();
    return Error{errorCodeFromJsonRpc(code, kind), object.value(QLatin1String("message")).toString(), data};
}

} // namespace hive::rpc
