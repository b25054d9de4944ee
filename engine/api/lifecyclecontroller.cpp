// SPDX-License-Identifier: MIT
#include "lifecyclecontroller.h"

#include "agentscontroller.h"
#include "containers/agentlifecycle.h"

#include <QLoggingCategory>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcLifecycleApi, "hive.api")
}

using protocol::LifecycleOp;

AgentLifecycle::Done LifecycleController::answerWithAgent(const QString &name, Reply<protocol::AgentInfo> reply)
{
    return [&services = m_services, name, reply = std::move(reply)](const Result<void> &done) {
        if (!done)
            reply(fail(done.error()));
        else
            reply(AgentsController::describe(services, name));
    };
}

void LifecycleController::run(LifecycleOp op, const QString &name, const CallContext &context,
                              Reply<protocol::AgentInfo> reply)
{
    qCInfo(lcLifecycleApi).noquote() << protocol::lifecycleOpName(op) << name << "asked by" << context.actor();
    m_services.lifecycle.submit(op, name, answerWithAgent(name, std::move(reply)));
}

void LifecycleController::handle(const protocol::AgentSpawnParams &params, const CallContext &context,
                                 Reply<protocol::AgentInfo> reply)
{
    qCInfo(lcLifecycleApi).noquote() << "spawn" << params.name << "asked by" << context.actor();
    m_services.lifecycle.spawn(params, answerWithAgent(params.name, std::move(reply)));
}

void LifecycleController::handle(const protocol::AgentPurgeParams &params, const CallContext &context,
                                 Reply<protocol::AgentPurgeResult> reply)
{
    qCInfo(lcLifecycleApi).noquote() << "purge" << params.name << "asked by" << context.actor();
    m_services.lifecycle.submit(LifecycleOp::Purge, params.name, [name = params.name, reply](const Result<void> &done) {
        if (!done)
            reply(fail(done.error()));
        else
            reply(protocol::AgentPurgeResult{name});
    });
}

} // namespace hive::engine
