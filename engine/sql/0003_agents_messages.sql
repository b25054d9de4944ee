-- SPDX-License-Identifier: MIT
-- Schema version 3: agents and the durable message broker.

CREATE TABLE agents (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('agent', 'manager')),
    -- JSON array of names this agent may send to; [] = unrestricted. The manager is always reachable.
    allowed_recipients TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL
);

-- One row per copy: a broadcast writes one row per recipient, flagged broadcast.
-- state: queued (not yet handed out) -> delivered (leased to the recipient's harness) -> acked.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    in_reply_to INTEGER,
    broadcast INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'delivered', 'acked')),
    delivered_at INTEGER,
    acked_at INTEGER,
    redelivered INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_inbox ON messages (recipient, state, id);
CREATE INDEX messages_acked ON messages (state, acked_at);
