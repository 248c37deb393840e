-- Every lookup on a hot path has an index, and counts come from maintained tallies, so
-- pages cost the same at a million rows as at a hundred.

CREATE INDEX corrections_supersedes ON corrections (supersedes);
DROP INDEX corrections_article;
CREATE INDEX corrections_article ON corrections (article_id, status, published_at, id);

-- The queue reads reports alone in index order; a section filter finds its articles by index.
CREATE INDEX articles_section ON articles (section);

-- Where the reader's quote sits in the article's normalised text (byte offsets), found at
-- filing; likely duplicates are the reports whose ranges overlap. NULL: not located.
ALTER TABLE reports ADD COLUMN quote_start BIGINT;
ALTER TABLE reports ADD COLUMN quote_end BIGINT;
DROP INDEX reports_article;
CREATE INDEX reports_article ON reports (article_id, quote_start);

-- The queue's counts: reports per status, category, severity and assignee (0: unassigned).
CREATE TABLE report_tallies (
    status TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    assignee_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (status, category, severity, assignee_id)
);
INSERT INTO report_tallies (status, category, severity, assignee_id, n)
    SELECT status, category, severity, COALESCE(assignee_id, 0), COUNT(*) FROM reports
    GROUP BY status, category, severity, COALESCE(assignee_id, 0);

CREATE TRIGGER report_tallies_insert AFTER INSERT ON reports BEGIN
    INSERT INTO report_tallies (status, category, severity, assignee_id, n)
        VALUES (NEW.status, NEW.category, NEW.severity, COALESCE(NEW.assignee_id, 0), 1)
        ON CONFLICT (status, category, severity, assignee_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER report_tallies_update AFTER UPDATE OF status, category, severity, assignee_id ON reports BEGIN
    UPDATE report_tallies SET n = n - 1
        WHERE status = OLD.status AND category = OLD.category AND severity = OLD.severity
          AND assignee_id = COALESCE(OLD.assignee_id, 0);
    INSERT INTO report_tallies (status, category, severity, assignee_id, n)
        VALUES (NEW.status, NEW.category, NEW.severity, COALESCE(NEW.assignee_id, 0), 1)
        ON CONFLICT (status, category, severity, assignee_id) DO UPDATE SET n = n + 1;
END;

-- Sections with reports (the queue's filter) and with published corrections (the log's).
CREATE TABLE sections (
    name TEXT PRIMARY KEY NOT NULL,
    reports BIGINT NOT NULL DEFAULT 0,
    corrections BIGINT NOT NULL DEFAULT 0
);
INSERT INTO sections (name, reports, corrections)
    SELECT s.section, COALESCE(r.n, 0), COALESCE(c.n, 0)
    FROM (SELECT DISTINCT section FROM articles) s
    LEFT JOIN (SELECT a.section, COUNT(*) AS n FROM reports r JOIN articles a ON a.id = r.article_id
               GROUP BY a.section) r ON r.section = s.section
    LEFT JOIN (SELECT a.section, COUNT(*) AS n FROM corrections c JOIN articles a ON a.id = c.article_id
               WHERE c.status = 'published' GROUP BY a.section) c ON c.section = s.section;

CREATE TRIGGER sections_report AFTER INSERT ON reports BEGIN
    INSERT INTO sections (name, reports) SELECT section, 1 FROM articles WHERE id = NEW.article_id
        ON CONFLICT (name) DO UPDATE SET reports = reports + 1;
END;
CREATE TRIGGER sections_correction_insert AFTER INSERT ON corrections WHEN NEW.status = 'published' BEGIN
    INSERT INTO sections (name, corrections) SELECT section, 1 FROM articles WHERE id = NEW.article_id
        ON CONFLICT (name) DO UPDATE SET corrections = corrections + 1;
END;
CREATE TRIGGER sections_correction_update AFTER UPDATE OF status ON corrections
    WHEN NEW.status = 'published' AND OLD.status <> 'published' BEGIN
    INSERT INTO sections (name, corrections) SELECT section, 1 FROM articles WHERE id = NEW.article_id
        ON CONFLICT (name) DO UPDATE SET corrections = corrections + 1;
END;

-- A number that changes with every change to what the public pages show (articles,
-- corrections, standards), read cheaply to tell whether a cached page is still current,
-- by this instance or any other on the same database.
CREATE TABLE public_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO public_version (id, n) VALUES (1, 1);
CREATE TRIGGER public_version_articles_insert AFTER INSERT ON articles BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER public_version_articles_update AFTER UPDATE ON articles BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER public_version_corrections_insert AFTER INSERT ON corrections BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER public_version_corrections_update AFTER UPDATE ON corrections BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER public_version_standards AFTER INSERT ON standards BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER public_version_cited AFTER INSERT ON correction_standards BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER public_version_log AFTER INSERT ON log_entries BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
