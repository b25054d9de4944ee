// SPDX-License-Identifier: MIT
#include "mcpbench.h"

#include "engineserver.h"
#include "interrupt.h"
#include "measurement.h"
#include "monotonic.h"
#include "rpcsocket.h"
#include "stdiorpc.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>
#include <functional>
#include <vector>

namespace hive::bench {

namespace {

constexpr char Alice[] = "alice";
constexpr char Bob[] = "bob";
constexpr int StartTimeoutMs = 120'000;
constexpr int CallTimeoutMs = 30'000;
constexpr int Warmup = 100;    ///< rounds of each call before the measured ones
constexpr int DrainEvery = 50; ///< rounds between drains of bob's inbox (100 messages)

// No TLS listener, no containers, no manager: only the two agents' sockets.
constexpr char EngineConf[] = R"(# written by hive-bench-harness
listen = "off"

[log]
level = "warning"

[containers]
backend = "none"
spawn_manager = false
)";

constexpr char Initialize[] = R"({"protocolVersion":"2025-06-18","capabilities":{},)"
                              R"("clientInfo":{"name":"hive-bench-harness","version":"1"}})";

/// The times of one kind of call, in ms.
struct Times {
    std::vector<double> ours;
    std::vector<double> anchor;
};

double msBetween(qint64 fromNs, qint64 toNs)
{
    return static_cast<double>(toNs - fromNs) / static_cast<double>(NsPerMs);
}

/// A tools/call answer; a tool that failed (isError) is an error too.
Result<void> toolSucceeded(const Result<QJsonObject> &result, const char *tool)
{
    if (!result)
        return fail(result.error());
    if (result->value(QLatin1String("isError")).toBool()) {
        const QString text = result->value(QLatin1String("content"))
                                 .toArray()
                                 .first()
                                 .toObject()
                                 .value(QLatin1String("text"))
                                 .toString();
        return fail(ErrorCode::Unavailable, QStringLiteral("the %1 tool failed: %2").arg(QLatin1String(tool), text));
    }
    return {};
}

/// Takes and acks everything queued for the socket's agent.
Result<void> drainInbox(RpcSocket &socket)
{
    for (;;) {
        auto received = socket.call("recv", R"({"max":32})", CallTimeoutMs);
        if (!received)
            return fail(received.error());
        const QJsonArray messages = received->value(QLatin1String("messages")).toArray();
        if (messages.isEmpty())
            return {};
        QJsonArray ids;
        for (const auto &message : messages)
            ids.append(message.toObject().value(QLatin1String("id")));
        auto acked =
            socket.call("ack", QJsonDocument(QJsonObject{{QStringLiteral("ids"), ids}}).toJson(QJsonDocument::Compact),
                        CallTimeoutMs);
        if (!acked)
            return fail(acked.error());
    }
}

void printSummary(const char *what, const Times &times)
{
    const auto line = [](const std::vector<double> &values) {
        return QStringLiteral("mean %1, p50 %2, p99 %3, max %4")
            .arg(formatMs(mean(values).value_or(0)), formatMs(percentile(values, 50).value_or(0)),
                 formatMs(percentile(values, 99).value_or(0)), formatMs(percentile(values, 100).value_or(0)));
    };
    std::fprintf(stderr, "hive-bench-harness: %s (%zu calls each): ours %s; anchor %s\n", what, times.ours.size(),
                 qPrintable(line(times.ours)), qPrintable(line(times.anchor)));
}

} // namespace

int McpBench::run()
{
    EngineServer engine(m_settings.engineProgram, {}, m_settings.dir + QStringLiteral("/engine"), EngineConf);
    auto measured = runMeasured(engine);
    if (!measured && !Interrupt::requested()) {
        std::fprintf(stderr, "hive-bench-harness: mcp-roundtrip failed: %s\n", qPrintable(measured.error().message));
        if (const QString log = engine.log(); !log.isEmpty())
            std::fprintf(stderr, "engine log:\n%s\n", qPrintable(log));
    }
    engine.stop();
    if (Interrupt::requested())
        return 130;
    return measured ? 0 : 1;
}

Result<void> McpBench::runMeasured(EngineServer &engine)
{
    if (!QFileInfo(m_settings.harnessProgram).isExecutable())
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("no hive-harness at %1 (see --harness)").arg(m_settings.harnessProgram));
    if (auto started = engine.start(StartTimeoutMs); !started)
        return started;
    const QString alice = QLatin1String(Alice);
    if (auto added = engine.addAgents({alice, QLatin1String(Bob)}); !added)
        return added;

    // Ours: the MCP server the agent CLI would start, greeted as the CLI greets it.
    auto mcp = StdioRpc::start(m_settings.harnessProgram,
                               {QStringLiteral("mcp"), QStringLiteral("--socket"), engine.agentSocket(alice)},
                               m_settings.dir + QStringLiteral("/mcp.log"));
    if (!mcp)
        return fail(mcp.error());
    if (auto initialized = (*mcp)->call("initialize", Initialize, CallTimeoutMs); !initialized)
        return fail(initialized.error());
    if (auto notified = (*mcp)->notify("notifications/initialized", "{}"); !notified)
        return notified;
    auto listed = (*mcp)->call("tools/list", "{}", CallTimeoutMs);
    if (!listed)
        return fail(listed.error());
    // The anchor: the same engine calls on alice's own socket; bob's drains his inbox.
    auto direct = RpcSocket::connect(engine.agentSocket(alice));
    if (!direct)
        return fail(direct.error());
    auto bob = RpcSocket::connect(engine.agentSocket(QLatin1String(Bob)));
    if (!bob)
        return fail(bob.error());

    Times sends;
    Times recvs;
    // One call of each side, timed; which side goes first alternates from round to round, so that neither
    // always follows the other's commit.
    const auto timedPair = [](int round, bool measured, Times &times, const std::function<Result<void>()> &ours,
                              const std::function<Result<void>()> &anchor) -> Result<void> {
        for (int side = 0; side < 2; ++side) {
            const bool isOurs = (side == 0) == (round % 2 == 0);
            const qint64 started = monotonicNs();
            if (auto done = isOurs ? ours() : anchor(); !done)
                return done;
            if (measured)
                (isOurs ? times.ours : times.anchor).push_back(msBetween(started, monotonicNs()));
        }
        return {};
    };
    for (int round = 0; round < Warmup + m_settings.count; ++round) {
        if (Interrupt::requested())
            return fail(ErrorCode::Unavailable, QStringLiteral("interrupted"));
        const bool measured = round >= Warmup;
        const QByteArray send =
            R"({"to":")" + QByteArray(Bob) + R"(","body":"bench message )" + QByteArray::number(round) + R"("})";
        if (auto done = timedPair(
                round, measured, sends,
                [&] {
                    return toolSucceeded(
                        (*mcp)->call("tools/call", R"({"name":"send","arguments":)" + send + "}", CallTimeoutMs),
                        "send");
                },
                [&]() -> Result<void> {
                    if (auto sent = (*direct)->call("send", send, CallTimeoutMs); !sent)
                        return fail(sent.error());
                    return {};
                });
            !done)
            return done;
        // A peek at alice's inbox, which stays empty: the MCP server sends the engine {"max":1}.
        if (auto done = timedPair(
                round, measured, recvs,
                [&] {
                    return toolSucceeded((*mcp)->call("tools/call", R"({"name":"recv","arguments":{}})", CallTimeoutMs),
                                         "recv");
                },
                [&]() -> Result<void> {
                    if (auto received = (*direct)->call("recv", R"({"max":1})", CallTimeoutMs); !received)
                        return fail(received.error());
                    return {};
                });
            !done)
            return done;
        if ((round + 1) % DrainEvery == 0) {
            if (auto drained = drainInbox(**bob); !drained)
                return drained;
        }
    }

    printSummary("send", sends);
    printSummary("recv peek", recvs);
    const auto p99 = percentile(sends.ours, 99).value_or(0);
    const auto recvP99 = percentile(recvs.ours, 99).value_or(0);
    std::fprintf(stderr, "hive-bench-harness: goal: tool round trip p99 < 5 ms: %s\n",
                 p99 < 5 && recvP99 < 5 ? "met" : "not met");
    printBenchLine(QStringLiteral("mcp-send-p50"), percentile(sends.ours, 50), percentile(sends.anchor, 50), formatMs);
    printBenchLine(QStringLiteral("mcp-send-p99"), percentile(sends.ours, 99), percentile(sends.anchor, 99), formatMs);
    printBenchLine(QStringLiteral("mcp-recv-peek-p50"), percentile(recvs.ours, 50), percentile(recvs.anchor, 50),
                   formatMs);
    printBenchLine(QStringLiteral("mcp-recv-peek-p99"), percentile(recvs.ours, 99), percentile(recvs.anchor, 99),
                   formatMs);
    return {};
}

} // namespace hive::bench
