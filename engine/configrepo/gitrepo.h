// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

struct git_repository;

namespace hive::engine {

/// Who a commit or an annotated tag is by; the time is the signature's (UTC).
struct GitSignature {
    QString name = QStringLiteral("hyperhive");
    QString email = QStringLiteral("engine@hyperhive.invalid");
    QDateTime when; ///< invalid: now
};

/// One commit as the log shows it.
struct GitCommitInfo {
    QString sha; ///< 40 hex
    QStringList parents;
    QString authorName;
    QString authorEmail;
    QDateTime authorTime; ///< UTC
    QString committerName;
    QDateTime commitTime; ///< UTC
    QString summary;      ///< the first line of the message
    QString message;      ///< the whole message, without its final line break
};

/// A page of the log, newest first (topological-time order from the start commit).
struct GitLogPage {
    QList<GitCommitInfo> commits;
    bool more = false; ///< whether commits follow the last one in the page
};

/// One tag: its name without refs/tags/, the commit it points at, and for an annotated tag its
/// tagger, time and message.
struct GitTagInfo {
    QString name;
    QString target; ///< the commit's sha (peeled)
    bool annotated = false;
    QString taggerName;
    QString taggerEmail;
    QDateTime time; ///< the tag's time (annotated) or the commit's time (lightweight)
    QString message;
};

/// One entry of a tree.
struct GitTreeEntry {
    QString name;
    QString path; ///< from the repo root
    QString kind; ///< "blob", "tree" or "commit" (a submodule)
    QString sha;
    qint64 size = 0; ///< blobs only
    bool executable = false;
};

/// One hunk of a file's diff: the `@@ -a,b +c,d @@` header and its lines, each prefixed by ' ', '+' or '-'.
struct GitDiffHunk {
    int oldStart = 0;
    int oldLines = 0;
    int newStart = 0;
    int newLines = 0;
    QString header;
    QStringList lines;
};

/// One changed file between two commits.
struct GitFileDiff {
    QString oldPath; ///< empty when added
    QString newPath; ///< empty when deleted
    QString status;  ///< "added", "deleted", "modified", "renamed", "typechange"
    bool binary = false;
    int additions = 0;
    int deletions = 0;
    QList<GitDiffHunk> hunks;
};

/// A git repository through libgit2: what the config repos, the applied repos and the meta repo
/// need, and nothing that writes a working tree the caller did not ask for. Everything written is
/// plain git (loose objects, annotated tags, refs) that the stock `git` CLI reads. Errors carry
/// libgit2's message and say which repo (ErrorCode::Io), or ErrorCode::NotFound for a missing
/// commit, ref, tag or path, or ErrorCode::InvalidParams for a malformed one. Not thread-safe: one
/// GitRepo per thread.
class GitRepo
{
public:
    GitRepo(GitRepo &&other) noexcept;
    GitRepo &operator=(GitRepo &&other) noexcept;
    GitRepo(const GitRepo &) = delete;
    GitRepo &operator=(const GitRepo &) = delete;
    ~GitRepo();

    /// Opens the repo at `path` (a bare repo's dir or a work tree with .git).
    [[nodiscard]] static Result<GitRepo> open(const QString &path);
    /// Creates a repo at `path` whose HEAD is refs/heads/main (unborn); fails with AlreadyExists
    /// when one is there.
    [[nodiscard]] static Result<GitRepo> init(const QString &path, bool bare);
    /// Whether `path` holds a repo.
    [[nodiscard]] static bool exists(const QString &path);

    [[nodiscard]] QString path() const; ///< the work tree, or the git dir of a bare repo
    [[nodiscard]] bool isBare() const;

    /// The full sha of the commit `spec` names (a sha or unique prefix, a ref, a tag: anything
    /// git rev-parse takes), peeled to the commit.
    [[nodiscard]] Result<QString> resolveCommit(const QString &spec) const;
    /// Whether the commit `sha` (all 40 hex digits) exists here.
    [[nodiscard]] bool hasCommit(const QString &sha) const;
    /// The commit a ref (refs/heads/main, or a tag's full ref) points at, or nothing when it does
    /// not exist (or is unborn).
    [[nodiscard]] Result<std::optional<QString>> refTarget(const QString &refName) const;
    /// Points `refName` at `sha`. With `fastForwardOnly` it must be a descendant of the ref's
    /// current commit (or the ref is new), else InvalidParams; `logMessage` goes in the reflog.
    [[nodiscard]] Result<void> setRef(const QString &refName, const QString &sha, bool fastForwardOnly,
                                      const QString &logMessage);
    [[nodiscard]] Result<bool> isAncestor(const QString &ancestor, const QString &descendant) const;

    /// A commit whose tree is exactly `files` (path from the root -> content; nested paths make
    /// directories) with the given parents, not moving any ref; returns its sha.
    [[nodiscard]] Result<QString> writeCommit(const QMap<QString, QByteArray> &files, const QStringList &parents,
                                              const QString &message, const GitSignature &author);
    /// writeCommit on top of `refName` (its commit the only parent, none when unborn) and moves the
    /// ref there. In a repo with a work tree whose HEAD is that ref, the index and the files are
    /// updated to the new commit as by `git reset --hard` (local changes and staged files give
    /// way, untracked files stay), so `git status` shows no change afterwards.
    [[nodiscard]] Result<QString> commitFiles(const QString &refName, const QMap<QString, QByteArray> &files,
                                              const QString &message, const GitSignature &author);
    /// Copies the commit `sha` and everything it reaches from `source` into this repo's object
    /// database (objects already here are skipped). No ref is written.
    [[nodiscard]] Result<void> copyCommit(const GitRepo &source, const QString &sha);

    /// An annotated tag (`message` not empty) or a lightweight one at commit `sha`. Fails with
    /// AlreadyExists when the tag is there (pointing elsewhere or not).
    [[nodiscard]] Result<void> createTag(const QString &name, const QString &sha, const QString &message,
                                         const GitSignature &tagger);
    [[nodiscard]] Result<void> deleteTag(const QString &name);
    /// Tags whose names match the fnmatch `pattern` ("approved/*"; empty: all), sorted by name.
    [[nodiscard]] Result<QList<GitTagInfo>> tags(const QString &pattern = QString()) const;
    /// One tag, or nothing when it does not exist.
    [[nodiscard]] Result<std::optional<GitTagInfo>> tag(const QString &name) const;

    /// The remote `name` with `url` (added, or its url changed).
    [[nodiscard]] Result<void> setRemote(const QString &name, const QString &url);
    [[nodiscard]] Result<QString> remoteUrl(const QString &name) const;

    /// The file at `path` in commit `sha` (NotFound when absent or a directory).
    [[nodiscard]] Result<QByteArray> readFile(const QString &sha, const QString &path) const;
    /// Every file of commit `sha`'s tree, path -> content (for small repos: a config).
    [[nodiscard]] Result<QMap<QString, QByteArray>> readAllFiles(const QString &sha) const;
    /// The entries of the directory `dirPath` ("" the root) in commit `sha`, directories first,
    /// then by name.
    [[nodiscard]] Result<QList<GitTreeEntry>> tree(const QString &sha, const QString &dirPath) const;
    /// `limit` commits from `start` (a sha or ref) after skipping `offset`; newest first.
    /// `pathFilter` not empty: only commits that change that path.
    [[nodiscard]] Result<GitLogPage> log(const QString &start, qsizetype offset, qsizetype limit,
                                         const QString &pathFilter = QString()) const;
    [[nodiscard]] Result<GitCommitInfo> commit(const QString &sha) const;
    /// The changes from commit `from` (empty: the empty tree) to commit `to`, per file with hunks
    /// (`contextLines` around each change), renames detected.
    [[nodiscard]] Result<QList<GitFileDiff>> diff(const QString &from, const QString &to, int contextLines = 3) const;

    [[nodiscard]] git_repository *handle() const { return m_repo; }

private:
    explicit GitRepo(git_repository *repo);

    git_repository *m_repo = nullptr;
};

/// The sha's abbreviation that logs and meta commits use (first 12 hex digits).
[[nodiscard]] QString shortSha(const QString &sha);

} // namespace hive::engine
