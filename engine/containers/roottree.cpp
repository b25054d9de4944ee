// SPDX-License-Identifier: MIT
#include "roottree.h"

#include "syserror.h"

#include <QDir>
#include <QFile>
#include <QStringList>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

namespace hive::engine {

namespace {
constexpr int MaxTreeDepth = 256;
}

// Creates the missing dirs of `relative` (0755, the last one `mode`); with `owner`, what it creates or sets the mode of
// is handed to that uid and gid.
Result<UniqueFd> openDirAt(int parent, const QString &parentPath, const QString &relative, mode_t mode,
                           std::optional<uid_t> owner)
{
    UniqueFd current(::fcntl(parent, F_DUPFD_CLOEXEC, 0));
    const QStringList parts = relative.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QString path = parentPath;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QByteArray name = QFile::encodeName(parts[i]);
        path += QLatin1Char('/') + parts[i];
        const bool made = ::mkdirat(current.get(), name.constData(), 0755) == 0;
        if (!made && errno != EEXIST)
            return ioFailure("create directory", path);
        UniqueFd next(::openat(current.get(), name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next.valid())
            return ioFailure("open directory", path);
        const bool last = i == parts.size() - 1;
        if ((last || made) && ::fchmod(next.get(), last ? mode : 0755) != 0)
            return ioFailure("set the mode of", path);
        if ((last || made) && owner && ::fchown(next.get(), *owner, *owner) != 0)
            return ioFailure("chown", path);
        current = std::move(next);
    }
    return current;
}

Result<UniqueFd> openDir(const QString &path, mode_t mode)
{
    if (!QDir().mkpath(path))
        return fail(ErrorCode::Io, QStringLiteral("cannot create directory %1").arg(path));
    UniqueFd fd(::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid())
        return ioFailure("open directory", path);
    if (::fchmod(fd.get(), mode) != 0)
        return ioFailure("set the mode of", path);
    return fd;
}

bool writeAll(int fd, const QByteArray &data)
{
    for (qsizetype done = 0; done < data.size();) {
        const ssize_t written = ::write(fd, data.constData() + done, static_cast<size_t>(data.size() - done));
        if (written < 0 && errno != EINTR)
            return false;
        done += written > 0 ? written : 0;
    }
    return true;
}

// Written beside and renamed over, so that whatever container root left at `name` is replaced, never followed.
Result<void> writeFileAt(int dir, const QString &dirPath, const QString &name, const QByteArray &content, mode_t mode,
                         std::optional<uid_t> owner)
{
    const QString path = dirPath + QLatin1Char('/') + name;
    const QByteArray target = QFile::encodeName(name);
    const QByteArray temporary = ".hive-new-" + target;
    ::unlinkat(dir, temporary.constData(), 0);
    UniqueFd fd(::openat(dir, temporary.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd.valid() || !writeAll(fd.get(), content) || ::fchmod(fd.get(), mode) != 0 ||
        (owner && ::fchown(fd.get(), *owner, *owner) != 0) ||
        ::renameat(dir, temporary.constData(), dir, target.constData()) != 0) {
        auto failure = ioFailure("write", path);
        ::unlinkat(dir, temporary.constData(), 0);
        return failure;
    }
    return {};
}

Result<void> linkAt(int dir, const QString &dirPath, const QString &name, const QString &target)
{
    const QByteArray native = QFile::encodeName(name);
    char current[PATH_MAX];
    const ssize_t size = ::readlinkat(dir, native.constData(), current, sizeof current);
    if (size >= 0 && QFile::decodeName(QByteArray(current, static_cast<qsizetype>(size))) == target)
        return {};
    if ((size >= 0 && ::unlinkat(dir, native.constData(), 0) != 0) || (size < 0 && errno != ENOENT) ||
        ::symlinkat(QFile::encodeName(target).constData(), dir, native.constData()) != 0) {
        return ioFailure("create link", dirPath + QLatin1Char('/') + name);
    }
    return {};
}

// lchown of everything below `dir` (on its file system) that is not owned by `id` yet.
Result<void> chownTree(int dir, const QString &path, uid_t id, int depth)
{
    struct stat info = {};
    if (::fstat(dir, &info) != 0 || ((info.st_uid != id || info.st_gid != id) && ::fchown(dir, id, id) != 0))
        return ioFailure("chown", path);
    if (depth > MaxTreeDepth)
        return fail(ErrorCode::Io, QStringLiteral("%1 is nested deeper than %2 levels").arg(path).arg(MaxTreeDepth));
    const std::unique_ptr<DIR, int (*)(DIR *)> entries(::fdopendir(::fcntl(dir, F_DUPFD_CLOEXEC, 0)), ::closedir);
    if (!entries)
        return ioFailure("list", path);
    ::rewinddir(entries.get());
    while (const dirent *entry = ::readdir(entries.get())) {
        const char *name = entry->d_name;
        if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0)
            continue;
        const QString childPath = path + QLatin1Char('/') + QFile::decodeName(name);
        struct stat child = {};
        if (::fstatat(dir, name, &child, AT_SYMLINK_NOFOLLOW) != 0)
            continue; // removed meanwhile
        if (S_ISDIR(child.st_mode) && child.st_dev == info.st_dev) {
            const UniqueFd sub(::openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub.valid() && (errno == ENOENT || errno == ELOOP || errno == ENOTDIR))
                continue; // replaced meanwhile: what is there now is the container's, and is not followed
            if (!sub.valid())
                return ioFailure("open directory", childPath);
            if (auto done = chownTree(sub.get(), childPath, id, depth + 1); !done)
                return done;
        } else if ((child.st_uid != id || child.st_gid != id) &&
                   ::fchownat(dir, name, id, id, AT_SYMLINK_NOFOLLOW) != 0) {
            return ioFailure("chown", childPath);
        }
    }
    return {};
}

} // namespace hive::engine
