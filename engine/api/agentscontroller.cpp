// SPDX-License-Identifier: MIT
#include "agentscontroller.h"

#include "agents/agentsockets.h"
#include "agents/harnesses.h"
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "containers/agentlifecycle.h"
#include "store/eventlog.h"

#include <QJsonArray>
#include <QLoggingCategory>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcAgents, "hive.api")
}

Result<protocol::AgentInfo> AgentsController::describe(ApiServices &services, const AgentRecord &record)
{
    auto status = services.broker.status(record.name);
    if (!status)
        return fail(status.error());
    protocol::AgentInfo agent;
    agent.name = record.name;
    agent.kind = record.kind;
    agent.allowedRecipients = record.allowedRecipients;
    agent.createdAt = record.createdAt;
    agent.unread = status->unread;
    agent.inflight = status->inflight;
    if (auto described = services.lifecycle.describe(agent); !described)
        return fail(described.error());
    if (auto described = services.harnesses.describe(agent); !described)
        return fail(described.error());
    return agent;
}

Result<protocol::AgentInfo> AgentsController::describe(ApiServices &services, const QString &name)
{
    auto record = services.agents.find(name);
    if (!record)
        return fail(record.error());
    if (!*record)
        return fail(ErrorCode::NotFound, QStringLiteral("no agent named '%1'").arg(name));
    return describe(services, **record);
}

Result<protocol::AgentAddResult> AgentsController::handle(const protocol::AgentAddParams &params,
                                                          const CallContext &context)
{
    auto added = m_services.agents.add(params.name);
    if (!added)
        return fail(added.error());
    if (auto opened = m_services.agentSockets.open(added->name); !opened) {
        // The row is committed; the engine opens every registered agent's socket at start.
        return fail(opened.error().wrapped(
            QStringLiteral("agent '%1' is registered, but its socket will only exist after the engine restarts")
                .arg(added->name)));
    }
    qCInfo(lcAgents).noquote() << "agent" << added->name << "added by" << context.actor();
    (void)m_services.events.publish(QStringLiteral("agent_added"), QJsonObject{{QStringLiteral("name"), added->name}});
    // The manager keeps the swarm's picture: it hears of every newcomer.
    m_services.broker.notify(
        QString::fromLatin1(AgentRegistry::ManagerName),
        QJsonObject{{QStringLiteral("event"), QStringLiteral("agent_added")}, {QStringLiteral("name"), added->name}});
    auto agent = describe(m_services, *added);
    if (!agent)
        return fail(agent.error());
    return protocol::AgentAddResult{std::move(*agent), m_services.agentSockets.socketPath(added->name)};
}

Result<protocol::AgentListResult> AgentsController::handle(const protocol::AgentListParams & /*params*/,
                                                           const CallContext & /*context*/)
{
    auto agents = m_services.agents.list();
    if (!agents)
        return fail(agents.error());
    protocol::AgentListResult result;
    result.agents.reserve(agents->size());
    for (const AgentRecord &record : std::as_const(*agents)) {
        auto agent = info(record);
        if (!agent)
            return fail(agent.error());
        result.agents.append(std::move(*agent));
    }
    return result;
}

Result<protocol::AgentSetRecipientsResult> AgentsController::handle(const protocol::AgentSetRecipientsParams &params,
                                                                    const CallContext &context)
{
    // The broker never restricts the manager, so a list for it would be stored and ignored.
    if (params.name == QLatin1String(AgentRegistry::ManagerName)) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("invalid field 'name': the manager may always send to anyone"));
    }
    QStringList recipients = params.recipients;
    recipients.removeDuplicates();
    if (auto set = m_services.agents.setAllowedRecipients(params.name, recipients); !set)
        return fail(set.error());
    auto record = m_services.agents.find(params.name);
    if (!record)
        return fail(record.error());
    if (!*record)
        return fail(ErrorCode::Internal, QStringLiteral("agent '%1' vanished while it was updated").arg(params.name));
    auto agent = info(**record);
    if (!agent)
        return fail(agent.error());
    qCInfo(lcAgents).noquote() << QStringLiteral("agent %1 may send to %2 (set by %3)")
                                      .arg(params.name,
                                           recipients.isEmpty() ? QStringLiteral("anyone")
                                                                : recipients.join(QStringLiteral(", ")),
                                           context.actor());
    (void)m_services.events.publish(
        QStringLiteral("agent_updated"),
        QJsonObject{{QStringLiteral("name"), params.name},
                    {QStringLiteral("allowed_recipients"), QJsonArray::fromStringList(agent->allowedRecipients)}});
    // The agent learns its new reach before its next send is refused for it.
    m_services.broker.notify(
        params.name,
        QJsonObject{{QStringLiteral("event"), QStringLiteral("allowed_recipients_changed")},
                    {QStringLiteral("allowed_recipients"), QJsonArray::fromStringList(agent->allowedRecipients)}});
    return protocol::AgentSetRecipientsResult{std::move(*agent)};
}

} // namespace hive::engine
