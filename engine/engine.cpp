// SPDX-License-Identifier: MIT
#include "engine.h"

#include "agents/agenthandlers.h"
#include "agents/agentsockets.h"
#include "agents/harnesses.h"
#include "api/apihandlers.h"
#include "api/apiserver.h"
#include "api/connectionregistry.h"
#include "api/dispatcher.h"
#include "approvals/approvals.h"
#include "approvals/tagretention.h"
#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "broker/questions.h"
#include "broker/reminders.h"
#include "clock.h"
#include "containers/agentlifecycle.h"
#include "containers/nspawnruntime.h"
#include "protocol/agentmethods.h"
#include "statedir.h"
#include "statepaths.h"
#include "store/auditlog.h"
#include "store/database.h"
#include "store/eventlog.h"
#include "store/migrator.h"
#include "store/tokenstore.h"
#include "telemetry/telemetry.h"
#include "terminals/terminalsessions.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QTimer>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcEngine, "hive.engine")
}

Engine::Engine(EngineConfig config, const Clock &clock, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_clock(clock)
{}

Engine::~Engine()
{
    stop();
}

Result<TlsMaterial> Engine::loadTls(const EngineConfig &config)
{
    if (!config.tlsCertificate.isEmpty())
        return CertificateStore::loadFiles(config.tlsCertificate, config.tlsPrivateKey);
    return CertificateStore::loadOrCreate(QDir(config.stateDir).filePath(QStringLiteral("tls")));
}

QString Engine::adminSocketPath() const
{
    return m_stateDir ? paths::adminSocket(m_stateDir->path()) : QString();
}

quint16 Engine::tlsPort() const
{
    return m_server ? m_server->tlsPort() : 0;
}

Result<void> Engine::start()
{
    if (m_running)
        return {};
    auto result = [this]() -> Result<void> {
        auto stateDir = StateDir::acquire(m_config.stateDir);
        if (!stateDir)
            return fail(stateDir.error());
        m_stateDir = std::move(*stateDir);
        m_config.stateDir = m_stateDir->path();

        auto db = Database::open(m_stateDir->filePath(QStringLiteral("engine.db")));
        if (!db)
            return fail(db.error());
        m_db = std::move(*db);
        auto version = Migrator::migrate(*m_db);
        if (!version)
            return fail(version.error());

        auto tls = loadTls(m_config);
        if (!tls)
            return fail(tls.error());
        m_tls = std::move(*tls);
        if (m_tls.generated)
            qCInfo(lcEngine).noquote() << "created a self-signed certificate, SHA-256" << m_tls.fingerprint;

        m_tokens = std::make_unique<TokenStore>(*m_db, m_clock);
        m_audit = std::make_unique<AuditLog>(*m_db, m_clock);
        m_events = std::make_unique<EventLog>(*m_db, m_clock, m_config.eventHistory);
        if (auto loaded = m_events->load(); !loaded)
            return fail(loaded.error());

        m_agents = std::make_unique<AgentRegistry>(*m_db, m_clock);
        if (auto manager = m_agents->ensureManager(); !manager)
            return fail(manager.error());
        m_broker = std::make_unique<Broker>(
            *m_db, *m_agents, m_clock,
            BrokerOptions{static_cast<qsizetype>(m_config.maxBodyBytes), BrokerOptions{}.maxWaitSeconds});
        connect(m_broker.get(), &Broker::messageSent, this, [this](const protocol::Message &message) {
            (void)m_events->publish(QStringLiteral("message_sent"), message.toJson());
        });
        const auto publishIds = [this](const char *kind) {
            return [this, kind](const QString &agent, const QList<qint64> &ids) {
                QJsonArray array;
                for (qint64 id : ids)
                    array.append(id);
                (void)m_events->publish(QString::fromLatin1(kind),
                                        QJsonObject{{QStringLiteral("agent"), agent}, {QStringLiteral("ids"), array}});
            };
        };
        connect(m_broker.get(), &Broker::messagesDelivered, this, publishIds("message_delivered"));
        connect(m_broker.get(), &Broker::messagesAcked, this, publishIds("message_acked"));
        connect(m_broker.get(), &Broker::messagesRequeued, this, publishIds("message_requeued"));
        m_vacuumTimer = new QTimer(this);
        connect(m_vacuumTimer, &QTimer::timeout, this, [this] {
            auto vacuumed = m_broker->vacuum(std::chrono::hours(24) * m_config.retentionDays);
            if (!vacuumed)
                qCWarning(lcEngine).noquote() << "vacuuming acknowledged messages failed:" << vacuumed.error().message;
            else if (*vacuumed > 0)
                qCInfo(lcEngine) << "vacuumed" << *vacuumed << "acknowledged message(s) older than"
                                 << m_config.retentionDays << "days";
        });
        m_vacuumTimer->start(std::chrono::minutes(m_config.vacuumIntervalMinutes));

        m_connections = std::make_unique<ConnectionRegistry>();
        // Events go out in order with the replies: after the group sync that makes them durable.
        connect(m_events.get(), &EventLog::published, m_connections.get(),
                [this, registry = QPointer<ConnectionRegistry>(m_connections.get())](const protocol::Event &event) {
                    m_db->whenDurable([registry, event](const Result<void> & /*synced*/) {
                        if (registry)
                            registry->broadcast(event);
                    });
                });
        m_facts = EngineFacts{m_clock.now(), m_stateDir->path(), QString(), m_tls.fingerprint, *version};
        // The agents' surface: its own dispatcher (no operator methods, no auditing) behind one
        // socket per agent, opened for every registered agent, the manager included.
        m_questions = std::make_unique<Questions>(*m_db, *m_agents, *m_broker, m_clock);
        connect(m_questions.get(), &Questions::questionAdded, this, [this](const protocol::Question &question) {
            (void)m_events->publish(QStringLiteral("question_added"), question.toJson());
        });
        connect(m_questions.get(), &Questions::questionResolved, this, [this](const protocol::Question &question) {
            (void)m_events->publish(QStringLiteral("question_resolved"), question.toJson());
        });
        if (auto loaded = m_questions->load(); !loaded)
            return fail(loaded.error());
        m_reminders = std::make_unique<Reminders>(*m_db, *m_broker, m_clock);
        connect(m_reminders.get(), &Reminders::reminderChanged, this,
                [this](const QString &change, const protocol::Reminder &reminder) {
                    (void)m_events->publish(QStringLiteral("reminder_") + change, reminder.toJson());
                });
        if (auto loaded = m_reminders->load(); !loaded)
            return fail(loaded.error());
        m_agentHandlers = std::make_unique<AgentHandlers>(*m_broker, *m_agents, *m_questions, *m_reminders);
        // The harnesses' control connections and states, and the operator's model overrides. A bad
        // API key file stops the start here rather than at every agent's first config call.
        if (!m_config.harness.apiKeyFile.isEmpty()) {
            if (auto key = HarnessSettings::checkApiKeyFile(m_config.harness.apiKeyFile); !key)
                return fail(key.error());
        }
        m_harnesses = std::make_unique<Harnesses>(*m_db, *m_agents, *m_events, m_clock, m_config.harness);
        m_agentHandlers->setHarnesses(*m_harnesses);
        m_agentDispatcher = std::make_unique<Dispatcher>(nullptr, m_db.get());
        m_agentDispatcher->registerMethods(*m_agentHandlers, protocol::AgentMethods{});
        m_agentSockets = std::make_unique<AgentSockets>(m_stateDir->path(), *m_agentDispatcher, *m_connections,
                                                        static_cast<qsizetype>(m_config.maxFrameBytes));
        const auto publishName = [this](const char *kind) {
            return [this, kind](const QString &agent) {
                (void)m_events->publish(QString::fromLatin1(kind), QJsonObject{{QStringLiteral("name"), agent}});
            };
        };
        connect(m_agentSockets.get(), &AgentSockets::agentConnected, this, publishName("agent_connected"));
        connect(m_agentSockets.get(), &AgentSockets::agentDisconnected, this, publishName("agent_disconnected"));
        auto agents = m_agents->list();
        if (!agents)
            return fail(agents.error());
        for (const AgentRecord &agent : std::as_const(*agents)) {
            if (auto opened = m_agentSockets->open(agent.name); !opened)
                return fail(opened.error());
        }

        m_lifecycle = std::make_unique<AgentLifecycle>(*m_db, *m_agents, *m_agentSockets, *m_broker, *m_events, m_clock,
                                                       makeRuntime(), lifecycleOptions());
        if (auto reconciled = m_lifecycle->reconcile(); !reconciled)
            return fail(reconciled.error());
        m_terminals = std::make_unique<TerminalSessions>(*m_lifecycle, *m_audit, *m_events, m_clock);

        m_approvals =
            std::make_unique<Approvals>(*m_db, *m_agents, *m_broker, *m_lifecycle, m_clock, m_stateDir->path());
        connect(m_approvals.get(), &Approvals::approvalChanged, this,
                [this](const protocol::ApprovalInfo &approval, const QString &previous) {
                    QJsonObject data{{QStringLiteral("approval"), approval.toJson()}};
                    if (previous.isEmpty()) {
                        (void)m_events->publish(QStringLiteral("approval_added"), data);
                        return;
                    }
                    data.insert(QStringLiteral("previous"), previous);
                    (void)m_events->publish(protocol::isTerminalApprovalState(approval.state)
                                                ? QStringLiteral("approval_resolved")
                                                : QStringLiteral("approval_changed"),
                                            data);
                });
        connect(m_approvals.get(), &Approvals::draftChanged, this,
                [this](const QString &change, const protocol::DraftInfo &draft) {
                    (void)m_events->publish(QStringLiteral("draft_") + change, draft.toJson());
                });
        // Every agent gets its config repos, those added while the engine runs included; a
        // purged one loses its applied repo (the meta log keeps its deploys).
        connect(m_events.get(), &EventLog::published, this, [this](const protocol::Event &event) {
            const QString name = event.data.value(QStringLiteral("name")).toString();
            if (event.kind == QLatin1String("agent_added")) {
                if (auto ensured = m_approvals->ensureRepos(name); !ensured)
                    qCWarning(lcEngine).noquote() << ensured.error().message;
            } else if (event.kind == QLatin1String("agent_purged")) {
                if (auto forgotten = m_approvals->forgetAgent(name); !forgotten)
                    qCWarning(lcEngine).noquote() << forgotten.error().message;
            }
        });
        m_agentHandlers->attach(*m_approvals);
        if (auto recovered = m_approvals->recover(); !recovered)
            return fail(recovered.error());
        // The approval tags' retention, on a timer that goes with the approvals; it logs what it removes.
        m_approvals->setTagRetentionDays(m_config.tagRetentionDays);
        auto *tagGc = new QTimer(m_approvals.get());
        connect(tagGc, &QTimer::timeout, m_approvals.get(), [this] {
            (void)TagRetention(m_approvals->repos(), m_clock, m_approvals->tagRetentionDays()).run(false);
        });
        tagGc->start(std::chrono::minutes(m_config.gcIntervalMinutes));

        // Telemetry: turn reports and the engine's samples from every event, their retention, and the
        // daily budgets (limits from the deployed agent.toml). A raise tells the paused harness.
        m_telemetry = std::make_unique<Telemetry>(*m_db, *m_agents, *m_questions, m_clock, m_config.telemetry,
                                                  Budgets::deployedLimits(*m_approvals));
        connect(m_events.get(), &EventLog::published, m_telemetry.get(), &Telemetry::observe);
        connect(m_telemetry.get(), &Telemetry::budgetChanged, this,
                [this](const QString &agent, const protocol::BudgetStatus &budget) {
                    (void)m_events->publish(
                        QStringLiteral("budget_changed"),
                        QJsonObject{{QStringLiteral("agent"), agent}, {QStringLiteral("budget"), budget.toJson()}});
                    if (!budget.exceeded)
                        m_harnesses->notifyConfigChanged(agent);
                });
        m_agentHandlers->setTelemetry(*m_telemetry);
        if (auto started = m_telemetry->start(); !started)
            return fail(started.error());

        m_services = std::make_unique<ApiServices>(ApiServices{
            m_clock, *m_tokens, *m_audit, *m_events, *m_connections, m_facts, *m_agents, *m_broker, *m_agentSockets,
            *m_questions, *m_reminders, *m_lifecycle, *m_terminals, *m_approvals, *m_harnesses});
        m_services->telemetry = m_telemetry.get();
        m_handlers = std::make_unique<ApiHandlers>(*m_services);
        m_agentHandlers->attach(*m_services); // the manager's lifecycle calls
        m_dispatcher = std::make_unique<Dispatcher>(m_audit.get(), m_db.get());
        m_dispatcher->registerMethods(*m_handlers, protocol::ApiMethods{});

        const ApiServerOptions options{static_cast<qsizetype>(m_config.maxFrameBytes), m_config.helloTimeoutSeconds,
                                       m_config.maxConnections};
        m_server = std::make_unique<ApiServer>(options, *m_dispatcher, *m_connections);
        m_server->setBinaryHandler([this](Connection &connection, const QByteArray &frame) {
            m_terminals->handleBinaryFrame(connection, frame);
        });
        auto runDir = m_stateDir->subdir(QStringLiteral("run"));
        if (!runDir)
            return fail(runDir.error());
        if (auto local = m_server->listenLocal(paths::adminSocket(m_stateDir->path())); !local)
            return fail(local.error());
        if (m_config.listenEnabled) {
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            ssl.setLocalCertificateChain(m_tls.chain.isEmpty() ? QList<QSslCertificate>{m_tls.certificate}
                                                               : m_tls.chain);
            ssl.setPrivateKey(m_tls.privateKey);
            if (auto listening = m_server->listenTls(QHostAddress(m_config.listenHost), m_config.listenPort, ssl);
                !listening)
                return fail(listening.error());
            m_facts.listen = m_server->tlsAddress();
        }
        return {};
    }();
    if (!result) {
        m_running = true; // let stop() tear down whatever was built
        stop();
        return result;
    }
    m_running = true;
    if (m_config.spawnManager)
        m_lifecycle->ensureManagerContainer();
    (void)m_events->publish(QStringLiteral("engine_started"),
                            QJsonObject{{QStringLiteral("version"), QStringLiteral(HIVE_VERSION)},
                                        {QStringLiteral("listen"), m_facts.listen}});
    return {};
}

void Engine::setContainerRuntime(std::unique_ptr<ContainerRuntime> runtime)
{
    m_runtimeOverride = std::move(runtime);
}

std::unique_ptr<ContainerRuntime> Engine::makeRuntime()
{
    if (m_runtimeOverride)
        return std::move(m_runtimeOverride);
    if (m_config.containerBackend == QLatin1String("nspawn"))
        return std::make_unique<NspawnRuntime>();
    return nullptr;
}

LifecycleOptions Engine::lifecycleOptions() const
{
    LifecycleOptions options;
    options.stateDir = m_stateDir->path();
    options.harnessPath = m_config.harnessPath;
    if (options.harnessPath.isEmpty()) {
        // Beside hive-engine (a build tree, /usr/libexec/hyperhive), else on the PATH.
        const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("hive-harness"));
        options.harnessPath =
            QFileInfo::exists(beside) ? beside : QStandardPaths::findExecutable(QStringLiteral("hive-harness"));
    }
    options.command = m_config.containerCommand;
    options.stopGrace = std::chrono::seconds(m_config.stopGraceSeconds);
    options.autoRestart = m_config.autoRestart;
    options.restartBackoff = std::chrono::seconds(m_config.restartBackoffSeconds);
    if (m_config.containerRoot == QLatin1String("image"))
        options.image = {m_config.imageDirectory(), m_config.imageSuite, m_config.imageMirror, {}};
    return options;
}

void Engine::shutdown(std::chrono::milliseconds grace, std::function<void()> done)
{
    if (!m_running) {
        done();
        return;
    }
    if (!m_stoppingAnnounced) {
        m_stoppingAnnounced = true;
        (void)m_events->publish(QStringLiteral("engine_stopping"), QJsonObject{});
    }
    m_db->syncNow();           // the last replies and engine_stopping go out before the connections close
    m_server->stopListening(); // no new connections; the admin socket file goes away
    m_agentSockets->closeAll();
    m_terminals->closeAll(QString::fromLatin1(protocol::terminalendings::EngineStopping)); // terminal.closed goes out
    m_connections->closeAll(QStringLiteral("engine stopping"));
    auto finished = std::make_shared<bool>(false);
    auto finish = [this, finished, done = std::move(done)] {
        if (std::exchange(*finished, true))
            return;
        stop();
        done();
    };
    if (m_connections->count() == 0) {
        finish();
        return;
    }
    // Queued: finish() deletes the registry, which must not happen inside its own signal.
    connect(
        m_connections.get(), &ConnectionRegistry::countChanged, this,
        [finish](qsizetype count) {
            if (count == 0)
                finish();
        },
        Qt::QueuedConnection);
    QTimer::singleShot(grace, this, finish);
}

void Engine::stop()
{
    if (!m_running)
        return;
    m_running = false;
    if (m_db)
        m_db->syncNow(); // what waits for durability is released before its connections close
    if (m_connections)
        m_connections->closeAll(QStringLiteral("engine stopping"));
    if (m_server)
        m_server->close();
    m_server.reset();
    m_terminals.reset(); // before the lifecycle and the audit log: their ends are audited
    m_telemetry.reset(); // its budgets read the deployed configs
    m_approvals.reset(); // before the lifecycle: a deploy in flight is answered, not left waiting
    m_lifecycle.reset(); // containers keep running; the next start reconciles with them
    m_agentSockets.reset();
    m_agentDispatcher.reset();
    m_agentHandlers.reset();
    m_reminders.reset();
    m_questions.reset();
    m_dispatcher.reset();
    m_handlers.reset();
    m_services.reset();
    m_harnesses.reset(); // after everything that points at it; its detaches publish into m_events
    m_connections.reset();
    delete m_vacuumTimer;
    m_vacuumTimer = nullptr;
    m_broker.reset();
    m_agents.reset();
    m_events.reset();
    m_audit.reset();
    m_tokens.reset();
    m_db.reset();
    m_stateDir.reset();
}

} // namespace hive::engine
