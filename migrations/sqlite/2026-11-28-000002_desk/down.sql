DROP INDEX events_kind;
DROP INDEX reports_rank;
DROP INDEX reports_deadline;
ALTER TABLE reports DROP COLUMN severity_rank;
DROP TABLE setup_tokens;
DROP TABLE ticket_views;
DROP TABLE login_failures;
DROP TABLE sessions;
