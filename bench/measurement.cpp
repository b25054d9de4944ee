// SPDX-License-Identifier: MIT
#include "measurement.h"

#include "monotonic.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace hive::bench {

namespace {

double percentileMs(const std::vector<qint64> &sorted, double percent)
{
    if (sorted.empty())
        return 0;
    const auto rank = static_cast<size_t>(std::ceil(percent / 100.0 * static_cast<double>(sorted.size())));
    const size_t index = std::clamp<size_t>(rank, 1, sorted.size()) - 1;
    return static_cast<double>(sorted[index]) / static_cast<double>(NsPerMs);
}

} // namespace

Measurement Measurement::compute(const std::vector<Sample> &samples, qint64 windowStartNs, qint64 windowEndNs,
                                 qint64 sendEndNs)
{
    Measurement measurement;
    std::vector<qint64> latencies;
    latencies.reserve(samples.size());
    for (const Sample &sample : samples) {
        if (sample.receivedNs >= windowStartNs && sample.receivedNs <= windowEndNs)
            ++measurement.messages;
        if (sample.sentNs >= windowStartNs && sample.sentNs <= sendEndNs)
            latencies.push_back(sample.receivedNs - sample.sentNs);
    }
    const qint64 window = windowEndNs - windowStartNs;
    if (window > 0)
        measurement.perSecond =
            static_cast<double>(measurement.messages) * static_cast<double>(NsPerSecond) / static_cast<double>(window);
    std::sort(latencies.begin(), latencies.end());
    measurement.latencies = static_cast<qint64>(latencies.size());
    measurement.p50Ms = percentileMs(latencies, 50);
    measurement.p99Ms = percentileMs(latencies, 99);
    return measurement;
}

std::optional<double> median(std::vector<double> values)
{
    if (values.empty())
        return std::nullopt;
    std::sort(values.begin(), values.end());
    const size_t middle = values.size() / 2;
    return values.size() % 2 != 0 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

std::optional<double> percentile(std::vector<double> values, double percent)
{
    if (values.empty())
        return std::nullopt;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<size_t>(std::ceil(percent / 100.0 * static_cast<double>(values.size())));
    return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

std::optional<double> mean(const std::vector<double> &values)
{
    if (values.empty())
        return std::nullopt;
    return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

QString formatMs(double ms)
{
    int decimals = 3;
    if (ms >= 100)
        decimals = 0;
    else if (ms >= 10)
        decimals = 1;
    else if (ms >= 1)
        decimals = 2;
    else if (ms < 0.1)
        decimals = 4;
    return QString::number(ms, 'f', decimals) + QStringLiteral("ms");
}

void printBenchLine(const QString &name, const std::optional<double> &ours, const std::optional<double> &anchor,
                    QString (*format)(double))
{
    const QString na = QStringLiteral("n/a");
    QString ratio = na;
    if (ours && anchor)
        ratio = *anchor > 0 ? QString::number(*ours / *anchor, 'f', 2) : QStringLiteral("inf");
    std::printf("bench: %s ours=%s anchor=%s ratio=%s\n", qPrintable(name), qPrintable(ours ? format(*ours) : na),
                qPrintable(anchor ? format(*anchor) : na), qPrintable(ratio));
    std::fflush(stdout);
}

} // namespace hive::bench
