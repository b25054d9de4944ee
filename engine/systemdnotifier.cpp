// SPDX-License-Identifier: MIT
#include "systemdnotifier.h"

#include <QLoggingCategory>
#include <QTimer>

#ifdef HIVE_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include <algorithm>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcSystemd, "hive.systemd")

// The notify protocol is newline-separated assignments: a newline inside a value would start a new one.
QByteArray singleLine(const QString &text)
{
    QString line = text;
    line.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return line.toUtf8();
}
} // namespace

SystemdNotifier::SystemdNotifier(QObject *parent) : QObject(parent), m_watchdogTimer(new QTimer(this))
{
    m_watchdogTimer->setTimerType(Qt::PreciseTimer);
    connect(m_watchdogTimer, &QTimer::timeout, this, [this] { notify(QByteArrayLiteral("WATCHDOG=1")); });
}

SystemdNotifier::~SystemdNotifier() = default;

bool SystemdNotifier::supported()
{
#ifdef HIVE_HAVE_SYSTEMD
    return true;
#else
    return false;
#endif
}

bool SystemdNotifier::isActive() const
{
    return supported() && qEnvironmentVariableIsSet("NOTIFY_SOCKET");
}

void SystemdNotifier::ready(const QString &status)
{
    notify(QByteArrayLiteral("READY=1\nSTATUS=") + singleLine(status));
}

void SystemdNotifier::stopping()
{
    m_watchdogTimer->stop();
    notify(QByteArrayLiteral("STOPPING=1"));
}

void SystemdNotifier::status(const QString &text)
{
    notify(QByteArrayLiteral("STATUS=") + singleLine(text));
}

void SystemdNotifier::startWatchdog(int configuredSeconds)
{
    m_watchdogTimer->stop();
    if (!isActive())
        return;
    quint64 intervalUsec = 0;
#ifdef HIVE_HAVE_SYSTEMD
    uint64_t systemdUsec = 0;
    // > 0 only when $WATCHDOG_USEC is set and $WATCHDOG_PID, if set, is this process.
    if (sd_watchdog_enabled(0, &systemdUsec) > 0)
        intervalUsec = systemdUsec;
#endif
    if (configuredSeconds > 0) {
        intervalUsec = static_cast<quint64>(configuredSeconds) * 1'000'000U;
        // Tell systemd the timeout we keep, or it would enforce a different one (or none) than we ping for.
        notify(QByteArrayLiteral("WATCHDOG_USEC=") + QByteArray::number(intervalUsec));
    }
    if (intervalUsec == 0)
        return;
    const auto halfMs = static_cast<int>(std::clamp<quint64>(intervalUsec / 2000U, 1U, 24U * 3600U * 1000U));
    qCInfo(lcSystemd, "watchdog: pinging every %d ms", halfMs);
    notify(QByteArrayLiteral("WATCHDOG=1"));
    m_watchdogTimer->start(halfMs);
}

int SystemdNotifier::watchdogIntervalMs() const
{
    return m_watchdogTimer->isActive() ? m_watchdogTimer->interval() : 0;
}

void SystemdNotifier::notify(const QByteArray &state) const
{
#ifdef HIVE_HAVE_SYSTEMD
    if (!isActive())
        return;
    const int result = sd_notify(0, state.constData());
    if (result < 0)
        qCWarning(lcSystemd, "sd_notify failed: %s", qUtf8Printable(qt_error_string(-result)));
#else
    Q_UNUSED(state)
#endif
}

} // namespace hive::engine
