CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);

CREATE TABLE articles (
    id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    section TEXT NOT NULL,
    authors TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    body TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX articles_url ON articles (url);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles (id),
    token_hash TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    quote TEXT NOT NULL,
    explanation TEXT NOT NULL,
    evidence_urls TEXT NOT NULL,
    reporter_name TEXT,
    reporter_email TEXT,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    deadline_at TIMESTAMP NOT NULL,
    assignee_id INTEGER REFERENCES users (id),
    duplicate_of INTEGER REFERENCES reports (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX reports_article ON reports (article_id);
CREATE INDEX reports_status ON reports (status, deadline_at);

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id INTEGER REFERENCES reports (id),
    actor_id INTEGER REFERENCES users (id),
    actor_kind TEXT NOT NULL,
    kind TEXT NOT NULL,
    public BOOLEAN NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX events_report ON events (report_id, id);
