// SPDX-License-Identifier: MIT
#include "telemetry.h"

#include "broker/agentregistry.h"
#include "clock.h"
#include "enginesamples.h"
#include "statsquery.h"

#include <QLoggingCategory>
#include <QTimer>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcTelemetry, "hive.telemetry")
}

Telemetry::Telemetry(Database &db, AgentRegistry &agents, Questions &questions, const Clock &clock,
                     TelemetryOptions options, BudgetLimitsSource limits, QObject *parent)
    : QObject(parent), m_agents(agents), m_clock(clock), m_options(options), m_store(db),
      m_retention(db, clock, options.rawRetentionDays, options.retentionDays),
      m_query(std::make_unique<StatsQuery>(db, clock, options.retentionDays)),
      m_budgets(new Budgets(db, questions, clock, std::move(limits), this)),
      m_samples(new EngineSamples(db, m_store, clock, std::chrono::seconds(options.inboxSampleSeconds), this)),
      m_retentionTimer(new QTimer(this))
{
    connect(m_budgets, &Budgets::budgetChanged, this, &Telemetry::budgetChanged);
    connect(m_retentionTimer, &QTimer::timeout, this, &Telemetry::retentionTick);
}

void Telemetry::retentionTick()
{
    auto ran = runRetention();
    if (!ran) {
        qCWarning(lcTelemetry).noquote() << "the stats retention failed:" << ran.error().message;
        return;
    }
    if (ran->folded > 0 || ran->expired > 0) {
        qCInfo(lcTelemetry) << "stats retention: folded" << ran->folded << "raw row(s) into hours, deleted"
                            << ran->expired << "hourly row(s)";
    }
    // A capped fold (after a long downtime) goes on after the events already queued.
    if (!ran->complete)
        QTimer::singleShot(0, this, &Telemetry::retentionTick);
}

Telemetry::~Telemetry() = default;

Result<void> Telemetry::start()
{
    if (auto reconciled = m_budgets->reconcile(); !reconciled)
        return fail(reconciled.error().wrapped(QStringLiteral("settling the budget questions")));
    if (auto sampled = m_samples->sampleApprovals(); !sampled)
        return fail(sampled.error());
    m_retentionTimer->start(std::chrono::minutes(m_options.retentionIntervalMinutes));
    QTimer::singleShot(0, this, &Telemetry::retentionTick);
    return {};
}

QList<StatsSample> Telemetry::turnSamples(const protocol::TurnReportParams &params)
{
    const auto sample = [](const QString &key, double value) {
        return StatsSample{key, value};
    };
    QList<StatsSample> samples{sample(QStringLiteral("turn"), 1),
                               sample(QStringLiteral("turn.duration_ms"), static_cast<double>(params.durationMs)),
                               sample(QStringLiteral("turn.exit.") + params.exit, 1),
                               sample(QStringLiteral("turn.tool_calls"), static_cast<double>(params.totalToolCalls()))};
    for (auto it = params.toolCalls.cbegin(); it != params.toolCalls.cend(); ++it) {
        if (it.value() > 0)
            samples.append(sample(QStringLiteral("tool.") + it.key(), static_cast<double>(it.value())));
    }
    // Every kind, zeros included, so that a per-turn average counts the turns without messages.
    for (const QString &kind : protocol::turnSentKinds())
        samples.append(sample(QStringLiteral("sent.") + kind, static_cast<double>(params.sent.value(kind))));
    for (const QString &kind : protocol::turnReceivedKinds())
        samples.append(sample(QStringLiteral("received.") + kind, static_cast<double>(params.received.value(kind))));
    samples.append({sample(QStringLiteral("tokens.input"), static_cast<double>(params.tokens.input)),
                    sample(QStringLiteral("tokens.output"), static_cast<double>(params.tokens.output)),
                    sample(QStringLiteral("tokens.cache_read"), static_cast<double>(params.tokens.cacheRead)),
                    sample(QStringLiteral("tokens.cache_creation"), static_cast<double>(params.tokens.cacheCreation)),
                    sample(QStringLiteral("cost_usd"), params.costUsd),
                    sample(QStringLiteral("permission_denials"), static_cast<double>(params.permissionDenials)),
                    sample(QStringLiteral("inbox_depth"), static_cast<double>(params.inboxDepth)),
                    sample(QStringLiteral("notes_bytes"), static_cast<double>(params.notesBytes))});
    return samples;
}

Result<protocol::TurnReportResult> Telemetry::report(const QString &agent, const protocol::TurnReportParams &params)
{
    auto stored = m_store.writeTurn(agent, params.turn, m_clock.now(), turnSamples(params));
    if (!stored)
        return fail(stored.error());
    if (!*stored)
        qCInfo(lcTelemetry).noquote() << agent << "reported turn" << params.turn << "again; counted once";
    // A repeated report adds nothing: the budget is only read again.
    auto budget =
        *stored ? m_budgets->afterReport(agent, params.tokens.budgeted(), params.costUsd) : m_budgets->status(agent);
    if (!budget)
        return fail(budget.error());
    return protocol::TurnReportResult{*budget};
}

Result<protocol::BudgetStatus> Telemetry::budget(const QString &agent)
{
    return m_budgets->status(agent);
}

Result<protocol::StatsQueryResult> Telemetry::query(const protocol::StatsQueryParams &params)
{
    if (params.agent) {
        auto found = m_agents.find(*params.agent);
        if (!found)
            return fail(found.error());
        if (!*found)
            return fail(ErrorCode::NotFound,
                        QStringLiteral("invalid field 'agent': unknown agent '%1'").arg(*params.agent));
    }
    return m_query->run(params);
}

void Telemetry::observe(const protocol::Event &event)
{
    m_samples->observe(event);
    if (event.kind == QLatin1String("agent_purged")) {
        const QString name = event.data.value(QStringLiteral("name")).toString();
        if (auto forgotten = m_store.forgetAgent(name); !forgotten)
            qCWarning(lcTelemetry).noquote()
                << QStringLiteral("deleting %1's stats failed: %2").arg(name, forgotten.error().message);
    }
}

Result<StatsRetentionReport> Telemetry::runRetention()
{
    return m_retention.run();
}

} // namespace hive::engine
