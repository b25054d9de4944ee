// SPDX-License-Identifier: MIT
#include "harnessescontroller.h"

#include "agents/harnesses.h"
#include "agentscontroller.h"

#include <QLoggingCategory>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcHarnessApi, "hive.api")
}

Result<protocol::AgentCancelTurnResult> HarnessesController::handle(const protocol::AgentCancelTurnParams &params,
                                                                    const CallContext &context)
{
    qCInfo(lcHarnessApi).noquote() << "cancel the turn of" << params.name << "asked by" << context.actor();
    return m_services.harnesses.cancelTurn(params.name);
}

Result<protocol::AgentInfo> HarnessesController::handle(const protocol::AgentSetModelParams &params,
                                                        const CallContext &context)
{
    qCInfo(lcHarnessApi).noquote() << "model of" << params.name << "set to"
                                   << params.model.value_or(QStringLiteral("agent.toml's")) << "by" << context.actor();
    if (auto set = m_services.harnesses.setModel(params.name, params.model); !set)
        return fail(set.error());
    return AgentsController::describe(m_services, params.name);
}

} // namespace hive::engine
