// SPDX-License-Identifier: MIT
#pragma once

#include <QSslCertificate>
#include <QString>

#include <optional>

namespace hive {

/// SHA-256 of the certificate's DER encoding as uppercase hex pairs joined by ':'
/// ("AB:01:...", 95 characters), the form `openssl x509 -noout -fingerprint -sha256` prints.
/// Clients pin the engine by this string. Empty for a null certificate.
[[nodiscard]] QString certificateFingerprint(const QSslCertificate &cert);

/// Turns a SHA-256 fingerprint typed or pasted by a person into the canonical form above.
/// Accepts "AB:01:...", 64 hex digits without colons, any case, surrounding white space and an
/// optional "SHA256:" prefix (any case). Returns nullopt for anything that is not 32 bytes of hex.
[[nodiscard]] std::optional<QString> normalizeFingerprint(const QString &input);

} // namespace hive
