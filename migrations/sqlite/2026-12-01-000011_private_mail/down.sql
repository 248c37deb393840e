-- Hashes cannot be turned back into tokens: the unsubscribe links of mails already sent
-- stop working, and every session ends (signing in again makes a CSRF token).
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN csrf_token TEXT NOT NULL DEFAULT '';

DROP TABLE subscription_links;
CREATE TABLE subscriptions_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles (id),
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP
);
INSERT INTO subscriptions_old (id, article_id, email, token_hash, unsubscribe_token, status, created_at, confirmed_at)
    SELECT id, article_id, email, token_hash, lower(hex(randomblob(32))), status, created_at, confirmed_at
    FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_old RENAME TO subscriptions;
CREATE INDEX subscriptions_article ON subscriptions (article_id, status);
