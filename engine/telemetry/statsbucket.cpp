// SPDX-License-Identifier: MIT
#include "statsbucket.h"

#include <algorithm>
#include <cmath>

namespace hive::engine {

void StatsBucket::extend(double min, double max)
{
    m_min = m_count == 0 ? min : std::min(m_min, min);
    m_max = m_count == 0 ? max : std::max(m_max, max);
}

void StatsBucket::add(double value)
{
    extend(value, value);
    ++m_count;
    m_sum += value;
    m_values.push_back(value);
    m_sorted = false;
}

void StatsBucket::addHour(qint64 count, double sum, double min, double max, const LogHistogram &histogram)
{
    if (count <= 0)
        return;
    extend(min, max);
    m_count += count;
    m_sum += sum;
    m_histogram.merge(histogram);
    m_approximate = true;
}

double StatsBucket::quantile(double q)
{
    if (m_count == 0)
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    if (!m_approximate) {
        if (!m_sorted) {
            std::sort(m_values.begin(), m_values.end());
            m_sorted = true;
        }
        const double rank = q * static_cast<double>(m_values.size() - 1);
        const auto below = static_cast<std::size_t>(std::floor(rank));
        const std::size_t above = std::min(below + 1, m_values.size() - 1);
        return m_values[below] + (m_values[above] - m_values[below]) * (rank - static_cast<double>(below));
    }
    if (!m_values.empty()) { // the raw values join the hourly ones once
        for (const double value : m_values)
            m_histogram.add(value);
        m_values.clear();
    }
    if (m_histogram.isEmpty()) // hourly rows without a histogram: the mean is the best guess left
        return m_sum / static_cast<double>(m_count);
    return std::clamp(m_histogram.quantile(q), m_min, m_max);
}

protocol::StatsPoint StatsBucket::point(const QDateTime &t)
{
    protocol::StatsPoint point;
    point.t = t;
    point.count = m_count;
    point.sum = m_sum;
    point.min = m_min;
    point.max = m_max;
    point.avg = m_count > 0 ? m_sum / static_cast<double>(m_count) : 0;
    point.p50 = quantile(0.5);
    point.p95 = quantile(0.95);
    return point;
}

} // namespace hive::engine
