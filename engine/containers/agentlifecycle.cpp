// SPDX-License-Identifier: MIT
#include "agentlifecycle.h"

#include "agents/agentsockets.h"
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "clock.h"
#include "crashwatch.h"
#include "spawnsettings.h"
#include "statedir.h"
#include "store/database.h"
#include "store/eventlog.h"
#include "store/transaction.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QTimer>

#include <unistd.h>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcLifecycle, "hive.containers")

using protocol::LifecycleOp;
namespace agentstate = protocol::agentstates;

QString state(const char *name)
{
    return QString::fromLatin1(name);
}

QString manager()
{
    return QString::fromLatin1(AgentRegistry::ManagerName);
}

bool isLive(const QString &s)
{
    return s == QLatin1String(agentstate::Running) || s == QLatin1String(agentstate::Starting) ||
           s == QLatin1String(agentstate::Stopping);
}

} // namespace

AgentLifecycle::AgentLifecycle(Database &db, AgentRegistry &agents, AgentSockets &sockets, Broker &broker,
                               EventLog &events, const Clock &clock, std::unique_ptr<ContainerRuntime> runtime,
                               LifecycleOptions options, QObject *parent)
    : QObject(parent), m_db(db), m_agents(agents), m_sockets(sockets), m_broker(broker), m_events(events),
      m_clock(clock), m_runtime(std::move(runtime)), m_options(std::move(options)), m_store(db)
{
    m_queue = new LifecycleQueue([this](const LifecycleJob &job, const Done &finish) { run(job, finish); }, this);
    connect(m_queue, &LifecycleQueue::stepped, this, &AgentLifecycle::progress);
    if (m_runtime) {
        m_watch = new CrashWatch(*m_runtime, m_options.watchInterval, this);
        connect(m_watch, &CrashWatch::exited, this,
                [this](const QString &agent, const ContainerProcess & /*process*/) { exited(agent); });
    }
}

AgentLifecycle::~AgentLifecycle()
{
    *m_alive = false; // containers run on without the engine; only the watch ends (with us)
}

Result<void> AgentLifecycle::runtimeReady(const QString &context) const
{
    if (!m_runtime) {
        return fail(ErrorCode::Unavailable, QStringLiteral("%1: containers are off in this engine's configuration "
                                                           "(containers.backend = \"none\")")
                                                .arg(context));
    }
    if (auto available = m_runtime->available(); !available)
        return fail(available.error().wrapped(context));
    return {};
}

// --- the queue

void AgentLifecycle::spawn(const protocol::AgentSpawnParams &params, Done done)
{
    m_queue->enqueue(LifecycleJob{LifecycleOp::Spawn, params.name, params, true}, std::move(done));
}

void AgentLifecycle::submit(LifecycleOp op, const QString &agent, Done done)
{
    m_queue->enqueue(LifecycleJob{op, agent, std::nullopt, true}, std::move(done));
}

void AgentLifecycle::run(const LifecycleJob &job, const Done &finish)
{
    switch (job.op) {
    case LifecycleOp::Spawn:
        doSpawn(*job.spawn, finish);
        return;
    case LifecycleOp::Start:
        doStart(job.agent, job.byOperator, finish);
        return;
    case LifecycleOp::Kill:
        doStop(job.agent, finish);
        return;
    case LifecycleOp::Restart: {
        const QString agent = job.agent;
        const bool byOperator = job.byOperator;
        doStop(agent, [this, agent, byOperator, finish](const Result<void> &stopped) {
            if (!stopped) {
                finish(stopped);
                return;
            }
            doStart(agent, byOperator, finish);
        });
        return;
    }
    case LifecycleOp::Update:
        doUpdate(job.agent, finish);
        return;
    case LifecycleOp::Destroy:
        doDestroy(job.agent, finish);
        return;
    case LifecycleOp::Revive:
        doRevive(job.agent, finish);
        return;
    case LifecycleOp::Purge:
        doPurge(job.agent, finish);
        return;
    }
    finish(fail(ErrorCode::Internal, QStringLiteral("unknown lifecycle operation")));
}

void AgentLifecycle::progress(const LifecycleJob &job, const QString &step, qsizetype queued)
{
    (void)m_events.publish(QStringLiteral("agent_lifecycle"),
                           QJsonObject{{QStringLiteral("name"), job.agent},
                                       {QStringLiteral("operation"), protocol::lifecycleOpName(job.op)},
                                       {QStringLiteral("step"), step},
                                       {QStringLiteral("queued"), static_cast<qint64>(queued)}});
}

// --- records

Result<std::optional<ContainerRecord>> AgentLifecycle::find(const QString &agent)
{
    return m_store.find(agent);
}

Result<ContainerRecord> AgentLifecycle::require(const QString &agent)
{
    auto found = find(agent);
    if (!found)
        return fail(found.error());
    if (*found)
        return std::move(**found);
    auto registered = m_agents.find(agent);
    if (!registered)
        return fail(registered.error());
    if (*registered) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("agent '%1' was registered without a container (agent_add): it has no container "
                                   "to run; purge it and spawn it instead")
                        .arg(agent));
    }
    return fail(ErrorCode::NotFound, QStringLiteral("no agent named '%1'").arg(agent));
}

Result<QStringList> AgentLifecycle::shellCommand(const QString &agent)
{
    auto record = require(agent);
    if (!record)
        return fail(record.error());
    if (record->state != QLatin1String(agentstate::Running) || !record->process) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("agent '%1' is %2, not running: start it first").arg(agent, record->state));
    }
    if (auto ready = runtimeReady(QStringLiteral("no terminal into '%1'").arg(agent)); !ready)
        return fail(ready.error());
    return m_runtime->shellCommand(*record->process);
}

Result<void> AgentLifecycle::describe(protocol::AgentInfo &agent)
{
    auto found = find(agent.name);
    if (!found)
        return fail(found.error());
    if (!*found) {
        agent.state = state(agentstate::External);
        agent.container.reset();
        return {};
    }
    const ContainerRecord &record = **found;
    agent.state = record.state;
    protocol::ContainerInfo info;
    info.backend = record.backend;
    info.uidBase = record.uidBase;
    info.uidCount = record.uidCount;
    info.network = record.network;
    info.memoryMax = record.memoryMax;
    info.cpuQuota = record.cpuQuota;
    info.crashes = record.crashes;
    info.lastError = record.lastError;
    if (record.state == QLatin1String(agentstate::Running) && record.process) {
        info.pid = record.process->pid;
        info.startedAt = record.startedAt;
        if (record.startedAt)
            info.uptimeSeconds = record.startedAt->secsTo(m_clock.now());
    }
    agent.container = std::move(info);
    return {};
}

Result<void> AgentLifecycle::setState(const QString &agent, const QString &next, const QString &previous,
                                      const std::optional<QString> &reason)
{
    if (auto stored = m_store.setState(agent, next); !stored)
        return stored;
    if (next == previous)
        return {};
    QJsonObject data{
        {QStringLiteral("name"), agent}, {QStringLiteral("state"), next}, {QStringLiteral("previous"), previous}};
    if (reason)
        data.insert(QStringLiteral("reason"), *reason);
    (void)m_events.publish(QStringLiteral("agent_state_changed"), data);
    Q_EMIT stateChanged(agent, next, previous);
    return {};
}

QString AgentLifecycle::agentDir(const QString &agent) const
{
    return QDir(m_options.stateDir).filePath(QStringLiteral("agents/%1").arg(agent));
}

ContainerSpec AgentLifecycle::specFor(const ContainerRecord &record) const
{
    const QDir dir(agentDir(record.agent));
    ContainerSpec spec;
    spec.agent = record.agent;
    spec.rootDir = dir.filePath(QStringLiteral("root"));
    spec.imageDir = m_options.image.dir;
    spec.stateDir = dir.filePath(QStringLiteral("state"));
    spec.socketDir = QFileInfo(m_sockets.socketPath(record.agent)).absolutePath();
    spec.credentialsDir = dir.filePath(QStringLiteral("claude"));
    spec.harnessPath = m_options.harnessPath;
    spec.logPath = dir.filePath(QStringLiteral("container.log"));
    spec.command = m_options.command;
    spec.uidBase = record.uidBase;
    spec.uidCount = record.uidCount;
    spec.privateNetwork = record.network == QLatin1String("none");
    spec.memoryMax = record.memoryMax;
    spec.cpuQuota = record.cpuQuota;
    if (record.agent == manager()) {
        // The manager edits every agent's proposed repo (/agents/<n>/config) and fetches from the
        // applied repos (/applied/<n>, read-only): the proposed repos' `applied` remote is the
        // relative ../../../applied/<n>, right on the host and inside alike.
        const QDir state(m_options.stateDir);
        QDir().mkpath(state.filePath(QStringLiteral("agents")));
        QDir().mkpath(state.filePath(QStringLiteral("applied")));
        spec.extraBinds = {{state.filePath(QStringLiteral("agents")), QStringLiteral("/agents"), false, true},
                           {state.filePath(QStringLiteral("applied")), QStringLiteral("/applied"), true, true}};
    }
    spec.gitName = record.agent;
    spec.gitEmail = QStringLiteral("%1@hyperhive.invalid").arg(record.agent);
    return spec;
}

QString AgentLifecycle::logTail(const QString &agent) const
{
    QFile log(QDir(agentDir(agent)).filePath(QStringLiteral("container.log")));
    if (!log.open(QIODevice::ReadOnly))
        return {};
    constexpr qint64 TailBytes = 2048;
    if (log.size() > TailBytes)
        log.seek(log.size() - TailBytes);
    QStringList lines = QString::fromUtf8(log.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (log.size() > TailBytes && !lines.isEmpty())
        lines.removeFirst(); // cut mid-line
    return lines.mid(std::max<qsizetype>(0, lines.size() - 10)).join(QLatin1Char('\n'));
}

Result<void> AgentLifecycle::reopenSocket(const ContainerRecord &record)
{
    if (auto opened = m_sockets.open(record.agent); !opened)
        return opened;
    // A new socket file of a container that runs on: its root must be able to connect. Only root
    // can hand it over, and only root runs containers.
    if (::geteuid() != 0)
        return {};
    return m_sockets.setOwner(record.agent, record.uidBase);
}

Result<void> AgentLifecycle::setSettings(const protocol::AgentSpawnParams &settings)
{
    if (auto valid = validateSpawnSettings(settings); !valid)
        return valid;
    auto found = require(settings.name);
    if (!found)
        return fail(found.error());
    return m_store.setSettings(settings.name, settings.network, settings.memoryMax, settings.cpuQuota);
}

Result<void> AgentLifecycle::removeAgentFiles(const QString &agent, bool keepConfig)
{
    const QDir dir(agentDir(agent));
    for (const QString &entry : dir.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot)) {
        if (keepConfig && entry == QLatin1String("config"))
            continue;
        const QString path = dir.filePath(entry);
        if (QFileInfo(path).isDir() && !QFileInfo(path).isSymLink()) {
            QDir sub(path);
            if (!sub.removeRecursively())
                return fail(ErrorCode::Io, QStringLiteral("cannot remove %1 completely").arg(path));
        } else if (!QFile::remove(path)) {
            return fail(ErrorCode::Io, QStringLiteral("cannot remove %1").arg(path));
        }
    }
    if (dir.exists() && dir.isEmpty())
        (void)QDir().rmdir(dir.path());
    QDir socketDir(QFileInfo(m_sockets.socketPath(agent)).absolutePath());
    if (socketDir.exists() && !socketDir.removeRecursively())
        return fail(ErrorCode::Io, QStringLiteral("cannot remove %1 completely").arg(socketDir.path()));
    return {};
}

// --- operations

void AgentLifecycle::doSpawn(const protocol::AgentSpawnParams &params, Done done)
{
    const QString agent = params.name;
    const bool isManager = agent == manager();
    if (!isManager) {
        if (auto valid = AgentRegistry::validateName(agent); !valid) {
            done(valid);
            return;
        }
    }
    if (auto valid = validateSpawnSettings(params); !valid) {
        done(valid);
        return;
    }
    if (auto ready = runtimeReady(QStringLiteral("cannot spawn '%1'").arg(agent)); !ready) {
        done(ready);
        return;
    }
    auto existing = find(agent);
    if (!existing) {
        done(fail(existing.error()));
        return;
    }
    if (*existing) {
        const bool tombstone = (*existing)->state == QLatin1String(agentstate::Tombstone);
        done(fail(ErrorCode::AlreadyExists,
                  tombstone ? QStringLiteral("'%1' is a tombstone: revive it or purge it first").arg(agent)
                            : QStringLiteral("agent '%1' has a container already").arg(agent)));
        return;
    }

    // One transaction: the agent (unless it is the manager, registered at every start) and its
    // container row, so that a half-registered agent cannot exist.
    {
        Transaction tx(m_db);
        if (!tx.isActive()) {
            done(fail(tx.beginError()));
            return;
        }
        if (!isManager) {
            auto added = m_agents.add(agent);
            if (!added) {
                done(fail(added.error()));
                return;
            }
        }
        // Another engine on this host hands out ranges from the same start: a range whose uids run
        // processes here is someone's container and is skipped.
        auto base = m_store.allocateUidBase(m_options.uidBaseFirst, m_options.uidCount, m_runtime->uidsInUse());
        if (!base) {
            done(fail(base.error()));
            return;
        }
        ContainerRecord record;
        record.agent = agent;
        record.backend = m_runtime->name();
        record.uidBase = *base;
        record.uidCount = m_options.uidCount;
        record.network = params.network;
        record.memoryMax = params.memoryMax;
        record.cpuQuota = params.cpuQuota;
        if (auto inserted = m_store.insert(record, m_clock.now()); !inserted) {
            done(inserted);
            return;
        }
        if (auto committed = tx.commit(); !committed) {
            done(committed);
            return;
        }
    }
    qCInfo(lcLifecycle).noquote() << "spawning" << agent;

    doStart(agent, true, [this, agent, isManager, done](const Result<void> &started) {
        if (started) {
            (void)m_events.publish(QStringLiteral("agent_added"), QJsonObject{{QStringLiteral("name"), agent}});
            if (!isManager) {
                m_broker.notify(manager(), QJsonObject{{QStringLiteral("event"), QStringLiteral("agent_added")},
                                                       {QStringLiteral("name"), agent}});
            }
            done(started);
            return;
        }
        // Roll back everything the spawn made: files, socket, container row and registration.
        if (m_watch)
            m_watch->unwatch(agent);
        m_sockets.close(agent);
        // The config repo (agents/<n>/config) is the manager's work and outlives a failed spawn.
        Result<void> cleaned = removeAgentFiles(agent, true);
        Result<void> forgotten = isManager ? m_store.remove(agent) : m_agents.remove(agent);
        if (isManager) {
            // The manager is always registered; it keeps an (unopened) socket until the next start.
            (void)m_sockets.open(agent);
        }
        QString message =
            QStringLiteral("spawning '%1' failed; nothing of it was kept: %2").arg(agent, started.error().message);
        if (!cleaned)
            message += QStringLiteral(" (and cleaning up failed: %1)").arg(cleaned.error().message);
        if (!forgotten)
            message += QStringLiteral(" (and forgetting it failed: %1)").arg(forgotten.error().message);
        done(fail(started.error().code, message));
    });
}

void AgentLifecycle::doStart(const QString &agent, bool byOperator, Done done)
{
    auto found = require(agent);
    if (!found) {
        done(fail(found.error()));
        return;
    }
    const ContainerRecord record = std::move(*found);
    if (record.state == QLatin1String(agentstate::Tombstone)) {
        done(fail(ErrorCode::InvalidParams,
                  QStringLiteral("'%1' was destroyed (a tombstone): revive it to start it again").arg(agent)));
        return;
    }
    if (record.state == QLatin1String(agentstate::Running) && record.process && m_runtime &&
        m_runtime->isRunning(*record.process)) {
        done({}); // already running: nothing to do
        return;
    }
    if (auto ready = runtimeReady(QStringLiteral("cannot start '%1'").arg(agent)); !ready) {
        done(ready);
        return;
    }
    const QString previous = record.state;
    if (auto set = setState(agent, state(agentstate::Starting), previous); !set) {
        done(set);
        return;
    }
    ensureImage([this, alive = std::weak_ptr<bool>(m_alive), record, byOperator, done](const Result<void> &image) {
        if (alive.lock())
            launch(record, byOperator, image, done);
    });
}

void AgentLifecycle::ensureImage(Done next)
{
    const BaseImage::Settings &settings = m_options.image;
    if (settings.dir.isEmpty() || BaseImage::exists(settings.dir)) {
        next({});
        return;
    }
    // Built inside the job that needs it, so that the queue holds every other operation meanwhile; debootstrap runs
    // as a child process, so the engine keeps serving while it does (a minute or more).
    if (const LifecycleJob *job = m_queue->current())
        progress(*job, QStringLiteral("building the base image"), m_queue->size());
    qCInfo(lcLifecycle).noquote() << "the base image" << settings.dir << "is missing: building it";
    m_image = std::make_unique<BaseImage>(settings);
    m_image->build(nullptr, [this, next, dir = settings.dir](const Result<void> &built) {
        QTimer::singleShot(0, this, [this] { m_image.reset(); }); // not inside its own callback
        next(built ? built : fail(built.error().wrapped(QStringLiteral("building the base image %1").arg(dir))));
    });
}

void AgentLifecycle::launch(const ContainerRecord &record, bool byOperator, const Result<void> &image, const Done &done)
{
    const QString &agent = record.agent;
    const auto failed = [&](const Error &error) {
        (void)m_store.setExited(agent, m_clock.now(), error.message);
        (void)setState(agent, state(agentstate::Stopped), state(agentstate::Starting), error.message);
        done(fail(error));
    };
    if (!image) {
        failed(image.error());
        return;
    }
    const ContainerSpec spec = specFor(record);
    for (const QString &dir : {agentDir(agent), spec.stateDir, spec.credentialsDir}) {
        if (auto made = StateDir::ensure(dir); !made) {
            failed(made.error());
            return;
        }
    }
    // The socket first: prepare() hands it and its dir to the container's uid range.
    if (auto opened = m_sockets.open(agent); !opened) {
        failed(opened.error());
        return;
    }
    if (auto prepared = m_runtime->prepare(spec); !prepared) {
        failed(prepared.error().wrapped(QStringLiteral("preparing the container of '%1'").arg(agent)));
        return;
    }
    auto process = m_runtime->start(spec);
    if (!process) {
        failed(process.error().wrapped(QStringLiteral("starting the container of '%1'").arg(agent)));
        return;
    }
    auto stored = m_store.setStarted(agent, *process, m_clock.now(), byOperator);
    if (!stored) {
        (void)m_runtime->kill(*process);
        failed(stored.error());
        return;
    }
    m_watch->watch(agent, *process);
    qCInfo(lcLifecycle).noquote() << "started" << agent << "pid" << process->pid << "uids" << record.uidBase;
    done(setState(agent, state(agentstate::Running), state(agentstate::Starting)));
}

void AgentLifecycle::doStop(const QString &agent, Done done)
{
    auto found = require(agent);
    if (!found) {
        done(fail(found.error()));
        return;
    }
    const ContainerRecord record = std::move(*found);
    if (!isLive(record.state) || !record.process) {
        // A crashed container stopped already; killing it acknowledges that.
        if (record.state == QLatin1String(agentstate::Crashed))
            done(setState(agent, state(agentstate::Stopped), record.state, QStringLiteral("stopped by the operator")));
        else
            done({});
        return;
    }
    if (m_watch)
        m_watch->unwatch(agent); // from here on its exit is ours, not a crash
    if (auto set = setState(agent, state(agentstate::Stopping), record.state); !set) {
        done(set);
        return;
    }
    if (m_runtime && m_runtime->isRunning(*record.process)) {
        if (auto asked = m_runtime->terminate(*record.process); !asked)
            qCWarning(lcLifecycle).noquote() << "cannot ask" << agent << "to stop:" << asked.error().message;
    }
    waitForExit(agent, *record.process, m_options.stopGrace, false, std::move(done));
}

void AgentLifecycle::waitForExit(const QString &agent, ContainerProcess process, std::chrono::milliseconds left,
                                 bool killed, Done done)
{
    if (!m_runtime || !m_runtime->isRunning(process)) {
        auto stored = m_store.setExited(agent, m_clock.now(), std::nullopt);
        if (!stored) {
            done(stored);
            return;
        }
        qCInfo(lcLifecycle).noquote() << "stopped" << agent << (killed ? "(killed after the grace period)" : "");
        done(setState(agent, state(agentstate::Stopped), state(agentstate::Stopping),
                      killed ? std::optional<QString>(QStringLiteral("killed after the grace period")) : std::nullopt));
        return;
    }
    static constexpr std::chrono::milliseconds Step{25};
    if (left <= std::chrono::milliseconds::zero()) {
        if (killed) {
            done(fail(ErrorCode::Io, QStringLiteral("the container of '%1' (pid %2) does not go away even after "
                                                    "SIGKILL")
                                         .arg(agent)
                                         .arg(process.pid)));
            return;
        }
        qCWarning(lcLifecycle).noquote() << agent << "did not stop within" << m_options.stopGrace.count()
                                         << "ms; killing it";
        if (auto shot = m_runtime->kill(process); !shot) {
            done(fail(shot.error()));
            return;
        }
        waitForExit(agent, process, std::chrono::milliseconds(5000), true, std::move(done));
        return;
    }
    QTimer::singleShot(Step, this, [this, agent, process, left, killed, done = std::move(done)]() mutable {
        waitForExit(agent, process, left - Step, killed, std::move(done));
    });
}

void AgentLifecycle::doUpdate(const QString &agent, Done done)
{
    doStop(agent, [this, agent, done](const Result<void> &stopped) {
        if (!stopped) {
            done(stopped);
            return;
        }
        // Re-apply: the root tree is rebuilt from the current settings; /state is not touched.
        QDir root(QDir(agentDir(agent)).filePath(QStringLiteral("root")));
        if (root.exists() && !root.removeRecursively()) {
            done(fail(ErrorCode::Io, QStringLiteral("cannot remove the old root tree %1").arg(root.path())));
            return;
        }
        doStart(agent, true, done);
    });
}

void AgentLifecycle::doDestroy(const QString &agent, Done done)
{
    doStop(agent, [this, agent, done](const Result<void> &stopped) {
        if (!stopped) {
            done(stopped);
            return;
        }
        auto found = require(agent);
        if (!found) {
            done(fail(found.error()));
            return;
        }
        // Config, state and credentials stay on disk; the socket goes, so nothing reaches it.
        m_sockets.close(agent);
        qCInfo(lcLifecycle).noquote() << "destroyed" << agent << "(tombstone kept)";
        done(setState(agent, state(agentstate::Tombstone), found->state));
    });
}

void AgentLifecycle::doRevive(const QString &agent, Done done)
{
    auto found = require(agent);
    if (!found) {
        done(fail(found.error()));
        return;
    }
    if (found->state != QLatin1String(agentstate::Tombstone)) {
        done(fail(ErrorCode::InvalidParams,
                  QStringLiteral("'%1' is %2, not a tombstone: there is nothing to revive").arg(agent, found->state)));
        return;
    }
    if (auto set = setState(agent, state(agentstate::Stopped), found->state); !set) {
        done(set);
        return;
    }
    doStart(agent, true, std::move(done));
}

void AgentLifecycle::doPurge(const QString &agent, Done done)
{
    if (agent == manager()) {
        done(fail(ErrorCode::InvalidParams, QStringLiteral("the manager cannot be purged")));
        return;
    }
    auto registered = m_agents.find(agent);
    if (!registered) {
        done(fail(registered.error()));
        return;
    }
    if (!*registered) {
        done(fail(ErrorCode::NotFound, QStringLiteral("no agent named '%1'").arg(agent)));
        return;
    }
    auto found = find(agent);
    if (!found) {
        done(fail(found.error()));
        return;
    }
    const auto forget = [this, agent, done] {
        if (m_watch)
            m_watch->unwatch(agent);
        m_sockets.close(agent);
        if (auto removed = removeAgentFiles(agent, false); !removed) {
            done(removed);
            return;
        }
        if (auto forgotten = m_agents.remove(agent); !forgotten) { // the container row goes with it
            done(forgotten);
            return;
        }
        qCInfo(lcLifecycle).noquote() << "purged" << agent;
        (void)m_events.publish(QStringLiteral("agent_purged"), QJsonObject{{QStringLiteral("name"), agent}});
        done({});
    };
    if (!*found) { // an external agent: nothing runs
        forget();
        return;
    }
    doStop(agent, [forget, done](const Result<void> &stopped) {
        if (!stopped) {
            done(stopped);
            return;
        }
        forget();
    });
}

// --- the crash watch

void AgentLifecycle::exited(const QString &agent)
{
    auto found = find(agent);
    if (!found || !*found) {
        qCWarning(lcLifecycle).noquote() << "a watched container of" << agent << "exited, but its record is gone";
        return;
    }
    const ContainerRecord &record = **found;
    if (record.state != QLatin1String(agentstate::Running) && record.state != QLatin1String(agentstate::Starting))
        return; // an operator stop is on its way
    const qint64 uptime = record.startedAt ? record.startedAt->secsTo(m_clock.now()) : 0;
    crashed(agent, record, QStringLiteral("the container exited without an operator action after %1 s").arg(uptime));
}

void AgentLifecycle::crashed(const QString &agent, const ContainerRecord &record, const QString &why)
{
    const QString tail = logTail(agent);
    const qint64 pid = record.process ? record.process->pid : 0;
    const qint64 uptime = record.startedAt ? record.startedAt->secsTo(m_clock.now()) : 0;
    qCWarning(lcLifecycle).noquote() << agent << "crashed:" << why;
    auto stored = m_store.setCrashed(agent, m_clock.now(), why);
    if (!stored)
        qCWarning(lcLifecycle).noquote() << "cannot record the crash of" << agent << ":" << stored.error().message;
    (void)setState(agent, state(agentstate::Crashed), record.state, why);
    const QJsonObject crash{{QStringLiteral("name"), agent},
                            {QStringLiteral("pid"), pid},
                            {QStringLiteral("uptime_seconds"), uptime},
                            {QStringLiteral("crashes"), record.crashes + 1},
                            {QStringLiteral("reason"), why},
                            {QStringLiteral("log_tail"), tail}};
    (void)m_events.publish(QStringLiteral("container_crash"), crash);
    if (agent != manager()) {
        QJsonObject notice = crash;
        notice.insert(QStringLiteral("event"), QStringLiteral("container_crash"));
        m_broker.notify(manager(), notice);
    }
    if (!m_options.autoRestart)
        return;
    // Back-off doubles with every crash since the operator last started it.
    const qint64 exponent = std::min<qint64>(record.crashes, 20);
    const auto delay = std::min<std::chrono::milliseconds>(m_options.restartBackoff * (qint64{1} << exponent),
                                                           m_options.restartBackoffMax);
    qCInfo(lcLifecycle).noquote() << "restarting" << agent << "in" << delay.count() << "ms";
    QTimer::singleShot(delay, this, [this, agent] {
        auto current = find(agent);
        if (!current || !*current || (*current)->state != QLatin1String(agentstate::Crashed))
            return; // the operator took over meanwhile
        m_queue->enqueue(LifecycleJob{LifecycleOp::Start, agent, std::nullopt, false},
                         [agent](const Result<void> &restarted) {
                             if (!restarted) {
                                 qCWarning(lcLifecycle).noquote()
                                     << "automatic restart of" << agent << "failed:" << restarted.error().message;
                             }
                         });
    });
}

// --- engine start

Result<void> AgentLifecycle::reconcile()
{
    auto records = m_store.list();
    if (!records)
        return fail(records.error());
    for (const ContainerRecord &record : std::as_const(*records)) {
        if (record.state == QLatin1String(agentstate::Tombstone)) {
            m_sockets.close(record.agent);
            continue;
        }
        if (auto opened = reopenSocket(record); !opened)
            qCWarning(lcLifecycle).noquote() << "agent" << record.agent << ":" << opened.error().message;
        if (!isLive(record.state))
            continue;
        const bool alive = record.process && m_runtime && m_runtime->isRunning(*record.process);
        if (alive && record.state != QLatin1String(agentstate::Stopping)) {
            // The engine restarted; the container did not: not a crash.
            if (record.state != QLatin1String(agentstate::Running))
                (void)setState(record.agent, state(agentstate::Running), record.state);
            m_watch->watch(record.agent, *record.process);
            qCInfo(lcLifecycle).noquote()
                << "container of" << record.agent << "still runs (pid" << record.process->pid << ")";
            continue;
        }
        if (record.state == QLatin1String(agentstate::Stopping)) {
            // An operator stop was under way when the engine went down: finish it.
            if (alive)
                (void)m_runtime->kill(*record.process);
            (void)m_store.setExited(record.agent, m_clock.now(), std::nullopt);
            (void)setState(record.agent, state(agentstate::Stopped), record.state);
            continue;
        }
        crashed(record.agent, record, QStringLiteral("the container exited while the engine was not running"));
    }
    return {};
}

void AgentLifecycle::ensureManagerContainer()
{
    auto found = find(manager());
    if (!found) {
        qCWarning(lcLifecycle).noquote() << "cannot look up the manager's container:" << found.error().message;
        return;
    }
    if (*found)
        return;
    if (auto ready = runtimeReady(QStringLiteral("the manager gets no container")); !ready) {
        qCInfo(lcLifecycle).noquote() << ready.error().message;
        return;
    }
    protocol::AgentSpawnParams params;
    params.name = manager();
    spawn(params, [](const Result<void> &spawned) {
        if (spawned)
            qCInfo(lcLifecycle) << "the manager's container was created";
        else
            qCWarning(lcLifecycle).noquote() << "creating the manager's container failed:" << spawned.error().message;
    });
}

} // namespace hive::engine
