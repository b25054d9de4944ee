// SPDX-License-Identifier: MIT
#include "loghistogram.h"

#include <QStringList>
#include <QStringView>

#include <algorithm>
#include <cmath>

namespace hive::engine {

namespace {

const double Gamma = (1 + LogHistogram::RelativeError) / (1 - LogHistogram::RelativeError);
const double LogGamma = std::log(Gamma);

} // namespace

int LogHistogram::indexOf(double magnitude)
{
    // Clamped so that absurd values (1e300, denormals) keep a finite int index.
    return static_cast<int>(std::clamp(std::ceil(std::log(magnitude) / LogGamma), -100000.0, 100000.0));
}

double LogHistogram::estimate(int index)
{
    // The bucket holds (g^(i-1), g^i]; this point is within RelativeError of both ends.
    return 2 * std::pow(Gamma, index) / (Gamma + 1);
}

void LogHistogram::add(double value, qint64 count)
{
    if (count <= 0 || !std::isfinite(value))
        return;
    if (value > 0)
        m_positive[indexOf(value)] += count;
    else if (value < 0)
        m_negative[indexOf(-value)] += count;
    else
        m_zero += count;
    m_count += count;
}

void LogHistogram::merge(const LogHistogram &other)
{
    for (auto it = other.m_positive.cbegin(); it != other.m_positive.cend(); ++it)
        m_positive[it.key()] += it.value();
    for (auto it = other.m_negative.cbegin(); it != other.m_negative.cend(); ++it)
        m_negative[it.key()] += it.value();
    m_zero += other.m_zero;
    m_count += other.m_count;
}

double LogHistogram::quantile(double q) const
{
    if (m_count == 0)
        return 0;
    // The 0-based rank of the sample wanted; walk the buckets in value order up to it.
    const auto rank = static_cast<qint64>(std::floor(std::clamp(q, 0.0, 1.0) * static_cast<double>(m_count - 1)));
    qint64 seen = 0;
    for (auto it = m_negative.cend(); it != m_negative.cbegin();) { // most negative first
        --it;
        seen += it.value();
        if (seen > rank)
            return -estimate(it.key());
    }
    seen += m_zero;
    if (seen > rank)
        return 0;
    for (auto it = m_positive.cbegin(); it != m_positive.cend(); ++it) {
        seen += it.value();
        if (seen > rank)
            return estimate(it.key());
    }
    return m_positive.isEmpty() ? 0 : estimate(m_positive.lastKey());
}

QString LogHistogram::toText() const
{
    QStringList parts;
    if (m_zero > 0)
        parts << QStringLiteral("z%1").arg(m_zero);
    for (auto it = m_negative.cbegin(); it != m_negative.cend(); ++it)
        parts << QStringLiteral("n%1:%2").arg(it.key()).arg(it.value());
    for (auto it = m_positive.cbegin(); it != m_positive.cend(); ++it)
        parts << QStringLiteral("%1:%2").arg(it.key()).arg(it.value());
    return parts.join(QLatin1Char(' '));
}

Result<LogHistogram> LogHistogram::fromText(const QString &text)
{
    // Read in place (hourly rows are parsed by the thousand for a long window).
    LogHistogram histogram;
    const QStringView all(text);
    qsizetype pos = 0;
    while (pos < all.size()) {
        qsizetype end = all.indexOf(QLatin1Char(' '), pos);
        if (end < 0)
            end = all.size();
        const QStringView part = all.mid(pos, end - pos);
        pos = end + 1;
        if (part.isEmpty())
            continue;
        const auto bad = [&text, part] {
            return fail(ErrorCode::Io,
                        QStringLiteral("corrupt stats histogram '%1' (at '%2')").arg(text.left(80), part.toString()));
        };
        bool ok = false;
        if (part.front() == QLatin1Char('z')) {
            const qint64 count = part.mid(1).toLongLong(&ok);
            if (!ok || count <= 0)
                return bad();
            histogram.m_zero += count;
            histogram.m_count += count;
            continue;
        }
        const bool negative = part.front() == QLatin1Char('n');
        const QStringView pair = negative ? part.mid(1) : part;
        const qsizetype colon = pair.indexOf(QLatin1Char(':'));
        if (colon < 0)
            return bad();
        const int index = pair.left(colon).toInt(&ok);
        if (!ok)
            return bad();
        const qint64 count = pair.mid(colon + 1).toLongLong(&ok);
        if (!ok || count <= 0)
            return bad();
        (negative ? histogram.m_negative : histogram.m_positive)[index] += count;
        histogram.m_count += count;
    }
    return histogram;
}

} // namespace hive::engine
