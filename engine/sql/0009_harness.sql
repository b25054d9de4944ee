-- SPDX-License-Identifier: MIT
-- Schema version 9: the operator's per-agent overrides of the deployed config (API 1.6.0).
-- The harness's live state is not stored: it lives as long as the harness's connection.

CREATE TABLE agent_overrides (
    agent TEXT PRIMARY KEY REFERENCES agents (name) ON DELETE CASCADE,
    model TEXT,                    -- agent_set_model; NULL = agent.toml's model (or the engine's default)
    updated_at INTEGER NOT NULL
);
