// SPDX-License-Identifier: MIT
#include "gitobjects.h"

#include <QSet>
#include <QStringList>

#include <vector>

namespace hive::engine::git {

/// libgit2 wants git_libgit2_init() once per process before any other call. It is never shut
/// down: a GitRepo may live until exit on any thread, and a second init/shutdown pair is not free.
void ensureLibgit2()
{
    static const int initialized = git_libgit2_init();
    Q_UNUSED(initialized)
}

QString repoPath(git_repository *repo)
{
    const char *dir = git_repository_is_bare(repo) ? git_repository_path(repo) : git_repository_workdir(repo);
    QString path = QString::fromUtf8(dir ? dir : git_repository_path(repo));
    while (path.size() > 1 && path.endsWith(QLatin1Char('/')))
        path.chop(1);
    return path;
}

ErrorCode errorCodeFor(int error)
{
    switch (error) {
    case GIT_ENOTFOUND:
    case GIT_EUNBORNBRANCH:
        return ErrorCode::NotFound;
    case GIT_EEXISTS:
        return ErrorCode::AlreadyExists;
    case GIT_EINVALIDSPEC:
    case GIT_EAMBIGUOUS:
        return ErrorCode::InvalidParams;
    default:
        return ErrorCode::Io;
    }
}

Unexpected failAs(ErrorCode code, const QString &where, const QString &what)
{
    const git_error *last = git_error_last();
    const QString reason =
        last && last->message ? QString::fromUtf8(last->message).trimmed() : QStringLiteral("unknown libgit2 error");
    return fail(code, QStringLiteral("%1 in %2: %3").arg(what, where, reason));
}

Unexpected failed(int error, git_repository *repo, const QString &what)
{
    return failAs(errorCodeFor(error), repoPath(repo), what);
}

QString oidString(const git_oid *oid)
{
    char text[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(text, sizeof text, oid);
    return QString::fromLatin1(text);
}

QByteArray oidKey(const git_oid *oid)
{
    return {reinterpret_cast<const char *>(oid->id), GIT_OID_RAWSZ};
}

QDateTime utc(git_time_t seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC);
}

/// libgit2 keeps the final line break of a message; callers get the text without it.
QString messageText(const char *message)
{
    QString text = QString::fromUtf8(message ? message : "");
    while (text.endsWith(QLatin1Char('\n')))
        text.chop(1);
    return text;
}

/// Like the git CLI, a message ends with a line break.
QByteArray messageBytes(const QString &message)
{
    QByteArray bytes = message.toUtf8();
    if (!bytes.isEmpty() && !bytes.endsWith('\n'))
        bytes.append('\n');
    return bytes;
}

Result<SignaturePtr> makeSignature(git_repository *repo, const GitSignature &who)
{
    const QByteArray name = who.name.toUtf8();
    const QByteArray email = who.email.toUtf8();
    git_signature *signature = nullptr;
    const int error = who.when.isValid() ? git_signature_new(&signature, name.constData(), email.constData(),
                                                             who.when.toSecsSinceEpoch(), who.when.offsetFromUtc() / 60)
                                         : git_signature_now(&signature, name.constData(), email.constData());
    if (error < 0)
        return failAs(ErrorCode::InvalidParams, repoPath(repo),
                      QStringLiteral("making the signature '%1 <%2>'").arg(who.name, who.email));
    return SignaturePtr(signature);
}

Result<CommitPtr> lookupCommit(git_repository *repo, const QString &spec)
{
    if (spec.trimmed().isEmpty())
        return fail(ErrorCode::InvalidParams, QStringLiteral("no commit named in %1").arg(repoPath(repo)));
    const QByteArray text = spec.toUtf8();
    git_object *found = nullptr;
    if (const int error = git_revparse_single(&found, repo, text.constData()); error < 0)
        return failed(error, repo, QStringLiteral("resolving '%1'").arg(spec));
    const ObjectPtr object(found);
    git_object *peeled = nullptr;
    if (git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT) < 0)
        return failAs(ErrorCode::InvalidParams, repoPath(repo),
                      QStringLiteral("'%1' does not name a commit").arg(spec));
    return CommitPtr(reinterpret_cast<git_commit *>(peeled));
}

Result<TreePtr> commitTree(git_repository *repo, git_commit *commit)
{
    git_tree *tree = nullptr;
    if (const int error = git_commit_tree(&tree, commit); error < 0)
        return failed(error, repo, QStringLiteral("reading the tree of %1").arg(oidString(git_commit_id(commit))));
    return TreePtr(tree);
}

Result<RefState> refState(git_repository *repo, const QString &refName)
{
    if (refName != QLatin1String("HEAD") && !refName.startsWith(QLatin1String("refs/")))
        return fail(
            ErrorCode::InvalidParams,
            QStringLiteral("'%1' is not a full ref name (HEAD or refs/...) in %2").arg(refName, repoPath(repo)));
    RefState state{refName.toUtf8(), std::nullopt};
    int valid = 0;
    if (git_reference_name_is_valid(&valid, state.name.constData()) < 0 || !valid)
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("'%1' is not a valid ref name in %2").arg(refName, repoPath(repo)));
    git_reference *found = nullptr;
    int error = git_reference_lookup(&found, repo, state.name.constData());
    ReferencePtr ref(found);
    if (error == 0 && git_reference_type(ref.get()) == GIT_REFERENCE_SYMBOLIC) {
        state.name = git_reference_symbolic_target(ref.get());
        error = git_reference_lookup(&found, repo, state.name.constData());
        ref.reset(found);
    }
    if (error == GIT_ENOTFOUND)
        return state;
    if (error < 0)
        return failed(error, repo, QStringLiteral("reading the ref %1").arg(refName));
    if (const git_oid *target = git_reference_target(ref.get()))
        state.target = *target;
    return state;
}

/// The commit an object id peels to.
Result<CommitPtr> peelToCommit(git_repository *repo, const git_oid &id)
{
    git_object *found = nullptr;
    if (const int error = git_object_lookup(&found, repo, &id, GIT_OBJECT_ANY); error < 0)
        return failed(error, repo, QStringLiteral("reading %1").arg(oidString(&id)));
    const ObjectPtr object(found);
    git_object *peeled = nullptr;
    if (git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT) < 0)
        return failAs(ErrorCode::InvalidParams, repoPath(repo),
                      QStringLiteral("%1 does not lead to a commit").arg(oidString(&id)));
    return CommitPtr(reinterpret_cast<git_commit *>(peeled));
}

/// Why `path` cannot be a file of a commit written from `files`, or nothing when it can.
std::optional<QString> pathProblem(const QString &path, const QMap<QString, QByteArray> &files)
{
    if (path.isEmpty())
        return QStringLiteral("a file path is empty");
    if (path.contains(QChar(0)) || path.contains(QLatin1Char('\\')))
        return QStringLiteral("'%1' contains a NUL or a backslash").arg(path);
    const QStringList parts = path.split(QLatin1Char('/'));
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QString &part = parts.at(i);
        if (part.isEmpty() || part == QLatin1String(".") || part == QLatin1String("..") ||
            part.compare(QLatin1String(".git"), Qt::CaseInsensitive) == 0)
            return QStringLiteral("'%1' is not a relative path inside the repo").arg(path);
        if (i + 1 < parts.size() && files.contains(parts.mid(0, i + 1).join(QLatin1Char('/'))))
            return QStringLiteral("'%1' is both a file and a directory")
                .arg(parts.mid(0, i + 1).join(QLatin1Char('/')));
    }
    return std::nullopt;
}

GitCommitInfo commitInfo(git_commit *commit)
{
    GitCommitInfo info;
    info.sha = oidString(git_commit_id(commit));
    for (unsigned i = 0; i < git_commit_parentcount(commit); ++i)
        info.parents << oidString(git_commit_parent_id(commit, i));
    const git_signature *author = git_commit_author(commit);
    info.authorName = QString::fromUtf8(author->name);
    info.authorEmail = QString::fromUtf8(author->email);
    info.authorTime = utc(author->when.time);
    const git_signature *committer = git_commit_committer(commit);
    info.committerName = QString::fromUtf8(committer->name);
    info.commitTime = utc(committer->when.time);
    const char *summary = git_commit_summary(commit);
    info.summary = QString::fromUtf8(summary ? summary : "");
    info.message = messageText(git_commit_message(commit));
    return info;
}

namespace {

/// The id of the entry at `path` in the commit's tree, or nothing when there is none.
Result<std::optional<git_oid>> entryIdAt(git_repository *repo, git_commit *commit, const QByteArray &path)
{
    auto tree = commitTree(repo, commit);
    if (!tree)
        return fail(tree.error());
    git_tree_entry *found = nullptr;
    const int error = git_tree_entry_bypath(&found, tree->get(), path.constData());
    if (error == GIT_ENOTFOUND)
        return std::optional<git_oid>();
    if (error < 0)
        return failed(error, repo, QStringLiteral("looking up %1").arg(QString::fromUtf8(path)));
    const TreeEntryPtr entry(found);
    return std::optional<git_oid>(*git_tree_entry_id(entry.get()));
}

} // namespace

/// Whether the commit changes `path` against its first parent (a root commit: adds it).
Result<bool> changesPath(git_repository *repo, git_commit *commit, const QByteArray &path)
{
    auto here = entryIdAt(repo, commit, path);
    if (!here)
        return fail(here.error());
    if (git_commit_parentcount(commit) == 0)
        return here->has_value();
    git_commit *parentCommit = nullptr;
    if (const int error = git_commit_parent(&parentCommit, commit, 0); error < 0)
        return failed(error, repo, QStringLiteral("reading the parent of %1").arg(oidString(git_commit_id(commit))));
    const CommitPtr parent(parentCommit);
    auto there = entryIdAt(repo, parent.get(), path);
    if (!there)
        return fail(there.error());
    if (here->has_value() != there->has_value())
        return true;
    return here->has_value() && !git_oid_equal(&**here, &**there);
}

namespace {

/// Copies one object from `from` to `to` as it is (same type, same bytes, so the same id).
Result<void> copyObject(git_odb *from, git_odb *to, const git_oid &id, const QString &where)
{
    git_odb_object *read = nullptr;
    if (const int error = git_odb_read(&read, from, &id); error < 0)
        return failAs(errorCodeFor(error), where, QStringLiteral("reading the object %1").arg(oidString(&id)));
    const OdbObjectPtr object(read);
    git_oid written;
    if (const int error = git_odb_write(&written, to, git_odb_object_data(object.get()),
                                        git_odb_object_size(object.get()), git_odb_object_type(object.get()));
        error < 0)
        return failAs(errorCodeFor(error), where, QStringLiteral("writing the object %1").arg(oidString(&id)));
    return {};
}

/// Copies a tree and what it holds, children before their tree, so that a tree present in `to`
/// is complete and need not be entered.
Result<void> copyTree(git_repository *source, git_odb *from, git_odb *to, const git_oid &id, const QString &where)
{
    if (git_odb_exists(to, &id))
        return {};
    git_tree *found = nullptr;
    if (const int error = git_tree_lookup(&found, source, &id); error < 0)
        return failed(error, source, QStringLiteral("reading the tree %1").arg(oidString(&id)));
    const TreePtr tree(found);
    for (size_t i = 0; i < git_tree_entrycount(tree.get()); ++i) {
        const git_tree_entry *entry = git_tree_entry_byindex(tree.get(), i);
        const git_oid *child = git_tree_entry_id(entry);
        // A submodule's entry (a commit) names an object of another repo: nothing to copy.
        Result<void> copied;
        if (git_tree_entry_type(entry) == GIT_OBJECT_TREE)
            copied = copyTree(source, from, to, *child, where);
        else if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB && !git_odb_exists(to, child))
            copied = copyObject(from, to, *child, where);
        if (!copied)
            return copied;
    }
    return copyObject(from, to, id, where);
}

} // namespace

Result<void> copyHistory(git_repository *source, git_odb *from, git_odb *to, const git_oid &tip, const QString &where)
{
    // Which commits are missing here: back from the tip, stopping at commits this repo has (their
    // history is here too, since every copy writes parents before children).
    git_revwalk *rawWalk = nullptr;
    if (const int error = git_revwalk_new(&rawWalk, source); error < 0)
        return failed(error, source, QStringLiteral("walking the history"));
    const RevwalkPtr walk(rawWalk);
    git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
    std::vector<git_oid> pending{tip};
    QSet<QByteArray> seen;
    bool missing = false;
    while (!pending.empty()) {
        const git_oid id = pending.back();
        pending.pop_back();
        if (seen.contains(oidKey(&id)))
            continue;
        seen.insert(oidKey(&id));
        if (git_odb_exists(to, &id)) {
            if (const int error = git_revwalk_hide(walk.get(), &id); error < 0)
                return failed(error, source, QStringLiteral("walking the history"));
            continue;
        }
        missing = true;
        git_commit *rawCommit = nullptr;
        if (const int error = git_commit_lookup(&rawCommit, source, &id); error < 0)
            return failed(error, source, QStringLiteral("reading the commit %1").arg(oidString(&id)));
        const CommitPtr commit(rawCommit);
        for (unsigned i = 0; i < git_commit_parentcount(commit.get()); ++i)
            pending.push_back(*git_commit_parent_id(commit.get(), i));
    }
    if (!missing)
        return {};
    if (const int error = git_revwalk_push(walk.get(), &tip); error < 0)
        return failed(error, source, QStringLiteral("walking the history"));

    // Oldest first, each commit after its tree, so an interrupted copy leaves nothing half-reachable.
    git_oid id;
    int error = 0;
    while ((error = git_revwalk_next(&id, walk.get())) == 0) {
        git_commit *rawCommit = nullptr;
        if (error = git_commit_lookup(&rawCommit, source, &id); error < 0)
            return failed(error, source, QStringLiteral("reading the commit %1").arg(oidString(&id)));
        const CommitPtr commit(rawCommit);
        if (auto copied = copyTree(source, from, to, *git_commit_tree_id(commit.get()), where); !copied)
            return copied;
        if (auto copied = copyObject(from, to, id, where); !copied)
            return copied;
    }
    if (error != GIT_ITEROVER)
        return failed(error, source, QStringLiteral("walking the history"));
    return {};
}

Result<void> resetWorkTree(git_repository *repo, git_commit *commit, git_commit *previous)
{
    // The baseline is the previous commit (or nothing), so files the new commit drops are removed.
    auto tree = commitTree(repo, commit);
    if (!tree)
        return fail(tree.error());
    TreePtr baseline;
    IndexPtr emptyIndex;
    git_checkout_options options{};
    (void)git_checkout_options_init(&options, GIT_CHECKOUT_OPTIONS_VERSION);
    options.checkout_strategy = GIT_CHECKOUT_FORCE;
    if (previous) {
        auto parentTree = commitTree(repo, previous);
        if (!parentTree)
            return fail(parentTree.error());
        baseline = std::move(*parentTree);
        options.baseline = baseline.get();
    } else {
        git_index *rawIndex = nullptr;
        if (const int error = git_index_new(&rawIndex); error < 0)
            return failed(error, repo, QStringLiteral("making an index"));
        emptyIndex.reset(rawIndex);
        options.baseline_index = emptyIndex.get();
    }
    if (const int error = git_checkout_tree(repo, asObject(tree->get()), &options); error < 0)
        return failed(error, repo, QStringLiteral("checking out %1").arg(oidString(git_commit_id(commit))));
    // Whatever was staged before is replaced by the new tree (read_tree keeps the stat data of
    // unchanged entries, so `git status` has nothing to re-hash).
    git_index *rawRepoIndex = nullptr;
    if (const int error = git_repository_index(&rawRepoIndex, repo); error < 0)
        return failed(error, repo, QStringLiteral("opening the index"));
    const IndexPtr repoIndex(rawRepoIndex);
    if (const int error = git_index_read_tree(repoIndex.get(), tree->get()); error < 0)
        return failed(error, repo, QStringLiteral("updating the index"));
    if (const int error = git_index_write(repoIndex.get()); error < 0)
        return failed(error, repo, QStringLiteral("writing the index"));
    return {};
}

namespace {

QString diffStatus(git_delta_t status)
{
    switch (status) {
    case GIT_DELTA_ADDED:
        return QStringLiteral("added");
    case GIT_DELTA_DELETED:
        return QStringLiteral("deleted");
    case GIT_DELTA_RENAMED:
        return QStringLiteral("renamed");
    case GIT_DELTA_TYPECHANGE:
        return QStringLiteral("typechange");
    default:
        return QStringLiteral("modified");
    }
}

/// One line of a hunk as the unified diff prints it, without its line break.
QString diffLine(const git_diff_line *line)
{
    switch (line->origin) {
    case GIT_DIFF_LINE_CONTEXT_EOFNL:
    case GIT_DIFF_LINE_ADD_EOFNL:
    case GIT_DIFF_LINE_DEL_EOFNL:
        return QStringLiteral("\\ No newline at end of file");
    default:
        break;
    }
    QByteArray content(line->content, static_cast<qsizetype>(line->content_len));
    if (content.endsWith('\n'))
        content.chop(1);
    return QChar::fromLatin1(line->origin) + QString::fromUtf8(content);
}

} // namespace

Result<GitFileDiff> fileDiff(git_repository *repo, git_diff *diff, size_t index)
{
    git_patch *made = nullptr;
    if (const int error = git_patch_from_diff(&made, diff, index); error < 0)
        return failed(error, repo, QStringLiteral("making a patch"));
    const PatchPtr patch(made);
    const git_diff_delta *delta = patch ? git_patch_get_delta(patch.get()) : git_diff_get_delta(diff, index);
    GitFileDiff file;
    file.status = diffStatus(delta->status);
    if (delta->status != GIT_DELTA_ADDED)
        file.oldPath = QString::fromUtf8(delta->old_file.path);
    if (delta->status != GIT_DELTA_DELETED)
        file.newPath = QString::fromUtf8(delta->new_file.path);
    file.binary = (delta->flags & GIT_DIFF_FLAG_BINARY) != 0;
    if (!patch || file.binary)
        return file;
    size_t additions = 0;
    size_t deletions = 0;
    if (const int error = git_patch_line_stats(nullptr, &additions, &deletions, patch.get()); error < 0)
        return failed(error, repo, QStringLiteral("counting the lines of %1").arg(file.newPath));
    file.additions = static_cast<int>(additions);
    file.deletions = static_cast<int>(deletions);
    for (size_t h = 0; h < git_patch_num_hunks(patch.get()); ++h) {
        const git_diff_hunk *rawHunk = nullptr;
        size_t lineCount = 0;
        if (const int error = git_patch_get_hunk(&rawHunk, &lineCount, patch.get(), h); error < 0)
            return failed(error, repo, QStringLiteral("reading a hunk of %1").arg(file.newPath));
        GitDiffHunk hunk;
        hunk.oldStart = rawHunk->old_start;
        hunk.oldLines = rawHunk->old_lines;
        hunk.newStart = rawHunk->new_start;
        hunk.newLines = rawHunk->new_lines;
        hunk.header = QString::fromUtf8(rawHunk->header, static_cast<qsizetype>(rawHunk->header_len)).trimmed();
        for (size_t l = 0; l < lineCount; ++l) {
            const git_diff_line *line = nullptr;
            if (const int error = git_patch_get_line_in_hunk(&line, patch.get(), h, l); error < 0)
                return failed(error, repo, QStringLiteral("reading a line of %1").arg(file.newPath));
            hunk.lines << diffLine(line);
        }
        file.hunks << hunk;
    }
    return file;
}

} // namespace hive::engine::git
