// SPDX-License-Identifier: MIT
#include "tokenscontroller.h"

#include "connectionregistry.h"
#include "store/eventlog.h"
#include "store/tokenstore.h"

#include <QLoggingCategory>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcTokens, "hive.api")
}

Result<protocol::TokenCreateResult> TokensController::handle(const protocol::TokenCreateParams &params,
                                                             const CallContext &context)
{
    const auto role = parseRole(params.role);
    if (!role) {
        return fail(
            ErrorCode::InvalidParams,
            QStringLiteral("invalid field 'role': '%1' is not a role; use viewer, operator or admin").arg(params.role));
    }
    auto created = m_services.tokens.create(params.name, *role, context.actor());
    if (!created)
        return created;
    qCInfo(lcTokens).noquote() << "token" << params.name << "(" << params.role << ") created by" << context.actor();
    (void)m_services.events.publish(QStringLiteral("token_created"),
                                    QJsonObject{{QStringLiteral("name"), params.name},
                                                {QStringLiteral("role"), params.role},
                                                {QStringLiteral("created_by"), context.actor()}});
    return created;
}

Result<protocol::TokenListResult> TokensController::handle(const protocol::TokenListParams & /*params*/,
                                                           const CallContext & /*context*/)
{
    auto tokens = m_services.tokens.list();
    if (!tokens)
        return fail(tokens.error());
    return protocol::TokenListResult{std::move(*tokens)};
}

Result<protocol::TokenRevokeResult> TokensController::handle(const protocol::TokenRevokeParams &params,
                                                             const CallContext &context)
{
    auto revoked = m_services.tokens.revoke(params.name);
    if (!revoked)
        return fail(revoked.error());
    const qint64 closed =
        m_services.connections.closeByToken(revoked->id, context.connection, QStringLiteral("token revoked"));
    qCInfo(lcTokens).noquote() << "token" << params.name << "revoked by" << context.actor() << "; closed" << closed
                               << "connection(s)";
    (void)m_services.events.publish(
        QStringLiteral("token_revoked"),
        QJsonObject{{QStringLiteral("name"), params.name}, {QStringLiteral("revoked_by"), context.actor()}});
    return protocol::TokenRevokeResult{params.name, closed};
}

} // namespace hive::engine
