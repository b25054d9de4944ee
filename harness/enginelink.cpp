// SPDX-License-Identifier: MIT
#include "enginelink.h"

#include "localsocketpeer.h"
#include "rpcclient.h"

#include <QLoggingCategory>
#include <QTimer>

namespace hive::harness {

namespace {
Q_LOGGING_CATEGORY(lcLink, "hive.mcp")
constexpr int ConnectTimeoutMs = 10000;
} // namespace

EngineLink::EngineLink(QString socketPath, QObject *parent) : QObject(parent), m_socketPath(std::move(socketPath))
{
    m_connectTimeout = new QTimer(this);
    m_connectTimeout->setSingleShot(true);
    connect(m_connectTimeout, &QTimer::timeout, this, [this] {
        connectFailed(Error{ErrorCode::Unavailable,
                            QStringLiteral("no answer to whoami within %1 s").arg(ConnectTimeoutMs / 1000),
                            {}});
    });
}

EngineLink::~EngineLink() = default;

void EngineLink::call(const QString &method, const QJsonObject &params, Callback callback)
{
    Waiting waiting{method, params, std::move(callback)};
    if (m_ready && m_client) {
        send(waiting);
        return;
    }
    m_waiting.append(std::move(waiting));
    if (!m_client)
        startConnect();
}

void EngineLink::ensureConnected(std::function<void(const Result<void> &)> done)
{
    if (m_ready && m_client) {
        done({});
        return;
    }
    m_connectWaiters.append(std::move(done));
    if (!m_client)
        startConnect();
}

void EngineLink::startConnect()
{
    auto *client = new client::RpcClient(new client::LocalSocketPeer(m_socketPath), this);
    m_client = client;
    m_ready = false;
    connect(&client->peer(), &client::Peer::opened, this, [this, client] {
        // whoami first: the server lists the manager's tools only to the manager.
        client->call(QStringLiteral("whoami"), {}, [this, client](const Result<QJsonValue> &answer) {
            if (m_client != client)
                return;
            auto who = answer ? protocol::WhoamiResult::fromJson(answer->toObject())
                              : Result<protocol::WhoamiResult>(fail(answer.error()));
            if (!who) {
                connectFailed(who.error().wrapped(QStringLiteral("whoami")));
                return;
            }
            m_connectTimeout->stop();
            m_ready = true;
            m_identity = *who;
            qCInfo(lcLink).noquote() << "connected to engine" << who->engineVersion << "as" << who->name << "("
                                     << who->role << ")";
            Q_EMIT identified(*who);
            for (const Waiting &waiting : std::exchange(m_waiting, {}))
                send(waiting);
            for (const auto &done : std::exchange(m_connectWaiters, {}))
                done({});
        });
    });
    connect(client, &client::RpcClient::closed, this, [this, client](const Error &reason) {
        if (m_client != client)
            return;
        if (!m_ready) {
            connectFailed(reason);
            return;
        }
        qCWarning(lcLink).noquote() << "the engine connection closed:" << reason.message
                                    << "- the next call reconnects";
        m_ready = false;
        m_client = nullptr;
        client->deleteLater(); // not here: we are inside its signal
    });
    m_connectTimeout->start(ConnectTimeoutMs);
    client->peer().open();
}

void EngineLink::connectFailed(const Error &error)
{
    m_connectTimeout->stop();
    if (m_client) {
        client::RpcClient *client = m_client;
        m_client = nullptr;
        client->close();
        client->deleteLater();
    }
    m_ready = false;
    const Error unreachable{
        ErrorCode::Unavailable,
        QStringLiteral("the hive engine cannot be reached at %1: %2").arg(m_socketPath, error.message),
        {}};
    qCWarning(lcLink).noquote() << unreachable.message;
    for (const Waiting &waiting : std::exchange(m_waiting, {}))
        waiting.callback(fail(unreachable));
    for (const auto &done : std::exchange(m_connectWaiters, {}))
        done(fail(unreachable));
}

void EngineLink::send(const Waiting &call)
{
    QPointer<client::RpcClient> client = m_client;
    client->call(call.method, call.params,
                 [client, method = call.method, callback = call.callback](const Result<QJsonValue> &result) {
                     if (!result && (!client || !client->isOpen())) {
                         // The request went out and the connection ended before the reply.
                         callback(fail(ErrorCode::Unavailable,
                                       QStringLiteral("the connection to the hive engine closed before it answered "
                                                      "%1 (%2): the call may or may not have taken effect")
                                           .arg(method, result.error().message)));
                         return;
                     }
                     callback(result);
                 });
}

} // namespace hive::harness
