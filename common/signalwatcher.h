// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

#include <signal.h>

#include <array>

class QSocketNotifier;

namespace hive {

/// Turns SIGTERM/SIGINT, SIGHUP and SIGWINCH into Qt signals on the thread that created the watcher (self-pipe: the
/// handler only write(2)s the signal number as one byte; a QSocketNotifier reads it in the event loop). One watcher at
/// a time per process; the destructor restores the handlers that were installed before. POSIX only: the engine and
/// hivectl use it, the portable console does not.
class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    /// What SIGHUP means to the program: a reload request (a service), or what it means by default, ending the
    /// process (a command in a terminal that goes away).
    enum class Hangup { Reload, Default };

    explicit SignalWatcher(Hangup hangup = Hangup::Reload, QObject *parent = nullptr);
    ~SignalWatcher() override;
    Q_DISABLE_COPY_MOVE(SignalWatcher)

    /// False when the pipe or a handler could not be set up, or another watcher already exists.
    [[nodiscard]] bool isInstalled() const;

Q_SIGNALS:
    void terminateRequested(int signalNumber);
    void reloadRequested();
    /// SIGWINCH: the controlling terminal changed its size (ignored unless someone listens).
    void windowResized();

private:
    void readPending();

    int m_readFd = -1;
    int m_writeFd = -1;
    QSocketNotifier *m_notifier = nullptr;
    std::array<struct sigaction, 4> m_previous = {};
    std::array<bool, 4> m_replaced = {};
    std::array<bool, 4> m_handled = {true, true, true, true};
};

} // namespace hive
