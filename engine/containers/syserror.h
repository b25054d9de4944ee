// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QString>

#include <cerrno>
#include <cstring>

namespace hive::engine {

/// errno's text.
inline QString errnoText(int error = errno)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

/// "cannot <action> <path>: <errno's text>", an Io error.
inline Unexpected ioFailure(const char *action, const QString &path)
{
    const int error = errno;
    return fail(ErrorCode::Io, QStringLiteral("cannot %1 %2: %3").arg(QLatin1String(action), path, errnoText(error)));
}

} // namespace hive::engine
