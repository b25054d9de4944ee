// SPDX-License-Identifier: MIT
#include "argumentchecks.h"
#include "protocol/telemetry.h"
#include "subcommands.h"

#include <QDateTime>
#include <QRegularExpression>

namespace hive::ctl {

using args::integerOption;
using args::usage;

namespace {

const QString UsageLine =
    QStringLiteral("stats [AGENT] [--keys K,K...] [--since 1h|4h|24h|7d|30d|ISO] [--bucket SECONDS]");

/// --since: a span back from now (N followed by m, h or d) or an ISO 8601 time with a zone.
Result<QDateTime> sinceOption(const QString &text, const QDateTime &now)
{
    static const QRegularExpression span(QStringLiteral("^([1-9][0-9]{0,5})([mhd])$"));
    if (const auto match = span.match(text); match.hasMatch()) {
        const qint64 n = match.captured(1).toLongLong();
        const QChar unit = match.captured(2).at(0);
        const qint64 seconds = n * (unit == QLatin1Char('m') ? 60 : unit == QLatin1Char('h') ? 3600 : 86400);
        return now.addSecs(-seconds);
    }
    static const QRegularExpression zoned(QStringLiteral("(Z|[+-]\\d\\d(:?\\d\\d)?)$"));
    const QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (time.isValid() && zoned.match(text).hasMatch())
        return time.toUTC();
    return usage(QStringLiteral("option --since: expected a span back from now (1h, 4h, 24h, 7d, 30d: a number of "
                                "m, h or d) or an ISO 8601 time with a zone (2026-01-31T09:00:00Z), got '%1'")
                     .arg(text));
}

} // namespace

Result<void> parseStatsCommand(const QStringList &words, const QHash<QString, QString> &options, Invocation &invocation)
{
    invocation.command = Invocation::Command::Stats;
    if (words.size() > 2)
        return usage(QStringLiteral("too many arguments: hivectl %1").arg(UsageLine));
    protocol::StatsQueryParams &stats = invocation.stats;
    if (words.size() == 2) {
        if (words.at(1).isEmpty())
            return usage(QStringLiteral("the agent must not be empty: hivectl %1").arg(UsageLine));
        stats.agent = words.at(1);
    }
    if (options.contains(QStringLiteral("keys"))) {
        const QStringList keys = options.value(QStringLiteral("keys")).split(QLatin1Char(','));
        for (const QString &key : keys) {
            if (key.trimmed().isEmpty())
                return usage(QStringLiteral("option --keys: expected keys separated by commas (like "
                                            "turn,tool.*), got '%1'")
                                 .arg(options.value(QStringLiteral("keys"))));
            stats.keys << key.trimmed();
        }
    } else {
        stats.keys = {QStringLiteral("turn"), QStringLiteral("turn.duration_ms"), QStringLiteral("turn.tool_calls"),
                      QStringLiteral("inbox.depth"), QStringLiteral("cost_usd")};
        if (!stats.agent)
            stats.keys << QStringLiteral("approvals.queue");
    }
    auto since =
        sinceOption(options.value(QStringLiteral("since"), QStringLiteral("24h")), QDateTime::currentDateTimeUtc());
    if (!since)
        return fail(since.error());
    stats.since = *since;
    if (options.contains(QStringLiteral("bucket"))) {
        auto bucket = integerOption(options, QStringLiteral("bucket"), protocol::StatsMinBucketSeconds,
                                    protocol::StatsMaxBucketSeconds);
        if (!bucket)
            return fail(bucket.error());
        stats.bucketSeconds = *bucket;
    }
    return {};
}

} // namespace hive::ctl
