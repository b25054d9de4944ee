// SPDX-License-Identifier: MIT
#pragma once

#include "peer.h"

class QLocalSocket;

namespace hive::client {

/// The engine's admin unix socket: newline-delimited JSON-RPC.
class LocalSocketPeer final : public Peer
{
    Q_OBJECT
public:
    explicit LocalSocketPeer(QString path, QObject *parent = nullptr);

    void open() override;
    void send(const QByteArray &frame) override;
    void close() override;
    [[nodiscard]] QString describe() const override { return m_path; }

private:
    void finish(const Error &reason);

    QString m_path;
    QLocalSocket *m_socket;
    QByteArray m_buffer;
    bool m_finished = false;
};

} // namespace hive::client
