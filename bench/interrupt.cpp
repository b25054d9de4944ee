// SPDX-License-Identifier: MIT
#include "interrupt.h"

#include <atomic>
#include <csignal>

namespace hive::bench {

namespace {

std::atomic<bool> requestedFlag{false};

void onSignal(int /*signal*/)
{
    requestedFlag.store(true);
}

} // namespace

void Interrupt::install()
{
    struct sigaction action {
    };
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

bool Interrupt::requested()
{
    return requestedFlag.load();
}

} // namespace hive::bench
