// SPDX-License-Identifier: MIT
#include "harnesssettings.h"

#include <QFile>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hive::engine {

namespace {

/// A key is a line of text; anything near this size is a wrong file, not a key.
constexpr qint64 MaxKeyFileBytes = qint64(64) * 1024;

} // namespace

Result<QString> HarnessSettings::readApiKey(const QString &path)
{
    const auto problem = [&path](const QString &why) {
        return fail(ErrorCode::Config, QStringLiteral("harness.api_key_file %1: %2").arg(path, why));
    };
    const auto systemError = [] {
        return QString::fromLocal8Bit(std::strerror(errno));
    };
    // Opened without blocking (a FIFO would wait for a writer) and checked through the descriptor
    // that is read, so the file cannot be swapped in between.
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return problem(QStringLiteral("cannot read it: %1").arg(systemError()));
    QFile file;
    if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return problem(QStringLiteral("cannot read it: %1").arg(file.errorString()));
    }
    struct stat info {
    };
    if (::fstat(fd, &info) != 0)
        return problem(QStringLiteral("cannot stat it: %1").arg(systemError()));
    if (!S_ISREG(info.st_mode))
        return problem(QStringLiteral("must be a regular file"));
    if ((info.st_mode & 077) != 0) {
        return problem(QStringLiteral("must not be accessible by group or others (mode %1); chmod 600 it")
                           .arg(QString::number(info.st_mode & 07777, 8).rightJustified(4, QLatin1Char('0'))));
    }
    if (info.st_size > MaxKeyFileBytes)
        return problem(QStringLiteral("is %1 bytes, more than the %2 an API key file may have")
                           .arg(info.st_size)
                           .arg(MaxKeyFileBytes));
    const QByteArray content = file.read(MaxKeyFileBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return problem(QStringLiteral("cannot read it: %1").arg(file.errorString()));
    const QString key = QString::fromUtf8(content).trimmed();
    if (key.isEmpty())
        return problem(QStringLiteral("is empty"));
    // The key goes into an environment variable: a second line or a NUL would be cut or refused there.
    for (const QChar c : key) {
        if (c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QChar(0))
            return problem(QStringLiteral("must hold the key alone on one line"));
    }
    return key;
}

Result<void> HarnessSettings::checkApiKeyFile(const QString &path)
{
    auto key = readApiKey(path);
    if (!key)
        return fail(key.error());
    return {};
}

} // namespace hive::engine
