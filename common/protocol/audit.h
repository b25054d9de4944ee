// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>

#include <optional>

namespace hive::protocol {

/// One row of the append-only audit log. `hash` = SHA-256 over the previous row's hash and this
/// row's fields (see docs/protocol.md for the exact input), so any edit breaks the chain.
struct AuditEntry {
    qint64 id = 0;
    QDateTime ts;
    QString tokenName;
    QString role;
    QString method;
    QJsonObject params; ///< a summary: secrets redacted, long strings shortened
    QString result;     ///< "ok" or an error kind ("forbidden", "invalid_params", ...)
    QString message;    ///< the error message when result is not "ok"
    QString prevHash;
    QString hash;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AuditEntry> fromJson(const QJsonObject &json);
    friend bool operator==(const AuditEntry &, const AuditEntry &) = default;
};

struct AuditListParams {
    int limit = 100;                  ///< 1..1000
    std::optional<qint64> beforeId;   ///< page backwards: rows with id < before_id
    std::optional<QString> tokenName; ///< only this token's rows
    std::optional<QString> method;    ///< only this method's rows

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AuditListParams> fromJson(const QJsonObject &json);
    friend bool operator==(const AuditListParams &, const AuditListParams &) = default;
};

struct AuditListResult {
    QList<AuditEntry> entries; ///< newest first
    bool hasMore = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AuditListResult> fromJson(const QJsonObject &json);
    friend bool operator==(const AuditListResult &, const AuditListResult &) = default;
};

struct AuditVerifyParams {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<AuditVerifyParams> fromJson(const QJsonObject &json);
    friend bool operator==(const AuditVerifyParams &, const AuditVerifyParams &) = default;
};

struct AuditVerifyResult {
    bool ok = true;
    qint64 checked = 0;               ///< rows checked
    std::optional<qint64> firstBadId; ///< the first row whose hash does not match
    QString problem;                  ///< what is wrong with it

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AuditVerifyResult> fromJson(const QJsonObject &json);
    friend bool operator==(const AuditVerifyResult &, const AuditVerifyResult &) = default;
};

} // namespace hive::protocol
