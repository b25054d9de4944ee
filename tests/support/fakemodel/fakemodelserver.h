// SPDX-License-Identifier: MIT
#pragma once

#include "fakemodelscript.h"
#include "result.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <functional>

class QTcpServer;
class QTcpSocket;

namespace hive::test {

struct HttpRequest;

/// A scripted Anthropic Messages API on 127.0.0.1 for tests and benchmarks: the real agent CLI runs complete turns
/// against it (ANTHROPIC_BASE_URL). Every `POST /v1/messages` of an agent (header `x-fake-agent`, "*" when absent)
/// is answered by the next step of that agent's script; compaction requests are answered without a step. All
/// requests are recorded. The server lives in the caller's thread and never blocks it: tests spin the event loop
/// (QTRY_*, QTest::qWaitFor) while a CLI process talks to it. Script format: tests/support/fakemodel/README.md.
class FakeModelServer : public QObject
{
    Q_OBJECT

public:
    /// How a recorded request was answered.
    enum class Answer { Step, Compaction, Exhausted, NotFound, BadRequest };

    struct Request {
        QString agent;
        QByteArray method;
        QByteArray target;   ///< path and query as sent
        QJsonObject headers; ///< lower-case name -> value
        QJsonObject body;    ///< the parsed JSON body (empty when there was none or it was not an object)
        QDateTime time;      ///< when it was read, UTC
        Answer answer = Answer::Step;
        int step = -1;  ///< index of the step that answered, -1 for other answers
        int status = 0; ///< HTTP status sent (0: none yet, a hang)
        QString error;  ///< why a request got 400
        /// One JSON object per request for logs; x-api-key and authorization are redacted.
        [[nodiscard]] QJsonObject toJson() const;
    };

    explicit FakeModelServer(QObject *parent = nullptr);
    ~FakeModelServer() override;
    Q_DISABLE_COPY_MOVE(FakeModelServer)

    /// Listens on 127.0.0.1:`port` (0: any free port).
    [[nodiscard]] Result<void> listen(quint16 port = 0);
    [[nodiscard]] quint16 port() const;
    /// http://127.0.0.1:PORT, for ANTHROPIC_BASE_URL.
    [[nodiscard]] QString baseUrl() const;

    /// See FakeModelScript::set: replaces one agent's script ("*": the one of agents without their own).
    [[nodiscard]] Result<void> setScript(const QString &agent, const QJsonArray &steps);
    /// See FakeModelScript::load: {"agents": {NAME: [steps...], ...}, "compaction_summary"?: string}.
    [[nodiscard]] Result<void> loadScript(const QJsonObject &document);
    [[nodiscard]] Result<void> loadScriptFile(const QString &path);
    /// The text inside <summary> of compaction answers (default "SUMMARY").
    void setCompactionSummary(const QString &summary);

    [[nodiscard]] QList<Request> requests(const QString &agent) const;
    /// requests(agent).at(index) without copying the list (an empty Request when out of range).
    [[nodiscard]] Request request(const QString &agent, int index) const;
    [[nodiscard]] QList<Request> allRequests() const { return m_all; }
    [[nodiscard]] int requestCount(const QString &agent) const;
    [[nodiscard]] int compactions(const QString &agent) const;
    /// Requests of the agent's script not yet answered (a step with repeat N counts N).
    [[nodiscard]] int stepsLeft(const QString &agent) const;
    /// Expectation mismatches and exhausted scripts, one sentence each.
    [[nodiscard]] QStringList failures() const { return m_failures; }

    /// The text of the request's last user message: its text blocks and the text of its tool_result blocks,
    /// joined by newlines.
    [[nodiscard]] static QString lastUserText(const QJsonObject &body);

Q_SIGNALS:
    /// A request was answered (for a hang step: was read). `index` counts in requests(agent).
    void requestServed(const QString &agent, int index);

private:
    struct Connection {
        QByteArray buffer;
        bool busy = false;    ///< an answer is delayed or hangs: later requests wait in the buffer
        bool closing = false; ///< the answer said "connection: close"
    };

    void accept();
    void readFrom(QTcpSocket *socket);
    void process(QTcpSocket *socket);
    void handle(QTcpSocket *socket, const HttpRequest &request);
    void answerMessages(QTcpSocket *socket, Request &record, bool keepAlive);
    /// Records the request and returns its index in the agent's list.
    int record(const Request &request);
    void send(QTcpSocket *socket, int status, const QList<std::pair<QByteArray, QByteArray>> &headers,
              const QByteArray &body, bool keepAlive, bool headOnly = false);
    void sendStream(QTcpSocket *socket, const QList<QByteArray> &frames, bool keepAlive);
    /// Writes after `delayMs` (at once when 0) and then serves the connection's next request.
    void later(QTcpSocket *socket, int delayMs, std::function<void()> write, const QString &agent, int index);
    QString nextId(const char *prefix);

    QTcpServer *m_server = nullptr;
    FakeModelScript m_script;
    QHash<QString, QList<int>> m_requests; ///< per agent: indexes into m_all
    QHash<QTcpSocket *, Connection> m_connections;
    QList<Request> m_all;
    QStringList m_failures;
    QHash<QByteArray, int> m_counters;
};

} // namespace hive::test
