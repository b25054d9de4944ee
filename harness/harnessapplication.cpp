// SPDX-License-Identifier: MIT
#include "harnessapplication.h"

#include "protocol/version.h"

#include <cstdio>

namespace hive::harness {

namespace {

constexpr char Usage[] = "usage: hive-harness --version | --help\n"
                         "Runs inside an agent container. Its subcommands (serve: the agent turn loop; mcp: the MCP\n"
                         "tool server the agent CLI spawns) are not part of this build yet.\n";

} // namespace

int HarnessApplication::run(const QStringList &arguments)
{
    const QStringList args = arguments.mid(1);
    if (args == QStringList{QStringLiteral("--version")}) {
        std::printf("hive-harness %s (protocol %s)\n", HIVE_VERSION, protocol::Version);
        return 0;
    }
    if (args == QStringList{QStringLiteral("--help")} || args == QStringList{QStringLiteral("-h")}) {
        std::fputs(Usage, stdout);
        return 0;
    }
    std::fprintf(stderr, "hive-harness: %s\n%s",
                 args.isEmpty() ? "a subcommand is required"
                                : qPrintable(QStringLiteral("unknown arguments '%1'").arg(args.join(QLatin1Char(' ')))),
                 Usage);
    return 2;
}

} // namespace hive::harness
