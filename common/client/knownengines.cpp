// SPDX-License-Identifier: MIT
#include "knownengines.h"

#include "fingerprint.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

namespace hive::client {

namespace {

// Entries are written with one space, but people edit this file by hand.
const QRegularExpression &whitespace()
{
    static const QRegularExpression pattern(QStringLiteral("\\s+"));
    return pattern;
}

} // namespace

KnownEngines::KnownEngines(QString path) : m_path(std::move(path)) {}

QString KnownEngines::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/hyperhive/known_engines");
}

QString KnownEngines::key(const QString &host, int port)
{
    const QString h = host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    return h.toLower() + QLatin1Char(':') + QString::number(port);
}

Result<std::optional<QString>> KnownEngines::find(const QString &key) const
{
    QFile file(m_path);
    if (!file.exists())
        return std::optional<QString>();
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString()));
    int lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList parts = line.split(whitespace(), Qt::SkipEmptyParts);
        const auto fingerprint = parts.size() == 2 ? normalizeFingerprint(parts.at(1)) : std::nullopt;
        if (!fingerprint) {
            return fail(ErrorCode::Config,
                        QStringLiteral("%1:%2: expected \"host:port SHA256-FINGERPRINT\"").arg(m_path).arg(lineNumber));
        }
        if (parts.at(0).toLower() == key.toLower()) // host names are case-insensitive
            return std::optional<QString>(*fingerprint);
    }
    return std::optional<QString>();
}

Result<void> KnownEngines::pin(const QString &key, const QString &fingerprint)
{
    const auto canonical = normalizeFingerprint(fingerprint);
    if (!canonical)
        return fail(ErrorCode::InvalidParams, QStringLiteral("'%1' is not a SHA-256 fingerprint").arg(fingerprint));
    QStringList lines;
    QFile existing(m_path);
    if (existing.exists()) {
        if (!existing.open(QIODevice::ReadOnly))
            return fail(ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(m_path, existing.errorString()));
        while (!existing.atEnd()) {
            const QString line = QString::fromUtf8(existing.readLine()).trimmed();
            if (line.split(whitespace(), Qt::SkipEmptyParts).value(0).toLower() != key.toLower())
                lines << line;
        }
    }
    lines << key + QLatin1Char(' ') + *canonical;

    const QString dir = QFileInfo(m_path).absolutePath();
    if (!QDir().mkpath(dir))
        return fail(ErrorCode::Io, QStringLiteral("cannot create %1").arg(dir));
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString()));
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(lines.join(QLatin1Char('\n')).toUtf8() + '\n');
    if (!file.commit())
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString()));
    return {};
}

} // namespace hive::client
