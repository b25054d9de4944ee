// SPDX-License-Identifier: MIT
#pragma once

#include "peer.h"

#include <QUrl>

#include <functional>

class QSslCertificate;
class QWebSocket;

namespace hive::client {

/// A TLS WebSocket to a remote engine, trusted by certificate fingerprint (like ssh's
/// known_hosts) rather than by a CA: the trust callback sees the SHA-256 fingerprint of the
/// certificate the engine presented before anything else is sent, and decides.
class WebSocketPeer final : public Peer
{
    Q_OBJECT
public:
    /// Returns true to go on with this certificate; on false the peer closes with `refusal`.
    using TrustCheck = std::function<bool(const QString &fingerprint, QString *refusal)>;

    WebSocketPeer(QUrl url, TrustCheck trust, QObject *parent = nullptr);

    void open() override;
    void send(const QByteArray &frame) override;
    void close() override;
    [[nodiscard]] QString describe() const override { return m_url.toString(); }
    [[nodiscard]] bool carriesBinary() const override { return true; }
    void sendBinary(const QByteArray &frame) override;

    /// The fingerprint the engine presented, once the TLS handshake got that far.
    [[nodiscard]] const QString &fingerprint() const { return m_fingerprint; }

private:
    bool checkTrust(const QSslCertificate &certificate);
    void finish(const Error &reason);

    QUrl m_url;
    TrustCheck m_trust;
    QWebSocket *m_socket;
    QString m_fingerprint;
    Error m_refusal;
    bool m_trusted = false;
    bool m_opened = false;
    bool m_refused = false;
    bool m_finished = false;
};

} // namespace hive::client
