// SPDX-License-Identifier: MIT
#pragma once

#include "brokerclient.h"
#include "rpcsocket.h"

namespace hive::bench {

/// Ours: one connection to an agent's socket (docs/protocol.md §9) speaking send, recv and ack.
/// Who the agent is comes from the socket, so nothing here names the sender.
class HiveClient : public BrokerClient
{
public:
    [[nodiscard]] static Result<std::unique_ptr<HiveClient>> connect(const QString &agentSocket);

    [[nodiscard]] Result<void> send(const QByteArray &to, const QByteArray &body) override;
    [[nodiscard]] Result<QList<Delivery>> recv(int max, int waitMs) override;
    /// Acks the ids in one call: the engine's durable lease ends only here.
    [[nodiscard]] Result<void> ack(const QList<Delivery> &deliveries) override;

private:
    explicit HiveClient(std::unique_ptr<RpcSocket> socket) : m_socket(std::move(socket)) {}

    std::unique_ptr<RpcSocket> m_socket;
};

} // namespace hive::bench
