// SPDX-License-Identifier: MIT
#pragma once

#include "budgets.h"
#include "protocol/events.h"
#include "protocol/telemetry.h"
#include "result.h"
#include "statsretention.h"
#include "statsstore.h"
#include "telemetryoptions.h"

#include <QObject>

#include <memory>

class QTimer;

namespace hive::engine {

class AgentRegistry;
class Clock;
class Database;
class EngineSamples;
class Questions;
class StatsQuery;

/// Telemetry (docs/dev/architecture.md, "Telemetry"): the harnesses' turn reports and the
/// engine's own samples in the `stats` table, their retention, stats_query, and the agents'
/// daily budgets. The Engine feeds it every published event (observe()).
class Telemetry : public QObject
{
    Q_OBJECT
public:
    Telemetry(Database &db, AgentRegistry &agents, Questions &questions, const Clock &clock, TelemetryOptions options,
              BudgetLimitsSource limits, QObject *parent = nullptr);
    ~Telemetry() override;

    /// Settles what happened to budget questions while the engine was down, takes the first
    /// approval-queue sample and starts the retention timer (its first run is at once).
    [[nodiscard]] Result<void> start();

    /// turn_report: stores the turn's rows (once per turn id) and returns the budget after it.
    [[nodiscard]] Result<protocol::TurnReportResult> report(const QString &agent,
                                                            const protocol::TurnReportParams &params);
    /// budget_status.
    [[nodiscard]] Result<protocol::BudgetStatus> budget(const QString &agent);
    /// stats_query; NotFound for an agent that is not registered.
    [[nodiscard]] Result<protocol::StatsQueryResult> query(const protocol::StatsQueryParams &params);
    /// Engine-side samples and clean-up from a published event.
    void observe(const protocol::Event &event);
    [[nodiscard]] Result<StatsRetentionReport> runRetention();

    [[nodiscard]] const TelemetryOptions &options() const { return m_options; }
    [[nodiscard]] Budgets &budgets() { return *m_budgets; }
    [[nodiscard]] EngineSamples &samples() { return *m_samples; }

    /// The rows of a turn report (docs/protocol.md, turn_report).
    [[nodiscard]] static QList<StatsSample> turnSamples(const protocol::TurnReportParams &params);

Q_SIGNALS:
    void budgetChanged(const QString &agent, const hive::protocol::BudgetStatus &budget);

private:
    void retentionTick();

    AgentRegistry &m_agents;
    const Clock &m_clock;
    TelemetryOptions m_options;
    StatsStore m_store;
    StatsRetention m_retention;
    std::unique_ptr<StatsQuery> m_query;
    Budgets *m_budgets;
    EngineSamples *m_samples;
    QTimer *m_retentionTimer;
};

} // namespace hive::engine
