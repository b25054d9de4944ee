-- SPDX-License-Identifier: MIT
-- Schema version 6: agents' containers. An agent without a row here is "external" (agent_add).

CREATE TABLE containers (
    agent TEXT PRIMARY KEY REFERENCES agents (name) ON DELETE CASCADE,
    backend TEXT NOT NULL,
    -- stopped -> starting -> running -> stopping -> stopped; running -> crashed; any -> tombstone.
    state TEXT NOT NULL CHECK (state IN ('stopped', 'starting', 'running', 'stopping', 'crashed', 'tombstone')),
    uid_base INTEGER NOT NULL UNIQUE, -- container uid 0 is this host uid; 65536 uids from here
    uid_count INTEGER NOT NULL,
    network TEXT NOT NULL CHECK (network IN ('host', 'none')),
    memory_max TEXT NOT NULL,
    cpu_quota TEXT NOT NULL,
    pid INTEGER,             -- the container's top process while it runs
    pid_start_time INTEGER,  -- its start time in /proc (clock ticks since boot): a recycled pid is not it
    started_at INTEGER,
    stopped_at INTEGER,
    crashes INTEGER NOT NULL DEFAULT 0, -- since the operator last started it
    last_error TEXT,
    created_at INTEGER NOT NULL
);
