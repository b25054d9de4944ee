// SPDX-License-Identifier: MIT
#pragma once

#include "containerruntime.h"

#include <QHash>
#include <QObject>

#include <chrono>

class QSocketNotifier;
class QTimer;

namespace hive::engine {

/// Watches running containers' top processes and reports each one's exit once: at once through
/// a pidfd where the runtime offers one, and by polling every `interval` as a backstop.
class CrashWatch : public QObject
{
    Q_OBJECT
public:
    CrashWatch(const ContainerRuntime &runtime, std::chrono::milliseconds interval, QObject *parent = nullptr);
    ~CrashWatch() override;

    void watch(const QString &agent, const ContainerProcess &process);
    /// Stops watching (an operator stop: its exit is expected).
    void unwatch(const QString &agent);
    [[nodiscard]] bool isWatched(const QString &agent) const { return m_watched.contains(agent); }
    /// Checks every watched process now.
    void check();

Q_SIGNALS:
    /// The watched process is gone; the agent is no longer watched.
    void exited(const QString &agent, const hive::engine::ContainerProcess &process);

private:
    struct Entry {
        ContainerProcess process;
        QSocketNotifier *notifier = nullptr;
        int fd = -1;
    };

    const ContainerRuntime &m_runtime;
    QHash<QString, Entry> m_watched;
    QTimer *m_timer = nullptr;
};

} // namespace hive::engine
