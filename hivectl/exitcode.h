// SPDX-License-Identifier: MIT
#pragma once

namespace hive::ctl {

/// hivectl's exit codes, as documented in --help; scripts rely on them, so they never change.
enum class ExitCode {
    Ok = 0,
    /// The engine refused the call (an error reply) or a check failed (audit chain broken,
    /// event resync required).
    Refused = 1,
    /// A usage error or a local problem: bad arguments, no connection, an untrusted or changed
    /// certificate, an unreadable token file.
    Local = 2,
};

[[nodiscard]] constexpr int toInt(ExitCode code)
{
    return static_cast<int>(code);
}

} // namespace hive::ctl
