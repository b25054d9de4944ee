// SPDX-License-Identifier: MIT
#include "websocketpeer.h"

#include "fingerprint.h"

#include <QSslConfiguration>
#include <QWebSocket>

namespace hive::client {

WebSocketPeer::WebSocketPeer(QUrl url, TrustCheck trust, QObject *parent)
    : Peer(parent), m_url(std::move(url)), m_trust(std::move(trust)),
      m_socket(new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this))
{
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setProtocol(QSsl::TlsV1_2OrLater);
    m_socket->setSslConfiguration(ssl);

    // A self-signed engine certificate arrives here as errors; the pin, not a CA, decides.
    connect(m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        QSslCertificate certificate = m_socket->sslConfiguration().peerCertificate();
        if (certificate.isNull() && !errors.isEmpty())
            certificate = errors.first().certificate();
        if (checkTrust(certificate))
            m_socket->ignoreSslErrors();
    });
    connect(m_socket, &QWebSocket::connected, this, [this] {
        // A CA-signed certificate raises no errors: check the pin now, before any frame is sent.
        if (!m_trusted && !checkTrust(m_socket->sslConfiguration().peerCertificate()))
            return;
        m_opened = true;
        Q_EMIT opened();
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &message) { Q_EMIT frameReceived(message.toUtf8()); });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &Peer::binaryFrameReceived);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        if (m_refused) {
            finish(m_refusal);
            return;
        }
        // A connection that never opened reports its cause (refused, TLS failure) through the
        // error signal, which Qt emits after this one: let it speak first.
        if (!m_opened) {
            QMetaObject::invokeMethod(
                this,
                [this] {
                    finish(
                        Error{ErrorCode::Unavailable,
                              QStringLiteral("cannot connect to %1: %2").arg(m_url.toString(), m_socket->errorString()),
                              {}});
                },
                Qt::QueuedConnection);
            return;
        }
        QString reason = m_socket->closeReason();
        if (reason.isEmpty() && m_socket->error() != QAbstractSocket::UnknownSocketError)
            reason = m_socket->errorString();
        finish(Error{ErrorCode::Unavailable,
                     QStringLiteral("connection to %1 closed%2")
                         .arg(m_url.toString(), reason.isEmpty() ? QString() : QStringLiteral(": ") + reason),
                     {}});
    });
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    const auto errorSignal = &QWebSocket::errorOccurred;
#else
    const auto errorSignal = QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error); // renamed in Qt 6.5
#endif
    connect(m_socket, errorSignal, this, [this](QAbstractSocket::SocketError) {
        if (m_refused || m_socket->state() == QAbstractSocket::ConnectedState)
            return;
        // Errors before the socket connected never produce disconnected().
        if (m_socket->state() == QAbstractSocket::UnconnectedState) {
            finish(Error{ErrorCode::Unavailable,
                         QStringLiteral("cannot connect to %1: %2").arg(m_url.toString(), m_socket->errorString()),
                         {}});
        }
    });
}

bool WebSocketPeer::checkTrust(const QSslCertificate &certificate)
{
    if (certificate.isNull()) {
        m_refusal = Error{ErrorCode::Tls, QStringLiteral("%1 presented no certificate").arg(m_url.toString()), {}};
    } else {
        m_fingerprint = certificateFingerprint(certificate);
        QString refusal;
        if (m_trust(m_fingerprint, &refusal)) {
            m_trusted = true;
            return true;
        }
        m_refusal = Error{ErrorCode::Tls, refusal, {{QStringLiteral("fingerprint"), m_fingerprint}}};
    }
    m_refused = true;
    m_socket->abort();
    finish(m_refusal);
    return false;
}

void WebSocketPeer::open()
{
    m_socket->open(m_url);
}

void WebSocketPeer::send(const QByteArray &frame)
{
    if (m_trusted)
        m_socket->sendTextMessage(QString::fromUtf8(frame));
}

void WebSocketPeer::sendBinary(const QByteArray &frame)
{
    if (m_trusted)
        m_socket->sendBinaryMessage(frame);
}

void WebSocketPeer::close()
{
    m_socket->close();
}

void WebSocketPeer::finish(const Error &reason)
{
    if (m_finished)
        return;
    m_finished = true;
    Q_EMIT closed(reason);
}

} // namespace hive::client
