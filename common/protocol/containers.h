// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace hive::protocol {

/// An agent's life, as agent_list reports it. "external" is an agent registered with agent_add
/// and no container (plain processes use its socket); the others are its container's states.
namespace agentstates {
inline constexpr char External[] = "external";
inline constexpr char Stopped[] = "stopped";
inline constexpr char Starting[] = "starting";
inline constexpr char Running[] = "running";
inline constexpr char Stopping[] = "stopping";
inline constexpr char Crashed[] = "crashed";
inline constexpr char Tombstone[] = "tombstone";
/// API 1.6.0: shown instead of running (or external) while the agent's harness reports them.
inline constexpr char RateLimited[] = "rate_limited";
inline constexpr char NeedsLogin[] = "needs_login";
inline constexpr char OverBudget[] = "over_budget";
} // namespace agentstates

/// The container part of an agent (absent for external agents).
struct ContainerInfo {
    QString backend;                    ///< "nspawn"
    std::optional<qint64> pid;          ///< the container's top process on the host, while it runs
    std::optional<QDateTime> startedAt; ///< when it was last started, while it runs
    std::optional<qint64> uptimeSeconds;
    qint64 uidBase = 0; ///< container uid 0 is this host uid
    qint64 uidCount = 0;
    QString network;                  ///< "host" or "none"
    QString memoryMax;                ///< systemd MemoryMax, e.g. "4G"
    QString cpuQuota;                 ///< systemd CPUQuota, e.g. "200%"
    qint64 crashes = 0;               ///< crashes since the operator last started it
    std::optional<QString> lastError; ///< why it last failed to start or crashed

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ContainerInfo> fromJson(const QJsonObject &json);
    friend bool operator==(const ContainerInfo &, const ContainerInfo &) = default;
};

/// agent_spawn: registers an agent and creates and starts its container, or nothing at all.
struct AgentSpawnParams {
    QString name;
    QString network = QStringLiteral("host");  ///< "host" or "none"
    QString memoryMax = QStringLiteral("4G");  ///< a size with K, M, G or T, or "infinity"
    QString cpuQuota = QStringLiteral("200%"); ///< a percentage, 1% to 10000%

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AgentSpawnParams> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentSpawnParams &, const AgentSpawnParams &) = default;
};

/// The lifecycle operations on one agent by name. Each is its own type so that the dispatcher
/// can tell them apart; they share the wire shape {name}.
enum class LifecycleOp { Spawn, Start, Kill, Restart, Update, Destroy, Revive, Purge };
[[nodiscard]] QString lifecycleOpName(LifecycleOp op);

template<LifecycleOp Op>
struct AgentOpParams {
    QString name;

    [[nodiscard]] QJsonObject toJson() const { return {{QStringLiteral("name"), name}}; }
    [[nodiscard]] static Result<AgentOpParams> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentOpParams &, const AgentOpParams &) = default;
};
using AgentStartParams = AgentOpParams<LifecycleOp::Start>;
using AgentKillParams = AgentOpParams<LifecycleOp::Kill>;
using AgentRestartParams = AgentOpParams<LifecycleOp::Restart>;
using AgentUpdateParams = AgentOpParams<LifecycleOp::Update>;
using AgentDestroyParams = AgentOpParams<LifecycleOp::Destroy>;
using AgentReviveParams = AgentOpParams<LifecycleOp::Revive>;
using AgentPurgeParams = AgentOpParams<LifecycleOp::Purge>;

/// agent_purge's answer: the agent is gone, so only its name comes back.
struct AgentPurgeResult {
    QString name;

    [[nodiscard]] QJsonObject toJson() const { return {{QStringLiteral("name"), name}}; }
    [[nodiscard]] static Result<AgentPurgeResult> fromJson(const QJsonObject &json);
    friend bool operator==(const AgentPurgeResult &, const AgentPurgeResult &) = default;
};

Result<QString> readAgentName(const QJsonObject &json);

template<LifecycleOp Op>
Result<AgentOpParams<Op>> AgentOpParams<Op>::fromJson(const QJsonObject &json)
{
    auto name = readAgentName(json);
    if (!name)
        return fail(name.error());
    return AgentOpParams{*name};
}

} // namespace hive::protocol
