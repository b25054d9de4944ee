// SPDX-License-Identifier: MIT
// hive-bench-broker: hive-engine's broker against Redis Streams. All logic lives in hive_bench
// (BenchApplication); scripts/bench installs, builds and runs it.
#include "benchapplication.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hive-bench-broker"));
    QCoreApplication::setOrganizationName(QStringLiteral("hyperhive"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HIVE_VERSION));
    return hive::bench::BenchApplication::run(QCoreApplication::arguments());
}
