// SPDX-License-Identifier: MIT
#include "harnessapplication.h"

#include "idlesession.h"
#include "protocol/version.h"
#include "signalwatcher.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

namespace hive::harness {

namespace {

constexpr char Usage[] = "usage: hive-harness idle [--socket PATH] | --version | --help\n"
                         "Runs inside an agent container.\n"
                         "  idle   connect to the engine on the agent socket (default /run/hive/agent.sock), say\n"
                         "         who we are, and stay connected until SIGTERM; runs no agent CLI and reads no\n"
                         "         messages. The container's main process until the turn loop (serve) and the\n"
                         "         MCP server (mcp) are part of this build.\n";

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
    if (!args.isEmpty() && args.first() == QLatin1String("idle")) {
        QString socket = QStringLiteral("/run/hive/agent.sock");
        if (args.size() == 3 && args.at(1) == QLatin1String("--socket"))
            socket = args.at(2);
        else if (args.size() != 1) {
            std::fprintf(stderr, "hive-harness: idle takes only --socket PATH\n%s", Usage);
            return 2;
        }
        SignalWatcher watcher(SignalWatcher::Hangup::Default);
        QObject::connect(&watcher, &SignalWatcher::terminateRequested, qApp, [](int) { QCoreApplication::exit(0); });
        IdleSession session(socket);
        // Started from inside exec(): its first connect waits in nested event loops, and a SIGTERM
        // that arrives then must end the program (QCoreApplication::exit() before exec() is lost).
        QTimer::singleShot(0, &session, &IdleSession::start);
        return QCoreApplication::exec();
    }
    std::fprintf(stderr, "hive-harness: %s\n%s",
                 args.isEmpty() ? "a subcommand is required"
                                : qPrintable(QStringLiteral("unknown arguments '%1'").arg(args.join(QLatin1Char(' ')))),
                 Usage);
    return 2;
}

} // namespace hive::harness
