// SPDX-License-Identifier: MIT
#include "approvals.h"

#include "broker/agentregistry.h"
#include "broker/broker.h"
#include "clock.h"
#include "configrepo/capabilitydelta.h"
#include "containers/agentlifecycle.h"
#include "store/database.h"
#include "store/transaction.h"

#include <QDir>
#include <QLoggingCategory>

#include <limits>

namespace hive::engine {

namespace {
Q_LOGGING_CATEGORY(lcApprovals, "hive.approvals")

namespace states = protocol::approvalstates;
namespace kinds = protocol::approvalkinds;

const QString MainRef = QStringLiteral("refs/heads/main");
const QString Manager = QString::fromLatin1(AgentRegistry::ManagerName);

QString tagName(const QString &state, qint64 id)
{
    return QStringLiteral("%1/%2")
        .arg(state == QLatin1String(states::Pending) ? QStringLiteral("proposal") : state)
        .arg(id);
}

/// The engine's signature at `when` (the tags' times follow the engine's clock).
GitSignature signatureAt(const QDateTime &when)
{
    GitSignature signature;
    signature.when = when;
    return signature;
}

bool isSpawn(const QString &kind)
{
    return kind == QLatin1String(kinds::Spawn) || kind == QLatin1String(kinds::SpawnCommit);
}

protocol::AgentSpawnParams settingsOf(const QString &agent, const AgentConfig &config)
{
    protocol::AgentSpawnParams settings;
    settings.name = agent;
    settings.network = config.network;
    settings.memoryMax = config.memoryMax;
    settings.cpuQuota = config.cpuQuota;
    return settings;
}

bool isActiveState(const QString &state)
{
    return state == QLatin1String(protocol::agentstates::Running) ||
           state == QLatin1String(protocol::agentstates::Starting);
}

} // namespace

/// What a deploy changes, as it was before: put back when the deploy fails.
struct Approvals::Rollback {
    QString agent;
    bool hasContainer = false;
    bool wasActive = false;
    protocol::AgentSpawnParams settings;
    QStringList recipients;
    std::optional<DeployedConfig> config;
};

Approvals::Approvals(Database &db, AgentRegistry &agents, Broker &broker, AgentLifecycle &lifecycle, const Clock &clock,
                     const QString &stateDir, QObject *parent)
    : QObject(parent), m_db(db), m_agents(agents), m_broker(broker), m_lifecycle(lifecycle), m_clock(clock),
      m_stateDir(stateDir), m_store(db), m_repos(stateDir)
{}

Approvals::~Approvals()
{
    *m_alive = false;
    // Replies still owed go out as errors: their clients learn the engine stopped mid-deploy.
    for (const Deploy &job : m_waiting) {
        if (job.reply)
            job.reply(fail(ErrorCode::Unavailable, QStringLiteral("the engine is stopping; approval %1 was not "
                                                                  "deployed and stays approved")
                                                       .arg(job.id)));
    }
}

// --- requests

Result<protocol::ApprovalInfo> Approvals::require(qint64 id)
{
    auto found = m_store.find(id);
    if (!found)
        return fail(found.error());
    if (!*found)
        return fail(ErrorCode::NotFound, QStringLiteral("approval %1 does not exist").arg(id));
    return **found;
}

Result<void> Approvals::checkNewName(const QString &name, bool draftAllowed)
{
    if (auto valid = AgentRegistry::validateName(name); !valid)
        return valid;
    auto agent = m_agents.find(name);
    if (!agent)
        return fail(agent.error());
    if (*agent)
        return fail(ErrorCode::AlreadyExists, QStringLiteral("an agent named '%1' exists already").arg(name));
    auto draft = m_store.findDraft(name);
    if (!draft)
        return fail(draft.error());
    if (*draft && !draftAllowed) {
        return fail(ErrorCode::AlreadyExists,
                    QStringLiteral("'%1' is being drafted: commit its config and use request_spawn_commit, or discard "
                                   "the draft")
                        .arg(name));
    }
    if (!*draft && draftAllowed) {
        return fail(ErrorCode::NotFound,
                    QStringLiteral("there is no draft named '%1': start one with request_spawn_draft").arg(name));
    }
    auto queued = m_store.latest(name,
                                 {QString::fromLatin1(states::Pending), QString::fromLatin1(states::Approved),
                                  QString::fromLatin1(states::Building)},
                                 std::numeric_limits<qint64>::max());
    if (!queued)
        return fail(queued.error());
    if (*queued && isSpawn((*queued)->kind)) {
        return fail(ErrorCode::AlreadyExists,
                    QStringLiteral("a spawn of '%1' is queued already (approval %2)").arg(name).arg((*queued)->id));
    }
    if (!*draft && m_repos.hasProposed(name)) {
        return fail(ErrorCode::AlreadyExists, QStringLiteral("'%1' has a config repo without an agent or a draft (%2): "
                                                             "remove it first")
                                                  .arg(name, m_repos.proposedPath(name)));
    }
    return {};
}

Result<void> Approvals::checkRecipients(const AgentConfig &config, const QString &agent)
{
    QStringList unknown;
    for (const QString &recipient : config.allowedRecipients) {
        if (recipient == QLatin1String("operator") || recipient == QLatin1String("*") || recipient == Manager ||
            recipient == agent)
            continue;
        auto known = m_agents.find(recipient);
        if (!known)
            return fail(known.error());
        if (!*known)
            unknown << recipient;
    }
    if (unknown.isEmpty())
        return {};
    return fail(ErrorCode::Config,
                QStringLiteral("agent.toml: allowed_recipients names %1 that %2 not an agent: spawn %3 first or leave "
                               "%4 out")
                    .arg(unknown.join(QStringLiteral(", ")),
                         unknown.size() == 1 ? QStringLiteral("is") : QStringLiteral("are"),
                         unknown.size() == 1 ? QStringLiteral("it") : QStringLiteral("them"),
                         unknown.size() == 1 ? QStringLiteral("it") : QStringLiteral("them")));
}

Result<protocol::ApprovalInfo> Approvals::enqueue(const QString &kind, const QString &agent,
                                                  const CheckedConfig &checked, const QString &requester,
                                                  const QString &description)
{
    if (auto recipients = checkRecipients(checked.config, agent); !recipients)
        return fail(recipients.error());
    auto applied = m_repos.applied(agent);
    if (!applied)
        return fail(applied.error());
    protocol::ApprovalInfo approval;
    approval.kind = kind;
    approval.agent = agent;
    approval.commit = checked.sha;
    approval.description = description;
    approval.requestedBy = requester;
    approval.state = QString::fromLatin1(states::Pending);
    approval.createdAt = m_clock.now();
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());
    auto id = m_store.insert(approval);
    if (!id)
        return fail(id.error());
    approval.id = *id;
    // An id handed out by a transaction that never committed (a crash) may come again: a
    // proposal tag with no row behind it is such a leftover, and is replaced.
    const QString tag = tagName(approval.state, approval.id);
    if (auto stale = applied->tag(tag); stale && *stale)
        (void)applied->deleteTag(tag);
    const QString message =
        QStringLiteral("%1 of %2 requested by %3%4")
            .arg(kind, agent, requester, description.isEmpty() ? QString() : QStringLiteral("\n\n") + description);
    if (auto tagged = applied->createTag(tag, approval.commit, message, signatureAt(approval.createdAt)); !tagged)
        return fail(tagged.error());
    if (auto committed = tx.commit(); !committed) {
        (void)applied->deleteTag(tag);
        return fail(committed.error());
    }
    qCInfo(lcApprovals).noquote() << "approval" << approval.id << kind << agent << shortSha(approval.commit)
                                  << "requested by" << requester;
    Q_EMIT approvalChanged(approval, QString());
    return approval;
}

Result<protocol::ApprovalInfo> Approvals::requestApplyCommit(const QString &requester,
                                                             const protocol::RequestApplyCommitParams &params)
{
    auto agent = m_agents.find(params.agent);
    if (!agent)
        return fail(agent.error());
    if (!*agent) {
        auto draft = m_store.findDraft(params.agent);
        if (draft && *draft) {
            return fail(ErrorCode::InvalidParams,
                        QStringLiteral("'%1' is a draft: use request_spawn_commit for it").arg(params.agent));
        }
        return fail(ErrorCode::NotFound, QStringLiteral("no agent named '%1'").arg(params.agent));
    }
    auto checked = m_repos.importProposal(params.agent, params.commitRef);
    if (!checked)
        return fail(checked.error());
    return enqueue(QString::fromLatin1(kinds::ApplyCommit), params.agent, *checked, requester, params.description);
}

Result<protocol::ApprovalInfo> Approvals::requestSpawn(const QString &requester,
                                                       const protocol::RequestSpawnParams &params)
{
    if (auto free = checkNewName(params.name, false); !free)
        return fail(free.error());
    auto sha = m_repos.createProposed(params.name, ConfigRepos::defaultConfig(params.name, params.description));
    if (!sha)
        return fail(sha.error());
    auto checked = m_repos.importProposal(params.name, *sha);
    Result<protocol::ApprovalInfo> queued =
        checked ? enqueue(QString::fromLatin1(kinds::Spawn), params.name, *checked, requester, params.description)
                : Result<protocol::ApprovalInfo>(fail(checked.error()));
    if (!queued)
        (void)m_repos.removeProposed(params.name);
    return queued;
}

Result<protocol::DraftInfo> Approvals::requestSpawnDraft(const QString &requester,
                                                         const protocol::RequestSpawnDraftParams &params)
{
    if (auto free = checkNewName(params.name, false); !free)
        return fail(free.error());
    const DraftRecord draft{params.name, requester, m_clock.now()};
    if (auto created = m_repos.createProposed(params.name, ConfigRepos::defaultConfig(params.name, QString()));
        !created)
        return fail(created.error());
    const QString stateDir = QDir(m_stateDir).filePath(QStringLiteral("agents/%1/state").arg(params.name));
    if (!QDir().mkpath(stateDir)) {
        (void)m_repos.removeProposed(params.name);
        return fail(ErrorCode::Io, QStringLiteral("cannot create %1").arg(stateDir));
    }
    if (auto inserted = m_store.insertDraft(draft); !inserted) {
        (void)m_repos.removeProposed(params.name);
        return fail(inserted.error());
    }
    auto info = draftInfo(draft);
    if (!info)
        return fail(info.error());
    qCInfo(lcApprovals).noquote() << "draft" << params.name << "created for" << requester;
    m_broker.notify(Manager,
                    QJsonObject{{QStringLiteral("event"), QStringLiteral("config_ready")},
                                {QStringLiteral("name"), params.name},
                                {QStringLiteral("config"), QStringLiteral("/agents/%1/config").arg(params.name)},
                                {QStringLiteral("commit"), info->head}});
    Q_EMIT draftChanged(QStringLiteral("added"), *info);
    return info;
}

Result<protocol::ApprovalInfo> Approvals::requestSpawnCommit(const QString &requester,
                                                             const protocol::RequestSpawnCommitParams &params)
{
    if (auto drafted = checkNewName(params.name, true); !drafted)
        return fail(drafted.error());
    auto checked = m_repos.importProposal(params.name, params.commitRef);
    if (!checked)
        return fail(checked.error());
    return enqueue(QString::fromLatin1(kinds::SpawnCommit), params.name, *checked, requester, params.description);
}

// --- the operator's side

Result<protocol::ApprovalListResult> Approvals::list(const protocol::ApprovalListParams &params)
{
    auto approvals = m_store.list(params);
    if (!approvals)
        return fail(approvals.error());
    return protocol::ApprovalListResult{*approvals};
}

Result<protocol::ApprovalGetResult> Approvals::get(const protocol::ApprovalGetParams &params)
{
    auto approval = require(params.id);
    if (!approval)
        return fail(approval.error());
    auto applied = m_repos.applied(approval->agent);
    if (!applied)
        return fail(applied.error());
    protocol::ApprovalGetResult result;
    result.approval = *approval;
    result.base = params.base;
    if (params.base == QLatin1String(protocol::approvalbases::Running)) {
        auto running = applied->refTarget(MainRef);
        if (!running)
            return fail(running.error());
        result.baseCommit = *running;
        result.baseDescription = *running ? QStringLiteral("the running config (main at %1)").arg(shortSha(**running))
                                          : QStringLiteral("nothing deployed yet");
    } else {
        const bool approved = params.base == QLatin1String(protocol::approvalbases::Approved);
        const QStringList wanted =
            approved ? QStringList{QString::fromLatin1(states::Deployed), QString::fromLatin1(states::Building),
                                   QString::fromLatin1(states::Approved)}
                     : QStringList{QString::fromLatin1(states::Pending)};
        auto other = m_store.latest(approval->agent, wanted, approval->id);
        if (!other)
            return fail(other.error());
        if (*other) {
            result.baseCommit = (*other)->commit;
            result.baseDescription = QStringLiteral("%1 %2 (%3)")
                                         .arg(approved ? QStringLiteral("the last approved proposal")
                                                       : QStringLiteral("the previous queued proposal"))
                                         .arg((*other)->id)
                                         .arg(shortSha((*other)->commit));
        } else {
            result.baseDescription = approved ? QStringLiteral("no earlier proposal was approved")
                                              : QStringLiteral("no earlier proposal is queued");
        }
    }
    auto files = applied->diff(result.baseCommit.value_or(QString()), approval->commit, params.contextLines);
    if (!files)
        return fail(files.error());
    for (const GitFileDiff &file : std::as_const(*files)) {
        protocol::FileDiff out{file.oldPath,   file.newPath,   file.status, file.binary,
                               file.additions, file.deletions, {}};
        for (const GitDiffHunk &hunk : file.hunks)
            out.hunks.append({hunk.oldStart, hunk.oldLines, hunk.newStart, hunk.newLines, hunk.header, hunk.lines});
        result.files.append(std::move(out));
    }
    auto after = ConfigRepos::checkConfig(*applied, approval->commit);
    if (!after)
        return fail(after.error());
    AgentConfig before;
    if (result.baseCommit) {
        auto base = ConfigRepos::checkConfig(*applied, *result.baseCommit);
        if (!base)
            return fail(base.error().wrapped(QStringLiteral("the base config cannot be read")));
        before = base->config;
    }
    result.delta = capabilityDelta(before, after->config);
    return result;
}

Result<protocol::ApprovalInfo> Approvals::step(protocol::ApprovalInfo approval, const QString &state,
                                               const QString &message)
{
    auto applied = m_repos.applied(approval.agent);
    if (!applied)
        return fail(applied.error());
    const QString tag = tagName(state, approval.id);
    auto existing = applied->tag(tag);
    if (!existing)
        return fail(existing.error());
    if (!*existing) {
        if (auto tagged = applied->createTag(tag, approval.commit, message, signatureAt(m_clock.now())); !tagged)
            return fail(tagged.error());
    }
    const QString previous = approval.state;
    approval.state = state;
    if (protocol::isTerminalApprovalState(state))
        approval.resolvedAt = m_clock.now();
    if (auto updated = m_store.update(approval); !updated)
        return fail(updated.error());
    qCInfo(lcApprovals).noquote() << "approval" << approval.id << previous << "->" << state;
    Q_EMIT approvalChanged(approval, previous);
    return approval;
}

Result<protocol::ApprovalInfo> Approvals::deny(qint64 id, const QString &by, const QString &note)
{
    auto approval = require(id);
    if (!approval)
        return fail(approval.error());
    if (approval->state != QLatin1String(states::Pending)) {
        return fail(
            ErrorCode::Conflict,
            QStringLiteral("approval %1 is %2: only a pending approval can be denied").arg(id).arg(approval->state));
    }
    approval->resolvedBy = by;
    approval->note = note;
    auto denied =
        step(*approval, QString::fromLatin1(states::Denied), QStringLiteral("denied by %1\n\n%2").arg(by, note));
    if (!denied)
        return denied;
    // A denied one-shot spawn leaves nothing behind but its tags; a draft stays for another try.
    if (denied->kind == QLatin1String(kinds::Spawn)) {
        (void)m_repos.removeProposed(denied->agent);
        QDir agentDir(QDir(m_stateDir).filePath(QStringLiteral("agents/%1").arg(denied->agent)));
        if (agentDir.exists() && agentDir.isEmpty())
            (void)QDir().rmdir(agentDir.path());
    }
    resolved(*denied);
    return denied;
}

void Approvals::approve(qint64 id, const QString &by, Reply reply)
{
    auto approval = require(id);
    if (!approval) {
        reply(fail(approval.error()));
        return;
    }
    if (approval->state != QLatin1String(states::Pending)) {
        reply(fail(
            ErrorCode::Conflict,
            QStringLiteral("approval %1 is %2: only a pending approval can be approved").arg(id).arg(approval->state)));
        return;
    }
    approval->resolvedBy = by;
    auto approved = step(*approval, QString::fromLatin1(states::Approved), QStringLiteral("approved by %1").arg(by));
    if (!approved) {
        reply(fail(approved.error()));
        return;
    }
    m_waiting.push_back(Deploy{id, by, std::move(reply)});
    runNext();
}

// --- deploying

void Approvals::runNext()
{
    if (m_deploying || m_waiting.empty())
        return;
    Deploy job = std::move(m_waiting.front());
    m_waiting.pop_front();
    m_deploying = true;
    deploy(job);
}

void Approvals::deploy(const Deploy &job)
{
    auto approval = require(job.id);
    if (!approval) {
        m_deploying = false;
        if (job.reply)
            job.reply(fail(approval.error()));
        runNext();
        return;
    }
    auto building = step(*approval, QString::fromLatin1(states::Building),
                         QStringLiteral("building %1 for %2").arg(shortSha(approval->commit), approval->agent));
    if (!building) {
        failDeploy(*approval, building.error(), job);
        return;
    }
    // Materialise: the config again (the applied repo is the record), a fast-forward of the
    // running config, the settings the container and the broker get.
    auto applied = m_repos.applied(building->agent);
    if (!applied) {
        failDeploy(*building, applied.error(), job);
        return;
    }
    auto checked = ConfigRepos::checkConfig(*applied, building->commit);
    if (!checked) {
        failDeploy(*building, checked.error(), job);
        return;
    }
    auto running = applied->refTarget(MainRef);
    if (!running) {
        failDeploy(*building, running.error(), job);
        return;
    }
    if (*running && **running != building->commit) {
        auto forward = applied->isAncestor(**running, building->commit);
        if (!forward || !*forward) {
            failDeploy(
                *building,
                Error{ErrorCode::Conflict,
                      QStringLiteral("commit %1 does not build on the running config %2: rebase it on applied/main "
                                     "(git fetch applied) and propose it again")
                          .arg(shortSha(building->commit), shortSha(**running)),
                      {}},
                job);
            return;
        }
    }
    if (auto recipients = checkRecipients(checked->config, building->agent); !recipients) {
        failDeploy(*building, recipients.error(), job);
        return;
    }

    const protocol::ApprovalInfo current = *building;
    const CheckedConfig config = *checked;
    std::weak_ptr<bool> alive = m_alive;
    if (isSpawn(current.kind)) {
        auto existing = m_agents.find(current.agent);
        if (existing && *existing) {
            // A resumed spawn whose container was made before the crash: apply the rest.
            materialised(current, config, nullptr, {}, job);
            return;
        }
        m_lifecycle.spawn(settingsOf(current.agent, config.config),
                          [this, alive, current, config, job](const Result<void> &spawned) {
                              if (!alive.lock() || !*alive.lock())
                                  return;
                              materialised(current, config, nullptr, spawned, job);
                          });
        return;
    }
    auto rollback = snapshot(current.agent, current);
    if (!rollback) {
        failDeploy(current, rollback.error(), job);
        return;
    }
    // Whether the container gets restarted is decided once, when the deploy begins: a deploy
    // resumed after a crash finds the container stopped by the interrupted restart.
    if (job.resumed) {
        auto planned = m_store.restartPlanned(current.id);
        if (!planned) {
            failDeploy(current, planned.error(), job);
            return;
        }
        (*rollback)->wasActive = (*rollback)->hasContainer && (*planned || (*rollback)->wasActive);
    } else if (auto planned = m_store.setRestartPlanned(current.id, (*rollback)->wasActive); !planned) {
        failDeploy(current, planned.error(), job);
        return;
    }
    if (auto written = applyConfig(current, config); !written) {
        restore(*rollback,
                [this, current, written, job](const QString &) { failDeploy(current, written.error(), job); });
        return;
    }
    if (!(*rollback)->wasActive) {
        materialised(current, config, *rollback, {}, job);
        return;
    }
    m_lifecycle.submit(protocol::LifecycleOp::Restart, current.agent,
                       [this, alive, current, config, rollback = *rollback, job](const Result<void> &restarted) {
                           if (!alive.lock() || !*alive.lock())
                               return;
                           materialised(current, config, rollback, restarted, job);
                       });
}

Result<std::shared_ptr<Approvals::Rollback>> Approvals::snapshot(const QString &agent,
                                                                 const protocol::ApprovalInfo &approval)
{
    auto rollback = std::make_shared<Rollback>();
    rollback->agent = agent;
    auto record = m_agents.find(agent);
    if (!record)
        return fail(record.error());
    if (!*record)
        return fail(ErrorCode::NotFound, QStringLiteral("no agent named '%1'").arg(agent));
    rollback->recipients = (*record)->allowedRecipients;
    auto container = m_lifecycle.find(agent);
    if (!container)
        return fail(container.error());
    if (*container) {
        rollback->hasContainer = true;
        rollback->wasActive = isActiveState((*container)->state);
        rollback->settings.name = agent;
        rollback->settings.network = (*container)->network;
        rollback->settings.memoryMax = (*container)->memoryMax;
        rollback->settings.cpuQuota = (*container)->cpuQuota;
    }
    auto config = m_store.config(agent);
    if (!config)
        return fail(config.error());
    rollback->config = *config;
    if (!*config || (*config)->commit != approval.commit)
        return rollback;
    // A deploy resumed after a crash finds its own config applied already: what ran before is
    // the running config, applied main.
    auto applied = m_repos.applied(agent);
    if (!applied)
        return fail(applied.error());
    auto running = applied->refTarget(MainRef);
    if (!running)
        return fail(running.error());
    if (!*running || **running == approval.commit) {
        rollback->config.reset();
        return rollback;
    }
    auto before = ConfigRepos::checkConfig(*applied, **running);
    if (!before)
        return fail(before.error().wrapped(QStringLiteral("reading the running config")));
    rollback->settings = settingsOf(agent, before->config);
    rollback->recipients = before->config.allowedRecipients;
    rollback->config = DeployedConfig{agent, before->sha, std::nullopt, before->toml, before->prompt, m_clock.now()};
    return rollback;
}

Result<void> Approvals::applyConfig(const protocol::ApprovalInfo &approval, const CheckedConfig &checked)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(tx.beginError());
    auto container = m_lifecycle.find(approval.agent);
    if (!container)
        return fail(container.error());
    if (*container) {
        if (auto set = m_lifecycle.setSettings(settingsOf(approval.agent, checked.config)); !set)
            return set;
    }
    if (auto set = m_agents.setAllowedRecipients(approval.agent, checked.config.allowedRecipients); !set)
        return set;
    if (auto set = m_store.setConfig(
            DeployedConfig{approval.agent, checked.sha, approval.id, checked.toml, checked.prompt, m_clock.now()});
        !set)
        return set;
    if (isSpawn(approval.kind)) {
        if (auto removed = m_store.removeDraft(approval.agent); !removed)
            return removed;
    }
    return tx.commit();
}

void Approvals::restore(const std::shared_ptr<Rollback> &rollback, const std::function<void(const QString &)> &done)
{
    QStringList problems;
    {
        Transaction tx(m_db);
        if (rollback->hasContainer) {
            if (auto set = m_lifecycle.setSettings(rollback->settings); !set)
                problems << set.error().message;
        }
        if (auto set = m_agents.setAllowedRecipients(rollback->agent, rollback->recipients); !set)
            problems << set.error().message;
        auto set = rollback->config ? m_store.setConfig(*rollback->config) : m_store.removeConfig(rollback->agent);
        if (!set)
            problems << set.error().message;
        if (auto committed = tx.commit(); !committed)
            problems << committed.error().message;
    }
    if (!rollback->wasActive) {
        done(problems.join(QStringLiteral("; ")));
        return;
    }
    std::weak_ptr<bool> alive = m_alive;
    m_lifecycle.submit(protocol::LifecycleOp::Restart, rollback->agent,
                       [alive, problems, done](const Result<void> &restarted) mutable {
                           if (!alive.lock() || !*alive.lock())
                               return;
                           if (!restarted)
                               problems << QStringLiteral("restarting with the running config failed: %1")
                                               .arg(restarted.error().message);
                           done(problems.join(QStringLiteral("; ")));
                       });
}

void Approvals::materialised(const protocol::ApprovalInfo &approval, const CheckedConfig &checked,
                             const std::shared_ptr<Rollback> &rollback, const Result<void> &result, const Deploy &job)
{
    if (!result) {
        if (!rollback) {
            failDeploy(approval, result.error(), job);
            return;
        }
        const Error error = result.error();
        restore(rollback, [this, approval, error, job](const QString &problems) {
            failDeploy(approval,
                       problems.isEmpty()
                           ? error
                           : error.wrapped(QStringLiteral("(putting the running config back: %1)").arg(problems)),
                       job);
        });
        return;
    }
    if (isSpawn(approval.kind)) {
        if (auto written = applyConfig(approval, checked); !written) {
            failDeploy(approval,
                       written.error().wrapped(QStringLiteral("the container runs, but its config was not "
                                                              "recorded")),
                       job);
            return;
        }
    }
    finish(approval, job);
}

void Approvals::finish(const protocol::ApprovalInfo &approval, const Deploy &job)
{
    auto applied = m_repos.applied(approval.agent);
    Result<void> recorded = applied ? Result<void>() : Result<void>(fail(applied.error()));
    const QString tag = tagName(QString::fromLatin1(states::Deployed), approval.id);
    if (recorded) {
        auto existing = applied->tag(tag);
        if (!existing)
            recorded = fail(existing.error());
        else if (!*existing)
            recorded = applied->createTag(tag, approval.commit,
                                          QStringLiteral("deployed to %1 (approved by %2)")
                                              .arg(approval.agent, approval.resolvedBy.value_or(job.by)),
                                          signatureAt(m_clock.now()));
    }
    if (recorded) {
        auto main = applied->refTarget(MainRef);
        if (!main)
            recorded = fail(main.error());
        else if (*main != approval.commit)
            recorded = applied->setRef(MainRef, approval.commit, true, QStringLiteral("deploy %1").arg(tag));
    }
    if (recorded) {
        auto meta = m_repos.recordDeploy(approval.agent, tag, approval.commit);
        if (!meta)
            recorded = fail(meta.error());
    }
    if (!recorded) {
        // The agent runs the new config; only the record failed. Say so, loudly, and keep it
        // building: the next start finishes the record from the tags.
        qCCritical(lcApprovals).noquote()
            << "approval" << approval.id << "deployed, but recording it failed:" << recorded.error().message;
        m_deploying = false;
        if (job.reply)
            job.reply(fail(recorded.error().wrapped(
                QStringLiteral("approval %1 was deployed but not recorded").arg(approval.id))));
        runNext();
        return;
    }
    auto deployed = step(approval, QString::fromLatin1(states::Deployed), QString());
    m_deploying = false;
    if (deployed)
        resolved(*deployed);
    if (job.reply)
        job.reply(deployed);
    runNext();
}

void Approvals::failDeploy(const protocol::ApprovalInfo &approval, const Error &error, const Deploy &job)
{
    qCWarning(lcApprovals).noquote() << "approval" << approval.id << "failed:" << error.message;
    if (approval.kind == QLatin1String(kinds::Spawn)) {
        // A one-shot spawn that did not come up leaves nothing but its tags (as a denial does).
        auto agent = m_agents.find(approval.agent);
        if (agent && !*agent)
            (void)m_repos.removeProposed(approval.agent);
    }
    protocol::ApprovalInfo failed = approval;
    failed.error = error.message;
    auto result = step(failed, QString::fromLatin1(states::Failed), QStringLiteral("failed\n\n%1").arg(error.message));
    m_deploying = false;
    if (result)
        resolved(*result);
    if (job.reply)
        job.reply(result);
    runNext();
}

void Approvals::resolved(const protocol::ApprovalInfo &approval)
{
    if (approval.requestedBy == QLatin1String("operator"))
        return;
    QJsonObject event{{QStringLiteral("event"), QStringLiteral("approval_resolved")},
                      {QStringLiteral("id"), approval.id},
                      {QStringLiteral("kind"), approval.kind},
                      {QStringLiteral("agent"), approval.agent},
                      {QStringLiteral("commit"), approval.commit},
                      {QStringLiteral("state"), approval.state}};
    if (approval.note)
        event.insert(QStringLiteral("note"), *approval.note);
    if (approval.error)
        event.insert(QStringLiteral("error"), *approval.error);
    auto requester = m_agents.find(approval.requestedBy);
    if (requester && *requester)
        m_broker.notify(approval.requestedBy, event);
}

// --- drafts

Result<protocol::DraftInfo> Approvals::draftInfo(const DraftRecord &draft)
{
    protocol::DraftInfo info;
    info.name = draft.name;
    info.requestedBy = draft.requestedBy;
    info.createdAt = draft.createdAt;
    info.configPath = m_repos.proposedPath(draft.name);
    auto repo = m_repos.proposed(draft.name);
    if (!repo)
        return fail(repo.error());
    auto head = repo->refTarget(MainRef);
    if (!head)
        return fail(head.error());
    info.head = head->value_or(QString());
    auto queued = m_store.latest(draft.name,
                                 {QString::fromLatin1(states::Pending), QString::fromLatin1(states::Approved),
                                  QString::fromLatin1(states::Building)},
                                 std::numeric_limits<qint64>::max());
    if (!queued)
        return fail(queued.error());
    if (*queued)
        info.approval = (*queued)->id;
    return info;
}

Result<protocol::DraftListResult> Approvals::drafts()
{
    auto records = m_store.drafts();
    if (!records)
        return fail(records.error());
    protocol::DraftListResult result;
    for (const DraftRecord &record : std::as_const(*records)) {
        auto info = draftInfo(record);
        if (!info)
            return fail(info.error());
        result.drafts.append(std::move(*info));
    }
    return result;
}

Result<protocol::DraftInfo> Approvals::discardDraft(const QString &name, const QString &by)
{
    auto draft = m_store.findDraft(name);
    if (!draft)
        return fail(draft.error());
    if (!*draft)
        return fail(ErrorCode::NotFound, QStringLiteral("there is no draft named '%1'").arg(name));
    auto info = draftInfo(**draft);
    if (!info)
        return fail(info.error());
    if (info->approval) {
        auto approval = require(*info->approval);
        if (!approval)
            return fail(approval.error());
        if (approval->state != QLatin1String(states::Pending)) {
            return fail(ErrorCode::Conflict, QStringLiteral("'%1' is being spawned (approval %2 is %3)")
                                                 .arg(name)
                                                 .arg(approval->id)
                                                 .arg(approval->state));
        }
        auto denied = deny(approval->id, by, QStringLiteral("the draft was discarded"));
        if (!denied)
            return fail(denied.error());
    }
    if (auto removed = m_store.removeDraft(name); !removed)
        return fail(removed.error());
    QDir agentDir(QDir(m_stateDir).filePath(QStringLiteral("agents/%1").arg(name)));
    if (agentDir.exists() && !agentDir.removeRecursively())
        return fail(ErrorCode::Io, QStringLiteral("cannot remove %1 completely").arg(agentDir.path()));
    qCInfo(lcApprovals).noquote() << "draft" << name << "discarded by" << by;
    Q_EMIT draftChanged(QStringLiteral("removed"), *info);
    return info;
}

Result<std::optional<DeployedConfig>> Approvals::deployedConfig(const QString &agent)
{
    return m_store.config(agent);
}

Result<void> Approvals::ensureRepos(const QString &agent)
{
    if (m_repos.hasProposed(agent))
        return {};
    auto created = m_repos.createProposed(agent, ConfigRepos::defaultConfig(agent, QString()));
    if (!created)
        return fail(created.error().wrapped(QStringLiteral("creating the config repo of '%1'").arg(agent)));
    return {};
}

Result<void> Approvals::forgetAgent(const QString &agent)
{
    return m_repos.removeApplied(agent);
}

// --- start

Result<void> Approvals::recover()
{
    auto agents = m_agents.list();
    if (!agents)
        return fail(agents.error());
    for (const AgentRecord &agent : std::as_const(*agents)) {
        if (auto ensured = ensureRepos(agent.name); !ensured)
            return ensured;
    }
    auto open = m_store.unresolved();
    if (!open)
        return fail(open.error());
    for (const protocol::ApprovalInfo &approval : std::as_const(*open)) {
        auto applied = m_repos.applied(approval.agent);
        if (!applied)
            return fail(applied.error());
        // The furthest tag is the truth.
        QString reached = approval.state;
        for (const char *state :
             {states::Denied, states::Failed, states::Deployed, states::Building, states::Approved}) {
            auto tag = applied->tag(tagName(QString::fromLatin1(state), approval.id));
            if (!tag)
                return fail(tag.error());
            if (*tag) {
                reached = QString::fromLatin1(state);
                break;
            }
        }
        protocol::ApprovalInfo current = approval;
        if (reached == QLatin1String(states::Denied) || reached == QLatin1String(states::Failed)) {
            auto tag = applied->tag(tagName(reached, approval.id));
            const QString text = (tag && *tag) ? (*tag)->message.section(QStringLiteral("\n\n"), 1) : QString();
            if (reached == QLatin1String(states::Denied))
                current.note = text;
            else
                current.error = text;
            auto done = step(current, reached, QString());
            if (!done)
                return fail(done.error());
            resolved(*done);
            continue;
        }
        if (reached == QLatin1String(states::Pending))
            continue;
        qCInfo(lcApprovals).noquote() << "approval" << approval.id << "was" << reached
                                      << "when the engine stopped: deploying it again";
        // Approved, building or deployed-but-unrecorded: the deploy runs again; each step is
        // idempotent and the finished ones are skipped.
        if (current.state == QLatin1String(states::Pending)) {
            current.state = QString::fromLatin1(states::Approved);
            if (auto updated = m_store.update(current); !updated)
                return fail(updated.error());
        }
        m_waiting.push_back(
            Deploy{approval.id, current.resolvedBy.value_or(QStringLiteral("operator")), Reply(), true});
    }
    runNext();
    return {};
}

} // namespace hive::engine
