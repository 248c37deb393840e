-- Endpoints a standards editor registered: signed webhooks for a CMS, or chat alerts.
-- The signing secret is stored sealed (see the README): a dump of this table alone does not reveal it.
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    events TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP,
    last_status INTEGER,
    last_error TEXT,
    last_attempt_at TIMESTAMP
);

-- The webhook outbox: one row per event and endpoint, written with the event.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id),
    event TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_status INTEGER,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, status);

-- Tickets whose overdue chat alert was queued: each is alerted once.
CREATE TABLE webhook_overdue_alerts (
    report_id INTEGER PRIMARY KEY NOT NULL REFERENCES reports (id),
    created_at TIMESTAMP NOT NULL
);
