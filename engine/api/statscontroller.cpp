// SPDX-License-Identifier: MIT
#include "statscontroller.h"

#include "telemetry/telemetry.h"

namespace hive::engine {

Result<protocol::StatsQueryResult> StatsController::handle(const protocol::StatsQueryParams &params,
                                                           const CallContext & /*context*/)
{
    if (!m_services.telemetry)
        return fail(ErrorCode::Unavailable, QStringLiteral("telemetry is not available yet"));
    return m_services.telemetry->query(params);
}

} // namespace hive::engine
