// SPDX-License-Identifier: MIT
#include "managercontroller.h"

#include "approvals/approvals.h"
#include "broker/agentregistry.h"
#include "harnesses.h"

namespace hive::engine {

namespace {

Result<protocol::ApprovalResult> wrap(const Result<protocol::ApprovalInfo> &approval)
{
    if (!approval)
        return fail(approval.error());
    return protocol::ApprovalResult{*approval};
}

} // namespace

Result<Approvals *> ManagerController::approvals() const
{
    if (!m_approvals)
        return fail(ErrorCode::Unavailable, QStringLiteral("the engine is starting: config calls are not served yet"));
    return m_approvals;
}

Result<protocol::ConfigResult> ManagerController::handle(const protocol::ConfigParams & /*params*/,
                                                         const CallContext &context)
{
    auto approvals = this->approvals();
    if (!approvals)
        return fail(approvals.error());
    auto deployed = (*approvals)->deployedConfig(context.actor());
    if (!deployed)
        return fail(deployed.error());
    protocol::ConfigResult result;
    AgentConfig config;
    if (*deployed) {
        auto parsed = parseAgentConfig((*deployed)->toml);
        if (!parsed)
            return fail(parsed.error().wrapped(QStringLiteral("the deployed agent.toml")));
        config = *parsed;
        result.commit = (*deployed)->commit;
        result.approval = (*deployed)->approval;
        result.prompt = (*deployed)->prompt;
    }
    result.model = config.model;
    result.allowedTools = config.cliAllowedTools();
    result.allowedRecipients = config.allowedRecipients;
    for (const McpServerConfig &server : std::as_const(config.extraMcpServers)) {
        QJsonObject env;
        for (auto it = server.env.cbegin(); it != server.env.cend(); ++it)
            env.insert(it.key(), it.value());
        result.mcpServers.append(
            QJsonObject{{QStringLiteral("name"), server.name},
                        {QStringLiteral("command"), server.command},
                        {QStringLiteral("args"), QJsonArray::fromStringList(server.args)},
                        {QStringLiteral("env"), env},
                        {QStringLiteral("allowed_tools"), QJsonArray::fromStringList(server.allowedTools)}});
    }
    result.budgetTokensPerDay = config.budgetTokensPerDay;
    result.budgetCostPerDayUsd = config.budgetCostPerDayUsd;
    // The model (with the operator's override), the CLI and its environment, the harness's limits.
    // The result may hold the API key now: it is never logged.
    if (!m_harnesses)
        return fail(ErrorCode::Unavailable, QStringLiteral("the engine is starting: config calls are not served yet"));
    if (auto completed = m_harnesses->completeConfig(context.actor(), config.model, result); !completed)
        return fail(completed.error());
    return result;
}

Result<protocol::ApprovalResult> ManagerController::handle(const protocol::RequestApplyCommitParams &params,
                                                           const CallContext &context)
{
    return asManager(context,
                     [&](Approvals &approvals) { return wrap(approvals.requestApplyCommit(context.actor(), params)); });
}

Result<protocol::ApprovalResult> ManagerController::handle(const protocol::RequestSpawnParams &params,
                                                           const CallContext &context)
{
    return asManager(context,
                     [&](Approvals &approvals) { return wrap(approvals.requestSpawn(context.actor(), params)); });
}

Result<protocol::DraftResult> ManagerController::handle(const protocol::RequestSpawnDraftParams &params,
                                                        const CallContext &context)
{
    return asManager(context, [&](Approvals &approvals) -> Result<protocol::DraftResult> {
        auto draft = approvals.requestSpawnDraft(context.actor(), params);
        if (!draft)
            return fail(draft.error());
        return protocol::DraftResult{*draft};
    });
}

Result<protocol::ApprovalResult> ManagerController::handle(const protocol::RequestSpawnCommitParams &params,
                                                           const CallContext &context)
{
    return asManager(context,
                     [&](Approvals &approvals) { return wrap(approvals.requestSpawnCommit(context.actor(), params)); });
}

} // namespace hive::engine
