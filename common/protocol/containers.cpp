// SPDX-License-Identifier: MIT
#include "containers.h"

#include "jsonreader.h"

namespace hive::protocol {

QString lifecycleOpName(LifecycleOp op)
{
    switch (op) {
    case LifecycleOp::Spawn:
        return QStringLiteral("spawn");
    case LifecycleOp::Start:
        return QStringLiteral("start");
    case LifecycleOp::Kill:
        return QStringLiteral("kill");
    case LifecycleOp::Restart:
        return QStringLiteral("restart");
    case LifecycleOp::Update:
        return QStringLiteral("update");
    case LifecycleOp::Destroy:
        return QStringLiteral("destroy");
    case LifecycleOp::Revive:
        return QStringLiteral("revive");
    case LifecycleOp::Purge:
        return QStringLiteral("purge");
    }
    return QStringLiteral("unknown");
}

QJsonObject ContainerInfo::toJson() const
{
    QJsonObject json{{QStringLiteral("backend"), backend},      {QStringLiteral("uid_base"), uidBase},
                     {QStringLiteral("uid_count"), uidCount},   {QStringLiteral("network"), network},
                     {QStringLiteral("memory_max"), memoryMax}, {QStringLiteral("cpu_quota"), cpuQuota},
                     {QStringLiteral("crashes"), crashes}};
    if (pid)
        json.insert(QStringLiteral("pid"), *pid);
    if (startedAt)
        json.insert(QStringLiteral("started_at"), toWireTime(*startedAt));
    if (uptimeSeconds)
        json.insert(QStringLiteral("uptime_seconds"), *uptimeSeconds);
    if (lastError)
        json.insert(QStringLiteral("last_error"), *lastError);
    return json;
}

Result<ContainerInfo> ContainerInfo::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ContainerInfo p;
    r.required("backend", p.backend);
    r.optional("pid", p.pid);
    r.optional("started_at", p.startedAt);
    r.optional("uptime_seconds", p.uptimeSeconds);
    r.required("uid_base", p.uidBase);
    r.required("uid_count", p.uidCount);
    r.required("network", p.network);
    r.required("memory_max", p.memoryMax);
    r.required("cpu_quota", p.cpuQuota);
    r.required("crashes", p.crashes);
    r.optional("last_error", p.lastError);
    return r.finish(std::move(p));
}

QJsonObject AgentSpawnParams::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("network"), network},
            {QStringLiteral("memory_max"), memoryMax},
            {QStringLiteral("cpu_quota"), cpuQuota}};
}

Result<AgentSpawnParams> AgentSpawnParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AgentSpawnParams p;
    r.required("name", p.name);
    r.optional("network", p.network);
    r.optional("memory_max", p.memoryMax);
    r.optional("cpu_quota", p.cpuQuota);
    // Values are checked by the engine (one place, the same message for the API and config).
    return r.finish(std::move(p));
}

Result<AgentPurgeResult> AgentPurgeResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    AgentPurgeResult p;
    r.required("name", p.name);
    return r.finish(std::move(p));
}

Result<QString> readAgentName(const QJsonObject &json)
{
    JsonReader r(json);
    QString name;
    r.required("name", name);
    return r.finish(std::move(name));
}

} // namespace hive::protocol
