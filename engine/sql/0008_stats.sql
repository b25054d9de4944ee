-- SPDX-License-Identifier: MIT
-- Schema version 8: telemetry (API 1.6.0): the agents' turn reports and the engine's samples,
-- their hourly aggregates, and the agents' daily budgets.

-- One row per sample. agent '' is the swarm (approvals.queue); ts in ms since the epoch, UTC.
-- Rows older than telemetry.raw_retention_days fold into stats_hourly.
CREATE TABLE stats (
    agent TEXT NOT NULL,
    ts INTEGER NOT NULL,
    key TEXT NOT NULL,
    value REAL NOT NULL
);
CREATE INDEX stats_agent_key_ts ON stats (agent, key, ts); -- an agent's series
CREATE INDEX stats_key_ts ON stats (key, ts);               -- the swarm's series, key patterns
CREATE INDEX stats_ts ON stats (ts);                        -- the fold, oldest first

-- One row per agent, key and hour (hour: ms of its start). histogram is the hour's samples in
-- log buckets (LogHistogram in engine/telemetry/loghistogram.h), for approximate percentiles;
-- last is the time of its latest sample. Rows older than telemetry.retention_days are deleted.
CREATE TABLE stats_hourly (
    agent TEXT NOT NULL,
    key TEXT NOT NULL,
    hour INTEGER NOT NULL,
    count INTEGER NOT NULL,
    sum REAL NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    last INTEGER NOT NULL,
    histogram TEXT NOT NULL,
    PRIMARY KEY (agent, key, hour)
) WITHOUT ROWID;
CREATE INDEX stats_hourly_key_hour ON stats_hourly (key, hour);
CREATE INDEX stats_hourly_hour ON stats_hourly (hour);

-- The turns already reported, so that a report sent again (a harness retrying after a lost
-- reply) is not counted twice. They go with the raw rows.
CREATE TABLE stats_turns (
    agent TEXT NOT NULL,
    turn TEXT NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (agent, turn)
) WITHOUT ROWID;
CREATE INDEX stats_turns_ts ON stats_turns (ts);

-- What the operator added to an agent's limits for one UTC day ('YYYY-MM-DD'): one more
-- day-limit per raise. NULL: that limit was not raised (the agent has none).
CREATE TABLE budget_raises (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent TEXT NOT NULL REFERENCES agents (name) ON DELETE CASCADE,
    day TEXT NOT NULL,
    tokens INTEGER,
    cost_usd REAL,
    question INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX budget_raises_agent_day ON budget_raises (agent, day);

-- The questions the engine asked the operator on an agent's behalf about its budget.
-- outcome: NULL while open, then 'raised' or 'declined' (any other answer, expiry, cancel).
CREATE TABLE budget_questions (
    question INTEGER PRIMARY KEY REFERENCES questions (id) ON DELETE CASCADE,
    agent TEXT NOT NULL REFERENCES agents (name) ON DELETE CASCADE,
    day TEXT NOT NULL,
    outcome TEXT CHECK (outcome IN ('raised', 'declined'))
);
CREATE INDEX budget_questions_agent_day ON budget_questions (agent, day);

-- A question the engine asks on an agent's behalf (a budget question) is not the agent's own:
-- its outcome is not sent to the asker's inbox.
ALTER TABLE questions ADD COLUMN tell_asker INTEGER NOT NULL DEFAULT 1;
