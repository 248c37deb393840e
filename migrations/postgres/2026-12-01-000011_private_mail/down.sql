-- Hashes cannot be turned back into tokens: the unsubscribe links of mails already sent
-- stop working, and every session ends (signing in again makes a CSRF token).
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN csrf_token TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ALTER COLUMN csrf_token DROP DEFAULT;

DROP TABLE subscription_links;
ALTER TABLE subscriptions ADD COLUMN unsubscribe_token TEXT;
UPDATE subscriptions SET unsubscribe_token = md5(random()::text || id::text) || md5(random()::text);
ALTER TABLE subscriptions ALTER COLUMN unsubscribe_token SET NOT NULL;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_unsubscribe_token_key UNIQUE (unsubscribe_token);
