// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace hive::protocol {

/// One hunk of a file's diff: the `@@ -a,b +c,d @@` header and its lines, each starting with
/// ' ' (context), '+' (added), '-' (removed) or '\' (no newline at end of file).
struct DiffHunk {
    int oldStart = 0;
    int oldLines = 0;
    int newStart = 0;
    int newLines = 0;
    QString header;
    QStringList lines;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<DiffHunk> fromJson(const QJsonObject &json);
    friend bool operator==(const DiffHunk &, const DiffHunk &) = default;
};

/// One changed file between two commits.
struct FileDiff {
    QString oldPath; ///< empty when added
    QString newPath; ///< empty when deleted
    QString status;  ///< "added", "deleted", "modified", "renamed" or "typechange"
    bool binary = false;
    int additions = 0;
    int deletions = 0;
    QList<DiffHunk> hunks;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<FileDiff> fromJson(const QJsonObject &json);
    friend bool operator==(const FileDiff &, const FileDiff &) = default;
};

/// The repos the git browsing methods read (API 1.5.0).
namespace repokinds {
inline constexpr char Applied[] = "applied";   ///< applied/<agent>: proposals, the approvals' tags, main deployed
inline constexpr char Proposed[] = "proposed"; ///< agents/<agent>/config: the manager's work tree
inline constexpr char Meta[] = "meta";         ///< the deploy log of all agents (no agent)
} // namespace repokinds

inline constexpr int RepoLogDefaultLimit = 100;
inline constexpr int RepoLogMaxLimit = 1000;
/// The largest file repo_file returns; a bigger one is too_large.
inline constexpr qint64 RepoFileMaxBytes = qint64(4) * 1024 * 1024;
inline constexpr int RepoDiffMaxContextLines = 1000;

/// Which repo a git browsing call reads: an agent's applied or proposed repo, or the meta repo
/// (then no agent). Checked by fromJson: `repo` is one of repokinds, `agent` present exactly
/// when the repo is an agent's.
struct RepoSelector {
    std::optional<QString> agent;
    QString repo = QString::fromLatin1(repokinds::Applied);

    friend bool operator==(const RepoSelector &, const RepoSelector &) = default;
};

/// repo_log: a page of the history from `ref`, newest first; with `path` only the commits that
/// change it, with `search` only those whose message, author name or email contains it (any
/// case) or whose sha starts with it. offset/limit count the commits that match.
struct RepoLogParams {
    RepoSelector selector;
    QString ref = QStringLiteral("main"); ///< a sha (or a unique prefix), branch or tag
    qint64 offset = 0;
    int limit = RepoLogDefaultLimit; ///< 1..RepoLogMaxLimit
    QString path;                    ///< empty: every commit
    QString search;                  ///< empty: every commit

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoLogParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoLogParams &, const RepoLogParams &) = default;
};

/// One commit as repo_log shows it; times are UTC.
struct RepoCommit {
    QString sha;
    QStringList parents;
    QString authorName;
    QString authorEmail;
    QDateTime authorTime;
    QString committerName;
    QDateTime commitTime;
    QString summary; ///< the first line of the message
    QString message;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoCommit> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoCommit &, const RepoCommit &) = default;
};

struct RepoLogResult {
    QList<RepoCommit> commits;
    bool more = false;     ///< whether matching commits follow the page
    qint64 nextOffset = 0; ///< the offset of the next page: the request's offset + the commits returned

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoLogResult> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoLogResult &, const RepoLogResult &) = default;
};

/// repo_tags: every tag of the repo.
struct RepoTagsParams {
    RepoSelector selector;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoTagsParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoTagsParams &, const RepoTagsParams &) = default;
};

/// One tag. A name `<state>/<id>` of the approval states (proposal, approved, building, deployed,
/// failed, denied) with a positive id has them split out.
struct RepoTag {
    QString name;
    QString target; ///< the commit it points at (peeled)
    bool annotated = false;
    std::optional<QString> taggerName;  ///< annotated tags only
    std::optional<QString> taggerEmail; ///< annotated tags only
    QDateTime time;                     ///< the tagger's time, or the commit's for a lightweight tag
    QString message;                    ///< empty for a lightweight tag
    std::optional<QString> state;
    std::optional<qint64> id;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoTag> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoTag &, const RepoTag &) = default;
};

/// The tags of approvals first, by id and then in the order of the states, then the others by name.
struct RepoTagsResult {
    QList<RepoTag> tags;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoTagsResult> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoTagsResult &, const RepoTagsResult &) = default;
};

/// repo_diff: the changes from `from` to `to`; without `from`, against the first parent of `to`
/// (the empty tree for a root commit).
struct RepoDiffParams {
    RepoSelector selector;
    std::optional<QString> from;
    QString to;
    int contextLines = 3; ///< 0..RepoDiffMaxContextLines

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoDiffParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoDiffParams &, const RepoDiffParams &) = default;
};

struct RepoDiffResult {
    std::optional<QString> from; ///< the commit compared with; absent (null on the wire): the empty tree
    QString to;
    QList<FileDiff> files;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoDiffResult> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoDiffResult &, const RepoDiffResult &) = default;
};

/// repo_file: one file at a commit.
struct RepoFileParams {
    RepoSelector selector;
    QString ref;
    QString path;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoFileParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoFileParams &, const RepoFileParams &) = default;
};

/// How repo_file's content travels.
namespace fileencodings {
inline constexpr char Utf8[] = "utf-8";    ///< the text as it is
inline constexpr char Base64[] = "base64"; ///< a binary file (a NUL byte, or not valid UTF-8)
} // namespace fileencodings

struct RepoFileResult {
    QString ref; ///< as asked
    QString sha; ///< the commit it names
    QString path;
    qint64 size = 0; ///< in bytes
    bool binary = false;
    QByteArray content; ///< UTF-8 text, or base64 on the wire when binary

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoFileResult> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoFileResult &, const RepoFileResult &) = default;
};

/// repo_tree: one directory at a commit.
struct RepoTreeParams {
    RepoSelector selector;
    QString ref;
    QString path; ///< "" the root

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoTreeParams> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoTreeParams &, const RepoTreeParams &) = default;
};

struct RepoTreeEntry {
    QString name;
    QString path; ///< from the repo's root
    QString kind; ///< "blob", "tree" or "commit" (a submodule)
    QString sha;
    qint64 size = 0; ///< blobs only
    bool executable = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoTreeEntry> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoTreeEntry &, const RepoTreeEntry &) = default;
};

/// Directories first, then by name.
struct RepoTreeResult {
    QString ref; ///< as asked
    QString sha; ///< the commit it names
    QString path;
    QList<RepoTreeEntry> entries;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<RepoTreeResult> fromJson(const QJsonObject &json);
    friend bool operator==(const RepoTreeResult &, const RepoTreeResult &) = default;
};

} // namespace hive::protocol
