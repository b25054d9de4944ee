// SPDX-License-Identifier: MIT
#include "nspawnruntime.h"

#include "baseimage.h"
#include "execchild.h"
#include "imagelayer.h"
#include "procfs.h"
#include "roottree.h"
#include "syserror.h"
#include "uniquefd.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThread>

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <elf.h>
#include <linux/mount.h>
#include <memory>
#include <optional>
#include <sched.h>
#include <vector>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcContainers, "hive.containers")

constexpr int PollMs = 10;
constexpr int KillWaitMs = 2000;
constexpr int LogTailLines = 20;

using ProcStat = ProcFs::Stat;

// nspawn's children (the stub init, PID 1 inside, and short-lived helpers while it sets up) and the main command,
// the stub init's first child: it leads its own session, and orphans adopted by the stub init start after it.
struct ContainerTree {
    QList<ProcStat> stubs;
    std::optional<ProcStat> main;
};

ContainerTree containerTree(const ContainerProcess &top)
{
    const QList<ProcStat> processes = ProcFs::liveProcesses();
    ContainerTree tree;
    for (const ProcStat &process : processes) {
        if (process.ppid == top.pid)
            tree.stubs.append(process);
    }
    const auto better = [](const ProcStat &a, const ProcStat &b) {
        const bool aLeads = a.session == a.pid;
        const bool bLeads = b.session == b.pid;
        return aLeads != bLeads ? aLeads : a.startTime < b.startTime;
    };
    for (const ProcStat &process : processes) {
        const bool underStub = std::any_of(tree.stubs.cbegin(), tree.stubs.cend(),
                                           [&](const ProcStat &stub) { return process.ppid == stub.pid; });
        if (underStub && (!tree.main || better(process, *tree.main)))
            tree.main = process;
    }
    return tree;
}

// Until the main process has called exec(), it runs nspawn's own binary.
bool hasExeced(qint64 pid, qint64 nspawnPid)
{
    struct stat mine = {};
    struct stat nspawns = {};
    return ::stat(ProcFs::path(pid, "exe").constData(), &mine) == 0 &&
           ::stat(ProcFs::path(nspawnPid, "exe").constData(), &nspawns) == 0 &&
           (mine.st_dev != nspawns.st_dev || mine.st_ino != nspawns.st_ino);
}

// With --console=pipe nothing ties a container to its nspawn: when nspawn dies (SIGKILL, OOM) its stub init and
// everything under it live on, adopted by init, still working on the agent's state. Such a leftover is found by its
// root directory (the same inode) or its owner (container root is the agent's uid_base, which no other agent shares:
// an image's overlay root exists only in the container's mount namespace) and a parent that is no systemd-nspawn,
// and killed before a new start.
void killLeftovers(const QString &rootDir, uid_t uidBase)
{
    struct stat root = {};
    const bool haveRoot = ::stat(QFile::encodeName(rootDir).constData(), &root) == 0;
    const QList<ProcStat> processes = ProcFs::liveProcesses();
    QList<ProcStat> leftovers;
    for (const ProcStat &stub : processes) {
        const auto parent =
            std::find_if(processes.cbegin(), processes.cend(), [&](const ProcStat &p) { return p.pid == stub.ppid; });
        struct stat theirs = {};
        struct stat process = {};
        const bool sameRoot = haveRoot && ::stat(ProcFs::path(stub.pid, "root").constData(), &theirs) == 0 &&
                              theirs.st_dev == root.st_dev && theirs.st_ino == root.st_ino;
        const bool sameOwner =
            ::stat(ProcFs::path(stub.pid, "").constData(), &process) == 0 && process.st_uid == uidBase;
        if (stub.comm == "(sd-stubinit)" && (parent == processes.cend() || parent->comm != "systemd-nspawn") &&
            (sameRoot || sameOwner)) {
            qCWarning(lcContainers).noquote()
                << QStringLiteral("killing the container left in %1 by a systemd-nspawn that died (stub init: pid %2)")
                       .arg(rootDir)
                       .arg(stub.pid);
            ProcFs::signalExact(stub.pid, stub.startTime, SIGKILL);
            leftovers.append(stub);
        }
    }
    if (!ProcFs::waitUntilGone(leftovers, KillWaitMs))
        qCWarning(lcContainers).noquote() << "a leftover container in" << rootDir << "outlived SIGKILL";
}

QByteArray gitQuoted(QString value)
{
    value.replace(QLatin1Char('\n'), QLatin1Char(' '));
    value.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\""));
    return '"' + value.toUtf8() + '"';
}

QByteArray gitConfig(const ContainerSpec &spec)
{
    QByteArray text;
    if (!spec.gitName.isEmpty() || !spec.gitEmail.isEmpty()) {
        text += "[user]\n";
        if (!spec.gitName.isEmpty())
            text += "\tname = " + gitQuoted(spec.gitName) + '\n';
        if (!spec.gitEmail.isEmpty())
            text += "\temail = " + gitQuoted(spec.gitEmail) + '\n';
    }
    // The agent's repositories belong to container root; let any user inside work in them.
    return text + "[safe]\n\tdirectory = *\n";
}

// nspawn reads backslash escapes in --bind paths, so "\:" embeds a colon.
QString bindPath(QString path)
{
    return path.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char(':'), QLatin1String("\\:"));
}

Result<void> checkSpec(const ContainerSpec &spec)
{
    static const QRegularExpression agentName(QStringLiteral("^[a-z0-9][a-z0-9-]{0,47}$"));
    const auto invalid = [&](const QString &what) {
        return fail(ErrorCode::InvalidParams, QStringLiteral("container of agent '%1': %2").arg(spec.agent, what));
    };
    if (!agentName.match(spec.agent).hasMatch())
        return invalid(QStringLiteral("the name is not usable as a host name"));
    if (spec.uidBase < 65536 || spec.uidCount < 65536 || quint64(spec.uidBase) + spec.uidCount > 0xFFFFFFFFU)
        return invalid(QStringLiteral("uid range %1+%2 is not above the host's uids or does not hold 65536 ids")
                           .arg(spec.uidBase)
                           .arg(spec.uidCount));
    const QList<std::pair<const char *, QString>> paths = {
        {"root dir", spec.rootDir},         {"state dir", spec.stateDir},
        {"socket dir", spec.socketDir},     {"credentials dir", spec.credentialsDir},
        {"harness path", spec.harnessPath}, {"log path", spec.logPath}};
    for (const auto &[what, path] : paths) {
        if (!path.isEmpty() && !QDir::isAbsolutePath(path))
            return invalid(QStringLiteral("the %1 %2 is not absolute").arg(QLatin1String(what), path));
    }
    if (spec.rootDir.isEmpty() || spec.stateDir.isEmpty())
        return invalid(QStringLiteral("no root dir or state dir"));
    if (!spec.imageDir.isEmpty()) {
        if (!QDir::isAbsolutePath(spec.imageDir))
            return invalid(QStringLiteral("the image dir %1 is not absolute").arg(spec.imageDir));
        // overlayfs's options separate with ',' and ':' (lowerdir=a:b,upperdir=...).
        static const QRegularExpression special(QStringLiteral("[,:\\\\]"));
        for (const QString &path : {spec.rootDir, spec.imageDir}) {
            if (path.contains(special))
                return invalid(
                    QStringLiteral("%1 holds ',', ':' or '\\', which an overlay mount cannot take").arg(path));
        }
    }
    return {};
}

QString logTail(const QString &path, qint64 from)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("(cannot read %1: %2)").arg(path, file.errorString());
    file.seek(std::max(from, file.size() - 16384));
    QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    // nspawn's harmless complaint at every exit would only push real lines out.
    lines.removeIf([](const QString &line) { return line.contains(QLatin1String("Attempted to remove disk")); });
    return lines.mid(std::max<qsizetype>(0, lines.size() - LogTailLines)).join(QLatin1Char('\n'));
}

// ---- detached start

struct SpawnMessage {
    char tag; // 'P': the pid of the detached process, 'E': errno of a failed fork or exec, 'M': of a failed mount
    int value;
    int step; // for 'M': mountLayer()'s step
};

// fork, setsid, fork, exec: the process runs in a session of its own, adopted by init, so that it outlives the
// engine; stdin is /dev/null, stdout and stderr go to `logFd`, no other descriptor leaks into it.
Result<qint64> spawnDetached(const QStringList &command, int logFd, const LayerMounts *mounts)
{
    // After fork() only async-signal-safe calls are allowed (another thread may hold malloc's lock), so everything
    // the children need is made here.
    std::vector<QByteArray> storage;
    std::vector<char *> argv;
    for (const QString &argument : command)
        storage.push_back(QFile::encodeName(argument));
    for (QByteArray &argument : storage)
        argv.push_back(argument.data());
    argv.push_back(nullptr);
    // A service's notify socket and passed sockets are the engine's, not nspawn's.
    std::vector<char *> envp;
    for (char **variable = environ; *variable; ++variable) {
        const QByteArray name = QByteArray(*variable).split('=').value(0);
        if (name != "NOTIFY_SOCKET" && !name.startsWith("LISTEN_") && !name.startsWith("WATCHDOG_"))
            envp.push_back(*variable);
    }
    envp.push_back(nullptr);
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0)
        return ioFailure("create", QStringLiteral("a pipe"));
    UniqueFd readEnd(pipeFds[0]);
    UniqueFd writeEnd(pipeFds[1]);
    // Above 0..3, so that the dup2() calls in the child cannot overwrite one another.
    const UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    const UniqueFd nullHigh(::fcntl(null.get(), F_DUPFD_CLOEXEC, 10));
    const UniqueFd logHigh(::fcntl(logFd, F_DUPFD_CLOEXEC, 10));
    UniqueFd writeHigh(::fcntl(writeEnd.get(), F_DUPFD_CLOEXEC, 10));
    writeEnd.reset();
    if (!nullHigh.valid() || !logHigh.valid() || !writeHigh.valid())
        return ioFailure("set up descriptors for", command.value(0));
    const long maxFd = ::sysconf(_SC_OPEN_MAX);

    const pid_t middle = ::fork();
    if (middle < 0)
        return ioFailure("fork for", command.value(0));
    if (middle == 0) {
        ::setsid();
        const pid_t detached = ::fork();
        if (detached != 0) {
            const SpawnMessage message{detached > 0 ? 'P' : 'E', detached > 0 ? detached : errno, 0};
            [[maybe_unused]] const ssize_t written = ::write(writeHigh.get(), &message, sizeof message);
            ::_exit(0);
        }
        if (const int step = mounts ? mountLayer(*mounts) : 0; step != 0) {
            const SpawnMessage message{'M', errno, step};
            [[maybe_unused]] const ssize_t written = ::write(writeHigh.get(), &message, sizeof message);
            ::_exit(127);
        }
        ::dup2(nullHigh.get(), 0);
        ::dup2(logHigh.get(), 1);
        ::dup2(logHigh.get(), 2);
        ::dup3(writeHigh.get(), 3, O_CLOEXEC);
        resetForExec(4, maxFd);
        if (::chdir("/") == 0)
            ::execve(argv[0], argv.data(), envp.data());
        const SpawnMessage message{'E', errno, 0};
        [[maybe_unused]] const ssize_t written = ::write(3, &message, sizeof message);
        ::_exit(127);
    }

    // The pipe reaches EOF once the middle process has exited and the detached one has exec'd.
    writeHigh.reset();
    int status = 0;
    while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
    }
    qint64 pid = 0;
    int error = 0;
    int mountStep = 0;
    SpawnMessage message{};
    ssize_t size = 0;
    while ((size = ::read(readEnd.get(), &message, sizeof message)) != 0) {
        if (size == sizeof message && message.tag == 'P')
            pid = message.value;
        else if (size == sizeof message) {
            error = message.value;
            mountStep = message.tag == 'M' ? message.step : 0;
        } else if (size < 0 && errno != EINTR)
            break;
    }
    if (mountStep != 0) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("cannot mount the agent's layer over the base image (%1): %2")
                        .arg(QLatin1String(mountStepName(mountStep)), errnoText(error)));
    }
    if (error != 0 || pid <= 0) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("cannot run %1: %2").arg(command.value(0), errnoText(error != 0 ? error : ECHILD)));
    }
    return pid;
}

QString findProgram(const QString &given, const QString &name)
{
    if (!given.isEmpty())
        return given;
    const QString found = QStandardPaths::findExecutable(name);
    return found.isEmpty() ? QStandardPaths::findExecutable(name, {QStringLiteral("/usr/bin"), QStringLiteral("/bin")})
                           : found;
}

} // namespace

NspawnRuntime::NspawnRuntime() : NspawnRuntime(Options{}) {}

NspawnRuntime::NspawnRuntime(Options options) : m_options(std::move(options))
{
    m_options.nspawnPath = findProgram(m_options.nspawnPath, QStringLiteral("systemd-nspawn"));
    m_options.nsenterPath = findProgram(m_options.nsenterPath, QStringLiteral("nsenter"));
    m_options.systemdRunPath = findProgram(m_options.systemdRunPath, QStringLiteral("systemd-run"));
}

QStringList NspawnRuntime::defaultReadOnlyBinds()
{
    QStringList binds;
    for (const QString &path : {QStringLiteral("/etc/alternatives"), QStringLiteral("/etc/ssl/certs")}) {
        if (QFileInfo(path).isDir())
            binds.append(path);
    }
    const QDir etc(QStringLiteral("/etc"));
    const QStringList linkedFromUsr = {QStringLiteral("java-*"), QStringLiteral("python3*")};
    for (const QString &name : etc.entryList(linkedFromUsr, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        binds.append(etc.filePath(name));
    return binds;
}

bool NspawnRuntime::systemdIsInit()
{
    return QFileInfo(QStringLiteral("/run/systemd/system")).isDir(); // sd_booted()'s test
}

QStringList NspawnRuntime::commandLine(const ContainerSpec &spec, bool systemdScope) const
{
    QStringList args;
    if (systemdScope) {
        // systemd-run --scope execs nspawn in place, so the pid start() records is nspawn's.
        args << m_options.systemdRunPath << QStringLiteral("--scope") << QStringLiteral("--quiet")
             << QStringLiteral("--collect") << QStringLiteral("--unit=hive-agent-") + spec.agent
             << QStringLiteral("--property=Delegate=yes") << QStringLiteral("--property=MemoryMax=") + spec.memoryMax
             << QStringLiteral("--property=CPUQuota=") + spec.cpuQuota << QStringLiteral("--");
    }
    // With an image the root is the agent's overlay, its files already owned by the uid range (see layerMounts()).
    const bool image = !spec.imageDir.isEmpty();
    args << m_options.nspawnPath << QStringLiteral("--quiet") << QStringLiteral("--register=no")
         << QStringLiteral("--keep-unit") << QStringLiteral("--console=pipe")
         << QStringLiteral("--directory=") + (image ? spec.rootDir + QStringLiteral("/merged") : spec.rootDir)
         << QStringLiteral("--machine=hive-") + spec.agent << QStringLiteral("--hostname=") + spec.agent
         << QStringLiteral("--private-users=%1:%2").arg(spec.uidBase).arg(spec.uidCount)
         << (image ? QStringLiteral("--private-users-ownership=off")
                   : QStringLiteral("--private-users-ownership=chown"));
    if (!image) {
        args << QStringLiteral("--bind-ro=/usr:/usr:idmap");
        for (const QString &path : m_options.readOnlyBinds)
            args << QStringLiteral("--bind-ro=%1:%1").arg(bindPath(path));
    }
    args << QStringLiteral("--bind=%1:/state").arg(bindPath(spec.stateDir));
    if (!spec.socketDir.isEmpty())
        args << QStringLiteral("--bind=%1:/run/hive").arg(bindPath(spec.socketDir));
    if (!spec.credentialsDir.isEmpty())
        args << QStringLiteral("--bind=%1:/root/.claude").arg(bindPath(spec.credentialsDir));
    if (image && !spec.harnessPath.isEmpty() && !harnessWrapper(spec.harnessPath).isEmpty()) {
        args << QStringLiteral("--bind-ro=/usr:%1:idmap").arg(QLatin1String(HostUsrInside))
             << QStringLiteral("--bind-ro=%1:%2").arg(bindPath(spec.harnessPath), QLatin1String(HarnessBinaryInside));
    } else if (!spec.harnessPath.isEmpty()) {
        args << QStringLiteral("--bind-ro=%1:%2").arg(bindPath(spec.harnessPath), QLatin1String(HarnessInside));
    }
    for (const ContainerBind &bind : spec.extraBinds) {
        args << QStringLiteral("--bind%1=%2:%3%4")
                    .arg(bind.readOnly ? QStringLiteral("-ro") : QString(), bindPath(bind.source),
                         bindPath(bind.target),
                         // norbind: the source may hold the container's own root (the manager's
                         // agents/manager/root), a mount an idmapped bind cannot carry along.
                         bind.idmap ? QStringLiteral(":norbind,idmap") : QStringLiteral(":norbind"));
    }
    if (spec.privateNetwork)
        args << QStringLiteral("--private-network");
    args << QStringLiteral("--kill-signal=SIGTERM") << QStringLiteral("--as-pid2") << QStringLiteral("--")
         << spec.command;
    return args;
}

QString NspawnRuntime::name() const
{
    return QStringLiteral("nspawn");
}

Result<void> NspawnRuntime::available() const
{
    if (const uid_t euid = ::geteuid(); euid != 0) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the nspawn backend needs the engine to run as root (it runs as uid %1)").arg(euid));
    }
    if (m_options.nspawnPath.isEmpty() || !QFileInfo(m_options.nspawnPath).isExecutable()) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("systemd-nspawn not found: install the systemd-container package"));
    }
    QFile userNamespaces(QStringLiteral("/proc/sys/user/max_user_namespaces"));
    if (!userNamespaces.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the kernel has no user namespaces (no %1)").arg(userNamespaces.fileName()));
    if (userNamespaces.readAll().trimmed().toLongLong() <= 0) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("user namespaces are disabled (%1 is 0)").arg(userNamespaces.fileName()));
    }
    if (m_nspawnVersion < 0) { // asked once: the engine checks before every start
        QProcess version;
        version.start(m_options.nspawnPath, {QStringLiteral("--version")});
        version.waitForFinished(5000);
        static const QRegularExpression number(QStringLiteral("^systemd (\\d+)"));
        const auto match = number.match(QString::fromUtf8(version.readAllStandardOutput()));
        m_nspawnVersion = match.hasMatch() ? match.captured(1).toInt() : 0;
    }
    if (m_nspawnVersion > 0 && m_nspawnVersion < 250) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("systemd-nspawn is version %1; idmapped binds need systemd 250 or newer")
                        .arg(m_nspawnVersion));
    }
    return {};
}

Result<void> NspawnRuntime::prepare(const ContainerSpec &spec)
{
    if (auto valid = checkSpec(spec); !valid)
        return valid;
    const uid_t id = spec.uidBase;
    struct AgentDir {
        QString path;
        mode_t mode;
        bool whole;
    };
    const AgentDir agentDirs[] = {
        {spec.stateDir, 0700, true}, {spec.credentialsDir, 0700, true}, {spec.socketDir, 0750, false}};
    for (const auto &[path, mode, whole] : agentDirs) {
        if (path.isEmpty())
            continue;
        auto dir = openDir(path, mode);
        if (!dir)
            return fail(dir.error());
        if (!whole) {
            // Only the directory and the engine's socket in it: the rest is the container's own.
            if (::fchown(dir->get(), id, id) != 0 ||
                (::fchownat(dir->get(), "agent.sock", id, id, AT_SYMLINK_NOFOLLOW) != 0 && errno != ENOENT))
                return ioFailure("chown", path);
        } else if (auto owned = chownTree(dir->get(), path, id); !owned) {
            return owned;
        }
    }
    auto root = openDir(spec.rootDir, 0755);
    if (!root)
        return fail(root.error());
    // A tree of the other kind is not converted in place: agent_update removes it, and the next start builds anew.
    const char *otherKind = spec.imageDir.isEmpty() ? "upper" : "usr";
    if (struct stat other = {}; ::fstatat(root->get(), otherKind, &other, AT_SYMLINK_NOFOLLOW) == 0) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("the root tree %1 was made for containers.root = \"%2\"; agent_update rebuilds it")
                        .arg(spec.rootDir, spec.imageDir.isEmpty() ? QStringLiteral("image") : QStringLiteral("host")));
    }
    if (!spec.imageDir.isEmpty())
        return writeLayer(spec, root->get());
    if (auto written = writeTree(spec, root->get()); !written)
        return written;
    // The tree is small (its /usr is the host's, bound in), so it is handed over here rather than by nspawn's
    // --private-users-ownership=chown, which skips the walk when the top already has the right owner and so would
    // miss files written here since the last start.
    return chownTree(root->get(), spec.rootDir, id);
}

Result<void> NspawnRuntime::writeLayer(const ContainerSpec &spec, int rootFd) const
{
    const QString &rootPath = spec.rootDir;
    const uid_t id = spec.uidBase;
    // upper/ is the agent's (container root owns it, so it shows as root's inside); work/ is overlayfs's own, and
    // lower/ and merged/ stay empty on the host (the mounts live in the container's namespace only).
    const QList<std::tuple<const char *, mode_t, bool>> dirs = {
        {"upper", 0755, true}, {"work", 0700, false}, {"lower", 0755, false}, {"merged", 0755, false}};
    for (const auto &[name, mode, owned] : dirs) {
        if (auto dir =
                openDirAt(rootFd, rootPath, QLatin1String(name), mode, owned ? std::optional<uid_t>(id) : std::nullopt);
            !dir)
            return fail(dir.error());
    }
    auto upper = openDirAt(rootFd, rootPath, QStringLiteral("upper"), 0755, id);
    if (!upper)
        return fail(upper.error());
    const QString upperPath = rootPath + QStringLiteral("/upper");
    // Written into the layer while no overlay uses it (prepare() runs before start()). Only what is created here is
    // handed over: the rest of the layer is the agent's, with whatever owners it gave its files.
    const QList<std::pair<QString, mode_t>> mountPoints = {{QStringLiteral("etc"), 0755},
                                                           {QStringLiteral("state"), 0700},
                                                           {QStringLiteral("root"), 0700},
                                                           {QStringLiteral("root/.claude"), 0700},
                                                           {QStringLiteral("opt/hive/bin"), 0755}};
    for (const auto &[relative, mode] : mountPoints) {
        if (auto dir = openDirAt(upper->get(), upperPath, relative, mode, id); !dir)
            return fail(dir.error());
    }
    if (!spec.harnessPath.isEmpty()) {
        const QByteArray wrapper = harnessWrapper(spec.harnessPath);
        auto bin = openDirAt(upper->get(), upperPath, QStringLiteral("opt/hive/bin"), 0755, id);
        if (!bin)
            return fail(bin.error());
        if (!wrapper.isEmpty()) {
            if (auto written = writeFileAt(bin->get(), upperPath + QStringLiteral("/opt/hive/bin"),
                                           QStringLiteral("hive-harness"), wrapper, 0755, id);
                !written)
                return written;
            if (auto usr = openDirAt(upper->get(), upperPath, QLatin1String(HostUsrInside).mid(1), 0755, id); !usr)
                return fail(usr.error());
        }
        const QString mountPoint =
            wrapper.isEmpty() ? QLatin1String(HarnessInside) : QLatin1String(HarnessBinaryInside);
        auto dir = openDirAt(upper->get(), upperPath, QFileInfo(mountPoint).path().mid(1), 0755, id);
        if (!dir)
            return fail(dir.error());
        const QByteArray name = QFile::encodeName(QFileInfo(mountPoint).fileName());
        const UniqueFd file(::openat(dir->get(), name.constData(), O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0755));
        if (!file.valid() || ::fchown(file.get(), id, id) != 0)
            return ioFailure("create", upperPath + mountPoint);
    }
    auto etc = openDirAt(upper->get(), upperPath, QStringLiteral("etc"), 0755, id);
    if (!etc)
        return fail(etc.error());
    // The image's passwd, group and os-release stay; the agent's name and git identity are its own.
    const QByteArray name = spec.agent.toUtf8();
    const QList<std::pair<const char *, QByteArray>> files = {
        {"hostname", name + '\n'},
        {"hosts", "127.0.0.1\tlocalhost\n127.0.1.1\t" + name + "\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
        {"gitconfig", gitConfig(spec)}};
    for (const auto &[file, content] : files) {
        if (auto written =
                writeFileAt(etc->get(), upperPath + QStringLiteral("/etc"), QLatin1String(file), content, 0644, id);
            !written)
            return written;
    }
    return {};
}

Result<void> NspawnRuntime::writeTree(const ContainerSpec &spec, int rootFd) const
{
    const QString &rootPath = spec.rootDir;
    const QList<std::pair<QString, mode_t>> dirs = {
        {QStringLiteral("usr"), 0755},  {QStringLiteral("etc"), 0755},          {QStringLiteral("proc"), 0755},
        {QStringLiteral("sys"), 0755},  {QStringLiteral("dev"), 0755},          {QStringLiteral("run"), 0755},
        {QStringLiteral("tmp"), 01777}, {QStringLiteral("var"), 0755},          {QStringLiteral("var/tmp"), 01777},
        {QStringLiteral("root"), 0700}, {QStringLiteral("root/.claude"), 0700}, {QStringLiteral("state"), 0700},
        {QStringLiteral("opt"), 0755},  {QStringLiteral("opt/hive"), 0755},     {QStringLiteral("opt/hive/bin"), 0755}};
    for (const auto &[relative, mode] : dirs) {
        if (auto dir = openDirAt(rootFd, rootPath, relative, mode); !dir)
            return fail(dir.error());
    }
    // Mount points of the read-only and extra binds (nspawn would make them owned by host root, i.e. nobody inside).
    QStringList mountPoints = m_options.readOnlyBinds;
    for (const ContainerBind &bind : spec.extraBinds)
        mountPoints << bind.target;
    for (const QString &path : std::as_const(mountPoints)) {
        if (auto dir = openDirAt(rootFd, rootPath, QDir::cleanPath(path).mid(1), 0755); !dir)
            return fail(dir.error());
    }
    QStringList links = {QStringLiteral("bin"), QStringLiteral("sbin"), QStringLiteral("lib"), QStringLiteral("lib64")};
    for (const QString &multilib : {QStringLiteral("lib32"), QStringLiteral("libx32")}) {
        if (QFileInfo(QStringLiteral("/usr/") + multilib).isDir())
            links.append(multilib);
    }
    for (const QString &link : std::as_const(links)) {
        if (auto made = linkAt(rootFd, rootPath, link, QStringLiteral("usr/") + link); !made)
            return made;
    }
    if (!spec.harnessPath.isEmpty()) { // the mount point of the harness binary
        auto bin = openDirAt(rootFd, rootPath, QStringLiteral("opt/hive/bin"), 0755);
        if (!bin)
            return fail(bin.error());
        if (!UniqueFd(::openat(bin->get(), "hive-harness", O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0755)).valid())
            return ioFailure("create", rootPath + QStringLiteral("/opt/hive/bin/hive-harness"));
    }

    auto etc = openDirAt(rootFd, rootPath, QStringLiteral("etc"), 0755);
    if (!etc)
        return fail(etc.error());
    const QString etcPath = rootPath + QStringLiteral("/etc");
    QFile osRelease(QStringLiteral("/etc/os-release"));
    if (!osRelease.open(QIODevice::ReadOnly)) {
        osRelease.setFileName(QStringLiteral("/usr/lib/os-release"));
        if (!osRelease.open(QIODevice::ReadOnly))
            return fail(ErrorCode::Unavailable, QStringLiteral("the host has neither /etc/os-release nor "
                                                               "/usr/lib/os-release, which systemd-nspawn requires"));
    }
    const QByteArray name = spec.agent.toUtf8();
    const QList<std::pair<const char *, QByteArray>> files = {
        {"os-release", osRelease.readAll()},
        {"passwd", "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"},
        {"group", "root:x:0:\nnogroup:x:65534:\n"},
        {"hostname", name + '\n'},
        {"hosts", "127.0.0.1\tlocalhost\n127.0.1.1\t" + name + "\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
        {"gitconfig", gitConfig(spec)}};
    for (const auto &[file, content] : files) {
        if (auto written = writeFileAt(etc->get(), etcPath, QLatin1String(file), content, 0644); !written)
            return written;
    }
    // Copies of host files that programs read at run time (the loader's cache finds libraries in extra dirs).
    for (const char *file :
         {"nsswitch.conf", "resolv.conf", "ld.so.cache", "protocols", "services", "ssl/openssl.cnf"}) {
        QFile host(QStringLiteral("/etc/") + QLatin1String(file));
        if (!host.open(QIODevice::ReadOnly))
            continue;
        const QFileInfo relative{QLatin1String(file)};
        auto dir = openDirAt(etc->get(), etcPath, relative.path(), 0755); // "." for most
        if (!dir)
            return fail(dir.error());
        if (auto written = writeFileAt(dir->get(), etcPath, relative.fileName(), host.readAll(), 0644); !written)
            return written;
    }
    return {};
}

Result<ContainerProcess> NspawnRuntime::start(const ContainerSpec &spec)
{
    if (auto valid = checkSpec(spec); !valid)
        return fail(valid.error());
    if (spec.command.isEmpty() || spec.logPath.isEmpty()) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("container of agent '%1': no command or no log path").arg(spec.agent));
    }
    if (m_options.nspawnPath.isEmpty())
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("systemd-nspawn not found: install the systemd-container package"));
    if (!spec.imageDir.isEmpty() && !BaseImage::exists(spec.imageDir)) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("container of agent '%1': the base image %2 is missing (hive-engine --build-image "
                                   "builds it)")
                        .arg(spec.agent, spec.imageDir));
    }
    killLeftovers(spec.rootDir, spec.uidBase);
    std::optional<LayerMounts> mounts;
    if (!spec.imageDir.isEmpty()) {
        auto made = layerMounts(spec);
        if (!made)
            return fail(made.error().wrapped(QStringLiteral("container of agent '%1'").arg(spec.agent)));
        mounts = std::move(*made);
    }
    const bool scope = systemdIsInit() && !m_options.systemdRunPath.isEmpty();
    if (!scope && !m_toldLimitsUnenforced) {
        qCInfo(lcContainers) << "systemd is not PID 1 here: containers run without memory and CPU limits";
        m_toldLimitsUnenforced = true;
    }
    const UniqueFd log(::open(QFile::encodeName(spec.logPath).constData(),
                              O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640));
    if (!log.valid())
        return ioFailure("open the container log", spec.logPath);
    const qint64 logStart = ::lseek(log.get(), 0, SEEK_END);
    const QByteArray header = "-- hive: starting hive-" + spec.agent.toUtf8() + " at " +
                              QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() + '\n';
    if (!writeAll(log.get(), header))
        return ioFailure("write the container log", spec.logPath);

    auto pid = spawnDetached(commandLine(spec, scope), log.get(), mounts ? &*mounts : nullptr);
    if (!pid)
        return fail(pid.error().wrapped(QStringLiteral("container of agent '%1'").arg(spec.agent)));
    const auto stat = ProcFs::readStat(*pid);
    const ContainerProcess process{*pid, stat ? stat->startTime : 0};
    qCDebug(lcContainers).noquote() << QStringLiteral("started hive-") + spec.agent << "as pid" << process.pid;

    QElapsedTimer waited;
    waited.start();
    for (;;) {
        if (!stat || !isRunning(process)) {
            return fail(ErrorCode::Unavailable,
                        QStringLiteral("the container of agent '%1' stopped before its command ran; the end of %2:\n%3")
                            .arg(spec.agent, spec.logPath, logTail(spec.logPath, logStart)));
        }
        if (const auto tree = containerTree(process); tree.main && hasExeced(tree.main->pid, process.pid))
            return process;
        if (waited.hasExpired(m_options.startTimeoutMs)) {
            if (auto killed = kill(process); !killed)
                qCWarning(lcContainers).noquote() << killed.error().message;
            return fail(ErrorCode::Unavailable,
                        QStringLiteral("the container of agent '%1' did not start within %2 ms; the end of %3:\n%4")
                            .arg(spec.agent)
                            .arg(m_options.startTimeoutMs)
                            .arg(spec.logPath, logTail(spec.logPath, logStart)));
        }
        QThread::msleep(PollMs);
    }
}

bool NspawnRuntime::isRunning(const ContainerProcess &process) const
{
    return ProcFs::isLive(process.pid, process.startTime);
}

std::optional<qint64> NspawnRuntime::mainPid(const ContainerProcess &process) const
{
    if (!isRunning(process))
        return std::nullopt;
    const auto tree = containerTree(process);
    return tree.main ? std::optional<qint64>(tree.main->pid) : std::nullopt;
}

Result<void> NspawnRuntime::terminate(const ContainerProcess &process)
{
    if (!isRunning(process))
        return {};
    // nspawn's stub init neither stops on SIGTERM nor passes it on, so the main process gets it directly.
    const auto tree = containerTree(process);
    if (tree.main && ProcFs::signalExact(tree.main->pid, tree.main->startTime, SIGTERM))
        return {};
    if (ProcFs::signalExact(process.pid, process.startTime, SIGTERM) || !isRunning(process))
        return {};
    return fail(ErrorCode::Internal,
                QStringLiteral("cannot send SIGTERM to container process %1: %2").arg(process.pid).arg(errnoText()));
}

Result<void> NspawnRuntime::kill(const ContainerProcess &process)
{
    if (!isRunning(process))
        return {};
    const auto tree = containerTree(process);
    ProcFs::signalExact(process.pid, process.startTime, SIGKILL);
    // nspawn's death does not end the container (see killLeftovers()), so its stub init is killed too: with PID 1 of
    // the PID namespace goes every process inside.
    for (const ProcStat &stub : tree.stubs)
        ProcFs::signalExact(stub.pid, stub.startTime, SIGKILL);
    if (!ProcFs::waitUntilGone(tree.stubs + QList<ProcStat>{ProcStat{process.pid, {}, '?', 0, 0, process.startTime}},
                               KillWaitMs))
        return fail(ErrorCode::Internal,
                    QStringLiteral("container process %1 is still there after SIGKILL").arg(process.pid));
    return {};
}

int NspawnRuntime::exitNotifier(const ContainerProcess &process) const
{
    UniqueFd fd = ProcFs::exactPidfd(process.pid, process.startTime);
    return fd.valid() ? fd.release() : -1;
}

QList<qint64> NspawnRuntime::uidsInUse() const
{
    return ProcFs::liveUids();
}

Result<QStringList> NspawnRuntime::shellCommand(const ContainerProcess &process) const
{
    if (m_options.nsenterPath.isEmpty())
        return fail(ErrorCode::Unavailable, QStringLiteral("nsenter is not installed (Debian package util-linux)"));
    const std::optional<qint64> main = mainPid(process);
    if (!main)
        return fail(ErrorCode::Unavailable, QStringLiteral("the container has no main process to enter"));
    // /usr inside is the host's /usr, so what exists here exists there.
    const bool haveBash = QFileInfo(QStringLiteral("/usr/bin/bash")).isExecutable();
    return QStringList{m_options.nsenterPath,
                       QStringLiteral("--target"),
                       QString::number(*main),
                       QStringLiteral("--all"),
                       QStringLiteral("--root"),
                       QStringLiteral("--wd"),
                       QStringLiteral("--"),
                       haveBash ? QStringLiteral("/bin/bash") : QStringLiteral("/bin/sh"),
                       haveBash ? QStringLiteral("--login") : QStringLiteral("-l")};
}

} // namespace hive::engine
