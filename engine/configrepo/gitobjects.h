// SPDX-License-Identifier: MIT
// libgit2 plumbing behind GitRepo, kept out of gitrepo.cpp so that each file stays readable:
// owning pointers, errors with the repo's path, conversions to Qt types, and the object walks
// (copying, diffing, path changes). Only the engine's git code includes this (it pulls in git2.h).
#pragma once

#include "gitrepo.h"

#include <git2.h>

#include <memory>
#include <optional>

namespace hive::engine::git {

/// Calls git_libgit2_init() once per process (never shut down).
void ensureLibgit2();

template<typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *object) const { Free(object); }
};
/// Owns a libgit2 object and frees it with its own free function.
template<typename T, void (*Free)(T *)>
using Ptr = std::unique_ptr<T, Deleter<T, Free>>;

using BlobPtr = Ptr<git_blob, git_blob_free>;
using CommitPtr = Ptr<git_commit, git_commit_free>;
using DiffPtr = Ptr<git_diff, git_diff_free>;
using IndexPtr = Ptr<git_index, git_index_free>;
using ObjectPtr = Ptr<git_object, git_object_free>;
using OdbPtr = Ptr<git_odb, git_odb_free>;
using OdbObjectPtr = Ptr<git_odb_object, git_odb_object_free>;
using PatchPtr = Ptr<git_patch, git_patch_free>;
using ReferencePtr = Ptr<git_reference, git_reference_free>;
using RemotePtr = Ptr<git_remote, git_remote_free>;
using RevwalkPtr = Ptr<git_revwalk, git_revwalk_free>;
using SignaturePtr = Ptr<git_signature, git_signature_free>;
using TreePtr = Ptr<git_tree, git_tree_free>;
using TreeEntryPtr = Ptr<git_tree_entry, git_tree_entry_free>;

/// A git_strarray that libgit2 filled, disposed of on scope exit.
struct StrArray {
    git_strarray array{};
    StrArray() = default;
    StrArray(const StrArray &) = delete;
    StrArray &operator=(const StrArray &) = delete;
    ~StrArray() { git_strarray_dispose(&array); }
};

/// Every libgit2 object type starts with a git_object header; libgit2 documents this cast.
template<typename T>
git_object *asObject(T *object)
{
    return reinterpret_cast<git_object *>(object);
}

/// The work tree, or the git dir of a bare repo, without a trailing slash.
QString repoPath(git_repository *repo);
ErrorCode errorCodeFor(int error);
/// A failed libgit2 call as an Error: what was being done, where, and libgit2's own words.
Unexpected failAs(ErrorCode code, const QString &where, const QString &what);
/// The same with the code that libgit2's error code maps to.
Unexpected failed(int error, git_repository *repo, const QString &what);

QString oidString(const git_oid *oid);
/// A key for a QSet of object ids.
QByteArray oidKey(const git_oid *oid);
QDateTime utc(git_time_t seconds);
/// A stored message without its final line breaks.
QString messageText(const char *message);
/// A message to store: with a final line break, as the git CLI writes it.
QByteArray messageBytes(const QString &message);

Result<SignaturePtr> makeSignature(git_repository *repo, const GitSignature &who);
/// The commit `spec` names (anything git rev-parse takes), peeled to the commit.
Result<CommitPtr> lookupCommit(git_repository *repo, const QString &spec);
/// The commit an object id (a commit or a tag) peels to.
Result<CommitPtr> peelToCommit(git_repository *repo, const git_oid &id);
Result<TreePtr> commitTree(git_repository *repo, git_commit *commit);
GitCommitInfo commitInfo(git_commit *commit);

/// A ref as setRef and commitFiles see it: a symbolic ref (HEAD) followed to the ref it names.
struct RefState {
    QByteArray name;
    std::optional<git_oid> target; ///< nothing: the ref does not exist (or is unborn)
};
/// Fails with InvalidParams unless `refName` is HEAD or a valid refs/... name.
Result<RefState> refState(git_repository *repo, const QString &refName);

/// Why `path` cannot be a file of a commit written from `files`, or nothing when it can.
std::optional<QString> pathProblem(const QString &path, const QMap<QString, QByteArray> &files);
/// Whether the commit changes `path` (a file or a directory) against its first parent; a root
/// commit changes what it has.
Result<bool> changesPath(git_repository *repo, git_commit *commit, const QByteArray &path);

/// Copies the commit `tip` and what it reaches from `source` into the object database `to`,
/// oldest first and each object after those it names, so that whatever is in `to` is complete:
/// the walk stops at commits `to` has, and an interrupted copy leaves nothing half-reachable.
Result<void> copyHistory(git_repository *source, git_odb *from, git_odb *to, const git_oid &tip, const QString &where);
/// Brings the work tree and the index to `commit` (which HEAD now names) as `git reset --hard`
/// from `previous` (null: an unborn branch) would.
Result<void> resetWorkTree(git_repository *repo, git_commit *commit, git_commit *previous);

/// The diff of delta `index`: status, paths, line counts and hunks.
Result<GitFileDiff> fileDiff(git_repository *repo, git_diff *diff, size_t index);

} // namespace hive::engine::git
