// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace hive::test {

/// Absolute path of a program built by this tree (hive-engine, hivectl, ...).
[[nodiscard]] QString binaryPath(const QString &name);

/// Absolute path of a file in the source tree.
[[nodiscard]] QString sourcePath(const QString &relative);

} // namespace hive::test
