// SPDX-License-Identifier: MIT
// hive-harness: runs inside each agent container. All logic lives in hive_harness.
#include "harnessapplication.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hive-harness"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HIVE_VERSION));
    return hive::harness::HarnessApplication::run(QCoreApplication::arguments());
}
