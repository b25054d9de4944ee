// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/role.h"
#include "protocol/tokens.h"
#include "result.h"

namespace hive::engine {

class Clock;
class Database;

/// A live token as the engine sees it after authentication.
struct TokenRecord {
    qint64 id = 0;
    QString name;
    Role role = Role::Viewer;
};

/// API tokens: random 256-bit secrets of which only the SHA-256 is stored.
class TokenStore
{
public:
    TokenStore(Database &db, const Clock &clock);

    /// Creates a token. The returned secret is the only copy there will ever be.
    [[nodiscard]] Result<protocol::TokenCreateResult> create(const QString &name, Role role, const QString &createdBy);
    /// Finds the live token with this secret and stamps its last use.
    [[nodiscard]] Result<TokenRecord> authenticate(const QString &secret);
    [[nodiscard]] Result<QList<protocol::TokenInfo>> list();
    [[nodiscard]] Result<TokenRecord> revoke(const QString &name);
    [[nodiscard]] Result<qint64> liveCount();

    /// Token names: 1-64 of [A-Za-z0-9._@-], starting with a letter or digit.
    [[nodiscard]] static bool isValidName(const QString &name);
    [[nodiscard]] static QString hashSecret(const QString &secret);

private:
    Database &m_db;
    const Clock &m_clock;
};

} // namespace hive::engine
