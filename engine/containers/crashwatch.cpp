// SPDX-License-Identifier: MIT
#include "crashwatch.h"

#include <QSocketNotifier>
#include <QTimer>

#include <unistd.h>

namespace hive::engine {

CrashWatch::CrashWatch(const ContainerRuntime &runtime, std::chrono::milliseconds interval, QObject *parent)
    : QObject(parent), m_runtime(runtime)
{
    m_timer = new QTimer(this);
    connect(m_timer, &QTimer::timeout, this, &CrashWatch::check);
    m_timer->start(interval);
}

CrashWatch::~CrashWatch()
{
    const QStringList agents = m_watched.keys();
    for (const QString &agent : agents)
        unwatch(agent);
}

void CrashWatch::watch(const QString &agent, const ContainerProcess &process)
{
    unwatch(agent);
    Entry entry{process, nullptr, m_runtime.exitNotifier(process)};
    if (entry.fd >= 0) {
        entry.notifier = new QSocketNotifier(entry.fd, QSocketNotifier::Read, this);
        connect(entry.notifier, &QSocketNotifier::activated, this, &CrashWatch::check);
    }
    m_watched.insert(agent, entry);
}

void CrashWatch::unwatch(const QString &agent)
{
    auto it = m_watched.find(agent);
    if (it == m_watched.end())
        return;
    if (it->notifier) {
        it->notifier->setEnabled(false);
        it->notifier->deleteLater(); // may be inside its own activated()
    }
    if (it->fd >= 0)
        ::close(it->fd);
    m_watched.erase(it);
}

void CrashWatch::check()
{
    QList<std::pair<QString, ContainerProcess>> gone;
    for (auto it = m_watched.cbegin(); it != m_watched.cend(); ++it) {
        if (!m_runtime.isRunning(it->process))
            gone.append({it.key(), it->process});
    }
    for (const auto &[agent, process] : std::as_const(gone)) {
        unwatch(agent);
        Q_EMIT exited(agent, process);
    }
}

} // namespace hive::engine
