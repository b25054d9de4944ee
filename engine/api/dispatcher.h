// SPDX-License-Identifier: MIT
#pragma once

#include "callcontext.h"
#include "jsonrpc.h"
#include "protocol/methods.h"
#include "responder.h"

#include <QHash>

#include <type_traits>

namespace hive::engine {

class AuditLog;
class Database;

/// Routes requests to handlers through one table generated from a protocol::MethodList: it
/// checks authentication and the method's role, decodes params, audits state-changing and
/// refused calls, and sends the reply. A method in the list with no matching handle() overload
/// is a compile error.
class Dispatcher
{
public:
    /// `audit` null: nothing is audited (the agents' surface; the audit log is for operators).
    /// `durable` set: the reply to a state-changing call waits until its commit is on stable
    /// storage (Database::whenDurable), and replies behind it keep their order.
    explicit Dispatcher(AuditLog *audit, Database *durable = nullptr) : m_audit(audit), m_durable(durable) {}

    template<typename Handlers, typename... Methods>
    void registerMethods(Handlers &handlers, protocol::MethodList<Methods...> /*list*/)
    {
        (add<Methods>(handlers), ...);
    }

    /// Decodes one frame and answers it: requests are dispatched, unreadable frames get the
    /// matching error (closing the connection when it has no session yet), responses are ignored.
    void handleFrame(Connection &connection, const QByteArray &frame, qsizetype maxFrameBytes);
    void dispatch(Connection &connection, const rpc::Request &request);

    [[nodiscard]] QStringList methodNames() const { return m_methods.keys(); }

private:
    using Invoke = std::function<void(const QJsonObject &, const CallContext &, Responder)>;
    struct Entry {
        Role role;
        bool mutates;
        Invoke invoke;
    };

    template<typename M, typename Handlers>
    void add(Handlers &handlers)
    {
        using P = typename M::Params;
        using R = typename M::Result;
        // A plain requirement: clang-tidy 14 trips over "-> concept" compound requirements.
        constexpr bool IsSync = requires(Handlers & h, const P &p, const CallContext &c)
        {
            h.handle(p, c);
        };
        constexpr bool IsAsync = requires(Handlers & h, const P &p, const CallContext &c, Reply<R> r)
        {
            h.handle(p, c, r);
        };
        static_assert(IsSync || IsAsync, "no controller handles this method: add Result<M::Result> "
                                         "handle(const M::Params &, const CallContext &) to one");
        m_methods.insert(QString::fromLatin1(M::Name),
                         Entry{M::MinimumRole, M::Mutates,
                               [&handlers](const QJsonObject &json, const CallContext &context, Responder responder) {
                                   auto params = P::fromJson(json);
                                   if (!params) {
                                       responder(fail(params.error()));
                                       return;
                                   }
                                   if constexpr (IsSync) {
                                       static_assert(
                                           std::is_same_v<decltype(handlers.handle(*params, context)), Result<R>>,
                                           "a synchronous handler must return Result<M::Result>");
                                       Reply<R>(std::move(responder))(handlers.handle(*params, context));
                                   } else
                                       handlers.handle(*params, context, Reply<R>(std::move(responder)));
                               }});
    }

    void complete(const QPointer<Connection> &connection, const QJsonValue &id, const CallContext &context,
                  const QJsonObject &params, bool audited, const Result<QJsonValue> &result);
    void audit(const CallContext &context, const QJsonObject &params, const Error *error);
    /// Sends a reply frame, now or, behind replies waiting for durability, after the group sync.
    /// `changed`: the reply acknowledges a state change (it always waits for the sync).
    void reply(Connection &connection, const QByteArray &frame, bool changed, const QString &closeReason = {});

    QHash<QString, Entry> m_methods;
    AuditLog *m_audit;
    Database *m_durable;
};

} // namespace hive::engine
