// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "protocol/agents.h"
#include "protocol/messages.h"
#include "result.h"

namespace hive::engine {

/// message_send (operator) and message_list (viewer): the operator's side of the broker. The
/// operator sends as "operator"; the broker publishes message_sent for every copy it commits.
class MessagesController
{
public:
    explicit MessagesController(ApiServices &services) : m_services(services) {}

    [[nodiscard]] Result<protocol::SendResult> handle(const protocol::MessageSendParams &params,
                                                      const CallContext &context);
    [[nodiscard]] Result<protocol::MessageListResult> handle(const protocol::MessageListParams &params,
                                                             const CallContext &context);

private:
    ApiServices &m_services;
};

} // namespace hive::engine
