// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>

#include <optional>

namespace hive::protocol {

/// An API token as listed: never the secret, which is shown once by token_create.
struct TokenInfo {
    QString name;
    QString role;
    QDateTime createdAt;
    QString createdBy;
    std::optional<QDateTime> lastUsedAt;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TokenInfo> fromJson(const QJsonObject &json);
    friend bool operator==(const TokenInfo &, const TokenInfo &) = default;
};

struct TokenCreateParams {
    QString name;
    QString role;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TokenCreateParams> fromJson(const QJsonObject &json);
    friend bool operator==(const TokenCreateParams &, const TokenCreateParams &) = default;
};

struct TokenCreateResult {
    TokenInfo token;
    QString secret; ///< shown once; only its SHA-256 is stored

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TokenCreateResult> fromJson(const QJsonObject &json);
    friend bool operator==(const TokenCreateResult &, const TokenCreateResult &) = default;
};

struct TokenListParams {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<TokenListParams> fromJson(const QJsonObject &json);
    friend bool operator==(const TokenListParams &, const TokenListParams &) = default;
};

struct TokenListResult {
    QList<TokenInfo> tokens;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TokenListResult> fromJson(const QJsonObject &json);
    friend bool operator==(const TokenListResult &, const TokenListResult &) = default;
};

struct TokenRevokeParams {
    QString name;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TokenRevokeParams> fromJson(const QJsonObject &json);
    friend bool operator==(const TokenRevokeParams &, const TokenRevokeParams &) = default;
};

struct TokenRevokeResult {
    QString name;
    qint64 closedConnections = 0; ///< live connections that were using the token

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TokenRevokeResult> fromJson(const QJsonObject &json);
    friend bool operator==(const TokenRevokeResult &, const TokenRevokeResult &) = default;
};

} // namespace hive::protocol
