// SPDX-License-Identifier: MIT
#include "reposcontroller.h"

#include "approvals/approvals.h"
#include "broker/agentregistry.h"
#include "configrepo/gitobjects.h"

#include <QStringDecoder>

#include <algorithm>

namespace hive::engine {

namespace {

using namespace git;

/// The approval states in the order of a deploy, which repo_tags sorts by (see Approvals).
const QStringList TagStates{QStringLiteral("proposal"), QStringLiteral("approved"), QStringLiteral("building"),
                            QStringLiteral("deployed"), QStringLiteral("failed"),   QStringLiteral("denied")};

/// "alice's applied repo", "the meta repo": what error messages call the repo.
QString describe(const protocol::RepoSelector &selector)
{
    if (!selector.agent)
        return QStringLiteral("the meta repo");
    return QStringLiteral("%1's %2 repo").arg(*selector.agent, selector.repo);
}

/// A path inside the repo without the slashes around it ("" the root).
QString cleanPath(QString path)
{
    while (path.startsWith(QLatin1Char('/')))
        path.remove(0, 1);
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    return path;
}

/// The commit `ref` names; nothing for main (or HEAD) while it is unborn, in a repo without commits.
Result<std::optional<QString>> resolve(const GitRepo &repo, const QString &ref, const QString &where)
{
    auto sha = repo.resolveCommit(ref);
    if (sha)
        return std::optional<QString>(*sha);
    if (sha.error().code != ErrorCode::NotFound)
        return fail(sha.error().wrapped(where));
    const QString fullRef = ref == QLatin1String("main") ? QStringLiteral("refs/heads/main") : ref;
    if (fullRef == QLatin1String("refs/heads/main") || fullRef == QLatin1String("HEAD")) {
        auto target = repo.refTarget(fullRef);
        if (!target)
            return fail(target.error());
        if (!*target)
            return std::optional<QString>();
    }
    return fail(
        ErrorCode::NotFound,
        QStringLiteral("%1 has no commit '%2' (a sha or a unique prefix of one, a branch or a tag)").arg(where, ref));
}

/// As resolve(), with an unborn main a NotFound too: for the methods that need a commit.
Result<QString> resolveExisting(const GitRepo &repo, const QString &ref, const QString &where)
{
    auto sha = resolve(repo, ref, where);
    if (!sha)
        return fail(sha.error());
    if (!*sha)
        return fail(ErrorCode::NotFound, QStringLiteral("%1 has no commits yet ('%2' is unborn)").arg(where, ref));
    return **sha;
}

protocol::RepoCommit toProtocol(const GitCommitInfo &commit)
{
    return {commit.sha,           commit.parents,    commit.authorName, commit.authorEmail, commit.authorTime,
            commit.committerName, commit.commitTime, commit.summary,    commit.message};
}

protocol::FileDiff toProtocol(const GitFileDiff &file)
{
    protocol::FileDiff out{file.oldPath, file.newPath, file.status, file.binary, file.additions, file.deletions, {}};
    for (const GitDiffHunk &hunk : file.hunks)
        out.hunks << protocol::DiffHunk{hunk.oldStart, hunk.oldLines, hunk.newStart,
                                        hunk.newLines, hunk.header,   hunk.lines};
    return out;
}

/// Whether the commit's message, author name or email contains `needle` (any case), or its sha
/// starts with it.
bool matches(git_commit *commit, const QString &needle)
{
    if (oidString(git_commit_id(commit)).startsWith(needle, Qt::CaseInsensitive))
        return true;
    const git_signature *author = git_commit_author(commit);
    const char *message = git_commit_message(commit);
    return QString::fromUtf8(message ? message : "").contains(needle, Qt::CaseInsensitive) ||
           QString::fromUtf8(author->name).contains(needle, Qt::CaseInsensitive) ||
           QString::fromUtf8(author->email).contains(needle, Qt::CaseInsensitive);
}

/// repo_log with a search: every commit is read to be matched, so this walks the whole history in
/// the order GitRepo::log pages through (topological, newest first) and pages over the matches.
/// It is here rather than in GitRepo because only this method searches.
Result<GitLogPage> searchLog(const GitRepo &repo, const QString &sha, qsizetype offset, qsizetype limit,
                             const QString &path, const QString &needle)
{
    git_repository *handle = repo.handle();
    git_oid tip;
    const QByteArray tipText = sha.toLatin1();
    if (const int error = git_oid_fromstr(&tip, tipText.constData()); error < 0)
        return failed(error, handle, QStringLiteral("reading the sha %1").arg(sha));
    git_revwalk *rawWalk = nullptr;
    if (const int error = git_revwalk_new(&rawWalk, handle); error < 0)
        return failed(error, handle, QStringLiteral("walking the history"));
    const RevwalkPtr walk(rawWalk);
    git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    if (const int error = git_revwalk_push(walk.get(), &tip); error < 0)
        return failed(error, handle, QStringLiteral("walking the history from %1").arg(sha));
    const QByteArray filterPath = path.toUtf8();
    GitLogPage page;
    qsizetype skipped = 0;
    git_oid id;
    int error = 0;
    while ((error = git_revwalk_next(&id, walk.get())) == 0) {
        git_commit *rawCommit = nullptr;
        if (error = git_commit_lookup(&rawCommit, handle, &id); error < 0)
            return failed(error, handle, QStringLiteral("reading the commit %1").arg(oidString(&id)));
        const CommitPtr commit(rawCommit);
        if (!matches(commit.get(), needle))
            continue;
        if (!filterPath.isEmpty()) {
            auto changes = changesPath(handle, commit.get(), filterPath);
            if (!changes)
                return fail(changes.error());
            if (!*changes)
                continue;
        }
        if (skipped < offset) {
            ++skipped;
            continue;
        }
        if (page.commits.size() == limit) {
            page.more = true;
            break;
        }
        page.commits << commitInfo(commit.get());
    }
    if (error < 0 && error != GIT_ITEROVER)
        return failed(error, handle, QStringLiteral("walking the history from %1").arg(sha));
    return page;
}

/// Text a client can show as it is: valid UTF-8 without NUL bytes (git calls a file with a NUL binary).
bool isText(const QByteArray &bytes)
{
    if (bytes.contains('\0'))
        return false;
    QStringDecoder decoder(QStringDecoder::Utf8);
    [[maybe_unused]] const QString text = decoder.decode(bytes);
    return !decoder.hasError();
}

/// `<state>/<id>` split into its parts, for an approval state and a positive decimal id.
void splitApprovalTag(protocol::RepoTag &tag)
{
    const QStringList parts = tag.name.split(QLatin1Char('/'));
    if (parts.size() != 2 || !TagStates.contains(parts[0]) || parts[1].startsWith(QLatin1Char('0')) ||
        !std::all_of(parts[1].cbegin(), parts[1].cend(), [](QChar c) { return c >= u'0' && c <= u'9'; }))
        return;
    bool ok = false;
    const qint64 id = parts[1].toLongLong(&ok);
    if (!ok || id <= 0)
        return;
    tag.state = parts[0];
    tag.id = id;
}

} // namespace

Result<GitRepo> ReposController::open(const protocol::RepoSelector &selector) const
{
    ConfigRepos &repos = m_services.approvals.repos();
    if (!selector.agent) {
        // The first deploy creates the meta repo; before it, browsing shows it empty.
        return repos.meta();
    }
    const QString &name = *selector.agent;
    auto agent = m_services.agents.find(name);
    if (!agent)
        return fail(agent.error());
    // Drafts have a proposed repo before they are registered; any other name must be an agent's.
    if (!*agent) {
        if (auto valid = AgentRegistry::validateName(name); !valid)
            return fail(valid.error().wrapped(QStringLiteral("invalid field 'agent'")));
    }
    const bool proposed = selector.repo == QLatin1String(protocol::repokinds::Proposed);
    const QString path = proposed ? repos.proposedPath(name) : repos.appliedPath(name);
    if (!GitRepo::exists(path)) {
        if (!*agent)
            return fail(ErrorCode::NotFound, QStringLiteral("no agent named '%1'").arg(name));
        return fail(ErrorCode::NotFound, QStringLiteral("agent '%1' has no %2 repo").arg(name, selector.repo));
    }
    return GitRepo::open(path);
}

Result<protocol::RepoLogResult> ReposController::handle(const protocol::RepoLogParams &params,
                                                        const CallContext & /*context*/)
{
    auto repo = open(params.selector);
    if (!repo)
        return fail(repo.error());
    auto sha = resolve(*repo, params.ref, describe(params.selector));
    if (!sha)
        return fail(sha.error());
    protocol::RepoLogResult result;
    result.nextOffset = params.offset;
    if (!*sha)
        return result;
    const QString path = cleanPath(params.path);
    auto page = params.search.isEmpty() ? repo->log(**sha, params.offset, params.limit, path)
                                        : searchLog(*repo, **sha, params.offset, params.limit, path, params.search);
    if (!page)
        return fail(page.error());
    for (const GitCommitInfo &commit : std::as_const(page->commits))
        result.commits << toProtocol(commit);
    result.more = page->more;
    result.nextOffset = params.offset + result.commits.size();
    return result;
}

Result<protocol::RepoTagsResult> ReposController::handle(const protocol::RepoTagsParams &params,
                                                         const CallContext & /*context*/)
{
    auto repo = open(params.selector);
    if (!repo)
        return fail(repo.error());
    auto tags = repo->tags();
    if (!tags)
        return fail(tags.error());
    protocol::RepoTagsResult result;
    for (const GitTagInfo &tag : std::as_const(*tags)) {
        protocol::RepoTag out;
        out.name = tag.name;
        out.target = tag.target;
        out.annotated = tag.annotated;
        if (tag.annotated) {
            out.taggerName = tag.taggerName;
            out.taggerEmail = tag.taggerEmail;
        }
        out.time = tag.time;
        out.message = tag.message;
        splitApprovalTag(out);
        result.tags << out;
    }
    // Approvals by id, each in the order of its steps; other tags after them by name.
    std::stable_sort(result.tags.begin(), result.tags.end(),
                     [](const protocol::RepoTag &a, const protocol::RepoTag &b) {
                         if (a.id.has_value() != b.id.has_value())
                             return a.id.has_value();
                         if (!a.id)
                             return a.name < b.name;
                         if (*a.id != *b.id)
                             return *a.id < *b.id;
                         return TagStates.indexOf(*a.state) < TagStates.indexOf(*b.state);
                     });
    return result;
}

Result<protocol::RepoDiffResult> ReposController::handle(const protocol::RepoDiffParams &params,
                                                         const CallContext & /*context*/)
{
    auto repo = open(params.selector);
    if (!repo)
        return fail(repo.error());
    const QString where = describe(params.selector);
    auto to = resolveExisting(*repo, params.to, where);
    if (!to)
        return fail(to.error().wrapped(QStringLiteral("invalid field 'to'")));
    protocol::RepoDiffResult result;
    result.to = *to;
    if (params.from) {
        auto from = resolveExisting(*repo, *params.from, where);
        if (!from)
            return fail(from.error().wrapped(QStringLiteral("invalid field 'from'")));
        result.from = *from;
    } else {
        auto commit = repo->commit(*to);
        if (!commit)
            return fail(commit.error());
        if (!commit->parents.isEmpty())
            result.from = commit->parents.first();
    }
    auto files = repo->diff(result.from.value_or(QString()), *to, params.contextLines);
    if (!files)
        return fail(files.error());
    for (const GitFileDiff &file : std::as_const(*files))
        result.files << toProtocol(file);
    return result;
}

Result<protocol::RepoFileResult> ReposController::handle(const protocol::RepoFileParams &params,
                                                         const CallContext & /*context*/)
{
    const QString path = cleanPath(params.path);
    if (path.isEmpty())
        return fail(
            ErrorCode::InvalidParams,
            QStringLiteral("invalid field 'path': names the root directory, not a file; list it with repo_tree"));
    auto repo = open(params.selector);
    if (!repo)
        return fail(repo.error());
    const QString where = describe(params.selector);
    auto sha = resolveExisting(*repo, params.ref, where);
    if (!sha)
        return fail(sha.error());
    // The size comes from the directory's listing (the object's header), so a file over the cap is
    // refused without being read.
    const QString dir = path.contains(QLatin1Char('/')) ? path.section(QLatin1Char('/'), 0, -2) : QString();
    const QString name = path.section(QLatin1Char('/'), -1);
    const QString missing =
        QStringLiteral("%1 has no file '%2' at %3 (%4)").arg(where, path, params.ref, shortSha(*sha));
    auto entries = repo->tree(*sha, dir);
    if (!entries && entries.error().code == ErrorCode::NotFound)
        return fail(ErrorCode::NotFound, missing);
    if (!entries)
        return fail(entries.error());
    const auto entry = std::find_if(entries->cbegin(), entries->cend(),
                                    [&name](const GitTreeEntry &candidate) { return candidate.name == name; });
    if (entry == entries->cend())
        return fail(ErrorCode::NotFound, missing);
    if (entry->kind != QLatin1String("blob")) {
        return fail(
            ErrorCode::NotFound,
            QStringLiteral("'%1' at %2 in %3 is a %4, not a file%5")
                .arg(path, params.ref, where,
                     entry->kind == QLatin1String("tree") ? QStringLiteral("directory") : QStringLiteral("submodule"),
                     entry->kind == QLatin1String("tree") ? QStringLiteral(": list it with repo_tree") : QString()));
    }
    if (entry->size > protocol::RepoFileMaxBytes) {
        return fail(ErrorCode::TooLarge, QStringLiteral("'%1' at %2 in %3 is %4 bytes, over repo_file's cap of %5 "
                                                        "bytes (4 MiB)")
                                             .arg(path, params.ref, where)
                                             .arg(entry->size)
                                             .arg(protocol::RepoFileMaxBytes));
    }
    auto content = repo->readFile(*sha, path);
    if (!content)
        return fail(content.error());
    protocol::RepoFileResult result;
    result.ref = params.ref;
    result.sha = *sha;
    result.path = path;
    result.size = content->size();
    result.binary = !isText(*content);
    result.content = std::move(*content);
    return result;
}

Result<protocol::RepoTreeResult> ReposController::handle(const protocol::RepoTreeParams &params,
                                                         const CallContext & /*context*/)
{
    auto repo = open(params.selector);
    if (!repo)
        return fail(repo.error());
    const QString where = describe(params.selector);
    auto sha = resolveExisting(*repo, params.ref, where);
    if (!sha)
        return fail(sha.error());
    const QString path = cleanPath(params.path);
    auto entries = repo->tree(*sha, path);
    if (!entries && entries.error().code == ErrorCode::NotFound) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("%1 has no directory '%2' at %3 (%4)").arg(where, path, params.ref, shortSha(*sha)));
    }
    if (!entries)
        return fail(entries.error());
    protocol::RepoTreeResult result{params.ref, *sha, path, {}};
    for (const GitTreeEntry &entry : std::as_const(*entries))
        result.entries << protocol::RepoTreeEntry{entry.name, entry.path, entry.kind,
                                                  entry.sha,  entry.size, entry.executable};
    return result;
}

} // namespace hive::engine
