// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/role.h"

#include <QObject>

#include <optional>

namespace hive::engine {

/// Who is calling, once hello succeeded (or implicitly, on the admin socket).
struct Session {
    QString tokenName;
    Role role = Role::Viewer;
    qint64 tokenId = 0; ///< 0 for the admin socket, which has no token
};

/// One client connection of the operator API, whatever carries it (TLS WebSocket or the admin
/// unix socket). Frames in and out are whole JSON-RPC messages.
class Connection : public QObject
{
    Q_OBJECT
public:
    explicit Connection(QObject *parent = nullptr) : QObject(parent) {}

    virtual void send(const QByteArray &frame) = 0;
    /// Whether the transport carries binary frames (WebSocket); the admin socket has only JSON lines.
    [[nodiscard]] virtual bool carriesBinary() const = 0;
    /// Sends a binary frame; only where carriesBinary().
    virtual void sendBinary(const QByteArray &frame) = 0;
    /// Bytes queued for the client and not yet taken by the kernel (for flow control). An
    /// estimate on WebSockets, where Qt hides the socket; bytesWritten() follows each drain.
    [[nodiscard]] virtual qint64 pendingBytes() const = 0;
    /// Closes after what was sent is flushed. Emits closed() once, later.
    virtual void close(const QString &reason) = 0;
    /// For logs: transport and peer address, never a token.
    [[nodiscard]] virtual QString peer() const = 0;
    [[nodiscard]] virtual bool isLocal() const = 0;

    [[nodiscard]] const std::optional<Session> &session() const { return m_session; }
    void setSession(Session session) { m_session = std::move(session); }

    /// Sends a reply; closes right after it when closeAfterReply() was called while handling it.
    void sendReply(const QByteArray &frame);
    void closeAfterReply(const QString &reason) { m_closeReason = reason; }

    [[nodiscard]] int failedHellos() const { return m_failedHellos; }
    void countFailedHello() { ++m_failedHellos; }

    [[nodiscard]] bool isSubscribed() const { return m_subscribed; }
    void setSubscribed(bool subscribed) { m_subscribed = subscribed; }

    [[nodiscard]] bool isClosing() const { return m_closing; }

Q_SIGNALS:
    void frameReceived(const QByteArray &frame);
    void binaryFrameReceived(const QByteArray &frame);
    /// Some of what was queued went out.
    void bytesWritten();
    void closed();

protected:
    void markClosing() { m_closing = true; }

private:
    std::optional<Session> m_session;
    QString m_closeReason;
    int m_failedHellos = 0;
    bool m_subscribed = false;
    bool m_closing = false;
};

} // namespace hive::engine
