// SPDX-License-Identifier: MIT
#pragma once

#include "api/callcontext.h"
#include "protocol/terminals.h"
#include "result.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <chrono>
#include <memory>

namespace hive::engine {

class AgentLifecycle;
class AuditLog;
class Clock;
class EventLog;
class PtyProcess;
struct PtyExit;

struct TerminalLimits {
    int perConnection = 8;
    int total = 64;
    std::chrono::milliseconds hangUpGrace{2000}; ///< after SIGHUP, then SIGKILL
    qint64 pauseAbove = 1024 * 1024;             ///< output queued for the client that stops reading the PTY
    qint64 resumeBelow = 256 * 1024;
};

/// Operators' terminals into agents' containers: a login shell as container root on a PTY the
/// engine holds, tied to the connection that opened it. Output goes to that connection (binary
/// frames on WebSockets, terminal.output notifications on the admin socket) with flow control:
/// the PTY is not read while the client is behind. The connection closing hangs its terminals
/// up; a shell that ends closes its terminal with terminal.closed and its exit status. Each
/// session is audited twice: terminal_open by the dispatcher, and its end here (who, when, how
/// long, how it ended, bytes each way); terminal_opened/terminal_closed events tell subscribers.
class TerminalSessions : public QObject
{
    Q_OBJECT
public:
    TerminalSessions(AgentLifecycle &lifecycle, AuditLog &audit, EventLog &events, const Clock &clock,
                     TerminalLimits limits = {}, QObject *parent = nullptr);
    /// Ends every terminal (reason engine_stopping).
    ~TerminalSessions() override;

    [[nodiscard]] Result<protocol::TerminalOpenResult> open(const protocol::TerminalOpenParams &params,
                                                            const CallContext &context);
    [[nodiscard]] Result<protocol::TerminalInputResult> input(const protocol::TerminalInputParams &params,
                                                              const CallContext &context);
    [[nodiscard]] Result<protocol::TerminalRef> resize(const protocol::TerminalResizeParams &params,
                                                       const CallContext &context);
    [[nodiscard]] Result<protocol::TerminalRef> close(const protocol::TerminalCloseParams &params,
                                                      const CallContext &context);
    /// A binary frame from an authenticated connection: terminal input. Bad frames are answered
    /// with an error notification; the connection stays open.
    void handleBinaryFrame(Connection &connection, const QByteArray &frame);

    [[nodiscard]] qsizetype count() const { return m_sessions.size(); }
    /// Output bytes of a live terminal handed to its connection so far (0 for an unknown id).
    [[nodiscard]] qint64 bytesSent(quint32 terminal) const;
    /// Ends every terminal now, e.g. when the engine stops.
    void closeAll(const QString &reason);

private:
    struct Session {
        quint32 id = 0;
        QString agent;
        QPointer<Connection> connection;
        QString actor;
        QString role;
        QDateTime openedAt;
        QElapsedTimer open; ///< how long: monotonic, whatever the wall clock does
        std::unique_ptr<PtyProcess> process;
        QString endReason; ///< set when the engine ends it (close, engine stopping)
        qint64 bytesIn = 0;
        qint64 bytesOut = 0;
        bool paused = false;
    };

    Result<Session *> owned(qint64 terminal, const CallContext &context);
    Result<qint64> write(Session &session, const QByteArray &data);
    void forward(Session &session, const QByteArray &data);
    void updateFlow(Connection *connection);
    void finished(quint32 id, const PtyExit &exit);
    void hangUpConnection(Connection *connection);
    quint32 nextId();

    AgentLifecycle &m_lifecycle;
    AuditLog &m_audit;
    EventLog &m_events;
    const Clock &m_clock;
    TerminalLimits m_limits;
    QHash<quint32, Session *> m_sessions; ///< owned: deleted in finished()
    QSet<Connection *> m_watched;         ///< connections whose closed() and bytesWritten() are connected
    quint32 m_lastId = 0;
};

} // namespace hive::engine
