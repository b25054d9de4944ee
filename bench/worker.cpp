// SPDX-License-Identifier: MIT
#include "worker.h"

#include "interrupt.h"
#include "monotonic.h"

#include <QFile>

#include <cerrno>
#include <cstdio>
#include <random>

namespace hive::bench {

namespace {

// Each recv waits at most this long, so that a worker notices the hard stop and interruptions.
constexpr int RecvWaitMs = 1000;

struct RoleName {
    Role role;
    const char *name;
};
constexpr RoleName RoleNames[] = {
    {Role::PingPongInitiator, "pingpong-initiator"},
    {Role::PingPongResponder, "pingpong-responder"},
    {Role::FanInSender, "fanin-sender"},
    {Role::FanInReceiver, "fanin-receiver"},
};

/// Sleeps until an absolute CLOCK_MONOTONIC time.
void sleepUntil(qint64 ns)
{
    const timespec until{static_cast<time_t>(ns / NsPerSecond), static_cast<long>(ns % NsPerSecond)};
    while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) == EINTR) {
    }
}

} // namespace

QString roleName(Role role)
{
    for (const RoleName &entry : RoleNames) {
        if (entry.role == role)
            return QString::fromLatin1(entry.name);
    }
    return {};
}

std::optional<Role> roleFromName(const QString &name)
{
    for (const RoleName &entry : RoleNames) {
        if (name == QLatin1String(entry.name))
            return entry.role;
    }
    return std::nullopt;
}

int Worker::run()
{
    auto ran = runRole();
    if (!ran) {
        std::fprintf(stderr, "hive-bench-broker worker %s (%s): %s\n", m_options.agent.constData(),
                     qPrintable(roleName(m_options.role)), qPrintable(ran.error().message));
        return 1;
    }
    std::printf("done %zu\n", m_samples.size());
    std::fflush(stdout);
    return 0;
}

Result<void> Worker::runRole()
{
    auto client = BrokerClient::open(m_options.backend, m_options.socketPath, m_options.agent);
    if (!client)
        return fail(client.error());
    m_client = std::move(*client);

    // The start line: every worker begins at once, after all of them have connected.
    std::printf("ready\n");
    std::fflush(stdout);
    char line[256] = {};
    long long deadline = 0;
    long long hardStop = 0;
    if (!std::fgets(line, sizeof line, stdin) || std::sscanf(line, "go %lld %lld", &deadline, &hardStop) != 2)
        return fail(ErrorCode::InvalidRequest, QStringLiteral("expected 'go DEADLINE HARD_STOP' on stdin"));
    m_deadlineNs = deadline;
    m_hardStopNs = hardStop;

    Result<void> ran;
    switch (m_options.role) {
    case Role::PingPongInitiator:
        ran = pingPong(*m_client, true);
        break;
    case Role::PingPongResponder:
        ran = pingPong(*m_client, false);
        break;
    case Role::FanInSender:
        ran = fanInSend(*m_client, m_options.peer);
        break;
    case Role::FanInReceiver:
        ran = fanInReceive(*m_client, m_options.senders);
        break;
    }
    if (!ran)
        return ran;
    return writeSamples();
}

QByteArray Worker::body(MessageBody::Kind kind) const
{
    return MessageBody{kind, monotonicNs()}.encode(m_options.bodyBytes);
}

Result<QList<Delivery>> Worker::waitForMessages(BrokerClient &client, int max) const
{
    for (;;) {
        if (Interrupt::requested())
            return fail(ErrorCode::Unavailable, QStringLiteral("interrupted"));
        if (monotonicNs() > m_hardStopNs)
            return fail(ErrorCode::Unavailable, QStringLiteral("timed out waiting for messages"));
        auto deliveries = client.recv(max, RecvWaitMs);
        if (!deliveries || !deliveries->isEmpty())
            return deliveries;
    }
}

int Worker::record(const QList<Delivery> &deliveries, qint64 receivedNs)
{
    int ends = 0;
    for (const Delivery &delivery : deliveries) {
        const auto decoded = MessageBody::decode(delivery.body);
        // Not the benchmark's: the engine's own notices to the manager (agent_added, ...). It is
        // acknowledged with the rest and not counted.
        if (!decoded)
            continue;
        if (decoded->kind == MessageBody::Kind::End)
            ++ends;
        else
            m_samples.push_back(Sample{decoded->sentNs, receivedNs});
    }
    return ends;
}

Result<void> Worker::pingPong(BrokerClient &client, bool initiator)
{
    // A harness's order: recv, handle (here: answer), and only then ack what was handled.
    if (initiator) {
        if (auto sent = client.send(m_options.peer, body(MessageBody::Kind::Data)); !sent)
            return sent;
    }
    for (;;) {
        auto deliveries = waitForMessages(client, m_options.recvMax);
        const qint64 receivedNs = monotonicNs();
        if (!deliveries)
            return fail(deliveries.error());
        const int ends = record(*deliveries, receivedNs);
        const bool finished = initiator ? receivedNs >= m_deadlineNs : ends > 0;
        if (!finished || initiator) {
            const auto kind = finished ? MessageBody::Kind::End : MessageBody::Kind::Data;
            if (auto sent = client.send(m_options.peer, body(kind)); !sent)
                return sent;
        }
        if (auto acked = client.ack(*deliveries); !acked)
            return acked;
        if (finished)
            return {};
    }
}

Result<void> Worker::fanInSend(BrokerClient &client, const QByteArray &to) const
{
    // With a rate, sends are a Poisson process (exponential gaps): senders that all started at the
    // same moment with fixed gaps would send in bursts of N and measure the burst.
    std::mt19937_64 random(std::random_device{}());
    std::exponential_distribution<double> gapNs(m_options.rate > 0 ? m_options.rate / NsPerSecond : 1);
    qint64 next = monotonicNs();
    while (monotonicNs() < m_deadlineNs) {
        if (Interrupt::requested())
            return fail(ErrorCode::Unavailable, QStringLiteral("interrupted"));
        if (m_options.rate > 0) {
            next += static_cast<qint64>(gapNs(random));
            sleepUntil(next);
        }
        if (auto sent = client.send(to, body(MessageBody::Kind::Data)); !sent)
            return sent;
    }
    return client.send(to, body(MessageBody::Kind::End));
}

Result<void> Worker::fanInReceive(BrokerClient &client, int senders)
{
    for (int ends = 0; ends < senders;) {
        auto deliveries = waitForMessages(client, m_options.recvMax);
        const qint64 receivedNs = monotonicNs();
        if (!deliveries)
            return fail(deliveries.error());
        ends += record(*deliveries, receivedNs);
        if (auto acked = client.ack(*deliveries); !acked)
            return acked;
    }
    return {};
}

Result<void> Worker::writeSamples() const
{
    QFile file(m_options.samplesPath);
    const auto bytes = static_cast<qint64>(m_samples.size()) * static_cast<qint64>(sizeof(Sample));
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): Sample is two plain integers
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(reinterpret_cast<const char *>(m_samples.data()), bytes) != bytes)
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1").arg(m_options.samplesPath));
    return {};
}

} // namespace hive::bench
