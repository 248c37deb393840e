-- Every lookup on a hot path has an index, and counts come from maintained tallies, so
-- pages cost the same at a million rows as at a hundred.

CREATE INDEX corrections_supersedes ON corrections (supersedes);
DROP INDEX corrections_article;
CREATE INDEX corrections_article ON corrections (article_id, status, published_at, id);

-- The queue reads reports alone in index order; a section filter finds its articles by index.
CREATE INDEX articles_section ON articles (section);
DROP INDEX reports_status;
CREATE INDEX reports_status ON reports (status, deadline_at, id);

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

CREATE FUNCTION report_tallies_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (OLD.status, OLD.category, OLD.severity, COALESCE(OLD.assignee_id, 0))
           IS NOT DISTINCT FROM (NEW.status, NEW.category, NEW.severity, COALESCE(NEW.assignee_id, 0)) THEN
            RETURN NULL;
        END IF;
        UPDATE report_tallies SET n = n - 1
            WHERE status = OLD.status AND category = OLD.category AND severity = OLD.severity
              AND assignee_id = COALESCE(OLD.assignee_id, 0);
    END IF;
    INSERT INTO report_tallies (status, category, severity, assignee_id, n)
        VALUES (NEW.status, NEW.category, NEW.severity, COALESCE(NEW.assignee_id, 0), 1)
        ON CONFLICT (status, category, severity, assignee_id) DO UPDATE SET n = report_tallies.n + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER report_tallies_count AFTER INSERT OR UPDATE OF status, category, severity, assignee_id ON reports
    FOR EACH ROW EXECUTE FUNCTION report_tallies_count();

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

CREATE FUNCTION sections_count_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sections (name, reports) SELECT section, 1 FROM articles WHERE id = NEW.article_id
        ON CONFLICT (name) DO UPDATE SET reports = sections.reports + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER sections_report AFTER INSERT ON reports FOR EACH ROW EXECUTE FUNCTION sections_count_report();

CREATE FUNCTION sections_count_correction() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'published' AND (TG_OP = 'INSERT' OR OLD.status <> 'published') THEN
        INSERT INTO sections (name, corrections) SELECT section, 1 FROM articles WHERE id = NEW.article_id
            ON CONFLICT (name) DO UPDATE SET corrections = sections.corrections + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER sections_correction AFTER INSERT OR UPDATE OF status ON corrections
    FOR EACH ROW EXECUTE FUNCTION sections_count_correction();

-- A number that changes with every change to what the public pages show (articles,
-- corrections, standards), read cheaply to tell whether a cached page is still current,
-- by this instance or any other on the same database. Bumped once per statement.
CREATE TABLE public_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO public_version (id, n) VALUES (1, 1);
CREATE FUNCTION public_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER public_version_articles AFTER INSERT OR UPDATE OR DELETE ON articles
    FOR EACH STATEMENT EXECUTE FUNCTION public_version_bump();
CREATE TRIGGER public_version_corrections AFTER INSERT OR UPDATE OR DELETE ON corrections
    FOR EACH STATEMENT EXECUTE FUNCTION public_version_bump();
CREATE TRIGGER public_version_standards AFTER INSERT OR UPDATE OR DELETE ON standards
    FOR EACH STATEMENT EXECUTE FUNCTION public_version_bump();
CREATE TRIGGER public_version_cited AFTER INSERT OR UPDATE OR DELETE ON correction_standards
    FOR EACH STATEMENT EXECUTE FUNCTION public_version_bump();
CREATE TRIGGER public_version_log AFTER INSERT OR UPDATE OR DELETE ON log_entries
    FOR EACH STATEMENT EXECUTE FUNCTION public_version_bump();
