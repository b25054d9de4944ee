// SPDX-License-Identifier: MIT
// hive-console: the operator's desktop console. All logic lives in the console libraries.
#include "consoleapplication.h"

#include <QApplication>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("hive-console"));
    QApplication::setOrganizationName(QStringLiteral("hyperhive"));
    QApplication::setApplicationVersion(QStringLiteral(HIVE_VERSION));
    return hive::console::ConsoleApplication::run(QApplication::arguments());
}
