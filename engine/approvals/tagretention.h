// SPDX-License-Identifier: MIT
#pragma once

#include "configrepo/configrepos.h"
#include "configrepo/gitrepo.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace hive::engine {

class Clock;

/// One tag the retention takes from an applied repo, and why.
struct TagRemoval {
    QString tag;    ///< "proposal/7"
    QString reason; ///< "superseded by denied/7", "older than 30 days"

    friend bool operator==(const TagRemoval &, const TagRemoval &) = default;
};

/// What the retention did (or in a dry run would do) to one agent's applied repo.
struct RepoRetention {
    QString agent;
    QList<TagRemoval> removed; ///< by approval id, then in the order of the approval's life
    qsizetype kept = 0;        ///< tags left in the repo, approval tags or not
    QString error;             ///< why the repo was not read or a tag not removed; empty when all went well
};

/// One run over every applied repo.
struct RetentionReport {
    bool dryRun = false;
    QList<RepoRetention> repos; ///< every applied repo, by agent name

    [[nodiscard]] qsizetype removedCount() const;
    [[nodiscard]] qsizetype keptCount() const;
    /// "applied/NAME: what went wrong", one per repo with an error.
    [[nodiscard]] QStringList errors() const;
};

/// Keeps the approval tags of the applied repos (`applied/<agent>`, see Approvals) from piling up.
/// For each approval id:
/// - `deployed/<id>` stays for good (main and the meta repo's log point at what it tags);
/// - `proposal/<id>`, `approved/<id>` and `building/<id>` go once a terminal tag of the same id
///   (`deployed`, `failed` or `denied`) exists: they only told the way there;
/// - `failed/<id>` and `denied/<id>` go when older than the retention (0 days: never);
/// - the tags of an approval without a terminal tag are its only record and stay, as does every
///   tag whose name is not `<state>/<number>`.
/// The meta repo is not an applied repo and is never touched. Each repo is on its own: one that
/// cannot be read is reported and the others are still collected.
class TagRetention
{
public:
    /// The default of approvals.tag_retention_days.
    static constexpr int DefaultDays = 30;

    TagRetention(const ConfigRepos &repos, const Clock &clock, int retentionDays);

    /// Collects every applied repo; a dry run removes nothing and reports what it would remove.
    /// A real run logs one line per repo it removed tags from.
    [[nodiscard]] RetentionReport run(bool dryRun) const;

    /// The tags of one repo that go at `now` (the rule above), in report order.
    [[nodiscard]] static QList<TagRemoval> plan(const QList<GitTagInfo> &tags, const QDateTime &now, int retentionDays);

private:
    /// The agents with an applied repo, by name.
    [[nodiscard]] QStringList appliedAgents() const;
    [[nodiscard]] RepoRetention collect(const QString &agent, bool dryRun) const;

    const ConfigRepos &m_repos;
    const Clock &m_clock;
    int m_retentionDays;
};

} // namespace hive::engine
