// SPDX-License-Identifier: MIT
#include "deployedconfig.h"

#include "jsonreader.h"

#include <limits>

namespace hive::protocol {

Result<ConfigParams> ConfigParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(ConfigParams{});
}

QJsonObject CliSpec::toJson() const
{
    QJsonObject variables;
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        variables.insert(it.key(), it.value());
    return {{QStringLiteral("path"), path},
            {QStringLiteral("args"), QJsonArray::fromStringList(args)},
            {QStringLiteral("env"), variables}};
}

Result<CliSpec> CliSpec::fromJson(const QJsonObject &json)
{
    JsonReader r(json, QStringLiteral("cli"));
    CliSpec c;
    QJsonObject variables;
    r.required("path", c.path);
    r.required("args", c.args);
    r.required("env", variables);
    for (auto it = variables.constBegin(); it != variables.constEnd() && r.ok(); ++it) {
        if (!it.value().isString())
            r.invalid("env", QStringLiteral("the value of '%1' must be a string").arg(it.key()));
        else
            c.env.insert(it.key(), it.value().toString());
    }
    return r.finish(std::move(c));
}

QJsonObject HarnessTuning::toJson() const
{
    return {{QStringLiteral("turn_timeout_seconds"), turnTimeoutSeconds},
            {QStringLiteral("rate_limit_retry_seconds"), rateLimitRetrySeconds},
            {QStringLiteral("notes_compact_bytes"), notesCompactBytes}};
}

Result<HarnessTuning> HarnessTuning::fromJson(const QJsonObject &json)
{
    JsonReader r(json, QStringLiteral("harness"));
    HarnessTuning t;
    r.required("turn_timeout_seconds", t.turnTimeoutSeconds);
    r.required("rate_limit_retry_seconds", t.rateLimitRetrySeconds);
    r.required("notes_compact_bytes", t.notesCompactBytes);
    r.checkRange("turn_timeout_seconds", t.turnTimeoutSeconds, 1, std::numeric_limits<int>::max());
    r.checkRange("rate_limit_retry_seconds", t.rateLimitRetrySeconds, 1, std::numeric_limits<int>::max());
    r.checkRange("notes_compact_bytes", t.notesCompactBytes, 1, std::numeric_limits<qint64>::max());
    return r.finish(std::move(t));
}

QJsonObject ConfigResult::toJson() const
{
    QJsonObject json{{QStringLiteral("model"), model},
                     {QStringLiteral("prompt"), prompt},
                     {QStringLiteral("allowed_tools"), QJsonArray::fromStringList(allowedTools)},
                     {QStringLiteral("allowed_recipients"), QJsonArray::fromStringList(allowedRecipients)},
                     {QStringLiteral("mcp_servers"), mcpServers},
                     {QStringLiteral("model_source"), modelSource},
                     {QStringLiteral("cli"), cli.toJson()},
                     {QStringLiteral("harness"), harness.toJson()}};
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
    r.required("model_source", c.modelSource);
    if (r.ok() && c.modelSource != QLatin1String(modelsources::Override) &&
        c.modelSource != QLatin1String(modelsources::Agent) && c.modelSource != QLatin1String(modelsources::Default))
        r.invalid("model_source",
                  QStringLiteral("must be one of override, agent, default, got '%1'").arg(c.modelSource));
    QJsonObject cli;
    QJsonObject harness;
    r.required("cli", cli);
    r.required("harness", harness);
    if (!r.ok())
        return r.finish(std::move(c));
    auto spec = CliSpec::fromJson(cli);
    if (!spec)
        return fail(spec.error());
    c.cli = std::move(*spec);
    auto tuning = HarnessTuning::fromJson(harness);
    if (!tuning)
        return fail(tuning.error());
    c.harness = *tuning;
    return r.finish(std::move(c));
}

} // namespace hive::protocol
