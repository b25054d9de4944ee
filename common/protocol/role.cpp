// SPDX-License-Identifier: MIT
#include "role.h"

namespace hive {

QString roleName(Role role)
{
    switch (role) {
    case Role::Viewer:
        return QStringLiteral("viewer");
    case Role::Operator:
        return QStringLiteral("operator");
    case Role::Admin:
        return QStringLiteral("admin");
    }
    return QStringLiteral("viewer");
}

std::optional<Role> parseRole(const QString &name)
{
    for (Role role : {Role::Viewer, Role::Operator, Role::Admin}) {
        if (name == roleName(role))
            return role;
    }
    return std::nullopt;
}

} // namespace hive
