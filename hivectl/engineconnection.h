// SPDX-License-Identifier: MIT
#pragma once

#include "exitcode.h"
#include "invocation.h"
#include "rpcclient.h"
#include "trustpolicy.h"

#include <memory>
#include <optional>

namespace hive::ctl {

class Terminal;

/// hivectl's one connection to an engine: the admin socket, or TLS with the trust check (and
/// the question at a terminal) and the hello handshake. It remembers which failures arose on
/// this side, so that commands can tell "the engine said no" (exit 1) from "we never got a
/// proper answer" (exit 2).
class EngineConnection
{
public:
    EngineConnection(const Invocation &invocation, Terminal &terminal);
    ~EngineConnection();
    EngineConnection(const EngineConnection &) = delete;
    EngineConnection &operator=(const EngineConnection &) = delete;

    /// Connects and says hello; `token` is only sent to remote engines.
    [[nodiscard]] Result<void> open(const QString &token);
    /// Remote only: connects just far enough to see the engine's certificate, trusts nothing,
    /// pins nothing, sends nothing, and returns the certificate's fingerprint.
    [[nodiscard]] Result<QString> presentedFingerprint();

    /// Waits `timeoutMs` for the reply; without it, as long as --timeout says.
    [[nodiscard]] Result<QJsonValue> call(const QString &method, const QJsonObject &params,
                                          std::optional<int> timeoutMs = std::nullopt);

    template<typename M>
    [[nodiscard]] Result<typename M::Result> call(const typename M::Params &params,
                                                  std::optional<int> timeoutMs = std::nullopt)
    {
        const QString method = QString::fromLatin1(M::Name);
        auto raw = call(method, params.toJson(), timeoutMs);
        if (!raw)
            return fail(raw.error());
        if (!raw->isObject())
            return fail(ErrorCode::InvalidRequest,
                        QStringLiteral("the engine's reply to %1 is not an object").arg(method));
        auto typed = M::Result::fromJson(raw->toObject());
        if (!typed)
            return fail(typed.error().wrapped(QStringLiteral("unexpected reply to %1").arg(method)));
        return typed;
    }

    /// Local (2) for failures on this side: no or lost connection, timeout, refused
    /// certificate. Refused (1) for error replies of the engine.
    [[nodiscard]] ExitCode exitCodeFor(const Error &error) const;

    /// The open client, for notifications and the closed signal.
    [[nodiscard]] client::RpcClient &client() { return *m_client; }

    /// Records an error as arising on this side and returns it.
    Error local(Error error);

private:
    Result<void> openLocal();
    Result<void> openRemote();
    Result<void> hello(const QString &token);
    bool checkTrust(const QString &fingerprint, QString *refusal);
    std::unique_ptr<client::RpcClient> makeWebSocketClient(bool probeOnly);

    const Invocation &m_invocation;
    Terminal &m_terminal;
    std::unique_ptr<client::RpcClient> m_client;
    std::optional<TrustPolicy> m_policy;
    TrustPolicy::Decision m_decision = TrustPolicy::Decision::Refuse;
    QString m_presented;
    QString m_question;
    QList<Error> m_localErrors;
};

} // namespace hive::ctl
