// SPDX-License-Identifier: MIT
#pragma once

#include "jsonrpc.h"
#include "peer.h"

#include <QHash>
#include <QObject>

#include <functional>

namespace hive::client {

/// JSON-RPC calls over a Peer: numbered requests, replies matched by id, notifications as a
/// signal. When the peer closes, every pending call fails with the close reason.
class RpcClient : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const Result<QJsonValue> &)>;

    /// Takes ownership of `peer`.
    explicit RpcClient(Peer *peer, QObject *parent = nullptr);

    [[nodiscard]] Peer &peer() { return *m_peer; }
    [[nodiscard]] bool isOpen() const { return m_open; }

    /// Opens the peer and waits for it (a nested event loop: for command-line tools and tests).
    [[nodiscard]] Result<void> openAndWait(int timeoutMs);

    void call(const QString &method, const QJsonObject &params, Callback callback);

    /// Typed call for a protocol method descriptor M.
    template<typename M>
    void call(const typename M::Params &params, std::function<void(const Result<typename M::Result> &)> callback)
    {
        call(QString::fromLatin1(M::Name), params.toJson(),
             [callback = std::move(callback)](const Result<QJsonValue> &result) {
                 callback(decode<typename M::Result>(result));
             });
    }

    /// Calls and waits (a nested event loop); Unavailable on timeout.
    [[nodiscard]] Result<QJsonValue> callAndWait(const QString &method, const QJsonObject &params, int timeoutMs);

    template<typename M>
    [[nodiscard]] Result<typename M::Result> callAndWait(const typename M::Params &params, int timeoutMs)
    {
        return decode<typename M::Result>(callAndWait(QString::fromLatin1(M::Name), params.toJson(), timeoutMs));
    }

    void close() { m_peer->close(); }

Q_SIGNALS:
    void notificationReceived(const QString &method, const QJsonObject &params);
    /// An error response with no call to match (its id is null).
    void unsolicitedError(const hive::Error &error);
    void closed(const hive::Error &reason);

private:
    template<typename R>
    static Result<R> decode(const Result<QJsonValue> &result)
    {
        if (!result)
            return fail(result.error());
        if (!result->isObject())
            return fail(ErrorCode::InvalidRequest, QStringLiteral("the engine's result is not an object"));
        auto typed = R::fromJson(result->toObject());
        if (!typed)
            return fail(typed.error().wrapped(QStringLiteral("unexpected result from the engine")));
        return typed;
    }

    void onFrame(const QByteArray &frame);
    void onClosed(const Error &reason);

    Peer *m_peer;
    QHash<qint64, Callback> m_pending;
    qint64 m_nextId = 1;
    bool m_open = false;
    bool m_closed = false;
    Error m_closeReason;
};

} // namespace hive::client
