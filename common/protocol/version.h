// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace hive::protocol {

/// The API protocol version (semver). Major changes break clients; minor ones add methods,
/// fields or events that old clients may ignore. docs/protocol.md keeps the changelog.
inline constexpr int VersionMajor = 1;
inline constexpr int VersionMinor = 6;
inline constexpr int VersionPatch = 0;
inline constexpr char Version[] = "1.6.0";

/// Feature flags announced by hello. Flags are added, never renamed or reused.
[[nodiscard]] QStringList features();

/// The major part of a semver string, or -1 when it is not `MAJOR.MINOR.PATCH`.
[[nodiscard]] int majorOf(const QString &version);

/// Default TCP port of the engine's TLS WebSocket listener.
inline constexpr quint16 DefaultPort = 7443;

} // namespace hive::protocol
