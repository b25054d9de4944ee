// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

#include <signal.h>

#include <array>

class QSocketNotifier;

namespace hive::engine {

/// Turns SIGTERM/SIGINT and SIGHUP into Qt signals on the thread that created the watcher (self-pipe: the handler
/// only write(2)s the signal number as one byte; a QSocketNotifier reads it in the event loop). One watcher at a
/// time per process; the destructor restores the handlers that were installed before.
class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;
    Q_DISABLE_COPY_MOVE(SignalWatcher)

    /// False when the pipe or a handler could not be set up, or another watcher already exists.
    [[nodiscard]] bool isInstalled() const;

Q_SIGNALS:
    void terminateRequested(int signalNumber);
    void reloadRequested();

private:
    void readPending();

    int m_readFd = -1;
    int m_writeFd = -1;
    QSocketNotifier *m_notifier = nullptr;
    std::array<struct sigaction, 3> m_previous = {};
    std::array<bool, 3> m_replaced = {};
};

} // namespace hive::engine
