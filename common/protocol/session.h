// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QStringList>

namespace hive::protocol {

/// `hello`: the first call on a remote connection.
struct HelloParams {
    QString protocolVersion;
    QString token;
    QString client; ///< free text, e.g. "hivectl 0.1.0"

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<HelloParams> fromJson(const QJsonObject &json);
    friend bool operator==(const HelloParams &, const HelloParams &) = default;
};

struct HelloResult {
    QString engineVersion;
    QString protocolVersion;
    QStringList features;
    QString tokenName;
    QString role;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<HelloResult> fromJson(const QJsonObject &json);
    friend bool operator==(const HelloResult &, const HelloResult &) = default;
};

/// `engine_info`: what is running and how much it holds.
struct EngineInfoParams {
    [[nodiscard]] QJsonObject toJson() const { return {}; }
    [[nodiscard]] static Result<EngineInfoParams> fromJson(const QJsonObject &json);
    friend bool operator==(const EngineInfoParams &, const EngineInfoParams &) = default;
};

struct EngineInfoResult {
    QString version;
    QString protocolVersion;
    QDateTime startedAt;
    qint64 uptimeSeconds = 0;
    QString stateDir;
    QString listen;         ///< "host:port" of the TLS listener, empty when disabled
    QString tlsFingerprint; ///< SHA-256 of the certificate, colon-separated hex
    qint64 schemaVersion = 0;
    qint64 tokens = 0; ///< active (not revoked) tokens
    qint64 auditEntries = 0;
    qint64 latestSeq = 0;
    qint64 connections = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<EngineInfoResult> fromJson(const QJsonObject &json);
    friend bool operator==(const EngineInfoResult &, const EngineInfoResult &) = default;
};

} // namespace hive::protocol
