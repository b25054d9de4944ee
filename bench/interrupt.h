// SPDX-License-Identifier: MIT
#pragma once

namespace hive::bench {

/// Ctrl-C and SIGTERM for a program that mostly blocks: the handler only sets a flag, and the waiting
/// loops poll it and unwind, so the destructors still stop the servers and remove the temporary dirs.
class Interrupt
{
public:
    static void install();
    [[nodiscard]] static bool requested();
};

} // namespace hive::bench
