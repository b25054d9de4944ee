// SPDX-License-Identifier: MIT
#include "containerengine.h"

#include "interrupt.h"
#include "localsocketpeer.h"
#include "monotonic.h"
#include "protocol/methods.h"
#include "statepaths.h"

#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>

#include <csignal>
#include <cstdio>

namespace hive::bench {

namespace {

constexpr int StartTimeoutMs = 120'000;
constexpr int ConnectTimeoutMs = 60'000;
constexpr int WaitTickMs = 10;

QByteArray engineConfig(const QString &harness, const QString &listen)
{
    // The manager gets no container: only the agents a workload spawns run.
    return "# written by hive-bench-containers\n"
           "listen = \"" +
           listen.toUtf8() +
           "\"\n\n"
           "[log]\n"
           "level = \"warning\"\n\n"
           "[containers]\n"
           "backend = \"nspawn\"\n"
           "spawn_manager = false\n"
           "harness = \"" +
           QFile::encodeName(harness) +
           "\"\n"
           "stop_grace_seconds = 2\n";
}

} // namespace

ContainerEngine::ContainerEngine(QString engineProgram, QString harnessProgram, QString dir, const QString &listen)
    : m_harnessProgram(std::move(harnessProgram)),
      m_server(std::move(engineProgram), {}, std::move(dir), engineConfig(m_harnessProgram, listen))
{}

ContainerEngine::~ContainerEngine()
{
    stop();
}

Result<void> ContainerEngine::start()
{
    if (!QFileInfo(m_harnessProgram).isExecutable())
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("no hive-harness at %1 (see --harness)").arg(m_harnessProgram));
    if (auto started = m_server.start(StartTimeoutMs); !started)
        return started;
    m_client = std::make_unique<client::RpcClient>(new client::LocalSocketPeer(paths::adminSocket(stateDir())));
    if (auto opened = m_client->openAndWait(StartTimeoutMs); !opened)
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

Result<protocol::AgentInfo> ContainerEngine::spawn(const QString &agent)
{
    const qsizetype from = eventCount();
    protocol::AgentSpawnParams params;
    params.name = agent;
    auto spawned = call<protocol::AgentSpawnMethod>(params);
    if (!spawned)
        return fail(spawned.error().wrapped(QStringLiteral("agent_spawn %1").arg(agent)));
    m_spawned.append(agent);
    if (!waitForEvent(QStringLiteral("agent_connected"), agent, from, ConnectTimeoutMs)) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the harness of %1 did not connect within %2 ms").arg(agent).arg(ConnectTimeoutMs));
    }
    return spawned;
}

void ContainerEngine::purgeAll()
{
    while (!m_spawned.isEmpty()) {
        const QString agent = m_spawned.takeLast();
        if (auto purged = call<protocol::AgentPurgeMethod>(protocol::AgentPurgeParams{agent}); !purged) {
            std::fprintf(stderr, "hive-bench-containers: purging %s failed, its container may still run: %s\n",
                         qPrintable(agent), qPrintable(purged.error().message));
        }
    }
}

void ContainerEngine::stop()
{
    if (m_client && m_client->isOpen())
        purgeAll();
    m_client.reset();
    m_server.stop();
}

std::optional<ReceivedEvent> ContainerEngine::waitForEvent(const QString &kind, const QString &name, qsizetype from,
                                                           int timeoutMs)
{
    std::optional<ReceivedEvent> found;
    waitUntil(
        [&] {
            for (qsizetype i = from; i < m_events.size(); ++i) {
                const protocol::Event &event = m_events[i].event;
                if (event.kind == kind && event.data.value(QStringLiteral("name")).toString() == name) {
                    found = m_events[i];
                    return true;
                }
            }
            return false;
        },
        timeoutMs);
    return found;
}

bool ContainerEngine::waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    // A blocking loop woken by a coarse tick: the figures are taken where frames are read, not here.
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

engine::ContainerSpec ContainerEngine::specOf(const protocol::AgentInfo &agent) const
{
    const QDir dir(stateDir() + QStringLiteral("/agents/") + agent.name);
    engine::ContainerSpec spec;
    spec.agent = agent.name;
    spec.rootDir = dir.filePath(QStringLiteral("root"));
    spec.stateDir = dir.filePath(QStringLiteral("state"));
    spec.socketDir = stateDir() + QStringLiteral("/run/agents/") + agent.name;
    spec.credentialsDir = dir.filePath(QStringLiteral("claude"));
    spec.harnessPath = m_harnessProgram;
    spec.logPath = dir.filePath(QStringLiteral("container.log"));
    spec.gitName = agent.name;
    spec.gitEmail = agent.name + QStringLiteral("@hyperhive.invalid");
    if (agent.container) {
        spec.uidBase = static_cast<quint32>(agent.container->uidBase);
        spec.uidCount = static_cast<quint32>(agent.container->uidCount);
        spec.privateNetwork = agent.container->network == QLatin1String("none");
    }
    return spec;
}

} // namespace hive::bench
