// SPDX-License-Identifier: MIT
#include "rawhttpclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

namespace hive::test {

RawHttpClient::RawHttpClient(quint16 port)
{
    m_socket.connectToHost(QHostAddress::LocalHost, port);
}

bool RawHttpClient::connected()
{
    return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, 5000);
}

void RawHttpClient::write(const QByteArray &data)
{
    m_socket.write(data);
    m_socket.flush();
}

std::optional<HttpResponse> RawHttpClient::response(bool head, int timeoutMs)
{
    std::optional<HttpResponse> response;
    static_cast<void>(QTest::qWaitFor(
        [&] {
            m_buffer += m_socket.readAll();
            response = HttpResponse::take(m_buffer, head);
            return response.has_value();
        },
        timeoutMs));
    return response;
}

bool RawHttpClient::closedByPeer()
{
    return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; }, 5000);
}

QByteArray RawHttpClient::messagesPost(const QByteArray &body, const QByteArray &agent)
{
    QByteArray request =
        "POST /v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    if (!agent.isEmpty())
        request += "x-fake-agent: " + agent + "\r\n";
    return request + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QByteArray RawHttpClient::messagesBody(const QString &prompt, const QString &model)
{
    const QJsonObject body{
        {QStringLiteral("model"), model},
        {QStringLiteral("stream"), true},
        {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                            {QStringLiteral("content"), prompt}}}}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace hive::test
