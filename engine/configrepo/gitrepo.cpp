// SPDX-License-Identifier: MIT
#include "gitrepo.h"

#include "gitobjects.h"

#include <QLoggingCategory>
#include <QRegularExpression>

#include <algorithm>
#include <utility>
#include <vector>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcGit, "hive.git")
} // namespace

using namespace git;

GitRepo::GitRepo(git_repository *repo) : m_repo(repo) {}

GitRepo::GitRepo(GitRepo &&other) noexcept : m_repo(std::exchange(other.m_repo, nullptr)) {}

GitRepo &GitRepo::operator=(GitRepo &&other) noexcept
{
    std::swap(m_repo, other.m_repo);
    return *this;
}

GitRepo::~GitRepo()
{
    git_repository_free(m_repo);
}

Result<GitRepo> GitRepo::open(const QString &path)
{
    ensureLibgit2();
    const QByteArray dir = path.toUtf8();
    git_repository *repo = nullptr;
    // NO_SEARCH: a directory that is not a repo must not open the repo around it.
    if (const int error = git_repository_open_ext(&repo, dir.constData(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
        error < 0)
        return failAs(errorCodeFor(error), path, QStringLiteral("opening the repo"));
    return GitRepo(repo);
}

Result<GitRepo> GitRepo::init(const QString &path, bool bare)
{
    ensureLibgit2();
    if (exists(path))
        return fail(ErrorCode::AlreadyExists, QStringLiteral("a git repo exists already in %1").arg(path));
    git_repository_init_options options{};
    (void)git_repository_init_options_init(&options, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    options.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
    if (bare)
        options.flags |= GIT_REPOSITORY_INIT_BARE;
    options.initial_head = "main";
    const QByteArray dir = path.toUtf8();
    git_repository *repo = nullptr;
    if (const int error = git_repository_init_ext(&repo, dir.constData(), &options); error < 0)
        return failAs(errorCodeFor(error), path, QStringLiteral("creating the repo"));
    return GitRepo(repo);
}

bool GitRepo::exists(const QString &path)
{
    ensureLibgit2();
    const QByteArray dir = path.toUtf8();
    return git_repository_open_ext(nullptr, dir.constData(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) == 0;
}

QString GitRepo::path() const
{
    return repoPath(m_repo);
}

bool GitRepo::isBare() const
{
    return git_repository_is_bare(m_repo) != 0;
}

Result<QString> GitRepo::resolveCommit(const QString &spec) const
{
    auto commit = lookupCommit(m_repo, spec);
    if (!commit)
        return fail(commit.error());
    return oidString(git_commit_id(commit->get()));
}

bool GitRepo::hasCommit(const QString &sha) const
{
    static const QRegularExpression fullSha(QStringLiteral("^[0-9a-f]{40}$"));
    if (!fullSha.match(sha).hasMatch())
        return false;
    git_oid id;
    const QByteArray text = sha.toLatin1();
    git_odb *rawOdb = nullptr;
    if (git_oid_fromstr(&id, text.constData()) < 0 || git_repository_odb(&rawOdb, m_repo) < 0)
        return false;
    const OdbPtr odb(rawOdb);
    size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    return git_odb_read_header(&size, &type, odb.get(), &id) == 0 && type == GIT_OBJECT_COMMIT;
}

Result<std::optional<QString>> GitRepo::refTarget(const QString &refName) const
{
    auto state = refState(m_repo, refName);
    if (!state)
        return fail(state.error());
    if (!state->target)
        return std::optional<QString>();
    auto commit = peelToCommit(m_repo, *state->target);
    if (!commit)
        return fail(commit.error().wrapped(QStringLiteral("the ref %1").arg(refName)));
    return std::optional<QString>(oidString(git_commit_id(commit->get())));
}

Result<void> GitRepo::setRef(const QString &refName, const QString &sha, bool fastForwardOnly,
                             const QString &logMessage)
{
    auto commit = lookupCommit(m_repo, sha);
    if (!commit)
        return fail(commit.error());
    auto state = refState(m_repo, refName);
    if (!state)
        return fail(state.error());
    const git_oid *id = git_commit_id(commit->get());
    if (fastForwardOnly && state->target && !git_oid_equal(&*state->target, id)) {
        auto current = peelToCommit(m_repo, *state->target);
        if (!current)
            return fail(current.error());
        const int descends = git_graph_descendant_of(m_repo, id, git_commit_id(current->get()));
        if (descends < 0)
            return failed(descends, m_repo, QStringLiteral("comparing %1 with %2").arg(sha, refName));
        if (descends == 0)
            return fail(ErrorCode::InvalidParams,
                        QStringLiteral("%1 is not a fast-forward of %2 (at %3) in %4")
                            .arg(oidString(id), refName, oidString(git_commit_id(current->get())), path()));
    }
    const QByteArray log = logMessage.toUtf8();
    git_reference *made = nullptr;
    // Matching the target read above: a ref moved meanwhile by someone else is not overwritten.
    const int error = state->target
                          ? git_reference_create_matching(&made, m_repo, state->name.constData(), id, 1,
                                                          &*state->target, log.constData())
                          : git_reference_create(&made, m_repo, state->name.constData(), id, 0, log.constData());
    const ReferencePtr ref(made);
    if (error < 0)
        return failed(error, m_repo, QStringLiteral("moving %1 to %2").arg(refName, oidString(id)));
    return {};
}

Result<bool> GitRepo::isAncestor(const QString &ancestor, const QString &descendant) const
{
    auto older = lookupCommit(m_repo, ancestor);
    if (!older)
        return fail(older.error());
    auto newer = lookupCommit(m_repo, descendant);
    if (!newer)
        return fail(newer.error());
    if (git_oid_equal(git_commit_id(older->get()), git_commit_id(newer->get())))
        return true; // as `git merge-base --is-ancestor`
    const int descends = git_graph_descendant_of(m_repo, git_commit_id(newer->get()), git_commit_id(older->get()));
    if (descends < 0)
        return failed(descends, m_repo, QStringLiteral("comparing %1 with %2").arg(ancestor, descendant));
    return descends == 1;
}

Result<QString> GitRepo::writeCommit(const QMap<QString, QByteArray> &files, const QStringList &parents,
                                     const QString &message, const GitSignature &author)
{
    // Everything is checked before the first object is written.
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        if (const auto problem = pathProblem(it.key(), files))
            return fail(ErrorCode::InvalidParams, QStringLiteral("%1 (writing a commit in %2)").arg(*problem, path()));
    }
    std::vector<CommitPtr> parentCommits;
    std::vector<const git_commit *> parentPointers;
    for (const QString &parent : parents) {
        auto commit = lookupCommit(m_repo, parent);
        if (!commit)
            return fail(commit.error().wrapped(QStringLiteral("the parent %1").arg(parent)));
        parentPointers.push_back(commit->get());
        parentCommits.push_back(std::move(*commit));
    }
    auto signature = makeSignature(m_repo, author);
    if (!signature)
        return fail(signature.error());
    // An in-memory index builds the nested trees; the repo's own index is not touched. Such an
    // index cannot write blobs itself, so each entry gets the id of a blob written here.
    git_index *rawIndex = nullptr;
    if (const int error = git_index_new(&rawIndex); error < 0)
        return failed(error, m_repo, QStringLiteral("making an index"));
    const IndexPtr index(rawIndex);
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        const QByteArray filePath = it.key().toUtf8();
        git_index_entry entry{};
        entry.mode = GIT_FILEMODE_BLOB;
        entry.path = filePath.constData();
        if (const int error =
                git_blob_create_from_buffer(&entry.id, m_repo, it->constData(), static_cast<size_t>(it->size()));
            error < 0)
            return failed(error, m_repo, QStringLiteral("writing the content of %1").arg(it.key()));
        if (const int error = git_index_add(index.get(), &entry); error < 0)
            return failed(error, m_repo, QStringLiteral("adding %1 to a commit").arg(it.key()));
    }
    git_oid treeId;
    if (const int error = git_index_write_tree_to(&treeId, index.get(), m_repo); error < 0)
        return failed(error, m_repo, QStringLiteral("writing a tree"));
    git_tree *rawTree = nullptr;
    if (const int error = git_tree_lookup(&rawTree, m_repo, &treeId); error < 0)
        return failed(error, m_repo, QStringLiteral("reading the tree just written"));
    const TreePtr tree(rawTree);

    const QByteArray text = messageBytes(message);
    git_oid id;
    if (const int error = git_commit_create(&id, m_repo, nullptr, signature->get(), signature->get(), nullptr,
                                            text.constData(), tree.get(), parentPointers.size(), parentPointers.data());
        error < 0)
        return failed(error, m_repo, QStringLiteral("writing a commit"));
    return oidString(&id);
}

Result<QString> GitRepo::commitFiles(const QString &refName, const QMap<QString, QByteArray> &files,
                                     const QString &message, const GitSignature &author)
{
    auto state = refState(m_repo, refName);
    if (!state)
        return fail(state.error());
    CommitPtr parent;
    QStringList parents;
    if (state->target) {
        auto commit = peelToCommit(m_repo, *state->target);
        if (!commit)
            return fail(commit.error());
        parent = std::move(*commit);
        parents << oidString(git_commit_id(parent.get()));
    }
    auto sha = writeCommit(files, parents, message, author);
    if (!sha)
        return sha;
    const QString ref = QString::fromUtf8(state->name);
    if (auto moved = setRef(ref, *sha, true, QStringLiteral("commit: ") + message.section(QLatin1Char('\n'), 0, 0));
        !moved)
        return fail(moved.error());
    if (isBare())
        return sha;

    git_reference *rawHead = nullptr;
    if (const int error = git_reference_lookup(&rawHead, m_repo, "HEAD"); error < 0)
        return failed(error, m_repo, QStringLiteral("reading HEAD"));
    const ReferencePtr head(rawHead);
    if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC ||
        state->name != QByteArray(git_reference_symbolic_target(head.get())))
        return sha;

    // The work tree shows this ref: it follows.
    auto commit = lookupCommit(m_repo, *sha);
    if (!commit)
        return fail(commit.error());
    if (auto reset = resetWorkTree(m_repo, commit->get(), parent.get()); !reset)
        return fail(reset.error());
    return sha;
}

Result<void> GitRepo::copyCommit(const GitRepo &source, const QString &sha)
{
    auto tip = lookupCommit(source.m_repo, sha);
    if (!tip)
        return fail(tip.error());
    git_odb *rawFrom = nullptr;
    git_odb *rawTo = nullptr;
    if (const int error = git_repository_odb(&rawFrom, source.m_repo); error < 0)
        return failed(error, source.m_repo, QStringLiteral("opening the object database"));
    const OdbPtr from(rawFrom);
    if (const int error = git_repository_odb(&rawTo, m_repo); error < 0)
        return failed(error, m_repo, QStringLiteral("opening the object database"));
    const OdbPtr to(rawTo);

    return copyHistory(source.m_repo, from.get(), to.get(), *git_commit_id(tip->get()), path());
}

Result<void> GitRepo::createTag(const QString &name, const QString &sha, const QString &message,
                                const GitSignature &tagger)
{
    if (name.isEmpty())
        return fail(ErrorCode::InvalidParams, QStringLiteral("a tag needs a name (in %1)").arg(path()));
    auto commit = lookupCommit(m_repo, sha);
    if (!commit)
        return fail(commit.error());
    const QByteArray tagName = name.toUtf8();
    git_oid id;
    int error = 0;
    if (message.isEmpty()) {
        error = git_tag_create_lightweight(&id, m_repo, tagName.constData(), asObject(commit->get()), 0);
    } else {
        auto signature = makeSignature(m_repo, tagger);
        if (!signature)
            return fail(signature.error());
        const QByteArray text = messageBytes(message);
        error = git_tag_create(&id, m_repo, tagName.constData(), asObject(commit->get()), signature->get(),
                               text.constData(), 0);
    }
    if (error < 0)
        return failed(error, m_repo, QStringLiteral("creating the tag %1").arg(name));
    return {};
}

Result<void> GitRepo::deleteTag(const QString &name)
{
    const QByteArray tagName = name.toUtf8();
    if (const int error = git_tag_delete(m_repo, tagName.constData()); error < 0)
        return failed(error, m_repo, QStringLiteral("deleting the tag %1").arg(name));
    return {};
}

Result<QList<GitTagInfo>> GitRepo::tags(const QString &pattern) const
{
    StrArray names;
    const QByteArray match = pattern.toUtf8();
    if (const int error = git_tag_list_match(&names.array, match.constData(), m_repo); error < 0)
        return failed(error, m_repo, QStringLiteral("listing the tags"));
    QList<GitTagInfo> out;
    for (size_t i = 0; i < names.array.count; ++i) {
        const QString name = QString::fromUtf8(names.array.strings[i]);
        auto info = tag(name);
        if (!info && info.error().code == ErrorCode::InvalidParams) {
            qCWarning(lcGit).noquote() << "skipping a tag:" << info.error().message;
            continue; // a tag of a tree or blob: not something a caller of tags() can use
        }
        if (!info)
            return fail(info.error());
        if (*info)
            out << **info;
    }
    std::sort(out.begin(), out.end(), [](const GitTagInfo &a, const GitTagInfo &b) { return a.name < b.name; });
    return out;
}

Result<std::optional<GitTagInfo>> GitRepo::tag(const QString &name) const
{
    const QByteArray refName = QByteArrayLiteral("refs/tags/") + name.toUtf8();
    git_reference *rawRef = nullptr;
    int error = git_reference_lookup(&rawRef, m_repo, refName.constData());
    if (error == GIT_ENOTFOUND)
        return std::optional<GitTagInfo>();
    if (error < 0)
        return failed(error, m_repo, QStringLiteral("reading the tag %1").arg(name));
    const ReferencePtr ref(rawRef);
    git_object *rawObject = nullptr;
    if (error = git_reference_peel(&rawObject, ref.get(), GIT_OBJECT_ANY); error < 0)
        return failed(error, m_repo, QStringLiteral("reading the tag %1").arg(name));
    const ObjectPtr object(rawObject);
    const git_oid *direct = git_reference_target(ref.get());
    auto commit = peelToCommit(m_repo, direct ? *direct : *git_object_id(object.get()));
    if (!commit)
        return fail(commit.error().wrapped(QStringLiteral("the tag %1").arg(name)));

    GitTagInfo info;
    info.name = name;
    info.target = oidString(git_commit_id(commit->get()));
    git_object *rawTag = nullptr;
    if (direct && git_object_lookup(&rawTag, m_repo, direct, GIT_OBJECT_TAG) == 0) {
        const ObjectPtr tagObject(rawTag);
        auto *annotated = reinterpret_cast<git_tag *>(tagObject.get());
        info.annotated = true;
        if (const git_signature *tagger = git_tag_tagger(annotated)) {
            info.taggerName = QString::fromUtf8(tagger->name);
            info.taggerEmail = QString::fromUtf8(tagger->email);
            info.time = utc(tagger->when.time);
        }
        info.message = messageText(git_tag_message(annotated));
    } else {
        info.time = utc(git_commit_time(commit->get()));
    }
    return std::optional<GitTagInfo>(info);
}

Result<void> GitRepo::setRemote(const QString &name, const QString &url)
{
    const QByteArray remoteName = name.toUtf8();
    const QByteArray remoteUrl = url.toUtf8();
    git_remote *rawRemote = nullptr;
    int error = git_remote_lookup(&rawRemote, m_repo, remoteName.constData());
    RemotePtr remote(rawRemote);
    if (error == GIT_ENOTFOUND) {
        error = git_remote_create(&rawRemote, m_repo, remoteName.constData(), remoteUrl.constData());
        remote.reset(rawRemote);
    } else if (error == 0) {
        error = git_remote_set_url(m_repo, remoteName.constData(), remoteUrl.constData());
    }
    if (error < 0)
        return failed(error, m_repo, QStringLiteral("setting the remote %1 to %2").arg(name, url));
    return {};
}

Result<QString> GitRepo::remoteUrl(const QString &name) const
{
    const QByteArray remoteName = name.toUtf8();
    git_remote *rawRemote = nullptr;
    if (const int error = git_remote_lookup(&rawRemote, m_repo, remoteName.constData()); error < 0)
        return failed(error, m_repo, QStringLiteral("reading the remote %1").arg(name));
    const RemotePtr remote(rawRemote);
    const char *url = git_remote_url(remote.get());
    return QString::fromUtf8(url ? url : "");
}

Result<QByteArray> GitRepo::readFile(const QString &sha, const QString &path) const
{
    auto commit = lookupCommit(m_repo, sha);
    if (!commit)
        return fail(commit.error());
    auto tree = commitTree(m_repo, commit->get());
    if (!tree)
        return fail(tree.error());
    const QByteArray filePath = path.toUtf8();
    git_tree_entry *rawEntry = nullptr;
    if (const int error = git_tree_entry_bypath(&rawEntry, tree->get(), filePath.constData()); error < 0)
        return failAs(ErrorCode::NotFound, this->path(), QStringLiteral("reading %1 at %2").arg(path, sha));
    const TreeEntryPtr entry(rawEntry);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB)
        return fail(ErrorCode::NotFound,
                    QStringLiteral("reading %1 at %2 in %3: not a file").arg(path, sha, this->path()));
    git_blob *rawBlob = nullptr;
    if (const int error = git_blob_lookup(&rawBlob, m_repo, git_tree_entry_id(entry.get())); error < 0)
        return failed(error, m_repo, QStringLiteral("reading %1 at %2").arg(path, sha));
    const BlobPtr blob(rawBlob);
    return QByteArray(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                      static_cast<qsizetype>(git_blob_rawsize(blob.get())));
}

Result<QMap<QString, QByteArray>> GitRepo::readAllFiles(const QString &sha) const
{
    auto commit = lookupCommit(m_repo, sha);
    if (!commit)
        return fail(commit.error());
    auto tree = commitTree(m_repo, commit->get());
    if (!tree)
        return fail(tree.error());
    struct Walk {
        git_repository *repo = nullptr;
        QMap<QString, QByteArray> files;
        std::optional<Error> error;
    } walk{m_repo, {}, std::nullopt};
    const auto visit = [](const char *root, const git_tree_entry *entry, void *payload) -> int {
        auto *state = static_cast<Walk *>(payload);
        if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
            return 0;
        const QString filePath = QString::fromUtf8(root) + QString::fromUtf8(git_tree_entry_name(entry));
        git_blob *rawBlob = nullptr;
        if (const int error = git_blob_lookup(&rawBlob, state->repo, git_tree_entry_id(entry)); error < 0) {
            state->error = failed(error, state->repo, QStringLiteral("reading %1").arg(filePath)).error;
            return -1;
        }
        const BlobPtr blob(rawBlob);
        state->files.insert(filePath, QByteArray(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                                                 static_cast<qsizetype>(git_blob_rawsize(blob.get()))));
        return 0;
    };
    if (const int error = git_tree_walk(tree->get(), GIT_TREEWALK_PRE, visit, &walk); error < 0)
        return walk.error ? fail(*walk.error)
                          : failed(error, m_repo, QStringLiteral("reading the files of %1").arg(sha));
    return walk.files;
}

Result<QList<GitTreeEntry>> GitRepo::tree(const QString &sha, const QString &dirPath) const
{
    auto commit = lookupCommit(m_repo, sha);
    if (!commit)
        return fail(commit.error());
    auto root = commitTree(m_repo, commit->get());
    if (!root)
        return fail(root.error());
    QString dir = dirPath;
    while (dir.endsWith(QLatin1Char('/')))
        dir.chop(1);
    while (dir.startsWith(QLatin1Char('/')))
        dir.remove(0, 1);
    TreePtr listed;
    if (dir.isEmpty()) {
        listed = std::move(*root);
    } else {
        const QByteArray treePath = dir.toUtf8();
        git_tree_entry *rawEntry = nullptr;
        if (git_tree_entry_bypath(&rawEntry, root->get(), treePath.constData()) < 0)
            return failAs(ErrorCode::NotFound, path(), QStringLiteral("listing %1 at %2").arg(dirPath, sha));
        const TreeEntryPtr entry(rawEntry);
        if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE)
            return fail(ErrorCode::NotFound,
                        QStringLiteral("listing %1 at %2 in %3: not a directory").arg(dirPath, sha, path()));
        git_tree *rawTree = nullptr;
        if (const int error = git_tree_lookup(&rawTree, m_repo, git_tree_entry_id(entry.get())); error < 0)
            return failed(error, m_repo, QStringLiteral("listing %1 at %2").arg(dirPath, sha));
        listed.reset(rawTree);
    }
    git_odb *rawOdb = nullptr;
    if (const int error = git_repository_odb(&rawOdb, m_repo); error < 0)
        return failed(error, m_repo, QStringLiteral("opening the object database"));
    const OdbPtr odb(rawOdb);
    QList<GitTreeEntry> entries;
    for (size_t i = 0; i < git_tree_entrycount(listed.get()); ++i) {
        const git_tree_entry *raw = git_tree_entry_byindex(listed.get(), i);
        GitTreeEntry entry;
        entry.name = QString::fromUtf8(git_tree_entry_name(raw));
        entry.path = dir.isEmpty() ? entry.name : dir + QLatin1Char('/') + entry.name;
        entry.kind = QString::fromLatin1(git_object_type2string(git_tree_entry_type(raw)));
        entry.sha = oidString(git_tree_entry_id(raw));
        entry.executable = git_tree_entry_filemode(raw) == GIT_FILEMODE_BLOB_EXECUTABLE;
        if (git_tree_entry_type(raw) == GIT_OBJECT_BLOB) {
            size_t size = 0;
            git_object_t type = GIT_OBJECT_INVALID;
            if (const int error = git_odb_read_header(&size, &type, odb.get(), git_tree_entry_id(raw)); error < 0)
                return failed(error, m_repo, QStringLiteral("reading the size of %1").arg(entry.path));
            entry.size = static_cast<qint64>(size);
        }
        entries << entry;
    }
    std::stable_sort(entries.begin(), entries.end(), [](const GitTreeEntry &a, const GitTreeEntry &b) {
        const bool aDir = a.kind == QLatin1String("tree");
        const bool bDir = b.kind == QLatin1String("tree");
        return aDir != bDir ? aDir : a.name < b.name;
    });
    return entries;
}

namespace {

/// The parents of commit `id` as its raw object lists them (the "parent" lines after "tree"),
/// without building a git_commit: all that the walk over skipped commits needs.
Result<std::vector<git_oid>> rawParents(git_odb *odb, git_repository *repo, const git_oid &id)
{
    git_odb_object *rawObject = nullptr;
    if (const int error = git_odb_read(&rawObject, odb, &id); error < 0)
        return failed(error, repo, QStringLiteral("reading the commit %1").arg(oidString(&id)));
    const OdbObjectPtr object(rawObject);
    if (git_odb_object_type(object.get()) != GIT_OBJECT_COMMIT)
        return failAs(ErrorCode::InvalidParams, repoPath(repo),
                      QStringLiteral("%1 is not a commit").arg(oidString(&id)));
    const QByteArrayView data(static_cast<const char *>(git_odb_object_data(object.get())),
                              static_cast<qsizetype>(git_odb_object_size(object.get())));
    static constexpr QByteArrayView Tree("tree ");
    static constexpr QByteArrayView Parent("parent ");
    std::vector<git_oid> parents;
    qsizetype at = 0;
    while (at < data.size()) {
        qsizetype end = data.indexOf('\n', at);
        if (end < 0)
            end = data.size();
        const QByteArrayView line = data.sliced(at, end - at);
        if (line.startsWith(Parent) && line.size() == Parent.size() + GIT_OID_HEXSZ) {
            git_oid parent;
            if (git_oid_fromstrn(&parent, line.data() + Parent.size(), GIT_OID_HEXSZ) < 0)
                break;
            parents.push_back(parent);
        } else if (!line.startsWith(Tree)) {
            break; // the author line: no parents follow
        }
        at = end + 1;
    }
    return parents;
}

} // namespace

Result<GitLogPage> GitRepo::log(const QString &start, qsizetype offset, qsizetype limit,
                                const QString &pathFilter) const
{
    if (offset < 0 || limit < 0)
        return fail(ErrorCode::InvalidParams,
                    QStringLiteral("a log page needs offset and limit >= 0, got %1 and %2").arg(offset).arg(limit));
    auto tip = lookupCommit(m_repo, start);
    if (!tip)
        return fail(tip.error());
    git_odb *rawOdb = nullptr;
    if (const int error = git_repository_odb(&rawOdb, m_repo); error < 0)
        return failed(error, m_repo, QStringLiteral("opening the object database"));
    const OdbPtr odb(rawOdb);

    QString filter = pathFilter;
    while (filter.endsWith(QLatin1Char('/')))
        filter.chop(1);
    const QByteArray filterPath = filter.toUtf8();
    GitLogPage page;
    qsizetype skipped = 0;
    // One commit of the walk: filtered, skipped, or added; true once the page is complete. Skipped
    // commits are not read (without a filter): a deep page costs the walk only.
    const auto take = [&](const git_oid &id) -> Result<bool> {
        CommitPtr commit;
        const auto load = [&]() -> Result<void> {
            git_commit *rawCommit = nullptr;
            if (const int error = git_commit_lookup(&rawCommit, m_repo, &id); error < 0)
                return failed(error, m_repo, QStringLiteral("reading the commit %1").arg(oidString(&id)));
            commit.reset(rawCommit);
            return {};
        };
        if (!filterPath.isEmpty()) {
            if (auto loaded = load(); !loaded)
                return fail(loaded.error());
            auto changes = changesPath(m_repo, commit.get(), filterPath);
            if (!changes)
                return fail(changes.error());
            if (!*changes)
                return false;
        }
        if (skipped < offset) {
            ++skipped;
            return false;
        }
        if (page.commits.size() == limit) {
            page.more = true;
            return true;
        }
        if (!commit) {
            if (auto loaded = load(); !loaded)
                return fail(loaded.error());
        }
        page.commits << commitInfo(commit.get());
        return false;
    };

    // A linear history has one order, so it is walked lazily, each commit's parents read from its
    // raw object: the first page costs its own commits, a deep one the headers of those skipped.
    // libgit2's sorted revwalk reads the whole history before it yields anything (100,000 commits
    // for the first page too), so it takes over only at the first merge. The commits before the
    // merge precede it in every topological order, and the revwalk from the merge on yields what a
    // revwalk from the start would.
    git_oid id = *git_commit_id(tip->get());
    for (;;) {
        auto done = take(id);
        if (!done)
            return fail(done.error());
        if (*done)
            return page;
        auto parents = rawParents(odb.get(), m_repo, id);
        if (!parents)
            return fail(parents.error());
        if (parents->empty())
            return page;
        if (parents->size() > 1)
            break;
        id = parents->front();
    }

    git_revwalk *rawWalk = nullptr;
    if (const int error = git_revwalk_new(&rawWalk, m_repo); error < 0)
        return failed(error, m_repo, QStringLiteral("walking the history"));
    const RevwalkPtr walk(rawWalk);
    git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    if (const int error = git_revwalk_push(walk.get(), &id); error < 0)
        return failed(error, m_repo, QStringLiteral("walking the history from %1").arg(start));
    const git_oid merge = id;
    int error = 0;
    while ((error = git_revwalk_next(&id, walk.get())) == 0) {
        if (git_oid_equal(&id, &merge))
            continue; // taken above
        auto done = take(id);
        if (!done)
            return fail(done.error());
        if (*done)
            return page;
    }
    if (error < 0 && error != GIT_ITEROVER)
        return failed(error, m_repo, QStringLiteral("walking the history from %1").arg(start));
    return page;
}

Result<GitCommitInfo> GitRepo::commit(const QString &sha) const
{
    auto found = lookupCommit(m_repo, sha);
    if (!found)
        return fail(found.error());
    return commitInfo(found->get());
}

Result<QList<GitFileDiff>> GitRepo::diff(const QString &from, const QString &to, int contextLines) const
{
    TreePtr oldTree;
    if (!from.isEmpty()) {
        auto commit = lookupCommit(m_repo, from);
        if (!commit)
            return fail(commit.error());
        auto tree = commitTree(m_repo, commit->get());
        if (!tree)
            return fail(tree.error());
        oldTree = std::move(*tree);
    }
    auto commit = lookupCommit(m_repo, to);
    if (!commit)
        return fail(commit.error());
    auto newTree = commitTree(m_repo, commit->get());
    if (!newTree)
        return fail(newTree.error());

    git_diff_options options{};
    (void)git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION);
    options.context_lines = static_cast<uint32_t>(std::max(0, contextLines));
    git_diff *rawDiff = nullptr;
    if (const int error = git_diff_tree_to_tree(&rawDiff, m_repo, oldTree.get(), newTree->get(), &options); error < 0)
        return failed(error, m_repo, QStringLiteral("comparing %1 with %2").arg(from, to));
    const DiffPtr diff(rawDiff);
    git_diff_find_options find{};
    (void)git_diff_find_options_init(&find, GIT_DIFF_FIND_OPTIONS_VERSION);
    find.flags = GIT_DIFF_FIND_RENAMES;
    if (const int error = git_diff_find_similar(diff.get(), &find); error < 0)
        return failed(error, m_repo, QStringLiteral("finding renames between %1 and %2").arg(from, to));
    QList<GitFileDiff> files;
    for (size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
        auto file = fileDiff(m_repo, diff.get(), i);
        if (!file)
            return fail(file.error().wrapped(QStringLiteral("comparing %1 with %2").arg(from, to)));
        files << *file;
    }
    return files;
}

QString shortSha(const QString &sha)
{
    return sha.left(12);
}

} // namespace hive::engine
