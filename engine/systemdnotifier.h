// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QString>

class QTimer;

namespace hive::engine {

/// Tells systemd (Type=notify) about the engine's life cycle and keeps its watchdog fed. Every call is a no-op
/// when libsystemd is not built in or $NOTIFY_SOCKET is not set, so the engine runs the same outside systemd.
class SystemdNotifier : public QObject
{
    Q_OBJECT

public:
    explicit SystemdNotifier(QObject *parent = nullptr);
    ~SystemdNotifier() override;

    /// True when built with libsystemd.
    [[nodiscard]] static bool supported();

    /// True when built with libsystemd and $NOTIFY_SOCKET is set.
    [[nodiscard]] bool isActive() const;

    /// READY=1 together with STATUS=`status`: start-up is complete.
    void ready(const QString &status);
    /// STOPPING=1: shutdown has begun.
    void stopping();
    /// STATUS=`text`, shown by `systemctl status`.
    void status(const QString &text);

    /// Pings WATCHDOG=1 at half the watchdog interval. The interval is `configuredSeconds` when positive (and
    /// systemd is told so with WATCHDOG_USEC), else systemd's own $WATCHDOG_USEC; with neither there is no
    /// watchdog. Calling it again restarts the timer with the new interval.
    void startWatchdog(int configuredSeconds);
    /// The ping interval in milliseconds; 0 when the watchdog is off.
    [[nodiscard]] int watchdogIntervalMs() const;

private:
    void notify(const QByteArray &state) const;

    QTimer *m_watchdogTimer = nullptr;
};

} // namespace hive::engine
