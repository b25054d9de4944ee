// SPDX-License-Identifier: MIT
#pragma once

#include "loghistogram.h"
#include "protocol/telemetry.h"

#include <vector>

namespace hive::engine {

/// The samples of one series that fall into one bucket of a stats_query: raw values, and hourly
/// aggregates for the part of the window that was folded. Percentiles are exact while only raw
/// values are in it, and come from the merged LogHistogram once an hourly row is.
class StatsBucket
{
public:
    void add(double value);
    void addHour(qint64 count, double sum, double min, double max, const LogHistogram &histogram);

    [[nodiscard]] qint64 count() const { return m_count; }
    [[nodiscard]] double sum() const { return m_sum; }
    [[nodiscard]] double min() const { return m_min; }
    [[nodiscard]] double max() const { return m_max; }
    /// The q-quantile (0..1): over raw values by linear interpolation between the closest ranks,
    /// else the histogram's estimate, within [min, max].
    [[nodiscard]] double quantile(double q);

    [[nodiscard]] protocol::StatsPoint point(const QDateTime &t);

private:
    void extend(double min, double max);

    qint64 m_count = 0;
    double m_sum = 0;
    double m_min = 0;
    double m_max = 0;
    std::vector<double> m_values;
    bool m_sorted = true;
    bool m_approximate = false; ///< an hourly row is in it
    LogHistogram m_histogram;   ///< the hourly rows' samples (and the raw ones once approximate)
};

} // namespace hive::engine
