// SPDX-License-Identifier: MIT
#include "adminconnection.h"

#include "interrupt.h"
#include "localsocketpeer.h"
#include "monotonic.h"
#include "protocol/methods.h"
#include "statepaths.h"

#include <QEventLoop>
#include <QTimer>

namespace hive::bench {

namespace {

constexpr int WaitTickMs = 10;

} // namespace

Result<void> AdminConnection::open(const QString &stateDir, int timeoutMs)
{
    m_client = std::make_unique<client::RpcClient>(new client::LocalSocketPeer(paths::adminSocket(stateDir)));
    if (auto opened = m_client->openAndWait(timeoutMs); !opened)
        return opened;
    // Recorded here, in the client's own slot, so that the time is when the frame was read.
    QObject::connect(m_client.get(), &client::RpcClient::notificationReceived, m_client.get(),
                     [this](const QString &method, const QJsonObject &params) {
                         const qint64 now = monotonicNs();
                         if (method != QLatin1String(protocol::EventNotification))
                             return;
                         if (auto event = protocol::Event::fromJson(params))
                             m_events.append({*event, now});
                     });
    auto subscribed = call<protocol::EventsSubscribeMethod>(protocol::EventsSubscribeParams{});
    if (!subscribed)
        return fail(subscribed.error().wrapped(QStringLiteral("events_subscribe")));
    return {};
}

std::optional<TimedEvent> AdminConnection::waitForEvent(const std::function<bool(const protocol::Event &)> &matches,
                                                        qsizetype from, int timeoutMs)
{
    std::optional<TimedEvent> found;
    waitUntil(
        [&] {
            for (qsizetype i = from; i < m_events.size(); ++i) {
                if (matches(m_events[i].event)) {
                    found = m_events[i];
                    return true;
                }
            }
            return false;
        },
        timeoutMs);
    return found;
}

bool AdminConnection::waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    // A loop woken by a coarse tick: the figures are taken where frames are read and processes end, not here.
    QEventLoop loop;
    QTimer tick;
    const qint64 deadline = monotonicNs() + timeoutMs * NsPerMs;
    bool finished = false;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        finished = done();
        if (finished || monotonicNs() > deadline || Interrupt::requested())
            loop.quit();
    });
    tick.start(WaitTickMs);
    loop.exec();
    return finished;
}

} // namespace hive::bench
