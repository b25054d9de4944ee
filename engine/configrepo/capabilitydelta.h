// SPDX-License-Identifier: MIT
#pragma once

#include "agentconfig.h"
#include "protocol/approvals.h"

#include <QList>

namespace hive::engine {

/// What deploying `after` in place of `before` does to an agent's powers, for the operator who
/// approves it: one entry per change, area by area in the order recipients, tools,
/// bash_patterns, mcp_servers, limits, network, budget, terminal, each marked widening (the
/// agent can do more) or narrowing. Equal configs give an empty list; description, model and
/// prompt are not capabilities and never appear. docs/agent-config.md ("Capability delta")
/// states the rules.
///
/// A spawn has nothing running to compare with: callers pass `AgentConfig{}` (the defaults an
/// empty agent.toml gives) as `before`, so that only what the new agent gets beyond the
/// defaults, or loses, is listed.
[[nodiscard]] QList<protocol::CapabilityChange> capabilityDelta(const AgentConfig &before, const AgentConfig &after);

} // namespace hive::engine
