// SPDX-License-Identifier: MIT
#pragma once

#include "brokerclient.h"

struct redisContext;

namespace hive::bench {

/// The anchor: Redis Streams through hiredis, one stream per agent ("inbox:<agent>"). send is XADD
/// to the recipient's stream; recv is XREAD BLOCK on the agent's own stream after the last id it
/// read, which the client tracks itself. XREAD has no leases, so ack has nothing to do.
class RedisClient : public BrokerClient
{
public:
    ~RedisClient() override;
    RedisClient(const RedisClient &) = delete;
    RedisClient &operator=(const RedisClient &) = delete;

    [[nodiscard]] static Result<std::unique_ptr<RedisClient>> connect(const QString &socketPath,
                                                                      const QByteArray &agent);

    /// PING: whether the server is up and answering.
    [[nodiscard]] Result<void> ping();

    [[nodiscard]] Result<void> send(const QByteArray &to, const QByteArray &body) override;
    [[nodiscard]] Result<QList<Delivery>> recv(int max, int waitMs) override;
    [[nodiscard]] Result<void> ack(const QList<Delivery> &deliveries) override;

private:
    RedisClient(redisContext *context, QByteArray stream) : m_context(context), m_stream(std::move(stream)) {}

    redisContext *m_context = nullptr;
    QByteArray m_stream;
    QByteArray m_lastId = QByteArrayLiteral("0-0");
};

} // namespace hive::bench
