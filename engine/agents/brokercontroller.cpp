// SPDX-License-Identifier: MIT
#include "brokercontroller.h"

#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "broker/questions.h"

namespace hive::engine {

Result<protocol::SendResult> BrokerController::handle(const protocol::SendParams &params, const CallContext &context)
{
    return m_broker.send(context.actor(), params);
}

void BrokerController::handle(const protocol::RecvParams &params, const CallContext &context,
                              const Reply<protocol::RecvResult> &reply)
{
    // The connection owns the wait: if the agent hangs up, the wait is dropped, not answered.
    m_broker.recv(context.actor(), params, context.connection.data(),
                  [reply](const Result<protocol::RecvResult> &result) { reply(result); });
}

Result<protocol::AckResult> BrokerController::handle(const protocol::AckParams &params, const CallContext &context)
{
    return m_broker.ack(context.actor(), params.ids);
}

Result<protocol::RequeueInflightResult> BrokerController::handle(const protocol::RequeueInflightParams & /*params*/,
                                                                 const CallContext &context)
{
    return m_broker.requeueInflight(context.actor());
}

Result<protocol::StatusResult> BrokerController::handle(const protocol::StatusParams & /*params*/,
                                                        const CallContext &context)
{
    return m_broker.status(context.actor());
}

Result<protocol::RecentResult> BrokerController::handle(const protocol::RecentParams &params,
                                                        const CallContext &context)
{
    return m_broker.recent(context.actor(), params.limit);
}

Result<protocol::WhoamiResult> BrokerController::handle(const protocol::WhoamiParams & /*params*/,
                                                        const CallContext &context)
{
    auto agent = m_agents.find(context.actor());
    if (!agent)
        return fail(agent.error());
    if (!*agent)
        return fail(ErrorCode::NotFound, QStringLiteral("agent '%1' is no longer registered").arg(context.actor()));
    return protocol::WhoamiResult{(*agent)->name, (*agent)->kind, QStringLiteral(HIVE_VERSION)};
}

Result<protocol::AskResult> BrokerController::handle(const protocol::AskParams &params, const CallContext &context)
{
    return m_questions.ask(context.actor(), params);
}

Result<protocol::AnswerResult> BrokerController::handle(const protocol::AnswerParams &params,
                                                        const CallContext &context)
{
    return m_questions.answer(context.actor(), params);
}

} // namespace hive::engine
