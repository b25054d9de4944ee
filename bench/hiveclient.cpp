// SPDX-License-Identifier: MIT
#include "hiveclient.h"

#include <QJsonArray>

namespace hive::bench {

namespace {
// Beyond the wait itself: a commit on a busy engine can take long, and under callgrind much longer.
constexpr int ReplySlackMs = 120'000;
} // namespace

Result<std::unique_ptr<HiveClient>> HiveClient::connect(const QString &agentSocket)
{
    auto socket = RpcSocket::connect(agentSocket);
    if (!socket)
        return fail(socket.error());
    return std::unique_ptr<HiveClient>(new HiveClient(std::move(*socket)));
}

Result<void> HiveClient::send(const QByteArray &to, const QByteArray &body)
{
    // Agent names and benchmark bodies are plain ASCII without quotes or backslashes: no escaping.
    QByteArray params;
    params.reserve(24 + to.size() + body.size());
    params.append(R"({"to":")").append(to).append(R"(","body":")").append(body).append("\"}");
    auto result = m_socket->call("send", params, ReplySlackMs);
    if (!result)
        return fail(result.error());
    return {};
}

Result<QList<Delivery>> HiveClient::recv(int max, int waitMs)
{
    const QByteArray params = QByteArrayLiteral(R"({"wait_seconds":)") + QByteArray::number(waitMs / 1000.0) +
                              QByteArrayLiteral(R"(,"max":)") + QByteArray::number(max) + '}';
    auto result = m_socket->call("recv", params, waitMs + ReplySlackMs);
    if (!result)
        return fail(result.error());
    QList<Delivery> deliveries;
    const QJsonArray messages = result->value(QLatin1String("messages")).toArray();
    deliveries.reserve(messages.size());
    for (const auto &value : messages) {
        const QJsonObject message = value.toObject();
        deliveries.append(Delivery{QByteArray::number(message.value(QLatin1String("id")).toInteger()),
                                   message.value(QLatin1String("body")).toString().toLatin1()});
    }
    return deliveries;
}

Result<void> HiveClient::ack(const QList<Delivery> &deliveries)
{
    if (deliveries.isEmpty())
        return {};
    QByteArray params = QByteArrayLiteral(R"({"ids":[)");
    for (qsizetype i = 0; i < deliveries.size(); ++i) {
        if (i > 0)
            params.append(',');
        params.append(deliveries.at(i).id);
    }
    params.append("]}");
    auto result = m_socket->call("ack", params, ReplySlackMs);
    if (!result)
        return fail(result.error());
    return {};
}

} // namespace hive::bench
