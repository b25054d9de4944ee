// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace hive::test {

/// Token counts a scripted reply reports: input and cache counts in message_start, output in message_delta.
struct FakeUsage {
    qint64 inputTokens = 10;
    qint64 outputTokens = 5;
    qint64 cacheReadInputTokens = 0;
    qint64 cacheCreationInputTokens = 0;
};

/// One content block of a scripted reply: text, or a tool call whose input is streamed as input_json_delta.
struct FakeBlock {
    enum class Kind { Text, ToolUse };
    Kind kind = Kind::Text;
    QString text;
    QString toolName;
    QString toolId; ///< empty: the server picks toolu_fake_N
    QJsonObject toolInput;
};

/// One step of an agent's script (see tests/support/fakemodel/README.md for the JSON form). A step answers
/// `repeat` requests before the next one takes over.
struct FakeModelStep {
    enum class Kind { Reply, Error, Hang };
    Kind kind = Kind::Reply;
    QList<FakeBlock> blocks;
    FakeUsage usage;
    QString stopReason; ///< empty: tool_use when a block is a tool call, else end_turn
    int errorStatus = 0;
    QString errorType;
    QString errorMessage;
    int retryAfterSeconds = -1; ///< sent as retry-after when >= 0
    int delayMs = 0;
    int repeat = 1;
    QString expect; ///< empty: no check of the request

    /// `where` names the step in error messages, e.g. "alice[2]".
    [[nodiscard]] static Result<FakeModelStep> fromJson(const QJsonValue &value, const QString &where);
    [[nodiscard]] static Result<QList<FakeModelStep>> listFromJson(const QJsonArray &steps, const QString &agent);
    /// A one-block text reply with default usage (compaction summaries, "(script exhausted)").
    [[nodiscard]] static FakeModelStep text(const QString &text);
};

} // namespace hive::test
