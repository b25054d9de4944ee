// SPDX-License-Identifier: MIT
#include "engineapplication.h"

#include "clock.h"
#include "containers/baseimage.h"
#include "engine.h"
#include "engineconfig.h"
#include "logging.h"
#include "signalwatcher.h"
#include "statedir.h"
#include "systemdnotifier.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFileInfo>
#include <QLoggingCategory>

#include <cstdio>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcMain, "hive.engine")

constexpr int ExitFailure = 1;
constexpr int ExitUsage = 2;

void printError(const QString &message)
{
    std::fprintf(stderr, "hive-engine: %s\n", qPrintable(message));
}

struct Options {
    QCommandLineOption config{{QStringLiteral("c"), QStringLiteral("config")},
                              QStringLiteral("Read the configuration from FILE (default: %1; every key has a "
                                             "default, so no file is needed).")
                                  .arg(EngineConfig::defaultPath()),
                              QStringLiteral("FILE")};
    QCommandLineOption stateDir{QStringLiteral("state-dir"), QStringLiteral("Keep state in DIR (overrides state_dir)."),
                                QStringLiteral("DIR")};
    QCommandLineOption listen{QStringLiteral("listen"),
                              QStringLiteral("Serve the TLS API on ADDR:PORT, or 'off' (overrides listen; port 0 "
                                             "picks a free port)."),
                              QStringLiteral("ADDR:PORT")};
    QCommandLineOption printFingerprint{QStringLiteral("print-fingerprint"),
                                        QStringLiteral("Print the SHA-256 fingerprint of the engine's TLS certificate "
                                                       "(creating it on first use) and exit.")};
    QCommandLineOption checkConfig{QStringLiteral("check-config"),
                                   QStringLiteral("Check the configuration and exit: 0 when valid, 2 when not.")};
    QCommandLineOption buildImage{QStringLiteral("build-image"),
                                  QStringLiteral("Build the containers' base image (containers.root = \"image\") with "
                                                 "debootstrap if it is missing, and exit: 0 when it is there, 1 when "
                                                 "the build failed.")};
};

// --build-image: debootstrap's progress on stdout, errors on stderr.
int buildImage(const EngineConfig &config)
{
    const BaseImage::Settings settings{
        QFileInfo(config.imageDirectory()).absoluteFilePath(), config.imageSuite, config.imageMirror, {}};
    if (BaseImage::exists(settings.dir)) {
        std::printf("the base image %s is there already\n", qPrintable(settings.dir));
        return 0;
    }
    std::printf("building the base image %s: debootstrap --variant=minbase %s from %s\n", qPrintable(settings.dir),
                qPrintable(settings.suite), qPrintable(settings.mirror));
    std::fflush(stdout);
    BaseImage image(settings);
    QEventLoop loop;
    int exitCode = 1;
    image.build(
        [](const QString &line) {
            std::printf("%s\n", qPrintable(line));
            std::fflush(stdout);
        },
        [&](const Result<void> &built) {
            if (built) {
                std::printf("the base image %s is built\n", qPrintable(settings.dir));
                exitCode = 0;
            } else {
                printError(built.error().message);
            }
            loop.quit();
        });
    if (image.building())
        loop.exec();
    return exitCode;
}

} // namespace

int EngineApplication::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("The hyperhive engine: runs the agent swarm and serves the operator API over TLS and a "
                       "local admin socket.\nExit codes: 0 clean stop, 1 failure, 2 bad command line or "
                       "configuration."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const Options options;
    parser.addOptions({options.config, options.stateDir, options.listen, options.printFingerprint, options.checkConfig,
                       options.buildImage});
    if (!parser.parse(arguments)) {
        printError(parser.errorText() + QStringLiteral(" (see --help)"));
        return ExitUsage;
    }
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    if (parser.isSet(version)) {
        std::printf("hive-engine %s\n", HIVE_VERSION);
        return 0;
    }
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("unexpected argument '%1' (see --help)").arg(parser.positionalArguments().first()));
        return ExitUsage;
    }

    const bool explicitConfig = parser.isSet(options.config);
    const QString configPath = explicitConfig ? parser.value(options.config) : EngineConfig::defaultPath();
    auto loaded = EngineConfig::load(configPath, explicitConfig);
    if (!loaded) {
        printError(loaded.error().message);
        return ExitUsage;
    }
    EngineConfig config = std::move(*loaded);
    if (parser.isSet(options.stateDir)) {
        config.stateDir = parser.value(options.stateDir);
        if (config.stateDir.isEmpty()) {
            printError(QStringLiteral("option --state-dir: must not be empty"));
            return ExitUsage;
        }
    }
    if (parser.isSet(options.listen)) {
        if (auto set = config.setListen(parser.value(options.listen), QStringLiteral("option --listen")); !set) {
            printError(set.error().message);
            return ExitUsage;
        }
    }
    if (parser.isSet(options.checkConfig)) {
        std::printf("configuration OK (%s)\n",
                    qPrintable(config.sourcePath.isEmpty() ? QStringLiteral("built-in defaults") : config.sourcePath));
        return 0;
    }

    Logging::install(QStringLiteral("hive-engine"), Logging::parseLevel(config.logLevel));

    if (parser.isSet(options.printFingerprint)) {
        if (auto ensured = StateDir::ensure(config.stateDir); !ensured) {
            printError(ensured.error().message);
            return ExitFailure;
        }
        auto tls = Engine::loadTls(config);
        if (!tls) {
            printError(tls.error().message);
            return ExitFailure;
        }
        std::printf("%s\n", qPrintable(tls->fingerprint));
        return 0;
    }

    if (parser.isSet(options.buildImage))
        return buildImage(config);

    SystemClock clock;
    Engine engine(config, clock);
    SystemdNotifier notifier;
    SignalWatcher signalWatcher(SignalWatcher::Hangup::Reload);
    if (auto started = engine.start(); !started) {
        printError(started.error().message);
        return ExitFailure;
    }
    const QString listen = engine.facts().listen.isEmpty() ? QStringLiteral("TLS listener off")
                                                           : QStringLiteral("wss://") + engine.facts().listen;
    qCInfo(lcMain).noquote() << "hive-engine" << HIVE_VERSION << "ready:" << listen << "| certificate SHA-256"
                             << engine.facts().tlsFingerprint << "| admin socket" << engine.adminSocketPath()
                             << "| state dir" << engine.facts().stateDir;
    notifier.ready(QStringLiteral("serving %1").arg(listen));
    notifier.startWatchdog(config.watchdogSeconds);

    int exitCode = 0;
    QObject::connect(&signalWatcher, &SignalWatcher::terminateRequested, &engine, [&](int signalNumber) {
        qCInfo(lcMain) << "signal" << signalNumber << "received; stopping";
        notifier.stopping();
        engine.shutdown(std::chrono::seconds(2), [&exitCode] { QCoreApplication::exit(exitCode); });
    });
    QObject::connect(&signalWatcher, &SignalWatcher::reloadRequested, &engine, [&] {
        // Only the log level changes safely at run time; everything else is bound to open
        // sockets and files, so say what needs a restart rather than pretend.
        auto reread = EngineConfig::load(configPath, explicitConfig);
        if (!reread) {
            qCWarning(lcMain).noquote() << "SIGHUP: configuration not reloaded:" << reread.error().message;
            return;
        }
        Logging::install(QStringLiteral("hive-engine"), Logging::parseLevel(reread->logLevel));
        qCInfo(lcMain).noquote() << "SIGHUP: log level is now" << reread->logLevel
                                 << "; other settings take effect at the next restart";
    });
    return QCoreApplication::exec();
}

} // namespace hive::engine
