// SPDX-License-Identifier: MIT
#include "baseimage.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QLoggingCategory>
#include <QProcess>
#include <QStandardPaths>

#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcImage, "hive.containers.image")

constexpr int TailLines = 20;

QString findTool(const QString &given, const QString &name)
{
    if (!given.isEmpty())
        return QFileInfo(given).isExecutable() ? given : QString();
    const QString found = QStandardPaths::findExecutable(name);
    return found.isEmpty() ? QStandardPaths::findExecutable(name, {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"),
                                                                   QStringLiteral("/usr/bin"), QStringLiteral("/bin")})
                           : found;
}

// Mount points in /proc/self/mountinfo escape space, tab, newline and backslash as octal.
QString unescapeMountPath(const QByteArray &field)
{
    QByteArray path;
    for (qsizetype i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size()) {
            bool ok = false;
            const int code = field.mid(i + 1, 3).toInt(&ok, 8);
            if (ok) {
                path += static_cast<char>(code);
                i += 3;
                continue;
            }
        }
        path += field[i];
    }
    return QFile::decodeName(path);
}

// What a killed debootstrap may have left mounted in its tree (proc, sys, a bound /dev) when it ran outside a
// mount namespace of its own: detached before the tree is removed, so that removing it never reaches the host's.
Result<void> unmountBelow(const QString &dir)
{
    QFile mountInfo(QStringLiteral("/proc/self/mountinfo"));
    if (!mountInfo.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot read /proc/self/mountinfo: %1").arg(mountInfo.errorString()));
    QStringList below;
    for (const QByteArray &line : mountInfo.readAll().split('\n')) {
        const QString point = unescapeMountPath(line.split(' ').value(4));
        if (point == dir || point.startsWith(dir + QLatin1Char('/')))
            below.append(point);
    }
    std::sort(below.begin(), below.end(), [](const QString &a, const QString &b) { return a.size() > b.size(); });
    for (const QString &point : std::as_const(below)) {
        if (::umount2(QFile::encodeName(point).constData(), MNT_DETACH) != 0)
            return fail(ErrorCode::Io, QStringLiteral("cannot unmount %1 (left by an earlier build)").arg(point));
    }
    return {};
}

} // namespace

BaseImage::BaseImage(Settings settings) : m_settings(std::move(settings)) {}

BaseImage::~BaseImage()
{
    if (m_process) {
        m_process->disconnect();
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

bool BaseImage::exists(const QString &dir)
{
    return !dir.isEmpty() && QFileInfo(QDir(dir).filePath(QStringLiteral("usr"))).isDir();
}

Result<void> BaseImage::buildable() const
{
    if (m_settings.dir.isEmpty() || !QDir::isAbsolutePath(m_settings.dir))
        return fail(ErrorCode::Config,
                    QStringLiteral("the base image needs an absolute directory, got \"%1\"").arg(m_settings.dir));
    if (const uid_t euid = ::geteuid(); euid != 0)
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("building the base image needs root (this runs as uid %1)").arg(euid));
    if (findTool(m_settings.debootstrapPath, QStringLiteral("debootstrap")).isEmpty())
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("debootstrap not found: install the Debian package debootstrap, which builds the "
                                   "base image of containers.root = \"image\""));
    if (findTool({}, QStringLiteral("unshare")).isEmpty())
        return fail(ErrorCode::Unavailable, QStringLiteral("unshare not found: install the Debian package util-linux"));
    return {};
}

void BaseImage::build(Output output, Done done)
{
    if (m_process) {
        done(fail(ErrorCode::Unavailable,
                  QStringLiteral("the base image %1 is being built already").arg(m_settings.dir)));
        return;
    }
    if (auto ready = buildable(); !ready) {
        done(ready);
        return;
    }
    const QString dir = QDir::cleanPath(m_settings.dir);
    const QString temporary = dir + QStringLiteral(".tmp");
    if (!QDir().mkpath(QFileInfo(dir).absolutePath())) {
        done(fail(ErrorCode::Io, QStringLiteral("cannot create directory %1").arg(QFileInfo(dir).absolutePath())));
        return;
    }
    // Two builds into one tree (an engine and hive-engine --build-image) would wreck each other.
    m_lock = std::make_unique<QLockFile>(dir + QStringLiteral(".lock"));
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host;
        QString app;
        m_lock->getLockInfo(&pid, &host, &app);
        m_lock.reset();
        done(fail(ErrorCode::Unavailable,
                  QStringLiteral("the base image %1 is being built by process %2 (lock %1.lock)").arg(dir).arg(pid)));
        return;
    }
    if (QFileInfo::exists(temporary)) {
        qCInfo(lcImage).noquote() << "removing" << temporary << "left by a build that did not finish";
        auto unmounted = unmountBelow(temporary);
        if (!unmounted || !QDir(temporary).removeRecursively()) {
            m_lock.reset();
            done(unmounted ? fail(ErrorCode::Io, QStringLiteral("cannot remove %1 completely").arg(temporary))
                           : unmounted);
            return;
        }
    }
    m_done = std::move(done);
    m_tail.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    // debootstrap dies with its parent rather than building on into a tree nobody renames.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    QObject::connect(m_process.get(), &QProcess::readyRead, m_process.get(), [this, output] {
        while (m_process->canReadLine()) {
            const QString line = QString::fromUtf8(m_process->readLine()).trimmed();
            if (line.isEmpty())
                continue;
            m_tail.append(line);
            if (m_tail.size() > TailLines)
                m_tail.removeFirst();
            if (output)
                output(line);
        }
    });
    QObject::connect(
        m_process.get(), &QProcess::finished, m_process.get(),
        [this, dir, temporary](int exitCode, QProcess::ExitStatus status) {
            const QString rest = QString::fromUtf8(m_process->readAll()).trimmed();
            if (!rest.isEmpty())
                m_tail.append(rest);
            if (status != QProcess::NormalExit || exitCode != 0) {
                finish(fail(ErrorCode::Unavailable,
                            QStringLiteral("debootstrap failed (%1); the end of its output:\n%2")
                                .arg(status == QProcess::NormalExit ? QStringLiteral("exit code %1").arg(exitCode)
                                                                    : QStringLiteral("it crashed or was killed"),
                                     m_tail.join(QLatin1Char('\n')))));
                return;
            }
            if (::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(dir).constData()) != 0) {
                finish(fail(ErrorCode::Io,
                            QStringLiteral("cannot rename %1 to %2: %3").arg(temporary, dir, qt_error_string(errno))));
                return;
            }
            finish({});
        });
    QObject::connect(m_process.get(), &QProcess::errorOccurred, m_process.get(), [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            finish(fail(ErrorCode::Unavailable,
                        QStringLiteral("cannot run debootstrap: %1").arg(m_process->errorString())));
    });
    const QString debootstrap = findTool(m_settings.debootstrapPath, QStringLiteral("debootstrap"));
    qCInfo(lcImage).noquote() << "building the base image" << dir << "with" << debootstrap << m_settings.suite
                              << m_settings.mirror;
    m_process->start(findTool({}, QStringLiteral("unshare")),
                     {QStringLiteral("--mount"), QStringLiteral("--propagation"), QStringLiteral("private"),
                      QStringLiteral("--"), debootstrap, QStringLiteral("--variant=minbase"), m_settings.suite,
                      temporary, m_settings.mirror});
}

void BaseImage::finish(const Result<void> &result)
{
    // Called from the process's own signal: it is deleted later, not here.
    if (m_process) {
        m_process->disconnect();
        m_process.release()->deleteLater();
    }
    m_lock.reset();
    if (result)
        qCInfo(lcImage).noquote() << "the base image" << m_settings.dir << "is built";
    const Done done = std::move(m_done);
    m_done = nullptr;
    if (done)
        done(result);
}

} // namespace hive::engine
