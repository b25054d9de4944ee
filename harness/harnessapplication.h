// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace hive::harness {

/// The hive-harness program's command line. Exit codes: 0 ok, 2 usage error.
class HarnessApplication
{
public:
    [[nodiscard]] static int run(const QStringList &arguments);
};

} // namespace hive::harness
