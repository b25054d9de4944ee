// SPDX-License-Identifier: MIT
#include "session.h"

#include "jsonreader.h"

namespace hive::protocol {

QJsonObject HelloParams::toJson() const
{
    return {{QStringLiteral("protocol_version"), protocolVersion},
            {QStringLiteral("token"), token},
            {QStringLiteral("client"), client}};
}

Result<HelloParams> HelloParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    HelloParams p;
    r.required("protocol_version", p.protocolVersion);
    r.optional("token", p.token);
    r.optional("client", p.client);
    return r.finish(std::move(p));
}

QJsonObject HelloResult::toJson() const
{
    return {{QStringLiteral("engine_version"), engineVersion},
            {QStringLiteral("protocol_version"), protocolVersion},
            {QStringLiteral("features"), QJsonArray::fromStringList(features)},
            {QStringLiteral("token_name"), tokenName},
            {QStringLiteral("role"), role}};
}

Result<HelloResult> HelloResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    HelloResult p;
    r.required("engine_version", p.engineVersion);
    r.required("protocol_version", p.protocolVersion);
    r.required("features", p.features);
    r.required("token_name", p.tokenName);
    r.required("role", p.role);
    return r.finish(std::move(p));
}

Result<EngineInfoParams> EngineInfoParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(EngineInfoParams{});
}

QJsonObject EngineInfoResult::toJson() const
{
    return {{QStringLiteral("version"), version},
            {QStringLiteral("protocol_version"), protocolVersion},
            {QStringLiteral("started_at"), toWireTime(startedAt)},
            {QStringLiteral("uptime_seconds"), uptimeSeconds},
            {QStringLiteral("state_dir"), stateDir},
            {QStringLiteral("listen"), listen},
            {QStringLiteral("tls_fingerprint"), tlsFingerprint},
            {QStringLiteral("schema_version"), schemaVersion},
            {QStringLiteral("tokens"), tokens},
            {QStringLiteral("audit_entries"), auditEntries},
            {QStringLiteral("latest_seq"), latestSeq},
            {QStringLiteral("connections"), connections}};
}

Result<EngineInfoResult> EngineInfoResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    EngineInfoResult p;
    r.required("version", p.version);
    r.required("protocol_version", p.protocolVersion);
    r.required("started_at", p.startedAt);
    r.required("uptime_seconds", p.uptimeSeconds);
    r.required("state_dir", p.stateDir);
    r.required("listen", p.listen);
    r.required("tls_fingerprint", p.tlsFingerprint);
    r.required("schema_version", p.schemaVersion);
    r.required("tokens", p.tokens);
    r.required("audit_entries", p.auditEntries);
    r.required("latest_seq", p.latestSeq);
    r.required("connections", p.connections);
    return r.finish(std::move(p));
}

} // namespace hive::protocol
