-- SPDX-License-Identifier: MIT
-- Schema version 2: the event history behind events_subscribe {since_seq}, kept across restarts
-- so that a console reconnecting after an engine restart still gets what it missed.

CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);

-- audit_list filters by token and by method.
CREATE INDEX audit_log_token ON audit_log (token_name, id);
CREATE INDEX audit_log_method ON audit_log (method, id);
