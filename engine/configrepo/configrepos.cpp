// SPDX-License-Identifier: MIT
#include "configrepos.h"

#include <QDir>
#include <QFileInfo>

namespace hive::engine {

namespace {

const QString MainRef = QStringLiteral("refs/heads/main");

/// A TOML basic string.
QByteArray tomlString(const QString &text)
{
    QByteArray out = "\"";
    for (const QChar c : text) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += '\\' + QString(c).toUtf8();
        else if (c == QLatin1Char('\n'))
            out += "\\n";
        else if (c == QLatin1Char('\t'))
            out += "\\t";
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0')).toUtf8();
        else
            out += QString(c).toUtf8();
    }
    return out + '"';
}

Result<void> removeTree(const QString &path)
{
    QDir dir(path);
    if (dir.exists() && !dir.removeRecursively())
        return fail(ErrorCode::Io, QStringLiteral("cannot remove %1 completely").arg(path));
    return {};
}

} // namespace

QString ConfigRepos::proposedPath(const QString &agent) const
{
    return QDir(m_stateDir).filePath(QStringLiteral("agents/%1/config").arg(agent));
}

QString ConfigRepos::appliedPath(const QString &agent) const
{
    return QDir(m_stateDir).filePath(QStringLiteral("applied/%1").arg(agent));
}

QString ConfigRepos::metaPath() const
{
    return QDir(m_stateDir).filePath(QStringLiteral("meta"));
}

bool ConfigRepos::hasProposed(const QString &agent) const
{
    return GitRepo::exists(proposedPath(agent));
}

QByteArray ConfigRepos::defaultConfig(const QString &agent, const QString &description)
{
    QByteArray text = "# " + agent.toUtf8() +
                      ": every key is optional; docs/agent-config.md describes each one.\n"
                      "# Commit a change and ask for it with request_apply_commit.\n\n";
    text += "description = " + tomlString(description) + "\n";
    text += "# model = \"claude-sonnet-4-5\"\n"
            "# prompt = \"Extra instructions for this agent\"\n"
            "# allowed_recipients = [\"manager\", \"operator\"]\n"
            "# allowed_tools = [\"Read\", \"Edit\", \"Write\"]\n"
            "# allowed_bash_patterns = [\"git *\"]\n"
            "# network = \"host\"\n"
            "# terminal = true\n\n"
            "[limits]\n"
            "memory = \"4G\"\n"
            "cpu = \"200%\"\n";
    return text;
}

Result<QString> ConfigRepos::createProposed(const QString &agent, const QByteArray &toml)
{
    const QString path = proposedPath(agent);
    auto appliedRepo = applied(agent);
    if (!appliedRepo)
        return fail(appliedRepo.error());
    auto repo = GitRepo::init(path, false);
    if (!repo)
        return fail(repo.error());
    auto sha = repo->commitFiles(MainRef, {{QString::fromLatin1(ConfigFile), toml}},
                                 QStringLiteral("%1: the default config").arg(agent), GitSignature{});
    if (!sha)
        return fail(sha.error());
    if (auto remote = repo->setRemote(QStringLiteral("applied"), QStringLiteral("../../../applied/%1").arg(agent));
        !remote)
        return fail(remote.error());
    return sha;
}

Result<GitRepo> ConfigRepos::proposed(const QString &agent) const
{
    const QString path = proposedPath(agent);
    if (!GitRepo::exists(path))
        return fail(ErrorCode::NotFound, QStringLiteral("'%1' has no config repo (%2)").arg(agent, path));
    return GitRepo::open(path);
}

Result<GitRepo> ConfigRepos::applied(const QString &agent) const
{
    const QString path = appliedPath(agent);
    return GitRepo::exists(path) ? GitRepo::open(path) : GitRepo::init(path, true);
}

Result<GitRepo> ConfigRepos::meta() const
{
    const QString path = metaPath();
    return GitRepo::exists(path) ? GitRepo::open(path) : GitRepo::init(path, true);
}

Result<CheckedConfig> ConfigRepos::importProposal(const QString &agent, const QString &commitRef)
{
    auto source = proposed(agent);
    if (!source)
        return fail(source.error());
    auto sha = source->resolveCommit(commitRef);
    if (!sha) {
        return fail(
            sha.error().code,
            QStringLiteral("'%1' is not a commit of %2's config repo: %3").arg(commitRef, agent, sha.error().message));
    }
    auto checked = checkConfig(*source, *sha);
    if (!checked)
        return fail(checked.error());
    auto target = applied(agent);
    if (!target)
        return fail(target.error());
    if (auto copied = target->copyCommit(*source, *sha); !copied)
        return fail(copied.error());
    return checked;
}

Result<CheckedConfig> ConfigRepos::checkConfig(const GitRepo &repo, const QString &sha)
{
    const QString file = QString::fromLatin1(ConfigFile);
    auto toml = repo.readFile(sha, file);
    if (!toml) {
        if (toml.error().code == ErrorCode::NotFound)
            return fail(ErrorCode::Config, QStringLiteral("commit %1 has no %2 at its root").arg(shortSha(sha), file));
        return fail(toml.error());
    }
    auto config = parseAgentConfig(*toml, file);
    if (!config)
        return fail(config.error().code,
                    QStringLiteral("%1 at commit %2 is invalid:\n%3").arg(file, shortSha(sha), config.error().message));
    CheckedConfig checked{sha, *toml, *config, config->prompt};
    if (!config->promptFile.isEmpty()) {
        auto prompt = repo.readFile(sha, config->promptFile);
        if (!prompt) {
            return fail(ErrorCode::Config, QStringLiteral("%1 at commit %2: the prompt file '%3' is not in the commit")
                                               .arg(file, shortSha(sha), config->promptFile));
        }
        checked.prompt = QString::fromUtf8(*prompt);
    }
    return checked;
}

Result<QMap<QString, std::pair<QString, QString>>> ConfigRepos::running() const
{
    QMap<QString, std::pair<QString, QString>> entries;
    auto repo = meta();
    if (!repo)
        return fail(repo.error());
    auto head = repo->refTarget(MainRef);
    if (!head)
        return fail(head.error());
    if (!*head)
        return entries;
    auto text = repo->readFile(**head, QString::fromLatin1(RunningFile));
    if (!text)
        return fail(text.error());
    for (const QByteArray &line : text->split('\n')) {
        const QList<QByteArray> fields = line.split(' ');
        if (fields.size() == 3)
            entries.insert(QString::fromUtf8(fields[0]), {QString::fromUtf8(fields[1]), QString::fromUtf8(fields[2])});
    }
    return entries;
}

Result<QString> ConfigRepos::recordDeploy(const QString &agent, const QString &tag, const QString &sha)
{
    auto entries = running();
    if (!entries)
        return fail(entries.error());
    auto repo = meta();
    if (!repo)
        return fail(repo.error());
    if (entries->value(agent) == std::pair{sha, tag}) {
        auto head = repo->refTarget(MainRef);
        if (!head)
            return fail(head.error());
        return head->value_or(QString());
    }
    entries->insert(agent, {sha, tag});
    QByteArray text;
    for (auto it = entries->cbegin(); it != entries->cend(); ++it)
        text += QStringLiteral("%1 %2 %3\n").arg(it.key(), it->first, it->second).toUtf8();
    return repo->commitFiles(MainRef, {{QString::fromLatin1(RunningFile), text}},
                             QStringLiteral("deploy %1 %2 %3").arg(agent, tag, shortSha(sha)), GitSignature{});
}

Result<void> ConfigRepos::removeProposed(const QString &agent)
{
    return removeTree(proposedPath(agent));
}

Result<void> ConfigRepos::removeApplied(const QString &agent)
{
    return removeTree(appliedPath(agent));
}

} // namespace hive::engine
