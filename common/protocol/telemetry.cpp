// SPDX-License-Identifier: MIT
#include "telemetry.h"

#include "jsonlist.h"
#include "jsonreader.h"

#include <QJsonArray>

#include <cmath>

namespace hive::protocol {

namespace {

constexpr qint64 MaxCount = 9007199254740991LL; // 2^53 - 1: what a JSON number holds exactly

QJsonObject countsToJson(const QMap<QString, qint64> &counts)
{
    QJsonObject json;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        json.insert(it.key(), it.value());
    return json;
}

/// A count object: each value a non-negative integer; with `allowed`, only those keys. Problems
/// are recorded on the reader under `key`.
void readCounts(JsonReader &r, const char *key, QMap<QString, qint64> &out, const QStringList *allowed,
                int maxKeyChars = 0, int maxKeys = 0)
{
    QJsonObject object;
    r.required(key, object);
    if (!r.ok())
        return;
    if (maxKeys > 0 && object.size() > maxKeys) {
        r.invalid(key, QStringLiteral("%1 entries exceed the limit of %2").arg(object.size()).arg(maxKeys));
        return;
    }
    QMap<QString, qint64> counts;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString &name = it.key();
        if (allowed && !allowed->contains(name)) {
            r.invalid(key,
                      QStringLiteral("unknown key '%1'; known: %2").arg(name, allowed->join(QStringLiteral(", "))));
            return;
        }
        if (name.isEmpty() || (maxKeyChars > 0 && name.size() > maxKeyChars)) {
            r.invalid(key,
                      QStringLiteral("names must have 1 to %1 characters, got %2").arg(maxKeyChars).arg(name.size()));
            return;
        }
        for (const QChar c : name) {
            if (c.isSpace() || c.category() == QChar::Other_Control || c.isSurrogate() || c == QLatin1Char('*')) {
                r.invalid(key, QStringLiteral("name '%1' holds whitespace, a control character or '*'").arg(name));
                return;
            }
        }
        const double d = it.value().toDouble(-1);
        if (!it.value().isDouble() || std::trunc(d) != d || d < 0 || d > static_cast<double>(MaxCount)) {
            r.invalid(key, QStringLiteral("'%1' must be a non-negative integer").arg(name));
            return;
        }
        counts.insert(name, static_cast<qint64>(d));
    }
    out = std::move(counts);
}

void checkNonNegative(JsonReader &r, const char *key, qint64 value)
{
    if (r.ok() && value < 0)
        r.invalid(key, QStringLiteral("must not be negative, got %1").arg(value));
}

void checkNonNegative(JsonReader &r, const char *key, double value)
{
    if (r.ok() && (!std::isfinite(value) || value < 0))
        r.invalid(key, QStringLiteral("must be a non-negative number, got %1").arg(value));
}

void checkLength(JsonReader &r, const char *key, const QString &value, int min, int max)
{
    if (r.ok() && (value.size() < min || value.size() > max))
        r.invalid(key, QStringLiteral("must have %1 to %2 characters, got %3").arg(min).arg(max).arg(value.size()));
}

QJsonValue optionalValue(const std::optional<double> &v)
{
    return v ? QJsonValue(*v) : QJsonValue();
}

} // namespace

const QStringList &turnExitKinds()
{
    static const QStringList kinds{
        QStringLiteral("ok"),           QStringLiteral("compact_retry"), QStringLiteral("prompt_too_long"),
        QStringLiteral("rate_limited"), QStringLiteral("auth_failed"),   QStringLiteral("api_error"),
        QStringLiteral("crash"),        QStringLiteral("timeout"),       QStringLiteral("cancelled"),
        QStringLiteral("max_turns")};
    return kinds;
}

const QStringList &turnSentKinds()
{
    static const QStringList kinds{QStringLiteral("peer"), QStringLiteral("operator"), QStringLiteral("manager"),
                                   QStringLiteral("broadcast")};
    return kinds;
}

const QStringList &turnReceivedKinds()
{
    static const QStringList kinds{QStringLiteral("peer"), QStringLiteral("operator"), QStringLiteral("manager"),
                                   QStringLiteral("system")};
    return kinds;
}

QJsonObject TurnTokens::toJson() const
{
    return {{QStringLiteral("input"), input},
            {QStringLiteral("output"), output},
            {QStringLiteral("cache_read"), cacheRead},
            {QStringLiteral("cache_creation"), cacheCreation}};
}

Result<TurnTokens> TurnTokens::fromJson(const QJsonObject &json)
{
    JsonReader r(json, QStringLiteral("tokens"));
    TurnTokens p;
    r.optional("input", p.input);
    r.optional("output", p.output);
    r.optional("cache_read", p.cacheRead);
    r.optional("cache_creation", p.cacheCreation);
    checkNonNegative(r, "input", p.input);
    checkNonNegative(r, "output", p.output);
    checkNonNegative(r, "cache_read", p.cacheRead);
    checkNonNegative(r, "cache_creation", p.cacheCreation);
    return r.finish(p);
}

qint64 TurnReportParams::totalToolCalls() const
{
    qint64 total = 0;
    for (const qint64 n : toolCalls)
        total += n;
    return total;
}

QJsonObject TurnReportParams::toJson() const
{
    return {{QStringLiteral("turn"), turn},
            {QStringLiteral("started_at"), toWireTime(startedAt)},
            {QStringLiteral("duration_ms"), durationMs},
            {QStringLiteral("exit"), exit},
            {QStringLiteral("model"), model},
            {QStringLiteral("tool_calls"), countsToJson(toolCalls)},
            {QStringLiteral("sent"), countsToJson(sent)},
            {QStringLiteral("received"), countsToJson(received)},
            {QStringLiteral("tokens"), tokens.toJson()},
            {QStringLiteral("cost_usd"), costUsd},
            {QStringLiteral("permission_denials"), permissionDenials},
            {QStringLiteral("inbox_depth"), inboxDepth},
            {QStringLiteral("notes_bytes"), notesBytes}};
}

Result<TurnReportParams> TurnReportParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TurnReportParams p;
    r.required("turn", p.turn);
    checkLength(r, "turn", p.turn, 1, TurnIdMaxChars);
    r.required("started_at", p.startedAt);
    r.required("duration_ms", p.durationMs);
    checkNonNegative(r, "duration_ms", p.durationMs);
    r.required("exit", p.exit);
    if (r.ok() && !turnExitKinds().contains(p.exit)) {
        r.invalid(
            "exit",
            QStringLiteral("must be one of %1, got '%2'").arg(turnExitKinds().join(QStringLiteral(", ")), p.exit));
    }
    r.required("model", p.model);
    checkLength(r, "model", p.model, 0, TurnModelMaxChars);
    readCounts(r, "tool_calls", p.toolCalls, nullptr, TurnToolNameMaxChars, TurnMaxTools);
    readCounts(r, "sent", p.sent, &turnSentKinds());
    readCounts(r, "received", p.received, &turnReceivedKinds());
    QJsonObject tokens;
    r.required("tokens", tokens);
    if (r.ok()) {
        auto parsed = TurnTokens::fromJson(tokens);
        if (!parsed)
            return fail(parsed.error());
        p.tokens = *parsed;
    }
    r.required("cost_usd", p.costUsd);
    checkNonNegative(r, "cost_usd", p.costUsd);
    r.required("permission_denials", p.permissionDenials);
    checkNonNegative(r, "permission_denials", p.permissionDenials);
    r.required("inbox_depth", p.inboxDepth);
    checkNonNegative(r, "inbox_depth", p.inboxDepth);
    r.required("notes_bytes", p.notesBytes);
    checkNonNegative(r, "notes_bytes", p.notesBytes);
    return r.finish(std::move(p));
}

QJsonObject BudgetStatus::toJson() const
{
    QJsonObject json{{QStringLiteral("day"), day},
                     {QStringLiteral("tokens_used"), tokensUsed},
                     {QStringLiteral("cost_used_usd"), costUsedUsd},
                     {QStringLiteral("exceeded"), exceeded}};
    if (tokensLimit)
        json.insert(QStringLiteral("tokens_limit"), *tokensLimit);
    if (costLimitUsd)
        json.insert(QStringLiteral("cost_limit_usd"), *costLimitUsd);
    if (question)
        json.insert(QStringLiteral("question"), *question);
    return json;
}

Result<BudgetStatus> BudgetStatus::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    BudgetStatus p;
    r.required("day", p.day);
    r.required("tokens_used", p.tokensUsed);
    r.required("cost_used_usd", p.costUsedUsd);
    r.optional("tokens_limit", p.tokensLimit);
    r.optional("cost_limit_usd", p.costLimitUsd);
    r.required("exceeded", p.exceeded);
    r.optional("question", p.question);
    return r.finish(std::move(p));
}

QJsonObject TurnReportResult::toJson() const
{
    return {{QStringLiteral("budget"), budget.toJson()}};
}

Result<TurnReportResult> TurnReportResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TurnReportResult p;
    QJsonObject budget;
    r.required("budget", budget);
    if (r.ok()) {
        auto parsed = BudgetStatus::fromJson(budget);
        if (!parsed)
            return fail(parsed.error().wrapped(QStringLiteral("budget")));
        p.budget = std::move(*parsed);
    }
    return r.finish(std::move(p));
}

Result<BudgetStatusParams> BudgetStatusParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(BudgetStatusParams{});
}

QJsonObject StatsQueryParams::toJson() const
{
    QJsonObject json{{QStringLiteral("keys"), QJsonArray::fromStringList(keys)},
                     {QStringLiteral("since"), toWireTime(since)}};
    if (agent)
        json.insert(QStringLiteral("agent"), *agent);
    if (until)
        json.insert(QStringLiteral("until"), toWireTime(*until));
    if (bucketSeconds)
        json.insert(QStringLiteral("bucket_seconds"), *bucketSeconds);
    return json;
}

Result<StatsQueryParams> StatsQueryParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    StatsQueryParams p;
    r.optional("agent", p.agent);
    r.required("keys", p.keys);
    r.required("since", p.since);
    r.optional("until", p.until);
    r.optional("bucket_seconds", p.bucketSeconds);
    if (r.ok() && p.agent && p.agent->isEmpty())
        r.invalid("agent", QStringLiteral("must not be empty; leave it out for the whole swarm"));
    if (r.ok() && p.keys.size() > StatsMaxKeys)
        r.invalid("keys", QStringLiteral("%1 keys exceed the limit of %2").arg(p.keys.size()).arg(StatsMaxKeys));
    for (qsizetype i = 0; r.ok() && i < p.keys.size(); ++i) {
        const QString &key = p.keys.at(i);
        if (key.isEmpty() || key.size() > StatsKeyMaxChars) {
            r.invalid("keys", QStringLiteral("item %1: must have 1 to %2 characters, got %3")
                                  .arg(i)
                                  .arg(StatsKeyMaxChars)
                                  .arg(key.size()));
            break;
        }
        const qsizetype star = key.indexOf(QLatin1Char('*'));
        if (star >= 0 && star != key.size() - 1) {
            r.invalid(
                "keys",
                QStringLiteral("item %1: '*' is only allowed at the end (a prefix pattern), got '%2'").arg(i).arg(key));
            break;
        }
        for (const QChar c : key) {
            if (c.isSpace() || c.category() == QChar::Other_Control) {
                r.invalid("keys",
                          QStringLiteral("item %1: '%2' holds whitespace or a control character").arg(i).arg(key));
                break;
            }
        }
    }
    if (r.ok() && p.until && p.since >= *p.until) {
        r.invalid("since",
                  QStringLiteral("must be before until (%1), got %2").arg(toWireTime(*p.until), toWireTime(p.since)));
    }
    if (p.bucketSeconds)
        r.checkRange("bucket_seconds", *p.bucketSeconds, StatsMinBucketSeconds, StatsMaxBucketSeconds);
    return r.finish(std::move(p));
}

QJsonObject StatsPoint::toJson() const
{
    return {{QStringLiteral("t"), toWireTime(t)}, {QStringLiteral("count"), count}, {QStringLiteral("sum"), sum},
            {QStringLiteral("min"), min},         {QStringLiteral("max"), max},     {QStringLiteral("avg"), avg},
            {QStringLiteral("p50"), p50},         {QStringLiteral("p95"), p95}};
}

Result<StatsPoint> StatsPoint::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    StatsPoint p;
    r.required("t", p.t);
    r.required("count", p.count);
    r.required("sum", p.sum);
    r.required("min", p.min);
    r.required("max", p.max);
    r.required("avg", p.avg);
    r.required("p50", p.p50);
    r.required("p95", p.p95);
    return r.finish(std::move(p));
}

QJsonObject StatsSeries::toJson() const
{
    return {{QStringLiteral("key"), key}, {QStringLiteral("points"), toJsonArray(points)}};
}

Result<StatsSeries> StatsSeries::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    StatsSeries p;
    r.required("key", p.key);
    readObjectList(r, "points", p.points);
    return r.finish(std::move(p));
}

QJsonObject StatsSummary::toJson() const
{
    return {{QStringLiteral("turns"), turns},
            {QStringLiteral("turns_per_min"), turnsPerMin},
            {QStringLiteral("tool_calls_per_turn"), toolCallsPerTurn},
            {QStringLiteral("turn_duration_ms_p50"), optionalValue(turnDurationMsP50)},
            {QStringLiteral("turn_duration_ms_p95"), optionalValue(turnDurationMsP95)},
            {QStringLiteral("last_turn_at"), lastTurnAt ? QJsonValue(toWireTime(*lastTurnAt)) : QJsonValue()},
            {QStringLiteral("time_since_last_turn_seconds"),
             timeSinceLastTurnSeconds ? QJsonValue(*timeSinceLastTurnSeconds) : QJsonValue()},
            {QStringLiteral("approval_queue_length"), approvalQueueLength},
            {QStringLiteral("inbox_depth"), inboxDepth},
            {QStringLiteral("inbox_depth_max"), inboxDepthMax},
            {QStringLiteral("exits"), countsToJson(exits)},
            {QStringLiteral("tools"), countsToJson(tools)},
            {QStringLiteral("tokens"), tokens.toJson()},
            {QStringLiteral("cost_usd"), costUsd}};
}

Result<StatsSummary> StatsSummary::fromJson(const QJsonObject &json)
{
    JsonReader r(json, QStringLiteral("summary"));
    StatsSummary p;
    r.required("turns", p.turns);
    r.required("turns_per_min", p.turnsPerMin);
    r.required("tool_calls_per_turn", p.toolCallsPerTurn);
    r.optional("turn_duration_ms_p50", p.turnDurationMsP50);
    r.optional("turn_duration_ms_p95", p.turnDurationMsP95);
    r.optional("last_turn_at", p.lastTurnAt);
    r.optional("time_since_last_turn_seconds", p.timeSinceLastTurnSeconds);
    r.required("approval_queue_length", p.approvalQueueLength);
    r.required("inbox_depth", p.inboxDepth);
    r.required("inbox_depth_max", p.inboxDepthMax);
    readCounts(r, "exits", p.exits, &turnExitKinds());
    readCounts(r, "tools", p.tools, nullptr, TurnToolNameMaxChars);
    QJsonObject tokens;
    r.required("tokens", tokens);
    if (r.ok()) {
        auto parsed = TurnTokens::fromJson(tokens);
        if (!parsed)
            return fail(parsed.error());
        p.tokens = *parsed;
    }
    r.required("cost_usd", p.costUsd);
    return r.finish(std::move(p));
}

QJsonObject StatsQueryResult::toJson() const
{
    QJsonObject json{{QStringLiteral("since"), toWireTime(since)},
                     {QStringLiteral("until"), toWireTime(until)},
                     {QStringLiteral("bucket_seconds"), bucketSeconds},
                     {QStringLiteral("series"), toJsonArray(series)},
                     {QStringLiteral("summary"), summary.toJson()}};
    if (agent)
        json.insert(QStringLiteral("agent"), *agent);
    return json;
}

Result<StatsQueryResult> StatsQueryResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    StatsQueryResult p;
    r.optional("agent", p.agent);
    r.required("since", p.since);
    r.required("until", p.until);
    r.required("bucket_seconds", p.bucketSeconds);
    readObjectList(r, "series", p.series);
    QJsonObject summary;
    r.required("summary", summary);
    if (r.ok()) {
        auto parsed = StatsSummary::fromJson(summary);
        if (!parsed)
            return fail(parsed.error());
        p.summary = std::move(*parsed);
    }
    return r.finish(std::move(p));
}

} // namespace hive::protocol
