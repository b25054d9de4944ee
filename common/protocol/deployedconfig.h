// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QJsonArray>
#include <QJsonObject>
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

/// The deployed config as the harness uses it. Without a deploy yet (`commit` absent) every
/// field has agent.toml's default.
struct ConfigResult {
    std::optional<QString> commit;  ///< the deployed commit of the agent's config repo
    std::optional<qint64> approval; ///< the approval that deployed it
    QString model;                  ///< empty: the engine's default
    QString prompt;                 ///< extra system-prompt text (inline or from the file agent.toml names)
    QStringList allowedTools;       ///< the agent CLI's --allowedTools: tools, Bash(PATTERN), mcp__NAME__TOOL
    QStringList allowedRecipients;  ///< [] = anyone
    QJsonArray mcpServers;          ///< [{name, command, args, env, allowed_tools}]
    std::optional<qint64> budgetTokensPerDay;
    std::optional<double> budgetCostPerDayUsd;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ConfigResult> fromJson(const QJsonObject &json);
    friend bool operator==(const ConfigResult &, const ConfigResult &) = default;
};

} // namespace hive::protocol
