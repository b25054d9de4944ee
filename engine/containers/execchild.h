// SPDX-License-Identifier: MIT
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>

namespace hive::engine {

/// In a child after fork(), right before execve(): closes every descriptor from `firstToClose`
/// on (`maxFd` bounds the fallback loop on kernels without close_range), puts every signal back
/// to its default action and unblocks all of them, so the program starts as from a clean shell.
/// Only async-signal-safe calls: another thread of the parent may have held a lock at fork().
inline void resetForExec(unsigned firstToClose, long maxFd)
{
    if (::syscall(SYS_close_range, firstToClose, ~0U, 0U) != 0) {
        for (long fd = firstToClose; fd < maxFd; ++fd)
            ::close(static_cast<int>(fd));
    }
    struct sigaction defaults = {};
    defaults.sa_handler = SIG_DFL;
    for (int signal = 1; signal < NSIG; ++signal)
        ::sigaction(signal, &defaults, nullptr);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

} // namespace hive::engine
