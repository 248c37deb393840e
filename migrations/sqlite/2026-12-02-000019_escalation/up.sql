-- When a report reached the desk it is on (filing, a move, or the rules again): the daily
-- digest lists each desk's reports that arrived since the previous one.
ALTER TABLE reports ADD COLUMN routed_at TIMESTAMP;
UPDATE reports SET routed_at = created_at WHERE desk_id IS NOT NULL;
-- A desk's open reports in the order they reached it (the digest's new reports).
CREATE INDEX reports_desk_routed ON reports (desk_id, routed_at, id)
    WHERE +status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', 'appealed');
-- Reports that can be overdue (the desk owes the next step) and were not escalated yet, by
-- deadline: the dispatcher's escalation scan reads the few whose deadline just passed, however
-- many were escalated before.
CREATE INDEX reports_escalation ON reports (deadline_at, id)
    WHERE escalated_at IS NULL AND +status IN ('new', 'triaged', 'in_review', 'appealed');
