// SPDX-License-Identifier: MIT
// hive-fake-model: FakeModelServer from the command line, for trying the agent CLI by hand and for benchmarks.
//   hive-fake-model --script FILE [--port N] [--log FILE]
// prints "listening on 127.0.0.1:PORT" once it accepts connections and serves until SIGTERM or SIGINT; --log
// appends one JSON line per request; script failures (unmet expectations, exhausted scripts) go to stderr at exit.
#include "fakemodelserver.h"
#include "signalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hive-fake-model"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("A scripted Anthropic Messages API on 127.0.0.1."));
    parser.addHelpOption();
    const QCommandLineOption script(QStringLiteral("script"), QStringLiteral("The script (JSON)."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("The port (default: any free one)."),
                                  QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption log(QStringLiteral("log"), QStringLiteral("Append requests as JSON lines."),
                                 QStringLiteral("FILE"));
    parser.addOptions({script, port, log});
    parser.process(app);
    bool portOk = false;
    const uint portNumber = parser.value(port).toUInt(&portOk);
    if (!parser.isSet(script) || !portOk || portNumber > 65535) {
        std::fprintf(stderr, "usage: hive-fake-model --script FILE [--port N] [--log FILE]\n");
        return 2;
    }
    hive::test::FakeModelServer server;
    if (auto loaded = server.loadScriptFile(parser.value(script)); !loaded) {
        std::fprintf(stderr, "hive-fake-model: %s\n", qPrintable(loaded.error().message));
        return 2;
    }
    QFile logFile(parser.value(log));
    if (parser.isSet(log) && !logFile.open(QIODevice::WriteOnly | QIODevice::Append)) {
        std::fprintf(stderr, "hive-fake-model: cannot open %s: %s\n", qPrintable(logFile.fileName()),
                     qPrintable(logFile.errorString()));
        return 1;
    }
    QObject::connect(&server, &hive::test::FakeModelServer::requestServed, &app, [&](const QString &agent, int index) {
        if (logFile.isOpen()) {
            logFile.write(QJsonDocument(server.request(agent, index).toJson()).toJson(QJsonDocument::Compact) + '\n');
            logFile.flush();
        }
    });
    hive::SignalWatcher watcher(hive::SignalWatcher::Hangup::Default);
    QObject::connect(&watcher, &hive::SignalWatcher::terminateRequested, &app, [] { QCoreApplication::quit(); });
    if (auto listening = server.listen(quint16(portNumber)); !listening) {
        std::fprintf(stderr, "hive-fake-model: %s\n", qPrintable(listening.error().message));
        return 1;
    }
    std::printf("listening on 127.0.0.1:%u\n", unsigned(server.port()));
    std::fflush(stdout);
    const int rc = QCoreApplication::exec();
    for (const QString &failure : server.failures())
        std::fprintf(stderr, "hive-fake-model: %s\n", qPrintable(failure));
    return rc;
}
