// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/messages.h"
#include "result.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

class QTimer;

namespace hive::client {
class RpcClient;
}

namespace hive::harness {

/// The MCP server's connection to the engine on the agent socket, made when first needed and
/// again after it was lost: a call that finds no connection opens one (and asks `whoami` first,
/// so the server knows whether it serves the manager) and waits for it. Nothing blocks: a call
/// completes through its callback, with the engine's result or error, or with an `unavailable`
/// error that says the engine could not be reached (the call was not sent) or that the connection
/// closed before the reply (the call may have taken effect).
class EngineLink : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const Result<QJsonValue> &)>;

    explicit EngineLink(QString socketPath, QObject *parent = nullptr);
    ~EngineLink() override;

    [[nodiscard]] const QString &socketPath() const { return m_socketPath; }
    /// What the engine said at the last connect; empty until a connect succeeded.
    [[nodiscard]] const std::optional<protocol::WhoamiResult> &identity() const { return m_identity; }

    void call(const QString &method, const QJsonObject &params, Callback callback);
    /// Connects unless connected or connecting; `done` runs when that attempt has ended.
    void ensureConnected(std::function<void(const Result<void> &)> done);

Q_SIGNALS:
    /// A connect succeeded and whoami answered (also after a reconnect).
    void identified(const hive::protocol::WhoamiResult &who);

private:
    struct Waiting {
        QString method;
        QJsonObject params;
        Callback callback;
    };
    void startConnect();
    void connectFailed(const Error &error);
    void send(const Waiting &call);

    QString m_socketPath;
    QPointer<client::RpcClient> m_client; ///< while connecting or connected
    bool m_ready = false;                 ///< whoami answered on m_client
    QList<Waiting> m_waiting;             ///< calls made while connecting
    QList<std::function<void(const Result<void> &)>> m_connectWaiters;
    std::optional<protocol::WhoamiResult> m_identity;
    QTimer *m_connectTimeout = nullptr;
};

} // namespace hive::harness
