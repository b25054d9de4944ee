// SPDX-License-Identifier: MIT
#include "redisclient.h"

#include <hiredis/hiredis.h>

namespace hive::bench {

namespace {

QByteArray streamOf(const QByteArray &agent)
{
    return QByteArrayLiteral("inbox:") + agent;
}

/// Owns one reply.
struct Reply {
    redisReply *reply = nullptr;
    explicit Reply(void *raw) : reply(static_cast<redisReply *>(raw)) {}
    ~Reply()
    {
        if (reply)
            freeReplyObject(reply);
    }
    Reply(const Reply &) = delete;
    Reply &operator=(const Reply &) = delete;
};

Result<void> check(redisContext *context, const Reply &reply, const char *command)
{
    if (!reply.reply) {
        return fail(ErrorCode::Io,
                    QStringLiteral("%1: %2").arg(QLatin1String(command), QString::fromLocal8Bit(context->errstr)));
    }
    if (reply.reply->type == REDIS_REPLY_ERROR) {
        return fail(ErrorCode::Io,
                    QStringLiteral("%1: %2").arg(QLatin1String(command), QString::fromLocal8Bit(reply.reply->str)));
    }
    return {};
}

QByteArray text(const redisReply *reply)
{
    return QByteArray(reply->str, static_cast<qsizetype>(reply->len));
}

} // namespace

RedisClient::~RedisClient()
{
    if (m_context)
        redisFree(m_context);
}

Result<std::unique_ptr<RedisClient>> RedisClient::connect(const QString &socketPath, const QByteArray &agent)
{
    redisContext *context = redisConnectUnix(socketPath.toLocal8Bit().constData());
    if (!context)
        return fail(ErrorCode::Io, QStringLiteral("cannot allocate a hiredis context"));
    if (context->err) {
        const QString reason = QString::fromLocal8Bit(context->errstr);
        redisFree(context);
        return fail(ErrorCode::Unavailable, QStringLiteral("connect %1: %2").arg(socketPath, reason));
    }
    return std::unique_ptr<RedisClient>(new RedisClient(context, streamOf(agent)));
}

Result<void> RedisClient::ping()
{
    const Reply reply(redisCommand(m_context, "PING"));
    return check(m_context, reply, "PING");
}

Result<void> RedisClient::send(const QByteArray &to, const QByteArray &body)
{
    const QByteArray stream = streamOf(to);
    const Reply reply(redisCommand(m_context, "XADD %b * body %b", stream.constData(),
                                   static_cast<size_t>(stream.size()), body.constData(),
                                   static_cast<size_t>(body.size())));
    return check(m_context, reply, "XADD");
}

Result<QList<Delivery>> RedisClient::recv(int max, int waitMs)
{
    const Reply reply(redisCommand(m_context, "XREAD COUNT %d BLOCK %d STREAMS %b %b", max, waitMs,
                                   m_stream.constData(), static_cast<size_t>(m_stream.size()), m_lastId.constData(),
                                   static_cast<size_t>(m_lastId.size())));
    if (auto checked = check(m_context, reply, "XREAD"); !checked)
        return fail(checked.error());
    QList<Delivery> deliveries;
    if (reply.reply->type == REDIS_REPLY_NIL)
        return deliveries; // the wait ended
    // [[stream, [[id, [field, value]], ...]]]: one stream was asked for.
    if (reply.reply->type != REDIS_REPLY_ARRAY || reply.reply->elements != 1)
        return fail(ErrorCode::Io, QStringLiteral("XREAD: unexpected reply shape"));
    const redisReply *stream = reply.reply->element[0];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2 || stream->element[1]->type != REDIS_REPLY_ARRAY)
        return fail(ErrorCode::Io, QStringLiteral("XREAD: unexpected stream shape"));
    const redisReply *entries = stream->element[1];
    deliveries.reserve(static_cast<qsizetype>(entries->elements));
    for (size_t i = 0; i < entries->elements; ++i) {
        const redisReply *entry = entries->element[i];
        if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 || entry->element[1]->elements != 2)
            return fail(ErrorCode::Io, QStringLiteral("XREAD: unexpected entry shape"));
        deliveries.append(Delivery{text(entry->element[0]), text(entry->element[1]->element[1])});
    }
    m_lastId = deliveries.last().id;
    return deliveries;
}

Result<void> RedisClient::ack(const QList<Delivery> & /*deliveries*/)
{
    return {};
}

} // namespace hive::bench
