// SPDX-License-Identifier: MIT
#pragma once

#include "api/callcontext.h"
#include "api/responder.h"
#include "protocol/messages.h"
#include "protocol/questions.h"
#include "protocol/threads.h"
#include "result.h"

namespace hive::engine {

class AgentRegistry;
class Broker;
class Questions;
class Reminders;

/// The agents' surface (protocol::AgentMethods) over their sockets. The caller is the agent
/// whose socket the call came through (CallContext's session), never a name in the params.
class BrokerController
{
public:
    BrokerController(Broker &broker, AgentRegistry &agents, Questions &questions, Reminders &reminders)
        : m_broker(broker), m_agents(agents), m_questions(questions), m_reminders(reminders)
    {}

    [[nodiscard]] Result<protocol::SendResult> handle(const protocol::SendParams &params, const CallContext &context);
    void handle(const protocol::RecvParams &params, const CallContext &context,
                const Reply<protocol::RecvResult> &reply);
    [[nodiscard]] Result<protocol::AckResult> handle(const protocol::AckParams &params, const CallContext &context);
    [[nodiscard]] Result<protocol::RequeueInflightResult> handle(const protocol::RequeueInflightParams &params,
                                                                 const CallContext &context);
    [[nodiscard]] Result<protocol::StatusResult> handle(const protocol::StatusParams &params,
                                                        const CallContext &context);
    [[nodiscard]] Result<protocol::RecentResult> handle(const protocol::RecentParams &params,
                                                        const CallContext &context);
    [[nodiscard]] Result<protocol::WhoamiResult> handle(const protocol::WhoamiParams &params,
                                                        const CallContext &context);
    [[nodiscard]] Result<protocol::AskResult> handle(const protocol::AskParams &params, const CallContext &context);
    [[nodiscard]] Result<protocol::AnswerResult> handle(const protocol::AnswerParams &params,
                                                        const CallContext &context);
    [[nodiscard]] Result<protocol::RemindResult> handle(const protocol::RemindParams &params,
                                                        const CallContext &context);
    [[nodiscard]] Result<protocol::OpenThreadsResult> handle(const protocol::OpenThreadsParams &params,
                                                             const CallContext &context);
    [[nodiscard]] Result<protocol::CancelThreadResult> handle(const protocol::CancelThreadParams &params,
                                                              const CallContext &context);

private:
    Broker &m_broker;
    AgentRegistry &m_agents;
    Questions &m_questions;
    Reminders &m_reminders;
};

} // namespace hive::engine
