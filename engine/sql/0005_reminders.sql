-- SPDX-License-Identifier: MIT
-- Schema version 5: reminders agents set for themselves, delivered by the engine's scheduler.

CREATE TABLE reminders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    -- pending -> delivered, or -> failed after the last attempt, or -> cancelled; retry: -> pending.
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at INTEGER NOT NULL, -- due_at at first, later after a back-off
    delivered_at INTEGER,
    message_id INTEGER, -- the system message that delivered it
    cancelled_by TEXT
);
CREATE INDEX reminders_due ON reminders (state, next_attempt_at);
CREATE INDEX reminders_agent ON reminders (agent, state);
