// SPDX-License-Identifier: MIT
#include "tagretention.h"

#include "clock.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMap>
#include <QRegularExpression>

#include <algorithm>
#include <array>
#include <optional>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcRetention, "hive.approvals")

// The tag prefixes in the order of an approval's life; the index orders a report.
constexpr std::array<const char *, 6> States{"proposal", "approved", "building", "deployed", "failed", "denied"};
constexpr qsizetype Deployed = 3;
constexpr qsizetype FirstTerminal = Deployed; // deployed, failed, denied

struct ApprovalTag {
    qsizetype state = 0; ///< index in States
    const GitTagInfo *info = nullptr;
};

/// "<state>/<id>" with a known state and a positive id, else nothing.
std::optional<std::pair<qint64, qsizetype>> parseTag(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^([a-z]+)/([1-9][0-9]{0,17})$"));
    const auto match = pattern.match(name);
    if (!match.hasMatch())
        return std::nullopt;
    for (qsizetype i = 0; i < qsizetype(States.size()); ++i) {
        if (match.capturedView(1) == QLatin1String(States.at(i)))
            return std::pair{match.capturedView(2).toLongLong(), i};
    }
    return std::nullopt;
}

} // namespace

qsizetype RetentionReport::removedCount() const
{
    qsizetype count = 0;
    for (const RepoRetention &repo : repos)
        count += repo.removed.size();
    return count;
}

qsizetype RetentionReport::keptCount() const
{
    qsizetype count = 0;
    for (const RepoRetention &repo : repos)
        count += repo.kept;
    return count;
}

QStringList RetentionReport::errors() const
{
    QStringList errors;
    for (const RepoRetention &repo : repos) {
        if (!repo.error.isEmpty())
            errors << QStringLiteral("applied/%1: %2").arg(repo.agent, repo.error);
    }
    return errors;
}

TagRetention::TagRetention(const ConfigRepos &repos, const Clock &clock, int retentionDays)
    : m_repos(repos), m_clock(clock), m_retentionDays(retentionDays)
{}

QList<TagRemoval> TagRetention::plan(const QList<GitTagInfo> &tags, const QDateTime &now, int retentionDays)
{
    QMap<qint64, QList<ApprovalTag>> byId; // ordered: the report goes by id
    for (const GitTagInfo &tag : tags) {
        if (const auto parsed = parseTag(tag.name))
            byId[parsed->first].append(ApprovalTag{parsed->second, &tag});
    }
    const QDateTime cutoff = now.addDays(-retentionDays);
    QList<TagRemoval> removals;
    for (auto it = byId.begin(); it != byId.end(); ++it) {
        QList<ApprovalTag> &approval = it.value();
        std::sort(approval.begin(), approval.end(),
                  [](const ApprovalTag &a, const ApprovalTag &b) { return a.state < b.state; });
        const auto terminal = std::find_if(approval.cbegin(), approval.cend(),
                                           [](const ApprovalTag &tag) { return tag.state >= FirstTerminal; });
        if (terminal == approval.cend())
            continue; // unresolved: its tags are the approval's only record
        const QString resolvedBy = terminal->info->name;
        for (const ApprovalTag &tag : std::as_const(approval)) {
            if (tag.state < FirstTerminal) {
                removals.append({tag.info->name, QStringLiteral("superseded by %1").arg(resolvedBy)});
            } else if (tag.state != Deployed && retentionDays > 0 && tag.info->time.isValid() &&
                       tag.info->time < cutoff) {
                removals.append({tag.info->name, QStringLiteral("older than %1 days").arg(retentionDays)});
            }
        }
    }
    return removals;
}

QStringList TagRetention::appliedAgents() const
{
    // The directory that holds every applied repo (ConfigRepos names the layout).
    const QDir root = QFileInfo(m_repos.appliedPath(QStringLiteral("agent"))).dir();
    QStringList agents;
    const QStringList names = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &name : names) {
        if (GitRepo::exists(m_repos.appliedPath(name)))
            agents << name;
    }
    return agents;
}

RepoRetention TagRetention::collect(const QString &agent, bool dryRun) const
{
    RepoRetention result;
    result.agent = agent;
    // Opened, not ConfigRepos::applied(): that one creates a missing repo.
    auto repo = GitRepo::open(m_repos.appliedPath(agent));
    if (!repo) {
        result.error = repo.error().message;
        return result;
    }
    auto tags = repo->tags();
    if (!tags) {
        result.error = tags.error().message;
        return result;
    }
    const QList<TagRemoval> planned = plan(*tags, m_clock.now(), m_retentionDays);
    result.kept = tags->size() - planned.size();
    if (dryRun) {
        result.removed = planned;
        return result;
    }
    QStringList problems;
    for (const TagRemoval &removal : planned) {
        if (auto deleted = repo->deleteTag(removal.tag); !deleted) {
            problems << deleted.error().message;
            ++result.kept;
            continue;
        }
        result.removed.append(removal);
    }
    result.error = problems.join(QStringLiteral("; "));
    return result;
}

RetentionReport TagRetention::run(bool dryRun) const
{
    RetentionReport report;
    report.dryRun = dryRun;
    const QStringList agents = appliedAgents();
    for (const QString &agent : agents) {
        RepoRetention repo = collect(agent, dryRun);
        if (!repo.error.isEmpty())
            qCWarning(lcRetention).noquote() << QStringLiteral("tag retention: applied/%1: %2").arg(agent, repo.error);
        if (!dryRun && !repo.removed.isEmpty()) {
            qCInfo(lcRetention).noquote() << QStringLiteral("tag retention: applied/%1: removed %2 tag(s), kept %3")
                                                 .arg(agent)
                                                 .arg(repo.removed.size())
                                                 .arg(repo.kept);
        }
        report.repos.append(std::move(repo));
    }
    return report;
}

} // namespace hive::engine
