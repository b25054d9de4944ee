// SPDX-License-Identifier: MIT
#include "spawnsettings.h"

#include <QRegularExpression>

namespace hive::engine {

Result<void> validateSpawnSettings(const protocol::AgentSpawnParams &params)
{
    if (params.network != QLatin1String("host") && params.network != QLatin1String("none")) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("invalid field 'network': '%1' is not 'host' or 'none'").arg(params.network));
    }
    static const QRegularExpression memory(QStringLiteral("^([1-9][0-9]{0,15}[KMGT]?|infinity)$"));
    if (!memory.match(params.memoryMax).hasMatch()) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("invalid field 'memory_max': '%1' is not a size like 512M or 4G, or 'infinity'")
                        .arg(params.memoryMax));
    }
    static const QRegularExpression cpu(QStringLiteral("^([1-9][0-9]{0,4})%$"));
    const auto match = cpu.match(params.cpuQuota);
    if (!match.hasMatch() || match.captured(1).toInt() > 10000) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("invalid field 'cpu_quota': '%1' is not a percentage from 1% to 10000% (100% = "
                                   "one core)")
                        .arg(params.cpuQuota));
    }
    return {};
}

} // namespace hive::engine
