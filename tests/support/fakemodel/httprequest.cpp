// SPDX-License-Identifier: MIT
#include "httprequest.h"

namespace hive::test {

namespace {

/// At most 80 characters of a line from outside, with control bytes shown as '?', for error messages.
QString quoted(const QByteArray &line)
{
    QByteArray shown = line.left(80);
    for (char &c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            c = '?';
    }
    return QLatin1Char('\'') + QString::fromLatin1(shown) +
           (line.size() > 80 ? QStringLiteral("...'") : QStringLiteral("'"));
}

bool isDigits(const QByteArray &text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

bool isToken(const QByteArray &text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.' || c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' ||
                        c == '*' || c == '+' || c == '^' || c == '`' || c == '|' || c == '~';
        if (!ok)
            return false;
    }
    return true;
}

/// Checks "METHOD TARGET HTTP/1.x"; empty when fine, else the reason.
QString checkRequestLine(const QByteArray &line, HttpRequest &request)
{
    const QList<QByteArray> parts = line.split(' ');
    if (parts.size() != 3 || !isToken(parts.at(0)) || parts.at(1).isEmpty() || !parts.at(1).startsWith('/'))
        return QStringLiteral("malformed request line %1").arg(quoted(line));
    if (parts.at(2) != "HTTP/1.1" && parts.at(2) != "HTTP/1.0")
        return QStringLiteral("unsupported HTTP version %1").arg(quoted(parts.at(2)));
    request.method = parts.at(0);
    request.target = parts.at(1);
    request.version = parts.at(2);
    return {};
}

} // namespace

QByteArray HttpRequest::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key == name)
            return value;
    }
    return {};
}

QByteArray HttpRequest::path() const
{
    const qsizetype query = target.indexOf('?');
    return query < 0 ? target : target.left(query);
}

bool HttpRequest::keepAlive() const
{
    const QByteArray connection = header("connection").toLower();
    if (connection.contains("close"))
        return false;
    return version == "HTTP/1.1" || connection.contains("keep-alive");
}

HttpRequest::Parse HttpRequest::take(QByteArray &buffer, HttpRequest &request, QString &error)
{
    request = HttpRequest();
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    const qsizetype firstLineEnd = buffer.indexOf("\r\n");
    // A request line that is already wrong is answered at once, not after a blank line that may never come.
    if (firstLineEnd >= 0) {
        error = checkRequestLine(buffer.left(firstLineEnd), request);
        if (!error.isEmpty())
            return Parse::Malformed;
    }
    if (end < 0) {
        if (buffer.size() > MaxHeaderBytes) {
            error = QStringLiteral("request header section over %1 bytes").arg(MaxHeaderBytes);
            return Parse::Malformed;
        }
        return Parse::Incomplete;
    }
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        line.chop(line.endsWith('\r') ? 1 : 0);
        const qsizetype colon = line.indexOf(':');
        const QByteArray name = colon > 0 ? line.left(colon).toLower() : QByteArray();
        if (!isToken(name)) {
            error = QStringLiteral("malformed header line %1").arg(quoted(line));
            return Parse::Malformed;
        }
        request.headers.append({name, line.mid(colon + 1).trimmed()});
    }
    if (!request.header("transfer-encoding").isEmpty()) {
        error = QStringLiteral("Transfer-Encoding %1 is not supported; send Content-Length")
                    .arg(quoted(request.header("transfer-encoding")));
        return Parse::Malformed;
    }
    qint64 length = 0;
    const QByteArray lengthText = request.header("content-length");
    if (!lengthText.isEmpty()) {
        bool ok = false;
        length = lengthText.toLongLong(&ok);
        if (!ok || !isDigits(lengthText)) {
            error = QStringLiteral("invalid Content-Length %1").arg(quoted(lengthText));
            return Parse::Malformed;
        }
        if (length > MaxBodyBytes) {
            error = QStringLiteral("request body of %1 bytes is over the %2-byte limit").arg(length).arg(MaxBodyBytes);
            return Parse::Malformed;
        }
    }
    if (buffer.size() < end + 4 + length)
        return Parse::Incomplete;
    request.body = buffer.mid(end + 4, length);
    buffer.remove(0, end + 4 + length);
    return Parse::Complete;
}

} // namespace hive::test
