// SPDX-License-Identifier: MIT
#include "fakemodelstep.h"

#include "jsonreader.h"

#include <limits>
#include <optional>

namespace hive::test {

namespace {

QString defaultErrorType(int status)
{
    switch (status) {
    case 400:
        return QStringLiteral("invalid_request_error");
    case 401:
        return QStringLiteral("authentication_error");
    case 403:
        return QStringLiteral("permission_error");
    case 404:
        return QStringLiteral("not_found_error");
    case 413:
        return QStringLiteral("request_too_large");
    case 429:
        return QStringLiteral("rate_limit_error");
    case 529:
        return QStringLiteral("overloaded_error");
    default:
        return QStringLiteral("api_error");
    }
}

Result<FakeUsage> usageFromJson(const QJsonObject &object, const QString &where)
{
    FakeUsage usage;
    JsonReader r(object, where);
    r.optional("input_tokens", usage.inputTokens);
    r.optional("output_tokens", usage.outputTokens);
    r.optional("cache_read_input_tokens", usage.cacheReadInputTokens);
    r.optional("cache_creation_input_tokens", usage.cacheCreationInputTokens);
    constexpr qint64 Max = std::numeric_limits<int>::max();
    r.checkRange("input_tokens", usage.inputTokens, 0, Max);
    r.checkRange("output_tokens", usage.outputTokens, 0, Max);
    r.checkRange("cache_read_input_tokens", usage.cacheReadInputTokens, 0, Max);
    r.checkRange("cache_creation_input_tokens", usage.cacheCreationInputTokens, 0, Max);
    return r.finish(usage);
}

Result<FakeBlock> blockFromJson(const QJsonValue &value, const QString &where)
{
    if (!value.isObject())
        return fail(ErrorCode::InvalidParams, QStringLiteral("%1 must be an object").arg(where));
    std::optional<QString> text;
    std::optional<QJsonObject> toolUse;
    JsonReader r(value.toObject(), where);
    r.optional("text", text);
    r.optional("tool_use", toolUse);
    auto checked = r.finish(0);
    if (!checked)
        return fail(checked.error());
    if (text.has_value() == toolUse.has_value())
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("%1 needs exactly one of 'text' and 'tool_use'").arg(where));
    FakeBlock block;
    if (text) {
        block.text = *text;
        return block;
    }
    block.kind = FakeBlock::Kind::ToolUse;
    JsonReader t(*toolUse, where + QStringLiteral(".tool_use"));
    t.required("name", block.toolName);
    t.optional("input", block.toolInput);
    t.optional("id", block.toolId);
    return t.finish(block);
}

} // namespace

Result<FakeModelStep> FakeModelStep::fromJson(const QJsonValue &value, const QString &where)
{
    if (!value.isObject())
        return fail(ErrorCode::InvalidParams, QStringLiteral("%1 must be an object").arg(where));
    FakeModelStep step;
    std::optional<QJsonArray> reply;
    std::optional<QJsonObject> error;
    std::optional<QJsonObject> usage;
    bool hang = false;
    JsonReader r(value.toObject(), where);
    r.optional("reply", reply);
    r.optional("error", error);
    r.optional("hang", hang);
    r.optional("usage", usage);
    r.optional("stop_reason", step.stopReason);
    r.optional("delay_ms", step.delayMs);
    r.optional("repeat", step.repeat);
    r.optional("expect", step.expect);
    r.checkRange("delay_ms", step.delayMs, 0, qint64(3600) * 1000);
    r.checkRange("repeat", step.repeat, 1, std::numeric_limits<int>::max());
    auto checked = r.finish(0);
    if (!checked)
        return fail(checked.error());
    if (int(reply.has_value()) + int(error.has_value()) + int(hang) != 1)
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("%1 needs exactly one of 'reply', 'error' and 'hang': true").arg(where));
    if (usage) {
        auto parsed = usageFromJson(*usage, where + QStringLiteral(".usage"));
        if (!parsed)
            return fail(parsed.error());
        step.usage = *parsed;
    }
    if (hang) {
        step.kind = Kind::Hang;
        return step;
    }
    if (error) {
        step.kind = Kind::Error;
        JsonReader e(*error, where + QStringLiteral(".error"));
        e.required("status", step.errorStatus);
        e.optional("type", step.errorType);
        e.optional("message", step.errorMessage);
        e.optional("retry_after", step.retryAfterSeconds);
        e.checkRange("status", step.errorStatus, 400, 599);
        e.checkRange("retry_after", step.retryAfterSeconds, -1, qint64(24) * 3600);
        auto parsed = e.finish(0);
        if (!parsed)
            return fail(parsed.error());
        if (step.errorType.isEmpty())
            step.errorType = defaultErrorType(step.errorStatus);
        if (step.errorMessage.isEmpty())
            step.errorMessage = QStringLiteral("scripted error %1").arg(step.errorStatus);
        return step;
    }
    for (qsizetype i = 0; i < reply->size(); ++i) {
        auto block = blockFromJson(reply->at(i), QStringLiteral("%1.reply[%2]").arg(where).arg(i));
        if (!block)
            return fail(block.error());
        step.blocks << *block;
    }
    return step;
}

Result<QList<FakeModelStep>> FakeModelStep::listFromJson(const QJsonArray &steps, const QString &agent)
{
    QList<FakeModelStep> list;
    for (qsizetype i = 0; i < steps.size(); ++i) {
        auto step = fromJson(steps.at(i), QStringLiteral("%1[%2]").arg(agent).arg(i));
        if (!step)
            return fail(step.error());
        list << *step;
    }
    return list;
}

FakeModelStep FakeModelStep::text(const QString &text)
{
    FakeModelStep step;
    FakeBlock block;
    block.text = text;
    step.blocks << block;
    return step;
}

} // namespace hive::test
