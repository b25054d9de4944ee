// SPDX-License-Identifier: MIT
#include "imagelayer.h"

#include "procfs.h"
#include "syserror.h"

#include <QDir>
#include <QFile>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <elf.h>
#include <linux/mount.h>
#include <sched.h>

namespace hive::engine {

// The program interpreter (PT_INTERP) of a 64-bit little-endian ELF executable; empty for anything else (a script, a
// static binary).
QString elfInterpreter(const QString &path)
{
    QFile file(path);
    Elf64_Ehdr header = {};
    if (!file.open(QIODevice::ReadOnly) ||
        file.read(reinterpret_cast<char *>(&header), sizeof header) != qint64(sizeof header) ||
        std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64 ||
        header.e_ident[EI_DATA] != ELFDATA2LSB || header.e_phentsize != sizeof(Elf64_Phdr)) {
        return {};
    }
    for (int i = 0; i < header.e_phnum; ++i) {
        Elf64_Phdr segment = {};
        if (!file.seek(qint64(header.e_phoff) + qint64(i) * header.e_phentsize) ||
            file.read(reinterpret_cast<char *>(&segment), sizeof segment) != qint64(sizeof segment))
            return {};
        if (segment.p_type == PT_INTERP && segment.p_filesz < PATH_MAX && file.seek(qint64(segment.p_offset)))
            return QFile::decodeName(file.read(qint64(segment.p_filesz)).split('\0').value(0));
    }
    return {};
}

// "/usr/x" as the host's /usr appears inside an image container.
QString hostUsrInside(const QString &hostPath)
{
    return QLatin1String(HostUsrInside) + hostPath.mid(4);
}

// With an image, the container's /usr is the image's, whose libraries need not be the ones the host's hive-harness
// was built against (another suite, no Qt at all). A dynamic harness is therefore run by the host's own loader with
// the host's library dirs (the host's /usr is bound read-only at /opt/hive/host/usr); only that process sees them,
// the programs it starts use the image's. Empty when the harness is no dynamic ELF or its loader is not under /usr:
// then it is bound at /opt/hive/bin/hive-harness as it is.
QByteArray harnessWrapper(const QString &harnessPath)
{
    const QString loader = QFileInfo(elfInterpreter(harnessPath)).canonicalFilePath();
    if (!loader.startsWith(QLatin1String("/usr/")))
        return {};
    QStringList dirs{QFileInfo(loader).absolutePath()};
    const QDir conf(QStringLiteral("/etc/ld.so.conf.d"));
    for (const QString &name : conf.entryList({QStringLiteral("*.conf")}, QDir::Files, QDir::Name)) {
        QFile file(conf.filePath(name));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &line : file.readAll().split('\n')) {
            const QString dir = QFileInfo(QFile::decodeName(line.trimmed())).canonicalFilePath();
            if (dir.startsWith(QLatin1String("/usr/")) && !dir.contains(QLatin1Char(':')) && !dirs.contains(dir))
                dirs.append(dir);
        }
    }
    for (const QString &dir : {QStringLiteral("/usr/lib64"), QStringLiteral("/usr/lib")}) {
        const QString real = QFileInfo(dir).canonicalFilePath();
        if (!real.isEmpty() && !dirs.contains(real))
            dirs.append(real);
    }
    QStringList inside;
    for (const QString &dir : std::as_const(dirs))
        inside.append(hostUsrInside(dir));
    const auto quoted = [](const QString &text) {
        return '\'' + QString(text).replace(QLatin1Char('\''), QLatin1String("'\\''")).toUtf8() + '\'';
    };
    return "#!/bin/sh\n# Written by hyperhive at every start: the host's hive-harness with the host's "
           "libraries.\nexec " +
           quoted(hostUsrInside(loader)) + " --library-path " + quoted(inside.join(QLatin1Char(':'))) + " --argv0 " +
           HarnessInside + ' ' + HarnessBinaryInside + " \"$@\"\n";
}

// A user namespace that maps 0..count-1 to base..base+count-1, for the image's idmapped mount: made by a child that
// unshares and waits; the namespace outlives it as long as the returned fd is open.
Result<UniqueFd> mappedUserNamespace(quint32 base, quint32 count)
{
    int ready[2];
    int release[2];
    if (::pipe2(ready, O_CLOEXEC) != 0)
        return ioFailure("create", QStringLiteral("a pipe"));
    UniqueFd readyRead(ready[0]);
    UniqueFd readyWrite(ready[1]);
    if (::pipe2(release, O_CLOEXEC) != 0)
        return ioFailure("create", QStringLiteral("a pipe"));
    UniqueFd releaseRead(release[0]);
    UniqueFd releaseWrite(release[1]);
    const pid_t child = ::fork();
    if (child < 0)
        return ioFailure("fork for", QStringLiteral("a user namespace"));
    if (child == 0) { // async-signal-safe calls only
        ::close(release[1]);
        char byte = ::unshare(CLONE_NEWUSER) == 0 ? 'u' : 'e';
        [[maybe_unused]] const ssize_t written = ::write(ready[1], &byte, 1);
        [[maybe_unused]] const ssize_t read = ::read(release[0], &byte, 1); // EOF when the parent is done
        ::_exit(0);
    }
    readyWrite.reset();
    releaseRead.reset();
    const auto reap = [&] {
        releaseWrite.reset();
        while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
        }
    };
    char byte = 0;
    if (::read(readyRead.get(), &byte, 1) != 1 || byte != 'u') {
        reap();
        return fail(ErrorCode::Unavailable, QStringLiteral("cannot create a user namespace for the image's mount"));
    }
    const QByteArray map =
        QByteArray::number(0) + ' ' + QByteArray::number(base) + ' ' + QByteArray::number(count) + '\n';
    for (const char *entry : {"uid_map", "gid_map"}) {
        const UniqueFd file(::open(ProcFs::path(child, entry).constData(), O_WRONLY | O_CLOEXEC));
        if (!file.valid() || ::write(file.get(), map.constData(), size_t(map.size())) != map.size()) {
            auto failure = ioFailure("write", QString::fromLatin1(ProcFs::path(child, entry)));
            reap();
            return failure;
        }
    }
    UniqueFd userns(::open(ProcFs::path(child, "ns/user").constData(), O_RDONLY | O_CLOEXEC));
    auto failure = ioFailure("open", QString::fromLatin1(ProcFs::path(child, "ns/user")));
    reap();
    if (!userns.valid())
        return failure;
    return userns;
}

Result<LayerMounts> layerMounts(const ContainerSpec &spec)
{
    auto userns = mappedUserNamespace(spec.uidBase, spec.uidCount);
    if (!userns)
        return fail(userns.error());
    LayerMounts mounts;
    mounts.image = UniqueFd(static_cast<int>(::syscall(
        SYS_open_tree, AT_FDCWD, QFile::encodeName(spec.imageDir).constData(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)));
    if (!mounts.image.valid())
        return ioFailure("clone the mount of", spec.imageDir);
    // Idmapped: the image's root-owned files are root's inside, and the uid range's on the host, without a chown of
    // the shared tree.
    mount_attr attributes = {};
    attributes.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY;
    attributes.userns_fd = static_cast<quint64>(userns->get());
    if (::syscall(SYS_mount_setattr, mounts.image.get(), "", AT_EMPTY_PATH, &attributes, sizeof attributes) != 0)
        return ioFailure("make an idmapped mount of", spec.imageDir);
    const QDir root(spec.rootDir);
    mounts.lower = QFile::encodeName(root.filePath(QStringLiteral("lower")));
    mounts.merged = QFile::encodeName(root.filePath(QStringLiteral("merged")));
    mounts.options = "lowerdir=" + mounts.lower +
                     ",upperdir=" + QFile::encodeName(root.filePath(QStringLiteral("upper"))) +
                     ",workdir=" + QFile::encodeName(root.filePath(QStringLiteral("work")));
    return mounts;
}

const char *mountStepName(int step)
{
    switch (step) {
    case 1:
        return "a mount namespace of its own";
    case 2:
        return "making the mounts private";
    case 3:
        return "attaching the image at lower/";
    default:
        return "the overlay at merged/";
    }
}

// In the detached child (async-signal-safe calls only): 0, or the step that failed with errno set.
int mountLayer(const LayerMounts &mounts)
{
    if (::unshare(CLONE_NEWNS) != 0)
        return 1;
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
        return 2;
    if (::syscall(SYS_move_mount, mounts.image.get(), "", AT_FDCWD, mounts.lower.constData(),
                  MOVE_MOUNT_F_EMPTY_PATH) != 0)
        return 3;
    // The overlay of a container just killed may take a moment to go away with its mount namespace.
    for (int attempt = 0;; ++attempt) {
        if (::mount("overlay", mounts.merged.constData(), "overlay", 0, mounts.options.constData()) == 0)
            return 0;
        if (errno != EBUSY || attempt >= 100)
            return 4;
        const timespec pause{0, 20'000'000};
        ::nanosleep(&pause, nullptr);
    }
}

} // namespace hive::engine
