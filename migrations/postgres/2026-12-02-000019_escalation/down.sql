DROP INDEX reports_escalation;
DROP INDEX reports_desk_routed;
ALTER TABLE reports DROP COLUMN routed_at;
