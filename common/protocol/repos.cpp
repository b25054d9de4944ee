// SPDX-License-Identifier: MIT
#include "repos.h"

#include "jsonlist.h"
#include "jsonreader.h"

#include <QJsonArray>

#include <limits>

namespace hive::protocol {

namespace {

/// `agent` and `repo` of the git browsing params (see RepoSelector).
void readSelector(JsonReader &r, RepoSelector &selector)
{
    r.optional("agent", selector.agent);
    r.optional("repo", selector.repo);
    if (!r.ok())
        return;
    const bool meta = selector.repo == QLatin1String(repokinds::Meta);
    if (!meta && selector.repo != QLatin1String(repokinds::Applied) &&
        selector.repo != QLatin1String(repokinds::Proposed)) {
        r.invalid("repo", QStringLiteral("must be %1, %2 or %3, got '%4'")
                              .arg(QLatin1String(repokinds::Applied), QLatin1String(repokinds::Proposed),
                                   QLatin1String(repokinds::Meta), selector.repo));
    } else if (meta && selector.agent) {
        r.invalid("agent", QStringLiteral("must be absent for the meta repo, which is every agent's deploy log"));
    } else if (!meta && !selector.agent) {
        r.invalid("agent",
                  QStringLiteral("is required for the %1 repo (only the meta repo has no agent)").arg(selector.repo));
    }
}

void writeSelector(QJsonObject &json, const RepoSelector &selector)
{
    if (selector.agent)
        json.insert(QStringLiteral("agent"), *selector.agent);
    json.insert(QStringLiteral("repo"), selector.repo);
}

void checkNotEmpty(JsonReader &r, const char *key, const QString &value)
{
    if (r.ok() && value.isEmpty())
        r.invalid(key, QStringLiteral("must not be empty"));
}

void insertIf(QJsonObject &json, const QString &key, const std::optional<QString> &value)
{
    if (value)
        json.insert(key, *value);
}

} // namespace

QJsonObject DiffHunk::toJson() const
{
    return {{QStringLiteral("old_start"), oldStart}, {QStringLiteral("old_lines"), oldLines},
            {QStringLiteral("new_start"), newStart}, {QStringLiteral("new_lines"), newLines},
            {QStringLiteral("header"), header},      {QStringLiteral("lines"), QJsonArray::fromStringList(lines)}};
}

Result<DiffHunk> DiffHunk::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    DiffHunk h;
    r.required("old_start", h.oldStart);
    r.required("old_lines", h.oldLines);
    r.required("new_start", h.newStart);
    r.required("new_lines", h.newLines);
    r.required("header", h.header);
    r.required("lines", h.lines);
    return r.finish(std::move(h));
}

QJsonObject FileDiff::toJson() const
{
    return {{QStringLiteral("old_path"), oldPath},        {QStringLiteral("new_path"), newPath},
            {QStringLiteral("status"), status},           {QStringLiteral("binary"), binary},
            {QStringLiteral("additions"), additions},     {QStringLiteral("deletions"), deletions},
            {QStringLiteral("hunks"), toJsonArray(hunks)}};
}

Result<FileDiff> FileDiff::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    FileDiff f;
    r.required("old_path", f.oldPath);
    r.required("new_path", f.newPath);
    r.required("status", f.status);
    r.required("binary", f.binary);
    r.required("additions", f.additions);
    r.required("deletions", f.deletions);
    readObjectList(r, "hunks", f.hunks);
    return r.finish(std::move(f));
}

QJsonObject RepoLogParams::toJson() const
{
    QJsonObject json{
        {QStringLiteral("ref"), ref}, {QStringLiteral("offset"), offset}, {QStringLiteral("limit"), limit}};
    writeSelector(json, selector);
    if (!path.isEmpty())
        json.insert(QStringLiteral("path"), path);
    if (!search.isEmpty())
        json.insert(QStringLiteral("search"), search);
    return json;
}

Result<RepoLogParams> RepoLogParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoLogParams p;
    readSelector(r, p.selector);
    r.optional("ref", p.ref);
    r.optional("offset", p.offset);
    r.optional("limit", p.limit);
    r.optional("path", p.path);
    r.optional("search", p.search);
    checkNotEmpty(r, "ref", p.ref);
    r.checkRange("offset", p.offset, 0, std::numeric_limits<qint64>::max());
    r.checkRange("limit", p.limit, 1, RepoLogMaxLimit);
    return r.finish(std::move(p));
}

QJsonObject RepoCommit::toJson() const
{
    return {{QStringLiteral("sha"), sha},
            {QStringLiteral("parents"), QJsonArray::fromStringList(parents)},
            {QStringLiteral("author_name"), authorName},
            {QStringLiteral("author_email"), authorEmail},
            {QStringLiteral("author_time"), toWireTime(authorTime)},
            {QStringLiteral("committer_name"), committerName},
            {QStringLiteral("commit_time"), toWireTime(commitTime)},
            {QStringLiteral("summary"), summary},
            {QStringLiteral("message"), message}};
}

Result<RepoCommit> RepoCommit::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoCommit c;
    r.required("sha", c.sha);
    r.required("parents", c.parents);
    r.required("author_name", c.authorName);
    r.required("author_email", c.authorEmail);
    r.required("author_time", c.authorTime);
    r.required("committer_name", c.committerName);
    r.required("commit_time", c.commitTime);
    r.required("summary", c.summary);
    r.required("message", c.message);
    return r.finish(std::move(c));
}

QJsonObject RepoLogResult::toJson() const
{
    return {{QStringLiteral("commits"), toJsonArray(commits)},
            {QStringLiteral("more"), more},
            {QStringLiteral("next_offset"), nextOffset}};
}

Result<RepoLogResult> RepoLogResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoLogResult p;
    readObjectList(r, "commits", p.commits);
    r.required("more", p.more);
    r.required("next_offset", p.nextOffset);
    return r.finish(std::move(p));
}

QJsonObject RepoTagsParams::toJson() const
{
    QJsonObject json;
    writeSelector(json, selector);
    return json;
}

Result<RepoTagsParams> RepoTagsParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoTagsParams p;
    readSelector(r, p.selector);
    return r.finish(std::move(p));
}

QJsonObject RepoTag::toJson() const
{
    QJsonObject json{{QStringLiteral("name"), name},
                     {QStringLiteral("target"), target},
                     {QStringLiteral("annotated"), annotated},
                     {QStringLiteral("time"), toWireTime(time)},
                     {QStringLiteral("message"), message}};
    insertIf(json, QStringLiteral("tagger_name"), taggerName);
    insertIf(json, QStringLiteral("tagger_email"), taggerEmail);
    insertIf(json, QStringLiteral("state"), state);
    if (id)
        json.insert(QStringLiteral("id"), *id);
    return json;
}

Result<RepoTag> RepoTag::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoTag t;
    r.required("name", t.name);
    r.required("target", t.target);
    r.required("annotated", t.annotated);
    r.optional("tagger_name", t.taggerName);
    r.optional("tagger_email", t.taggerEmail);
    r.required("time", t.time);
    r.required("message", t.message);
    r.optional("state", t.state);
    r.optional("id", t.id);
    return r.finish(std::move(t));
}

QJsonObject RepoTagsResult::toJson() const
{
    return {{QStringLiteral("tags"), toJsonArray(tags)}};
}

Result<RepoTagsResult> RepoTagsResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoTagsResult p;
    readObjectList(r, "tags", p.tags);
    return r.finish(std::move(p));
}

QJsonObject RepoDiffParams::toJson() const
{
    QJsonObject json{{QStringLiteral("to"), to}, {QStringLiteral("context_lines"), contextLines}};
    writeSelector(json, selector);
    insertIf(json, QStringLiteral("from"), from);
    return json;
}

Result<RepoDiffParams> RepoDiffParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoDiffParams p;
    readSelector(r, p.selector);
    r.optional("from", p.from);
    r.required("to", p.to);
    r.optional("context_lines", p.contextLines);
    if (p.from)
        checkNotEmpty(r, "from", *p.from);
    checkNotEmpty(r, "to", p.to);
    r.checkRange("context_lines", p.contextLines, 0, RepoDiffMaxContextLines);
    return r.finish(std::move(p));
}

QJsonObject RepoDiffResult::toJson() const
{
    return {{QStringLiteral("from"), from ? QJsonValue(*from) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("to"), to},
            {QStringLiteral("files"), toJsonArray(files)}};
}

Result<RepoDiffResult> RepoDiffResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoDiffResult p;
    r.optional("from", p.from);
    r.required("to", p.to);
    readObjectList(r, "files", p.files);
    return r.finish(std::move(p));
}

QJsonObject RepoFileParams::toJson() const
{
    QJsonObject json{{QStringLiteral("ref"), ref}, {QStringLiteral("path"), path}};
    writeSelector(json, selector);
    return json;
}

Result<RepoFileParams> RepoFileParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoFileParams p;
    readSelector(r, p.selector);
    r.required("ref", p.ref);
    r.required("path", p.path);
    checkNotEmpty(r, "ref", p.ref);
    checkNotEmpty(r, "path", p.path);
    return r.finish(std::move(p));
}

QJsonObject RepoFileResult::toJson() const
{
    return {{QStringLiteral("ref"), ref},
            {QStringLiteral("sha"), sha},
            {QStringLiteral("path"), path},
            {QStringLiteral("size"), size},
            {QStringLiteral("binary"), binary},
            {QStringLiteral("encoding"), QLatin1String(binary ? fileencodings::Base64 : fileencodings::Utf8)},
            {QStringLiteral("content"), binary ? QString::fromLatin1(content.toBase64()) : QString::fromUtf8(content)}};
}

Result<RepoFileResult> RepoFileResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoFileResult p;
    QString encoding;
    QString content;
    r.required("ref", p.ref);
    r.required("sha", p.sha);
    r.required("path", p.path);
    r.required("size", p.size);
    r.required("binary", p.binary);
    r.required("encoding", encoding);
    r.required("content", content);
    const QLatin1String expected(p.binary ? fileencodings::Base64 : fileencodings::Utf8);
    if (r.ok() && encoding != expected) {
        r.invalid("encoding",
                  QStringLiteral("must be '%1' when binary is %2, got '%3'")
                      .arg(expected, p.binary ? QStringLiteral("true") : QStringLiteral("false"), encoding));
    }
    if (r.ok() && p.binary) {
        auto decoded = QByteArray::fromBase64Encoding(content.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            r.invalid("content", QStringLiteral("must be base64 when binary is true"));
        else
            p.content = *decoded;
    } else if (r.ok()) {
        p.content = content.toUtf8();
    }
    return r.finish(std::move(p));
}

QJsonObject RepoTreeParams::toJson() const
{
    QJsonObject json{{QStringLiteral("ref"), ref}, {QStringLiteral("path"), path}};
    writeSelector(json, selector);
    return json;
}

Result<RepoTreeParams> RepoTreeParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoTreeParams p;
    readSelector(r, p.selector);
    r.required("ref", p.ref);
    r.optional("path", p.path);
    checkNotEmpty(r, "ref", p.ref);
    return r.finish(std::move(p));
}

QJsonObject RepoTreeEntry::toJson() const
{
    return {{QStringLiteral("name"), name}, {QStringLiteral("path"), path}, {QStringLiteral("kind"), kind},
            {QStringLiteral("sha"), sha},   {QStringLiteral("size"), size}, {QStringLiteral("executable"), executable}};
}

Result<RepoTreeEntry> RepoTreeEntry::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoTreeEntry e;
    r.required("name", e.name);
    r.required("path", e.path);
    r.required("kind", e.kind);
    r.required("sha", e.sha);
    r.required("size", e.size);
    r.required("executable", e.executable);
    return r.finish(std::move(e));
}

QJsonObject RepoTreeResult::toJson() const
{
    return {{QStringLiteral("ref"), ref},
            {QStringLiteral("sha"), sha},
            {QStringLiteral("path"), path},
            {QStringLiteral("entries"), toJsonArray(entries)}};
}

Result<RepoTreeResult> RepoTreeResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RepoTreeResult p;
    r.required("ref", p.ref);
    r.required("sha", p.sha);
    r.required("path", p.path);
    readObjectList(r, "entries", p.entries);
    return r.finish(std::move(p));
}

} // namespace hive::protocol
