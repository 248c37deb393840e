DROP INDEX correction_reports_report;
DROP INDEX corrections_stats;
DROP INDEX reports_stats;
ALTER TABLE reports DROP COLUMN corrected_at;
ALTER TABLE reports DROP COLUMN decided_at;
ALTER TABLE corrections DROP COLUMN found;
ALTER TABLE corrections DROP COLUMN cause;
