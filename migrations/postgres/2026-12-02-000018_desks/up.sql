-- Desks: named teams of editors that reports are routed to by rules (the article's section,
-- the report's category and severity), tried in `position` order; the first that matches
-- takes the report, and none means the general queue.
CREATE TABLE desks (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    lead_id BIGINT REFERENCES users (id),
    -- JSON arrays of strings; an empty array matches anything.
    sections TEXT NOT NULL DEFAULT '[]',
    categories TEXT NOT NULL DEFAULT '[]',
    severities TEXT NOT NULL DEFAULT '[]',
    assignment TEXT NOT NULL CHECK (assignment IN ('none', 'round_robin', 'least_loaded')),
    position INTEGER NOT NULL,
    -- A chat endpoint that hears of this desk's reports.
    endpoint_id BIGINT REFERENCES webhook_endpoints (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Who works on each desk; `turn` orders their last automatic assignment on it (0: never), which
-- gives round robin its turn and breaks least-loaded ties (a counter, not a time: two reports
-- filed in the same instant still go in turn).
CREATE TABLE desk_members (
    desk_id BIGINT NOT NULL REFERENCES desks (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    turn BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (desk_id, user_id)
);
CREATE INDEX desk_members_user ON desk_members (user_id);

-- Away editors are skipped by automatic assignment.
ALTER TABLE users ADD COLUMN away BOOLEAN NOT NULL DEFAULT FALSE;

-- The desk a report is routed to (none: the general queue), and when it was escalated to the
-- desk's lead for being overdue.
ALTER TABLE reports ADD COLUMN desk_id BIGINT REFERENCES desks (id);
ALTER TABLE reports ADD COLUMN escalated_at TIMESTAMP;
-- A desk's open tickets in deadline order (the desk filter and "my desks").
CREATE INDEX reports_open_desk ON reports (desk_id, deadline_at, id)
    WHERE status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', 'appealed');
-- Every report of a desk, open or closed (closed views, and removing a desk).
CREATE INDEX reports_desk ON reports (desk_id) WHERE desk_id IS NOT NULL;

-- The queue's counts under a desk filter: reports per desk (0: the general queue), status,
-- category, severity and assignee (0: unassigned), kept by a trigger like report_tallies.
CREATE TABLE desk_tallies (
    desk_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    assignee_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (desk_id, status, category, severity, assignee_id)
);
INSERT INTO desk_tallies (desk_id, status, category, severity, assignee_id, n)
    SELECT 0, status, category, severity, COALESCE(assignee_id, 0), COUNT(*) FROM reports
    GROUP BY status, category, severity, COALESCE(assignee_id, 0);
CREATE FUNCTION desk_tallies_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (COALESCE(OLD.desk_id, 0), OLD.status, OLD.category, OLD.severity, COALESCE(OLD.assignee_id, 0))
           IS NOT DISTINCT FROM
           (COALESCE(NEW.desk_id, 0), NEW.status, NEW.category, NEW.severity, COALESCE(NEW.assignee_id, 0)) THEN
            RETURN NULL;
        END IF;
        UPDATE desk_tallies SET n = n - 1
            WHERE desk_id = COALESCE(OLD.desk_id, 0) AND status = OLD.status AND category = OLD.category
              AND severity = OLD.severity AND assignee_id = COALESCE(OLD.assignee_id, 0);
    END IF;
    INSERT INTO desk_tallies (desk_id, status, category, severity, assignee_id, n)
        VALUES (COALESCE(NEW.desk_id, 0), NEW.status, NEW.category, NEW.severity, COALESCE(NEW.assignee_id, 0), 1)
        ON CONFLICT (desk_id, status, category, severity, assignee_id) DO UPDATE SET n = desk_tallies.n + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER desk_tallies_count AFTER INSERT OR UPDATE OF status, category, severity, assignee_id, desk_id
    ON reports FOR EACH ROW EXECUTE FUNCTION desk_tallies_count();
