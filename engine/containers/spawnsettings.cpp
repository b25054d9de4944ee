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

std::optional<quint64> parseMemoryMax(const QString &memory)
{
    static const QRegularExpression size(QStringLiteral("^(?:([1-9][0-9]{0,15})([KMGT]?)|infinity)$"));
    const auto match = size.match(memory);
    if (!match.hasMatch())
        return std::nullopt;
    if (match.captured(1).isEmpty())
        return MemoryInfinity;
    const quint64 number = match.captured(1).toULongLong();
    const QStringView suffix = match.capturedView(2);
    const int shift = suffix.isEmpty() ? 0 : 10 * int(QStringView(u"KMGT").indexOf(suffix) + 1);
    const quint64 largest = MemoryInfinity - 1;
    if (number > (largest >> shift))
        return largest;
    return number << shift;
}

std::optional<int> parseCpuQuota(const QString &quota)
{
    static const QRegularExpression percent(QStringLiteral("^([1-9][0-9]{0,4})%$"));
    const auto match = percent.match(quota);
    if (!match.hasMatch())
        return std::nullopt;
    const int value = match.captured(1).toInt();
    if (value > 10000)
        return std::nullopt;
    return value;
}

std::optional<QString> memoryMaxProblem(const QString &memory)
{
    if (parseMemoryMax(memory))
        return std::nullopt;
    return QStringLiteral("'%1' is not a size like 512M or 4G, or 'infinity'").arg(memory);
}

std::optional<QString> cpuQuotaProblem(const QString &quota)
{
    if (parseCpuQuota(quota))
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
