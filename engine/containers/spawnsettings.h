// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/containers.h"
#include "result.h"

#include <limits>
#include <optional>

namespace hive::engine {

/// The rules for one setting each: why the value is wrong (" 'x' is not ..."), or nothing. The
/// API (validateSpawnSettings) and agent.toml say the same.
[[nodiscard]] std::optional<QString> networkProblem(const QString &network);
[[nodiscard]] std::optional<QString> memoryMaxProblem(const QString &memory);
[[nodiscard]] std::optional<QString> cpuQuotaProblem(const QString &quota);

/// memory_max "infinity" as parseMemoryMax gives it: above every size.
inline constexpr quint64 MemoryInfinity = std::numeric_limits<quint64>::max();

/// A valid memory_max in bytes (K, M, G and T are powers of 1024; sizes too large for 64 bits
/// count as MemoryInfinity - 1), MemoryInfinity for "infinity", or nothing when memoryMaxProblem
/// has one. Lets two limits be compared ("4096M" is "4G").
[[nodiscard]] std::optional<quint64> parseMemoryMax(const QString &memory);
/// A valid cpu_quota as its percentage (1 to 10000), or nothing when cpuQuotaProblem has one.
[[nodiscard]] std::optional<int> parseCpuQuota(const QString &quota);

/// Checks agent_spawn's container settings (network, memory_max, cpu_quota): one rule and one
/// message wherever they come from; the error names the field.
[[nodiscard]] Result<void> validateSpawnSettings(const protocol::AgentSpawnParams &params);

} // namespace hive::engine
