// SPDX-License-Identifier: MIT
#include "engineconfig.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using hive::ErrorCode;
using hive::engine::EngineConfig;

class TestEngineConfig : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(content) != content.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void defaults()
    {
        const EngineConfig config = EngineConfig::defaults();
        const QString expectedStateDir =
            ::geteuid() == 0
                ? QStringLiteral("/var/lib/hyperhive")
                : QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/hyperhive");
        QCOMPARE(config.stateDir, expectedStateDir);
        QVERIFY(config.sourcePath.isEmpty());
        QCOMPARE(config.listenHost, QStringLiteral("127.0.0.1"));
        QCOMPARE(config.listenPort, quint16(7443));
        QVERIFY(config.listenEnabled);
        QVERIFY(config.tlsCertificate.isEmpty());
        QVERIFY(config.tlsPrivateKey.isEmpty());
        QCOMPARE(config.maxFrameBytes, qint64(1048576));
        QCOMPARE(config.eventHistory, qint64(10000));
        QCOMPARE(config.helloTimeoutSeconds, 10);
        QCOMPARE(config.maxConnections, 64);
        QCOMPARE(config.logLevel, QStringLiteral("info"));
        QCOMPARE(config.watchdogSeconds, 0);
        QCOMPARE(EngineConfig::defaultPath(), QStringLiteral("/etc/hyperhive/engine.conf"));
    }

    void missingFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("absent.conf"));
        const auto optional = EngineConfig::load(path, false);
        QVERIFY(optional.has_value());
        QCOMPARE(*optional, EngineConfig::defaults());

        const auto required = EngineConfig::load(path, true);
        QVERIFY(!required.has_value());
        QCOMPARE(required.error().code, ErrorCode::Config);
        QVERIFY2(required.error().message.startsWith(path + QStringLiteral(": ")),
                 qPrintable(required.error().message));
        QVERIFY(required.error().message.contains(QStringLiteral("does not exist")));
    }

    void fullFile()
    {
        const QString path = write(QStringLiteral("full.conf"), QByteArrayLiteral("state_dir = \"/srv/hive\"\n"
                                                                                  "listen = \"[::1]:9443\"\n"
                                                                                  "[tls]\n"
                                                                                  "certificate = \"tls/cert.pem\"\n"
                                                                                  "private_key = \"/etc/key.pem\"\n"
                                                                                  "[api]\n"
                                                                                  "max_frame_bytes = 4096\n"
                                                                                  "event_history = 100\n"
                                                                                  "hello_timeout_seconds = 300\n"
                                                                                  "max_connections = 10000\n"
                                                                                  "[log]\n"
                                                                                  "level = \"debug\"\n"
                                                                                  "[service]\n"
                                                                                  "watchdog_seconds = 30\n"));
        const auto loaded = EngineConfig::load(path, true);
        QVERIFY2(loaded.has_value(), qPrintable(loaded ? QString() : loaded.error().message));
        const EngineConfig &config = *loaded;
        QCOMPARE(config.sourcePath, path);
        QCOMPARE(config.stateDir, QStringLiteral("/srv/hive"));
        QCOMPARE(config.listenHost, QStringLiteral("::1"));
        QCOMPARE(config.listenPort, quint16(9443));
        QVERIFY(config.listenEnabled);
        // Relative paths are taken from the file's directory, not from wherever the engine was started.
        QCOMPARE(config.tlsCertificate, QDir(m_dir.path()).filePath(QStringLiteral("tls/cert.pem")));
        QCOMPARE(config.tlsPrivateKey, QStringLiteral("/etc/key.pem"));
        QCOMPARE(config.maxFrameBytes, qint64(4096));
        QCOMPARE(config.eventHistory, qint64(100));
        QCOMPARE(config.helloTimeoutSeconds, 300);
        QCOMPARE(config.maxConnections, 10000);
        QCOMPARE(config.logLevel, QStringLiteral("debug"));
        QCOMPARE(config.watchdogSeconds, 30);
    }

    void containerImage()
    {
        const EngineConfig defaults = EngineConfig::defaults();
        QCOMPARE(defaults.containerRoot, QStringLiteral("host"));
        QCOMPARE(defaults.imageSuite, QStringLiteral("bookworm"));
        QCOMPARE(defaults.imageMirror, QStringLiteral("http://deb.debian.org/debian"));
        QCOMPARE(defaults.imageDirectory(), defaults.stateDir + QStringLiteral("/images/debian-bookworm"));

        const QString path =
            write(QStringLiteral("image.conf"), QByteArrayLiteral("state_dir = \"/srv/hive\"\n"
                                                                  "[containers]\n"
                                                                  "root = \"image\"\n"
                                                                  "image_suite = \"trixie\"\n"
                                                                  "image_mirror = \"https://mirror.example/"
                                                                  "debian\"\n"));
        auto loaded = EngineConfig::load(path, true);
        QVERIFY2(loaded.has_value(), qPrintable(loaded ? QString() : loaded.error().message));
        QCOMPARE(loaded->containerRoot, QStringLiteral("image"));
        QCOMPARE(loaded->imageSuite, QStringLiteral("trixie"));
        QCOMPARE(loaded->imageMirror, QStringLiteral("https://mirror.example/debian"));
        // The default directory follows the state dir and the suite, also when --state-dir changes it later.
        QCOMPARE(loaded->imageDirectory(), QStringLiteral("/srv/hive/images/debian-trixie"));
        loaded->stateDir = QStringLiteral("/elsewhere");
        QCOMPARE(loaded->imageDirectory(), QStringLiteral("/elsewhere/images/debian-trixie"));

        // A relative image_dir is the file's directory's; a local mirror is a file:// URL.
        const QString local =
            write(QStringLiteral("local.conf"), QByteArrayLiteral("[containers]\n"
                                                                  "image_dir = \"images/mine\"\n"
                                                                  "image_mirror = \"file:///srv/mirror\"\n"));
        const auto localLoaded = EngineConfig::load(local, true);
        QVERIFY2(localLoaded.has_value(), qPrintable(localLoaded ? QString() : localLoaded.error().message));
        QCOMPARE(localLoaded->imageDirectory(), QDir(m_dir.path()).filePath(QStringLiteral("images/mine")));
        QCOMPARE(localLoaded->imageMirror, QStringLiteral("file:///srv/mirror"));
        QCOMPARE(localLoaded->containerRoot, QStringLiteral("host"));
    }

    void approvalTags()
    {
        const EngineConfig defaults = EngineConfig::defaults();
        QCOMPARE(defaults.tagRetentionDays, 30);
        QCOMPARE(defaults.gcIntervalMinutes, 360);
        // 0 days keeps failed and denied tags for good; the interval has no such off switch.
        const QString path = write(QStringLiteral("approvals.conf"), QByteArrayLiteral("[approvals]\n"
                                                                                       "tag_retention_days = 0\n"
                                                                                       "gc_interval_minutes = 1\n"));
        const auto loaded = EngineConfig::load(path, true);
        QVERIFY2(loaded.has_value(), qPrintable(loaded ? QString() : loaded.error().message));
        QCOMPARE(loaded->tagRetentionDays, 0);
        QCOMPARE(loaded->gcIntervalMinutes, 1);
    }

    void listenOff_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("off") << QByteArrayLiteral("listen = \"off\"\n");
        QTest::newRow("empty") << QByteArrayLiteral("listen = \"\"\n");
    }
    void listenOff()
    {
        QFETCH(QByteArray, line);
        const auto loaded = EngineConfig::load(write(QStringLiteral("off.conf"), line), true);
        QVERIFY(loaded.has_value());
        QVERIFY(!loaded->listenEnabled);
    }

    void badFile_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("position");
        QTest::addColumn<QString>("expected");

        QTest::newRow("unknown key") << QByteArrayLiteral("[api]\nlistn = 1\n") << QStringLiteral("2:1")
                                     << QStringLiteral("unknown key 'listn' in [api]; known keys: event_history, "
                                                       "hello_timeout_seconds, max_connections, max_frame_bytes");
        QTest::newRow("unknown top-level key")
            << QByteArrayLiteral("# comment\nlistn = \"x\"\n") << QStringLiteral("2:1")
            << QStringLiteral("unknown key 'listn' at top level; known keys: listen, state_dir");
        QTest::newRow("unknown table") << QByteArrayLiteral("listen = \"off\"\n[ap]\nx = 1\n") << QStringLiteral("2:2")
                                       << QStringLiteral("unknown table '[ap]'; known tables: [api], [approvals], "
                                                         "[broker], [containers], [harness], [log], [service], "
                                                         "[telemetry], [tls]");
        QTest::newRow("container backend")
            << QByteArrayLiteral("[containers]\nbackend = \"docker\"\n") << QStringLiteral("2:11")
            << QStringLiteral("key 'containers.backend' must be one of");
        QTest::newRow("container command")
            << QByteArrayLiteral("[containers]\ncommand = []\n") << QStringLiteral("2:11")
            << QStringLiteral("must be a non-empty array of non-empty strings");
        QTest::newRow("container root") << QByteArrayLiteral("[containers]\nroot = \"debian\"\n")
                                        << QStringLiteral("2:8")
                                        << QStringLiteral(
                                               "key 'containers.root' must be one of host, image, got \"debian\"");
        QTest::newRow("image suite with a slash")
            << QByteArrayLiteral("[containers]\nimage_suite = \"../etc\"\n") << QStringLiteral("2:15")
            << QStringLiteral("key 'containers.image_suite' must be a Debian suite or code name like \"bookworm\" "
                              "(lower-case letters, digits and '-'), got \"../etc\"");
        QTest::newRow("empty image suite")
            << QByteArrayLiteral("[containers]\nimage_suite = \"\"\n") << QStringLiteral("2:15")
            << QStringLiteral("key 'containers.image_suite' must be a Debian suite");
        QTest::newRow("image mirror without scheme")
            << QByteArrayLiteral("[containers]\nimage_mirror = \"deb.debian.org/debian\"\n") << QStringLiteral("2:16")
            << QStringLiteral("key 'containers.image_mirror' must be an http://, https:// or file:// URL of a Debian "
                              "mirror, got \"deb.debian.org/debian\"");
        QTest::newRow("image mirror over ftp")
            << QByteArrayLiteral("[containers]\nimage_mirror = \"ftp://ftp.debian.org/debian\"\n")
            << QStringLiteral("2:16") << QStringLiteral("must be an http://, https:// or file:// URL");
        QTest::newRow("image dir as number")
            << QByteArrayLiteral("[containers]\nimage_dir = 5\n") << QStringLiteral("2:13")
            << QStringLiteral("key 'containers.image_dir' must be a string, got 5");
        QTest::newRow("negative tag retention")
            << QByteArrayLiteral("[approvals]\ntag_retention_days = -1\n") << QStringLiteral("2:22")
            << QStringLiteral("key 'approvals.tag_retention_days' must be an integer between 0 and 3650, got -1");
        QTest::newRow("telemetry raw retention of zero")
            << QByteArrayLiteral("[telemetry]\nraw_retention_days = 0\n") << QStringLiteral("2:22")
            << QStringLiteral("key 'telemetry.raw_retention_days' must be an integer between 1 and 90, got 0");
        QTest::newRow("telemetry retention too long")
            << QByteArrayLiteral("[telemetry]\nretention_days = 3651\n") << QStringLiteral("2:18")
            << QStringLiteral("key 'telemetry.retention_days' must be an integer between 1 and 3650, got 3651");
        QTest::newRow("telemetry interval of zero")
            << QByteArrayLiteral("[telemetry]\nretention_interval_minutes = 0\n") << QStringLiteral("2:30")
            << QStringLiteral(
                   "key 'telemetry.retention_interval_minutes' must be an integer between 1 and 1440, got 0");
        QTest::newRow("telemetry raw past the retention")
            << QByteArrayLiteral("[telemetry]\nraw_retention_days = 30\nretention_days = 20\n")
            << QStringLiteral("2:22")
            << QStringLiteral(
                   "key 'telemetry.raw_retention_days' (30) must not exceed 'telemetry.retention_days' (20)");
        QTest::newRow("telemetry retention below the default raw")
            << QByteArrayLiteral("[telemetry]\nretention_days = 3\n") << QStringLiteral("2:18")
            << QStringLiteral("key 'telemetry.raw_retention_days' (7) must not exceed 'telemetry.retention_days' (3)");
        QTest::newRow("gc interval of zero")
            << QByteArrayLiteral("[approvals]\ngc_interval_minutes = 0\n") << QStringLiteral("2:23")
            << QStringLiteral("key 'approvals.gc_interval_minutes' must be an integer between 1 and 10080, got 0");
        QTest::newRow("container flag") << QByteArrayLiteral("[containers]\nauto_restart = \"yes\"\n")
                                        << QStringLiteral("2:16") << QStringLiteral("must be true or false");
        QTest::newRow("unknown subtable") << QByteArrayLiteral("[api.extra]\n") << QStringLiteral("1:6")
                                          << QStringLiteral("unknown table 'extra' in [api]");
        QTest::newRow("wrong type") << QByteArrayLiteral("[api]\nmax_frame_bytes = \"big\"\n") << QStringLiteral("2:19")
                                    << QStringLiteral("key 'api.max_frame_bytes' must be an integer between 1024 and "
                                                      "67108864, got \"big\"");
        QTest::newRow("float for integer")
            << QByteArrayLiteral("[service]\nwatchdog_seconds = 1.5\n") << QStringLiteral("2:20")
            << QStringLiteral("key 'service.watchdog_seconds' must be an integer "
                              "between 0 and 86400, got 1.5");
        QTest::newRow("below range") << QByteArrayLiteral("[api]\n\nhello_timeout_seconds = 0\n")
                                     << QStringLiteral("3:25")
                                     << QStringLiteral("key 'api.hello_timeout_seconds' must be an integer between 1 "
                                                       "and 300, got 0");
        QTest::newRow("above range") << QByteArrayLiteral("[api]\nevent_history = 10000001\n") << QStringLiteral("2:17")
                                     << QStringLiteral("key 'api.event_history' must be an integer between 100 and "
                                                       "10000000, got 10000001");
        QTest::newRow("string for string key") << QByteArrayLiteral("listen = 7443\n") << QStringLiteral("1:10")
                                               << QStringLiteral("key 'listen' must be a string, got 7443");
        QTest::newRow("table as value") << QByteArrayLiteral("api = 5\n") << QStringLiteral("1:7")
                                        << QStringLiteral("key 'api' must be a table, got 5");
        QTest::newRow("malformed listen")
            << QByteArrayLiteral("listen = \"localhost:80\"\n") << QStringLiteral("1:10")
            << QStringLiteral("key 'listen' must be \"ADDR:PORT\" (like \"127.0.0.1:7443\" or \"[::1]:7443\"), \"\" "
                              "or \"off\", got \"localhost:80\": 'localhost' is not an IPv4 address");
        QTest::newRow("listen without port") << QByteArrayLiteral("listen = \"127.0.0.1\"\n") << QStringLiteral("1:10")
                                             << QStringLiteral("got \"127.0.0.1\": there is no port");
        QTest::newRow("certificate without key")
            << QByteArrayLiteral("[tls]\ncertificate = \"cert.pem\"\n") << QStringLiteral("2:15")
            << QStringLiteral("key 'tls.certificate' is set but 'tls.private_key' is not; set both or neither");
        QTest::newRow("key without certificate")
            << QByteArrayLiteral("[tls]\ncertificate = \"\"\nprivate_key = \"key.pem\"\n") << QStringLiteral("3:15")
            << QStringLiteral("key 'tls.private_key' is set but 'tls.certificate' is not; set both or neither");
        QTest::newRow("bad log level") << QByteArrayLiteral("[log]\nlevel = \"verbose\"\n") << QStringLiteral("2:9")
                                       << QStringLiteral("key 'log.level' must be one of debug, info, warning, error, "
                                                         "got \"verbose\"");
        QTest::newRow("empty state dir") << QByteArrayLiteral("state_dir = \"\"\n") << QStringLiteral("1:13")
                                         << QStringLiteral("key 'state_dir' must be a directory path, got \"\"");
        QTest::newRow("syntax error") << QByteArrayLiteral("[api]\nmax_frame_bytes = = 5\n") << QStringLiteral("2:19")
                                      << QStringLiteral("TOML syntax error: ");
        QTest::newRow("duplicate key") << QByteArrayLiteral("[log]\nlevel = \"info\"\nlevel = \"debug\"\n")
                                       << QStringLiteral("3:9")
                                       << QStringLiteral("TOML syntax error: Error while parsing key-value pair: "
                                                         "cannot redefine existing string 'level'");
    }
    void badFile()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, position);
        QFETCH(QString, expected);
        const QString path = write(QStringLiteral("bad.conf"), content);
        const auto loaded = EngineConfig::load(path, false);
        QVERIFY(!loaded.has_value());
        QCOMPARE(loaded.error().code, ErrorCode::Config);
        const QString message = loaded.error().message;
        QVERIFY2(message.startsWith(path + QLatin1Char(':') + position + QStringLiteral(": ")), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void everyProblemInFileOrder()
    {
        const QString path = write(QStringLiteral("two.conf"),
                                   QByteArrayLiteral("[log]\nlevel = \"loud\"\n[api]\nmax_connections = 0\n"));
        const auto loaded = EngineConfig::load(path, false);
        QVERIFY(!loaded.has_value());
        const QStringList lines = loaded.error().message.split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines.at(0).startsWith(path + QStringLiteral(":2:9: key 'log.level'")), qPrintable(lines.at(0)));
        QVERIFY2(lines.at(1).startsWith(path + QStringLiteral(":4:19: key 'api.max_connections'")),
                 qPrintable(lines.at(1)));
    }

    void setListen_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<bool>("enabled");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");

        QTest::newRow("ipv4") << QStringLiteral("192.168.1.2:80") << true << true << QStringLiteral("192.168.1.2")
                              << 80;
        QTest::newRow("any ipv4") << QStringLiteral("0.0.0.0:7443") << true << true << QStringLiteral("0.0.0.0")
                                  << 7443;
        QTest::newRow("ipv6") << QStringLiteral("[::1]:7443") << true << true << QStringLiteral("::1") << 7443;
        QTest::newRow("free port") << QStringLiteral("127.0.0.1:0") << true << true << QStringLiteral("127.0.0.1") << 0;
        QTest::newRow("highest port") << QStringLiteral("127.0.0.1:65535") << true << true
                                      << QStringLiteral("127.0.0.1") << 65535;
        QTest::newRow("off") << QStringLiteral("off") << true << false << QString() << 0;
        QTest::newRow("empty") << QString() << true << false << QString() << 0;
        QTest::newRow("hostname") << QStringLiteral("localhost:80") << false << false << QString() << 0;
        QTest::newRow("no port") << QStringLiteral("127.0.0.1") << false << false << QString() << 0;
        QTest::newRow("empty port") << QStringLiteral("127.0.0.1:") << false << false << QString() << 0;
        QTest::newRow("port too big") << QStringLiteral("127.0.0.1:65536") << false << false << QString() << 0;
        QTest::newRow("signed port") << QStringLiteral("127.0.0.1:+80") << false << false << QString() << 0;
        QTest::newRow("bare ipv6") << QStringLiteral("::1:7443") << false << false << QString() << 0;
        QTest::newRow("bracket without port") << QStringLiteral("[::1]7443") << false << false << QString() << 0;
        QTest::newRow("ipv4 in brackets") << QStringLiteral("[127.0.0.1]:80") << false << false << QString() << 0;
        QTest::newRow("OFF is not off") << QStringLiteral("OFF") << false << false << QString() << 0;
    }
    void setListen()
    {
        QFETCH(QString, value);
        QFETCH(bool, valid);
        QFETCH(bool, enabled);
        QFETCH(QString, host);
        QFETCH(int, port);
        EngineConfig config = EngineConfig::defaults();
        const auto result = config.setListen(value, QStringLiteral("option --listen"));
        QCOMPARE(result.has_value(), valid);
        if (!valid) {
            QCOMPARE(result.error().code, ErrorCode::Config);
            QVERIFY2(result.error().message.startsWith(QStringLiteral("option --listen must be \"ADDR:PORT\"")),
                     qPrintable(result.error().message));
            QCOMPARE(config, EngineConfig::defaults()); // a refused value changes nothing
            return;
        }
        QCOMPARE(config.listenEnabled, enabled);
        if (enabled) {
            QCOMPARE(config.listenHost, host);
            QCOMPARE(config.listenPort, quint16(port));
        }
    }

    void setStateDir()
    {
        EngineConfig config = EngineConfig::defaults();
        QVERIFY(config.setStateDir(QStringLiteral("/srv/./hive/"), QStringLiteral("option --state-dir")).has_value());
        QCOMPARE(config.stateDir, QStringLiteral("/srv/hive"));
        QVERIFY(config.setStateDir(QStringLiteral("state"), QStringLiteral("option --state-dir")).has_value());
        QCOMPARE(config.stateDir, QDir::current().filePath(QStringLiteral("state")));
        const auto empty = config.setStateDir(QString(), QStringLiteral("option --state-dir"));
        QVERIFY(!empty.has_value());
        QCOMPARE(empty.error().message, QStringLiteral("option --state-dir must be a directory path, got \"\""));
    }

    // The shipped example documents every key at its default: uncommented, it must load as exactly the defaults.
    void exampleFileIsTheDefaults()
    {
        QFile example(hive::test::sourcePath(QStringLiteral("resources/engine.conf")));
        QVERIFY2(example.open(QIODevice::ReadOnly), qPrintable(example.fileName()));
        const QString text = QString::fromUtf8(example.readAll());

        const auto asShipped = EngineConfig::load(write(QStringLiteral("shipped.conf"), text.toUtf8()), true);
        QVERIFY2(asShipped.has_value(), qPrintable(asShipped ? QString() : asShipped.error().message));
        EngineConfig expected = EngineConfig::defaults();
        expected.sourcePath = asShipped->sourcePath;
        QCOMPARE(*asShipped, expected);

        static const QRegularExpression setting(QStringLiteral("^# (\\[[a-z_]+\\]|[a-z_]+ = .*)$"));
        QStringList lines = text.split(QLatin1Char('\n'));
        QStringList keys;
        for (QString &line : lines) {
            const auto match = setting.match(line);
            if (!match.hasMatch())
                continue;
            line = match.captured(1);
            keys.append(line.section(QLatin1Char(' '), 0, 0));
        }
        const QStringList documented = {QStringLiteral("state_dir"),
                                        QStringLiteral("listen"),
                                        QStringLiteral("[tls]"),
                                        QStringLiteral("certificate"),
                                        QStringLiteral("private_key"),
                                        QStringLiteral("[api]"),
                                        QStringLiteral("max_frame_bytes"),
                                        QStringLiteral("event_history"),
                                        QStringLiteral("hello_timeout_seconds"),
                                        QStringLiteral("max_connections"),
                                        QStringLiteral("[broker]"),
                                        QStringLiteral("max_body_bytes"),
                                        QStringLiteral("retention_days"),
                                        QStringLiteral("vacuum_interval_minutes"),
                                        QStringLiteral("[approvals]"),
                                        QStringLiteral("tag_retention_days"),
                                        QStringLiteral("gc_interval_minutes"),
                                        QStringLiteral("[containers]"),
                                        QStringLiteral("backend"),
                                        QStringLiteral("spawn_manager"),
                                        QStringLiteral("harness"),
                                        QStringLiteral("command"),
                                        QStringLiteral("stop_grace_seconds"),
                                        QStringLiteral("auto_restart"),
                                        QStringLiteral("restart_backoff_seconds"),
                                        QStringLiteral("root"),
                                        QStringLiteral("image_dir"),
                                        QStringLiteral("image_suite"),
                                        QStringLiteral("image_mirror"),
                                        QStringLiteral("[harness]"),
                                        QStringLiteral("cli"),
                                        QStringLiteral("cli_args"),
                                        QStringLiteral("env"),
                                        QStringLiteral("api_key_file"),
                                        QStringLiteral("default_model"),
                                        QStringLiteral("turn_timeout_seconds"),
                                        QStringLiteral("rate_limit_retry_seconds"),
                                        QStringLiteral("notes_compact_bytes"),
                                        QStringLiteral("[log]"),
                                        QStringLiteral("level"),
                                        QStringLiteral("[service]"),
                                        QStringLiteral("watchdog_seconds"),
                                        QStringLiteral("[telemetry]"),
                                        QStringLiteral("raw_retention_days"),
                                        QStringLiteral("retention_days"),
                                        QStringLiteral("retention_interval_minutes")};
        QCOMPARE(keys, documented);

        const QString path = write(QStringLiteral("uncommented.conf"), lines.join(QLatin1Char('\n')).toUtf8());
        const auto loaded = EngineConfig::load(path, true);
        QVERIFY2(loaded.has_value(), qPrintable(loaded ? QString() : loaded.error().message));
        expected.sourcePath = path;
        expected.stateDir = QStringLiteral("/var/lib/hyperhive"); // the root default is the one written there
        QCOMPARE(*loaded, expected);
    }
};

QTEST_GUILESS_MAIN(TestEngineConfig)
#include "tst_engineconfig.moc"
