// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "protocol/events.h"
#include "responder.h"
#include "result.h"

namespace hive::engine {

/// events_subscribe (replies, then replays what the client missed, then streams live events)
/// and events_unsubscribe.
class EventsController
{
public:
    explicit EventsController(ApiServices &services) : m_services(services) {}

    void handle(const protocol::EventsSubscribeParams &params, const CallContext &context,
                const Reply<protocol::EventsSubscribeResult> &reply);
    [[nodiscard]] Result<protocol::EventsUnsubscribeResult> handle(const protocol::EventsUnsubscribeParams &params,
                                                                   const CallContext &context);

private:
    ApiServices &m_services;
};

} // namespace hive::engine
