// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace hive::harness {

/// How a turn of the agent CLI ended, judged by its final `result` line (the exit code says little:
/// permission denials and SIGINT both exit 0). The wire names are TurnReport's `exit` values.
enum class TurnExit {
    Ok,
    CompactRetry, ///< prompt too long, compacted, and the retry succeeded
    PromptTooLong,
    RateLimited,
    AuthFailed,
    ApiError,
    Crash, ///< no result line: the CLI died or never started
    Timeout,
    Cancelled,
    MaxTurns,
};
[[nodiscard]] QString turnExitName(TurnExit exit);

/// One thing worth showing live, decoded from a stream-json line.
struct StreamEvent {
    enum class Kind { Text, ToolCall, ToolResult };
    Kind kind = Kind::Text;
    QString text;      ///< Text: the text; ToolResult: the result's text
    QString tool;      ///< ToolCall and ToolResult: the tool's name
    QString toolUseId; ///< ToolCall and ToolResult
    QJsonObject input; ///< ToolCall: the arguments
    bool isError = false;
};

/// The `result` line.
struct ResultLine {
    QString subtype; ///< "success", "error_max_turns", "error_during_execution", ...
    bool isError = false;
    QString terminalReason; ///< "completed", "prompt_too_long", "api_error", "aborted_streaming", ...
    std::optional<int> apiErrorStatus;
    QString text; ///< `result`: the final text, or the error message
};

/// Token use as the result line reports it.
struct TokenUsage {
    qint64 input = 0;
    qint64 output = 0;
    qint64 cacheRead = 0;
    qint64 cacheCreation = 0;
};

/// Reads the agent CLI's `--output-format stream-json` output line by line and keeps what a turn
/// report needs: tool calls per tool, the messages the agent sent through the hive tools (by
/// recipient kind, successful ones only), permission denials, tokens, cost and the result line.
/// Lines that are not JSON objects are counted and otherwise ignored, as are unknown types.
class StreamParser
{
public:
    /// `hiveServer` is the MCP server name of the hive tools (tools are `mcp__<server>__send`, ...).
    explicit StreamParser(QString hiveServer = QStringLiteral("hive"));

    /// Decodes one line (without its newline) and returns what it shows live.
    QList<StreamEvent> feed(const QByteArray &line);

    [[nodiscard]] const std::optional<ResultLine> &result() const { return m_result; }
    [[nodiscard]] const QMap<QString, qint64> &toolCalls() const { return m_toolCalls; }
    [[nodiscard]] qint64 toolCallCount() const;
    /// Successful sends through the hive `send` tool, by kind: peer, operator, manager, broadcast.
    [[nodiscard]] const QMap<QString, qint64> &sent() const { return m_sent; }
    [[nodiscard]] qint64 permissionDenials() const { return m_permissionDenials; }
    /// Messages the model took from its inbox with the hive `recv` tool: leased to this turn, so the
    /// harness acknowledges them with the turn's own message.
    [[nodiscard]] const QList<qint64> &receivedIds() const { return m_receivedIds; }
    [[nodiscard]] const TokenUsage &usage() const { return m_usage; }
    [[nodiscard]] double costUsd() const { return m_costUsd; }
    [[nodiscard]] const QString &sessionId() const { return m_sessionId; }
    /// The `error` of a synthetic assistant line ("rate_limit", "authentication_failed", ...), if any.
    [[nodiscard]] const QString &assistantError() const { return m_assistantError; }
    [[nodiscard]] qint64 unparsedLines() const { return m_unparsed; }

    /// The turn's outcome from the result line. `cancelled`/`timedOut` say whether the harness
    /// interrupted the CLI; without a result line the turn crashed (or timed out).
    [[nodiscard]] TurnExit exit(bool cancelled, bool timedOut) const;

    /// The kind of a `send` recipient: "operator", "manager", "broadcast" (`*`) or "peer".
    [[nodiscard]] static QString recipientKind(const QString &to);

private:
    void onAssistant(const QJsonObject &line, QList<StreamEvent> &events);
    void onUser(const QJsonObject &line, QList<StreamEvent> &events);
    void onResult(const QJsonObject &line);

    QString m_sendTool;
    std::optional<ResultLine> m_result;
    QMap<QString, qint64> m_toolCalls;
    QMap<QString, qint64> m_sent;
    QHash<QString, QString> m_toolNames;    ///< tool_use id → tool name
    QHash<QString, QString> m_pendingSends; ///< tool_use id → recipient kind, until its result
    QString m_recvTool;
    QList<qint64> m_receivedIds;
    qint64 m_permissionDenials = 0;
    TokenUsage m_usage;
    double m_costUsd = 0;
    QString m_sessionId;
    QString m_assistantError;
    qint64 m_unparsed = 0;
};

} // namespace hive::harness
