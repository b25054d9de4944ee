// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

#include <signal.h>

#include <array>

class QSocketNotifier;

namespace hive::ctl {

/// Turns SIGINT (Ctrl-C) and SIGTERM into a Qt signal while `hivectl events` follows the
/// stream, so it can stop cleanly and exit 0. Self-pipe: the handler only write(2)s one byte.
/// One watcher at a time; the destructor restores the previous handlers.
class InterruptWatcher : public QObject
{
    Q_OBJECT
public:
    explicit InterruptWatcher(QObject *parent = nullptr);
    ~InterruptWatcher() override;
    Q_DISABLE_COPY_MOVE(InterruptWatcher)

    [[nodiscard]] bool isInstalled() const { return m_writeFd >= 0; }

Q_SIGNALS:
    void interrupted(int signalNumber);

private:
    void readPending();

    int m_readFd = -1;
    int m_writeFd = -1;
    QSocketNotifier *m_notifier = nullptr;
    std::array<struct sigaction, 2> m_previous = {};
    std::array<bool, 2> m_replaced = {};
};

} // namespace hive::ctl
