// SPDX-License-Identifier: MIT
#include "privatefilewriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcTls, "hive.tls")

// Failing to fsync the directory only weakens durability after a crash; the file is there.
void syncDirectory(const QString &directory)
{
    const int fd = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    if (::fsync(fd) != 0)
        qCWarning(lcTls) << "cannot fsync" << directory << qt_error_string(errno);
    ::close(fd);
}

// lstat rather than QFileInfo::exists, which says no for a dangling symlink that rename() would replace.
bool entryExists(const QByteArray &native)
{
    struct stat status = {};
    return ::lstat(native.constData(), &status) == 0;
}

} // namespace

PrivateFileWriter::PrivateFileWriter(QString path, mode_t mode) : m_path(std::move(path)), m_mode(mode) {}

PrivateFileWriter::~PrivateFileWriter()
{
    removeTemp();
}

void PrivateFileWriter::removeTemp()
{
    if (m_tempPath.isEmpty())
        return;
    ::unlink(m_tempPath.constData());
    m_tempPath.clear();
}

Result<void> PrivateFileWriter::stage(const QByteArray &data)
{
    removeTemp();
    const QFileInfo target(m_path);
    const QString directory = target.path();
    QByteArray pattern =
        QFile::encodeName(directory + QStringLiteral("/.") + target.fileName() + QStringLiteral(".XXXXXX"));
    const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) {
        return fail(ErrorCode::Io,
                    QStringLiteral("cannot create a file in %1: %2").arg(directory, qt_error_string(errno)));
    }
    m_tempPath = pattern;
    // fchmod before writing: mkostemp's 0600 is what a wider mode starts from, and a umask that
    // took bits from it is undone.
    bool ok = ::fchmod(fd, m_mode) == 0;
    qsizetype written = 0;
    while (ok && written < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + written, static_cast<size_t>(data.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        written += ok ? n : 0;
    }
    ok = ok && ::fsync(fd) == 0;
    const int savedErrno = errno;
    ok = ::close(fd) == 0 && ok;
    if (!ok) {
        removeTemp();
        return fail(
            ErrorCode::Io,
            QStringLiteral("cannot write %1: %2").arg(m_path, qt_error_string(savedErrno ? savedErrno : errno)));
    }
    return {};
}

// link() fails with EEXIST instead of replacing, so a file that appeared meanwhile (another engine
// starting on the same directory) is never overwritten. rename() is the fallback for file systems
// without hard links; it would replace, hence the check just before it.
Result<void> PrivateFileWriter::commit()
{
    if (m_tempPath.isEmpty())
        return fail(ErrorCode::Internal, QStringLiteral("nothing staged to publish as %1").arg(m_path));
    const QByteArray native = QFile::encodeName(m_path);
    if (::link(m_tempPath.constData(), native.constData()) != 0) {
        if (errno == EEXIST || entryExists(native)) {
            return fail(ErrorCode::Io,
                        QStringLiteral("refusing to overwrite %1, which appeared meanwhile").arg(m_path));
        }
        if (::rename(m_tempPath.constData(), native.constData()) != 0)
            return fail(ErrorCode::Io, QStringLiteral("cannot create %1: %2").arg(m_path, qt_error_string(errno)));
        m_tempPath.clear();
    }
    removeTemp();
    syncDirectory(QFileInfo(m_path).path());
    return {};
}

Result<void> PrivateFileWriter::writeNew(const QString &path, const QByteArray &data, mode_t mode)
{
    PrivateFileWriter writer(path, mode);
    if (auto staged = writer.stage(data); !staged)
        return staged;
    return writer.commit();
}

Result<void> PrivateFileWriter::ensurePrivateDir(const QString &dir)
{
    const QFileInfo info(dir);
    if (info.exists()) {
        if (!info.isDir())
            return fail(ErrorCode::Io, QStringLiteral("%1 exists but is not a directory").arg(dir));
        return {};
    }
    if (!QDir().mkpath(info.absolutePath()))
        return fail(ErrorCode::Io, QStringLiteral("cannot create directory %1").arg(info.absolutePath()));
    const QByteArray native = QFile::encodeName(dir);
    if (::mkdir(native.constData(), PrivateDirMode) != 0) {
        if (errno == EEXIST)
            return {};
        return fail(ErrorCode::Io, QStringLiteral("cannot create directory %1: %2").arg(dir, qt_error_string(errno)));
    }
    // mkdir's mode passes through the umask; chmod makes it exactly 0700 whatever the umask is.
    if (::chmod(native.constData(), PrivateDirMode) != 0)
        return fail(ErrorCode::Io, QStringLiteral("cannot chmod directory %1: %2").arg(dir, qt_error_string(errno)));
    return {};
}

} // namespace hive::engine
