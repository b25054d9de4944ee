// SPDX-License-Identifier: MIT
#pragma once

#include "clisetup.h"
#include "protocol/messages.h"
#include "streamparser.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

class QTimer;

namespace hive {
struct Error;
}
namespace hive::client {
class RpcClient;
}

namespace hive::harness {

class CliProcess;

/// `hive-harness serve`: the agent's turn loop. It attaches to the engine on the agent socket,
/// requeues what an earlier run left unacknowledged, then loops: check the day's budget →
/// long-poll the inbox for one message → run the agent CLI once for it (a wake prompt on stdin,
/// stream-json out, each line forwarded live as turn_event) → judge the turn by the result line →
/// ack or requeue → report the turn's telemetry → compact notes.md when it has grown.
///
/// Failures: a prompt that is too long is compacted (`/compact`) and the turn retried once; a rate
/// limit parks the loop (state rate_limited) and retries after the configured sleep; an auth
/// failure parks it in needs_login until the engine says the config changed (or ten minutes pass)
/// and tells the operator; a crash, a timeout or an API error requeues the message and retries with
/// a growing backoff. The operator's cancel_turn interrupts the CLI with SIGINT; that turn's message
/// is acknowledged (the operator stopped it on purpose).
class ServeSession : public QObject
{
    Q_OBJECT
public:
    ServeSession(HarnessPaths paths, QObject *parent = nullptr);
    ~ServeSession() override;

    void start();
    /// SIGTERM: interrupts a running turn (its message stays unacknowledged, so the next run gets it
    /// again), then emits finished().
    void stop();

Q_SIGNALS:
    void finished(int exitCode);

private:
    enum class Phase { Turn, Compact, Retry };

    struct Turn {
        QString id;
        protocol::Message message;
        qint64 pending = 0;
        QDateTime startedAt;
        QElapsedTimer clock;
        Phase phase = Phase::Turn;
        bool compacted = false;
        QMap<QString, qint64> toolCalls;
        QMap<QString, qint64> sent;
        TokenUsage tokens;
        double costUsd = 0;
        qint64 permissionDenials = 0;
        QList<qint64> receivedIds; ///< taken with the recv tool during the turn
        std::unique_ptr<StreamParser> parser;
    };

    // connection
    void connectNow();
    void onClosed(const Error &reason);
    void onNotification(const QString &method);
    void reconnectLater();

    // the loop
    void nextTurn();
    void loadConfig(const protocol::Message &message, qint64 pending);
    void waitForMessage();
    void beginTurn(const protocol::Message &message, qint64 pending);
    void runCli(const CliInvocation &invocation);
    void onLine(const QByteArray &line);
    void onCliFinished(int exitCode, bool crashed, const QString &startError);
    void endTurn(TurnExit exit, const QString &detail);
    void report(TurnExit exit, std::function<void()> next);
    void maybeCompactNotes(std::function<void()> next);

    // parking
    void park(const QString &state, const QString &detail, int seconds);
    void requeueThen(std::function<void()> next);
    void setState(const QString &state, const QString &detail = {}, std::optional<QDateTime> until = {});
    void turnEvent(const QString &kind, const QJsonObject &data);
    void tellOperator(const QString &text);

    HarnessPaths m_paths;
    ServeSettings m_settings;
    std::unique_ptr<client::RpcClient> m_client;
    std::unique_ptr<Turn> m_turn;
    CliProcess *m_cli = nullptr;
    QTimer *m_wake = nullptr;
    QString m_agent;
    QString m_kind;
    qint64 m_turnCounter = 0;
    int m_backoffSeconds = 0;
    bool m_reportedWaiting = false;
    bool m_waitingForMessage = false;
    bool m_stopping = false;
    bool m_toldOperatorLogin = false;
    qint64 m_generation = 0; ///< bumps on every (re)connect; stale callbacks compare it
};

} // namespace hive::harness
