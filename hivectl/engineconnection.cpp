// SPDX-License-Identifier: MIT
#include "engineconnection.h"

#include "localsocketpeer.h"
#include "protocol/methods.h"
#include "protocol/version.h"
#include "statepaths.h"
#include "terminal.h"
#include "websocketpeer.h"

#include <QEventLoop>
#include <QTimer>

namespace hive::ctl {

namespace {

bool isYes(const QString &answer)
{
    const QString a = answer.trimmed().toLower();
    return a == QLatin1String("y") || a == QLatin1String("yes");
}

} // namespace

EngineConnection::EngineConnection(const Invocation &invocation, Terminal &terminal)
    : m_invocation(invocation), m_terminal(terminal)
{}

EngineConnection::~EngineConnection() = default;

Error EngineConnection::local(Error error)
{
    m_localErrors.append(error);
    return error;
}

ExitCode EngineConnection::exitCodeFor(const Error &error) const
{
    return m_localErrors.contains(error) ? ExitCode::Local : ExitCode::Refused;
}

Result<void> EngineConnection::open(const QString &token)
{
    auto opened = m_invocation.isRemote() ? openRemote() : openLocal();
    if (!opened)
        return opened;
    return hello(token);
}

Result<void> EngineConnection::openLocal()
{
    m_client =
        std::make_unique<client::RpcClient>(new client::LocalSocketPeer(paths::adminSocket(m_invocation.stateDir)));
    if (auto opened = m_client->openAndWait(m_invocation.timeoutMs); !opened)
        return fail(local(opened.error()));
    return {};
}

std::unique_ptr<client::RpcClient> EngineConnection::makeWebSocketClient(bool probeOnly)
{
    m_presented.clear();
    m_question.clear();
    m_decision = TrustPolicy::Decision::Refuse;
    client::WebSocketPeer::TrustCheck check;
    if (probeOnly) {
        check = [this](const QString &fingerprint, QString *refusal) {
            m_presented = fingerprint;
            *refusal = QStringLiteral("only the certificate was wanted");
            return false;
        };
    } else {
        check = [this](const QString &fingerprint, QString *refusal) {
            return checkTrust(fingerprint, refusal);
        };
    }
    return std::make_unique<client::RpcClient>(new client::WebSocketPeer(m_invocation.url(), std::move(check)));
}

bool EngineConnection::checkTrust(const QString &fingerprint, QString *refusal)
{
    m_presented = fingerprint;
    QString message;
    m_decision = m_policy->decide(fingerprint, &message);
    switch (m_decision) {
    case TrustPolicy::Decision::Trust:
        return true;
    case TrustPolicy::Decision::Ask:
        // The question is asked after this connection is dropped: a person may take longer to
        // answer than the engine waits for a TLS handshake to finish.
        m_question = message;
        *refusal = QStringLiteral("the engine's certificate is not trusted yet");
        return false;
    case TrustPolicy::Decision::Refuse:
        break;
    }
    *refusal = message;
    return false;
}

Result<void> EngineConnection::openRemote()
{
    m_policy.emplace(client::KnownEngines(), m_invocation.engineKey(), m_invocation.trustFingerprint,
                     m_terminal.stdinIsTty());
    // At most two rounds: the second one follows a "yes" and finds the fingerprint pinned.
    for (int round = 0; round < 2; ++round) {
        m_client = makeWebSocketClient(false);
        auto opened = m_client->openAndWait(m_invocation.timeoutMs);
        if (opened)
            return {};
        if (m_decision != TrustPolicy::Decision::Ask || round > 0)
            return fail(local(opened.error()));

        const QString presented = m_presented;
        m_terminal.note(m_question + QStringLiteral("Trust this engine? [y/N] "));
        const auto answer = m_terminal.readLine();
        if (!answer || !isYes(*answer)) {
            if (!answer)
                m_terminal.note(QStringLiteral("\n"));
            return fail(local(Error{ErrorCode::Tls,
                                    QStringLiteral("the engine %1 was not trusted; nothing was sent and nothing pinned")
                                        .arg(m_invocation.engineKey()),
                                    {}}));
        }
        if (auto pinned = m_policy->pin(presented); !pinned)
            return fail(local(pinned.error().wrapped(QStringLiteral("cannot pin the engine's certificate"))));
        m_terminal.note(
            QStringLiteral("Pinned %1 in %2.\n").arg(m_invocation.engineKey(), m_policy->knownEngines().path()));
    }
    return fail(local(Error{ErrorCode::Tls, QStringLiteral("the engine's certificate could not be trusted"), {}}));
}

Result<QString> EngineConnection::presentedFingerprint()
{
    m_client = makeWebSocketClient(true);
    auto opened = m_client->openAndWait(m_invocation.timeoutMs);
    if (!m_presented.isEmpty())
        return m_presented;
    if (!opened)
        return fail(local(opened.error()));
    return fail(local(
        Error{ErrorCode::Tls, QStringLiteral("%1 presented no certificate").arg(m_invocation.url().toString()), {}}));
}

Result<void> EngineConnection::hello(const QString &token)
{
    protocol::HelloParams params;
    params.protocolVersion = QString::fromLatin1(protocol::Version);
    // The admin socket is authenticated by its file permissions; a token there means nothing.
    params.token = m_invocation.isRemote() ? token : QString();
    params.client = QStringLiteral("hivectl " HIVE_VERSION);
    auto greeted = call<protocol::HelloMethod>(params);
    if (!greeted)
        return fail(greeted.error());
    return {};
}

Result<QJsonValue> EngineConnection::call(const QString &method, const QJsonObject &params,
                                          std::optional<int> timeoutMs)
{
    const int waitMs = timeoutMs.value_or(m_invocation.timeoutMs);
    // Shared with the callback, which outlives this frame when the reply comes after the timeout.
    struct Pending {
        std::optional<Result<QJsonValue>> outcome;
        bool lostConnection = false;
        QEventLoop loop;
    };
    auto pending = std::make_shared<Pending>();
    client::RpcClient *client = m_client.get();
    std::weak_ptr<Pending> weak = pending;
    client->call(method, params, [weak, client](const Result<QJsonValue> &result) {
        const auto state = weak.lock();
        if (!state)
            return;
        state->outcome = result;
        // RpcClient marks itself closed before failing the pending calls, so a failure while it
        // is not open is the connection's end, not an error reply.
        state->lostConnection = !result && !client->isOpen();
        state->loop.quit();
    });
    if (!pending->outcome) {
        QTimer timer;
        timer.setSingleShot(true);
        QObject::connect(&timer, &QTimer::timeout, &pending->loop, &QEventLoop::quit);
        timer.start(waitMs);
        pending->loop.exec();
    }
    if (!pending->outcome) {
        return fail(local(Error{ErrorCode::Unavailable,
                                QStringLiteral("no reply to %1 from %2 within %3 s")
                                    .arg(method, m_client->peer().describe())
                                    .arg(waitMs / 1000.0),
                                {}}));
    }
    if (pending->lostConnection)
        return fail(local(pending->outcome->error()));
    return *pending->outcome;
}

} // namespace hive::ctl
