// SPDX-License-Identifier: MIT
#include "messagebody.h"

namespace hive::bench {

QByteArray MessageBody::encode(int bytes) const
{
    QByteArray body;
    body.reserve(bytes);
    body.append(static_cast<char>(kind)).append(':').append(QByteArray::number(sentNs)).append(':');
    if (body.size() < bytes)
        body.append(bytes - body.size(), 'x');
    return body;
}

std::optional<MessageBody> MessageBody::decode(const QByteArray &body)
{
    if (body.size() < 3 || body.at(1) != ':')
        return std::nullopt;
    const qsizetype end = body.indexOf(':', 2);
    if (end < 0)
        return std::nullopt;
    bool ok = false;
    const qint64 sentNs = body.mid(2, end - 2).toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    switch (body.at(0)) {
    case static_cast<char>(Kind::Data):
        return MessageBody{Kind::Data, sentNs};
    case static_cast<char>(Kind::End):
        return MessageBody{Kind::End, sentNs};
    default:
        return std::nullopt;
    }
}

} // namespace hive::bench
