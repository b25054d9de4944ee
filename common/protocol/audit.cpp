// SPDX-License-Identifier: MIT
#include "audit.h"

#include "jsonlist.h"
#include "jsonreader.h"

namespace hive::protocol {

QJsonObject AuditEntry::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("ts"), toWireTime(ts)},
            {QStringLiteral("token_name"), tokenName},
            {QStringLiteral("role"), role},
            {QStringLiteral("method"), method},
            {QStringLiteral("params"), params},
            {QStringLiteral("result"), result},
            {QStringLiteral("message"), message},
            {QStringLiteral("prev_hash"), prevHash},
            {QStringLiteral("hash"), hash}};
}

Result<AuditEntry> AuditEntry::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AuditEntry p;
    r.required("id", p.id);
    r.required("ts", p.ts);
    r.required("token_name", p.tokenName);
    r.required("role", p.role);
    r.required("method", p.method);
    r.required("params", p.params);
    r.required("result", p.result);
    r.required("message", p.message);
    r.required("prev_hash", p.prevHash);
    r.required("hash", p.hash);
    return r.finish(std::move(p));
}

QJsonObject AuditListParams::toJson() const
{
    QJsonObject json{{QStringLiteral("limit"), limit}};
    if (beforeId)
        json.insert(QStringLiteral("before_id"), *beforeId);
    if (tokenName)
        json.insert(QStringLiteral("token_name"), *tokenName);
    if (method)
        json.insert(QStringLiteral("method"), *method);
    return json;
}

Result<AuditListParams> AuditListParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AuditListParams p;
    r.optional("limit", p.limit);
    r.optional("before_id", p.beforeId);
    r.optional("token_name", p.tokenName);
    r.optional("method", p.method);
    if (r.ok() && (p.limit < 1 || p.limit > 1000))
        r.invalid("limit", QStringLiteral("must be between 1 and 1000, got %1").arg(p.limit));
    return r.finish(std::move(p));
}

QJsonObject AuditListResult::toJson() const
{
    return {{QStringLiteral("entries"), toJsonArray(entries)}, {QStringLiteral("has_more"), hasMore}};
}

Result<AuditListResult> AuditListResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AuditListResult p;
    QJsonArray entries;
    r.required("entries", entries);
    r.required("has_more", p.hasMore);
    if (!r.ok())
        return r.finish(std::move(p));
    auto list = fromJsonArray<AuditEntry>(entries, QStringLiteral("entries"));
    if (!list)
        return fail(list.error());
    p.entries = std::move(*list);
    return r.finish(std::move(p));
}

Result<AuditVerifyParams> AuditVerifyParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(AuditVerifyParams{});
}

QJsonObject AuditVerifyResult::toJson() const
{
    QJsonObject json{{QStringLiteral("ok"), ok}, {QStringLiteral("checked"), checked}};
    if (firstBadId) {
        json.insert(QStringLiteral("first_bad_id"), *firstBadId);
        json.insert(QStringLiteral("problem"), problem);
    }
    return json;
}

Result<AuditVerifyResult> AuditVerifyResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AuditVerifyResult p;
    r.required("ok", p.ok);
    r.required("checked", p.checked);
    r.optional("first_bad_id", p.firstBadId);
    r.optional("problem", p.problem);
    return r.finish(std::move(p));
}

} // namespace hive::protocol
