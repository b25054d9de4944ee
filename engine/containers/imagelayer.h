// SPDX-License-Identifier: MIT
#pragma once

#include "containerruntime.h"
#include "result.h"
#include "uniquefd.h"

#include <QByteArray>
#include <QString>

/// The `containers.root = "image"` mode of NspawnRuntime: the agent's writable layer over the
/// shared, idmapped debootstrap image, and the host's hive-harness run inside it.
namespace hive::engine {

/// Where the host's hive-harness and the host's /usr (its loader and libraries) appear inside.
inline constexpr char HarnessInside[] = "/opt/hive/bin/hive-harness";
inline constexpr char HarnessBinaryInside[] = "/opt/hive/libexec/hive-harness";
inline constexpr char HostUsrInside[] = "/opt/hive/host/usr";

/// The program interpreter (PT_INTERP) of a 64-bit little-endian ELF executable; empty for
/// anything else (a script, a static binary).
[[nodiscard]] QString elfInterpreter(const QString &path);
/// "/usr/x" as the host's /usr appears inside an image container.
[[nodiscard]] QString hostUsrInside(const QString &hostPath);
/// The script that runs a dynamic host harness with the host's loader and libraries; empty when
/// the harness can be bound as it is (see imagelayer.cpp).
[[nodiscard]] QByteArray harnessWrapper(const QString &harnessPath);
/// A user namespace that maps 0..count-1 to base..base+count-1 (for the idmapped mount).
[[nodiscard]] Result<UniqueFd> mappedUserNamespace(quint32 base, quint32 count);

/// The agent's layer over the image, mounted by the detached child in a mount namespace of its
/// own right before it runs nspawn: the mounts exist as long as the container, and never in the
/// engine's (or the host's) namespace.
struct LayerMounts {
    UniqueFd image;    ///< the image, a detached read-only mount idmapped to the agent's uid range
    QByteArray lower;  ///< where it is attached (rootDir/lower)
    QByteArray merged; ///< the overlay's mount point (rootDir/merged), nspawn's --directory
    QByteArray options;
};
[[nodiscard]] Result<LayerMounts> layerMounts(const ContainerSpec &spec);
/// What mountLayer()'s step number was doing, for messages.
[[nodiscard]] const char *mountStepName(int step);
/// In the detached child (async-signal-safe calls only): 0, or the step that failed with errno set.
[[nodiscard]] int mountLayer(const LayerMounts &mounts);

} // namespace hive::engine
