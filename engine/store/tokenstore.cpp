// SPDX-License-Identifier: MIT
#include "tokenstore.h"

#include "clock.h"
#include "database.h"
#include "row.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <array>

namespace hive::engine {

namespace {

// Prefix makes a leaked secret recognisable to secret scanners and people alike.
const QString SecretPrefix = QStringLiteral("hht_");

QString newSecret()
{
    std::array<quint32, 8> words{};
    QRandomGenerator::system()->fillRange(words.data(), words.size()); // getrandom(2): a CSPRNG
    const QByteArray raw(reinterpret_cast<const char *>(words.data()), sizeof(words));
    return SecretPrefix +
           QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

TokenStore::TokenStore(Database &db, const Clock &clock) : m_db(db), m_clock(clock) {}

bool TokenStore::isValidName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral(R"(^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$)"));
    return pattern.match(name).hasMatch();
}

QString TokenStore::hashSecret(const QString &secret)
{
    return QString::fromLatin1(QCryptographicHash::hash(secret.toUtf8(), QCryptographicHash::Sha256).toHex());
}

Result<protocol::TokenCreateResult> TokenStore::create(const QString &name, Role role, const QString &createdBy)
{
    if (!isValidName(name)) {
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("invalid token name '%1': use 1-64 letters, digits, '.', '_', '@' or '-', starting "
                                   "with a letter or digit")
                        .arg(name));
    }
    auto existing = m_db.scalar(QStringLiteral("SELECT COUNT(*) FROM tokens WHERE name = :name AND revoked_at IS NULL"),
                                {{QStringLiteral(":name"), name}});
    if (!existing)
        return fail(existing.error());
    if (*existing > 0)
        return fail(ErrorCode::AlreadyExists, QStringLiteral("a token named '%1' exists already").arg(name));

    const QString secret = newSecret();
    const QDateTime now = m_clock.now();
    auto inserted = m_db.exec(QStringLiteral("INSERT INTO tokens (name, role, secret_sha256, created_at, created_by) "
                                             "VALUES (:name, :role, :hash, :now, :by)"),
                              {{QStringLiteral(":name"), name},
                               {QStringLiteral(":role"), roleName(role)},
                               {QStringLiteral(":hash"), hashSecret(secret)},
                               {QStringLiteral(":now"), toDbTime(now)},
                               {QStringLiteral(":by"), createdBy}});
    if (!inserted)
        return fail(inserted.error());
    return protocol::TokenCreateResult{protocol::TokenInfo{name, roleName(role), now, createdBy, std::nullopt}, secret};
}

Result<TokenRecord> TokenStore::authenticate(const QString &secret)
{
    const Error refused{ErrorCode::Unauthenticated, QStringLiteral("the token is not valid (unknown or revoked)"), {}};
    if (!secret.startsWith(SecretPrefix))
        return fail(refused);
    auto query = m_db.exec(QStringLiteral("SELECT id, name, role FROM tokens "
                                          "WHERE secret_sha256 = :hash AND revoked_at IS NULL"),
                           {{QStringLiteral(":hash"), hashSecret(secret)}});
    if (!query)
        return fail(query.error());
    if (!query->next())
        return fail(refused);
    Row row(*query);
    TokenRecord record{row.integer("id"), row.text("name"), Role::Viewer};
    const QString role = row.text("role");
    if (auto status = row.status(); !status)
        return fail(status.error());
    const auto parsed = parseRole(role);
    if (!parsed)
        return fail(ErrorCode::Internal, QStringLiteral("token '%1' has an unknown role '%2'").arg(record.name, role));
    record.role = *parsed;
    query->finish();
    auto stamped = m_db.exec(QStringLiteral("UPDATE tokens SET last_used_at = :now WHERE id = :id"),
                             {{QStringLiteral(":now"), toDbTime(m_clock.now())}, {QStringLiteral(":id"), record.id}});
    if (!stamped)
        return fail(stamped.error());
    return record;
}

Result<QList<protocol::TokenInfo>> TokenStore::list()
{
    auto query = m_db.exec(QStringLiteral("SELECT name, role, created_at, created_by, last_used_at FROM tokens "
                                          "WHERE revoked_at IS NULL ORDER BY name"));
    if (!query)
        return fail(query.error());
    QList<protocol::TokenInfo> tokens;
    while (query->next()) {
        Row row(*query);
        protocol::TokenInfo info{row.text("name"), row.text("role"), row.time("created_at"), row.text("created_by"),
                                 row.optionalTime("last_used_at")};
        if (auto status = row.status(); !status)
            return fail(status.error().wrapped(QStringLiteral("reading tokens")));
        tokens.append(std::move(info));
    }
    return tokens;
}

Result<TokenRecord> TokenStore::revoke(const QString &name)
{
    auto query = m_db.exec(QStringLiteral("SELECT id, role FROM tokens WHERE name = :name AND revoked_at IS NULL"),
                           {{QStringLiteral(":name"), name}});
    if (!query)
        return fail(query.error());
    if (!query->next())
        return fail(ErrorCode::NotFound, QStringLiteral("no live token named '%1'").arg(name));
    Row row(*query);
    TokenRecord record{row.integer("id"), name, parseRole(row.text("role")).value_or(Role::Viewer)};
    if (auto status = row.status(); !status)
        return fail(status.error());
    query->finish();
    auto updated = m_db.exec(QStringLiteral("UPDATE tokens SET revoked_at = :now WHERE id = :id"),
                             {{QStringLiteral(":now"), toDbTime(m_clock.now())}, {QStringLiteral(":id"), record.id}});
    if (!updated)
        return fail(updated.error());
    return record;
}

Result<qint64> TokenStore::liveCount()
{
    return m_db.scalar(QStringLiteral("SELECT COUNT(*) FROM tokens WHERE revoked_at IS NULL"));
}

} // namespace hive::engine
