// SPDX-License-Identifier: MIT
#pragma once

#include "engine.h"
#include "localsocketpeer.h"
#include "protocol/methods.h"
#include "protocol/version.h"
#include "rpcclient.h"
#include "store/tokenstore.h"
#include "websocketpeer.h"

#include <memory>

/// Clients of an in-process Engine, as the API tests use them: the admin socket, and the TLS
/// WebSocket pinned to the engine's certificate, with or without a token and its hello. Header
/// only: the tests that include it link hive_engine, the support library does not.
namespace hive::test {

inline constexpr int ClientTimeoutMs = 10000;

/// An open admin-socket client (a warning when it could not open).
inline std::unique_ptr<client::RpcClient> connectAdmin(engine::Engine &engine)
{
    auto client = std::make_unique<client::RpcClient>(new client::LocalSocketPeer(engine.adminSocketPath()));
    if (auto opened = client->openAndWait(ClientTimeoutMs); !opened)
        qWarning("cannot open the admin socket: %s", qPrintable(opened.error().message));
    return client;
}

/// An open wss client that trusts the engine's certificate and has said nothing yet.
inline std::unique_ptr<client::RpcClient> connectTls(engine::Engine &engine)
{
    const QString fingerprint = engine.tls().fingerprint;
    auto *peer = new client::WebSocketPeer(QUrl(QStringLiteral("wss://127.0.0.1:%1").arg(engine.tlsPort())),
                                           [fingerprint](const QString &presented, QString *refusal) {
                                               if (presented == fingerprint)
                                                   return true;
                                               *refusal = QStringLiteral("fingerprint changed");
                                               return false;
                                           });
    auto client = std::make_unique<client::RpcClient>(peer);
    if (auto opened = client->openAndWait(ClientTimeoutMs); !opened)
        qWarning("cannot connect over wss: %s", qPrintable(opened.error().message));
    return client;
}

/// A wss client after hello with a new token "<role>-token" of `role`.
inline std::unique_ptr<client::RpcClient> connectRemote(engine::Engine &engine, Role role)
{
    const QString name = QStringLiteral("%1-token").arg(roleName(role));
    auto created = engine.tokens().create(name, role, QStringLiteral("test"));
    if (!created)
        qWarning("cannot create token %s: %s", qPrintable(name), qPrintable(created.error().message));
    auto client = connectTls(engine);
    if (!client->isOpen())
        return client;
    auto hello = client->callAndWait<protocol::HelloMethod>(
        protocol::HelloParams{QString::fromLatin1(protocol::Version), created ? created->secret : QString(), {}},
        ClientTimeoutMs);
    if (!hello)
        qWarning("hello failed: %s", qPrintable(hello.error().message));
    return client;
}

} // namespace hive::test
