// SPDX-License-Identifier: MIT
#include "managerlifecyclecontroller.h"

#include "api/agentscontroller.h"
#include "broker/agentregistry.h"
#include "containers/agentlifecycle.h"
#include "store/auditlog.h"

#include <QLoggingCategory>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcManagerLifecycle, "hive.agents")

bool isManager(const CallContext &context)
{
    return context.actor() == QLatin1String(AgentRegistry::ManagerName);
}

/// The audit row of one call: the agent as `agent:NAME`, its kind as the role, the method as
/// called on the agent surface (`kill`, not `agent_kill`), so rows never pass for an operator's.
void audit(ApiServices &services, const CallContext &context, const QString &name, const Error *error)
{
    auto appended = services.audit.append(
        AuditLog::Call{QStringLiteral("agent:") + context.actor(),
                       isManager(context) ? QStringLiteral("manager") : QStringLiteral("agent"), context.method,
                       QJsonObject{{QStringLiteral("name"), name}},
                       error ? errorCodeName(error->code) : QStringLiteral("ok"), error ? error->message : QString()});
    if (!appended) {
        qCCritical(lcManagerLifecycle).noquote() << "cannot write the audit row for" << context.method << "by"
                                                 << context.actor() << ":" << appended.error().message;
    }
}

} // namespace

Result<ApiServices *> ManagerLifecycleController::services(const CallContext &context) const
{
    if (!isManager(context)) {
        return fail(ErrorCode::Forbidden,
                    QStringLiteral("%1 is the manager's: ask the manager for it").arg(context.method));
    }
    if (!m_services) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the engine is starting: lifecycle calls are not served yet"));
    }
    return m_services;
}

Result<protocol::AgentListResult> ManagerLifecycleController::handle(const protocol::AgentListParams &params,
                                                                     const CallContext &context)
{
    auto services = this->services(context);
    if (!services)
        return fail(services.error());
    return AgentsController(**services).handle(params, context);
}

void ManagerLifecycleController::run(protocol::LifecycleOp op, const QString &name, const CallContext &context,
                                     Reply<protocol::AgentInfo> reply)
{
    auto services = this->services(context);
    if (!services) {
        if (m_services)
            audit(*m_services, context, name, &services.error());
        reply(fail(services.error()));
        return;
    }
    ApiServices &api = **services;
    const QString opName = protocol::lifecycleOpName(op);
    if (op != protocol::LifecycleOp::Start && name == context.actor()) {
        // Its own container runs the harness that made this call: the reply could never arrive,
        // and nothing would start the manager again. The operator can.
        const Error refused{ErrorCode::Forbidden,
                            QStringLiteral("the manager cannot %1 itself: that would stop the container this call "
                                           "comes from; ask the operator to %1 the manager (agent_%1)")
                                .arg(opName),
                            {}};
        audit(api, context, name, &refused);
        reply(fail(refused));
        return;
    }
    qCInfo(lcManagerLifecycle).noquote() << opName << name << "asked by the manager";
    api.lifecycle.submit(op, name, [&api, context, name, reply = std::move(reply)](const Result<void> &done) {
        audit(api, context, name, done ? nullptr : &done.error());
        if (!done)
            reply(fail(done.error()));
        else
            reply(AgentsController::describe(api, name));
    });
}

} // namespace hive::engine
