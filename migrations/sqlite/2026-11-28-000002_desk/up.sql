CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_hash TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key_hash, at);

CREATE TABLE ticket_views (
    report_id INTEGER NOT NULL REFERENCES reports (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    seen_at TIMESTAMP NOT NULL,
    PRIMARY KEY (report_id, user_id)
);

CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

ALTER TABLE reports ADD COLUMN severity_rank INTEGER NOT NULL DEFAULT 2;
UPDATE reports SET severity_rank = CASE severity WHEN 'legal' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END;
CREATE INDEX reports_deadline ON reports (deadline_at, id);
CREATE INDEX reports_rank ON reports (severity_rank, id);
CREATE INDEX events_kind ON events (kind, id);
