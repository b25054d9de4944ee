// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/containers.h"
#include "result.h"

namespace hive::engine {

/// Checks agent_spawn's container settings (network, memory_max, cpu_quota): one rule and one
/// message wherever they come from; the error names the field.
[[nodiscard]] Result<void> validateSpawnSettings(const protocol::AgentSpawnParams &params);

} // namespace hive::engine
