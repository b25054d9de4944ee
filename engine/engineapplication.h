// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace hive::engine {

/// The hive-engine program: command line, configuration, logging, signals and systemd
/// notification around an Engine. Exit codes: 0 clean stop, 1 failure while starting or
/// running, 2 bad command line or configuration.
class EngineApplication
{
public:
    /// Runs until SIGTERM/SIGINT (or at once for --check-config and --print-fingerprint).
    /// Needs a QCoreApplication.
    [[nodiscard]] static int run(const QStringList &arguments);
};

} // namespace hive::engine
