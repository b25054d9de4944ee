// SPDX-License-Identifier: MIT
#include "telemetrycontroller.h"

#include "telemetry/telemetry.h"

namespace hive::engine {

Result<Telemetry *> TelemetryController::telemetry() const
{
    if (!m_telemetry)
        return fail(ErrorCode::Unavailable, QStringLiteral("telemetry is not available yet"));
    return m_telemetry;
}

Result<protocol::TurnReportResult> TelemetryController::handle(const protocol::TurnReportParams &params,
                                                               const CallContext &context)
{
    auto telemetry = this->telemetry();
    if (!telemetry)
        return fail(telemetry.error());
    return (*telemetry)->report(context.actor(), params);
}

Result<protocol::BudgetStatus> TelemetryController::handle(const protocol::BudgetStatusParams & /*params*/,
                                                           const CallContext &context)
{
    auto telemetry = this->telemetry();
    if (!telemetry)
        return fail(telemetry.error());
    return (*telemetry)->budget(context.actor());
}

} // namespace hive::engine
