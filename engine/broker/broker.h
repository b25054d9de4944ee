// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/agents.h"
#include "protocol/messages.h"
#include "result.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>
#include <list>

class QTimer;

namespace hive::engine {

class AgentRegistry;
class Clock;
class Database;

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
    [[nodiscard]] Result<protocol::SendResult> send(const QString &from, const protocol::SendParams &params);

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
    void wake(const QString &agent);
    void finishWaiter(std::list<Waiter>::iterator waiter, const Result<protocol::RecvResult> &result);

    Database &m_db;
    AgentRegistry &m_agents;
    const Clock &m_clock;
    BrokerOptions m_options;
    std::list<Waiter> m_waiters; ///< oldest first; std::list keeps iterators valid
};

} // namespace hive::engine
