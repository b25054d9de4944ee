// SPDX-License-Identifier: MIT
#include "statedir.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcState, "hive.engine")

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

Result<void> makePrivateDir(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    if (!QFileInfo::exists(path)) {
        // Create every missing level 0700 from the start, so nothing we create is ever, even
        // briefly, open to others (existing ancestors are left as they are).
        QStringList missing;
        for (QString level = QDir::cleanPath(QFileInfo(path).absoluteFilePath()); !QFileInfo::exists(level);
             level = QFileInfo(level).absolutePath()) {
            missing.prepend(level);
            if (level == QFileInfo(level).absolutePath())
                break; // reached the root
        }
        for (const QString &level : std::as_const(missing)) {
            if (::mkdir(QFile::encodeName(level).constData(), 0700) != 0 && errno != EEXIST)
                return fail(ErrorCode::Io, QStringLiteral("cannot create directory %1: %2").arg(level, errnoText()));
        }
    }
    struct stat info {
    };
    if (::stat(native.constData(), &info) != 0)
        return fail(ErrorCode::Io, QStringLiteral("cannot stat %1: %2").arg(path, errnoText()));
    if ((info.st_mode & 077) != 0) {
        if (::chmod(native.constData(), 0700) != 0)
            return fail(ErrorCode::Io, QStringLiteral("cannot restrict %1 to mode 0700: %2").arg(path, errnoText()));
        qCWarning(lcState).noquote() << path << "was accessible to other users; its mode is now 0700";
    }
    return {};
}

} // namespace

StateDir::StateDir(QString path, int lockFd) : m_path(std::move(path)), m_lockFd(lockFd) {}

StateDir::~StateDir()
{
    if (m_lockFd >= 0)
        ::close(m_lockFd); // releases the flock
}

Result<void> StateDir::ensure(const QString &path)
{
    return makePrivateDir(path);
}

Result<std::unique_ptr<StateDir>> StateDir::acquire(const QString &path)
{
    if (path.isEmpty())
        return fail(ErrorCode::Config, QStringLiteral("no state dir given"));
    const QString absolute = QDir(path).absolutePath();
    if (auto made = makePrivateDir(absolute); !made)
        return fail(made.error());

    const QString lockPath = QDir(absolute).filePath(QStringLiteral("engine.lock"));
    const int fd = ::open(QFile::encodeName(lockPath).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(ErrorCode::Io, QStringLiteral("cannot open lock file %1: %2").arg(lockPath, errnoText()));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        QString owner;
        QFile file(lockPath);
        if (file.open(QIODevice::ReadOnly))
            owner = QString::fromUtf8(file.readAll()).trimmed();
        ::close(fd);
        if (error == EWOULDBLOCK) {
            return fail(ErrorCode::Unavailable,
                        QStringLiteral("state dir %1 is in use by another hive-engine%2; stop it first or use another "
                                       "--state-dir")
                            .arg(absolute, owner.isEmpty() ? QString() : QStringLiteral(" (pid %1)").arg(owner)));
        }
        return fail(ErrorCode::Io,
                    QStringLiteral("cannot lock %1: %2").arg(lockPath, QString::fromLocal8Bit(std::strerror(error))));
    }
    // Record who holds it, for the message a second engine prints.
    const QByteArray pid = QByteArray::number(::getpid()) + '\n';
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.constData(), static_cast<size_t>(pid.size()), 0) < 0)
        qCWarning(lcState).noquote() << "cannot write pid to" << lockPath << ":" << errnoText();
    return std::unique_ptr<StateDir>(new StateDir(absolute, fd));
}

QString StateDir::filePath(const QString &relative) const
{
    return QDir(m_path).filePath(relative);
}

Result<QString> StateDir::subdir(const QString &relative) const
{
    const QString path = filePath(relative);
    if (auto made = makePrivateDir(path); !made)
        return fail(made.error());
    return path;
}

} // namespace hive::engine
