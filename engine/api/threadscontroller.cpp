// SPDX-License-Identifier: MIT
#include "threadscontroller.h"

#include "broker/agentregistry.h"
#include "broker/questions.h"
#include "broker/reminders.h"

#include <QLoggingCategory>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcThreads, "hive.api")

const QString Operator = QStringLiteral("operator");

} // namespace

Result<void> ThreadsController::checkAgent(const QString &name, bool operatorToo)
{
    if (operatorToo && name == Operator)
        return {};
    auto agent = m_services.agents.find(name);
    if (!agent)
        return fail(agent.error());
    if (!*agent)
        return fail(ErrorCode::NotFound, QStringLiteral("invalid field 'agent': no agent named '%1'").arg(name));
    return {};
}

Result<protocol::QuestionListResult> ThreadsController::handle(const protocol::QuestionListParams &params,
                                                               const CallContext & /*context*/)
{
    if (params.agent) {
        if (auto known = checkAgent(*params.agent, true); !known)
            return fail(known.error());
    }
    return m_services.questions.list(params);
}

Result<protocol::Question> ThreadsController::handle(const protocol::QuestionAnswerParams &params,
                                                     const CallContext &context)
{
    // The operator answers as "operator", whoever the question was for.
    auto answered = m_services.questions.answer(Operator, params.id, params.answer);
    if (answered)
        qCInfo(lcThreads).noquote() << "question" << params.id << "answered by" << context.actor();
    return answered;
}

Result<protocol::Question> ThreadsController::handle(const protocol::QuestionCancelParams &params,
                                                     const CallContext &context)
{
    auto cancelled = m_services.questions.cancel(Operator, params.id);
    if (cancelled)
        qCInfo(lcThreads).noquote() << "question" << params.id << "cancelled by" << context.actor();
    return cancelled;
}

Result<protocol::ReminderListResult> ThreadsController::handle(const protocol::ReminderListParams &params,
                                                               const CallContext & /*context*/)
{
    if (params.agent) {
        if (auto known = checkAgent(*params.agent, false); !known)
            return fail(known.error());
    }
    return m_services.reminders.list(params);
}

Result<protocol::Reminder> ThreadsController::handle(const protocol::ReminderRetryParams &params,
                                                     const CallContext &context)
{
    auto retried = m_services.reminders.retry(params.id);
    if (retried)
        qCInfo(lcThreads).noquote() << "reminder" << params.id << "retried by" << context.actor();
    return retried;
}

Result<protocol::Reminder> ThreadsController::handle(const protocol::ReminderCancelParams &params,
                                                     const CallContext &context)
{
    auto cancelled = m_services.reminders.cancel(Operator, params.id);
    if (cancelled)
        qCInfo(lcThreads).noquote() << "reminder" << params.id << "cancelled by" << context.actor();
    return cancelled;
}

Result<protocol::ThreadListResult> ThreadsController::handle(const protocol::ThreadListParams &params,
                                                             const CallContext & /*context*/)
{
    const QString agent = params.agent.value_or(QString());
    if (params.agent) {
        if (auto known = checkAgent(agent, true); !known)
            return fail(known.error());
    }
    auto questions = m_services.questions.open(agent);
    if (!questions)
        return fail(questions.error());
    protocol::ThreadListResult result;
    result.questions = std::move(*questions);
    if (agent != Operator) {
        auto reminders = m_services.reminders.open(agent, true);
        if (!reminders)
            return fail(reminders.error());
        result.reminders = std::move(*reminders);
    }
    return result;
}

} // namespace hive::engine
