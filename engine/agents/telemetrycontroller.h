// SPDX-License-Identifier: MIT
#pragma once

#include "api/callcontext.h"
#include "protocol/telemetry.h"
#include "result.h"

namespace hive::engine {

class Telemetry;

/// The agent surface's telemetry calls: turn_report (the harness at every turn end) and
/// budget_status, both about the calling agent.
class TelemetryController
{
public:
    /// The engine makes the telemetry after the agents' handlers; it attaches it before serving.
    void setTelemetry(Telemetry &telemetry) { m_telemetry = &telemetry; }

    [[nodiscard]] Result<protocol::TurnReportResult> handle(const protocol::TurnReportParams &params,
                                                            const CallContext &context);
    [[nodiscard]] Result<protocol::BudgetStatus> handle(const protocol::BudgetStatusParams &params,
                                                        const CallContext &context);

private:
    Result<Telemetry *> telemetry() const;

    Telemetry *m_telemetry = nullptr;
};

} // namespace hive::engine
