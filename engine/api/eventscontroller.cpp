// SPDX-License-Identifier: MIT
#include "eventscontroller.h"

#include "jsonrpc.h"
#include "store/eventlog.h"

namespace hive::engine {

void EventsController::handle(const protocol::EventsSubscribeParams &params, const CallContext &context,
                              const Reply<protocol::EventsSubscribeResult> &reply)
{
    EventLog &log = m_services.events;
    QList<protocol::Event> missed;
    if (params.sinceSeq) {
        auto events = log.since(*params.sinceSeq);
        if (!events) {
            reply(fail(events.error()));
            return;
        }
        missed = std::move(*events);
    }
    reply(protocol::EventsSubscribeResult{log.latestSeq(), log.oldestSeq(), missed.size()});

    // Everything below runs before the event loop gets control back, so no live event can slip
    // in between the replay and the subscription: the client sees each seq once, in order.
    Connection *connection = context.connection;
    if (!connection || connection->isClosing())
        return;
    const QString method = QString::fromLatin1(protocol::EventNotification);
    for (const protocol::Event &event : std::as_const(missed))
        connection->send(rpc::Codec::encodeNotification(method, event.toJson()));
    connection->setSubscribed(true);
}

Result<protocol::EventsUnsubscribeResult> EventsController::handle(const protocol::EventsUnsubscribeParams &,
                                                                   const CallContext &context)
{
    Connection *connection = context.connection;
    const bool was = connection && connection->isSubscribed();
    if (connection)
        connection->setSubscribed(false);
    return protocol::EventsUnsubscribeResult{was};
}

} // namespace hive::engine
