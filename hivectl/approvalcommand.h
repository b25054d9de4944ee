// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

namespace hive::ctl {

class EngineConnection;
class Terminal;
struct Invocation;

/// The operator's side of the approval queue: `hivectl approval list|show|approve|deny`,
/// `hivectl spawn` (a spawn request of the operator's own), `hivectl draft list|discard` and
/// `hivectl gc` (the approval tags' retention).
class ApprovalCommand
{
public:
    ApprovalCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal);
    [[nodiscard]] int list();
    /// The approval, its capability delta (widening lines marked) and its diff, unified.
    [[nodiscard]] int show();
    /// Waits for the deploy, as long as the lifecycle commands wait; a failed deploy is exit 1.
    [[nodiscard]] int approve();
    [[nodiscard]] int deny();
    [[nodiscard]] int spawn();
    [[nodiscard]] int drafts();
    [[nodiscard]] int discardDraft();
    [[nodiscard]] int gc();

    /// Before `draft discard` connects: as AgentCommand::confirmPurge, the draft's name typed at
    /// a terminal or --yes; an error means: do not discard (exit 2).
    [[nodiscard]] static Result<void> confirmDiscard(const Invocation &invocation, Terminal &terminal);

private:
    EngineConnection &m_connection;
    const Invocation &m_invocation;
    Terminal &m_terminal;
};

} // namespace hive::ctl
