// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace hive::bench {

/// Which broker a run measures: ours (hive-engine's agent sockets) or the anchor (Redis Streams).
enum class Backend { Hive, Redis };

[[nodiscard]] QString backendName(Backend backend);
[[nodiscard]] std::optional<Backend> backendFromName(const QString &name);

/// One message as a receiver got it: the broker's id (what an ack names) and the body.
struct Delivery {
    QByteArray id;
    QByteArray body;
};

/// What a worker needs from a broker, as one agent: send to another agent, receive its own
/// messages with a blocking wait, acknowledge them. The workloads are written once against this,
/// so both brokers run exactly the same client logic.
class BrokerClient
{
public:
    virtual ~BrokerClient() = default;

    /// Connects as `agent`: to the agent's own socket for the engine, to the Redis socket for Redis.
    [[nodiscard]] static Result<std::unique_ptr<BrokerClient>> open(Backend backend, const QString &socketPath,
                                                                    const QByteArray &agent);

    [[nodiscard]] virtual Result<void> send(const QByteArray &to, const QByteArray &body) = 0;
    /// Up to `max` messages; waits up to `waitMs` when none is there. An empty list means the wait ended.
    [[nodiscard]] virtual Result<QList<Delivery>> recv(int max, int waitMs) = 0;
    /// Acknowledges what `recv` returned, once it has been handled.
    [[nodiscard]] virtual Result<void> ack(const QList<Delivery> &deliveries) = 0;

protected:
    BrokerClient() = default;
};

} // namespace hive::bench
