// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace hive::paths {

/// Where the engine keeps its state when nobody says otherwise: /var/lib/hyperhive as root,
/// else $XDG_DATA_HOME/hyperhive. hivectl uses the same rule to find the local engine.
[[nodiscard]] QString defaultStateDir();

/// The admin unix socket inside a state dir.
[[nodiscard]] QString adminSocket(const QString &stateDir);

/// The engine's TLS certificate inside a state dir.
[[nodiscard]] QString tlsCertificate(const QString &stateDir);

} // namespace hive::paths
