-- No token is kept in clear any more.
--
-- Unsubscribe links: every mail to a subscriber carries a token of its own, stored only as
-- its SHA-256 hash (as report_links does for tracking links), so a copy of the database
-- cannot unsubscribe anyone. The clear tokens of mails already sent are hashed here, so
-- their links keep working.
CREATE TABLE subscription_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX subscription_links_subscription ON subscription_links (subscription_id);
INSERT INTO subscription_links (token_hash, subscription_id, created_at)
    SELECT encode(sha256(convert_to(unsubscribe_token, 'UTF8')), 'hex'), id, created_at FROM subscriptions;
ALTER TABLE subscriptions DROP COLUMN unsubscribe_token;

-- A session's CSRF token is derived from its cookie (src/domain/sessions.rs), so nothing
-- stored can forge a form post.
ALTER TABLE sessions DROP COLUMN csrf_token;
