// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace hive::engine {

/// One extra MCP server an agent's CLI may start (agent.toml `[extra_mcp_servers.NAME]`).
struct McpServerConfig {
    QString name;
    QString command; ///< an absolute path inside the container
    QStringList args;
    QMap<QString, QString> env;
    QStringList allowedTools; ///< the server's tools the agent may call (`mcp__NAME__TOOL`)

    friend bool operator==(const McpServerConfig &, const McpServerConfig &) = default;
};

/// An agent's declared configuration: agent.toml at the root of its config repo. Every key is
/// optional; what is absent has the default shown here. docs/agent-config.md documents each key.
struct AgentConfig {
    QString description;
    QString model;                 ///< empty: the engine's default model
    QString prompt;                ///< extra system-prompt text, inline
    QString promptFile;            ///< or a file in the repo (relative, inside it) holding that text
    QStringList allowedRecipients; ///< empty: anyone (as agent_set_recipients); the manager always
    QStringList allowedTools;
    QStringList allowedBashPatterns;        ///< "git *" becomes the CLI's Bash(git *)
    QList<McpServerConfig> extraMcpServers; ///< in the order of their names
    QString memoryMax = QStringLiteral("4G");
    QString cpuQuota = QStringLiteral("200%");
    QString network = QStringLiteral("host");
    std::optional<qint64> budgetTokensPerDay;
    std::optional<double> budgetCostPerDayUsd;
    bool terminal = true; ///< whether operators may open a terminal into the container

    /// What the agent CLI gets as --allowedTools: the tools, each bash pattern as Bash(PATTERN),
    /// and each MCP server's tools as mcp__NAME__TOOL.
    [[nodiscard]] QStringList cliAllowedTools() const;

    friend bool operator==(const AgentConfig &, const AgentConfig &) = default;
};

/// Reads agent.toml. Every problem in the file is reported at once, one per line, as
/// `FILE:LINE:COLUMN: what is wrong (hint)`, sorted by position: TOML syntax, unknown keys (with
/// the nearest known one), wrong types and bad values. The error is ErrorCode::Config.
[[nodiscard]] Result<AgentConfig> parseAgentConfig(const QByteArray &text,
                                                   const QString &fileName = QStringLiteral("agent.toml"));

} // namespace hive::engine
