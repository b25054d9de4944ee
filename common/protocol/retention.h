// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace hive::protocol {

/// repo_gc: removes the approval tags the applied repos no longer need (see docs/protocol.md).
/// With `dryRun` nothing is removed and the result says what would be.
struct RepoGcParams {
    bool dryRun = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoGcParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoGcParams &, const RepoGcParams &) = default;
};

/// One tag taken (or, in a dry run, to be taken) from an agent's applied repo, and why.
struct RemovedTag {
    QString agent;
    QString tag;    ///< "proposal/7", without refs/tags/
    QString reason; ///< "superseded by denied/7", "older than 30 days"

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RemovedTag> fromJson(const QJsonObject &json);
    friend bool operator==(const RemovedTag &, const RemovedTag &) = default;
};

struct RepoGcResult {
    bool dryRun = false;
    QList<RemovedTag> removed; ///< by agent, then by approval id
    qint64 kept = 0;           ///< tags left in the applied repos (every tag, not only the approvals')

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoGcResult> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoGcResult &, const RepoGcResult &) = default;
};

} // namespace hive::protocol
