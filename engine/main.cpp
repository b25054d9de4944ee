// SPDX-License-Identifier: MIT
// hive-engine: the headless hyperhive service. All logic lives in hive_engine (EngineApplication).
#include "engineapplication.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hive-engine"));
    QCoreApplication::setOrganizationName(QStringLiteral("hyperhive"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HIVE_VERSION));
    return hive::engine::EngineApplication::run(QCoreApplication::arguments());
}
