// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace hive::test {

/// Absolute path of a program built by this tree (hive-engine, hivectl, ...).
[[nodiscard]] QString binaryPath(const QString &name);

/// Absolute path of a file in the source tree.
[[nodiscard]] QString sourcePath(const QString &relative);

/// The whole file, or empty when it cannot be read.
[[nodiscard]] QByteArray readFile(const QString &path);

/// Replaces the file's content; false when it could not be written completely.
[[nodiscard]] bool writeFile(const QString &path, const QByteArray &data);

} // namespace hive::test
