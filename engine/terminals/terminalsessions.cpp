// SPDX-License-Identifier: MIT
#include "terminalsessions.h"

#include "api/connection.h"
#include "clock.h"
#include "containers/agentlifecycle.h"
#include "jsonreader.h"
#include "jsonrpc.h"
#include "ptyprocess.h"
#include "store/auditlog.h"
#include "store/eventlog.h"

#include <QLoggingCategory>

#include <csignal>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcTerminals, "hive.terminals")

/// What a shell inside starts with: nothing of the engine's own environment leaks in.
QStringList shellEnvironment()
{
    return {QStringLiteral("TERM=xterm-256color"),
            QStringLiteral("HOME=/root"),
            QStringLiteral("USER=root"),
            QStringLiteral("LOGNAME=root"),
            QStringLiteral("SHELL=/bin/bash"),
            QStringLiteral("LANG=C.UTF-8"),
            QStringLiteral("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")};
}

Error notFound(qint64 terminal)
{
    return Error{ErrorCode::NotFound, QStringLiteral("no terminal %1 on this connection").arg(terminal), {}};
}

} // namespace

TerminalSessions::TerminalSessions(AgentLifecycle &lifecycle, AuditLog &audit, EventLog &events, const Clock &clock,
                                   TerminalLimits limits, QObject *parent)
    : QObject(parent), m_lifecycle(lifecycle), m_audit(audit), m_events(events), m_clock(clock), m_limits(limits)
{}

TerminalSessions::~TerminalSessions()
{
    closeAll(QString::fromLatin1(protocol::terminalendings::EngineStopping));
}

quint32 TerminalSessions::nextId()
{
    // Ids are not reused while the engine runs (2^32 terminals away), and never 0.
    do {
        ++m_lastId;
    } while (m_lastId == 0 || m_sessions.contains(m_lastId));
    return m_lastId;
}

Result<protocol::TerminalOpenResult> TerminalSessions::open(const protocol::TerminalOpenParams &params,
                                                            const CallContext &context)
{
    Connection *connection = context.connection;
    if (!connection || connection->isClosing())
        return fail(ErrorCode::Unavailable, QStringLiteral("the connection is closing"));
    if (m_sessions.size() >= m_limits.total) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the engine has %1 terminals open, its limit: close one first").arg(m_limits.total));
    }
    const auto mine = std::count_if(m_sessions.cbegin(), m_sessions.cend(),
                                    [connection](const Session *s) { return s->connection == connection; });
    if (mine >= m_limits.perConnection) {
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("this connection has %1 terminals open, the limit per connection: close one first")
                        .arg(m_limits.perConnection));
    }
    auto command = m_lifecycle.shellCommand(params.agent);
    if (!command)
        return fail(command.error());
    auto process = PtyProcess::start(PtyCommand{*command, shellEnvironment(), params.cols, params.rows});
    if (!process) {
        return fail(process.error().code,
                    QStringLiteral("cannot open a terminal into '%1': %2").arg(params.agent, process.error().message));
    }

    auto *session = new Session;
    session->id = nextId();
    session->agent = params.agent;
    session->connection = connection;
    session->actor = context.actor();
    session->role = context.session ? roleName(context.session->role) : QString();
    session->openedAt = m_clock.now();
    session->open.start();
    session->process = std::move(*process);
    m_sessions.insert(session->id, session);

    const quint32 id = session->id;
    connect(session->process.get(), &PtyProcess::output, this, [this, id](const QByteArray &data) {
        if (Session *s = m_sessions.value(id))
            forward(*s, data);
    });
    connect(session->process.get(), &PtyProcess::finished, this,
            [this, id](const PtyExit &exit) { finished(id, exit); });
    if (!m_watched.contains(connection)) {
        // Once per connection: its end hangs its terminals up; its drained output resumes them.
        m_watched.insert(connection);
        connect(connection, &Connection::closed, this, [this, connection] {
            m_watched.remove(connection);
            hangUpConnection(connection);
        });
        connect(connection, &Connection::bytesWritten, this, [this, connection] { updateFlow(connection); });
    }

    qCInfo(lcTerminals).noquote() << "terminal" << id << "into" << params.agent << "opened by" << session->actor
                                  << "pid" << session->process->pid();
    (void)m_events.publish(QStringLiteral("terminal_opened"), QJsonObject{{QStringLiteral("terminal"), qint64(id)},
                                                                          {QStringLiteral("agent"), params.agent},
                                                                          {QStringLiteral("by"), session->actor}});
    return protocol::TerminalOpenResult{id, params.agent, params.cols, params.rows,
                                        QString::fromLatin1(connection->carriesBinary()
                                                                ? protocol::terminaltransports::Binary
                                                                : protocol::terminaltransports::Json)};
}

Result<TerminalSessions::Session *> TerminalSessions::owned(qint64 terminal, const CallContext &context)
{
    Session *session = terminal > 0 && terminal <= std::numeric_limits<quint32>::max()
                           ? m_sessions.value(static_cast<quint32>(terminal))
                           : nullptr;
    // Another connection's terminal does not exist as far as this one can tell.
    if (!session || !context.connection || session->connection != context.connection)
        return fail(notFound(terminal));
    if (!session->endReason.isEmpty())
        return fail(ErrorCode::Unavailable, QStringLiteral("terminal %1 is closing").arg(terminal));
    return session;
}

Result<qint64> TerminalSessions::write(Session &session, const QByteArray &data)
{
    if (auto written = session.process->write(data); !written)
        return fail(written.error().code,
                    QStringLiteral("terminal %1: %2").arg(session.id).arg(written.error().message));
    session.bytesIn += data.size();
    return data.size();
}

Result<protocol::TerminalInputResult> TerminalSessions::input(const protocol::TerminalInputParams &params,
                                                              const CallContext &context)
{
    auto session = owned(params.terminal, context);
    if (!session)
        return fail(session.error());
    auto written = write(**session, params.data);
    if (!written)
        return fail(written.error());
    return protocol::TerminalInputResult{*written};
}

Result<protocol::TerminalRef> TerminalSessions::resize(const protocol::TerminalResizeParams &params,
                                                       const CallContext &context)
{
    auto session = owned(params.terminal, context);
    if (!session)
        return fail(session.error());
    if (auto resized = (*session)->process->resize(params.cols, params.rows); !resized)
        return fail(resized.error());
    return protocol::TerminalRef{params.terminal};
}

Result<protocol::TerminalRef> TerminalSessions::close(const protocol::TerminalCloseParams &params,
                                                      const CallContext &context)
{
    auto session = owned(params.terminal, context);
    if (!session)
        return fail(session.error());
    (*session)->endReason = QString::fromLatin1(protocol::terminalendings::Closed);
    (*session)->process->hangUp(m_limits.hangUpGrace);
    return protocol::TerminalRef{params.terminal};
}

qint64 TerminalSessions::bytesSent(quint32 terminal) const
{
    const Session *session = m_sessions.value(terminal);
    return session ? session->bytesOut : 0;
}

void TerminalSessions::handleBinaryFrame(Connection &connection, const QByteArray &frame)
{
    auto decoded = protocol::TerminalFrame::decode(frame);
    Result<qint64> written = decoded ? Result<qint64>(0) : Result<qint64>(fail(decoded.error()));
    if (decoded && decoded->kind != protocol::TerminalFrame::Kind::Input) {
        written = fail(ErrorCode::InvalidRequest,
                       QStringLiteral("binary frame of kind 1 (terminal output) goes from the engine to clients; "
                                      "input is kind 2"));
    } else if (decoded && decoded->data.size() > protocol::TerminalMaxInputBytes) {
        written = fail(ErrorCode::TooLarge, QStringLiteral("terminal input frame of %1 bytes is over the limit of %2")
                                                .arg(decoded->data.size())
                                                .arg(protocol::TerminalMaxInputBytes));
    } else if (decoded) {
        CallContext context{&connection, connection.session(), QStringLiteral("terminal input")};
        auto session = owned(decoded->terminal, context);
        written = session ? write(**session, decoded->data) : Result<qint64>(fail(session.error()));
    }
    if (!written) {
        // Input has no request id to answer: the error comes as a response with a null id.
        connection.send(rpc::Codec::encodeError(QJsonValue(QJsonValue::Null), written.error()));
    }
}

void TerminalSessions::forward(Session &session, const QByteArray &data)
{
    Connection *connection = session.connection;
    if (!connection || connection->isClosing())
        return;
    session.bytesOut += data.size();
    if (connection->carriesBinary()) {
        connection->sendBinary(
            protocol::TerminalFrame{protocol::TerminalFrame::Kind::Output, session.id, data}.encode());
    } else {
        connection->send(rpc::Codec::encodeNotification(QString::fromLatin1(protocol::TerminalOutputNotification),
                                                        protocol::TerminalOutput{session.id, data}.toJson()));
    }
    if (!session.paused && connection->pendingBytes() > m_limits.pauseAbove) {
        session.paused = true;
        session.process->setReadingPaused(true);
    }
}

void TerminalSessions::updateFlow(Connection *connection)
{
    if (connection->pendingBytes() > m_limits.resumeBelow)
        return;
    for (Session *session : std::as_const(m_sessions)) {
        if (session->paused && session->connection == connection) {
            session->paused = false;
            session->process->setReadingPaused(false);
        }
    }
}

void TerminalSessions::finished(quint32 id, const PtyExit &exit)
{
    Session *session = m_sessions.take(id);
    if (!session)
        return;
    const std::unique_ptr<Session> owner(session);
    const QString reason =
        session->endReason.isEmpty() ? QString::fromLatin1(protocol::terminalendings::Exited) : session->endReason;
    const qint64 durationMs = session->open.elapsed();
    const protocol::TerminalClosed closed{id, session->agent, reason, exit.exitCode, exit.signal, durationMs};
    if (Connection *connection = session->connection; connection && !connection->isClosing()) {
        connection->send(
            rpc::Codec::encodeNotification(QString::fromLatin1(protocol::TerminalClosedNotification), closed.toJson()));
    }
    qCInfo(lcTerminals).noquote() << "terminal" << id << "into" << session->agent << "of" << session->actor
                                  << "ended:" << reason << "after" << durationMs << "ms";

    QJsonObject record = closed.toJson();
    record.insert(QStringLiteral("opened_at"), toWireTime(session->openedAt));
    record.insert(QStringLiteral("bytes_in"), session->bytesIn);
    record.insert(QStringLiteral("bytes_out"), session->bytesOut);
    if (auto audited = m_audit.append(AuditLog::Call{session->actor, session->role, QStringLiteral("terminal_session"),
                                                     record, QStringLiteral("ok"), reason});
        !audited) {
        qCWarning(lcTerminals).noquote() << "cannot audit the end of terminal" << id << ":" << audited.error().message;
    }
    record.insert(QStringLiteral("by"), session->actor);
    (void)m_events.publish(QStringLiteral("terminal_closed"), record);
    // The process object is inside the emit that brought us here: delete it later.
    if (session->process)
        session->process.release()->deleteLater();
}

void TerminalSessions::hangUpConnection(Connection *connection)
{
    for (Session *session : std::as_const(m_sessions)) {
        if (session->connection == connection && session->endReason.isEmpty()) {
            session->endReason = QString::fromLatin1(protocol::terminalendings::ConnectionClosed);
            session->process->hangUp(m_limits.hangUpGrace);
        }
    }
}

void TerminalSessions::closeAll(const QString &reason)
{
    const QList<quint32> ids = m_sessions.keys();
    for (quint32 id : ids) {
        Session *session = m_sessions.value(id);
        if (!session)
            continue;
        session->endReason = reason;
        // Killed and reaped at once (the destructor does it): no grace when the engine goes away.
        session->process->disconnect(this);
        session->process.reset();
        finished(id, PtyExit{std::nullopt, SIGKILL});
    }
}

} // namespace hive::engine
