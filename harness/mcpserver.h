// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/messages.h"
#include "result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QThread>

namespace hive::harness {

class EngineLink;
class StdinReader;
struct McpTool;

/// `hive-harness mcp`: the MCP server the agent CLI starts, over stdio (newline-delimited
/// JSON-RPC 2.0: one message per line on stdin, one per line on stdout, logs on stderr). It serves
/// initialize (with protocol-version negotiation), ping, tools/list and tools/call; each tool
/// forwards to the agent-socket method of the same name (EngineLink). Tool failures, bad arguments
/// included, are tool results with isError, so the model sees them; protocol misuse gets
/// JSON-RPC errors. stdin is read on its own thread (StdinReader); its end ends the server.
class McpServer : public QObject
{
    Q_OBJECT
public:
    /// The protocol revisions served, newest first.
    static const QStringList &supportedVersions();
    /// The longest line read (1 MiB); longer ones get an error and are skipped.
    static constexpr qsizetype MaxLineBytes = qsizetype{1024} * 1024;

    explicit McpServer(const QString &socketPath, QObject *parent = nullptr);
    ~McpServer() override;

    /// Starts reading stdin.
    void start();

Q_SIGNALS:
    /// stdin ended (0) or failed (1), or stdout went away (0): the program should exit.
    void finished(int exitCode);

private:
    void handleLine(const QByteArray &line);
    void handleRequest(const QJsonValue &id, const QString &method, const QJsonObject &params);
    void handleNotification(const QString &method);
    void initialize(const QJsonValue &id, const QJsonObject &params);
    void callTool(const QJsonValue &id, const QJsonObject &params);
    void answerTool(const QJsonValue &id, const McpTool &tool, const Result<QJsonValue> &result);
    /// What tools/list shows now: the manager's tools only when the engine said we are the manager.
    [[nodiscard]] QList<const McpTool *> visibleTools() const;
    [[nodiscard]] bool atLeast(const char *version) const;

    /// A tool result: text content (and structuredContent where the revision has it).
    [[nodiscard]] QJsonObject toolResult(const QString &text, const QJsonObject &structured, bool isError) const;
    [[nodiscard]] QJsonObject toolError(const QString &text) const;
    void reply(const QJsonValue &id, const QJsonObject &result);
    void replyError(const QJsonValue &id, int code, const QString &message);
    void notify(const QString &method);
    void write(const QJsonObject &message);
    void identified(const protocol::WhoamiResult &who);

    EngineLink *m_link;
    QThread m_readerThread;
    StdinReader *m_reader = nullptr; ///< lives on m_readerThread
    enum class Phase { New, Initializing, Ready };
    Phase m_phase = Phase::New;
    QString m_version;        ///< the negotiated protocol revision
    QList<QByteArray> m_held; ///< lines that came while initialize waited for whoami
    bool m_manager = false;   ///< whoami said "manager"
    bool m_ended = false;
};

} // namespace hive::harness
