// SPDX-License-Identifier: MIT
#include "harnesses.h"

#include "api/connection.h"
#include "broker/agentregistry.h"
#include "clock.h"
#include "jsonrpc.h"
#include "protocol/approvals.h"
#include "store/database.h"
#include "store/eventlog.h"
#include "store/row.h"

#include <QLoggingCategory>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcHarness, "hive.harness")

namespace agentstate = protocol::agentstates;
namespace harnessstate = protocol::harnessstates;

/// Harness states that say more about the agent than "running": the console shows them instead.
bool overridesAgentState(const QString &state)
{
    return state == QLatin1String(harnessstate::RateLimited) || state == QLatin1String(harnessstate::NeedsLogin) ||
           state == QLatin1String(harnessstate::OverBudget);
}

} // namespace

Harnesses::Harnesses(Database &db, AgentRegistry &agents, EventLog &events, const Clock &clock,
                     HarnessSettings settings, QObject *parent)
    : QObject(parent), m_db(db), m_agents(agents), m_events(events), m_clock(clock), m_settings(std::move(settings))
{
    // A deployed config changes what `config` answers: the harness hears of it at once.
    connect(&m_events, &EventLog::published, this, [this](const protocol::Event &event) {
        if (event.kind != QLatin1String("approval_resolved"))
            return;
        const QJsonObject approval = event.data.value(QStringLiteral("approval")).toObject();
        if (approval.value(QStringLiteral("state")).toString() == QLatin1String(protocol::approvalstates::Deployed))
            notifyConfigChanged(approval.value(QStringLiteral("agent")).toString());
    });
}

Result<protocol::HarnessAttachResult> Harnesses::attach(const QString &agent, Connection &connection,
                                                        const protocol::HarnessAttachParams &params)
{
    auto record = m_agents.find(agent);
    if (!record)
        return fail(record.error());
    if (!*record)
        return fail(ErrorCode::NotFound, QStringLiteral("agent '%1' is not registered any more").arg(agent));
    Attached &entry = m_attached[agent];
    const bool replaced = entry.connection && entry.connection.data() != &connection;
    entry.connection = &connection;
    entry.raw = &connection;
    entry.status = protocol::HarnessStatus{};
    entry.status.since = m_clock.now();
    // Every attach connects; detach() ignores a connection that is no longer the control one.
    connect(&connection, &Connection::closed, this, [this, agent, raw = &connection] { detach(agent, raw); });
    qCInfo(lcHarness).noquote() << QStringLiteral("harness %1 (pid %2) of agent %3 attached%4")
                                       .arg(params.version)
                                       .arg(params.pid)
                                       .arg(agent,
                                            replaced ? QStringLiteral(", replacing the previous one") : QString());
    publishStatus(agent);
    return protocol::HarnessAttachResult{agent, (*record)->kind};
}

Result<Harnesses::Attached *> Harnesses::controlled(const QString &agent, const Connection *connection,
                                                    const char *method)
{
    const auto it = m_attached.find(agent);
    if (it == m_attached.end() || !it->connection || it->raw != connection) {
        return fail(ErrorCode::Conflict,
                    QStringLiteral("%1 comes from the harness's control connection: call harness_attach on this "
                                   "connection first%2")
                        .arg(QLatin1String(method),
                             it != m_attached.end() && it->connection
                                 ? QStringLiteral(" (another connection of agent '%1' is attached)").arg(agent)
                                 : QString()));
    }
    return &*it;
}

Result<void> Harnesses::report(const QString &agent, const Connection *connection,
                               const protocol::HarnessStateParams &params)
{
    auto entry = controlled(agent, connection, "harness_state");
    if (!entry)
        return fail(entry.error());
    protocol::HarnessStatus next = (*entry)->status;
    if (next.state != params.state)
        next.since = m_clock.now();
    next.state = params.state;
    next.detail = params.detail;
    next.until = params.until;
    next.turn = params.turn;
    if (next == (*entry)->status)
        return {};
    if (next.state != (*entry)->status.state)
        qCInfo(lcHarness).noquote() << "harness of agent" << agent << "is" << next.state
                                    << (next.detail ? QStringLiteral("(%1)").arg(*next.detail) : QString());
    (*entry)->status = std::move(next);
    publishStatus(agent);
    return {};
}

Result<void> Harnesses::turnEvent(const QString &agent, const Connection *connection,
                                  const protocol::TurnEventParams &params)
{
    auto entry = controlled(agent, connection, "turn_event");
    if (!entry)
        return fail(entry.error());
    auto published = m_events.publish(QStringLiteral("agent_turn"), QJsonObject{{QStringLiteral("agent"), agent},
                                                                                {QStringLiteral("turn"), params.turn},
                                                                                {QStringLiteral("kind"), params.kind},
                                                                                {QStringLiteral("data"), params.data}});
    if (!published)
        return fail(published.error());
    return {};
}

void Harnesses::detach(const QString &agent, const Connection *connection)
{
    const auto it = m_attached.find(agent);
    if (it == m_attached.end() || it->raw != connection)
        return; // replaced by a newer attach: that one is the agent's harness now
    m_attached.erase(it);
    qCInfo(lcHarness).noquote() << "harness of agent" << agent << "detached";
    publishStatus(agent);
}

void Harnesses::publishStatus(const QString &agent)
{
    QJsonObject data{{QStringLiteral("agent"), agent}};
    if (const auto current = status(agent))
        data.insert(QStringLiteral("harness"), current->toJson());
    (void)m_events.publish(QStringLiteral("agent_harness"), data);
}

std::optional<protocol::HarnessStatus> Harnesses::status(const QString &agent) const
{
    const auto it = m_attached.constFind(agent);
    if (it == m_attached.constEnd() || !it->connection)
        return std::nullopt;
    return it->status;
}

bool Harnesses::isAttached(const QString &agent) const
{
    return status(agent).has_value();
}

bool Harnesses::notify(const QString &agent, const char *method)
{
    const auto it = m_attached.constFind(agent);
    if (it == m_attached.constEnd() || !it->connection || it->connection->isClosing())
        return false;
    it->connection->send(rpc::Codec::encodeNotification(QString::fromLatin1(method), QJsonObject{}));
    return true;
}

void Harnesses::notifyConfigChanged(const QString &agent)
{
    if (notify(agent, protocol::ConfigChangedNotification))
        qCDebug(lcHarness).noquote() << "told the harness of agent" << agent << "that its config changed";
}

Result<protocol::AgentCancelTurnResult> Harnesses::cancelTurn(const QString &agent)
{
    auto record = m_agents.find(agent);
    if (!record)
        return fail(record.error());
    if (!*record)
        return fail(ErrorCode::NotFound, QStringLiteral("no agent named '%1'").arg(agent));
    const auto current = status(agent);
    if (!current) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("agent '%1' has no harness attached: there is no turn to cancel").arg(agent));
    }
    if (current->state != QLatin1String(harnessstate::Turn)) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the harness of agent '%1' is not in a turn (it is %2): there is nothing to cancel")
                        .arg(agent, current->state));
    }
    if (!notify(agent, protocol::CancelTurnNotification))
        return fail(ErrorCode::Unavailable, QStringLiteral("the harness of agent '%1' is disconnecting").arg(agent));
    qCInfo(lcHarness).noquote() << "asked the harness of agent" << agent << "to cancel turn"
                                << current->turn.value_or(QStringLiteral("(no id)"));
    return protocol::AgentCancelTurnResult{true};
}

Result<std::optional<QString>> Harnesses::modelOverride(const QString &agent)
{
    std::optional<QString> model;
    auto read = m_db.select(QStringLiteral("SELECT model FROM agent_overrides WHERE agent = :agent"),
                            {{QStringLiteral(":agent"), agent}}, [&model](const QSqlQuery &query) -> Result<void> {
                                Row row(query);
                                model = row.optionalText("model");
                                return row.status();
                            });
    if (!read)
        return fail(read.error().wrapped(QStringLiteral("reading the model override of agent '%1'").arg(agent)));
    return model;
}

Result<void> Harnesses::setModel(const QString &agent, const std::optional<QString> &model)
{
    if (model) {
        if (auto problem = protocol::modelNameProblem(*model))
            return fail(ErrorCode::InvalidParams, QStringLiteral("invalid field 'model': %1").arg(*problem));
    }
    auto record = m_agents.find(agent);
    if (!record)
        return fail(record.error());
    if (!*record)
        return fail(ErrorCode::NotFound, QStringLiteral("no agent named '%1'").arg(agent));
    auto written = m_db.write(QStringLiteral("INSERT INTO agent_overrides (agent, model, updated_at) "
                                             "VALUES (:agent, :model, :now) ON CONFLICT (agent) DO UPDATE "
                                             "SET model = excluded.model, updated_at = excluded.updated_at"),
                              {{QStringLiteral(":agent"), agent},
                               {QStringLiteral(":model"), model ? QVariant(*model) : QVariant()},
                               {QStringLiteral(":now"), toDbTime(m_clock.now())}});
    if (!written)
        return fail(written.error().wrapped(QStringLiteral("storing the model override of agent '%1'").arg(agent)));
    qCInfo(lcHarness).noquote() << "agent" << agent
                                << "model override:" << model.value_or(QStringLiteral("none (agent.toml's)"));
    notifyConfigChanged(agent);
    (void)m_events.publish(QStringLiteral("agent_updated"),
                           QJsonObject{{QStringLiteral("name"), agent},
                                       {QStringLiteral("model_override"), model ? QJsonValue(*model) : QJsonValue()}});
    return {};
}

Result<void> Harnesses::describe(protocol::AgentInfo &agent)
{
    auto model = modelOverride(agent.name);
    if (!model)
        return fail(model.error());
    agent.modelOverride = *model;
    agent.harness = status(agent.name);
    const bool live =
        agent.state == QLatin1String(agentstate::Running) || agent.state == QLatin1String(agentstate::External);
    if (live && agent.harness && overridesAgentState(agent.harness->state))
        agent.state = agent.harness->state;
    return {};
}

Result<void> Harnesses::completeConfig(const QString &agent, const QString &agentModel, protocol::ConfigResult &config)
{
    auto model = modelOverride(agent);
    if (!model)
        return fail(model.error());
    if (*model) {
        config.model = **model;
        config.modelSource = QString::fromLatin1(protocol::modelsources::Override);
    } else if (!agentModel.isEmpty()) {
        config.model = agentModel;
        config.modelSource = QString::fromLatin1(protocol::modelsources::Agent);
    } else {
        config.model = m_settings.defaultModel;
        config.modelSource = QString::fromLatin1(protocol::modelsources::Default);
    }
    config.cli.path = m_settings.cli;
    config.cli.args = m_settings.cliArgs;
    config.cli.env.clear();
    for (auto it = m_settings.env.cbegin(); it != m_settings.env.cend(); ++it)
        config.cli.env.insert(it.key(), QString(it.value()).replace(QStringLiteral("{agent}"), agent));
    if (!m_settings.apiKeyFile.isEmpty()) {
        // Read at every call: a rotated key reaches the next harness start without an engine restart.
        auto key = HarnessSettings::readApiKey(m_settings.apiKeyFile);
        if (!key) {
            qCWarning(lcHarness).noquote()
                << "config of agent" << agent << "without its API key:" << key.error().message;
            return fail(key.error());
        }
        config.cli.env.insert(QString::fromLatin1(HarnessSettings::ApiKeyVariable), *key);
    }
    config.harness.turnTimeoutSeconds = m_settings.turnTimeoutSeconds;
    config.harness.rateLimitRetrySeconds = m_settings.rateLimitRetrySeconds;
    config.harness.notesCompactBytes = m_settings.notesCompactBytes;
    return {};
}

} // namespace hive::engine
