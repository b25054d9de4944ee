// SPDX-License-Identifier: MIT
#pragma once

#include "connection.h"

class QLocalSocket;

namespace hive::engine {

/// A client on the admin unix socket: newline-delimited JSON-RPC (the codec never emits a raw
/// newline inside a frame). Implicitly admin: the socket is mode 0600 inside a 0700 state dir.
class LocalConnection final : public Connection
{
    Q_OBJECT
public:
    /// Takes ownership of `socket`.
    LocalConnection(QLocalSocket *socket, qsizetype maxFrameBytes, QObject *parent = nullptr);
    ~LocalConnection() override;

    void send(const QByteArray &frame) override;
    void close(const QString &reason) override;
    [[nodiscard]] bool carriesBinary() const override { return false; }
    void sendBinary(const QByteArray & /*frame*/) override {}
    [[nodiscard]] qint64 pendingBytes() const override;
    [[nodiscard]] QString peer() const override { return m_peer; }
    [[nodiscard]] bool isLocal() const override { return true; }

    /// The connecting process's uid from SO_PEERCRED, or -1 when unknown.
    [[nodiscard]] qint64 peerUid() const { return m_peerUid; }

private:
    void readFrames();

    QLocalSocket *m_socket;
    QByteArray m_buffer;
    QString m_peer;
    qsizetype m_maxFrameBytes;
    qint64 m_peerUid = -1;
    bool m_discarding = false; ///< skipping the rest of an oversized frame up to its newline
    bool m_closedEmitted = false;
};

} // namespace hive::engine
