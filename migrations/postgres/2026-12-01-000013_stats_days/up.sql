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
INSERT INTO stats_buckets (lo) SELECT h * 3600 FROM generate_series(0, 23) h;
INSERT INTO stats_buckets (lo) SELECT h * 3600 FROM generate_series(24, 70, 2) h;
INSERT INTO stats_buckets (lo) SELECT h * 3600 FROM generate_series(72, 162, 6) h;
INSERT INTO stats_buckets (lo) SELECT d * 86400 FROM generate_series(7, 27) d;
INSERT INTO stats_buckets (lo) SELECT w * 7 * 86400 FROM generate_series(4, 13) w;

-- One count per local day, figure ("metric") and value ("key").
CREATE TABLE stats_days (
    day TEXT NOT NULL,
    metric TEXT NOT NULL,
    key TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, metric, key)
);

-- The local day of an instant, by the offset in force then.
CREATE FUNCTION stats_day(t TIMESTAMP) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT to_char(t + make_interval(secs => (SELECT z.seconds FROM stats_zone z WHERE z.starts <= t
                                              ORDER BY z.starts DESC LIMIT 1)), 'YYYY-MM-DD')
$$;
-- The bucket of a duration in seconds (below zero: the first).
CREATE FUNCTION stats_bucket(seconds NUMERIC) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT COALESCE(MAX(b.lo), 0)::TEXT FROM stats_buckets b WHERE b.lo <= seconds
$$;

-- What a report adds: its status now, whether it is decided (and within its deadline), the
-- buckets of its times to decision and to correction, its article's section, its assignee.
-- Every row of the view is one count on the day the report was filed.
CREATE TABLE stats_report_metrics (metric TEXT PRIMARY KEY NOT NULL);
INSERT INTO stats_report_metrics (metric) VALUES
    ('status'), ('decided'), ('within'), ('decision'), ('correction'), ('section'), ('assignee'), ('assignee_decided');
CREATE VIEW stats_report_facts AS
SELECT r.id AS report_id, r.article_id AS article_id, stats_day(r.created_at) AS day, m.metric AS metric,
       CASE m.metric
           WHEN 'status' THEN r.status
           WHEN 'decision' THEN stats_bucket(EXTRACT(EPOCH FROM (r.decided_at - r.created_at)))
           WHEN 'correction' THEN stats_bucket(EXTRACT(EPOCH FROM (r.corrected_at - r.created_at)))
           WHEN 'section' THEN a.section
           WHEN 'assignee' THEN r.assignee_id::TEXT
           WHEN 'assignee_decided' THEN r.assignee_id::TEXT
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
    ELSE TRUE
END;

-- What a published correction adds, on the day it was published: itself, its kind, how it
-- was found, its cause, its article's section, its author, and each standard code it cites.
CREATE TABLE stats_correction_metrics (metric TEXT PRIMARY KEY NOT NULL);
INSERT INTO stats_correction_metrics (metric) VALUES
    ('published'), ('kind'), ('found'), ('cause'), ('csection'), ('author');
CREATE VIEW stats_correction_facts AS
SELECT c.id AS correction_id, c.article_id AS article_id, stats_day(c.published_at) AS day, m.metric AS metric,
       CASE m.metric
           WHEN 'kind' THEN c.kind
           WHEN 'found' THEN c.found
           WHEN 'cause' THEN c.cause
           WHEN 'csection' THEN a.section
           WHEN 'author' THEN c.created_by::TEXT
           ELSE ''
       END AS key
FROM corrections c
JOIN articles a ON a.id = c.article_id
CROSS JOIN stats_correction_metrics m
WHERE c.status = 'published' AND c.published_at IS NOT NULL
UNION ALL
-- Each code once, however many of its versions the correction cites (the first version's row
-- stands for the code; written without DISTINCT so a lookup by correction stays a lookup).
SELECT c.id AS correction_id, c.article_id AS article_id,
       stats_day(c.published_at) AS day,
       'standard' AS metric, st.code AS key
FROM corrections c
JOIN correction_standards cs ON cs.correction_id = c.id
JOIN standards st ON st.id = cs.standard_id
WHERE c.status = 'published' AND c.published_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM correction_standards cs2 JOIN standards st2 ON st2.id = cs2.standard_id
                  WHERE cs2.correction_id = c.id AND st2.code = st.code AND cs2.standard_id < cs.standard_id);

-- Adds `sign` times what the facts selected add. Takes the counters' advisory lock first
-- (the key of `db::lock_counters`), so writers that move several counters queue instead of
-- deadlocking on these rows.
CREATE FUNCTION stats_add_report(p_id BIGINT, p_sign BIGINT) RETURNS void LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(109330312618862);
    INSERT INTO stats_days (day, metric, key, n)
        SELECT f.day, f.metric, f.key, SUM(p_sign) FROM stats_report_facts f WHERE f.report_id = p_id
        GROUP BY f.day, f.metric, f.key
        ON CONFLICT (day, metric, key) DO UPDATE SET n = stats_days.n + excluded.n;
$$;
CREATE FUNCTION stats_add_correction(p_id BIGINT, p_sign BIGINT) RETURNS void LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(109330312618862);
    INSERT INTO stats_days (day, metric, key, n)
        SELECT f.day, f.metric, f.key, SUM(p_sign) FROM stats_correction_facts f WHERE f.correction_id = p_id
        GROUP BY f.day, f.metric, f.key
        ON CONFLICT (day, metric, key) DO UPDATE SET n = stats_days.n + excluded.n;
$$;

-- The triggers: a change takes away what the row added before it and adds what it adds after.
CREATE FUNCTION stats_reports_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_add_report(OLD.id, -1);
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;
CREATE FUNCTION stats_reports_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_add_report(NEW.id, 1);
    RETURN NULL;
END $$;
CREATE TRIGGER stats_reports_before BEFORE UPDATE OF status, assignee_id, decided_at, deadline_at, corrected_at,
    article_id, created_at OR DELETE ON reports FOR EACH ROW EXECUTE FUNCTION stats_reports_before();
CREATE TRIGGER stats_reports_after AFTER INSERT OR UPDATE OF status, assignee_id, decided_at, deadline_at,
    corrected_at, article_id, created_at ON reports FOR EACH ROW EXECUTE FUNCTION stats_reports_after();

CREATE FUNCTION stats_corrections_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_add_correction(OLD.id, -1);
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;
CREATE FUNCTION stats_corrections_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_add_correction(NEW.id, 1);
    RETURN NULL;
END $$;
CREATE TRIGGER stats_corrections_before BEFORE UPDATE OF status, published_at, kind, found, cause, article_id,
    created_by OR DELETE ON corrections FOR EACH ROW EXECUTE FUNCTION stats_corrections_before();
CREATE TRIGGER stats_corrections_after AFTER INSERT OR UPDATE OF status, published_at, kind, found, cause,
    article_id, created_by ON corrections FOR EACH ROW EXECUTE FUNCTION stats_corrections_after();

-- A cited standard changes only the correction's standard counts.
CREATE FUNCTION stats_add_cited(p_id BIGINT, p_sign BIGINT) RETURNS void LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(109330312618862);
    INSERT INTO stats_days (day, metric, key, n)
        SELECT f.day, f.metric, f.key, SUM(p_sign) FROM stats_correction_facts f
        WHERE f.correction_id = p_id AND f.metric = 'standard'
        GROUP BY f.day, f.metric, f.key
        ON CONFLICT (day, metric, key) DO UPDATE SET n = stats_days.n + excluded.n;
$$;
CREATE FUNCTION stats_cited_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stats_add_cited(NEW.correction_id, -1);
        RETURN NEW;
    END IF;
    PERFORM stats_add_cited(OLD.correction_id, -1);
    RETURN OLD;
END $$;
CREATE FUNCTION stats_cited_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stats_add_cited(NEW.correction_id, 1);
    ELSE
        PERFORM stats_add_cited(OLD.correction_id, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stats_cited_before BEFORE INSERT OR DELETE ON correction_standards
    FOR EACH ROW EXECUTE FUNCTION stats_cited_before();
CREATE TRIGGER stats_cited_after AFTER INSERT OR DELETE ON correction_standards
    FOR EACH ROW EXECUTE FUNCTION stats_cited_after();

-- An article moved to another section moves its reports and corrections with it: the
-- section rows of the views above, written out here so both are found by the article's index.
CREATE FUNCTION stats_articles_move(p_article TEXT, p_section TEXT, p_sign BIGINT) RETURNS void LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(109330312618862);
    INSERT INTO stats_days (day, metric, key, n)
        SELECT stats_day(r.created_at), 'section', p_section, p_sign * COUNT(*)
        FROM reports r WHERE r.article_id = p_article GROUP BY 1
        ON CONFLICT (day, metric, key) DO UPDATE SET n = stats_days.n + excluded.n;
    INSERT INTO stats_days (day, metric, key, n)
        SELECT stats_day(c.published_at), 'csection', p_section, p_sign * COUNT(*)
        FROM corrections c WHERE c.article_id = p_article AND c.status = 'published' AND c.published_at IS NOT NULL
        GROUP BY 1
        ON CONFLICT (day, metric, key) DO UPDATE SET n = stats_days.n + excluded.n;
$$;
CREATE FUNCTION stats_articles_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.section IS DISTINCT FROM NEW.section THEN
        PERFORM stats_articles_move(OLD.id, OLD.section, -1);
    END IF;
    RETURN NEW;
END $$;
CREATE FUNCTION stats_articles_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.section IS DISTINCT FROM NEW.section THEN
        PERFORM stats_articles_move(NEW.id, NEW.section, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stats_articles_before BEFORE UPDATE OF section ON articles
    FOR EACH ROW EXECUTE FUNCTION stats_articles_before();
CREATE TRIGGER stats_articles_after AFTER UPDATE OF section ON articles
    FOR EACH ROW EXECUTE FUNCTION stats_articles_after();

-- The exact median and p90: after the histogram has named the bucket and the rank in it,
-- the durations of that bucket are read in order from these indexes.
-- (The times themselves are included, so a read of a bucket never visits the table.)
CREATE INDEX reports_decision_seconds ON reports ((EXTRACT(EPOCH FROM (decided_at - created_at))), created_at)
    INCLUDE (decided_at) WHERE decided_at IS NOT NULL;
CREATE INDEX reports_correction_seconds ON reports ((EXTRACT(EPOCH FROM (corrected_at - created_at))), created_at)
    INCLUDE (corrected_at) WHERE corrected_at IS NOT NULL;

-- The counts of what is already stored.
INSERT INTO stats_days (day, metric, key, n)
    SELECT day, metric, key, COUNT(*) FROM stats_report_facts GROUP BY day, metric, key;
INSERT INTO stats_days (day, metric, key, n)
    SELECT day, metric, key, COUNT(*) FROM stats_correction_facts GROUP BY day, metric, key
    ON CONFLICT (day, metric, key) DO UPDATE SET n = stats_days.n + excluded.n;
