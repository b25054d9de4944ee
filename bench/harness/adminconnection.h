// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/events.h"
#include "result.h"
#include "rpcclient.h"

#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace hive::bench {

/// An event as the benchmark received it: CLOCK_MONOTONIC when its frame was handled.
struct TimedEvent {
    protocol::Event event;
    qint64 receivedNs = 0;
};

/// The operator's side of a run: one connection to the engine's admin socket, subscribed to events, each kept with
/// the time its frame was read. Everything else in the benchmark's thread (a model server, a CLI process) runs
/// while it waits, so waiting is always through waitUntil().
class AdminConnection
{
public:
    /// Opens `<stateDir>/run/admin.sock` and subscribes to events.
    [[nodiscard]] Result<void> open(const QString &stateDir, int timeoutMs);

    /// A call, waited for.
    template<typename M>
    [[nodiscard]] Result<typename M::Result> call(const typename M::Params &params)
    {
        if (!m_client)
            return fail(ErrorCode::Unavailable, QStringLiteral("not connected to the engine"));
        return m_client->callAndWait<M>(params, CallTimeoutMs);
    }
    /// The same, answered later through `callback`, so that events can be waited for meanwhile.
    template<typename M>
    void callLater(const typename M::Params &params, std::function<void(const Result<typename M::Result> &)> callback)
    {
        m_client->call<M>(params, std::move(callback));
    }

    [[nodiscard]] qsizetype eventCount() const { return m_events.size(); }
    /// The first event from index `from` on for which `matches` holds; waits up to `timeoutMs`.
    [[nodiscard]] std::optional<TimedEvent> waitForEvent(const std::function<bool(const protocol::Event &)> &matches,
                                                         qsizetype from, int timeoutMs);
    /// Runs the event loop until `done` or the time is up (or Ctrl-C); false then.
    bool waitUntil(const std::function<bool()> &done, int timeoutMs);

    static constexpr int CallTimeoutMs = 60'000;

private:
    std::unique_ptr<client::RpcClient> m_client;
    QList<TimedEvent> m_events;
};

} // namespace hive::bench
