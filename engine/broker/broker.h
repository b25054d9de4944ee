// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/agents.h"
#include "protocol/messages.h"
#include "result.h"
#include "store/database.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>
#include <list>

class QTimer;

namespace hive::engine {

class AgentRegistry;
class Clock;

struct BrokerOptions {
    qsizetype maxBodyBytes = 64 * 1024;
    int maxWaitSeconds = 180;
};

/// The durable message broker. A send is committed before it is acknowledged; delivery is a
/// lease (queued -> delivered -> acked) so that a harness that dies mid-turn gets its messages
/// again, flagged redelivered. recv either peeks or parks until a message arrives or the wait
/// ends; a send wakes the recipient's oldest parked recv at once.
class Broker : public QObject
{
    Q_OBJECT
public:
    using RecvReply = std::function<void(const Result<protocol::RecvResult> &)>;

    Broker(Database &db, AgentRegistry &agents, const Clock &clock, BrokerOptions options = {},
           QObject *parent = nullptr);
    ~Broker() override;

    /// `from` is an agent name, "operator" or "system" (the caller's identity, never a claim).
    /// Commits, then publishes: the reply means every copy is on disk.
    [[nodiscard]] Result<protocol::SendResult> send(const QString &from, const protocol::SendParams &params);

    /// The parts of send() for callers that write more in the same transaction: enqueue()
    /// checks and writes the copies inside the caller's open Transaction; after the commit the
    /// caller hands them to publish() (events and wake-ups). Nothing is published on a rollback.
    [[nodiscard]] Result<QList<protocol::Message>> enqueue(const QString &from, const protocol::SendParams &params);
    /// A system event for one agent: a message from "system" whose body is the compact JSON of
    /// `event` ({event: NAME, ...}). Inside the caller's transaction, like enqueue().
    [[nodiscard]] Result<QList<protocol::Message>> enqueueEvent(const QString &agent, const QJsonObject &event);
    void publish(const QList<protocol::Message> &messages);
    /// Sends a system event at once (its own transaction); failures are logged, not returned,
    /// for notices whose loss must not undo the change they describe.
    void notify(const QString &agent, const QJsonObject &event);

    /// The sender's allow-list: Forbidden with the allowed list unless `from` may reach `to`.
    [[nodiscard]] Result<void> checkAllowed(const QString &from, const QString &to);

    /// Replies now (peek, or messages already queued) or later (a parked wait). The wait is
    /// dropped without a reply when `owner` is destroyed (its client went away).
    void recv(const QString &agent, const protocol::RecvParams &params, QObject *owner, RecvReply reply);

    [[nodiscard]] Result<protocol::AckResult> ack(const QString &agent, const QList<qint64> &ids);
    /// Puts every delivered-but-unacked message of the agent back in its queue, flagged redelivered.
    [[nodiscard]] Result<protocol::RequeueInflightResult> requeueInflight(const QString &agent);
    [[nodiscard]] Result<protocol::StatusResult> status(const QString &agent);
    /// The agent's latest messages, sent or received, newest first.
    [[nodiscard]] Result<protocol::RecentResult> recent(const QString &agent, int limit);
    /// Deletes acked messages older than `age`; returns how many.
    [[nodiscard]] Result<qint64> vacuum(std::chrono::seconds age);
    /// A page of messages, newest first: those to "operator" when `agent` is absent, else
    /// everything the agent sent or received; only ids below `beforeId` when given.
    [[nodiscard]] Result<protocol::MessageListResult> list(const std::optional<QString> &agent, int limit,
                                                           std::optional<qint64> beforeId);

    [[nodiscard]] qsizetype parkedCount() const;

Q_SIGNALS:
    void messageSent(const hive::protocol::Message &message);
    /// Leased to the agent by a recv.
    void messagesDelivered(const QString &agent, const QList<qint64> &ids);
    void messagesAcked(const QString &agent, const QList<qint64> &ids);
    /// Leased earlier, back in the queue flagged redelivered.
    void messagesRequeued(const QString &agent, const QList<qint64> &ids);

private:
    struct Waiter {
        QString agent;
        int max;
        bool hasOwner;
        QPointer<QObject> owner;
        RecvReply reply;
        QTimer *timer;
        QMetaObject::Connection ownerGone;
    };

    Result<protocol::RecvResult> deliver(const QString &agent, int max);
    Result<void> checkRecipient(const QString &from, const QString &to);
    Result<QList<qint64>> updateReturningIds(const QString &sql, const Bindings &bindings);
    void wake(const QString &agent);
    void finishWaiter(std::list<Waiter>::iterator waiter, const Result<protocol::RecvResult> &result);

    Database &m_db;
    AgentRegistry &m_agents;
    const Clock &m_clock;
    BrokerOptions m_options;
    std::list<Waiter> m_waiters; ///< oldest first; std::list keeps iterators valid
};

} // namespace hive::engine
