// SPDX-License-Identifier: MIT
#include "servesession.h"

#include "cliprocess.h"
#include "localsocketpeer.h"
#include "prompts.h"
#include "protocol/agentmethods.h"
#include "rpcclient.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

#include <cstdio>

namespace hive::harness {

namespace {

constexpr int ConnectTimeoutMs = 5000;
constexpr int ReconnectMs = 1000;
constexpr double RecvWaitSeconds = 180;
constexpr int FirstBackoffSeconds = 5;
constexpr int MaxBackoffSeconds = 300;
constexpr int NeedsLoginRetrySeconds = 600;
constexpr int OverBudgetRecheckSeconds = 60;
constexpr int EventTextMaxChars = 4000;

void logLine(const QString &text)
{
    std::fprintf(stderr, "hive-harness: %s\n", qPrintable(text));
    std::fflush(stderr);
}

QString truncated(const QString &text)
{
    return text.size() <= EventTextMaxChars ? text : text.left(EventTextMaxChars) + QStringLiteral("…");
}

/// A tool call's arguments for a live event: long string values shortened so that one event stays small.
QJsonObject foldedInput(const QJsonObject &input)
{
    QJsonObject folded;
    for (auto it = input.constBegin(); it != input.constEnd(); ++it) {
        if (it->isString())
            folded.insert(it.key(), truncated(it->toString()));
        else
            folded.insert(it.key(), *it);
    }
    if (QJsonDocument(folded).toJson(QJsonDocument::Compact).size() > EventTextMaxChars * 2)
        return QJsonObject{{QStringLiteral("folded"), QStringLiteral("arguments too large to show")}};
    return folded;
}

qint64 fileSize(const QString &path)
{
    const QFileInfo info(path);
    return info.exists() ? info.size() : 0;
}

} // namespace

ServeSession::ServeSession(HarnessPaths paths, QObject *parent) : QObject(parent), m_paths(std::move(paths))
{
    m_wake = new QTimer(this);
    m_wake->setSingleShot(true);
}

ServeSession::~ServeSession() = default;

void ServeSession::start()
{
    connectNow();
}

void ServeSession::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_wake->stop();
    if (m_cli && m_cli->isRunning()) {
        logLine(QStringLiteral("stopping: interrupting the running turn; its message comes again at the next start"));
        m_cli->interrupt(); // onCliFinished() sees m_stopping and finishes
        return;
    }
    Q_EMIT finished(0);
}

// ---- connection -------------------------------------------------------------------------------

void ServeSession::connectNow()
{
    if (m_stopping)
        return;
    ++m_generation;
    m_client = std::make_unique<client::RpcClient>(new client::LocalSocketPeer(m_paths.socketPath));
    if (auto opened = m_client->openAndWait(ConnectTimeoutMs); !opened) {
        if (!m_reportedWaiting) {
            logLine(QStringLiteral("cannot reach the engine at %1 (%2); retrying every second")
                        .arg(m_paths.socketPath, opened.error().message));
            m_reportedWaiting = true;
        }
        reconnectLater();
        return;
    }
    connect(m_client.get(), &client::RpcClient::closed, this, &ServeSession::onClosed);
    connect(m_client.get(), &client::RpcClient::notificationReceived, this,
            [this](const QString &method, const QJsonObject &) { onNotification(method); });
    const qint64 generation = m_generation;
    protocol::HarnessAttachParams attach;
    attach.pid = QCoreApplication::applicationPid();
    attach.version = QStringLiteral(HIVE_VERSION);
    m_client->call<protocol::HarnessAttachMethod>(attach, [this, generation](const auto &attached) {
        if (generation != m_generation)
            return;
        if (!attached) {
            logLine(QStringLiteral("harness_attach failed: %1; retrying").arg(attached.error().message));
            m_client->close();
            return;
        }
        m_reportedWaiting = false;
        m_agent = attached->agent;
        m_kind = attached->kind;
        logLine(QStringLiteral("attached as %1 (%2)").arg(m_agent, m_kind));
        // Whatever an earlier run leased and never acknowledged comes again, flagged redelivered.
        requeueThen([this] { nextTurn(); });
    });
}

void ServeSession::reconnectLater()
{
    if (m_client)
        m_client.release()->deleteLater(); // not deleted here: this may run inside its own signal
    if (m_stopping) {
        if (!m_cli || !m_cli->isRunning())
            Q_EMIT finished(0);
        return;
    }
    QTimer::singleShot(ReconnectMs, this, &ServeSession::connectNow);
}

void ServeSession::onClosed(const Error &reason)
{
    logLine(QStringLiteral("the engine closed the connection (%1); reconnecting").arg(reason.message));
    ++m_generation; // every callback still pending belongs to the old connection
    m_waitingForMessage = false;
    m_wake->stop();
    if (m_cli && m_cli->isRunning())
        return; // the turn ends on its own; its message stays leased and comes again after reattach
    reconnectLater();
}

void ServeSession::onNotification(const QString &method)
{
    if (method == QLatin1String(protocol::CancelTurnNotification)) {
        if (m_cli && m_cli->isRunning()) {
            logLine(QStringLiteral("the operator cancelled turn %1").arg(m_turn ? m_turn->id : QString()));
            m_cli->interrupt();
        }
    } else if (method == QLatin1String(protocol::ConfigChangedNotification)) {
        // A parked loop (needs_login, over_budget) tries again at once; a running turn is left alone:
        // the next turn reads the config anew.
        if (m_wake->isActive()) {
            m_wake->stop();
            nextTurn();
        }
    }
}

// ---- the loop ---------------------------------------------------------------------------------

void ServeSession::nextTurn()
{
    if (m_stopping || !m_client || !m_client->isOpen())
        return;
    const qint64 generation = m_generation;
    m_client->call<protocol::BudgetStatusMethod>(
        protocol::BudgetStatusParams{}, [this, generation](const auto &budget) {
            if (generation != m_generation)
                return;
            if (budget && budget->exceeded) {
                QString detail = QStringLiteral("today's budget is spent: %1 tokens").arg(budget->tokensUsed);
                if (budget->tokensLimit)
                    detail += QStringLiteral(" of %1").arg(*budget->tokensLimit);
                detail += QStringLiteral(", $%1").arg(budget->costUsedUsd, 0, 'f', 2);
                if (budget->costLimitUsd)
                    detail += QStringLiteral(" of $%1").arg(*budget->costLimitUsd, 0, 'f', 2);
                park(QString::fromLatin1(protocol::harnessstates::OverBudget), detail, OverBudgetRecheckSeconds);
                return;
            }
            if (!budget)
                logLine(QStringLiteral("budget_status failed: %1; taking turns anyway").arg(budget.error().message));
            waitForMessage();
        });
}

void ServeSession::loadConfig(const protocol::Message &message, qint64 pending)
{
    // Read for every turn, so that a model override or a new deploy applies to the very next turn.
    const qint64 generation = m_generation;
    m_client->call<protocol::ConfigMethod>(
        protocol::ConfigParams{}, [this, generation, message, pending](const auto &config) {
            if (generation != m_generation)
                return;
            QString problem;
            if (!config) {
                problem = QStringLiteral("cannot read the config: %1").arg(config.error().message);
            } else {
                m_settings = ServeSettings::from(m_agent, m_kind, *config);
                if (auto written = writeTurnFiles(m_settings, m_paths); !written)
                    problem = written.error().message;
            }
            if (problem.isEmpty()) {
                beginTurn(message, pending);
                return;
            }
            logLine(QStringLiteral("%1; the message comes again in %2 s").arg(problem).arg(FirstBackoffSeconds));
            requeueThen([this, problem] {
                park(QString::fromLatin1(protocol::harnessstates::Idle), problem, FirstBackoffSeconds);
            });
        });
}

void ServeSession::waitForMessage()
{
    setState(QString::fromLatin1(protocol::harnessstates::Idle));
    const qint64 generation = m_generation;
    protocol::RecvParams recv;
    recv.waitSeconds = RecvWaitSeconds;
    recv.max = 1;
    m_waitingForMessage = true;
    m_client->call<protocol::RecvMethod>(recv, [this, generation](const auto &received) {
        if (generation != m_generation)
            return;
        m_waitingForMessage = false;
        if (m_stopping) {
            Q_EMIT finished(0); // a message leased just now stays in flight: the next start requeues it
            return;
        }
        if (!received) {
            logLine(QStringLiteral("recv failed: %1").arg(received.error().message));
            park(QString::fromLatin1(protocol::harnessstates::Idle), received.error().message, FirstBackoffSeconds);
            return;
        }
        if (received->messages.isEmpty()) {
            nextTurn(); // the long-poll ran out: check the budget and wait again
            return;
        }
        loadConfig(received->messages.constFirst(), received->pending);
    });
}

void ServeSession::beginTurn(const protocol::Message &message, qint64 pending)
{
    m_turn = std::make_unique<Turn>();
    m_turn->id = QStringLiteral("%1-%2")
                     .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddThhmmss")))
                     .arg(++m_turnCounter);
    m_turn->message = message;
    m_turn->pending = pending;
    m_turn->startedAt = QDateTime::currentDateTimeUtc();
    m_turn->clock.start();
    setState(QString::fromLatin1(protocol::harnessstates::Turn), {}, {});
    turnEvent(QString::fromLatin1(protocol::turneventkinds::Started),
              QJsonObject{{QStringLiteral("message"), message.id},
                          {QStringLiteral("from"), message.from},
                          {QStringLiteral("redelivered"), message.redelivered},
                          {QStringLiteral("pending"), pending},
                          {QStringLiteral("model"), m_settings.model}});
    runCli(turnInvocation(m_settings, m_paths, wakePrompt(message, pending)));
}

void ServeSession::runCli(const CliInvocation &invocation)
{
    m_turn->parser = std::make_unique<StreamParser>(QString::fromLatin1(HiveMcpServer));
    delete m_cli;
    m_cli = new CliProcess(this);
    connect(m_cli, &CliProcess::lineReceived, this, &ServeSession::onLine);
    connect(m_cli, &CliProcess::finished, this, &ServeSession::onCliFinished);
    m_cli->start(invocation);
}

void ServeSession::onLine(const QByteArray &line)
{
    if (!m_turn || !m_turn->parser)
        return;
    static const bool trace = qEnvironmentVariable("HIVE_HARNESS_TRACE") == QLatin1String("1");
    if (trace)
        logLine(QStringLiteral("cli: ") + QString::fromUtf8(line.left(2000)));
    const QList<StreamEvent> events = m_turn->parser->feed(line);
    if (m_turn->phase == Phase::Compact)
        return; // the compaction's own output is not the agent's turn
    for (const StreamEvent &event : events) {
        switch (event.kind) {
        case StreamEvent::Kind::Text:
            turnEvent(QString::fromLatin1(protocol::turneventkinds::Text),
                      QJsonObject{{QStringLiteral("text"), truncated(event.text)}});
            break;
        case StreamEvent::Kind::ToolCall:
            turnEvent(QString::fromLatin1(protocol::turneventkinds::ToolCall),
                      QJsonObject{{QStringLiteral("tool"), event.tool},
                                  {QStringLiteral("id"), event.toolUseId},
                                  {QStringLiteral("input"), foldedInput(event.input)}});
            break;
        case StreamEvent::Kind::ToolResult:
            turnEvent(QString::fromLatin1(protocol::turneventkinds::ToolResult),
                      QJsonObject{{QStringLiteral("tool"), event.tool},
                                  {QStringLiteral("id"), event.toolUseId},
                                  {QStringLiteral("is_error"), event.isError},
                                  {QStringLiteral("text"), truncated(event.text)}});
            break;
        }
    }
}

void ServeSession::onCliFinished(int exitCode, bool crashed, const QString &startError)
{
    Turn &turn = *m_turn;
    const StreamParser &parser = *turn.parser;
    for (auto it = parser.toolCalls().constBegin(); it != parser.toolCalls().constEnd(); ++it)
        turn.toolCalls[it.key()] += it.value();
    for (auto it = parser.sent().constBegin(); it != parser.sent().constEnd(); ++it)
        turn.sent[it.key()] += it.value();
    turn.tokens.input += parser.usage().input;
    turn.tokens.output += parser.usage().output;
    turn.tokens.cacheRead += parser.usage().cacheRead;
    turn.tokens.cacheCreation += parser.usage().cacheCreation;
    turn.costUsd += parser.costUsd();
    turn.permissionDenials += parser.permissionDenials();
    turn.receivedIds += parser.receivedIds();

    const TurnExit exit = parser.exit(m_cli->interrupted() && !m_stopping, m_cli->timedOut());
    QString detail = parser.result() ? parser.result()->text : QString();
    if (!startError.isEmpty())
        detail = QStringLiteral("cannot start the agent CLI %1: %2").arg(m_settings.cliPath, startError);
    else if (!parser.result())
        detail = QStringLiteral("the agent CLI exited (%1) without a result: %2")
                     .arg(crashed ? QStringLiteral("crashed") : QStringLiteral("code %1").arg(exitCode),
                          m_cli->stderrTail().right(1000));

    if (m_stopping) {
        logLine(QStringLiteral("turn %1 interrupted by shutdown").arg(turn.id));
        Q_EMIT finished(0);
        return;
    }
    if (!m_client || !m_client->isOpen()) {
        logLine(QStringLiteral("turn %1 ended while the engine was away; its message comes again").arg(turn.id));
        m_turn.reset();
        reconnectLater();
        return;
    }

    if (turn.phase == Phase::Compact) {
        if (exit != TurnExit::Ok) {
            logLine(QStringLiteral("compaction failed (%1): %2").arg(turnExitName(exit), detail));
            endTurn(TurnExit::PromptTooLong, detail);
            return;
        }
        logLine(QStringLiteral("compacted the conversation; retrying turn %1").arg(turn.id));
        turn.phase = Phase::Retry;
        turn.compacted = true;
        setState(QString::fromLatin1(protocol::harnessstates::Turn));
        runCli(turnInvocation(m_settings, m_paths, wakePrompt(turn.message, turn.pending)));
        return;
    }
    if (exit == TurnExit::PromptTooLong && turn.phase == Phase::Turn) {
        logLine(QStringLiteral("turn %1: the prompt is too long; compacting and retrying once").arg(turn.id));
        turn.phase = Phase::Compact;
        setState(QString::fromLatin1(protocol::harnessstates::Compacting),
                 QStringLiteral("compacting the conversation"));
        runCli(turnInvocation(m_settings, m_paths, QStringLiteral("/compact")));
        return;
    }
    endTurn(exit == TurnExit::Ok && turn.compacted ? TurnExit::CompactRetry : exit, detail);
}

void ServeSession::endTurn(TurnExit exit, const QString &detail)
{
    Turn &turn = *m_turn;
    turnEvent(QString::fromLatin1(protocol::turneventkinds::Ended),
              QJsonObject{{QStringLiteral("exit"), turnExitName(exit)},
                          {QStringLiteral("duration_ms"), turn.clock.elapsed()},
                          {QStringLiteral("detail"), truncated(detail)}});
    const qint64 generation = m_generation;
    const auto after = [this, exit, detail]() {
        switch (exit) {
        case TurnExit::Ok:
        case TurnExit::CompactRetry:
        case TurnExit::Cancelled:
        case TurnExit::MaxTurns:
            m_backoffSeconds = 0;
            m_toldOperatorLogin = false;
            maybeCompactNotes([this] { nextTurn(); });
            return;
        case TurnExit::RateLimited:
            requeueThen([this, detail] {
                park(QString::fromLatin1(protocol::harnessstates::RateLimited), detail,
                     m_settings.rateLimitRetrySeconds);
            });
            return;
        case TurnExit::AuthFailed:
            requeueThen([this, detail] {
                if (!m_toldOperatorLogin) {
                    m_toldOperatorLogin = true;
                    tellOperator(QStringLiteral("I cannot reach the model: %1. Log me in (the agent CLI's "
                                                "credentials in my /root/.claude) or set harness.api_key_file; "
                                                "I try again when my config changes or in ten minutes.")
                                     .arg(detail));
                }
                park(QString::fromLatin1(protocol::harnessstates::NeedsLogin), detail, NeedsLoginRetrySeconds);
            });
            return;
        case TurnExit::PromptTooLong:
        case TurnExit::ApiError:
        case TurnExit::Crash:
        case TurnExit::Timeout:
            m_backoffSeconds =
                m_backoffSeconds == 0 ? FirstBackoffSeconds : qMin(m_backoffSeconds * 2, MaxBackoffSeconds);
            logLine(QStringLiteral("turn failed (%1): %2; the message comes again in %3 s")
                        .arg(turnExitName(exit), detail)
                        .arg(m_backoffSeconds));
            requeueThen([this, exit, detail] {
                park(QString::fromLatin1(protocol::harnessstates::Idle),
                     QStringLiteral("retrying after %1: %2").arg(turnExitName(exit), detail), m_backoffSeconds);
            });
            return;
        }
    };
    const bool acked = exit == TurnExit::Ok || exit == TurnExit::CompactRetry || exit == TurnExit::Cancelled ||
                       exit == TurnExit::MaxTurns;
    if (!acked) {
        report(exit, after);
        return;
    }
    protocol::AckParams ack;
    ack.ids = {turn.message.id};
    for (const qint64 id : std::as_const(turn.receivedIds)) {
        if (!ack.ids.contains(id))
            ack.ids.append(id);
    }
    m_client->call<protocol::AckMethod>(ack, [this, generation, exit, after](const auto &acknowledged) {
        if (generation != m_generation)
            return;
        if (!acknowledged)
            logLine(QStringLiteral("ack failed: %1").arg(acknowledged.error().message));
        report(exit, after);
    });
}

void ServeSession::report(TurnExit exit, std::function<void()> next)
{
    const Turn &turn = *m_turn;
    protocol::TurnReportParams params;
    params.turn = turn.id;
    params.startedAt = turn.startedAt;
    params.durationMs = turn.clock.elapsed();
    params.exit = turnExitName(exit);
    params.model = m_settings.model.isEmpty() ? QStringLiteral("default") : m_settings.model;
    params.toolCalls = turn.toolCalls;
    params.sent = turn.sent;
    params.received = {{senderKind(turn.message.from), 1}};
    params.tokens.input = turn.tokens.input;
    params.tokens.output = turn.tokens.output;
    params.tokens.cacheRead = turn.tokens.cacheRead;
    params.tokens.cacheCreation = turn.tokens.cacheCreation;
    params.costUsd = turn.costUsd;
    params.permissionDenials = turn.permissionDenials;
    params.inboxDepth = turn.pending;
    params.notesBytes = fileSize(m_paths.notesPath());
    const qint64 generation = m_generation;
    m_client->call<protocol::TurnReportMethod>(
        params, [this, generation, next = std::move(next)](const auto &reported) {
            if (generation != m_generation)
                return;
            if (!reported)
                logLine(QStringLiteral("turn_report failed: %1").arg(reported.error().message));
            m_turn.reset();
            next();
        });
}

void ServeSession::maybeCompactNotes(std::function<void()> next)
{
    const qint64 before = fileSize(m_paths.notesPath());
    if (m_settings.notesCompactBytes <= 0 || before <= m_settings.notesCompactBytes) {
        next();
        return;
    }
    logLine(QStringLiteral("notes.md has %1 bytes (limit %2); compacting it")
                .arg(before)
                .arg(m_settings.notesCompactBytes));
    setState(QString::fromLatin1(protocol::harnessstates::Compacting),
             QStringLiteral("compacting notes.md (%1 bytes)").arg(before));
    auto *cli = new CliProcess(this);
    const QString turnId = QStringLiteral("notes-%1").arg(++m_turnCounter);
    auto parser = std::make_shared<StreamParser>(QString::fromLatin1(HiveMcpServer));
    connect(cli, &CliProcess::lineReceived, this, [parser](const QByteArray &line) { parser->feed(line); });
    connect(
        cli, &CliProcess::finished, this,
        [this, cli, parser, before, turnId, next = std::move(next)](int, bool, const QString &startError) {
            cli->deleteLater();
            const qint64 after = fileSize(m_paths.notesPath());
            const TurnExit exit = parser->exit(false, cli->timedOut());
            const QString outcome = !startError.isEmpty() ? startError
                                    : parser->result()    ? parser->result()->text
                                                          : cli->stderrTail().right(500);
            logLine(
                QStringLiteral("notes compaction %1: %2 -> %3 bytes").arg(turnExitName(exit)).arg(before).arg(after));
            // Reported as a turn of its own: what it cost, and the sizes before and after.
            m_turn = std::make_unique<Turn>();
            m_turn->id = turnId;
            turnEvent(QString::fromLatin1(protocol::turneventkinds::Ended),
                      QJsonObject{{QStringLiteral("exit"), turnExitName(exit)},
                                  {QStringLiteral("notes_compaction"), true},
                                  {QStringLiteral("notes_before"), before},
                                  {QStringLiteral("notes_after"), after},
                                  {QStringLiteral("detail"), truncated(outcome)}});
            m_turn.reset();
            if (m_stopping) {
                Q_EMIT finished(0);
                return;
            }
            next();
        });
    cli->start(notesInvocation(m_settings, m_paths, before));
}

// ---- parking ----------------------------------------------------------------------------------

void ServeSession::park(const QString &state, const QString &detail, int seconds)
{
    setState(state, detail, QDateTime::currentDateTimeUtc().addSecs(seconds));
    m_wake->disconnect();
    connect(m_wake, &QTimer::timeout, this, &ServeSession::nextTurn);
    m_wake->start(seconds * 1000);
}

void ServeSession::requeueThen(std::function<void()> next)
{
    const qint64 generation = m_generation;
    m_client->call<protocol::RequeueInflightMethod>(
        protocol::RequeueInflightParams{}, [this, generation, next = std::move(next)](const auto &requeued) {
            if (generation != m_generation)
                return;
            if (!requeued)
                logLine(QStringLiteral("requeue_inflight failed: %1").arg(requeued.error().message));
            else if (requeued->requeued > 0)
                logLine(QStringLiteral("requeued %1 unacknowledged message(s)").arg(requeued->requeued));
            next();
        });
}

void ServeSession::setState(const QString &state, const QString &detail, std::optional<QDateTime> until)
{
    if (!m_client || !m_client->isOpen())
        return;
    protocol::HarnessStateParams params;
    params.state = state;
    if (!detail.isEmpty())
        params.detail = detail.left(protocol::HarnessDetailMaxChars);
    params.until = std::move(until);
    if (state == QLatin1String(protocol::harnessstates::Turn) && m_turn)
        params.turn = m_turn->id;
    m_client->call<protocol::HarnessStateMethod>(params, [](const auto &set) {
        if (!set)
            logLine(QStringLiteral("harness_state failed: %1").arg(set.error().message));
    });
}

void ServeSession::turnEvent(const QString &kind, const QJsonObject &data)
{
    if (!m_client || !m_client->isOpen() || !m_turn)
        return;
    protocol::TurnEventParams params;
    params.turn = m_turn->id;
    params.kind = kind;
    params.data = data;
    m_client->call<protocol::TurnEventMethod>(params, [](const auto &sent) {
        if (!sent)
            logLine(QStringLiteral("turn_event failed: %1").arg(sent.error().message));
    });
}

void ServeSession::tellOperator(const QString &text)
{
    protocol::SendParams send;
    send.to = QStringLiteral("operator");
    send.body = text;
    m_client->call<protocol::SendMethod>(send, [](const auto &sent) {
        if (!sent)
            logLine(QStringLiteral("could not tell the operator: %1").arg(sent.error().message));
    });
}

} // namespace hive::harness
