// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace hive::protocol {

/// config (agent surface): what the calling agent's deployed agent.toml asks of its harness.
struct ConfigParams {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<ConfigParams> fromJson(const QJsonObject &json);
    friend bool operator==(const ConfigParams &, const ConfigParams &) = default;
};

/// Where ConfigResult.model came from (API 1.6.0).
namespace modelsources {
inline constexpr char Override[] = "override"; ///< the operator's agent_set_model
inline constexpr char Agent[] = "agent";       ///< the deployed agent.toml
inline constexpr char Default[] = "default";   ///< engine.conf's harness.default_model (may be empty)
} // namespace modelsources

/// How the harness starts the agent CLI (engine.conf's [harness]; API 1.6.0).
struct CliSpec {
    QString path;               ///< the agent CLI inside the container
    QStringList args;           ///< put before the harness's own arguments
    QMap<QString, QString> env; ///< added to the CLI's environment; may hold ANTHROPIC_API_KEY (a secret)

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<CliSpec> fromJson(const QJsonObject &json);
    friend bool operator==(const CliSpec &, const CliSpec &) = default;
};

/// The harness's own limits (engine.conf's [harness]; API 1.6.0).
struct HarnessTuning {
    int turnTimeoutSeconds = 1800;    ///< a turn running longer is stopped
    int rateLimitRetrySeconds = 60;   ///< wait before retrying when the API rate-limits without saying until when
    qint64 notesCompactBytes = 32768; ///< the agent's notes past this size get compacted

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<HarnessTuning> fromJson(const QJsonObject &json);
    friend bool operator==(const HarnessTuning &, const HarnessTuning &) = default;
};

/// The deployed config as the harness uses it. Without a deploy yet (`commit` absent) every
/// field has agent.toml's default.
struct ConfigResult {
    std::optional<QString> commit;  ///< the deployed commit of the agent's config repo
    std::optional<qint64> approval; ///< the approval that deployed it
    QString model;                  ///< override ?? agent.toml ?? harness.default_model; empty: the agent CLI's default
    QString prompt;                 ///< extra system-prompt text (inline or from the file agent.toml names)
    QStringList allowedTools;       ///< the agent CLI's --allowedTools: tools, Bash(PATTERN), mcp__NAME__TOOL
    QStringList allowedRecipients;  ///< [] = anyone
    QJsonArray mcpServers;          ///< [{name, command, args, env, allowed_tools}]
    std::optional<qint64> budgetTokensPerDay;
    std::optional<double> budgetCostPerDayUsd;
    /// Where `model` came from: see modelsources.
    QString modelSource = QString::fromLatin1(modelsources::Default);
    CliSpec cli; ///< never logged: its env may hold the API key
    HarnessTuning harness;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ConfigResult> fromJson(const QJsonObject &json);
    friend bool operator==(const ConfigResult &, const ConfigResult &) = default;
};

} // namespace hive::protocol
