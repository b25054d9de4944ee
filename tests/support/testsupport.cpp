// SPDX-License-Identifier: MIT
#include "testsupport.h"

#include <QDir>
#include <QFile>

namespace hive::test {

QString binaryPath(const QString &name)
{
    return QDir(qEnvironmentVariable("HIVE_BIN_DIR")).absoluteFilePath(name);
}

QString sourcePath(const QString &relative)
{
    return QDir(qEnvironmentVariable("HIVE_SOURCE_DIR")).absoluteFilePath(relative);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

} // namespace hive::test
