// SPDX-License-Identifier: MIT
#include "tokens.h"

#include "jsonlist.h"
#include "jsonreader.h"

namespace hive::protocol {

QJsonObject TokenInfo::toJson() const
{
    QJsonObject json{{QStringLiteral("name"), name},
                     {QStringLiteral("role"), role},
                     {QStringLiteral("created_at"), toWireTime(createdAt)},
                     {QStringLiteral("created_by"), createdBy}};
    json.insert(QStringLiteral("last_used_at"), lastUsedAt ? QJsonValue(toWireTime(*lastUsedAt)) : QJsonValue());
    return json;
}

Result<TokenInfo> TokenInfo::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TokenInfo p;
    r.required("name", p.name);
    r.required("role", p.role);
    r.required("created_at", p.createdAt);
    r.required("created_by", p.createdBy);
    r.optional("last_used_at", p.lastUsedAt);
    return r.finish(std::move(p));
}

QJsonObject TokenCreateParams::toJson() const
{
    return {{QStringLiteral("name"), name}, {QStringLiteral("role"), role}};
}

Result<TokenCreateParams> TokenCreateParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TokenCreateParams p;
    r.required("name", p.name);
    r.required("role", p.role);
    return r.finish(std::move(p));
}

QJsonObject TokenCreateResult::toJson() const
{
    return {{QStringLiteral("token"), token.toJson()}, {QStringLiteral("secret"), secret}};
}

Result<TokenCreateResult> TokenCreateResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TokenCreateResult p;
    QJsonObject token;
    r.required("token", token);
    r.required("secret", p.secret);
    if (!r.ok())
        return r.finish(std::move(p));
    auto info = TokenInfo::fromJson(token);
    if (!info)
        return fail(info.error().wrapped(QStringLiteral("token")));
    p.token = std::move(*info);
    return r.finish(std::move(p));
}

Result<TokenListParams> TokenListParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(TokenListParams{});
}

QJsonObject TokenListResult::toJson() const
{
    return {{QStringLiteral("tokens"), toJsonArray(tokens)}};
}

Result<TokenListResult> TokenListResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    QJsonArray array;
    r.required("tokens", array);
    TokenListResult p;
    if (!r.ok())
        return r.finish(std::move(p));
    auto tokens = fromJsonArray<TokenInfo>(array, QStringLiteral("tokens"));
    if (!tokens)
        return fail(tokens.error());
    p.tokens = std::move(*tokens);
    return r.finish(std::move(p));
}

QJsonObject TokenRevokeParams::toJson() const
{
    return {{QStringLiteral("name"), name}};
}

Result<TokenRevokeParams> TokenRevokeParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TokenRevokeParams p;
    r.required("name", p.name);
    return r.finish(std::move(p));
}

QJsonObject TokenRevokeResult::toJson() const
{
    return {{QStringLiteral("name"), name}, {QStringLiteral("closed_connections"), closedConnections}};
}

Result<TokenRevokeResult> TokenRevokeResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    TokenRevokeResult p;
    r.required("name", p.name);
    r.required("closed_connections", p.closedConnections);
    return r.finish(std::move(p));
}

} // namespace hive::protocol
