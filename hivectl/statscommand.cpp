// SPDX-License-Identifier: MIT
#include "statscommand.h"

#include "engineconnection.h"
#include "invocation.h"
#include "protocol/methods.h"
#include "tableprinter.h"
#include "terminal.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace hive::ctl {

namespace {

constexpr qsizetype ShownBuckets = 12; // the newest; --json has every one
constexpr int TrendWidth = 60;

QString number(double value)
{
    const QLocale english(QLocale::English);
    if (std::fabs(value - std::round(value)) < 1e-9 && std::fabs(value) < 1e15)
        return english.toString(static_cast<qint64>(std::llround(value)));
    if (std::fabs(value) >= 1)
        return english.toString(value, 'f', 2);
    return QString::number(value, 'g', 3);
}

template<typename Map>
QString counts(const Map &map)
{
    if (map.isEmpty())
        return QStringLiteral("-");
    QStringList parts;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.key(), number(static_cast<double>(it.value())));
    return parts.join(QStringLiteral(", "));
}

QString duration(qint64 seconds)
{
    if (seconds < 120)
        return QStringLiteral("%1 s").arg(seconds);
    if (seconds < qint64(2) * 3600)
        return QStringLiteral("%1 min").arg(seconds / 60);
    if (seconds < qint64(2) * 86400)
        return QStringLiteral("%1 h").arg(seconds / 3600);
    return QStringLiteral("%1 d").arg(seconds / 86400);
}

/// The bucket averages across the window as block characters (blank: no samples there).
QString trend(const protocol::StatsQueryResult &result, const protocol::StatsSeries &series)
{
    const qint64 from = result.since.toMSecsSinceEpoch();
    const qint64 span = std::max<qint64>(1, result.until.toMSecsSinceEpoch() - from);
    const int width = static_cast<int>(std::clamp<qint64>(span / (result.bucketSeconds * 1000) + 1, 1, TrendWidth));
    QList<std::optional<double>> columns(width);
    for (const protocol::StatsPoint &point : series.points) {
        const qint64 offset = std::clamp<qint64>(point.t.toMSecsSinceEpoch() - from, 0, span - 1);
        auto &column = columns[static_cast<qsizetype>(offset * width / span)];
        column = std::max(column.value_or(point.avg), point.avg);
    }
    double low = 0;
    double high = 0;
    bool any = false;
    for (const auto &column : std::as_const(columns)) {
        if (!column)
            continue;
        low = any ? std::min(low, *column) : *column;
        high = any ? std::max(high, *column) : *column;
        any = true;
    }
    static constexpr char16_t Blocks[] = u"\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588";
    QString line;
    for (const auto &column : std::as_const(columns)) {
        if (!column) {
            line += QLatin1Char(' ');
            continue;
        }
        const double level = high > low ? (*column - low) / (high - low) : 0.5;
        line += QChar(Blocks[std::clamp(static_cast<int>(level * 7.999), 0, 7)]);
    }
    return line;
}

void printSummary(const protocol::StatsQueryResult &result, QTextStream &out)
{
    const protocol::StatsSummary &s = result.summary;
    out << QStringLiteral("%1, %2 to %3, buckets of %4 s\n")
               .arg(result.agent.value_or(QStringLiteral("the swarm")), TablePrinter::timeCell(result.since),
                    TablePrinter::timeCell(result.until))
               .arg(result.bucketSeconds);
    TablePrinter table;
    table.addRow(
        {QStringLiteral("turns"),
         QStringLiteral("%1 (%2 per minute)").arg(number(static_cast<double>(s.turns)), number(s.turnsPerMin))});
    table.addRow({QStringLiteral("tool calls per turn"), number(s.toolCallsPerTurn)});
    table.addRow({QStringLiteral("turn duration"),
                  s.turnDurationMsP50 ? QStringLiteral("p50 %1 ms, p95 %2 ms")
                                            .arg(number(*s.turnDurationMsP50), number(s.turnDurationMsP95.value_or(0)))
                                      : QStringLiteral("-")});
    table.addRow({QStringLiteral("last turn"), s.lastTurnAt ? QStringLiteral("%1 (%2 before)")
                                                                  .arg(TablePrinter::timeCell(*s.lastTurnAt),
                                                                       duration(s.timeSinceLastTurnSeconds.value_or(0)))
                                                            : QStringLiteral("none")});
    table.addRow({QStringLiteral("approval queue"), QStringLiteral("%1 pending").arg(s.approvalQueueLength)});
    table.addRow(
        {QStringLiteral("inbox"), QStringLiteral("%1 now, %2 at most").arg(s.inboxDepth).arg(s.inboxDepthMax)});
    table.addRow({QStringLiteral("exits"), counts(s.exits)});
    table.addRow({QStringLiteral("tools"), counts(s.tools)});
    table.addRow({QStringLiteral("tokens"),
                  QStringLiteral("input %1, output %2, cache read %3, cache creation %4")
                      .arg(number(static_cast<double>(s.tokens.input)), number(static_cast<double>(s.tokens.output)),
                           number(static_cast<double>(s.tokens.cacheRead)),
                           number(static_cast<double>(s.tokens.cacheCreation)))});
    table.addRow(
        {QStringLiteral("cost"), QStringLiteral("$%1").arg(QLocale(QLocale::English).toString(s.costUsd, 'f', 2))});
    table.print(out);
}

void printSeries(const protocol::StatsQueryResult &result, const protocol::StatsSeries &series, QTextStream &out)
{
    out << QLatin1Char('\n');
    if (series.points.isEmpty()) {
        out << QStringLiteral("%1: no samples\n").arg(series.key);
        return;
    }
    qint64 samples = 0;
    for (const protocol::StatsPoint &point : series.points)
        samples += point.count;
    out << QStringLiteral("%1: %2 %3 in %4 %5\n")
               .arg(series.key, number(static_cast<double>(samples)),
                    samples == 1 ? QStringLiteral("sample") : QStringLiteral("samples"))
               .arg(series.points.size())
               .arg(series.points.size() == 1 ? QStringLiteral("bucket") : QStringLiteral("buckets"));
    if (series.points.size() > 1) // the averages over the window, oldest left
        out << QStringLiteral("  |%1|\n").arg(trend(result, series));
    TablePrinter table({QStringLiteral("TIME"), QStringLiteral("COUNT"), QStringLiteral("SUM"), QStringLiteral("MIN"),
                        QStringLiteral("AVG"), QStringLiteral("MAX"), QStringLiteral("P50"), QStringLiteral("P95")});
    const qsizetype first = std::max<qsizetype>(0, series.points.size() - ShownBuckets);
    for (qsizetype i = first; i < series.points.size(); ++i) {
        const protocol::StatsPoint &p = series.points.at(i);
        table.addRow({TablePrinter::timeCell(p.t), number(static_cast<double>(p.count)), number(p.sum), number(p.min),
                      number(p.avg), number(p.max), number(p.p50), number(p.p95)});
    }
    table.print(out);
    if (first > 0)
        out << QStringLiteral("(the newest %1 of %2 buckets; --json has them all)\n")
                   .arg(ShownBuckets)
                   .arg(series.points.size());
}

} // namespace

StatsCommand::StatsCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal)
    : m_connection(connection), m_invocation(invocation), m_terminal(terminal)
{}

int StatsCommand::run()
{
    auto result = m_connection.call<protocol::StatsQueryMethod>(m_invocation.stats);
    if (!result)
        return m_terminal.fail(result.error().message, m_connection.exitCodeFor(result.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(result->toJson());
        return toInt(ExitCode::Ok);
    }
    printSummary(*result, m_terminal.out());
    for (const protocol::StatsSeries &series : std::as_const(result->series))
        printSeries(*result, series, m_terminal.out());
    m_terminal.out().flush();
    return toInt(ExitCode::Ok);
}

} // namespace hive::ctl
