// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QMap>
#include <QString>

namespace hive::engine {

/// A mergeable histogram of samples in logarithmic buckets (the DDSketch layout): a positive
/// value v falls in bucket ceil(log_g(v)) with g = (1 + a) / (1 - a), and the bucket's estimate
/// is within a relative error a (2%) of every value in it. Zero and negative values have their
/// own buckets. The hourly stats rows keep one, so that p50/p95 over weeks need no raw rows.
class LogHistogram
{
public:
    static constexpr double RelativeError = 0.02;

    void add(double value, qint64 count = 1);
    void merge(const LogHistogram &other);
    [[nodiscard]] qint64 count() const { return m_count; }
    [[nodiscard]] bool isEmpty() const { return m_count == 0; }
    /// The estimate of the q-quantile (0 <= q <= 1), by nearest rank; 0 when empty.
    [[nodiscard]] double quantile(double q) const;

    /// The stored form: space-separated "z<count>" (zeros), "<index>:<count>" (positive values)
    /// and "n<index>:<count>" (negative values, by magnitude), e.g. "z2 -3:1 17:4".
    [[nodiscard]] QString toText() const;
    [[nodiscard]] static Result<LogHistogram> fromText(const QString &text);

    friend bool operator==(const LogHistogram &, const LogHistogram &) = default;

private:
    [[nodiscard]] static int indexOf(double magnitude);
    [[nodiscard]] static double estimate(int index);

    QMap<int, qint64> m_positive;
    QMap<int, qint64> m_negative; ///< by the magnitude's index
    qint64 m_zero = 0;
    qint64 m_count = 0;
};

} // namespace hive::engine
