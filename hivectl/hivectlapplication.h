// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace hive::ctl {

/// The hivectl program: parses the command line, connects to the engine and runs one command.
/// Exit codes (see ExitCode and --help): 0 success, 1 the engine refused or a check failed,
/// 2 usage errors and local problems.
class HivectlApplication
{
public:
    /// Needs a QCoreApplication; `arguments` as QCoreApplication::arguments() gives them.
    [[nodiscard]] static int run(const QStringList &arguments);
};

} // namespace hive::ctl
