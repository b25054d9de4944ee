// SPDX-License-Identifier: MIT
#pragma once

#include "brokerclient.h"
#include "measurement.h"
#include "messagebody.h"
#include "result.h"

#include <QString>

#include <optional>
#include <vector>

namespace hive::bench {

/// What one client process does in a workload.
enum class Role {
    PingPongInitiator, ///< sends a ping, waits for the pong, sends the next ping ... until the deadline
    PingPongResponder, ///< answers every ping with a pong, until the initiator's end marker
    FanInSender,       ///< sends to the receiver as fast as the broker takes it (or at --fanin-rate)
    FanInReceiver,     ///< recv max 32, ack, until every sender's end marker is in
};

[[nodiscard]] QString roleName(Role role);
[[nodiscard]] std::optional<Role> roleFromName(const QString &name);

/// A worker's command line (hive-bench-broker --worker ROLE ...), set by WorkloadRunner.
struct WorkerOptions {
    Role role = Role::PingPongInitiator;
    Backend backend = Backend::Hive;
    QString socketPath;  ///< the agent's socket (ours) or the Redis socket (anchor)
    QByteArray agent;    ///< who this worker is
    QByteArray peer;     ///< whom it sends to (ping-pong partner, fan-in receiver)
    int senders = 0;     ///< fan-in receiver: end markers to wait for
    QString samplesPath; ///< where the receipts go (raw Sample records)
    int bodyBytes = 100;
    int recvMax = 32;
    double rate = 0; ///< fan-in sender: mean messages per second (Poisson); 0 = unthrottled
};

/// One client process of a workload. The protocol with the orchestrator is three lines: the worker
/// prints "ready" once connected, reads "go DEADLINE_NS HARD_STOP_NS" (CLOCK_MONOTONIC), runs its
/// role, writes its receipts to the samples file and prints "done COUNT". Errors go to stderr and
/// make the exit code 1.
class Worker
{
public:
    explicit Worker(WorkerOptions options) : m_options(std::move(options)) {}

    [[nodiscard]] int run();

private:
    [[nodiscard]] Result<void> runRole();
    [[nodiscard]] Result<void> pingPong(BrokerClient &client, bool initiator);
    [[nodiscard]] Result<void> fanInSend(BrokerClient &client, const QByteArray &to) const;
    [[nodiscard]] Result<void> fanInReceive(BrokerClient &client, int senders);
    /// recv until something comes (each wait is short, so the hard stop is noticed).
    [[nodiscard]] Result<QList<Delivery>> waitForMessages(BrokerClient &client, int max) const;
    /// Keeps a receipt for every data message and returns the number of end markers. Other bodies
    /// (the engine's notices to the manager) are skipped.
    [[nodiscard]] int record(const QList<Delivery> &deliveries, qint64 receivedNs);
    [[nodiscard]] QByteArray body(MessageBody::Kind kind) const;
    [[nodiscard]] Result<void> writeSamples() const;

    WorkerOptions m_options;
    std::unique_ptr<BrokerClient> m_client;
    qint64 m_deadlineNs = 0;
    qint64 m_hardStopNs = 0;
    std::vector<Sample> m_samples;
};

} // namespace hive::bench
