// SPDX-License-Identifier: MIT
#include "streamparser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace hive::harness {

namespace {

/// A tool_result's content: a string, or text blocks.
QString contentText(const QJsonValue &content)
{
    if (content.isString())
        return content.toString();
    QString text;
    const QJsonArray blocks = content.toArray();
    for (const QJsonValue &block : blocks) {
        const QJsonObject object = block.toObject();
        if (object.value(QLatin1String("type")).toString() == QLatin1String("text")) {
            if (!text.isEmpty())
                text += QLatin1Char('\n');
            text += object.value(QLatin1String("text")).toString();
        }
    }
    return text;
}

bool containsAny(const QString &text, std::initializer_list<const char *> needles)
{
    for (const char *needle : needles) {
        if (text.contains(QLatin1String(needle), Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace

QString turnExitName(TurnExit exit)
{
    switch (exit) {
    case TurnExit::Ok:
        return QStringLiteral("ok");
    case TurnExit::CompactRetry:
        return QStringLiteral("compact_retry");
    case TurnExit::PromptTooLong:
        return QStringLiteral("prompt_too_long");
    case TurnExit::RateLimited:
        return QStringLiteral("rate_limited");
    case TurnExit::AuthFailed:
        return QStringLiteral("auth_failed");
    case TurnExit::ApiError:
        return QStringLiteral("api_error");
    case TurnExit::Crash:
        return QStringLiteral("crash");
    case TurnExit::Timeout:
        return QStringLiteral("timeout");
    case TurnExit::Cancelled:
        return QStringLiteral("cancelled");
    case TurnExit::MaxTurns:
        return QStringLiteral("max_turns");
    }
    return QStringLiteral("crash");
}

StreamParser::StreamParser(QString hiveServer)
    : m_sendTool(QStringLiteral("mcp__%1__send").arg(hiveServer)),
      m_recvTool(QStringLiteral("mcp__%1__recv").arg(hiveServer))
{}

QList<StreamEvent> StreamParser::feed(const QByteArray &line)
{
    QList<StreamEvent> events;
    const QByteArray trimmed = line.trimmed();
    if (trimmed.isEmpty())
        return events;
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(trimmed, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        ++m_unparsed;
        return events;
    }
    const QJsonObject object = document.object();
    const QString type = object.value(QLatin1String("type")).toString();
    if (m_sessionId.isEmpty())
        m_sessionId = object.value(QLatin1String("session_id")).toString();
    if (type == QLatin1String("assistant"))
        onAssistant(object, events);
    else if (type == QLatin1String("user"))
        onUser(object, events);
    else if (type == QLatin1String("result"))
        onResult(object);
    return events;
}

void StreamParser::onAssistant(const QJsonObject &line, QList<StreamEvent> &events)
{
    if (const QString error = line.value(QLatin1String("error")).toString(); !error.isEmpty())
        m_assistantError = error;
    const QJsonArray content =
        line.value(QLatin1String("message")).toObject().value(QLatin1String("content")).toArray();
    for (const QJsonValue &value : content) {
        const QJsonObject block = value.toObject();
        const QString blockType = block.value(QLatin1String("type")).toString();
        if (blockType == QLatin1String("text")) {
            const QString text = block.value(QLatin1String("text")).toString();
            if (!text.isEmpty())
                events.append(StreamEvent{StreamEvent::Kind::Text, text, {}, {}, {}, false});
        } else if (blockType == QLatin1String("tool_use")) {
            StreamEvent event;
            event.kind = StreamEvent::Kind::ToolCall;
            event.tool = block.value(QLatin1String("name")).toString();
            event.toolUseId = block.value(QLatin1String("id")).toString();
            event.input = block.value(QLatin1String("input")).toObject();
            m_toolCalls[event.tool] += 1;
            m_toolNames.insert(event.toolUseId, event.tool);
            if (event.tool == m_sendTool)
                m_pendingSends.insert(event.toolUseId,
                                      recipientKind(event.input.value(QLatin1String("to")).toString()));
            events.append(event);
        }
    }
}

void StreamParser::onUser(const QJsonObject &line, QList<StreamEvent> &events)
{
    const QJsonValue content = line.value(QLatin1String("message")).toObject().value(QLatin1String("content"));
    const QJsonArray blocks = content.toArray();
    for (const QJsonValue &value : blocks) {
        const QJsonObject block = value.toObject();
        if (block.value(QLatin1String("type")).toString() != QLatin1String("tool_result"))
            continue;
        StreamEvent event;
        event.kind = StreamEvent::Kind::ToolResult;
        event.toolUseId = block.value(QLatin1String("tool_use_id")).toString();
        event.tool = m_toolNames.value(event.toolUseId);
        event.text = contentText(block.value(QLatin1String("content")));
        event.isError = block.value(QLatin1String("is_error")).toBool();
        if (const auto send = m_pendingSends.constFind(event.toolUseId); send != m_pendingSends.constEnd()) {
            // The hive tools report an engine refusal as an error result: only delivered sends count.
            if (!event.isError)
                m_sent[*send] += 1;
            m_pendingSends.erase(send);
        }
        if (event.tool == m_recvTool && !event.isError) {
            const QJsonArray messages =
                QJsonDocument::fromJson(event.text.toUtf8()).object().value(QLatin1String("messages")).toArray();
            for (const QJsonValue &message : messages) {
                if (const qint64 id = message.toObject().value(QLatin1String("id")).toInteger(); id > 0)
                    m_receivedIds.append(id);
            }
        }
        events.append(event);
    }
}

void StreamParser::onResult(const QJsonObject &line)
{
    ResultLine result;
    result.subtype = line.value(QLatin1String("subtype")).toString();
    result.isError = line.value(QLatin1String("is_error")).toBool();
    result.terminalReason = line.value(QLatin1String("terminal_reason")).toString();
    if (const QJsonValue status = line.value(QLatin1String("api_error_status")); status.isDouble())
        result.apiErrorStatus = status.toInt();
    result.text = line.value(QLatin1String("result")).toString();
    if (result.text.isEmpty()) {
        const QJsonArray errors = line.value(QLatin1String("errors")).toArray();
        QStringList texts;
        for (const QJsonValue &error : errors)
            texts.append(error.toString());
        result.text = texts.join(QLatin1String("; "));
    }
    m_result = result;

    const QJsonObject usage = line.value(QLatin1String("usage")).toObject();
    m_usage.input = usage.value(QLatin1String("input_tokens")).toInteger();
    m_usage.output = usage.value(QLatin1String("output_tokens")).toInteger();
    m_usage.cacheRead = usage.value(QLatin1String("cache_read_input_tokens")).toInteger();
    m_usage.cacheCreation = usage.value(QLatin1String("cache_creation_input_tokens")).toInteger();
    m_costUsd = line.value(QLatin1String("total_cost_usd")).toDouble();
    m_permissionDenials = line.value(QLatin1String("permission_denials")).toArray().size();
}

qint64 StreamParser::toolCallCount() const
{
    qint64 total = 0;
    for (const qint64 count : m_toolCalls)
        total += count;
    return total;
}

TurnExit StreamParser::exit(bool cancelled, bool timedOut) const
{
    if (timedOut)
        return TurnExit::Timeout;
    if (!m_result)
        return cancelled ? TurnExit::Cancelled : TurnExit::Crash;
    const ResultLine &result = *m_result;
    if (!result.isError)
        return TurnExit::Ok;
    if (cancelled || result.terminalReason == QLatin1String("aborted_streaming") ||
        result.terminalReason == QLatin1String("aborted_tools"))
        return TurnExit::Cancelled;
    if (result.terminalReason == QLatin1String("prompt_too_long") ||
        result.text.contains(QLatin1String("Prompt is too long"), Qt::CaseInsensitive))
        return TurnExit::PromptTooLong;
    if (result.subtype == QLatin1String("error_max_turns"))
        return TurnExit::MaxTurns;
    const int status = result.apiErrorStatus.value_or(0);
    if (status == 429 || m_assistantError == QLatin1String("rate_limit"))
        return TurnExit::RateLimited;
    if (status == 401 || status == 403 || m_assistantError == QLatin1String("authentication_failed") ||
        containsAny(result.text, {"Not logged in", "Invalid API key", "/login", "OAuth token"}))
        return TurnExit::AuthFailed;
    return TurnExit::ApiError;
}

QString StreamParser::recipientKind(const QString &to)
{
    if (to == QLatin1String("operator") || to == QLatin1String("manager"))
        return to;
    if (to == QLatin1String("*"))
        return QStringLiteral("broadcast");
    return QStringLiteral("peer");
}

} // namespace hive::harness
