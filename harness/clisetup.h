// SPDX-License-Identifier: MIT
#pragma once

#include "cliprocess.h"
#include "result.h"

#include <QJsonArray>
#include <QMap>
#include <QString>
#include <QStringList>

namespace hive::protocol {
struct ConfigResult;
}

namespace hive::harness {

/// The MCP server name of the hive tools in the agent CLI's config (tools are `mcp__hive__send`, ...).
inline constexpr char HiveMcpServer[] = "hive";

/// What the turns run with: the engine's `config` answer for this agent, as the harness uses it.
struct ServeSettings {
    QString agent;
    QString kind; ///< "agent" or "manager"
    QString cliPath;
    QStringList cliArgs;
    QMap<QString, QString> cliEnv; ///< may hold the API key: never logged
    QString model;                 ///< empty: the CLI's own default
    QString extraPrompt;
    QStringList allowedTools;      ///< from agent.toml; the hive tools are always added
    QStringList allowedRecipients; ///< [] = anyone
    QJsonArray mcpServers;         ///< [{name, command, args, env, allowed_tools}]
    int turnTimeoutSeconds = 1800;
    int rateLimitRetrySeconds = 60;
    qint64 notesCompactBytes = 32768;

    [[nodiscard]] static ServeSettings from(const QString &agent, const QString &kind,
                                            const protocol::ConfigResult &config);
};

/// Where the harness and the CLI find things.
struct HarnessPaths {
    QString socketPath; ///< the agent socket (/run/hive/agent.sock in a container)
    QString stateDir;   ///< the CLI's cwd and the agent's persistent dir (/state)
    QString runDir;     ///< the harness's generated files (MCP config, settings, prompts)
    QString selfPath;   ///< this program, which the CLI starts as `hive-harness mcp`

    [[nodiscard]] QString notesPath() const;
    [[nodiscard]] QString mcpConfigPath() const;
    [[nodiscard]] QString settingsPath() const;
    [[nodiscard]] QString systemPromptPath() const;
    [[nodiscard]] QString notesPromptPath() const;
};

/// The CLI's MCP config: the hive server (`SELF mcp --socket SOCKET`) and agent.toml's servers.
[[nodiscard]] QJsonObject mcpConfig(const ServeSettings &settings, const HarnessPaths &paths);
/// The system prompt: the agent or manager template with the agent's name, tools and extra text.
[[nodiscard]] QString systemPrompt(const ServeSettings &settings, const HarnessPaths &paths);
/// The --allowedTools list: every hive tool, then agent.toml's.
[[nodiscard]] QStringList allowedTools(const ServeSettings &settings);

/// Writes the MCP config, the settings and the system prompt into runDir (0700, files 0600: the
/// MCP config can hold extra servers' secrets). Files are replaced atomically.
[[nodiscard]] Result<void> writeTurnFiles(const ServeSettings &settings, const HarnessPaths &paths);

/// The environment of every CLI run: ours, no non-essential traffic or self-update, then the
/// engine's `cli.env` on top (the operator can override any of it).
[[nodiscard]] QProcessEnvironment cliEnvironment(const ServeSettings &settings);

/// One turn: `claude -p --output-format stream-json --verbose --continue ...` with the prompt on stdin.
[[nodiscard]] CliInvocation turnInvocation(const ServeSettings &settings, const HarnessPaths &paths,
                                           const QString &prompt);

/// The short secondary session that rewrites notes.md in place: no session kept (so `--continue`
/// never picks it up), only Read, Write and Edit.
[[nodiscard]] CliInvocation notesInvocation(const ServeSettings &settings, const HarnessPaths &paths,
                                            qint64 notesBytes);

} // namespace hive::harness
