//! Every query on a hot path uses an index: the notice, the article and site logs, the
//! queue, the ticket, the tracking page, sessions, the checkpoint and the cache's version.
//!
//! Each query below has the shape the domain code sends (same tables, filters and order).
//! (The queue's counts read `report_tallies`, whose size does not grow with the reports.)
//! SQLite plans with its rules whatever the data; PostgreSQL is asked with sequential scans
//! and explicit sorts made costly, so the plan shows whether an index *can* serve the query.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::helpers::{postgres_available, Backend, TestDb};
use corrigenda::db::{DbConnection, DbTarget};

#[derive(QueryableByName)]
struct SqlitePlan {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PostgresPlan {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = "QUERY PLAN")]
    line: String,
}

/// A hot query: its name, its SQL, the index each backend must use, and whether its order must come from the index.
struct Hot {
    name: &'static str,
    sql: &'static str,
    sqlite_index: &'static str,
    postgres_index: &'static str,
    ordered: bool,
}

const HOT: &[Hot] = &[
    Hot {
        name: "an article's published corrections (notice, article log)",
        sql: "SELECT id FROM corrections WHERE article_id = 'a1' AND status = 'published' \
              ORDER BY published_at DESC, id DESC",
        sqlite_index: "corrections_article",
        postgres_index: "corrections_article",
        ordered: true,
    },
    Hot {
        name: "the corrections that supersede a page's corrections",
        sql: "SELECT supersedes, id, status FROM corrections WHERE supersedes IN (1, 2, 3)",
        sqlite_index: "corrections_supersedes",
        postgres_index: "corrections_supersedes",
        ordered: false,
    },
    Hot {
        name: "a page's log entries",
        sql: "SELECT idx, hash FROM log_entries WHERE correction_id IN (1, 2, 3)",
        sqlite_index: "sqlite_autoindex_log_entries_2",
        postgres_index: "log_entries_correction_id_key",
        ordered: false,
    },
    Hot {
        name: "a page's cited standards",
        sql: "SELECT s.code FROM correction_standards cs JOIN standards s ON s.id = cs.standard_id \
              WHERE cs.correction_id IN (1, 2, 3)",
        sqlite_index: "sqlite_autoindex_correction_standards_1",
        postgres_index: "correction_standards_pkey",
        ordered: false,
    },
    Hot {
        name: "the site-wide log's first page",
        sql: "SELECT c.id, a.title FROM corrections c JOIN articles a ON a.id = c.article_id \
              WHERE c.status = 'published' ORDER BY c.published_at DESC, c.id DESC LIMIT 51",
        sqlite_index: "corrections_published",
        postgres_index: "corrections_published",
        ordered: true,
    },
    Hot {
        name: "a deeper page of the site-wide log",
        sql: "SELECT c.id FROM corrections c JOIN articles a ON a.id = c.article_id \
              WHERE c.status = 'published' AND (c.published_at < '2026-11-01 00:00:00' \
              OR (c.published_at = '2026-11-01 00:00:00' AND c.id < 500)) \
              ORDER BY c.published_at DESC, c.id DESC LIMIT 51",
        sqlite_index: "corrections_published",
        postgres_index: "corrections_published",
        ordered: true,
    },
    Hot {
        name: "the queue's first page by deadline",
        sql: "SELECT id FROM reports ORDER BY deadline_at ASC, id ASC LIMIT 51",
        sqlite_index: "reports_deadline",
        postgres_index: "reports_deadline",
        ordered: true,
    },
    Hot {
        name: "the queue's first page of one status by deadline",
        sql: "SELECT id FROM reports WHERE status = 'new' ORDER BY deadline_at ASC, id ASC LIMIT 51",
        sqlite_index: "reports_status",
        postgres_index: "reports_status",
        ordered: true,
    },
    Hot {
        name: "a reader's reports by address",
        sql: "SELECT id FROM reports WHERE lower(reports.reporter_email) = 'ada@example.com'",
        sqlite_index: "reports_reporter_email",
        postgres_index: "reports_reporter_email",
        ordered: false,
    },
    Hot {
        name: "the queue's first page by severity",
        sql: "SELECT id FROM reports ORDER BY severity_rank ASC, id ASC LIMIT 51",
        sqlite_index: "reports_rank",
        postgres_index: "reports_rank",
        ordered: true,
    },
    Hot {
        name: "the queue filtered by section",
        sql: "SELECT id FROM reports WHERE article_id IN (SELECT id FROM articles WHERE section = 'World') \
              ORDER BY deadline_at ASC, id ASC LIMIT 51",
        sqlite_index: "articles_section",
        postgres_index: "articles_section",
        // The section's reports are found through their articles, then ordered: the cost
        // follows the section's size, not the whole table's.
        ordered: false,
    },
    Hot {
        name: "the queue page's articles and assignees",
        sql: "SELECT a.id, a.title, a.section, u.name FROM articles a, users u \
              WHERE a.id IN ('a1', 'a2') AND u.id IN (1, 2)",
        sqlite_index: "sqlite_autoindex_articles_1",
        postgres_index: "articles_pkey",
        ordered: false,
    },
    Hot {
        name: "a ticket's likely duplicates",
        sql: "SELECT id FROM reports WHERE article_id = 'a1' AND quote_start > -16000 AND quote_start < 400 \
              AND quote_end > 300 AND id <> 7 ORDER BY article_id, quote_start LIMIT 200",
        sqlite_index: "reports_article",
        postgres_index: "reports_article",
        ordered: false,
    },
    Hot {
        name: "a ticket's events",
        sql: "SELECT id FROM events WHERE report_id = 7 ORDER BY id",
        sqlite_index: "events_report",
        postgres_index: "events_report",
        ordered: true,
    },
    Hot {
        name: "a reader's tracking page",
        sql: "SELECT id FROM reports WHERE token_hash = 'x'",
        sqlite_index: "sqlite_autoindex_reports_1",
        postgres_index: "reports_token_hash_key",
        ordered: false,
    },
    Hot {
        name: "a signed-in request's session",
        sql: "SELECT u.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = 'x'",
        sqlite_index: "sqlite_autoindex_sessions_1",
        postgres_index: "sessions_pkey",
        ordered: false,
    },
    Hot {
        name: "the log's head (checkpoint)",
        sql: "SELECT idx, hash FROM log_entries ORDER BY idx DESC LIMIT 1",
        sqlite_index: "sqlite_autoindex_log_entries_1",
        postgres_index: "log_entries_pkey",
        ordered: true,
    },
    Hot {
        name: "a range of log entries",
        sql: "SELECT idx FROM log_entries WHERE idx >= 100 AND idx < 200 ORDER BY idx",
        sqlite_index: "sqlite_autoindex_log_entries_1",
        postgres_index: "log_entries_pkey",
        ordered: true,
    },
    Hot {
        name: "the outbox page's mail counts",
        sql: "SELECT status, COUNT(*) FROM outbox GROUP BY status",
        sqlite_index: "outbox_due",
        postgres_index: "outbox_due",
        ordered: false,
    },
    Hot {
        name: "the outbox page's webhook counts",
        sql: "SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status",
        sqlite_index: "webhook_deliveries_due",
        // Either of its indexes (due, or by endpoint) counts it without the table.
        postgres_index: "webhook_deliveries_",
        ordered: false,
    },
    Hot {
        name: "the open checklist items (the approvals page's corrections still to send)",
        sql: "SELECT correction_id FROM correction_channels WHERE done_at IS NULL",
        sqlite_index: "correction_channels_open",
        postgres_index: "correction_channels_open",
        ordered: false,
    },
    Hot {
        name: "an open checklist item's deliveries still out (a correction's page)",
        sql: "SELECT COUNT(*) FROM channel_deliveries WHERE correction_id = 1 AND channel_id = 2 AND delivered_at IS NULL",
        sqlite_index: "channel_deliveries_item",
        postgres_index: "channel_deliveries_item",
        ordered: false,
    },
    Hot {
        name: "the oldest mail waiting (every metrics scrape)",
        sql: "SELECT MIN(created_at) FROM outbox WHERE status IN ('queued', 'sending')",
        sqlite_index: "outbox_due",
        postgres_index: "outbox_due",
        ordered: false,
    },
    Hot {
        name: "the public version (every cached answer)",
        sql: "SELECT n FROM public_version WHERE id = 1",
        sqlite_index: "INTEGER PRIMARY KEY",
        postgres_index: "public_version_pkey",
        ordered: false,
    },
];

fn plan(conn: &mut DbConnection, sql: &str) -> String {
    match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<SqlitePlan>(c)
            .unwrap()
            .into_iter()
            .map(|p| p.detail)
            .collect::<Vec<_>>()
            .join("\n"),
        DbConnection::Postgres(c) => diesel::sql_query(format!("EXPLAIN {sql}"))
            .load::<PostgresPlan>(c)
            .unwrap()
            .into_iter()
            .map(|p| p.line)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn hot_queries_use_indexes(backend: Backend) {
    let database = TestDb::new(backend);
    let mut conn = DbTarget::parse(&database.url).unwrap().connect().unwrap();
    corrigenda::db::migrate(&mut conn).unwrap();
    if let DbConnection::Postgres(c) = &mut conn {
        c.batch_execute("SET enable_seqscan = off; SET enable_sort = off").unwrap();
    }
    for hot in HOT {
        let plan = plan(&mut conn, hot.sql);
        let index = match backend {
            Backend::Sqlite => hot.sqlite_index,
            Backend::Postgres => hot.postgres_index,
        };
        assert!(plan.contains(index), "{}: the plan does not use {index}:\n{plan}", hot.name);
        if hot.ordered {
            assert!(
                !plan.contains("TEMP B-TREE FOR ORDER BY") && !plan.contains("Sort Key"),
                "{}: rows are sorted after reading, not read in order:\n{plan}",
                hot.name
            );
        }
        if backend == Backend::Sqlite {
            // A scan of a whole table (not of an index) on a hot path.
            let scans = plan.lines().filter(|l| l.starts_with("SCAN ") && !l.contains("INDEX")).collect::<Vec<_>>();
            assert!(scans.is_empty(), "{}: a table is scanned: {scans:?}\n{plan}", hot.name);
        }
    }
}

/// The views' listings, with the status condition as the queue writes it for the backend, read
/// an index in deadline order: the open tickets through their partial index.
fn views_read_in_order(backend: Backend) {
    use corrigenda::domain::desk::{status_sql, View};
    use corrigenda::domain::reports::Status;
    let database = TestDb::new(backend);
    let mut conn = DbTarget::parse(&database.url).unwrap().connect().unwrap();
    corrigenda::db::migrate(&mut conn).unwrap();
    let postgres = backend == Backend::Postgres;
    if let DbConnection::Postgres(c) = &mut conn {
        c.batch_execute("SET enable_seqscan = off; SET enable_sort = off").unwrap();
    }
    for (view, index) in
        [(View::Open, "reports_open"), (View::Closed, "reports_deadline"), (View::Waiting, "reports_status")]
    {
        let statuses: Vec<Status> = Status::ALL.iter().copied().filter(|s| view.holds(*s)).collect();
        let sql = format!(
            "SELECT id FROM reports WHERE {} ORDER BY deadline_at ASC, id ASC LIMIT 51",
            status_sql(&statuses, postgres)
        );
        let plan = plan(&mut conn, &sql);
        assert!(plan.contains(index), "{view:?}: the plan does not use {index}:\n{plan}");
        assert!(!plan.contains("TEMP B-TREE FOR ORDER BY") && !plan.contains("Sort Key"), "{view:?}: sorted:\n{plan}");
    }
    // The open tickets in the other orders have partial indexes of their own.
    let open: Vec<Status> = Status::ALL.iter().copied().filter(|s| View::Open.holds(*s)).collect();
    for (order, index) in [("severity_rank ASC, id ASC", "reports_open_rank"), ("id ASC", "reports_open_age")] {
        let sql = format!("SELECT id FROM reports WHERE {} ORDER BY {order} LIMIT 51", status_sql(&open, postgres));
        let plan = plan(&mut conn, &sql);
        assert!(plan.contains(index), "open by {order}: the plan does not use {index}:\n{plan}");
        assert!(!plan.contains("TEMP B-TREE FOR ORDER BY") && !plan.contains("Sort Key"), "open by {order}:\n{plan}");
    }
    // One editor's open tickets, and nobody's, in deadline order ("mine", "unassigned").
    for who in ["reports.assignee_id = 7", "reports.assignee_id IS NULL"] {
        let sql = format!(
            "SELECT id FROM reports WHERE {} AND {who} ORDER BY deadline_at ASC, id ASC LIMIT 51",
            status_sql(&open, postgres)
        );
        let plan = plan(&mut conn, &sql);
        // (PostgreSQL, on an empty table, may read nobody's through `reports_open` in order just as well.)
        let either = postgres && who.ends_with("IS NULL") && plan.contains("reports_open");
        assert!(
            plan.contains("reports_open_assignee") || either,
            "open and {who}: not through reports_open_assignee:\n{plan}"
        );
        assert!(!plan.contains("TEMP B-TREE FOR ORDER BY") && !plan.contains("Sort Key"), "open and {who}:\n{plan}");
    }
    // The desk filter and "my desks", as the queue writes them: each reads one index in order.
    use corrigenda::domain::desk::DeskScope;
    let one = DeskScope::Desks(vec![3]).sql(postgres, true);
    let one_any = DeskScope::Desks(vec![3]).sql(postgres, false);
    let several = DeskScope::Desks(vec![3, 4]).sql(postgres, true);
    let open_sql = status_sql(&open, postgres);
    let closed: Vec<Status> = Status::ALL.iter().copied().filter(|s| View::Closed.holds(*s)).collect();
    let closed_sql = status_sql(&closed, postgres);
    let cases = [
        // One desk's open tickets (its filter with a view, "my desks" with one desk).
        (format!("{one} AND {open_sql} ORDER BY deadline_at ASC, id ASC"), vec!["reports_open_desk"]),
        // Several desks' open tickets ("my desks"): the open tickets in order, filtered.
        (format!("{several} AND {open_sql} ORDER BY deadline_at ASC, id ASC"), vec!["reports_open"]),
        // One desk's every ticket, or its closed ones: the queue's order indexes, filtered.
        (format!("{one_any} ORDER BY deadline_at ASC, id ASC"), vec!["reports_deadline"]),
        (format!("{one_any} AND {closed_sql} ORDER BY deadline_at ASC, id ASC"), vec!["reports_deadline"]),
        // (Oldest first is the table's own order on SQLite, its primary key on PostgreSQL.)
        (format!("{one_any} ORDER BY id ASC"), vec!["SCAN reports", "reports_pkey"]),
    ];
    for (condition, indexes) in cases {
        let sql = format!("SELECT id FROM reports WHERE {condition} LIMIT 51");
        let plan = plan(&mut conn, &sql);
        assert!(indexes.iter().any(|i| plan.contains(i)), "{sql}: not through {indexes:?}:\n{plan}");
        assert!(!plan.contains("TEMP B-TREE FOR ORDER BY") && !plan.contains("Sort Key"), "{sql}:\n{plan}");
    }
    // The desk page's open tickets held by away members: through the assignees' index, bounded
    // by their work, not the desk's history (PostgreSQL may as well read the desk's open ones).
    let desk_kept_off = if postgres { "reports.desk_id = 3" } else { "+reports.desk_id = 3" };
    let held = format!(
        "SELECT id FROM reports WHERE {desk_kept_off} AND {open_sql} AND assignee_id IN (5, 6) \
         ORDER BY deadline_at ASC, id ASC LIMIT 100"
    );
    let plan_held = plan(&mut conn, &held);
    let through =
        if postgres { vec!["reports_open_assignee", "reports_open_desk"] } else { vec!["reports_open_assignee"] };
    assert!(through.iter().any(|i| plan_held.contains(i)), "held by the away: not through {through:?}:\n{plan_held}");
    // Removing a desk finds its reports, open or closed, through their own index.
    let all_of_desk = plan(&mut conn, "SELECT id FROM reports WHERE desk_id = 3");
    assert!(all_of_desk.contains("reports_desk"), "a desk's reports: not through reports_desk:\n{all_of_desk}");
    // A search of many matches reads the open tickets in order and tests each, by words of the
    // passage (a list of the full-text index's ids on SQLite), of the headline, a number or an address.
    use corrigenda::domain::desk::{Matches, Reach, Search, GATHER_MAX};
    let search = Search::parse("ada@example.com").unwrap().unwrap();
    let many = search.condition(postgres, &Matches::Many(Reach { text: GATHER_MAX + 1, headline: 0 }));
    let sql = format!(
        "SELECT id FROM reports WHERE {} AND {many} ORDER BY deadline_at ASC, id ASC LIMIT 51",
        status_sql(&open, postgres)
    );
    let searched = plan(&mut conn, &sql);
    assert!(searched.contains("reports_open"), "a search of many: not through reports_open:\n{searched}");
    assert!(
        !searched.contains("TEMP B-TREE FOR ORDER BY") && !searched.contains("Sort Key"),
        "a search of many:\n{searched}"
    );
    if !postgres {
        assert!(searched.contains("sqlite_autoindex_articles_1"), "the headline's article by its key:\n{searched}");
        let scans = searched.lines().filter(|l| l.starts_with("SCAN ") && !l.contains("INDEX")).collect::<Vec<_>>();
        assert!(scans.is_empty(), "a table is scanned: {scans:?}\n{searched}");
    }
    // A search of few matches reads just their rows, by id, before ordering them.
    let few = search.condition(postgres, &Matches::Few(vec![3, 14, 15]));
    let sql = format!(
        "SELECT id FROM reports WHERE {} AND {few} ORDER BY deadline_at ASC, id ASC LIMIT 51",
        status_sql(&open, postgres)
    );
    // (Sorting a few rows is the point here, so PostgreSQL may sort.)
    if let DbConnection::Postgres(c) = &mut conn {
        c.batch_execute("SET enable_sort = on").unwrap();
    }
    let listed = plan(&mut conn, &sql);
    if let DbConnection::Postgres(c) = &mut conn {
        c.batch_execute("SET enable_sort = off").unwrap();
    }
    // (PostgreSQL, on an empty table, may take the ids from any index that holds them.)
    let by_id = if postgres { "Index Cond: (id = ANY" } else { "INTEGER PRIMARY KEY" };
    assert!(listed.contains(by_id), "a search of few does not read its rows by id:\n{listed}");
    // A list of a few statuses: SQLite looks each up, as before (PostgreSQL may as well read the
    // open tickets' index, which holds them all).
    let few = status_sql(&[Status::New, Status::Triaged], postgres);
    let plan =
        plan(&mut conn, &format!("SELECT id FROM reports WHERE {few} ORDER BY deadline_at ASC, id ASC LIMIT 51"));
    assert!(plan.contains("reports_status") || (postgres && plan.contains("reports_open")), "a few statuses:\n{plan}");
}

/// A search of headlines goes through the backend's full-text index, not the articles.
fn headline_search_uses_its_index(backend: Backend) {
    use corrigenda::domain::words::Words;
    let database = TestDb::new(backend);
    let mut conn = DbTarget::parse(&database.url).unwrap().connect().unwrap();
    corrigenda::db::migrate(&mut conn).unwrap();
    let postgres = backend == Backend::Postgres;
    if let DbConnection::Postgres(c) = &mut conn {
        c.batch_execute("SET enable_seqscan = off").unwrap();
    }
    let condition = Words::of("council budget").headline_condition("articles.id", postgres);
    let plan = plan(&mut conn, &format!("SELECT id FROM articles WHERE {condition} LIMIT 51"));
    let index = if postgres { "articles_search" } else { "articles_fts VIRTUAL TABLE INDEX" };
    assert!(plan.contains(index), "the plan does not use {index}:\n{plan}");
    if !postgres {
        let scans = plan.lines().filter(|l| l.starts_with("SCAN ") && !l.contains("INDEX")).collect::<Vec<_>>();
        assert!(scans.is_empty(), "a table is scanned: {scans:?}\n{plan}");
    }
}

/// The counting queries under a section or overdue filter use the indexes too.
fn filtered_counts_use_indexes(backend: Backend) {
    let database = TestDb::new(backend);
    let mut conn = DbTarget::parse(&database.url).unwrap().connect().unwrap();
    corrigenda::db::migrate(&mut conn).unwrap();
    if let DbConnection::Postgres(c) = &mut conn {
        c.batch_execute("SET enable_seqscan = off").unwrap();
    }
    let overdue = "SELECT r.status AS status, COUNT(*) AS n FROM reports r WHERE r.deadline_at < '2026-12-01' \
                   AND r.status IN ('new', 'triaged', 'in_review', 'appealed') GROUP BY r.status";
    let plan = plan(&mut conn, overdue);
    assert!(plan.contains("reports_status"), "overdue counts:\n{plan}");
}

/// A query of the transparency figures (`src/domain/stats.rs`), with the index each backend
/// must use (one of several where the planner may pick either).
struct Figure {
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    indexes: &'static [&'static str],
}

const PERIOD: &str = "r.created_at >= '2026-01-01 00:00:00' AND r.created_at < '2027-01-01 00:00:00'";
const PUBLISHED: &str =
    "c.status = 'published' AND c.published_at >= '2026-01-01 00:00:00' AND c.published_at < '2027-01-01 00:00:00'";

/// The figures' queries, in the shapes the domain sends, with `{r}` and `{c}` standing for the
/// period's conditions on reports and corrections.
const FIGURES: &[Figure] = &[
    Figure {
        name: "reports by status",
        sqlite: "SELECT r.status AS key, COUNT(*) AS n FROM reports r WHERE {r} GROUP BY r.status",
        postgres: "",
        indexes: &["reports_stats"],
    },
    Figure {
        name: "decided within the deadline",
        sqlite: "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN r.decided_at <= r.deadline_at THEN 1 ELSE 0 END), 0) \
                 AS within FROM reports r WHERE {r} AND r.decided_at IS NOT NULL",
        postgres: "",
        indexes: &["reports_stats", "reports_decision_seconds", "reports_correction_seconds"],
    },
    Figure {
        name: "a duration at a rank",
        sqlite: "SELECT rn, d FROM (SELECT (julianday(r.decided_at) - julianday(r.created_at)) * 86400.0 AS d, \
                 ROW_NUMBER() OVER (ORDER BY (julianday(r.decided_at) - julianday(r.created_at)) * 86400.0) AS rn \
                 FROM reports r WHERE {r} AND r.decided_at IS NOT NULL) ranked WHERE rn IN (5, 6, 10)",
        postgres: "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (r.corrected_at - r.created_at))::float8) AS a \
                   FROM reports r WHERE {r} AND r.corrected_at IS NOT NULL",
        indexes: &["reports_stats", "reports_decision_seconds", "reports_correction_seconds"],
    },
    Figure {
        name: "times to correction by span",
        sqlite: "SELECT COALESCE(SUM(CASE WHEN ROUND((julianday(r.corrected_at) - julianday(r.created_at)) * 86400.0, 3) \
                 >= 3600 AND ROUND((julianday(r.corrected_at) - julianday(r.created_at)) * 86400.0, 3) < 21600 \
                 THEN 1 ELSE 0 END), 0) AS b1 FROM reports r WHERE {r} AND r.corrected_at IS NOT NULL",
        postgres: "SELECT COALESCE(SUM(CASE WHEN EXTRACT(EPOCH FROM (r.corrected_at - r.created_at)) >= 3600 \
                   AND EXTRACT(EPOCH FROM (r.corrected_at - r.created_at)) < 21600 THEN 1 ELSE 0 END), 0) AS b1 \
                   FROM reports r WHERE {r} AND r.corrected_at IS NOT NULL",
        indexes: &["reports_stats", "reports_decision_seconds", "reports_correction_seconds"],
    },
    Figure {
        name: "corrections by kind, found and cause",
        sqlite: "SELECT c.kind AS kind, c.found AS found, c.cause AS cause, COUNT(*) AS n FROM corrections c \
                 WHERE {c} GROUP BY c.kind, c.found, c.cause",
        postgres: "",
        indexes: &["corrections_stats"],
    },
    Figure {
        name: "corrections by standard",
        sqlite: "SELECT s.code AS key, COUNT(DISTINCT c.id) AS n FROM corrections c \
                 JOIN correction_standards cs ON cs.correction_id = c.id JOIN standards s ON s.id = cs.standard_id \
                 WHERE {c} GROUP BY s.code",
        postgres: "",
        indexes: &["corrections_stats"],
    },
    Figure {
        name: "reports by section",
        sqlite: "SELECT a.section AS key, CAST(SUM(x.n) AS BIGINT) AS n FROM (SELECT r.article_id AS article_id, \
                 COUNT(*) AS n FROM reports r WHERE {r} GROUP BY r.article_id) x \
                 JOIN articles a ON a.id = x.article_id GROUP BY a.section",
        postgres: "",
        indexes: &["reports_stats"],
    },
    Figure {
        name: "reports under a section and a standard",
        sqlite: "SELECT COUNT(*) AS n FROM reports r WHERE {r} \
                 AND r.article_id IN (SELECT fa.id FROM articles fa WHERE fa.section = 'World') \
                 AND EXISTS (SELECT 1 FROM correction_reports fcr WHERE fcr.report_id = r.id AND EXISTS (\
                 SELECT 1 FROM corrections fc JOIN correction_standards fcs ON fcs.correction_id = fc.id \
                 JOIN standards fs ON fs.id = fcs.standard_id \
                 WHERE fc.id = fcr.correction_id AND fc.status = 'published' AND fs.code = 'accuracy'))",
        postgres: "",
        indexes: &["correction_reports_report"],
    },
    Figure {
        name: "corrections under a standard",
        sqlite: "SELECT COUNT(*) AS n FROM corrections c WHERE {c} AND EXISTS (SELECT 1 FROM correction_standards fcs \
                 JOIN standards fs ON fs.id = fcs.standard_id WHERE fcs.correction_id = c.id AND fs.code = 'data')",
        postgres: "",
        indexes: &["corrections_stats"],
    },
    Figure {
        name: "a period's per-day counts",
        sqlite: "SELECT substr(day, 1, 7) AS month, metric, key, CAST(SUM(n) AS BIGINT) AS n FROM stats_days \
                 WHERE day >= '2026-01-01' AND day <= '2026-12-31' GROUP BY substr(day, 1, 7), metric, key \
                 HAVING SUM(n) <> 0",
        postgres: "",
        indexes: &["USING PRIMARY KEY (day>? AND day<?)", "stats_days_pkey"],
    },
    Figure {
        name: "a duration at a rank, in its bucket",
        sqlite: "SELECT CAST(ROUND((julianday(decided_at) - julianday(created_at)) * 86400.0, 3) AS DOUBLE PRECISION) AS d \
                 FROM reports INDEXED BY reports_decision_seconds WHERE decided_at IS NOT NULL \
                 AND ROUND((julianday(decided_at) - julianday(created_at)) * 86400.0, 3) >= 3600 \
                 AND ROUND((julianday(decided_at) - julianday(created_at)) * 86400.0, 3) < 7200 \
                 AND created_at >= '2026-01-01 00:00:00' AND created_at < '2027-01-01 00:00:00' \
                 ORDER BY ROUND((julianday(decided_at) - julianday(created_at)) * 86400.0, 3) LIMIT 1 OFFSET 5",
        postgres: "SELECT CAST(EXTRACT(EPOCH FROM (corrected_at - created_at)) AS DOUBLE PRECISION) AS d \
                   FROM reports WHERE corrected_at IS NOT NULL \
                   AND EXTRACT(EPOCH FROM (corrected_at - created_at)) >= 3600 \
                   AND EXTRACT(EPOCH FROM (corrected_at - created_at)) < 7200 \
                   AND created_at >= '2026-01-01 00:00:00' AND created_at < '2027-01-01 00:00:00' \
                   ORDER BY EXTRACT(EPOCH FROM (corrected_at - created_at)) LIMIT 1 OFFSET 5",
        indexes: &["reports_decision_seconds", "reports_correction_seconds"],
    },
    Figure {
        name: "what one report adds (the triggers)",
        sqlite: "SELECT day, metric, key FROM stats_report_facts WHERE report_id = 5",
        postgres: "",
        indexes: &["INTEGER PRIMARY KEY", "reports_pkey"],
    },
    Figure {
        name: "what one correction adds (the triggers)",
        sqlite: "SELECT day, metric, key FROM stats_correction_facts WHERE correction_id = 5",
        postgres: "",
        indexes: &["INTEGER PRIMARY KEY", "corrections_pkey"],
    },
    Figure {
        name: "each editor's overdue tickets now",
        sqlite: "SELECT r.assignee_id AS id, COUNT(*) AS n FROM reports r WHERE \
                 +r.status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', 'appealed') \
                 AND r.status IN ('new', 'triaged', 'in_review', 'appealed') AND r.assignee_id IS NOT NULL \
                 AND r.deadline_at < '2026-12-01 00:00:00' GROUP BY r.assignee_id",
        postgres: "SELECT r.assignee_id AS id, COUNT(*) AS n FROM reports r WHERE \
                   r.status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', 'appealed') \
                   AND r.status IN ('new', 'triaged', 'in_review', 'appealed') AND r.assignee_id IS NOT NULL \
                   AND r.deadline_at < '2026-12-01 00:00:00' GROUP BY r.assignee_id",
        indexes: &["reports_open", "reports_status"],
    },
];

/// Every query of the transparency figures reads a range of an index, never a whole table.
fn figures_use_indexes(backend: Backend) {
    let database = TestDb::new(backend);
    let mut conn = DbTarget::parse(&database.url).unwrap().connect().unwrap();
    corrigenda::db::migrate(&mut conn).unwrap();
    if let DbConnection::Postgres(c) = &mut conn {
        c.batch_execute("SET enable_seqscan = off").unwrap();
    }
    for figure in FIGURES {
        let sql = match backend {
            Backend::Postgres if !figure.postgres.is_empty() => figure.postgres,
            _ => figure.sqlite,
        };
        let sql = sql.replace("{r}", PERIOD).replace("{c}", PUBLISHED);
        let plan = plan(&mut conn, &sql);
        assert!(
            figure.indexes.iter().any(|i| plan.contains(i)),
            "{}: no index of {:?}:\n{plan}",
            figure.name,
            figure.indexes
        );
        assert!(
            !figure.name.contains("in its bucket") || !(plan.contains("FOR ORDER BY") || plan.contains("Sort Key")),
            "{}: sorted after reading, not read in order:\n{plan}",
            figure.name
        );
        match backend {
            Backend::Sqlite => {
                // The ranked durations and the per-article counts are subqueries, read whole (not tables).
                let scans = plan
                    .lines()
                    .filter(|l| l.contains("SCAN ") && !l.contains("INDEX"))
                    .filter(|l| !l.contains("SCAN (subquery") && !l.contains("SCAN ranked") && l.trim() != "SCAN x")
                    // The figures' short list of metrics, joined to the one row.
                    .filter(|l| {
                        l.trim() != "SCAN m" && !l.contains("SCAN stats_correction_facts") && l.trim() != "SCAN s"
                    })
                    .collect::<Vec<_>>();
                assert!(scans.is_empty(), "{}: a table is scanned: {scans:?}\n{plan}", figure.name);
            }
            Backend::Postgres => assert!(!plan.contains("Seq Scan"), "{}: a table is scanned:\n{plan}", figure.name),
        }
    }
}

/// The mail dispatcher's reads for desks: the escalation scan (the few reports whose deadline
/// just passed and that were not escalated) and a desk's arrivals since the previous digest,
/// each one range of its partial index, read in order and bounded.
fn desk_notices_use_indexes(backend: Backend) {
    use corrigenda::domain::desk::{status_sql, View};
    use corrigenda::domain::escalation::owing_sql;
    use corrigenda::domain::reports::Status;
    let database = TestDb::new(backend);
    let mut conn = DbTarget::parse(&database.url).unwrap().connect().unwrap();
    corrigenda::db::migrate(&mut conn).unwrap();
    let postgres = backend == Backend::Postgres;
    if let DbConnection::Postgres(c) = &mut conn {
        c.batch_execute("SET enable_seqscan = off; SET enable_sort = off").unwrap();
    }
    let open: Vec<Status> = Status::ALL.iter().copied().filter(|s| View::Open.holds(*s)).collect();
    let queries = [
        (
            "the escalation scan",
            format!(
                "SELECT id FROM reports WHERE reports.escalated_at IS NULL AND {} \
                 AND reports.deadline_at >= '2026-12-01 00:00:00' AND reports.deadline_at < '2026-12-04 09:31:00' \
                 ORDER BY reports.deadline_at ASC, reports.id ASC LIMIT 100",
                owing_sql(postgres)
            ),
            "reports_escalation",
        ),
        (
            "a desk's arrivals since the previous digest",
            format!(
                "SELECT id FROM reports WHERE reports.desk_id = 3 AND {} \
                 AND reports.routed_at >= '2026-12-01 05:30:00' AND reports.severity IN ('low', 'normal') \
                 ORDER BY reports.routed_at ASC, reports.id ASC LIMIT 51",
                status_sql(&open, postgres)
            ),
            "reports_desk_routed",
        ),
    ];
    for (name, sql, index) in queries {
        let plan = plan(&mut conn, &sql);
        assert!(plan.contains(index), "{name}: the plan does not use {index}:\n{plan}");
        assert!(!plan.contains("TEMP B-TREE FOR ORDER BY") && !plan.contains("Sort Key"), "{name}: sorted:\n{plan}");
        if !postgres {
            let scans = plan.lines().filter(|l| l.starts_with("SCAN ") && !l.contains("INDEX")).collect::<Vec<_>>();
            assert!(scans.is_empty(), "{name}: a table is scanned: {scans:?}\n{plan}");
        }
    }
}

#[test]
fn sqlite_hot_queries_use_indexes() {
    hot_queries_use_indexes(Backend::Sqlite);
    filtered_counts_use_indexes(Backend::Sqlite);
    views_read_in_order(Backend::Sqlite);
    headline_search_uses_its_index(Backend::Sqlite);
    figures_use_indexes(Backend::Sqlite);
    desk_notices_use_indexes(Backend::Sqlite);
}

#[test]
fn postgres_hot_queries_use_indexes() {
    if postgres_available() {
        hot_queries_use_indexes(Backend::Postgres);
        filtered_counts_use_indexes(Backend::Postgres);
        views_read_in_order(Backend::Postgres);
        headline_search_uses_its_index(Backend::Postgres);
        figures_use_indexes(Backend::Postgres);
        desk_notices_use_indexes(Backend::Postgres);
    }
}
