// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "protocol/threads.h"
#include "result.h"

namespace hive::engine {

/// The operator's side of questions, reminders and open threads: question_list (viewer),
/// question_answer and question_cancel (operator; any question, a peer's included),
/// reminder_list (viewer), reminder_retry and reminder_cancel (operator), thread_list (viewer).
class ThreadsController
{
public:
    explicit ThreadsController(ApiServices &services) : m_services(services) {}

    [[nodiscard]] Result<protocol::QuestionListResult> handle(const protocol::QuestionListParams &params,
                                                              const CallContext &context);
    [[nodiscard]] Result<protocol::Question> handle(const protocol::QuestionAnswerParams &params,
                                                    const CallContext &context);
    [[nodiscard]] Result<protocol::Question> handle(const protocol::QuestionCancelParams &params,
                                                    const CallContext &context);
    [[nodiscard]] Result<protocol::ReminderListResult> handle(const protocol::ReminderListParams &params,
                                                              const CallContext &context);
    [[nodiscard]] Result<protocol::Reminder> handle(const protocol::ReminderRetryParams &params,
                                                    const CallContext &context);
    [[nodiscard]] Result<protocol::Reminder> handle(const protocol::ReminderCancelParams &params,
                                                    const CallContext &context);
    [[nodiscard]] Result<protocol::ThreadListResult> handle(const protocol::ThreadListParams &params,
                                                            const CallContext &context);

private:
    /// NotFound unless `name` is a registered agent (or "operator" when `operatorToo`).
    Result<void> checkAgent(const QString &name, bool operatorToo);

    ApiServices &m_services;
};

} // namespace hive::engine
