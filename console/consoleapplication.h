// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace hive::console {

/// The hive-console program's command line. Exit codes: 0 ok, 2 usage error.
class ConsoleApplication
{
public:
    [[nodiscard]] static int run(const QStringList &arguments);
};

} // namespace hive::console
