// SPDX-License-Identifier: MIT
#include "rpcclient.h"

#include <QEventLoop>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

namespace hive::client {

namespace {
Q_LOGGING_CATEGORY(lcClient, "hive.client")

// The largest frame a client accepts from an engine: generous, since replies can be long lists.
constexpr qsizetype MaxIncomingFrame = 64 * 1024 * 1024;
} // namespace

RpcClient::RpcClient(Peer *peer, QObject *parent) : QObject(parent), m_peer(peer)
{
    m_peer->setParent(this);
    connect(m_peer, &Peer::opened, this, [this] { m_open = true; });
    connect(m_peer, &Peer::frameReceived, this, &RpcClient::onFrame);
    connect(m_peer, &Peer::closed, this, &RpcClient::onClosed);
}

Result<void> RpcClient::openAndWait(int timeoutMs)
{
    if (m_closed)
        return fail(m_closeReason);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(m_peer, &Peer::opened, &loop, &QEventLoop::quit);
    connect(this, &RpcClient::closed, &loop, &QEventLoop::quit);
    m_peer->open();
    timer.start(timeoutMs);
    if (!m_open && !m_closed)
        loop.exec();
    if (m_open)
        return {};
    if (m_closed)
        return fail(m_closeReason);
    return fail(ErrorCode::Unavailable,
                QStringLiteral("no connection to %1 within %2 s").arg(m_peer->describe()).arg(timeoutMs / 1000.0));
}

void RpcClient::call(const QString &method, const QJsonObject &params, Callback callback)
{
    if (m_closed) {
        callback(fail(m_closeReason));
        return;
    }
    const qint64 id = m_nextId++;
    m_pending.insert(id, std::move(callback));
    m_peer->send(rpc::Codec::encode(rpc::Request{QJsonValue(id), method, params}));
}

Result<QJsonValue> RpcClient::callAndWait(const QString &method, const QJsonObject &params, int timeoutMs)
{
    // The outcome lives on the heap: a reply that arrives after the timeout must not write into
    // this finished stack frame (the pending call is also forgotten below).
    auto outcome = std::make_shared<std::optional<Result<QJsonValue>>>();
    QEventLoop loop;
    QPointer<QEventLoop> guard(&loop);
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    const qint64 id = m_nextId;
    call(method, params, [outcome, guard](const Result<QJsonValue> &result) {
        *outcome = result;
        if (guard)
            guard->quit();
    });
    if (!*outcome) {
        timer.start(timeoutMs);
        loop.exec();
    }
    if (*outcome)
        return **outcome;
    m_pending.remove(id);
    return fail(ErrorCode::Unavailable,
                QStringLiteral("%1 got no reply within %2 s").arg(method).arg(timeoutMs / 1000.0));
}

void RpcClient::onFrame(const QByteArray &frame)
{
    const rpc::Message message = rpc::Codec::decode(frame, MaxIncomingFrame);
    if (const auto *request = std::get_if<rpc::Request>(&message)) {
        if (request->isNotification())
            Q_EMIT notificationReceived(request->method, request->params);
        else
            qCWarning(lcClient).noquote() << "the engine sent a request" << request->method << "; ignored";
        return;
    }
    if (const auto *response = std::get_if<rpc::Response>(&message)) {
        const auto it = m_pending.find(response->id.toInteger(-1));
        if (it == m_pending.end()) {
            // Errors the engine sends with a null id (a frame it could not read, terminal input it
            // refused, or a refusal before closing) belong to no call: they are announced, and a
            // close that follows fails the pending calls.
            if (response->error) {
                qCDebug(lcClient).noquote() << "engine error:" << response->error->message;
                Q_EMIT unsolicitedError(*response->error);
            }
            return;
        }
        Callback callback = std::move(it.value());
        m_pending.erase(it);
        if (response->error)
            callback(fail(*response->error));
        else
            callback(response->result);
        return;
    }
    qCWarning(lcClient).noquote() << "unreadable frame from the engine:"
                                  << std::get<rpc::Invalid>(message).error.message;
}

void RpcClient::onClosed(const Error &reason)
{
    if (m_closed)
        return;
    m_closed = true;
    m_open = false;
    m_closeReason = reason;
    const auto pending = std::exchange(m_pending, {});
    for (const Callback &callback : pending)
        callback(fail(reason));
    Q_EMIT closed(reason);
}

} // namespace hive::client
