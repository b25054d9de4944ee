// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace hive::bench {

/// The hive-bench-broker program: the benchmark (see Benchmark and docs/benchmarks.md), or with the
/// hidden --worker option one of its client processes (see Worker). Exit codes: 0 success, 1 a
/// measurement failed, 2 bad command line, 130 interrupted.
class BenchApplication
{
public:
    /// Needs a QCoreApplication; `arguments` as QCoreApplication::arguments() gives them.
    [[nodiscard]] static int run(const QStringList &arguments);
};

} // namespace hive::bench
