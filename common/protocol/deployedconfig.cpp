// SPDX-License-Identifier: MIT
#include "deployedconfig.h"

#include "jsonreader.h"

namespace hive::protocol {

Result<ConfigParams> ConfigParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(ConfigParams{});
}

QJsonObject ConfigResult::toJson() const
{
    QJsonObject json{{QStringLiteral("model"), model},
                     {QStringLiteral("prompt"), prompt},
                     {QStringLiteral("allowed_tools"), QJsonArray::fromStringList(allowedTools)},
                     {QStringLiteral("allowed_recipients"), QJsonArray::fromStringList(allowedRecipients)},
                     {QStringLiteral("mcp_servers"), mcpServers}};
    if (commit)
        json.insert(QStringLiteral("commit"), *commit);
    if (approval)
        json.insert(QStringLiteral("approval"), *approval);
    if (budgetTokensPerDay)
        json.insert(QStringLiteral("budget_tokens_per_day"), *budgetTokensPerDay);
    if (budgetCostPerDayUsd)
        json.insert(QStringLiteral("budget_cost_per_day_usd"), *budgetCostPerDayUsd);
    return json;
}

Result<ConfigResult> ConfigResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ConfigResult c;
    r.optional("commit", c.commit);
    r.optional("approval", c.approval);
    r.required("model", c.model);
    r.required("prompt", c.prompt);
    r.required("allowed_tools", c.allowedTools);
    r.required("allowed_recipients", c.allowedRecipients);
    QJsonArray servers;
    r.required("mcp_servers", servers);
    c.mcpServers = servers;
    r.optional("budget_tokens_per_day", c.budgetTokensPerDay);
    r.optional("budget_cost_per_day_usd", c.budgetCostPerDayUsd);
    return r.finish(std::move(c));
}

} // namespace hive::protocol
