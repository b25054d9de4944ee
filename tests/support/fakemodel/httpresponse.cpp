// SPDX-License-Identifier: MIT
#include "httpresponse.h"

#include <QJsonDocument>

namespace hive::test {

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key == name)
            return value;
    }
    return {};
}

QJsonObject HttpResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QList<std::pair<QByteArray, QJsonObject>> HttpResponse::events() const
{
    QList<std::pair<QByteArray, QJsonObject>> found;
    for (const QByteArray &line : body.split('\n')) {
        if (line.startsWith("event: "))
            found.append({line.mid(7), {}});
        else if (line.startsWith("data: ") && !found.isEmpty())
            found.last().second = QJsonDocument::fromJson(line.mid(6)).object();
    }
    return found;
}

QString HttpResponse::text() const
{
    QString text;
    for (const auto &[event, data] : events())
        text += data.value(QLatin1String("delta")).toObject().value(QLatin1String("text")).toString();
    return text;
}

std::optional<HttpResponse> HttpResponse::take(QByteArray &buffer, bool head)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return std::nullopt;
    HttpResponse response;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    response.status = lines.at(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        response.headers.append({line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
    }
    qsizetype at = end + 4;
    if (head) {
        // no body
    } else if (response.header("transfer-encoding") == "chunked") {
        for (;;) {
            const qsizetype lineEnd = buffer.indexOf("\r\n", at);
            if (lineEnd < 0)
                return std::nullopt;
            bool ok = false;
            const qsizetype size = buffer.mid(at, lineEnd - at).toLongLong(&ok, 16);
            if (!ok || buffer.size() < lineEnd + 2 + size + 2)
                return std::nullopt;
            const QByteArray chunk = buffer.mid(lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
            if (size == 0)
                break;
            response.chunks << chunk;
            response.body += chunk;
        }
    } else {
        const qsizetype length = response.header("content-length").toLongLong();
        if (buffer.size() < at + length)
            return std::nullopt;
        response.body = buffer.mid(at, length);
        at += length;
    }
    buffer.remove(0, at);
    return response;
}

} // namespace hive::test
