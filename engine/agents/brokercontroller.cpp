// SPDX-License-Identifier: MIT
#include "brokercontroller.h"

#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "broker/questions.h"
#include "broker/reminders.h"

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
    auto answered = m_questions.answer(context.actor(), params.id, params.answer);
    if (!answered)
        return fail(answered.error());
    return protocol::AnswerResult{answered->id};
}

Result<protocol::RemindResult> BrokerController::handle(const protocol::RemindParams &params,
                                                        const CallContext &context)
{
    return m_reminders.remind(context.actor(), params);
}

Result<protocol::OpenThreadsResult> BrokerController::handle(const protocol::OpenThreadsParams & /*params*/,
                                                             const CallContext &context)
{
    const QString &self = context.actor();
    auto questions = m_questions.open(self);
    if (!questions)
        return fail(questions.error());
    // Failed ones too: the agent should know a note to itself never arrived.
    auto reminders = m_reminders.open(self, true);
    if (!reminders)
        return fail(reminders.error());
    protocol::OpenThreadsResult result;
    for (protocol::Question &question : *questions)
        (question.asker == self ? result.asked : result.toAnswer).append(std::move(question));
    result.reminders = std::move(*reminders);
    return result;
}

Result<protocol::CancelThreadResult> BrokerController::handle(const protocol::CancelThreadParams &params,
                                                              const CallContext &context)
{
    if (params.kind == QLatin1String("question")) {
        if (auto cancelled = m_questions.cancel(context.actor(), params.id); !cancelled)
            return fail(cancelled.error());
    } else if (auto cancelled = m_reminders.cancel(context.actor(), params.id); !cancelled) {
        return fail(cancelled.error());
    }
    return protocol::CancelThreadResult{params.kind, params.id};
}

} // namespace hive::engine
