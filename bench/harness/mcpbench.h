// SPDX-License-Identifier: MIT
#pragma once

#include "harnessbenchsettings.h"
#include "result.h"

namespace hive::bench {

class EngineServer;

/// mcp-roundtrip: what one hive tool call costs the agent CLI. A real hive-engine with the agents alice and bob,
/// `hive-harness mcp --socket <alice's socket>` as a child spoken to over its stdio as the CLI does (initialize,
/// notifications/initialized, tools/list), then `count` tools/call of `send` (alice -> bob, a small body) and of
/// `recv` without wait_seconds (a peek at alice's empty inbox), one at a time. The anchor is the same engine call
/// made directly on alice's socket (newline JSON-RPC `send` / `recv`), interleaved call by call with ours. Bob's
/// inbox is drained (recv + ack on his own socket) every few dozen sends, untimed, so that it stays small. Prints
///   bench: mcp-send-p50|mcp-send-p99|mcp-recv-peek-p50|mcp-recv-peek-p99 ours=<ms> anchor=<ms> ratio=<ours/anchor>
class McpBench
{
public:
    explicit McpBench(HarnessBenchSettings settings) : m_settings(std::move(settings)) {}

    /// Returns the exit code: 0, 1 when a measurement failed, 130 when interrupted.
    [[nodiscard]] int run();

private:
    [[nodiscard]] Result<void> runMeasured(EngineServer &engine);

    HarnessBenchSettings m_settings;
};

} // namespace hive::bench
