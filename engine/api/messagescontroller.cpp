// SPDX-License-Identifier: MIT
#include "messagescontroller.h"

#include "broker/agentregistry.h"
#include "broker/broker.h"

#include <QLoggingCategory>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcMessages, "hive.api")

const QString Operator = QStringLiteral("operator");

} // namespace

Result<protocol::SendResult> MessagesController::handle(const protocol::MessageSendParams &params,
                                                        const CallContext &context)
{
    if (params.to == Operator) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("invalid field 'to': the operator cannot send to itself; send to an agent, "
                                   "'manager' or '*'"));
    }
    // The broker's own message lists 'operator' among the recipients, which is wrong for the operator.
    if (params.to != QLatin1String("*")) {
        auto agent = m_services.agents.find(params.to);
        if (!agent)
            return fail(agent.error());
        if (!*agent && params.to != QLatin1String("system")) {
            return fail(
                ErrorCode::NotFound,
                QStringLiteral("unknown recipient '%1': send to an agent's name, 'manager' or '*'").arg(params.to));
        }
    }
    auto sent = m_services.broker.send(Operator, protocol::SendParams{params.to, params.body, params.inReplyTo});
    if (!sent)
        return sent;
    qCDebug(lcMessages).noquote() << "message" << sent->id << "to" << params.to << "sent by" << context.actor();
    return sent;
}

Result<protocol::MessageListResult> MessagesController::handle(const protocol::MessageListParams &params,
                                                               const CallContext & /*context*/)
{
    // "operator" is accepted as an agent here: its traffic both ways, not just its inbox.
    if (params.agent && *params.agent != Operator) {
        auto agent = m_services.agents.find(*params.agent);
        if (!agent)
            return fail(agent.error());
        if (!*agent) {
            return fail(ErrorCode::NotFound,
                        QStringLiteral("invalid field 'agent': no agent named '%1'").arg(*params.agent));
        }
    }
    return m_services.broker.list(params.agent, params.limit, params.beforeId);
}

} // namespace hive::engine
