// SPDX-License-Identifier: MIT
#include "consoleapplication.h"

#include "protocol/version.h"

#include <cstdio>

namespace hive::console {

int ConsoleApplication::run(const QStringList &arguments)
{
    const QStringList args = arguments.mid(1);
    if (args == QStringList{QStringLiteral("--version")}) {
        std::printf("hive-console %s (protocol %s)\n", HIVE_VERSION, protocol::Version);
        return 0;
    }
    std::fputs("usage: hive-console --version\n"
               "The desktop console's windows are not part of this build yet; use hivectl to reach an engine.\n",
               args == QStringList{QStringLiteral("--help")} ? stdout : stderr);
    return args == QStringList{QStringLiteral("--help")} ? 0 : 2;
}

} // namespace hive::console
