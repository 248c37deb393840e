-- The transparency figures of any period cost the same at a million reports as at a hundred:
-- what each report and published correction adds to them is counted per day of the
-- publisher's time zone (`stats_days`), by triggers, in the writing transaction. A period's
-- figures are then a range of that table, and a median or p90 a count over its histogram
-- plus one short read of an index (see `src/domain/stats.rs`).

-- The publisher's UTC offset in seconds from each instant on (written by the server at
-- start-up for its time zone, which `stats_settings` names; the counts are rebuilt when it
-- changes).
CREATE TABLE stats_zone (
    starts TIMESTAMP PRIMARY KEY NOT NULL,
    seconds INTEGER NOT NULL
);
INSERT INTO stats_zone (starts, seconds) VALUES ('0001-01-01 00:00:00', 0);
CREATE TABLE stats_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    zone TEXT NOT NULL
);
INSERT INTO stats_settings (id, zone) VALUES (1, 'UTC');

-- Where the histograms' buckets of durations start, in seconds: hourly for a day, two-hourly
-- to three days, six-hourly to a week, daily to four weeks, weekly to thirteen weeks, then one
-- open bucket. Fine enough that a bucket read for a median holds few durations; the pages'
-- six bars (1 h, 6 h, 1 d, 3 d, 7 d) are sums of these.
CREATE TABLE stats_buckets (lo BIGINT PRIMARY KEY NOT NULL);
WITH RECURSIVE hours(h) AS (SELECT 0 UNION ALL SELECT h + 1 FROM hours WHERE h < 23)
INSERT INTO stats_buckets (lo) SELECT h * 3600 FROM hours;
WITH RECURSIVE two(h) AS (SELECT 24 UNION ALL SELECT h + 2 FROM two WHERE h < 70)
INSERT INTO stats_buckets (lo) SELECT h * 3600 FROM two;
WITH RECURSIVE six(h) AS (SELECT 72 UNION ALL SELECT h + 6 FROM six WHERE h < 162)
INSERT INTO stats_buckets (lo) SELECT h * 3600 FROM six;
WITH RECURSIVE days(d) AS (SELECT 7 UNION ALL SELECT d + 1 FROM days WHERE d < 27)
INSERT INTO stats_buckets (lo) SELECT d * 86400 FROM days;
WITH RECURSIVE weeks(w) AS (SELECT 4 UNION ALL SELECT w + 1 FROM weeks WHERE w < 13)
INSERT INTO stats_buckets (lo) SELECT w * 7 * 86400 FROM weeks;

-- One count per local day, figure ("metric") and value ("key").
CREATE TABLE stats_days (
    day TEXT NOT NULL,
    metric TEXT NOT NULL,
    key TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, metric, key)
) WITHOUT ROWID;

-- What a report adds: its status now, whether it is decided (and within its deadline), the
-- buckets of its times to decision and to correction, its article's section, its assignee.
-- Every row of the view is one count on the day the report was filed.
CREATE TABLE stats_report_metrics (metric TEXT PRIMARY KEY NOT NULL);
INSERT INTO stats_report_metrics (metric) VALUES
    ('status'), ('decided'), ('within'), ('decision'), ('correction'), ('section'), ('assignee'), ('assignee_decided');
CREATE VIEW stats_report_facts AS
SELECT r.id AS report_id, r.article_id AS article_id,
       date(r.created_at, (SELECT z.seconds FROM stats_zone z WHERE z.starts <= r.created_at
                           ORDER BY z.starts DESC LIMIT 1) || ' seconds') AS day,
       m.metric AS metric,
       CASE m.metric
           WHEN 'status' THEN r.status
           WHEN 'decision' THEN (SELECT CAST(COALESCE(MAX(b.lo), 0) AS TEXT) FROM stats_buckets b
               WHERE b.lo <= ROUND((julianday(r.decided_at) - julianday(r.created_at)) * 86400.0, 3))
           WHEN 'correction' THEN (SELECT CAST(COALESCE(MAX(b.lo), 0) AS TEXT) FROM stats_buckets b
               WHERE b.lo <= ROUND((julianday(r.corrected_at) - julianday(r.created_at)) * 86400.0, 3))
           WHEN 'section' THEN a.section
           WHEN 'assignee' THEN CAST(r.assignee_id AS TEXT)
           WHEN 'assignee_decided' THEN CAST(r.assignee_id AS TEXT)
           ELSE ''
       END AS key
FROM reports r
JOIN articles a ON a.id = r.article_id
JOIN stats_report_metrics m ON CASE m.metric
    WHEN 'decided' THEN r.decided_at IS NOT NULL
    WHEN 'decision' THEN r.decided_at IS NOT NULL
    WHEN 'within' THEN r.decided_at IS NOT NULL AND r.decided_at <= r.deadline_at
    WHEN 'correction' THEN r.corrected_at IS NOT NULL
    WHEN 'assignee' THEN r.assignee_id IS NOT NULL
    WHEN 'assignee_decided' THEN r.assignee_id IS NOT NULL AND r.decided_at IS NOT NULL
    ELSE 1
END;

-- What a published correction adds, on the day it was published: itself, its kind, how it
-- was found, its cause, its article's section, its author, and each standard code it cites.
CREATE TABLE stats_correction_metrics (metric TEXT PRIMARY KEY NOT NULL);
INSERT INTO stats_correction_metrics (metric) VALUES
    ('published'), ('kind'), ('found'), ('cause'), ('csection'), ('author');
CREATE VIEW stats_correction_facts AS
SELECT c.id AS correction_id, c.article_id AS article_id,
       date(c.published_at, (SELECT z.seconds FROM stats_zone z WHERE z.starts <= c.published_at
                             ORDER BY z.starts DESC LIMIT 1) || ' seconds') AS day,
       m.metric AS metric,
       CASE m.metric
           WHEN 'kind' THEN c.kind
           WHEN 'found' THEN c.found
           WHEN 'cause' THEN c.cause
           WHEN 'csection' THEN a.section
           WHEN 'author' THEN CAST(c.created_by AS TEXT)
           ELSE ''
       END AS key
FROM corrections c
JOIN articles a ON a.id = c.article_id
JOIN stats_correction_metrics m ON 1
WHERE c.status = 'published' AND c.published_at IS NOT NULL
UNION ALL
-- Each code once, however many of its versions the correction cites (the first version's row
-- stands for the code; written without DISTINCT so a lookup by correction stays a lookup).
SELECT c.id AS correction_id, c.article_id AS article_id,
       date(c.published_at, (SELECT z.seconds FROM stats_zone z WHERE z.starts <= c.published_at
                             ORDER BY z.starts DESC LIMIT 1) || ' seconds') AS day,
       'standard' AS metric, st.code AS key
FROM corrections c
JOIN correction_standards cs ON cs.correction_id = c.id
JOIN standards st ON st.id = cs.standard_id
WHERE c.status = 'published' AND c.published_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM correction_standards cs2 JOIN standards st2 ON st2.id = cs2.standard_id
                  WHERE cs2.correction_id = c.id AND st2.code = st.code AND cs2.standard_id < cs.standard_id);

-- The triggers: a change takes away what the row added before it and adds what it adds after.
CREATE TRIGGER stats_reports_insert AFTER INSERT ON reports BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT day, metric, key, 1 FROM stats_report_facts WHERE report_id = NEW.id
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stats_reports_before BEFORE UPDATE OF status, assignee_id, decided_at, deadline_at, corrected_at,
    article_id, created_at ON reports BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT day, metric, key, -1 FROM stats_report_facts WHERE report_id = OLD.id
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stats_reports_after AFTER UPDATE OF status, assignee_id, decided_at, deadline_at, corrected_at,
    article_id, created_at ON reports BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT day, metric, key, 1 FROM stats_report_facts WHERE report_id = NEW.id
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stats_reports_delete BEFORE DELETE ON reports BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT day, metric, key, -1 FROM stats_report_facts WHERE report_id = OLD.id
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER stats_corrections_insert AFTER INSERT ON corrections BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT day, metric, key, 1 FROM stats_correction_facts WHERE correction_id = NEW.id
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stats_corrections_before BEFORE UPDATE OF status, published_at, kind, found, cause, article_id,
    created_by ON corrections BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT day, metric, key, -1 FROM stats_correction_facts WHERE correction_id = OLD.id
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stats_corrections_after AFTER UPDATE OF status, published_at, kind, found, cause, article_id,
    created_by ON corrections BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT day, metric, key, 1 FROM stats_correction_facts WHERE correction_id = NEW.id
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stats_corrections_delete BEFORE DELETE ON corrections BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT day, metric, key, -1 FROM stats_correction_facts WHERE correction_id = OLD.id
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;

-- A cited standard changes only the correction's standard counts.
CREATE TRIGGER stats_cited_before_insert BEFORE INSERT ON correction_standards BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT day, metric, key, -1 FROM stats_correction_facts
        WHERE correction_id = NEW.correction_id AND metric = 'standard'
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stats_cited_after_insert AFTER INSERT ON correction_standards BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT day, metric, key, 1 FROM stats_correction_facts
        WHERE correction_id = NEW.correction_id AND metric = 'standard'
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stats_cited_before_delete BEFORE DELETE ON correction_standards BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT day, metric, key, -1 FROM stats_correction_facts
        WHERE correction_id = OLD.correction_id AND metric = 'standard'
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stats_cited_after_delete AFTER DELETE ON correction_standards BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT day, metric, key, 1 FROM stats_correction_facts
        WHERE correction_id = OLD.correction_id AND metric = 'standard'
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;

-- An article moved to another section moves its reports and corrections with it: the
-- section rows of the views above, written out here so both are found by the article's index.
CREATE TRIGGER stats_articles_before BEFORE UPDATE OF section ON articles BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT date(r.created_at, (SELECT z.seconds FROM stats_zone z WHERE z.starts <= r.created_at
                                  ORDER BY z.starts DESC LIMIT 1) || ' seconds'), 'section', OLD.section, -COUNT(*)
        FROM reports r WHERE r.article_id = OLD.id GROUP BY 1
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO stats_days (day, metric, key, n)
        SELECT date(c.published_at, (SELECT z.seconds FROM stats_zone z WHERE z.starts <= c.published_at
                                  ORDER BY z.starts DESC LIMIT 1) || ' seconds'), 'csection', OLD.section, -COUNT(*)
        FROM corrections c WHERE c.article_id = OLD.id AND c.status = 'published' AND c.published_at IS NOT NULL
        GROUP BY 1
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER stats_articles_after AFTER UPDATE OF section ON articles BEGIN
    INSERT INTO stats_days (day, metric, key, n)
        SELECT date(r.created_at, (SELECT z.seconds FROM stats_zone z WHERE z.starts <= r.created_at
                                  ORDER BY z.starts DESC LIMIT 1) || ' seconds'), 'section', NEW.section, COUNT(*)
        FROM reports r WHERE r.article_id = NEW.id GROUP BY 1
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO stats_days (day, metric, key, n)
        SELECT date(c.published_at, (SELECT z.seconds FROM stats_zone z WHERE z.starts <= c.published_at
                                  ORDER BY z.starts DESC LIMIT 1) || ' seconds'), 'csection', NEW.section, COUNT(*)
        FROM corrections c WHERE c.article_id = NEW.id AND c.status = 'published' AND c.published_at IS NOT NULL
        GROUP BY 1
        ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
END;

-- The exact median and p90: after the histogram has named the bucket and the rank in it,
-- the durations of that bucket are read in order from these indexes.
CREATE INDEX reports_decision_seconds
    ON reports (ROUND((julianday(decided_at) - julianday(created_at)) * 86400.0, 3), created_at)
    WHERE decided_at IS NOT NULL;
CREATE INDEX reports_correction_seconds
    ON reports (ROUND((julianday(corrected_at) - julianday(created_at)) * 86400.0, 3), created_at)
    WHERE corrected_at IS NOT NULL;

-- The counts of what is already stored.
INSERT INTO stats_days (day, metric, key, n)
    SELECT day, metric, key, COUNT(*) FROM stats_report_facts GROUP BY day, metric, key;
INSERT INTO stats_days (day, metric, key, n)
    SELECT day, metric, key, COUNT(*) FROM stats_correction_facts WHERE true GROUP BY day, metric, key
    ON CONFLICT (day, metric, key) DO UPDATE SET n = n + excluded.n;
