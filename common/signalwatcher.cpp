// SPDX-License-Identifier: MIT
#include "signalwatcher.h"

#include <QLoggingCategory>
#include <QSocketNotifier>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace hive {

namespace {
Q_LOGGING_CATEGORY(lcSignals, "hive.signals")

constexpr std::array<int, 4> WatchedSignals = {SIGTERM, SIGINT, SIGHUP, SIGWINCH};

// Read by the signal handler, so it must be lock-free to be async-signal-safe.
std::atomic<int> signalPipeWriteFd{-1};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void onSignal(int signalNumber)
{
    // Only async-signal-safe calls here: write(2) one byte and keep errno as the interrupted code left it.
    const int savedErrno = errno;
    const auto byte = static_cast<unsigned char>(signalNumber);
    const int fd = signalPipeWriteFd.load();
    if (fd >= 0 && ::write(fd, &byte, 1) < 0) {
        // The pipe is full: a signal of each kind is already pending, so dropping this one loses nothing.
    }
    errno = savedErrno;
}
} // namespace

SignalWatcher::SignalWatcher(Hangup hangup, QObject *parent) : QObject(parent)
{
    int fds[2] = {-1, -1};
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        qCWarning(lcSignals, "cannot create the signal pipe: %s", std::strerror(errno));
        return;
    }
    int expected = -1;
    if (!signalPipeWriteFd.compare_exchange_strong(expected, fds[1])) {
        qCWarning(lcSignals, "another SignalWatcher is installed; this one stays inactive");
        ::close(fds[0]);
        ::close(fds[1]);
        return;
    }
    m_readFd = fds[0];
    m_writeFd = fds[1];
    m_notifier = new QSocketNotifier(m_readFd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatcher::readPending);

    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    // SA_RESTART so that blocking calls elsewhere in the process are not failed with EINTR by our signals.
    action.sa_flags = SA_RESTART;
    for (std::size_t i = 0; i < WatchedSignals.size(); ++i) {
        if (WatchedSignals[i] == SIGHUP && hangup == Hangup::Default) {
            m_handled[i] = false;
            continue;
        }
        if (::sigaction(WatchedSignals[i], &action, &m_previous[i]) == 0)
            m_replaced[i] = true;
        else
            qCWarning(lcSignals, "cannot handle signal %d: %s", WatchedSignals[i], std::strerror(errno));
    }
}

SignalWatcher::~SignalWatcher()
{
    // Handlers first: after this no handler can write to the pipe we are about to close.
    for (std::size_t i = 0; i < WatchedSignals.size(); ++i) {
        if (m_replaced[i])
            ::sigaction(WatchedSignals[i], &m_previous[i], nullptr);
    }
    if (m_writeFd < 0)
        return;
    signalPipeWriteFd.store(-1);
    delete m_notifier;
    ::close(m_readFd);
    ::close(m_writeFd);
}

bool SignalWatcher::isInstalled() const
{
    for (std::size_t i = 0; i < WatchedSignals.size(); ++i) {
        if (m_handled[i] && !m_replaced[i])
            return false;
    }
    return m_writeFd >= 0;
}

void SignalWatcher::readPending()
{
    unsigned char buffer[64];
    for (;;) {
        const ssize_t count = ::read(m_readFd, buffer, sizeof buffer);
        if (count < 0 && errno == EINTR)
            continue;
        if (count <= 0)
            return;
        for (ssize_t i = 0; i < count; ++i) {
            const int signalNumber = buffer[i];
            qCDebug(lcSignals, "received signal %d", signalNumber);
            if (signalNumber == SIGHUP)
                Q_EMIT reloadRequested();
            else if (signalNumber == SIGWINCH)
                Q_EMIT windowResized();
            else
                Q_EMIT terminateRequested(signalNumber);
        }
    }
}

} // namespace hive
