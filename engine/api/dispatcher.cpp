// SPDX-License-Identifier: MIT
#include "dispatcher.h"

#include "store/auditlog.h"
#include "store/database.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcApi, "hive.api")
const QString HelloMethodName = QString::fromLatin1(protocol::HelloMethod::Name);
} // namespace

namespace {
template<class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template<class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
} // namespace

void Dispatcher::handleFrame(Connection &connection, const QByteArray &frame, qsizetype maxFrameBytes)
{
    if (connection.isClosing())
        return;
    const rpc::Message message = rpc::Codec::decode(frame, maxFrameBytes);
    std::visit(Overloaded{
                   [&](const rpc::Request &request) { dispatch(connection, request); },
                   [&](const rpc::Response &) {
                       // JSON-RPC: a response is never answered. Clients have no reason to send one.
                       qCDebug(lcApi).noquote() << connection.peer() << "sent a response frame; ignored";
                   },
                   [&](const rpc::Invalid &invalid) {
                       // Before hello, garbage ends the connection; after, the client may go on.
                       reply(connection, rpc::Codec::encodeError(invalid.id, invalid.error), false,
                             connection.session() ? QString() : QStringLiteral("malformed frame before hello"));
                   },
               },
               message);
}

void Dispatcher::dispatch(Connection &connection, const rpc::Request &request)
{
    if (request.isNotification()) {
        // JSON-RPC forbids replying to notifications; the API defines none from clients.
        qCDebug(lcApi).noquote() << connection.peer() << "sent notification" << request.method << "- ignored";
        return;
    }
    const CallContext context{&connection, connection.session(), request.method};

    if (!context.session && request.method != HelloMethodName) {
        qCWarning(lcApi).noquote() << connection.peer() << "called" << request.method << "before hello; closing";
        reply(connection,
              rpc::Codec::encodeError(
                  request.id, Error{ErrorCode::Unauthenticated,
                                    QStringLiteral("call hello {protocol_version, token} first; '%1' was refused and "
                                                   "the connection is closed")
                                        .arg(request.method),
                                    {}}),
              false, QStringLiteral("hello must be the first call"));
        return;
    }

    const auto entry = m_methods.constFind(request.method);
    if (entry == m_methods.constEnd()) {
        reply(connection,
              rpc::Codec::encodeError(
                  request.id,
                  Error{ErrorCode::MethodNotFound, QStringLiteral("unknown method '%1'").arg(request.method), {}}),
              false);
        return;
    }

    if (context.session && !roleAllows(context.session->role, entry->role)) {
        const Error error{ErrorCode::Forbidden,
                          QStringLiteral("'%1' needs the %2 role; token '%3' has %4")
                              .arg(request.method, roleName(entry->role), context.session->tokenName,
                                   roleName(context.session->role)),
                          {}};
        audit(context, request.params, &error);
        reply(connection, rpc::Codec::encodeError(request.id, error), true);
        return;
    }

    const bool audited = entry->mutates;
    QPointer<Connection> guard(&connection);
    entry->invoke(
        request.params, context,
        Responder([this, guard, id = request.id, context, params = request.params, audited](
                      const Result<QJsonValue> &result) { complete(guard, id, context, params, audited, result); }));
}

void Dispatcher::complete(const QPointer<Connection> &connection, const QJsonValue &id, const CallContext &context,
                          const QJsonObject &params, bool audited, const Result<QJsonValue> &result)
{
    if (audited)
        audit(context, params, result ? nullptr : &result.error());
    if (!result && (result.error().code == ErrorCode::Internal || result.error().code == ErrorCode::Io)) {
        qCWarning(lcApi).noquote() << context.method << "failed for"
                                   << (connection ? connection->peer() : QStringLiteral("a closed connection")) << ":"
                                   << result.error().message;
    }
    if (!connection)
        return;
    QString closeReason;
    if (!result && !connection->session() && context.method == HelloMethodName) {
        // A client gets one more try after a failed hello (e.g. to retry with another protocol
        // version); the second failure, whatever its cause, ends the connection.
        connection->countFailedHello();
        if (connection->failedHellos() >= 2)
            closeReason = QStringLiteral("second failed hello");
    }
    reply(*connection, result ? rpc::Codec::encodeResult(id, *result) : rpc::Codec::encodeError(id, result.error()),
          audited && result, closeReason);
}

void Dispatcher::reply(Connection &connection, const QByteArray &frame, bool changed, const QString &closeReason)
{
    const auto send = [](Connection &to, const QByteArray &bytes, const QString &reason) {
        if (!reason.isEmpty())
            to.closeAfterReply(reason);
        to.sendReply(bytes);
    };
    // Replies keep their order: one that follows a reply still waiting for the sync waits too.
    if (!m_durable || (!changed && !m_durable->hasPending())) {
        send(connection, frame, closeReason);
        return;
    }
    // "ok" to a change means it is on disk: the reply waits for the group sync of this turn.
    m_durable->whenDurable(
        [guard = QPointer<Connection>(&connection), frame, changed, closeReason, send](const Result<void> &synced) {
            if (!guard)
                return;
            if (changed && !synced) {
                const auto id = QJsonDocument::fromJson(frame).object().value(QStringLiteral("id"));
                send(*guard,
                     rpc::Codec::encodeError(id, Error{ErrorCode::Io,
                                                       QStringLiteral("the change was committed but could not be made "
                                                                      "durable: %1")
                                                           .arg(synced.error().message),
                                                       {}}),
                     closeReason);
                return;
            }
            send(*guard, frame, closeReason);
        });
}

void Dispatcher::audit(const CallContext &context, const QJsonObject &params, const Error *error)
{
    if (!m_audit)
        return;
    auto appended = m_audit->append(AuditLog::Call{
        context.actor(), context.session ? roleName(context.session->role) : QString(), context.method, params,
        error ? errorCodeName(error->code) : QStringLiteral("ok"), error ? error->message : QString()});
    if (!appended) {
        // The call itself already happened; losing its audit row is worth a loud log line.
        qCCritical(lcApi).noquote() << "cannot write the audit row for" << context.method << "by" << context.actor()
                                    << ":" << appended.error().message;
    }
}

} // namespace hive::engine
