// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace hive::engine {

/// A host directory bound into a container besides the standard ones. With `idmap` the files
/// keep their host owners mapped into the container's range (host root is root inside), so
/// that what the engine writes as root stays writable by the container's root and is still
/// the engine's on the host.
struct ContainerBind {
    QString source; ///< on the host
    QString target; ///< inside, absolute
    bool readOnly = false;
    bool idmap = true;

    friend bool operator==(const ContainerBind &, const ContainerBind &) = default;
};

/// Everything a runtime needs to run one agent's container. The engine owns the directories (it
/// creates them under its state dir); the runtime prepares the root tree and starts the machine.
struct ContainerSpec {
    QString agent;          ///< the agent's name; the machine is called `hive-<agent>`
    QString rootDir;        ///< the per-agent root tree (`agents/<n>/root`), built by prepare(); with an image,
                            ///< the agent's layer over it (upper/, work/) and the mount points (lower/, merged/)
    QString imageDir;       ///< empty: the host's /usr (containers.root = "host"); else the base image, read-only
    QString stateDir;       ///< bound read-write at /state
    QString socketDir;      ///< the agent's socket dir, bound read-write at /run/hive
    QString credentialsDir; ///< bound read-write at /root/.claude
    QString harnessPath;    ///< the host's hive-harness binary, bound read-only at /opt/hive/bin/hive-harness
    QString logPath;        ///< the container's stdout and stderr (appended)
    QStringList command;    ///< what runs inside as the main process (PID 2, under nspawn's stub init)
    quint32 uidBase = 0;    ///< container uid/gid 0 is this host uid/gid; the range is `uidCount` long
    quint32 uidCount = 65536;
    bool privateNetwork = false;               ///< network "none": a private network namespace with only loopback
    QString memoryMax = QStringLiteral("4G");  ///< systemd's MemoryMax (enforced where systemd runs)
    QString cpuQuota = QStringLiteral("200%"); ///< systemd's CPUQuota (enforced where systemd runs)
    QList<ContainerBind> extraBinds;           ///< the manager's /agents and /applied
    QString gitName;                           ///< the identity every user inside commits with (/etc/gitconfig)
    QString gitEmail;
};

/// A running container as the engine records it: the runtime's top process (systemd-nspawn),
/// with its start time from /proc so that a recycled pid is never taken for it.
struct ContainerProcess {
    qint64 pid = 0;
    quint64 startTime = 0; ///< field 22 of /proc/<pid>/stat (clock ticks since boot)

    friend bool operator==(const ContainerProcess &, const ContainerProcess &) = default;
};

/// Runs agents' containers. The engine drives it from one serialised queue (AgentLifecycle), on
/// the main thread; calls may block for a short while (building a tree, starting a process) but
/// never for a container's whole life: started containers run detached from the engine, so an
/// engine restart leaves them running and reconciles with them on start.
class ContainerRuntime
{
public:
    virtual ~ContainerRuntime() = default;

    /// The backend's name for messages and agent_list ("nspawn").
    [[nodiscard]] virtual QString name() const = 0;
    /// Whether containers can run here; the error says exactly what is missing (root, the
    /// systemd-nspawn binary, user namespaces, ...).
    [[nodiscard]] virtual Result<void> available() const = 0;
    /// Builds or refreshes the root tree and hands the agent's dirs to its uid range. Idempotent;
    /// safe to call before every start.
    [[nodiscard]] virtual Result<void> prepare(const ContainerSpec &spec) = 0;
    /// Starts the container detached from the engine and returns its top process once the main
    /// process inside runs (or an error with the end of the container's log).
    [[nodiscard]] virtual Result<ContainerProcess> start(const ContainerSpec &spec) = 0;
    /// True while `process` is the same live process that start() returned.
    [[nodiscard]] virtual bool isRunning(const ContainerProcess &process) const = 0;
    /// The host pid of the main process inside (for nsenter), if it runs.
    [[nodiscard]] virtual std::optional<qint64> mainPid(const ContainerProcess &process) const = 0;
    /// Asks the main process to stop (SIGTERM); the caller waits for isRunning() to turn false and
    /// calls kill() after its grace period.
    [[nodiscard]] virtual Result<void> terminate(const ContainerProcess &process) = 0;
    /// Stops the container at once.
    [[nodiscard]] virtual Result<void> kill(const ContainerProcess &process) = 0;
    /// A file descriptor that becomes readable when `process` exits (a pidfd), or -1 when the
    /// platform has none; the caller polls isRunning() as well. The caller closes it.
    [[nodiscard]] virtual int exitNotifier(const ContainerProcess &process) const = 0;
    /// The command (program first, an absolute path) that runs a login shell as root inside the
    /// running container, on whatever terminal it is started on.
    [[nodiscard]] virtual Result<QStringList> shellCommand(const ContainerProcess &process) const = 0;
    /// The uids that processes on this host run as, sorted: a uid range holding one is in use by
    /// someone (another engine's container, say) and is not handed out.
    [[nodiscard]] virtual QList<qint64> uidsInUse() const = 0;
};

} // namespace hive::engine
