-- No token is kept in clear any more.
--
-- Unsubscribe links: every mail to a subscriber carries a token of its own, stored only as
-- its SHA-256 hash (as report_links does for tracking links), so a copy of the database
-- cannot unsubscribe anyone. The clear tokens of mails already sent are hashed here, so
-- their links keep working. SQLite has no SHA-256: `corrigenda_sha256_hex` is registered by
-- the application on the connection that migrates (src/db/mod.rs).
CREATE TEMP TABLE old_unsubscribe_links AS
    SELECT corrigenda_sha256_hex(unsubscribe_token) AS token_hash, id AS subscription_id, created_at
    FROM subscriptions;

-- SQLite cannot drop a UNIQUE column: the table is rebuilt without it.
CREATE TABLE subscriptions_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles (id),
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP
);
INSERT INTO subscriptions_new (id, article_id, email, token_hash, status, created_at, confirmed_at)
    SELECT id, article_id, email, token_hash, status, created_at, confirmed_at FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_new RENAME TO subscriptions;
CREATE INDEX subscriptions_article ON subscriptions (article_id, status);

CREATE TABLE subscription_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX subscription_links_subscription ON subscription_links (subscription_id);
INSERT INTO subscription_links (token_hash, subscription_id, created_at)
    SELECT token_hash, subscription_id, created_at FROM old_unsubscribe_links;
DROP TABLE old_unsubscribe_links;

-- A session's CSRF token is derived from its cookie (src/domain/sessions.rs), so nothing
-- stored can forge a form post.
ALTER TABLE sessions DROP COLUMN csrf_token;
