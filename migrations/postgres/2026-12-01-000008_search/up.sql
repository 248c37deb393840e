-- Searching the queue: words of the quoted passage and the explanation, and of the article's
-- headline, through GIN indexes on their text search vectors (the 'simple' configuration:
-- no stemming, as on SQLite).
CREATE INDEX reports_search ON reports USING GIN (to_tsvector('simple', quote || ' ' || explanation));
CREATE INDEX articles_search ON articles USING GIN (to_tsvector('simple', title));

-- Editors find a reader's reports by their address.
CREATE INDEX reports_reporter_email ON reports (lower(reporter_email));

-- The desk opens on the open tickets by deadline: an index of those alone, so the first page
-- is read in order however many closed tickets there are. (The list is written as the
-- queries write it, so SQLite can tell the index serves them.)
CREATE INDEX reports_open ON reports (deadline_at, id)
    WHERE status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', 'appealed');
-- The open tickets in the queue's other orders: by severity, and oldest first.
CREATE INDEX reports_open_rank ON reports (severity_rank, id)
    WHERE status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', 'appealed');
CREATE INDEX reports_open_age ON reports (id)
    WHERE status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', 'appealed');
-- "Mine" and "unassigned": one person's (or nobody's) open tickets, in deadline order.
CREATE INDEX reports_open_assignee ON reports (assignee_id, deadline_at, id)
    WHERE status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', 'appealed');
