// SPDX-License-Identifier: MIT
// hivectl: the hyperhive command-line client. All logic lives in hive_ctl (HivectlApplication).
#include "hivectlapplication.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hivectl"));
    QCoreApplication::setOrganizationName(QStringLiteral("hyperhive"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HIVE_VERSION));
    return hive::ctl::HivectlApplication::run(QCoreApplication::arguments());
}
