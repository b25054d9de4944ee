// SPDX-License-Identifier: MIT
#include "retention.h"

#include "jsonlist.h"
#include "jsonreader.h"

namespace hive::protocol {

QJsonObject RepoGcParams::toJson() const
{
    return {{QStringLiteral("dry_run"), dryRun}};
}

Result<RepoGcParams> RepoGcParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoGcParams p;
    r.optional("dry_run", p.dryRun);
    return r.finish(p);
}

QJsonObject RemovedTag::toJson() const
{
    return {{QStringLiteral("agent"), agent}, {QStringLiteral("tag"), tag}, {QStringLiteral("reason"), reason}};
}

Result<RemovedTag> RemovedTag::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RemovedTag p;
    r.required("agent", p.agent);
    r.required("tag", p.tag);
    r.required("reason", p.reason);
    return r.finish(std::move(p));
}

QJsonObject RepoGcResult::toJson() const
{
    return {{QStringLiteral("dry_run"), dryRun},
            {QStringLiteral("removed"), toJsonArray(removed)},
            {QStringLiteral("kept"), kept}};
}

Result<RepoGcResult> RepoGcResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoGcResult p;
    r.required("dry_run", p.dryRun);
    readObjectList(r, "removed", p.removed);
    r.required("kept", p.kept);
    return r.finish(std::move(p));
}

} // namespace hive::protocol
