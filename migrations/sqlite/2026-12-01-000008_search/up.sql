-- Searching the queue: words of the quoted passage and the explanation, and of the article's
-- headline, through FTS5 indexes kept by triggers (the tables keep only the index; the text
-- stays in reports and articles).
CREATE VIRTUAL TABLE reports_fts USING fts5(quote, explanation, content='reports', content_rowid='id');
INSERT INTO reports_fts (rowid, quote, explanation) SELECT id, quote, explanation FROM reports;
CREATE TRIGGER reports_fts_insert AFTER INSERT ON reports BEGIN
    INSERT INTO reports_fts (rowid, quote, explanation) VALUES (new.id, new.quote, new.explanation);
END;
CREATE TRIGGER reports_fts_delete AFTER DELETE ON reports BEGIN
    INSERT INTO reports_fts (reports_fts, rowid, quote, explanation) VALUES ('delete', old.id, old.quote, old.explanation);
END;
CREATE TRIGGER reports_fts_update AFTER UPDATE OF quote, explanation ON reports BEGIN
    INSERT INTO reports_fts (reports_fts, rowid, quote, explanation) VALUES ('delete', old.id, old.quote, old.explanation);
    INSERT INTO reports_fts (rowid, quote, explanation) VALUES (new.id, new.quote, new.explanation);
END;

CREATE VIRTUAL TABLE articles_fts USING fts5(title, content='articles', content_rowid='rowid');
INSERT INTO articles_fts (rowid, title) SELECT rowid, title FROM articles;
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title) VALUES (new.rowid, new.title);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
    INSERT INTO articles_fts (rowid, title) VALUES (new.rowid, new.title);
END;

-- Editors find a reader's reports by their address.
CREATE INDEX reports_reporter_email ON reports (lower(reporter_email));

-- The desk opens on the open tickets by deadline: an index of those alone, so the first page
-- is read in order however many closed tickets there are. The condition is written as the
-- queue writes it (with `+`, which keeps SQLite off reports_status), so SQLite can tell the
-- index serves it.
CREATE INDEX reports_open ON reports (deadline_at, id)
    WHERE +status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', 'appealed');
-- The open tickets in the queue's other orders: by severity, and oldest first.
CREATE INDEX reports_open_rank ON reports (severity_rank, id)
    WHERE +status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', 'appealed');
CREATE INDEX reports_open_age ON reports (id)
    WHERE +status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', 'appealed');
-- "Mine" and "unassigned": one person's (or nobody's) open tickets, in deadline order.
CREATE INDEX reports_open_assignee ON reports (assignee_id, deadline_at, id)
    WHERE +status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', 'appealed');
