// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <optional>

namespace hive::ctl {

class Terminal;
struct Invocation;

/// `hivectl cert fingerprint`. Locally: the running engine's fingerprint (engine_info), else the
/// certificate file in the state dir, so it also works before the engine runs or while it is
/// down. Remotely: what the engine presents, shown as unverified; no token is needed and
/// nothing is pinned, since this is how a user gets a fingerprint to compare, not to trust.
/// stdout is the fingerprint alone, for `--trust-fingerprint "$(hivectl cert fingerprint)"`.
class CertCommand
{
public:
    CertCommand(const Invocation &invocation, Terminal &terminal);
    [[nodiscard]] int run();

private:
    int runLocal();
    int runRemote();
    [[nodiscard]] std::optional<QString> fromRunningEngine();
    [[nodiscard]] Result<QString> fromFile() const;

    const Invocation &m_invocation;
    Terminal &m_terminal;
};

} // namespace hive::ctl
