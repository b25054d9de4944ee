// SPDX-License-Identifier: MIT
// The approval and draft protocol types: every struct round-trips, the wire names, the
// defaults, and every bad parameter refused with an error that names it.
#include "protocol/approvals.h"

#include <QJsonArray>
#include <QTest>
#include <QTimeZone>

#include <functional>

using namespace hive;
using namespace hive::protocol;

namespace {

const QDateTime T1 = QDateTime(QDate(2026, 11, 24), QTime(15, 32, 26, 123), QTimeZone::utc());
const QDateTime T2 = QDateTime(QDate(2026, 11, 25), QTime(8, 0, 0, 7), QTimeZone::utc());
const QString Commit = QStringLiteral("0123456789abcdef0123456789abcdef01234567");

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

ApprovalInfo fullApproval()
{
    return ApprovalInfo{7,
                        key(approvalkinds::ApplyCommit),
                        key("alice"),
                        Commit,
                        QStringLiteral("more tools \u00e9\n{\"x\":1}"),
                        key("manager"),
                        key(approvalstates::Denied),
                        T1,
                        T2,
                        key("laptop"),
                        key("not now"),
                        key("build failed")};
}

ApprovalInfo openApproval()
{
    return ApprovalInfo{8,
                        key(approvalkinds::Spawn),
                        key("bob"),
                        Commit,
                        QString(),
                        key("operator"),
                        key(approvalstates::Pending),
                        T1,
                        {},
                        {},
                        {},
                        {}};
}

CapabilityChange widening()
{
    return CapabilityChange{key("limits"), key("memory"), key("changed"), key("4G"), key("8G"), true};
}

CapabilityChange narrowing()
{
    return CapabilityChange{key("tools"), key("Edit"), key("removed"), std::nullopt, std::nullopt, false};
}

FileDiff sampleDiff()
{
    const DiffHunk hunk{1, 2, 1, 3, key("@@ -1,2 +1,3 @@"), {key(" a"), key("-b"), key("+c"), key("+d")}};
    return FileDiff{key("agent.toml"), key("agent.toml"), key("modified"), false, 2, 1, {hunk}};
}

DraftInfo sampleDraft()
{
    return DraftInfo{key("carol"), key("manager"), T1, Commit, key("/var/lib/hive/proposed/carol.git"), 12};
}

// Encodes, decodes and compares: every field must survive the wire.
template<typename T>
void roundTrip(const T &value)
{
    const QJsonObject json = value.toJson();
    const Result<T> back = T::fromJson(json);
    QVERIFY2(back.has_value(), back.has_value() ? "" : qPrintable(back.error().message));
    QVERIFY(*back == value);
}

using Parser = std::function<std::optional<Error>(const QJsonObject &)>;

template<typename T>
Parser parserFor()
{
    return [](const QJsonObject &json) -> std::optional<Error> {
        const Result<T> parsed = T::fromJson(json);
        if (parsed)
            return std::nullopt;
        return parsed.error();
    };
}

// The data tables name the struct by its method (or its result), so that a row reads like a call.
Parser parserNamed(const QString &name)
{
    static const QMap<QString, Parser> parsers{
        {key("approval_list"), parserFor<ApprovalListParams>()},
        {key("approval_get"), parserFor<ApprovalGetParams>()},
        {key("approval_approve"), parserFor<ApprovalApproveParams>()},
        {key("approval_deny"), parserFor<ApprovalDenyParams>()},
        {key("request_apply_commit"), parserFor<RequestApplyCommitParams>()},
        {key("request_spawn"), parserFor<RequestSpawnParams>()},
        {key("request_spawn_draft"), parserFor<RequestSpawnDraftParams>()},
        {key("request_spawn_commit"), parserFor<RequestSpawnCommitParams>()},
        {key("draft_list"), parserFor<DraftListParams>()},
        {key("draft_discard"), parserFor<DraftDiscardParams>()},
        {key("capability_change"), parserFor<CapabilityChange>()},
        {key("approval"), parserFor<ApprovalInfo>()},
        {key("approval_result"), parserFor<ApprovalResult>()},
        {key("approval_list_result"), parserFor<ApprovalListResult>()},
        {key("approval_get_result"), parserFor<ApprovalGetResult>()},
        {key("draft"), parserFor<DraftInfo>()},
        {key("draft_result"), parserFor<DraftResult>()},
        {key("draft_list_result"), parserFor<DraftListResult>()},
    };
    return parsers.value(name);
}

QJsonObject without(QJsonObject json, const char *field)
{
    json.remove(key(field));
    return json;
}

QJsonObject with(QJsonObject json, const char *field, const QJsonValue &value)
{
    json.insert(key(field), value);
    return json;
}

QStringList sortedKeys(const QJsonObject &json)
{
    QStringList keys = json.keys();
    keys.sort();
    return keys;
}

} // namespace

class TestApprovalProtocol : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyStructRoundTrips();
    void optionalFieldsRoundTripWhenAbsent();
    void wireNames();
    void defaults();
    void terminalStates();
    void commitRefs_data();
    void commitRefs();
    void commitRefIsLowercased();
    void invalidParamsAreNamed_data();
    void invalidParamsAreNamed();
    void boundariesAreAccepted_data();
    void boundariesAreAccepted();
};

void TestApprovalProtocol::everyStructRoundTrips()
{
    roundTrip(widening());
    roundTrip(narrowing());
    roundTrip(fullApproval());
    roundTrip(ApprovalListParams{key("all"), key("alice"), 1000, 99});
    roundTrip(ApprovalListResult{{fullApproval(), openApproval()}});
    roundTrip(ApprovalGetParams{3, key(approvalbases::Queued), 0});
    roundTrip(ApprovalGetResult{fullApproval(),
                                key(approvalbases::Approved),
                                Commit,
                                key("last approved proposal (approved/4)"),
                                {sampleDiff(), sampleDiff()},
                                {widening(), narrowing()}});
    roundTrip(ApprovalApproveParams{5});
    roundTrip(ApprovalDenyParams{5, key("too wide")});
    roundTrip(ApprovalResult{fullApproval()});
    roundTrip(RequestApplyCommitParams{key("alice"), key("0123abc"), key("gives alice Edit")});
    roundTrip(RequestSpawnParams{key("dave"), key("a reviewer")});
    roundTrip(RequestSpawnDraftParams{key("erin")});
    roundTrip(RequestSpawnCommitParams{key("erin"), Commit, key("erin, configured")});
    roundTrip(sampleDraft());
    roundTrip(DraftResult{sampleDraft()});
    roundTrip(DraftListParams{});
    roundTrip(DraftListResult{{sampleDraft(), sampleDraft()}});
    roundTrip(DraftDiscardParams{key("erin")});
}

void TestApprovalProtocol::optionalFieldsRoundTripWhenAbsent()
{
    roundTrip(openApproval());
    roundTrip(ApprovalResult{openApproval()});
    roundTrip(ApprovalListParams{});
    roundTrip(ApprovalListResult{});
    roundTrip(ApprovalGetParams{1});
    roundTrip(ApprovalGetResult{
        openApproval(), key(approvalbases::Running), std::nullopt, key("nothing deployed yet"), {}, {}});
    DraftInfo draft = sampleDraft();
    draft.approval.reset();
    roundTrip(draft);
    roundTrip(DraftListResult{});
    roundTrip(RequestSpawnParams{key("dave"), QString()});
}

void TestApprovalProtocol::wireNames()
{
    const QJsonObject full = fullApproval().toJson();
    QCOMPARE(sortedKeys(full), (QStringList{key("agent"), key("commit"), key("created_at"), key("description"),
                                            key("error"), key("id"), key("kind"), key("note"), key("requested_by"),
                                            key("resolved_at"), key("resolved_by"), key("state")}));
    QCOMPARE(full.value(key("created_at")).toString(), key("2026-11-24T15:32:26.123Z"));
    QCOMPARE(full.value(key("resolved_at")).toString(), key("2026-11-25T08:00:00.007Z"));

    // Absent optionals are left out, not sent as null.
    QCOMPARE(sortedKeys(openApproval().toJson()),
             (QStringList{key("agent"), key("commit"), key("created_at"), key("description"), key("id"), key("kind"),
                          key("requested_by"), key("state")}));
    QCOMPARE(narrowing().toJson(), QJsonObject({{key("area"), key("tools")},
                                                {key("item"), key("Edit")},
                                                {key("change"), key("removed")},
                                                {key("widening"), false}}));
    QCOMPARE(widening().toJson().value(key("before")).toString(), key("4G"));
    QCOMPARE(widening().toJson().value(key("after")).toString(), key("8G"));

    QCOMPARE(ApprovalListParams{}.toJson(), QJsonObject({{key("state"), key("open")}, {key("limit"), 100}}));
    QCOMPARE(
        ApprovalListParams({key("denied"), key("bob"), 5, 40}).toJson(),
        QJsonObject(
            {{key("state"), key("denied")}, {key("agent"), key("bob")}, {key("limit"), 5}, {key("before_id"), 40}}));
    QCOMPARE(ApprovalGetParams{2}.toJson(),
             QJsonObject({{key("id"), 2}, {key("base"), key("running")}, {key("context_lines"), 3}}));

    const ApprovalGetResult compared{
        openApproval(), key(approvalbases::Running), Commit, key("running config"), {}, {}};
    QCOMPARE(sortedKeys(compared.toJson()), (QStringList{key("approval"), key("base"), key("base_commit"),
                                                         key("base_description"), key("delta"), key("files")}));
    const ApprovalGetResult empty{openApproval(), key(approvalbases::Running), std::nullopt, key("nothing"), {}, {}};
    QVERIFY(!empty.toJson().contains(key("base_commit")));

    // The approval calls answer with the approval itself, not wrapped.
    QCOMPARE(ApprovalResult{fullApproval()}.toJson(), full);
    QCOMPARE(DraftResult{sampleDraft()}.toJson(), sampleDraft().toJson());

    QCOMPARE(
        RequestApplyCommitParams({key("a"), key("abcdef1"), key("d")}).toJson(),
        QJsonObject({{key("agent"), key("a")}, {key("commit_ref"), key("abcdef1")}, {key("description"), key("d")}}));
    QCOMPARE(sortedKeys(RequestSpawnCommitParams{}.toJson()),
             (QStringList{key("commit_ref"), key("description"), key("name")}));
    QCOMPARE(ApprovalDenyParams({3, key("no")}).toJson(), QJsonObject({{key("id"), 3}, {key("note"), key("no")}}));
    QCOMPARE(DraftDiscardParams{key("x")}.toJson(), QJsonObject({{key("name"), key("x")}}));
    QCOMPARE(DraftListParams{}.toJson(), QJsonObject());

    const QJsonObject draft = sampleDraft().toJson();
    QCOMPARE(sortedKeys(draft), (QStringList{key("approval"), key("config_path"), key("created_at"), key("head"),
                                             key("name"), key("requested_by")}));
    DraftInfo unqueued = sampleDraft();
    unqueued.approval.reset();
    QVERIFY(!unqueued.toJson().contains(key("approval")));
}

void TestApprovalProtocol::defaults()
{
    const auto list = ApprovalListParams::fromJson({});
    QVERIFY(list);
    QCOMPARE(list->state, key("open"));
    QCOMPARE(list->limit, 100);
    QVERIFY(!list->agent && !list->beforeId);

    const auto get = ApprovalGetParams::fromJson({{key("id"), 4}});
    QVERIFY(get);
    QCOMPARE(get->base, key(approvalbases::Running));
    QCOMPARE(get->contextLines, 3);

    // Optional result fields may also arrive as null from other peers.
    const auto approval = ApprovalInfo::fromJson(with(openApproval().toJson(), "resolved_at", QJsonValue()));
    QVERIFY(approval);
    QVERIFY(!approval->resolvedAt);
}

void TestApprovalProtocol::terminalStates()
{
    QVERIFY(isTerminalApprovalState(key(approvalstates::Deployed)));
    QVERIFY(isTerminalApprovalState(key(approvalstates::Failed)));
    QVERIFY(isTerminalApprovalState(key(approvalstates::Denied)));
    QVERIFY(!isTerminalApprovalState(key(approvalstates::Pending)));
    QVERIFY(!isTerminalApprovalState(key(approvalstates::Approved)));
    QVERIFY(!isTerminalApprovalState(key(approvalstates::Building)));
    QVERIFY(!isTerminalApprovalState(key("open")));
    QVERIFY(!isTerminalApprovalState(QString()));
}

void TestApprovalProtocol::commitRefs_data()
{
    QTest::addColumn<QString>("ref");
    QTest::addColumn<bool>("valid");
    QTest::newRow("7 hex") << key("abcdef0") << true;
    QTest::newRow("40 hex") << Commit << true;
    QTest::newRow("upper case") << key("ABCDEF0123") << true;
    QTest::newRow("6 hex") << key("abcdef") << false;
    QTest::newRow("41 hex") << Commit + QLatin1Char('0') << false;
    QTest::newRow("branch") << key("main") << false;
    QTest::newRow("tag") << key("deployed/3") << false;
    QTest::newRow("hex-looking branch") << key("feature-abcdef0") << false;
    QTest::newRow("HEAD~1") << key("HEAD~1") << false;
    QTest::newRow("g") << key("abcdefg") << false;
    QTest::newRow("space") << key("abcdef0 ") << false;
    QTest::newRow("empty") << QString() << false;
}

void TestApprovalProtocol::commitRefs()
{
    QFETCH(QString, ref);
    QFETCH(bool, valid);
    const auto problem = commitRefProblem(ref);
    QCOMPARE(!problem.has_value(), valid);
    if (problem)
        QVERIFY2(problem->contains(QStringLiteral("got '%1'").arg(ref)), qPrintable(*problem));

    const QJsonObject apply{{key("agent"), key("alice")}, {key("commit_ref"), ref}, {key("description"), key("d")}};
    QCOMPARE(RequestApplyCommitParams::fromJson(apply).has_value(), valid);
    const QJsonObject spawn{{key("name"), key("erin")}, {key("commit_ref"), ref}, {key("description"), key("d")}};
    QCOMPARE(RequestSpawnCommitParams::fromJson(spawn).has_value(), valid);
}

void TestApprovalProtocol::commitRefIsLowercased()
{
    const auto apply = RequestApplyCommitParams::fromJson(
        {{key("agent"), key("alice")}, {key("commit_ref"), key("ABCDEF0")}, {key("description"), key("d")}});
    QVERIFY(apply);
    QCOMPARE(apply->commitRef, key("abcdef0"));
    const auto spawn = RequestSpawnCommitParams::fromJson(
        {{key("name"), key("erin")}, {key("commit_ref"), Commit.toUpper()}, {key("description"), key("d")}});
    QVERIFY(spawn);
    QCOMPARE(spawn->commitRef, Commit);

    const auto branch = RequestApplyCommitParams::fromJson(
        {{key("agent"), key("alice")}, {key("commit_ref"), key("main")}, {key("description"), key("d")}});
    QVERIFY(!branch);
    QCOMPARE(branch.error().code, ErrorCode::InvalidParams);
    QCOMPARE(branch.error().message, key("commit_ref must be 7 to 40 hex digits of a commit (branch and tag names "
                                         "are refused), got 'main'"));
}

void TestApprovalProtocol::invalidParamsAreNamed_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QStringList>("mentions");

    const QString long4097(4097, QLatin1Char('x'));
    const QJsonObject apply{{key("agent"), key("alice")}, {key("commit_ref"), Commit}, {key("description"), key("d")}};
    const QJsonObject spawnCommit{
        {key("name"), key("erin")}, {key("commit_ref"), Commit}, {key("description"), key("d")}};
    const QJsonObject spawn{{key("name"), key("dave")}, {key("description"), key("d")}};
    const QJsonObject deny{{key("id"), 1}, {key("note"), key("no")}};

    QTest::newRow("list state bogus") << key("approval_list") << QJsonObject{{key("state"), key("closed")}}
                                      << QStringList{key("'state'"), key("open, all or a state (pending, approved"),
                                                     key("'closed'")};
    QTest::newRow("list state number") << key("approval_list") << QJsonObject{{key("state"), 1}}
                                       << QStringList{key("'state'"), key("string")};
    QTest::newRow("list limit 0") << key("approval_list") << QJsonObject{{key("limit"), 0}}
                                  << QStringList{key("'limit'"), key("between 1 and 1000"), key("got 0")};
    QTest::newRow("list limit 1001") << key("approval_list") << QJsonObject{{key("limit"), 1001}}
                                     << QStringList{key("'limit'"), key("got 1001")};
    QTest::newRow("list before_id 0") << key("approval_list") << QJsonObject{{key("before_id"), 0}}
                                      << QStringList{key("'before_id'"), key("positive approval id")};
    QTest::newRow("list agent empty") << key("approval_list") << QJsonObject{{key("agent"), QString()}}
                                      << QStringList{key("'agent'"), key("empty")};
    QTest::newRow("list unknown field") << key("approval_list") << QJsonObject{{key("kind"), key("spawn")}}
                                        << QStringList{key("unknown field 'kind'")};

    QTest::newRow("get no id") << key("approval_get") << QJsonObject{} << QStringList{key("'id'")};
    QTest::newRow("get id 0") << key("approval_get") << QJsonObject{{key("id"), 0}}
                              << QStringList{key("'id'"), key("positive approval id")};
    QTest::newRow("get id -3") << key("approval_get") << QJsonObject{{key("id"), -3}} << QStringList{key("got -3")};
    QTest::newRow("get base bogus") << key("approval_get") << QJsonObject{{key("id"), 1}, {key("base"), key("main")}}
                                    << QStringList{key("'base'"), key("running, approved or queued"), key("'main'")};
    QTest::newRow("get context -1") << key("approval_get") << QJsonObject{{key("id"), 1}, {key("context_lines"), -1}}
                                    << QStringList{key("'context_lines'"), key("between 0 and 1000")};
    QTest::newRow("get context 1001") << key("approval_get")
                                      << QJsonObject{{key("id"), 1}, {key("context_lines"), 1001}}
                                      << QStringList{key("'context_lines'"), key("got 1001")};

    QTest::newRow("approve no id") << key("approval_approve") << QJsonObject{} << QStringList{key("'id'")};
    QTest::newRow("approve id 0") << key("approval_approve") << QJsonObject{{key("id"), 0}}
                                  << QStringList{key("positive approval id")};
    QTest::newRow("approve id string") << key("approval_approve") << QJsonObject{{key("id"), key("1")}}
                                       << QStringList{key("'id'"), key("integer")};

    QTest::newRow("deny no note") << key("approval_deny") << without(deny, "note")
                                  << QStringList{key("missing required field 'note'")};
    QTest::newRow("deny empty note") << key("approval_deny") << with(deny, "note", QString())
                                     << QStringList{key("'note'"), key("empty")};
    QTest::newRow("deny blank note") << key("approval_deny") << with(deny, "note", key(" \n\t"))
                                     << QStringList{key("'note'"), key("empty")};
    QTest::newRow("deny note 4097") << key("approval_deny") << with(deny, "note", long4097)
                                    << QStringList{key("'note'"), key("4097 characters"), key("4096")};
    QTest::newRow("deny id 0") << key("approval_deny") << with(deny, "id", 0)
                               << QStringList{key("positive approval id")};

    QTest::newRow("apply no agent") << key("request_apply_commit") << without(apply, "agent")
                                    << QStringList{key("'agent'")};
    QTest::newRow("apply no commit_ref") << key("request_apply_commit") << without(apply, "commit_ref")
                                         << QStringList{key("'commit_ref'")};
    QTest::newRow("apply no description")
        << key("request_apply_commit") << without(apply, "description") << QStringList{key("'description'")};
    QTest::newRow("apply branch") << key("request_apply_commit") << with(apply, "commit_ref", key("main"))
                                  << QStringList{key("commit_ref must be 7 to 40 hex digits"), key("'main'")};
    QTest::newRow("apply tag") << key("request_apply_commit") << with(apply, "commit_ref", key("v1.0"))
                               << QStringList{key("branch and tag names are refused"), key("'v1.0'")};
    QTest::newRow("apply description 4097") << key("request_apply_commit") << with(apply, "description", long4097)
                                            << QStringList{key("'description'"), key("4096")};
    QTest::newRow("apply misspelt") << key("request_apply_commit")
                                    << with(without(apply, "commit_ref"), "commit", Commit)
                                    << QStringList{key("'commit_ref'")};

    QTest::newRow("spawn no name") << key("request_spawn") << without(spawn, "name") << QStringList{key("'name'")};
    QTest::newRow("spawn name number") << key("request_spawn") << with(spawn, "name", 3)
                                       << QStringList{key("'name'"), key("string")};
    QTest::newRow("spawn description 4097") << key("request_spawn") << with(spawn, "description", long4097)
                                            << QStringList{key("'description'"), key("4097 characters")};

    QTest::newRow("draft no name") << key("request_spawn_draft") << QJsonObject{} << QStringList{key("'name'")};
    QTest::newRow("draft extra") << key("request_spawn_draft")
                                 << QJsonObject{{key("name"), key("x")}, {key("description"), key("d")}}
                                 << QStringList{key("unknown field 'description'")};

    QTest::newRow("spawn_commit branch") << key("request_spawn_commit") << with(spawnCommit, "commit_ref", key("main"))
                                         << QStringList{key("commit_ref must be 7 to 40 hex digits of a commit "
                                                            "(branch and tag names are refused), got 'main'")};
    QTest::newRow("spawn_commit short") << key("request_spawn_commit") << with(spawnCommit, "commit_ref", key("abc123"))
                                        << QStringList{key("got 'abc123'")};
    QTest::newRow("spawn_commit no name")
        << key("request_spawn_commit") << without(spawnCommit, "name") << QStringList{key("'name'")};
    QTest::newRow("spawn_commit description 4097")
        << key("request_spawn_commit") << with(spawnCommit, "description", long4097)
        << QStringList{key("'description'")};

    QTest::newRow("draft_list extra") << key("draft_list") << QJsonObject{{key("all"), true}}
                                      << QStringList{key("unknown field 'all'")};
    QTest::newRow("discard no name") << key("draft_discard") << QJsonObject{} << QStringList{key("'name'")};

    // Results: what a client refuses from a peer that sends something else.
    const QJsonObject change = widening().toJson();
    QTest::newRow("change no widening") << key("capability_change") << without(change, "widening")
                                        << QStringList{key("'widening'")};
    QTest::newRow("change before number")
        << key("capability_change") << with(change, "before", 4) << QStringList{key("'before'"), key("string")};
    const QJsonObject approval = fullApproval().toJson();
    QTest::newRow("approval no requested_by")
        << key("approval") << without(approval, "requested_by") << QStringList{key("'requested_by'")};
    QTest::newRow("approval bad created_at") << key("approval") << with(approval, "created_at", key("yesterday"))
                                             << QStringList{key("'created_at'"), key("ISO 8601")};
    QTest::newRow("approval bad resolved_at")
        << key("approval") << with(approval, "resolved_at", 5) << QStringList{key("'resolved_at'")};
    QTest::newRow("approval camelCase") << key("approval") << with(approval, "requestedBy", key("x"))
                                        << QStringList{key("unknown field 'requestedBy'")};
    QTest::newRow("approval_result no id")
        << key("approval_result") << without(approval, "id") << QStringList{key("'id'")};
    QTest::newRow("list_result bad entry")
        << key("approval_list_result")
        << QJsonObject{{key("approvals"), QJsonArray{approval, without(approval, "state")}}}
        << QStringList{key("approvals[1]"), key("'state'")};
    QTest::newRow("list_result missing") << key("approval_list_result") << QJsonObject{}
                                         << QStringList{key("'approvals'")};
    const QJsonObject got =
        ApprovalGetResult{fullApproval(), key("running"), Commit, key("d"), {sampleDiff()}, {widening()}}.toJson();
    QTest::newRow("get_result bad approval")
        << key("approval_get_result") << with(got, "approval", without(approval, "kind"))
        << QStringList{key("'approval'"), key("'kind'")};
    QTest::newRow("get_result bad delta")
        << key("approval_get_result") << with(got, "delta", QJsonArray{without(change, "area")})
        << QStringList{key("delta[0]"), key("'area'")};
    QTest::newRow("get_result bad file") << key("approval_get_result")
                                         << with(got, "files", QJsonArray{without(sampleDiff().toJson(), "status")})
                                         << QStringList{key("files[0]"), key("'status'")};
    QTest::newRow("get_result no base_description")
        << key("approval_get_result") << without(got, "base_description") << QStringList{key("'base_description'")};
    QTest::newRow("get_result base_commit number")
        << key("approval_get_result") << with(got, "base_commit", 1) << QStringList{key("'base_commit'")};
    const QJsonObject draft = sampleDraft().toJson();
    QTest::newRow("draft no config_path")
        << key("draft") << without(draft, "config_path") << QStringList{key("'config_path'")};
    QTest::newRow("draft approval string")
        << key("draft") << with(draft, "approval", key("12")) << QStringList{key("'approval'"), key("integer")};
    QTest::newRow("draft_result no head")
        << key("draft_result") << without(draft, "head") << QStringList{key("'head'")};
    QTest::newRow("draft_list_result bad entry")
        << key("draft_list_result") << QJsonObject{{key("drafts"), QJsonArray{1}}}
        << QStringList{key("drafts[0]"), key("object")};
}

void TestApprovalProtocol::invalidParamsAreNamed()
{
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);
    QFETCH(QStringList, mentions);
    const Parser parse = parserNamed(method);
    QVERIFY2(parse, qPrintable(method));
    const std::optional<Error> error = parse(params);
    QVERIFY2(error, "accepted");
    QCOMPARE(error->code, ErrorCode::InvalidParams);
    for (const QString &mention : mentions)
        QVERIFY2(error->message.contains(mention), qPrintable(error->message + QStringLiteral(" lacks ") + mention));
}

void TestApprovalProtocol::boundariesAreAccepted_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");

    const QString long4096(4096, QLatin1Char('x'));
    // 4096 characters outside the BMP: 8192 UTF-16 units, still 4096 characters.
    QString wide4096;
    for (int i = 0; i < 4096; ++i)
        wide4096 += QStringLiteral("\U0001F41D");

    for (const char *state :
         {"open", "all", approvalstates::Pending, approvalstates::Approved, approvalstates::Building,
          approvalstates::Deployed, approvalstates::Failed, approvalstates::Denied}) {
        QTest::newRow(qPrintable(QStringLiteral("list state %1").arg(key(state))))
            << key("approval_list") << QJsonObject{{key("state"), key(state)}};
    }
    QTest::newRow("list limit 1") << key("approval_list") << QJsonObject{{key("limit"), 1}};
    QTest::newRow("list limit 1000") << key("approval_list") << QJsonObject{{key("limit"), 1000}};
    QTest::newRow("list state null") << key("approval_list") << QJsonObject{{key("state"), QJsonValue()}};
    for (const char *base : {approvalbases::Running, approvalbases::Approved, approvalbases::Queued}) {
        QTest::newRow(qPrintable(QStringLiteral("get base %1").arg(key(base))))
            << key("approval_get") << QJsonObject{{key("id"), 1}, {key("base"), key(base)}};
    }
    QTest::newRow("get context 0") << key("approval_get") << QJsonObject{{key("id"), 1}, {key("context_lines"), 0}};
    QTest::newRow("get context 1000") << key("approval_get")
                                      << QJsonObject{{key("id"), 1}, {key("context_lines"), 1000}};
    QTest::newRow("deny note 1") << key("approval_deny") << QJsonObject{{key("id"), 1}, {key("note"), key("x")}};
    QTest::newRow("deny note 4096") << key("approval_deny") << QJsonObject{{key("id"), 1}, {key("note"), long4096}};
    QTest::newRow("deny note 4096 wide") << key("approval_deny")
                                         << QJsonObject{{key("id"), 1}, {key("note"), wide4096}};
    QTest::newRow("apply description 4096")
        << key("request_apply_commit")
        << QJsonObject{{key("agent"), key("a")}, {key("commit_ref"), Commit}, {key("description"), long4096}};
    QTest::newRow("apply description empty")
        << key("request_apply_commit")
        << QJsonObject{{key("agent"), key("a")}, {key("commit_ref"), Commit}, {key("description"), QString()}};
    QTest::newRow("spawn description 4096")
        << key("request_spawn") << QJsonObject{{key("name"), key("d")}, {key("description"), wide4096}};
    QTest::newRow("spawn_commit 7 hex") << key("request_spawn_commit")
                                        << QJsonObject{{key("name"), key("e")},
                                                       {key("commit_ref"), key("AbCdEf0")},
                                                       {key("description"), long4096}};
    QTest::newRow("draft_list empty") << key("draft_list") << QJsonObject{};
}

void TestApprovalProtocol::boundariesAreAccepted()
{
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);
    const Parser parse = parserNamed(method);
    QVERIFY2(parse, qPrintable(method));
    const std::optional<Error> error = parse(params);
    QVERIFY2(!error, error ? qPrintable(error->message) : "");
}

QTEST_GUILESS_MAIN(TestApprovalProtocol)
#include "tst_approvalprotocol.moc"
