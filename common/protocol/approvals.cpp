// SPDX-License-Identifier: MIT
#include "approvals.h"

#include "containers.h"
#include "jsonlist.h"
#include "jsonreader.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace hive::protocol {

namespace {

constexpr qsizetype MaxDescription = 4096;
constexpr qsizetype MaxNote = 4096;
constexpr int MaxListLimit = 1000;
constexpr int MaxContextLines = 1000;

// Characters as a reader counts them (code points), not UTF-16 units or bytes.
qsizetype characters(const QString &text)
{
    return text.toUcs4().size();
}

void readId(JsonReader &r, qint64 &id)
{
    r.required("id", id);
    r.checkPositiveId("id", id, "approval");
}

void checkDescription(JsonReader &r, const QString &description)
{
    if (r.ok() && characters(description) > MaxDescription) {
        r.invalid(
            "description",
            QStringLiteral("%1 characters exceed the limit of %2").arg(characters(description)).arg(MaxDescription));
    }
}

// The reader's problems first (a misspelt field says so); then the ref, whose message is whole.
template<typename T>
Result<T> finishWithCommitRef(JsonReader &r, T value)
{
    auto done = r.finish(std::move(value));
    if (!done)
        return done;
    if (auto problem = commitRefProblem(done->commitRef))
        return fail(ErrorCode::InvalidParams, *problem);
    done->commitRef = done->commitRef.toLower();
    return done;
}

// A nested object field parsed with T::fromJson; its problems are prefixed with the field.
template<typename T>
void readObject(JsonReader &r, const char *key, T &out)
{
    QJsonObject object;
    r.required(key, object);
    if (!r.ok())
        return;
    auto parsed = T::fromJson(object);
    if (!parsed)
        r.invalid(key, parsed.error().message);
    else
        out = std::move(*parsed);
}

const QStringList &approvalStates()
{
    static const QStringList states{
        QString::fromLatin1(approvalstates::Pending),  QString::fromLatin1(approvalstates::Approved),
        QString::fromLatin1(approvalstates::Building), QString::fromLatin1(approvalstates::Deployed),
        QString::fromLatin1(approvalstates::Failed),   QString::fromLatin1(approvalstates::Denied)};
    return states;
}

} // namespace

bool isTerminalApprovalState(const QString &state)
{
    return state == QLatin1String(approvalstates::Deployed) || state == QLatin1String(approvalstates::Failed) ||
           state == QLatin1String(approvalstates::Denied);
}

std::optional<QString> commitRefProblem(const QString &ref)
{
    static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]{7,40}$"));
    if (hex.match(ref).hasMatch())
        return std::nullopt;
    return QStringLiteral("commit_ref must be 7 to 40 hex digits of a commit (branch and tag names are refused), "
                          "got '%1'")
        .arg(ref);
}

QJsonObject CapabilityChange::toJson() const
{
    QJsonObject json{{QStringLiteral("area"), area},
                     {QStringLiteral("item"), item},
                     {QStringLiteral("change"), change},
                     {QStringLiteral("widening"), widening}};
    if (before)
        json.insert(QStringLiteral("before"), *before);
    if (after)
        json.insert(QStringLiteral("after"), *after);
    return json;
}

Result<CapabilityChange> CapabilityChange::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    CapabilityChange p;
    r.required("area", p.area);
    r.required("item", p.item);
    r.required("change", p.change);
    r.optional("before", p.before);
    r.optional("after", p.after);
    r.required("widening", p.widening);
    return r.finish(std::move(p));
}

QJsonObject ApprovalInfo::toJson() const
{
    QJsonObject json{{QStringLiteral("id"), id},
                     {QStringLiteral("kind"), kind},
                     {QStringLiteral("agent"), agent},
                     {QStringLiteral("commit"), commit},
                     {QStringLiteral("description"), description},
                     {QStringLiteral("requested_by"), requestedBy},
                     {QStringLiteral("state"), state},
                     {QStringLiteral("created_at"), toWireTime(createdAt)}};
    if (resolvedAt)
        json.insert(QStringLiteral("resolved_at"), toWireTime(*resolvedAt));
    if (resolvedBy)
        json.insert(QStringLiteral("resolved_by"), *resolvedBy);
    if (note)
        json.insert(QStringLiteral("note"), *note);
    if (error)
        json.insert(QStringLiteral("error"), *error);
    return json;
}

Result<ApprovalInfo> ApprovalInfo::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ApprovalInfo p;
    r.required("id", p.id);
    r.required("kind", p.kind);
    r.required("agent", p.agent);
    r.required("commit", p.commit);
    r.required("description", p.description);
    r.required("requested_by", p.requestedBy);
    r.required("state", p.state);
    r.required("created_at", p.createdAt);
    r.optional("resolved_at", p.resolvedAt);
    r.optional("resolved_by", p.resolvedBy);
    r.optional("note", p.note);
    r.optional("error", p.error);
    return r.finish(std::move(p));
}

QJsonObject ApprovalListParams::toJson() const
{
    QJsonObject json{{QStringLiteral("state"), state}, {QStringLiteral("limit"), limit}};
    if (agent)
        json.insert(QStringLiteral("agent"), *agent);
    if (beforeId)
        json.insert(QStringLiteral("before_id"), *beforeId);
    return json;
}

Result<ApprovalListParams> ApprovalListParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ApprovalListParams p;
    r.optional("state", p.state);
    r.optional("agent", p.agent);
    r.optional("limit", p.limit);
    r.optional("before_id", p.beforeId);
    if (r.ok() && p.state != QLatin1String("open") && p.state != QLatin1String("all") &&
        !approvalStates().contains(p.state)) {
        r.invalid("state", QStringLiteral("must be open, all or a state (%1), got '%2'")
                               .arg(approvalStates().join(QStringLiteral(", ")), p.state));
    }
    if (r.ok() && p.agent && p.agent->isEmpty())
        r.invalid("agent", QStringLiteral("must not be empty; leave it out for every agent"));
    r.checkRange("limit", p.limit, 1, MaxListLimit);
    r.checkPositiveId("before_id", p.beforeId, "approval");
    return r.finish(std::move(p));
}

QJsonObject ApprovalListResult::toJson() const
{
    return {{QStringLiteral("approvals"), toJsonArray(approvals)}};
}

Result<ApprovalListResult> ApprovalListResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ApprovalListResult p;
    readObjectList(r, "approvals", p.approvals);
    return r.finish(std::move(p));
}

QJsonObject ApprovalGetParams::toJson() const
{
    return {
        {QStringLiteral("id"), id}, {QStringLiteral("base"), base}, {QStringLiteral("context_lines"), contextLines}};
}

Result<ApprovalGetParams> ApprovalGetParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ApprovalGetParams p;
    readId(r, p.id);
    r.optional("base", p.base);
    r.optional("context_lines", p.contextLines);
    if (r.ok() && p.base != QLatin1String(approvalbases::Running) && p.base != QLatin1String(approvalbases::Approved) &&
        p.base != QLatin1String(approvalbases::Queued)) {
        r.invalid("base", QStringLiteral("must be %1, %2 or %3, got '%4'")
                              .arg(QLatin1String(approvalbases::Running), QLatin1String(approvalbases::Approved),
                                   QLatin1String(approvalbases::Queued), p.base));
    }
    r.checkRange("context_lines", p.contextLines, 0, MaxContextLines);
    return r.finish(std::move(p));
}

QJsonObject ApprovalGetResult::toJson() const
{
    QJsonObject json{{QStringLiteral("approval"), approval.toJson()},
                     {QStringLiteral("base"), base},
                     {QStringLiteral("base_description"), baseDescription},
                     {QStringLiteral("files"), toJsonArray(files)},
                     {QStringLiteral("delta"), toJsonArray(delta)}};
    if (baseCommit)
        json.insert(QStringLiteral("base_commit"), *baseCommit);
    return json;
}

Result<ApprovalGetResult> ApprovalGetResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ApprovalGetResult p;
    readObject(r, "approval", p.approval);
    r.required("base", p.base);
    r.optional("base_commit", p.baseCommit);
    r.required("base_description", p.baseDescription);
    readObjectList(r, "files", p.files);
    readObjectList(r, "delta", p.delta);
    return r.finish(std::move(p));
}

QJsonObject ApprovalApproveParams::toJson() const
{
    return {{QStringLiteral("id"), id}};
}

Result<ApprovalApproveParams> ApprovalApproveParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ApprovalApproveParams p;
    readId(r, p.id);
    return r.finish(p);
}

QJsonObject ApprovalDenyParams::toJson() const
{
    return {{QStringLiteral("id"), id}, {QStringLiteral("note"), note}};
}

Result<ApprovalDenyParams> ApprovalDenyParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    ApprovalDenyParams p;
    readId(r, p.id);
    r.required("note", p.note);
    // The requester learns only this of why: a denial says something.
    if (r.ok() && p.note.trimmed().isEmpty())
        r.invalid("note", QStringLiteral("must not be empty: say why it is denied"));
    if (r.ok() && characters(p.note) > MaxNote)
        r.invalid("note", QStringLiteral("%1 characters exceed the limit of %2").arg(characters(p.note)).arg(MaxNote));
    return r.finish(std::move(p));
}

Result<ApprovalResult> ApprovalResult::fromJson(const QJsonObject &json)
{
    auto approval = ApprovalInfo::fromJson(json);
    if (!approval)
        return fail(approval.error());
    return ApprovalResult{std::move(*approval)};
}

QJsonObject RequestApplyCommitParams::toJson() const
{
    return {{QStringLiteral("agent"), agent},
            {QStringLiteral("commit_ref"), commitRef},
            {QStringLiteral("description"), description}};
}

Result<RequestApplyCommitParams> RequestApplyCommitParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RequestApplyCommitParams p;
    // The name rules are the registry's (one place, the same message everywhere).
    r.required("agent", p.agent);
    r.required("commit_ref", p.commitRef);
    r.required("description", p.description);
    checkDescription(r, p.description);
    return finishWithCommitRef(r, std::move(p));
}

QJsonObject RequestSpawnParams::toJson() const
{
    return {{QStringLiteral("name"), name}, {QStringLiteral("description"), description}};
}

Result<RequestSpawnParams> RequestSpawnParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RequestSpawnParams p;
    r.required("name", p.name);
    r.required("description", p.description);
    checkDescription(r, p.description);
    return r.finish(std::move(p));
}

QJsonObject RequestSpawnDraftParams::toJson() const
{
    return {{QStringLiteral("name"), name}};
}

Result<RequestSpawnDraftParams> RequestSpawnDraftParams::fromJson(const QJsonObject &json)
{
    auto name = readAgentName(json);
    if (!name)
        return fail(name.error());
    return RequestSpawnDraftParams{*name};
}

QJsonObject RequestSpawnCommitParams::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("commit_ref"), commitRef},
            {QStringLiteral("description"), description}};
}

Result<RequestSpawnCommitParams> RequestSpawnCommitParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    RequestSpawnCommitParams p;
    r.required("name", p.name);
    r.required("commit_ref", p.commitRef);
    r.required("description", p.description);
    checkDescription(r, p.description);
    return finishWithCommitRef(r, std::move(p));
}

QJsonObject DraftInfo::toJson() const
{
    QJsonObject json{{QStringLiteral("name"), name},
                     {QStringLiteral("requested_by"), requestedBy},
                     {QStringLiteral("created_at"), toWireTime(createdAt)},
                     {QStringLiteral("head"), head},
                     {QStringLiteral("config_path"), configPath}};
    if (approval)
        json.insert(QStringLiteral("approval"), *approval);
    return json;
}

Result<DraftInfo> DraftInfo::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    DraftInfo p;
    r.required("name", p.name);
    r.required("requested_by", p.requestedBy);
    r.required("created_at", p.createdAt);
    r.required("head", p.head);
    r.required("config_path", p.configPath);
    r.optional("approval", p.approval);
    return r.finish(std::move(p));
}

Result<DraftResult> DraftResult::fromJson(const QJsonObject &json)
{
    auto draft = DraftInfo::fromJson(json);
    if (!draft)
        return fail(draft.error());
    return DraftResult{std::move(*draft)};
}

Result<DraftListParams> DraftListParams::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    return r.finish(DraftListParams{});
}

QJsonObject DraftListResult::toJson() const
{
    return {{QStringLiteral("drafts"), toJsonArray(drafts)}};
}

Result<DraftListResult> DraftListResult::fromJson(const QJsonObject &json)
{
    JsonReader r(json);
    DraftListResult p;
    readObjectList(r, "drafts", p.drafts);
    return r.finish(std::move(p));
}

Result<DraftDiscardParams> DraftDiscardParams::fromJson(const QJsonObject &json)
{
    auto name = readAgentName(json);
    if (!name)
        return fail(name.error());
    return DraftDiscardParams{*name};
}

} // namespace hive::protocol
