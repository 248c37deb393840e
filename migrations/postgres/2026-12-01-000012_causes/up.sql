-- What caused each correction's error and how it was found (the standards desk's figures), and
-- when each report was first decided and corrected, so the transparency figures are read from
-- indexes of reports and corrections alone, never from the audit trail.
ALTER TABLE corrections ADD COLUMN cause TEXT NOT NULL DEFAULT 'other';
ALTER TABLE corrections ADD COLUMN found TEXT NOT NULL DEFAULT 'staff';
UPDATE corrections SET found = 'reader_report' WHERE id IN (SELECT correction_id FROM correction_reports);

-- The first move into corrected, no_change, rejected or duplicate; the move into corrected
-- (the publication of the correction that resolved it).
ALTER TABLE reports ADD COLUMN decided_at TIMESTAMP;
ALTER TABLE reports ADD COLUMN corrected_at TIMESTAMP;
UPDATE reports SET decided_at = (
    SELECT MIN(e.created_at) FROM events e
    WHERE e.report_id = reports.id AND e.kind = 'status_changed'
      AND (e.payload::jsonb ->> 'to') IN ('corrected', 'no_change', 'rejected', 'duplicate'));
UPDATE reports SET corrected_at = (
    SELECT MIN(e.created_at) FROM events e
    WHERE e.report_id = reports.id AND e.kind = 'status_changed' AND (e.payload::jsonb ->> 'to') = 'corrected');
-- Reports decided without a recorded move (loaded in bulk): their last change is the best known.
UPDATE reports SET decided_at = updated_at
    WHERE decided_at IS NULL AND status IN ('corrected', 'no_change', 'rejected', 'duplicate');
UPDATE reports SET corrected_at = updated_at WHERE corrected_at IS NULL AND status = 'corrected';

-- The figures of a period: reports by filing time and corrections by publication time, each
-- with every column the figures read, so both backends answer from the index alone.
CREATE INDEX reports_stats ON reports (created_at, status, decided_at, deadline_at, corrected_at, assignee_id, article_id);
CREATE INDEX corrections_stats ON corrections (status, published_at, kind, cause, found, created_by, article_id);
-- A report's correction (a standard filter on reports).
CREATE INDEX correction_reports_report ON correction_reports (report_id);
