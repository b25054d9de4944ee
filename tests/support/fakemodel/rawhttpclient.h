// SPDX-License-Identifier: MIT
#pragma once

#include "httpresponse.h"

#include <QTcpSocket>

namespace hive::test {

/// A plain TCP client that writes raw HTTP bytes, for probing FakeModelServer. Its waits spin the event loop
/// (QTest::qWaitFor), so a server in the same thread answers meanwhile.
class RawHttpClient
{
public:
    explicit RawHttpClient(quint16 port);

    /// True once connected (within 5 s).
    [[nodiscard]] bool connected();
    void write(const QByteArray &data);
    /// The next complete response, or nothing within `timeoutMs`.
    [[nodiscard]] std::optional<HttpResponse> response(bool head = false, int timeoutMs = 5000);
    /// True once the server has closed the connection (within 5 s).
    [[nodiscard]] bool closedByPeer();

    /// POST /v1/messages?beta=true with a Content-Length body, and x-fake-agent when `agent` is set.
    [[nodiscard]] static QByteArray messagesPost(const QByteArray &body, const QByteArray &agent = {});
    /// {"model", "stream": true, "messages": [{"role": "user", "content": prompt}]}
    [[nodiscard]] static QByteArray messagesBody(const QString &prompt,
                                                 const QString &model = QStringLiteral("fake-1"));

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
};

} // namespace hive::test
