// SPDX-License-Identifier: MIT
#include "fingerprint.h"

#include <QCryptographicHash>

namespace hive {

namespace {

constexpr qsizetype Sha256Bytes = 32;

bool isHexDigit(QChar c)
{
    return (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || (c >= QLatin1Char('a') && c <= QLatin1Char('f')) ||
           (c >= QLatin1Char('A') && c <= QLatin1Char('F'));
}

} // namespace

QString certificateFingerprint(const QSslCertificate &cert)
{
    if (cert.isNull())
        return {};
    return QString::fromLatin1(cert.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

std::optional<QString> normalizeFingerprint(const QString &input)
{
    QStringView text = QStringView(input).trimmed();
    const QLatin1String prefix("SHA256:");
    if (text.startsWith(prefix, Qt::CaseInsensitive))
        text = text.mid(prefix.size());

    // Either strictly "XX:XX:..." or strictly 64 digits: a half-colonised string is more likely
    // a copy-and-paste accident than a fingerprint, so it is refused rather than guessed at.
    const bool colonised = text.contains(QLatin1Char(':'));
    const qsizetype expected = colonised ? Sha256Bytes * 3 - 1 : Sha256Bytes * 2;
    if (text.size() != expected)
        return std::nullopt;

    QString canonical;
    canonical.reserve(Sha256Bytes * 3 - 1);
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (colonised && i % 3 == 2) {
            if (c != QLatin1Char(':'))
                return std::nullopt;
            continue;
        }
        if (!isHexDigit(c))
            return std::nullopt;
        if (!canonical.isEmpty() && canonical.size() % 3 == 2)
            canonical.append(QLatin1Char(':'));
        canonical.append(c.toUpper());
    }
    return canonical;
}

} // namespace hive
