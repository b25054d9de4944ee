// SPDX-License-Identifier: MIT
#pragma once

#include "containers/containerruntime.h"

namespace hive::engine {

/// The real backend: each agent runs in an unprivileged systemd-nspawn container (a user namespace
/// mapping container root to `uidBase`), with the host's /usr bound read-only and idmapped, the
/// agent's dirs bound read-write, and a tiny root tree of its own (/etc made by prepare()). The
/// main command runs as PID 2 under nspawn's stub init. With a base image (ContainerSpec::imageDir) the root is
/// instead an overlay of the agent's own layer over the image, mounted idmapped in the container's mount namespace.
/// Where systemd is PID 1 the container runs in a transient scope that enforces the memory and CPU limits; elsewhere
/// the limits are not enforced. Needs root.
class NspawnRuntime final : public ContainerRuntime
{
public:
    struct Options {
        QString nspawnPath;     ///< empty: systemd-nspawn from PATH, else /usr/bin
        QString systemdRunPath; ///< empty: systemd-run from PATH, else /usr/bin
        QString nsenterPath;    ///< empty: nsenter from PATH, else /usr/bin
        /// Host directories bound read-only at the same place inside (the /etc pieces /usr links into).
        QStringList readOnlyBinds = defaultReadOnlyBinds();
        int startTimeoutMs = 10000;
    };

    NspawnRuntime();
    explicit NspawnRuntime(Options options);

    /// /etc/alternatives (Debian's /usr/bin links point into it), /etc/ssl/certs (TLS) and the
    /// Java and Python config dirs that /usr links into, where they exist on this host.
    [[nodiscard]] static QStringList defaultReadOnlyBinds();
    /// Whether systemd runs as PID 1 here (so that a transient scope can enforce limits).
    [[nodiscard]] static bool systemdIsInit();

    /// The whole command line start() runs, program first: systemd-nspawn, wrapped in
    /// `systemd-run --scope` when `systemdScope`.
    [[nodiscard]] QStringList commandLine(const ContainerSpec &spec, bool systemdScope) const;

    [[nodiscard]] QString name() const override;
    [[nodiscard]] Result<void> available() const override;
    [[nodiscard]] Result<void> prepare(const ContainerSpec &spec) override;
    [[nodiscard]] Result<ContainerProcess> start(const ContainerSpec &spec) override;
    [[nodiscard]] bool isRunning(const ContainerProcess &process) const override;
    [[nodiscard]] std::optional<qint64> mainPid(const ContainerProcess &process) const override;
    [[nodiscard]] Result<void> terminate(const ContainerProcess &process) override;
    [[nodiscard]] Result<void> kill(const ContainerProcess &process) override;
    [[nodiscard]] int exitNotifier(const ContainerProcess &process) const override;
    /// nsenter into every namespace of the main process (user namespace included, so uid 0
    /// inside), its root and working dir, then `bash --login` (or `sh -l` without bash).
    [[nodiscard]] Result<QStringList> shellCommand(const ContainerProcess &process) const override;
    /// Every live process's uid (ProcFs::liveUids()).
    [[nodiscard]] QList<qint64> uidsInUse() const override;

private:
    [[nodiscard]] Result<void> writeTree(const ContainerSpec &spec, int rootFd) const;
    [[nodiscard]] Result<void> writeLayer(const ContainerSpec &spec, int rootFd) const;

    Options m_options;
    bool m_toldLimitsUnenforced = false;
    mutable int m_nspawnVersion = -1; ///< from `systemd-nspawn --version`; 0 when unreadable
};

} // namespace hive::engine
