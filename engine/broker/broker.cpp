// SPDX-License-Identifier: MIT
#include "broker.h"

#include "agentregistry.h"
#include "clock.h"
#include "store/database.h"
#include "store/row.h"
#include "store/transaction.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimer>

namespace hive::engine {

namespace {

Q_LOGGING_CATEGORY(lcBroker, "hive.broker")

const QString Operator = QStringLiteral("operator");
const QString System = QStringLiteral("system");
const QString Everyone = QStringLiteral("*");
const QString MessageColumns =
    QStringLiteral("id, sender, recipient, body, sent_at, in_reply_to, broadcast, redelivered");

Result<protocol::Message> readMessage(Row &row)
{
    protocol::Message message;
    message.id = row.integer("id");
    message.from = row.text("sender");
    message.to = row.text("recipient");
    message.body = row.text("body");
    message.sentAt = row.time("sent_at");
    if (auto reply = row.optionalText("in_reply_to"))
        message.inReplyTo = reply->toLongLong();
    message.broadcast = row.integer("broadcast") != 0;
    message.redelivered = row.integer("redelivered") != 0;
    if (auto status = row.status(); !status)
        return fail(status.error().wrapped(QStringLiteral("reading message")));
    return message;
}

/// ":id0, :id1, ..." with the bindings for an IN list.
QString inList(const QList<qint64> &ids, Bindings &bindings)
{
    QStringList names;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        names << QStringLiteral(":id%1").arg(i);
        bindings.emplace_back(names.last(), ids.at(i));
    }
    return names.join(QStringLiteral(", "));
}

} // namespace

Broker::Broker(Database &db, AgentRegistry &agents, const Clock &clock, BrokerOptions options, QObject *parent)
    : QObject(parent), m_db(db), m_agents(agents), m_clock(clock), m_options(options)
{}

Broker::~Broker()
{
    // Parked waits end without a reply: their clients are going away with the engine.
    for (Waiter &waiter : m_waiters)
        QObject::disconnect(waiter.ownerGone);
}

qsizetype Broker::parkedCount() const
{
    return static_cast<qsizetype>(m_waiters.size());
}

Result<void> Broker::checkRecipient(const QString &from, const QString &to)
{
    if (to == System)
        return fail(ErrorCode::InvalidParams, QStringLiteral("'system' is reserved for engine events"));
    if (to == from) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("invalid field 'to': an agent cannot send to itself; use remind for a note to "
                                   "your future self"));
    }
    if (to != Operator && to != Everyone) {
        auto agent = m_agents.find(to);
        if (!agent)
            return fail(agent.error());
        if (!*agent) {
            return fail(ErrorCode::NotFound,
                        QStringLiteral("unknown recipient '%1': send to an agent's name, 'operator', 'manager' or '*'")
                            .arg(to));
        }
    }
    return checkAllowed(from, to);
}

Result<void> Broker::checkAllowed(const QString &from, const QString &to)
{
    if (from == Operator || from == System || from == QLatin1String(AgentRegistry::ManagerName))
        return {};
    auto sender = m_agents.find(from);
    if (!sender)
        return fail(sender.error());
    if (!*sender)
        return fail(ErrorCode::NotFound, QStringLiteral("unknown sender '%1'").arg(from));
    const QStringList &allowed = (*sender)->allowedRecipients;
    // "*" in the list is anyone, as an empty list (and the broadcast with it).
    if (allowed.isEmpty() || allowed.contains(to) || allowed.contains(Everyone) ||
        to == QLatin1String(AgentRegistry::ManagerName))
        return {};
    QStringList shown = allowed;
    if (!shown.contains(QLatin1String(AgentRegistry::ManagerName)))
        shown.prepend(QString::fromLatin1(AgentRegistry::ManagerName));
    return fail(
        ErrorCode::Forbidden,
        QStringLiteral("'%1' may only send to: %2 (allowed_recipients)").arg(from, shown.join(QStringLiteral(", "))),
        QJsonObject{{QStringLiteral("allowed_recipients"), QJsonArray::fromStringList(shown)}});
}

Result<protocol::SendResult> Broker::send(const QString &from, const protocol::SendParams &params)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());
    auto sent = enqueue(from, params);
    if (!sent)
        return fail(sent.error());
    // The sender hears "ok" only once every copy is on disk.
    if (auto committed = tx.commit(); !committed)
        return fail(committed.error());
    publish(*sent);
    return protocol::SendResult{sent->first().id, sent->size()};
}

Result<QList<protocol::Message>> Broker::enqueue(const QString &from, const protocol::SendParams &params)
{
    if (params.body.isEmpty())
        return fail(ErrorCode::InvalidParams, QStringLiteral("invalid field 'body': must not be empty"));
    // The cap is for what agents and the operator write; the engine's own notices are bounded
    // by the caps of what they quote (questions, answers, reminders).
    const QByteArray utf8 = from == System ? QByteArray() : params.body.toUtf8();
    if (utf8.size() > m_options.maxBodyBytes) {
        return fail(ErrorCode::TooLarge, QStringLiteral("body of %1 bytes exceeds the limit of %2 bytes")
                                             .arg(utf8.size())
                                             .arg(m_options.maxBodyBytes));
    }
    if (auto allowed = checkRecipient(from, params.to); !allowed)
        return fail(allowed.error());

    QStringList recipients;
    if (params.to == Everyone) {
        auto agents = m_agents.list();
        if (!agents)
            return fail(agents.error());
        for (const AgentRecord &agent : std::as_const(*agents)) {
            if (agent.name != from)
                recipients << agent.name;
        }
        if (recipients.isEmpty())
            return fail(ErrorCode::NotFound, QStringLiteral("there is no other agent to broadcast to"));
    } else {
        recipients << params.to;
    }

    if (params.inReplyTo) {
        auto exists = m_db.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE id = :id"),
                                  {{QStringLiteral(":id"), *params.inReplyTo}});
        if (!exists)
            return fail(exists.error());
        if (*exists == 0) {
            return fail(ErrorCode::NotFound,
                        QStringLiteral("invalid field 'in_reply_to': no message %1").arg(*params.inReplyTo));
        }
    }
    const QDateTime now = m_clock.now();
    QList<protocol::Message> sent;
    for (const QString &recipient : std::as_const(recipients)) {
        auto inserted =
            m_db.write(QStringLiteral("INSERT INTO messages (sender, recipient, body, sent_at, in_reply_to, broadcast) "
                                      "VALUES (:from, :to, :body, :now, :reply, :broadcast)"),
                       {{QStringLiteral(":from"), from},
                        {QStringLiteral(":to"), recipient},
                        {QStringLiteral(":body"), params.body},
                        {QStringLiteral(":now"), toDbTime(now)},
                        {QStringLiteral(":reply"), params.inReplyTo ? QVariant(*params.inReplyTo) : QVariant()},
                        {QStringLiteral(":broadcast"), params.to == Everyone ? 1 : 0}});
        if (!inserted)
            return fail(inserted.error().wrapped(QStringLiteral("storing the message")));
        sent.append(protocol::Message{inserted->lastInsertId.toLongLong(), from, recipient, params.body, now,
                                      params.inReplyTo, params.to == Everyone, false});
    }
    return sent;
}

Result<QList<protocol::Message>> Broker::enqueueEvent(const QString &agent, const QJsonObject &event)
{
    if (agent == Operator || agent == Everyone || agent == System) {
        return fail(ErrorCode::Internal, QStringLiteral("system events go to one agent, not to '%1'").arg(agent));
    }
    return enqueue(System,
                   protocol::SendParams{agent, QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact)),
                                        std::nullopt});
}

void Broker::publish(const QList<protocol::Message> &messages)
{
    for (const protocol::Message &message : messages) {
        Q_EMIT messageSent(message);
        wake(message.to);
    }
}

void Broker::notify(const QString &agent, const QJsonObject &event)
{
    Transaction tx(m_db);
    auto sent = tx.isActive() ? enqueueEvent(agent, event) : Result<QList<protocol::Message>>(fail(tx.beginError()));
    if (sent) {
        if (auto committed = tx.commit(); !committed)
            sent = fail(committed.error());
    }
    if (!sent) {
        qCWarning(lcBroker).noquote() << "cannot tell" << agent << "about"
                                      << event.value(QLatin1String("event")).toString() << ":" << sent.error().message;
        return;
    }
    publish(*sent);
}

Result<QList<qint64>> Broker::updateReturningIds(const QString &sql, const Bindings &bindings)
{
    QList<qint64> ids;
    auto updated = m_db.select(sql + QStringLiteral(" RETURNING id"), bindings, [&](const QSqlQuery &row) {
        ids << row.value(0).toLongLong();
        return Result<void>();
    });
    if (!updated)
        return fail(updated.error());
    std::sort(ids.begin(), ids.end());
    return ids;
}

Result<protocol::RecvResult> Broker::deliver(const QString &agent, int max)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());
    protocol::RecvResult result;
    QList<qint64> ids;
    if (max > 0) {
        static const QString select =
            QStringLiteral(
                "SELECT %1 FROM messages WHERE recipient = :agent AND state = 'queued' ORDER BY id LIMIT :max")
                .arg(MessageColumns);
        auto read = m_db.select(select, {{QStringLiteral(":agent"), agent}, {QStringLiteral(":max"), max}},
                                [&](const QSqlQuery &query) -> Result<void> {
                                    Row row(query);
                                    auto message = readMessage(row);
                                    if (!message)
                                        return fail(message.error());
                                    ids << message->id;
                                    result.messages.append(std::move(*message));
                                    return {};
                                });
        if (!read)
            return fail(read.error());
    }
    if (!ids.isEmpty()) {
        Bindings bindings{{QStringLiteral(":now"), toDbTime(m_clock.now())}};
        const QString list = inList(ids, bindings);
        auto leased = m_db.write(
            QStringLiteral("UPDATE messages SET state = 'delivered', delivered_at = :now WHERE id IN (%1)").arg(list),
            bindings);
        if (!leased)
            return fail(leased.error());
    }
    auto pending = m_db.scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE recipient = :agent AND state = "
                                              "'queued'"),
                               {{QStringLiteral(":agent"), agent}});
    if (!pending)
        return fail(pending.error());
    result.pending = *pending;
    if (auto committed = tx.commit(); !committed)
        return fail(committed.error());
    if (!ids.isEmpty())
        Q_EMIT messagesDelivered(agent, ids);
    return result;
}

void Broker::recv(const QString &agent, const protocol::RecvParams &params, QObject *owner, RecvReply reply)
{
    auto delivered = deliver(agent, params.max);
    const double wait = std::min<double>(params.waitSeconds.value_or(0), m_options.maxWaitSeconds);
    if (!delivered || !delivered->messages.isEmpty() || wait <= 0) {
        reply(delivered);
        return;
    }
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    m_waiters.push_back(Waiter{agent, params.max, owner != nullptr, owner, std::move(reply), timer, {}});
    const auto waiter = std::prev(m_waiters.end());
    connect(timer, &QTimer::timeout, this, [this, waiter] {
        // Nothing arrived: an empty answer, with the current pending count.
        auto empty = deliver(waiter->agent, 0);
        finishWaiter(waiter, empty);
    });
    if (owner) {
        // The client went away: forget the wait; nothing gets leased to nobody.
        waiter->ownerGone = connect(owner, &QObject::destroyed, this, [this, waiter] {
            waiter->timer->stop();
            waiter->timer->deleteLater();
            m_waiters.erase(waiter);
        });
    }
    timer->start(std::chrono::milliseconds(qRound64(wait * 1000)));
}

void Broker::finishWaiter(std::list<Waiter>::iterator waiter, const Result<protocol::RecvResult> &result)
{
    RecvReply reply = std::move(waiter->reply);
    const bool ownerAlive = !waiter->hasOwner || !waiter->owner.isNull();
    QObject::disconnect(waiter->ownerGone);
    // deleteLater: this may run inside the timer's own timeout signal.
    waiter->timer->stop();
    waiter->timer->disconnect(this);
    waiter->timer->deleteLater();
    m_waiters.erase(waiter);
    if (ownerAlive)
        reply(result);
}

void Broker::wake(const QString &agent)
{
    for (auto waiter = m_waiters.begin(); waiter != m_waiters.end(); ++waiter) {
        if (waiter->agent != agent)
            continue;
        auto delivered = deliver(agent, waiter->max);
        if (delivered && delivered->messages.isEmpty())
            return; // someone else took them already
        finishWaiter(waiter, delivered);
        return;
    }
}

Result<protocol::AckResult> Broker::ack(const QString &agent, const QList<qint64> &ids)
{
    if (ids.isEmpty())
        return protocol::AckResult{0};
    Bindings bindings{{QStringLiteral(":agent"), agent}, {QStringLiteral(":now"), toDbTime(m_clock.now())}};
    const QString list = inList(ids, bindings);
    // Only this agent's leased messages: an agent cannot ack someone else's mail.
    auto acked = updateReturningIds(QStringLiteral("UPDATE messages SET state = 'acked', acked_at = :now "
                                                   "WHERE recipient = :agent AND state = 'delivered' AND id IN (%1)")
                                        .arg(list),
                                    bindings);
    if (!acked)
        return fail(acked.error());
    if (!acked->isEmpty())
        Q_EMIT messagesAcked(agent, *acked);
    return protocol::AckResult{acked->size()};
}

Result<protocol::RequeueInflightResult> Broker::requeueInflight(const QString &agent)
{
    auto requeued = updateReturningIds(QStringLiteral("UPDATE messages SET state = 'queued', redelivered = 1, "
                                                      "delivered_at = NULL WHERE recipient = :agent AND state = "
                                                      "'delivered'"),
                                       {{QStringLiteral(":agent"), agent}});
    if (!requeued)
        return fail(requeued.error());
    const qint64 count = requeued->size();
    if (count > 0) {
        qCInfo(lcBroker).noquote() << "requeued" << count << "unacknowledged message(s) for" << agent;
        Q_EMIT messagesRequeued(agent, *requeued);
        wake(agent);
    }
    return protocol::RequeueInflightResult{count};
}

Result<protocol::StatusResult> Broker::status(const QString &agent)
{
    auto query = m_db.exec(QStringLiteral("SELECT COALESCE(SUM(state = 'queued'), 0) AS unread, "
                                          "COALESCE(SUM(state = 'delivered'), 0) AS inflight "
                                          "FROM messages WHERE recipient = :agent"),
                           {{QStringLiteral(":agent"), agent}});
    if (!query)
        return fail(query.error());
    if (!query->next())
        return fail(ErrorCode::Io, QStringLiteral("status query returned no row"));
    Row row(*query);
    protocol::StatusResult result{row.integer("unread"), row.integer("inflight")};
    if (auto status = row.status(); !status)
        return fail(status.error());
    return result;
}

Result<protocol::RecentResult> Broker::recent(const QString &agent, int limit)
{
    auto query = m_db.exec(QStringLiteral("SELECT %1 FROM messages WHERE sender = :agent OR recipient = :agent "
                                          "ORDER BY id DESC LIMIT :limit")
                               .arg(MessageColumns),
                           {{QStringLiteral(":agent"), agent}, {QStringLiteral(":limit"), limit}});
    if (!query)
        return fail(query.error());
    protocol::RecentResult result;
    while (query->next()) {
        Row row(*query);
        auto message = readMessage(row);
        if (!message)
            return fail(message.error());
        result.messages.append(std::move(*message));
    }
    return result;
}

Result<qint64> Broker::vacuum(std::chrono::seconds age)
{
    const qint64 cutoff = toDbTime(m_clock.now()) - std::chrono::duration_cast<std::chrono::milliseconds>(age).count();
    auto deleted = m_db.exec(QStringLiteral("DELETE FROM messages WHERE state = 'acked' AND acked_at < :cutoff"),
                             {{QStringLiteral(":cutoff"), cutoff}});
    if (!deleted)
        return fail(deleted.error());
    return static_cast<qint64>(deleted->numRowsAffected());
}

Result<protocol::MessageListResult> Broker::list(const std::optional<QString> &agent, int limit,
                                                 std::optional<qint64> beforeId)
{
    // The operator's inbox is what was sent to it; an agent's traffic goes both ways.
    QString where =
        agent ? QStringLiteral("(sender = :agent OR recipient = :agent)") : QStringLiteral("recipient = :agent");
    Bindings bindings{{QStringLiteral(":agent"), agent.value_or(Operator)},
                      {QStringLiteral(":limit"), limit + 1}}; // one more: is there an older page?
    if (beforeId) {
        where += QStringLiteral(" AND id < :before");
        bindings.emplace_back(QStringLiteral(":before"), *beforeId);
    }
    auto query = m_db.exec(
        QStringLiteral("SELECT %1 FROM messages WHERE %2 ORDER BY id DESC LIMIT :limit").arg(MessageColumns, where),
        bindings);
    if (!query)
        return fail(query.error());
    protocol::MessageListResult result;
    while (query->next()) {
        if (result.messages.size() == limit) {
            result.hasMore = true;
            break;
        }
        Row row(*query);
        auto message = readMessage(row);
        if (!message)
            return fail(message.error());
        result.messages.append(std::move(*message));
    }
    return result;
}

} // namespace hive::engine
