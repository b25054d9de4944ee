// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

namespace hive::engine {

/// What the engine's TLS server presents: a leaf certificate, its private key and the chain sent
/// to clients.
struct TlsMaterial {
    QSslCertificate certificate;
    QSslKey privateKey;
    /// Leaf first, then any intermediates from the certificate file, ready for
    /// QSslConfiguration::setLocalCertificateChain(). For a generated certificate just the leaf.
    QList<QSslCertificate> chain;
    /// hive::certificateFingerprint() of the leaf, which clients pin.
    QString fingerprint;
    QString certificatePath;
    QString keyPath;
    /// True when loadOrCreate() made the material in this call (first start).
    bool generated = false;
};

/// Loads, validates and on first start creates the engine's TLS certificate and key.
/// Every problem with existing material is an ErrorCode::Tls error naming the file; failing to
/// create new material is ErrorCode::Io. Existing files are never modified or replaced.
class CertificateStore
{
public:
    /// Loads tlsDir/engine.crt and tlsDir/engine.key. When neither exists, creates tlsDir (0700),
    /// an ECDSA P-256 key (0600, written to a temp file and linked into place) and a self-signed
    /// certificate valid for ten years for localhost, the host name, 127.0.0.1 and ::1.
    /// Exactly one of the two files, an unreadable or corrupt file, a key that does not match the
    /// certificate or an expired certificate is an error.
    [[nodiscard]] static Result<TlsMaterial> loadOrCreate(const QString &tlsDir);

    /// Loads a user-provided PEM certificate file (leaf first, then optional intermediates) and an
    /// unencrypted PEM private key (EC or RSA; PKCS#8 or traditional). Refuses a missing or unreadable
    /// file, non-PEM content, a key that does not match the leaf and a leaf outside its validity period.
    [[nodiscard]] static Result<TlsMaterial> loadFiles(const QString &certificatePath, const QString &keyPath);
};

} // namespace hive::engine
