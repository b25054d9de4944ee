// SPDX-License-Identifier: MIT
#pragma once

#include "approvalstore.h"
#include "configrepo/configrepos.h"
#include "protocol/approvals.h"
#include "result.h"

#include <QObject>

#include <deque>
#include <functional>
#include <memory>

namespace hive::engine {

class AgentLifecycle;
class AgentRegistry;
class Broker;
class Clock;
class Database;

/// The approval queue: config proposals and spawns wait here for the operator, and an approved
/// one is deployed through a state machine recorded as tags in the agent's applied repo:
///
///   proposal/<id> -> approved/<id> -> building/<id> -> deployed/<id>   (main fast-forwards,
///                                                                        meta records it)
///                                                  \-> failed/<id>     (annotated with the error)
///                 -> denied/<id>                                       (annotated with the note)
///
/// The tags are the record; the approvals table is the queue's index. Each step writes its tag
/// first and the row second, so that after a crash recover() reads the truth from the tags: an
/// approval caught in `approved` or `building` is deployed again from the start (every step is
/// idempotent), one whose terminal tag exists is finished. A failed deploy puts the running
/// config back (container settings, allow-list, the config the agent's socket serves) and
/// restarts the agent with it. One deploy runs at a time; approvals wait for it in order.
class Approvals : public QObject
{
    Q_OBJECT
public:
    using Reply = std::function<void(const Result<protocol::ApprovalInfo> &)>;

    Approvals(Database &db, AgentRegistry &agents, Broker &broker, AgentLifecycle &lifecycle, const Clock &clock,
              const QString &stateDir, QObject *parent = nullptr);
    ~Approvals() override;

    /// At engine start (after the lifecycle reconciled): gives every registered agent its config
    /// repos, then finishes or resumes what a crash interrupted (see the class comment).
    [[nodiscard]] Result<void> recover();

    /// request_apply_commit: validates the commit's agent.toml, copies the commit into the
    /// applied repo and tags proposal/<id> before answering.
    [[nodiscard]] Result<protocol::ApprovalInfo> requestApplyCommit(const QString &requester,
                                                                    const protocol::RequestApplyCommitParams &params);
    /// request_spawn: a new agent with the default config (proposed repo and proposal made now).
    [[nodiscard]] Result<protocol::ApprovalInfo> requestSpawn(const QString &requester,
                                                              const protocol::RequestSpawnParams &params);
    /// request_spawn_draft: the proposed repo with the default config and the state dir; the
    /// manager is told `config_ready`.
    [[nodiscard]] Result<protocol::DraftInfo> requestSpawnDraft(const QString &requester,
                                                                const protocol::RequestSpawnDraftParams &params);
    /// request_spawn_commit: the drafted agent's commit, queued like request_apply_commit.
    [[nodiscard]] Result<protocol::ApprovalInfo> requestSpawnCommit(const QString &requester,
                                                                    const protocol::RequestSpawnCommitParams &params);

    [[nodiscard]] Result<protocol::ApprovalListResult> list(const protocol::ApprovalListParams &params);
    [[nodiscard]] Result<protocol::ApprovalGetResult> get(const protocol::ApprovalGetParams &params);
    /// Approves a pending approval and deploys it; `reply` gets the approval once it is deployed
    /// or failed. `by` is the approving token's name.
    void approve(qint64 id, const QString &by, Reply reply);
    [[nodiscard]] Result<protocol::ApprovalInfo> deny(qint64 id, const QString &by, const QString &note);

    [[nodiscard]] Result<protocol::DraftListResult> drafts();
    /// Removes a draft's proposed repo and state dir; its queued approval is denied.
    [[nodiscard]] Result<protocol::DraftInfo> discardDraft(const QString &name, const QString &by);

    /// The config the agent runs (its socket's `config`), if one was deployed.
    [[nodiscard]] Result<std::optional<DeployedConfig>> deployedConfig(const QString &agent);
    /// Gives an agent without config repos (registered by agent_add or agent_spawn) its proposed
    /// repo with the default config and its applied repo.
    [[nodiscard]] Result<void> ensureRepos(const QString &agent);
    /// After a purge: the applied repo goes (the meta log keeps the agent's deploys).
    [[nodiscard]] Result<void> forgetAgent(const QString &agent);

    [[nodiscard]] ConfigRepos &repos() { return m_repos; }
    /// Deploys waiting behind the running one (0 when idle).
    [[nodiscard]] qsizetype queuedDeploys() const { return static_cast<qsizetype>(m_waiting.size()); }
    /// approvals.tag_retention_days, for TagRetention: days a failed or denied tag stays (0: for good).
    void setTagRetentionDays(int days) { m_tagRetentionDays = days; }
    [[nodiscard]] int tagRetentionDays() const { return m_tagRetentionDays; }

Q_SIGNALS:
    /// A new approval (previous empty) or a step of one.
    void approvalChanged(const hive::protocol::ApprovalInfo &approval, const QString &previous);
    /// "added" or "removed".
    void draftChanged(const QString &change, const hive::protocol::DraftInfo &draft);

private:
    struct Deploy {
        qint64 id = 0;
        QString by;
        Reply reply;
        bool resumed = false; ///< after an engine restart: the container's state says less
    };
    struct Rollback;

    Result<protocol::ApprovalInfo> require(qint64 id);
    /// Checks that `name` is free for a new agent: valid, not registered, not drafted, no spawn queued.
    Result<void> checkNewName(const QString &name, bool draftAllowed);
    /// The approval row and its proposal/<id> tag, in one transaction; announced.
    Result<protocol::ApprovalInfo> enqueue(const QString &kind, const QString &agent, const CheckedConfig &checked,
                                           const QString &requester, const QString &description);
    Result<void> checkRecipients(const AgentConfig &config, const QString &agent);
    /// Writes tag `<state>/<id>` (annotated with `message`) unless there, then the row's state.
    Result<protocol::ApprovalInfo> step(protocol::ApprovalInfo approval, const QString &state, const QString &message);
    Result<protocol::DraftInfo> draftInfo(const DraftRecord &draft);

    void runNext();
    void deploy(const Deploy &job);
    void materialised(const protocol::ApprovalInfo &approval, const CheckedConfig &checked,
                      const std::shared_ptr<Rollback> &rollback, const Result<void> &result, const Deploy &job);
    /// Tags deployed/<id>, fast-forwards main, records the deploy in meta, answers the approver.
    void finish(const protocol::ApprovalInfo &approval, const Deploy &job);
    void failDeploy(const protocol::ApprovalInfo &approval, const Error &error, const Deploy &job);
    /// The agent's config before the deploy: settings, allow-list and deployed config row.
    Result<std::shared_ptr<Rollback>> snapshot(const QString &agent, const protocol::ApprovalInfo &approval);
    Result<void> applyConfig(const protocol::ApprovalInfo &approval, const CheckedConfig &checked);
    void restore(const std::shared_ptr<Rollback> &rollback, const std::function<void(const QString &)> &done);
    /// The approval_resolved message to the requester (agents only) and the event.
    void resolved(const protocol::ApprovalInfo &approval);

    Database &m_db;
    AgentRegistry &m_agents;
    Broker &m_broker;
    AgentLifecycle &m_lifecycle;
    const Clock &m_clock;
    QString m_stateDir;
    ApprovalStore m_store;
    ConfigRepos m_repos;
    std::deque<Deploy> m_waiting;
    bool m_deploying = false;
    int m_tagRetentionDays = 30;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace hive::engine
