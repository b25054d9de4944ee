-- SPDX-License-Identifier: MIT
-- Schema version 4: questions agents ask the operator or a peer.

CREATE TABLE questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    asker TEXT NOT NULL,
    target TEXT NOT NULL, -- 'operator' or an agent's name
    question TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    multi INTEGER NOT NULL DEFAULT 0,
    asked_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'answered', 'expired', 'cancelled')),
    answer TEXT,
    answered_by TEXT,
    answered_at INTEGER
);
CREATE INDEX questions_open ON questions (state, expires_at);
