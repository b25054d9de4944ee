-- SPDX-License-Identifier: MIT
-- Schema version 7: the approval queue, drafted agents and the deployed configs. The applied
-- repos' tags (proposal/, approved/, building/, deployed/, failed/, denied/) are the record of
-- each approval's steps; these rows are the queue's index and what the tags do not hold.

CREATE TABLE approvals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('apply_commit', 'spawn', 'spawn_commit')),
    agent TEXT NOT NULL,
    commit_sha TEXT NOT NULL CHECK (length(commit_sha) = 40),
    description TEXT NOT NULL DEFAULT '',
    requested_by TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'building', 'deployed', 'failed', 'denied')),
    created_at INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by TEXT,
    note TEXT,
    error TEXT,
    -- Set when a deploy begins: whether the agent's container ran and gets restarted, so that a
    -- deploy resumed after a crash (which finds it stopped) starts it again.
    restart_container INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX approvals_by_state ON approvals (state, id);
CREATE INDEX approvals_by_agent ON approvals (agent, id);

-- An agent being drafted (request_spawn_draft): its proposed repo and state dir exist, its
-- container does not. The row goes when the spawn is deployed or the draft discarded.
CREATE TABLE drafts (
    name TEXT PRIMARY KEY,
    requested_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- The config each agent runs: the commit deployed last (or being deployed: set before the
-- restart, put back when the deploy fails): its agent.toml and the prompt text it names, which
-- the agent's socket serves to the harness.
CREATE TABLE agent_configs (
    agent TEXT PRIMARY KEY REFERENCES agents (name) ON DELETE CASCADE,
    commit_sha TEXT NOT NULL CHECK (length(commit_sha) = 40),
    approval INTEGER,
    toml TEXT NOT NULL,
    prompt TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);
