// SPDX-License-Identifier: MIT
#include "harnessapplication.h"

#include "idlesession.h"
#include "mcpserver.h"
#include "protocol/version.h"
#include "servesession.h"
#include "signalwatcher.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QTimer>

#include <csignal>
#include <cstdio>

namespace hive::harness {

namespace {

constexpr char Usage[] =
    "usage: hive-harness serve [--socket PATH] [--state DIR] [--run-dir DIR] [--self PATH]\n"
    "       hive-harness mcp [--socket PATH]\n"
    "       hive-harness idle [--socket PATH] | --version | --help\n"
    "Runs inside an agent container.\n"
    "  serve  the agent's turn loop: wait for a message on the agent socket (default\n"
    "         /run/hive/agent.sock), run one agent CLI turn for it in the state dir (default /state),\n"
    "         report the turn to the engine, repeat. --run-dir (default /run/hive-harness) holds the\n"
    "         CLI's generated MCP config, settings and system prompt; --self is the hive-harness the\n"
    "         CLI starts as its MCP server (default /opt/hive/bin/hive-harness when it exists, else\n"
    "         this program).\n"
    "  mcp    the MCP server (stdio) that the agent CLI starts: the hive tools (recv, send, ask,\n"
    "         ...; the manager's too for the manager), each forwarded to the agent socket. It ends\n"
    "         when stdin ends.\n"
    "  idle   connect to the engine and stay connected until SIGTERM; runs no agent CLI and reads\n"
    "         no messages.\n";

/// `--name VALUE` pairs after the subcommand; false (and a message) on anything else.
bool parseOptions(const QStringList &args, const QStringList &names, QHash<QString, QString> &values)
{
    for (qsizetype i = 1; i < args.size(); i += 2) {
        const QString &name = args.at(i);
        if (!names.contains(name) || i + 1 >= args.size() || args.at(i + 1).isEmpty()) {
            std::fprintf(stderr, "hive-harness: %s: %s\n%s", qPrintable(args.first()),
                         names.contains(name) ? qPrintable(QStringLiteral("%1 needs a value").arg(name))
                                              : qPrintable(QStringLiteral("unknown option '%1'").arg(name)),
                         Usage);
            return false;
        }
        values.insert(name, args.at(i + 1));
    }
    return true;
}

int serve(const QStringList &args)
{
    QHash<QString, QString> options;
    if (!parseOptions(args,
                      {QStringLiteral("--socket"), QStringLiteral("--state"), QStringLiteral("--run-dir"),
                       QStringLiteral("--self")},
                      options))
        return 2;
    HarnessPaths paths;
    paths.socketPath = options.value(QStringLiteral("--socket"), QStringLiteral("/run/hive/agent.sock"));
    paths.stateDir = QDir(options.value(QStringLiteral("--state"), QStringLiteral("/state"))).absolutePath();
    paths.runDir = QDir(options.value(QStringLiteral("--run-dir"), QStringLiteral("/run/hive-harness"))).absolutePath();
    const QString inContainer = QStringLiteral("/opt/hive/bin/hive-harness");
    paths.selfPath =
        options.value(QStringLiteral("--self"),
                      QFileInfo::exists(inContainer) ? inContainer : QCoreApplication::applicationFilePath());
    if (!QFileInfo(paths.stateDir).isDir()) {
        std::fprintf(stderr, "hive-harness: serve: the state dir %s does not exist\n", qPrintable(paths.stateDir));
        return 2;
    }
    SignalWatcher watcher(SignalWatcher::Hangup::Default);
    ServeSession session(paths);
    QObject::connect(&watcher, &SignalWatcher::terminateRequested, &session, [&session](int) { session.stop(); });
    QObject::connect(&session, &ServeSession::finished, qApp, [](int code) { QCoreApplication::exit(code); });
    QTimer::singleShot(0, &session, &ServeSession::start);
    return QCoreApplication::exec();
}

int mcp(const QStringList &args)
{
    QHash<QString, QString> options;
    if (!parseOptions(args, {QStringLiteral("--socket")}, options))
        return 2;
    // stdout carries only protocol frames; a client that goes away must not kill us with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    SignalWatcher watcher(SignalWatcher::Hangup::Default);
    McpServer server(options.value(QStringLiteral("--socket"), QStringLiteral("/run/hive/agent.sock")));
    QObject::connect(&watcher, &SignalWatcher::terminateRequested, qApp, [](int) { QCoreApplication::exit(0); });
    QObject::connect(&server, &McpServer::finished, qApp, [](int code) { QCoreApplication::exit(code); });
    QTimer::singleShot(0, &server, &McpServer::start);
    return QCoreApplication::exec();
}

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
    if (!args.isEmpty() && args.first() == QLatin1String("serve"))
        return serve(args);
    if (!args.isEmpty() && args.first() == QLatin1String("mcp"))
        return mcp(args);
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
