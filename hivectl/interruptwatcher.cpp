// SPDX-License-Identifier: MIT
#include "interruptwatcher.h"

#include <QSocketNotifier>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace hive::ctl {

namespace {

constexpr std::array<int, 2> WatchedSignals = {SIGINT, SIGTERM};

// Read by the signal handler, so it must be lock-free to be async-signal-safe.
std::atomic<int> handlerWriteFd{-1};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void onInterrupt(int signalNumber)
{
    const int savedErrno = errno;
    const auto byte = static_cast<unsigned char>(signalNumber);
    const int fd = handlerWriteFd.load();
    if (fd >= 0 && ::write(fd, &byte, 1) < 0) {
        // A full pipe already holds a pending interrupt; this one adds nothing.
    }
    errno = savedErrno;
}

} // namespace

InterruptWatcher::InterruptWatcher(QObject *parent) : QObject(parent)
{
    int fds[2] = {-1, -1};
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    int expected = -1;
    if (!handlerWriteFd.compare_exchange_strong(expected, fds[1])) {
        ::close(fds[0]);
        ::close(fds[1]);
        return;
    }
    m_readFd = fds[0];
    m_writeFd = fds[1];
    m_notifier = new QSocketNotifier(m_readFd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &InterruptWatcher::readPending);

    struct sigaction action = {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (std::size_t i = 0; i < WatchedSignals.size(); ++i)
        m_replaced[i] = ::sigaction(WatchedSignals[i], &action, &m_previous[i]) == 0;
}

InterruptWatcher::~InterruptWatcher()
{
    // Handlers first: after this no handler can write to the pipe about to be closed.
    for (std::size_t i = 0; i < WatchedSignals.size(); ++i) {
        if (m_replaced[i])
            ::sigaction(WatchedSignals[i], &m_previous[i], nullptr);
    }
    if (m_writeFd < 0)
        return;
    handlerWriteFd.store(-1);
    delete m_notifier;
    ::close(m_readFd);
    ::close(m_writeFd);
}

void InterruptWatcher::readPending()
{
    unsigned char buffer[16];
    int last = 0;
    for (;;) {
        const ssize_t count = ::read(m_readFd, buffer, sizeof buffer);
        if (count < 0 && errno == EINTR)
            continue;
        if (count <= 0)
            break;
        last = buffer[count - 1];
    }
    if (last != 0)
        Q_EMIT interrupted(last);
}

} // namespace hive::ctl
