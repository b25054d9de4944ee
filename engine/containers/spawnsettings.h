// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/containers.h"
#include "result.h"

#include <optional>

namespace hive::engine {

/// The rules for one setting each: why the value is wrong (" 'x' is not ..."), or nothing. The
/// API (validateSpawnSettings) and agent.toml say the same.
[[nodiscard]] std::optional<QString> networkProblem(const QString &network);
[[nodiscard]] std::optional<QString> memoryMaxProblem(const QString &memory);
[[nodiscard]] std::optional<QString> cpuQuotaProblem(const QString &quota);

/// Checks agent_spawn's container settings (network, memory_max, cpu_quota): one rule and one
/// message wherever they come from; the error names the field.
[[nodiscard]] Result<void> validateSpawnSettings(const protocol::AgentSpawnParams &params);

} // namespace hive::engine
