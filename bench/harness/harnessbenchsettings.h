// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace hive::bench {

/// What every workload of hive-bench-harness gets from its command line.
struct HarnessBenchSettings {
    QString engineProgram;
    QString harnessProgram;
    QString cliProgram; ///< the real agent CLI (the turn workload)
    QString dir;        ///< this workload's own dir inside the run's temporary dir (state dirs, logs)
    int count = 2000;   ///< tool calls per figure (mcp-roundtrip)
    int turns = 10;     ///< turns per side (turn-overhead)
};

} // namespace hive::bench
