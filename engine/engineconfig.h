// SPDX-License-Identifier: MIT
#pragma once

#include "agents/harnesssettings.h"
#include "result.h"
#include "telemetry/telemetryoptions.h"

#include <QString>
#include <QStringList>
#include <QtGlobal>

namespace hive::engine {

/// The engine's configuration: a TOML file (resources/engine.conf documents every key) in which every key has a
/// default, so that the engine starts without any file. Command-line options override single values.
struct EngineConfig {
    QString sourcePath;                                  ///< the file read; empty when only defaults apply
    QString stateDir;                                    ///< state_dir
    QString listenHost = QStringLiteral("127.0.0.1");    ///< listen (address part, IPv6 without brackets)
    quint16 listenPort = 7443;                           ///< listen (port part; 0 picks a free port)
    bool listenEnabled = true;                           ///< false when listen is "" or "off"
    QString tlsCertificate;                              ///< tls.certificate; empty = the generated one
    QString tlsPrivateKey;                               ///< tls.private_key; set together with tlsCertificate
    qint64 maxFrameBytes = 1048576;                      ///< api.max_frame_bytes
    qint64 eventHistory = 10000;                         ///< api.event_history (events kept for since_seq replay)
    int helloTimeoutSeconds = 10;                        ///< api.hello_timeout_seconds
    int maxConnections = 64;                             ///< api.max_connections
    QString logLevel = QStringLiteral("info");           ///< log.level: debug, info, warning or error
    int watchdogSeconds = 0;                             ///< service.watchdog_seconds; 0 = systemd's WATCHDOG_USEC
    qint64 maxBodyBytes = 65536;                         ///< broker.max_body_bytes
    int retentionDays = 30;                              ///< broker.retention_days (acked messages kept)
    int vacuumIntervalMinutes = 60;                      ///< broker.vacuum_interval_minutes
    int tagRetentionDays = 30;                           ///< approvals.tag_retention_days (0 = for good)
    int gcIntervalMinutes = 360;                         ///< approvals.gc_interval_minutes
    QString containerBackend = QStringLiteral("nspawn"); ///< containers.backend: "nspawn" or "none"
    bool spawnManager = true; ///< containers.spawn_manager: give the manager a container at first start
    QString harnessPath;      ///< containers.harness; empty = hive-harness beside hive-engine
    QStringList containerCommand{QStringLiteral("/opt/hive/bin/hive-harness"),
                                 QStringLiteral("serve")}; ///< containers.command
    int stopGraceSeconds = 10;                             ///< containers.stop_grace_seconds
    bool autoRestart = false;                              ///< containers.auto_restart
    int restartBackoffSeconds = 10;                        ///< containers.restart_backoff_seconds (doubles per crash)
    QString containerRoot = QStringLiteral("host");        ///< containers.root: "host" (the host's /usr) or "image"
    QString imageDir;                                      ///< containers.image_dir; empty = imageDirectory()'s default
    QString imageSuite = QStringLiteral("bookworm");       ///< containers.image_suite
    QString imageMirror = QStringLiteral("http://deb.debian.org/debian"); ///< containers.image_mirror
    HarnessSettings harness;                                              ///< [harness]
    TelemetryOptions telemetry;                                           ///< [telemetry]

    /// The base image's directory: image_dir, else `<state dir>/images/debian-<suite>`.
    [[nodiscard]] QString imageDirectory() const;

    /// /etc/hyperhive/engine.conf: read when --config is not given, and allowed to be absent.
    [[nodiscard]] static QString defaultPath();

    /// Every key at its default. state_dir is /var/lib/hyperhive as root, else $XDG_DATA_HOME/hyperhive.
    [[nodiscard]] static EngineConfig defaults();

    /// Reads `path` over the defaults. A missing file is an error only when `required` (the user named it with
    /// --config). Every error is ErrorCode::Config; each problem is one line of the message, in file order,
    /// "FILE:LINE:COLUMN: " followed by the dotted key and what is wrong with it, e.g.
    /// "engine.conf:3:1: unknown key 'listn' in [api]; known keys: ...". Relative paths in the file are
    /// relative to the file's directory.
    [[nodiscard]] static Result<EngineConfig> load(const QString &path, bool required);

    /// Sets listen from "ADDR:PORT", "[IPV6]:PORT", "" or "off". `origin` names where the value came from and
    /// starts the error message ("option --listen", or "FILE:LINE:COLUMN: key 'listen'").
    [[nodiscard]] Result<void> setListen(const QString &value, const QString &origin);

    /// Sets the state directory; a relative path is taken relative to the current directory.
    [[nodiscard]] Result<void> setStateDir(const QString &value, const QString &origin);

    friend bool operator==(const EngineConfig &, const EngineConfig &) = default;
};

} // namespace hive::engine
