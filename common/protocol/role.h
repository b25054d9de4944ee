// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <optional>

namespace hive {

/// What an API token may do. Each role includes the ones below it.
enum class Role {
    Viewer = 0,   ///< reads
    Operator = 1, ///< also answers, approves, sends, starts and stops
    Admin = 2,    ///< also manages tokens, destroys and purges
};

[[nodiscard]] QString roleName(Role role);
[[nodiscard]] std::optional<Role> parseRole(const QString &name);
[[nodiscard]] constexpr bool roleAllows(Role held, Role needed)
{
    return static_cast<int>(held) >= static_cast<int>(needed);
}

} // namespace hive
