// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/audit.h"
#include "result.h"

namespace hive::engine {

class Clock;
class Database;

/// The append-only, hash-chained record of every state-changing or refused API call.
class AuditLog
{
public:
    /// prev_hash of the first row.
    static constexpr char GenesisHash[] = "0000000000000000000000000000000000000000000000000000000000000000";

    AuditLog(Database &db, const Clock &clock);

    struct Call {
        QString tokenName;
        QString role;
        QString method;
        QJsonObject params; ///< raw params; summarize() is applied before storing
        QString result;     ///< "ok" or an error kind
        QString message;
    };

    [[nodiscard]] Result<protocol::AuditEntry> append(const Call &call);
    [[nodiscard]] Result<protocol::AuditListResult> list(const protocol::AuditListParams &params);
    [[nodiscard]] Result<protocol::AuditVerifyResult> verify();
    [[nodiscard]] Result<qint64> count();

    /// What is stored of a call's params: values of secret-looking keys replaced by "[redacted]",
    /// strings over 256 characters shortened, nesting kept.
    [[nodiscard]] static QJsonObject summarize(const QJsonObject &params);

    /// The row hash: SHA-256 (hex) over prev_hash and the row's fields, each written as
    /// "<utf8 byte length>:<bytes>\n" (docs/protocol.md has the exact definition).
    [[nodiscard]] static QString rowHash(const QString &prevHash, qint64 id, qint64 tsMs, const QString &tokenName,
                                         const QString &role, const QString &method, const QString &params,
                                         const QString &result, const QString &message);

private:
    Database &m_db;
    const Clock &m_clock;
};

} // namespace hive::engine
