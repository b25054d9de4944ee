// SPDX-License-Identifier: MIT
#include "spawnsettings.h"

#include <QRegularExpression>

namespace hive::engine {

std::optional<QString> networkProblem(const QString &network)
{
    if (network == QLatin1String("host") || network == QLatin1String("none"))
        return std::nullopt;
    return QStringLiteral("'%1' is not 'host' or 'none'").arg(network);
}

std::optional<QString> memoryMaxProblem(const QString &memory)
{
    static const QRegularExpression size(QStringLiteral("^([1-9][0-9]{0,15}[KMGT]?|infinity)$"));
    if (size.match(memory).hasMatch())
        return std::nullopt;
    return QStringLiteral("'%1' is not a size like 512M or 4G, or 'infinity'").arg(memory);
}

std::optional<QString> cpuQuotaProblem(const QString &quota)
{
    static const QRegularExpression percent(QStringLiteral("^([1-9][0-9]{0,4})%$"));
    const auto match = percent.match(quota);
    if (match.hasMatch() && match.captured(1).toInt() <= 10000)
        return std::nullopt;
    return QStringLiteral("'%1' is not a percentage from 1% to 10000% (100% = one core)").arg(quota);
}

Result<void> validateSpawnSettings(const protocol::AgentSpawnParams &params)
{
    const std::pair<const char *, std::optional<QString>> checks[] = {
        {"network", networkProblem(params.network)},
        {"memory_max", memoryMaxProblem(params.memoryMax)},
        {"cpu_quota", cpuQuotaProblem(params.cpuQuota)},
    };
    for (const auto &[field, problem] : checks) {
        if (problem)
            return fail(ErrorCode::InvalidParams,
                        QStringLiteral("invalid field '%1': %2").arg(QLatin1String(field), *problem));
    }
    return {};
}

} // namespace hive::engine
