// SPDX-License-Identifier: MIT
#include "fakemessagestream.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace hive::test {

QByteArray FakeMessageStream::frame(const QJsonObject &data)
{
    return "event: " + data.value(QLatin1String("type")).toString().toUtf8() +
           "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

QList<QByteArray> FakeMessageStream::reply(const FakeModelStep &step, const QString &model, const QString &messageId,
                                           const std::function<QString()> &nextToolId)
{
    const FakeUsage &usage = step.usage;
    QList<QByteArray> frames;
    frames << frame(
        {{QStringLiteral("type"), QStringLiteral("message_start")},
         {QStringLiteral("message"),
          QJsonObject{{QStringLiteral("id"), messageId},
                      {QStringLiteral("type"), QStringLiteral("message")},
                      {QStringLiteral("role"), QStringLiteral("assistant")},
                      {QStringLiteral("model"), model},
                      {QStringLiteral("content"), QJsonArray()},
                      {QStringLiteral("stop_reason"), QJsonValue::Null},
                      {QStringLiteral("stop_sequence"), QJsonValue::Null},
                      {QStringLiteral("usage"),
                       QJsonObject{{QStringLiteral("input_tokens"), usage.inputTokens},
                                   {QStringLiteral("output_tokens"), 1},
                                   {QStringLiteral("cache_creation_input_tokens"), usage.cacheCreationInputTokens},
                                   {QStringLiteral("cache_read_input_tokens"), usage.cacheReadInputTokens}}}}}});
    frames << frame({{QStringLiteral("type"), QStringLiteral("ping")}});
    bool calledTool = false;
    for (qsizetype i = 0; i < step.blocks.size(); ++i) {
        const FakeBlock &block = step.blocks.at(i);
        QJsonObject start;
        QJsonObject delta;
        if (block.kind == FakeBlock::Kind::Text) {
            start = {{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), QString()}};
            delta = {{QStringLiteral("type"), QStringLiteral("text_delta")}, {QStringLiteral("text"), block.text}};
        } else {
            calledTool = true;
            start = {{QStringLiteral("type"), QStringLiteral("tool_use")},
                     {QStringLiteral("id"), block.toolId.isEmpty() ? nextToolId() : block.toolId},
                     {QStringLiteral("name"), block.toolName},
                     {QStringLiteral("input"), QJsonObject()}};
            delta = {{QStringLiteral("type"), QStringLiteral("input_json_delta")},
                     {QStringLiteral("partial_json"),
                      QString::fromUtf8(QJsonDocument(block.toolInput).toJson(QJsonDocument::Compact))}};
        }
        frames << frame({{QStringLiteral("type"), QStringLiteral("content_block_start")},
                         {QStringLiteral("index"), i},
                         {QStringLiteral("content_block"), start}});
        frames << frame({{QStringLiteral("type"), QStringLiteral("content_block_delta")},
                         {QStringLiteral("index"), i},
                         {QStringLiteral("delta"), delta}});
        frames << frame({{QStringLiteral("type"), QStringLiteral("content_block_stop")}, {QStringLiteral("index"), i}});
    }
    QString stopReason = step.stopReason;
    if (stopReason.isEmpty())
        stopReason = calledTool ? QStringLiteral("tool_use") : QStringLiteral("end_turn");
    frames << frame({{QStringLiteral("type"), QStringLiteral("message_delta")},
                     {QStringLiteral("delta"), QJsonObject{{QStringLiteral("stop_reason"), stopReason},
                                                           {QStringLiteral("stop_sequence"), QJsonValue::Null}}},
                     {QStringLiteral("usage"), QJsonObject{{QStringLiteral("output_tokens"), usage.outputTokens}}}});
    frames << frame({{QStringLiteral("type"), QStringLiteral("message_stop")}});
    return frames;
}

QByteArray FakeMessageStream::errorBody(const QString &type, const QString &message)
{
    const QJsonObject error{
        {QStringLiteral("type"), QStringLiteral("error")},
        {QStringLiteral("error"), QJsonObject{{QStringLiteral("type"), type}, {QStringLiteral("message"), message}}}};
    return QJsonDocument(error).toJson(QJsonDocument::Compact);
}

} // namespace hive::test
