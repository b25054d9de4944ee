// SPDX-License-Identifier: MIT
#pragma once

#include "apiservices.h"
#include "callcontext.h"
#include "configrepo/gitrepo.h"
#include "protocol/repos.h"
#include "result.h"

namespace hive::engine {

/// The read-only git browsing of the config repos (viewer): repo_log, repo_tags, repo_diff,
/// repo_file and repo_tree on an agent's applied or proposed repo or on the meta repo. Each call
/// opens the repo anew (cheap), so it sees what the engine and the manager wrote last.
class ReposController
{
public:
    explicit ReposController(ApiServices &services) : m_services(services) {}

    [[nodiscard]] Result<protocol::RepoLogResult> handle(const protocol::RepoLogParams &params,
                                                         const CallContext &context);
    [[nodiscard]] Result<protocol::RepoTagsResult> handle(const protocol::RepoTagsParams &params,
                                                          const CallContext &context);
    [[nodiscard]] Result<protocol::RepoDiffResult> handle(const protocol::RepoDiffParams &params,
                                                          const CallContext &context);
    [[nodiscard]] Result<protocol::RepoFileResult> handle(const protocol::RepoFileParams &params,
                                                          const CallContext &context);
    [[nodiscard]] Result<protocol::RepoTreeResult> handle(const protocol::RepoTreeParams &params,
                                                          const CallContext &context);

private:
    /// The repo the selector names: NotFound for an agent that is neither registered nor drafted,
    /// or without that repo; InvalidParams for a name no agent can have.
    [[nodiscard]] Result<GitRepo> open(const protocol::RepoSelector &selector) const;

    ApiServices &m_services;
};

} // namespace hive::engine
