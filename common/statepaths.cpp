// SPDX-License-Identifier: MIT
#include "statepaths.h"

#include <QDir>
#include <QStandardPaths>

#include <unistd.h>

namespace hive::paths {

QString defaultStateDir()
{
    if (::geteuid() == 0)
        return QStringLiteral("/var/lib/hyperhive");
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/hyperhive");
}

QString adminSocket(const QString &stateDir)
{
    return QDir(stateDir).filePath(QStringLiteral("run/admin.sock"));
}

QString tlsCertificate(const QString &stateDir)
{
    return QDir(stateDir).filePath(QStringLiteral("tls/engine.crt"));
}

} // namespace hive::paths
