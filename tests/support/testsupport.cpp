// SPDX-License-Identifier: MIT
#include "testsupport.h"

#include <QDir>

namespace hive::test {

QString binaryPath(const QString &name)
{
    return QDir(qEnvironmentVariable("HIVE_BIN_DIR")).absoluteFilePath(name);
}

QString sourcePath(const QString &relative)
{
    return QDir(qEnvironmentVariable("HIVE_SOURCE_DIR")).absoluteFilePath(relative);
}

} // namespace hive::test
