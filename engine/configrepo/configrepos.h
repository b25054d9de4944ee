// SPDX-License-Identifier: MIT
#pragma once

#include "agentconfig.h"
#include "gitrepo.h"
#include "result.h"

#include <QByteArray>
#include <QMap>
#include <QString>

namespace hive::engine {

/// A config commit that passed the checks: its sha, agent.toml as written and as read, and the
/// prompt text it names (inline or from its file).
struct CheckedConfig {
    QString sha;
    QByteArray toml;
    AgentConfig config;
    QString prompt;
};

/// The git side of the config repos under the state dir:
/// - `agents/<n>/config`: the proposed repo (a work tree; the manager edits it), with a remote
///   `applied` at `../../../applied/<n>` so that `git fetch applied` works on the host and in the
///   manager's container alike;
/// - `applied/<n>`: the applied repo (bare; only the engine writes it): every proposed commit,
///   the approvals' tags, and `main` at the deployed config;
/// - `meta/`: the deploy log (bare), one commit per deploy with `running.txt` naming each
///   agent's running commit.
class ConfigRepos
{
public:
    /// The file every config repo holds at its root.
    static constexpr char ConfigFile[] = "agent.toml";
    /// The meta repo's file: one line per agent, "NAME SHA deployed/ID", sorted by name.
    static constexpr char RunningFile[] = "running.txt";

    explicit ConfigRepos(QString stateDir) : m_stateDir(std::move(stateDir)) {}

    [[nodiscard]] QString proposedPath(const QString &agent) const;
    [[nodiscard]] QString appliedPath(const QString &agent) const;
    [[nodiscard]] QString metaPath() const;
    [[nodiscard]] bool hasProposed(const QString &agent) const;

    /// The agent.toml a new agent starts with: every default, with the description (if any)
    /// and comments pointing to the documentation.
    [[nodiscard]] static QByteArray defaultConfig(const QString &agent, const QString &description);

    /// Creates the proposed repo with `toml` as its first commit on main (checked out), its
    /// applied repo when missing, and the `applied` remote; returns the commit. AlreadyExists
    /// when the proposed repo is there.
    [[nodiscard]] Result<QString> createProposed(const QString &agent, const QByteArray &toml);
    [[nodiscard]] Result<GitRepo> proposed(const QString &agent) const;
    /// The applied repo, created (bare, empty) when missing.
    [[nodiscard]] Result<GitRepo> applied(const QString &agent) const;
    /// The meta repo, created (bare, empty) when missing.
    [[nodiscard]] Result<GitRepo> meta() const;

    /// Resolves `commitRef` (hex digits) in the agent's proposed repo, checks the config at that
    /// commit (checkConfig) and copies the commit into the applied repo. An unknown or ambiguous
    /// sha is NotFound / InvalidParams; an invalid config is Config with every problem.
    [[nodiscard]] Result<CheckedConfig> importProposal(const QString &agent, const QString &commitRef);
    /// Reads and checks agent.toml at `sha` of `repo`: it must exist and parse, and a prompt file
    /// it names must be in the commit.
    [[nodiscard]] static Result<CheckedConfig> checkConfig(const GitRepo &repo, const QString &sha);

    /// Commits the deploy to the meta repo: `running.txt` with the agent at `sha`, and the message
    /// "deploy AGENT TAG SHA12". Idempotent: when running.txt already names that sha and tag,
    /// nothing is committed. Returns the meta commit (the existing one when nothing changed).
    [[nodiscard]] Result<QString> recordDeploy(const QString &agent, const QString &tag, const QString &sha);
    /// What running.txt at meta's main says: agent -> {sha, tag}.
    [[nodiscard]] Result<QMap<QString, std::pair<QString, QString>>> running() const;

    /// Removes the proposed repo (a discarded draft, a denied spawn) or the applied repo (purge).
    [[nodiscard]] Result<void> removeProposed(const QString &agent);
    [[nodiscard]] Result<void> removeApplied(const QString &agent);

private:
    QString m_stateDir;
};

} // namespace hive::engine
