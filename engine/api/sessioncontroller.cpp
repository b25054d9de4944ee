// SPDX-License-Identifier: MIT
#include "sessioncontroller.h"

#include "clock.h"
#include "connectionregistry.h"
#include "protocol/version.h"
#include "store/auditlog.h"
#include "store/eventlog.h"
#include "store/tokenstore.h"

#include <QLoggingCategory>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcSession, "hive.api")

protocol::HelloResult helloResult(const Session &session)
{
    return protocol::HelloResult{QStringLiteral(HIVE_VERSION), QString::fromLatin1(protocol::Version),
                                 protocol::features(), session.tokenName, roleName(session.role)};
}
} // namespace

Result<protocol::HelloResult> SessionController::handle(const protocol::HelloParams &params, const CallContext &context)
{
    Connection *connection = context.connection;
    if (!connection)
        return fail(ErrorCode::Unavailable, QStringLiteral("the connection is closed"));

    const int major = protocol::majorOf(params.protocolVersion);
    if (major != protocol::VersionMajor) {
        return fail(ErrorCode::ProtocolMismatch,
                    QStringLiteral("protocol version '%1' is not compatible with the engine's %2 (major %3 needed)")
                        .arg(params.protocolVersion, QString::fromLatin1(protocol::Version))
                        .arg(protocol::VersionMajor),
                    QJsonObject{{QStringLiteral("protocol_version"), QString::fromLatin1(protocol::Version)}});
    }

    // The admin socket is authenticated by file permissions; a token there changes nothing.
    if (connection->isLocal() && connection->session())
        return helloResult(*connection->session());
    if (connection->session())
        return fail(ErrorCode::InvalidRequest, QStringLiteral("hello was already accepted on this connection"));

    auto token = m_services.tokens.authenticate(params.token);
    if (!token) {
        qCWarning(lcSession).noquote() << connection->peer() << "failed to authenticate (client"
                                       << params.client.left(64) << "):" << token.error().message;
        connection->closeAfterReply(QStringLiteral("authentication failed"));
        if (token.error().code != ErrorCode::Unauthenticated)
            return fail(token.error());
        return fail(ErrorCode::Unauthenticated,
                    QStringLiteral("authentication failed: the token is unknown or revoked; the connection is closed"));
    }
    const Session session{token->name, token->role, token->id};
    connection->setSession(session);
    qCInfo(lcSession).noquote() << connection->peer() << "authenticated as" << session.tokenName << "("
                                << roleName(session.role) << ") client" << params.client.left(64);
    return helloResult(session);
}

Result<protocol::EngineInfoResult> SessionController::handle(const protocol::EngineInfoParams & /*params*/,
                                                             const CallContext & /*context*/)
{
    protocol::EngineInfoResult info;
    const EngineFacts &facts = m_services.facts;
    info.version = QStringLiteral(HIVE_VERSION);
    info.protocolVersion = QString::fromLatin1(protocol::Version);
    info.startedAt = facts.startedAt;
    info.uptimeSeconds = facts.startedAt.secsTo(m_services.clock.now());
    info.stateDir = facts.stateDir;
    info.listen = facts.listen;
    info.tlsFingerprint = facts.tlsFingerprint;
    info.schemaVersion = facts.schemaVersion;
    auto tokens = m_services.tokens.liveCount();
    if (!tokens)
        return fail(tokens.error());
    auto audits = m_services.audit.count();
    if (!audits)
        return fail(audits.error());
    info.tokens = *tokens;
    info.auditEntries = *audits;
    info.latestSeq = m_services.events.latestSeq();
    info.connections = m_services.connections.count();
    return info;
}

} // namespace hive::engine
