//! What editors read: the queue with its filters and paging, and the ticket.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::accounts::{Actor, Role};
use super::articles;
use super::events::EventData;
use super::filters::Cursor;
use super::quote;
use super::reports::{Category, Severity, Status};
use super::words::Words;
use super::workflow::{self, Move};
use crate::db::models::{Article, Desk, Event, Report, StaffMember, TicketView};
use crate::db::schema::{articles as art, reports, users};
use crate::db::{DbConnection, MultiBackend};
use crate::error::AppError;

/// A search's counts stop after this many matches (the page says "at least").
pub const COUNT_CAP: i64 = 1_000;

/// Up to this many likely matches a search gathers them all and sorts them; beyond it the
/// queue reads its index in order and tests each ticket, which finds a page of a common word
/// after a few hundred tickets instead of sorting tens of thousands.
pub const GATHER_MAX: i64 = 5_000;

/// Most rows per queue page.
pub const PAGE_MAX: i64 = 100;
/// Rows per queue page when not asked.
pub const PAGE_DEFAULT: i64 = 50;
/// A ticket counts as open by someone who viewed it this recently.
pub const PRESENCE: Duration = Duration::minutes(5);

/// Whose tickets the queue shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// The signed-in user's.
    Me,
    /// Nobody's.
    Unassigned,
    /// One person's, by email.
    Email(String),
}

/// Which desk's tickets the queue shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskFilter {
    /// One desk's, by slug.
    Slug(String),
    /// The general queue's: reports no desk's rules took.
    General,
    /// Those of every desk the viewer belongs to.
    Mine,
}

/// The desks a queue read is limited to, resolved to ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskScope {
    /// Reports on one of these desks (none: no report).
    Desks(Vec<i64>),
    /// Reports on no desk.
    General,
}

impl DeskScope {
    /// The condition as SQL on `reports` (ids are numbers, written as literals).
    ///
    /// One desk's open tickets are read in order through `reports_open_desk`. Otherwise SQLite
    /// (which keeps no statistics here) would read every report the desks ever had through
    /// `reports_desk` and sort them; the unary `+` keeps it on the queue's own order indexes,
    /// which it reads in order and filters, as PostgreSQL does by itself.
    pub fn sql(&self, postgres: bool, open_only: bool) -> String {
        let plus = if postgres { "" } else { "+" };
        match self {
            DeskScope::Desks(ids) if ids.is_empty() => "1 = 0".to_owned(),
            DeskScope::Desks(ids) if ids.len() == 1 && open_only => format!("reports.desk_id = {}", ids[0]),
            DeskScope::Desks(ids) => {
                format!("{plus}reports.desk_id IN ({})", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))
            }
            DeskScope::General => "reports.desk_id IS NULL".to_owned(),
        }
    }

    /// The ids as `desk_tallies` keeps them (0: the general queue).
    fn tally_ids(&self) -> Vec<i64> {
        match self {
            DeskScope::Desks(ids) => ids.clone(),
            DeskScope::General => vec![0],
        }
    }
}

/// The queue's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Earliest deadline first (the default: what is due).
    #[default]
    Deadline,
    /// Oldest first.
    Age,
    /// Most severe first, then oldest.
    Severity,
}

impl Sort {
    /// Every order, with its query value and label.
    pub const ALL: [(Sort, &'static str, &'static str); 3] = [
        (Sort::Deadline, "deadline", "Deadline"),
        (Sort::Age, "age", "Oldest first"),
        (Sort::Severity, "severity", "Severity"),
    ];
}

/// The queue's views: the tabs above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Everything not closed (the desk's default).
    Open,
    /// Open tickets assigned to the viewer.
    Mine,
    /// Open tickets on the desks the viewer belongs to (their default when they belong to one).
    MyDesks,
    /// Open tickets nobody has taken.
    Unassigned,
    /// Tickets waiting on the reader's answer.
    Waiting,
    /// Decided tickets.
    Closed,
    /// Everything.
    All,
}

impl View {
    /// Every view, with its query value and label, in tab order.
    pub const ALL: [(View, &'static str, &'static str); 7] = [
        (View::MyDesks, "my_desks", "My desks"),
        (View::Open, "open", "Open"),
        (View::Mine, "mine", "Mine"),
        (View::Unassigned, "unassigned", "Unassigned"),
        (View::Waiting, "waiting", "Waiting for the reader"),
        (View::Closed, "closed", "Closed"),
        (View::All, "all", "All"),
    ];

    /// The query value.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(v, ..)| *v == self).map_or("all", |(_, s, _)| s)
    }

    /// Whether a report in `status` belongs to this view (the assignee aside).
    pub fn holds(self, status: Status) -> bool {
        match self {
            View::Open | View::Mine | View::MyDesks | View::Unassigned => !workflow::is_closed(status),
            View::Waiting => status == Status::NeedsInfo,
            View::Closed => workflow::is_closed(status),
            View::All => true,
        }
    }
}

/// How many reports one view of the queue holds, with the other filters applied.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ViewCount {
    /// The view: my_desks, open, mine, unassigned, waiting, closed or all.
    pub view: String,
    /// How many.
    pub count: i64,
}

/// What `q` searches for: words (of the headline, the passage, the explanation), a report
/// number, or for editors a reader's address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// Words, all of which must match (the last also as the start of a word).
    pub words: Words,
    /// `12` or `#12`.
    pub number: Option<i64>,
    /// Whether only the number is meant (`#12`).
    pub number_only: bool,
    /// An address, for editors' search by reader.
    pub email: Option<String>,
}

/// Longest search, in characters.
pub const SEARCH_MAX: usize = 200;

impl Search {
    /// Parses `q`; `None` for a search with nothing to look for.
    pub fn parse(raw: &str) -> Result<Option<Self>, AppError> {
        let raw = raw.trim();
        if raw.chars().count() > SEARCH_MAX {
            return Err(AppError::invalid("q", format!("is longer than {SEARCH_MAX} characters")));
        }
        let digits = raw.strip_prefix('#').unwrap_or(raw);
        let number = (!digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten();
        let number_only = number.is_some() && raw.starts_with('#');
        // Addresses are matched without case (through an index on the lower-cased column); only
        // plain ones are searched, so the SQL below can carry them as literals.
        let plain = |c: char| c.is_ascii_alphanumeric() || ".@+_-".contains(c);
        let email = (raw.contains('@') && raw.len() <= 254 && raw.chars().all(plain)).then(|| raw.to_owned());
        let words = Words::of(raw);
        Ok((number.is_some() || !words.is_empty()).then_some(Self { words, number, number_only, email }))
    }

    /// Finds what the search matches: the reports' ids when they are few, how many there are
    /// likely to be when they are more than [`GATHER_MAX`].
    pub fn matches(&self, conn: &mut DbConnection) -> Result<Matches, AppError> {
        let postgres = matches!(conn, DbConnection::Postgres(_));
        let cap = GATHER_MAX + 1;
        let mut ids: Vec<i64> = self.number.into_iter().collect();
        if let Some(email) = &self.email {
            let sql = format!("SELECT id FROM reports WHERE lower(reporter_email) = '{}'", email.to_ascii_lowercase());
            ids.extend(load_ids(conn, &format!("{sql} LIMIT {cap}"))?);
        }
        if !self.number_only && !self.words.is_empty() {
            // First what costs little: PostgreSQL's estimates, or SQLite's index of ids alone.
            let (text, articles) = if postgres {
                let reach = self.estimate(conn)?;
                if reach.many() {
                    return Ok(Matches::Many(reach));
                }
                (load_ids(conn, &format!("{} LIMIT {cap}", self.text_ids(true)))?, reach.headline)
            } else {
                let text = load_ids(conn, &format!("{} LIMIT {cap}", self.text_ids(false)))?;
                let sql = format!(
                    "SELECT COUNT(*) AS id FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH '{}' LIMIT {cap})",
                    self.words.fts5()
                );
                (text, load_ids(conn, &sql)?.first().copied().unwrap_or(0))
            };
            let reach = Reach { text: text.len() as i64, headline: articles };
            if reach.many() {
                return Ok(Matches::Many(reach));
            }
            let sql = format!(
                "SELECT id FROM reports WHERE {} LIMIT {cap}",
                self.words.headline_condition("article_id", postgres)
            );
            let headline = load_ids(conn, &sql)?;
            if (text.len() + headline.len()) as i64 > GATHER_MAX {
                return Ok(Matches::Many(reach));
            }
            ids.extend(text);
            ids.extend(headline);
        }
        if ids.len() as i64 > GATHER_MAX {
            return Ok(Matches::Many(Reach { text: ids.len() as i64, headline: 0 }));
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(Matches::Few(ids))
    }

    /// PostgreSQL's estimates of the reports whose text, and the articles whose headline, has
    /// every word: its text search index points at table rows, so counting would read them all.
    fn estimate(&self, conn: &mut DbConnection) -> Result<Reach, AppError> {
        use diesel::sql_types::Text;
        #[derive(QueryableByName)]
        struct PlanLine {
            #[diesel(sql_type = Text)]
            #[diesel(column_name = "QUERY PLAN")]
            line: String,
        }
        let mut rows = |sql: String| -> Result<i64, AppError> {
            let top: PlanLine = diesel::sql_query(format!("EXPLAIN {sql}")).get_result(conn)?;
            // The top line reads `Bitmap Heap Scan on reports  (cost=1.00..2.00 rows=16602 width=8)`.
            let rows = top.line.split(" rows=").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok());
            rows.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no estimate in the plan line {:?}", top.line)))
        };
        Ok(Reach {
            text: rows(format!("SELECT 1 FROM reports WHERE {}", self.text_test(true)))?,
            headline: rows(format!("SELECT 1 FROM articles WHERE {}", self.words.title_test()))?,
        })
    }

    /// The test that a report's passage or explanation has every word: PostgreSQL's through
    /// `reports_search`, SQLite's as membership of what `reports_fts` finds.
    fn text_test(&self, postgres: bool) -> String {
        if postgres {
            format!(
                "to_tsvector('simple', reports.quote || ' ' || reports.explanation) @@ to_tsquery('simple', '{}')",
                self.words.tsquery()
            )
        } else {
            format!("+reports.id IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH '{}')", self.words.fts5())
        }
    }

    /// The ids of the reports whose passage or explanation has every word, as `id`.
    fn text_ids(&self, postgres: bool) -> String {
        if postgres {
            format!("SELECT id FROM reports WHERE {}", self.text_test(true))
        } else {
            format!("SELECT rowid AS id FROM reports_fts WHERE reports_fts MATCH '{}'", self.words.fts5())
        }
    }

    /// The condition on `reports` as SQL for what the search `found`.
    ///
    /// Few matches are a list of ids, so a backend reads just those. For many, each alternative
    /// is a test of the ticket at hand (SQLite's `+` keeps it from starting at the matches), so
    /// the queue's index gives the order and reading stops at the page's end.
    ///
    /// Words are alphanumeric, the number is a number and the address has only `[A-Za-z0-9.@+_-]`,
    /// so they are written as literals; nothing a client sends reaches the SQL otherwise.
    pub fn condition(&self, postgres: bool, found: &Matches) -> String {
        match found {
            Matches::Few(ids) if ids.is_empty() => "1 = 0".to_owned(),
            Matches::Few(ids) => {
                format!("reports.id IN ({})", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))
            }
            Matches::Many(_) => {
                let plus = if postgres { "" } else { "+" };
                let mut tests = Vec::new();
                if !self.number_only && !self.words.is_empty() {
                    tests.push(self.text_test(postgres));
                    tests.push(self.words.headline_test("reports.article_id", postgres));
                }
                if let Some(n) = self.number {
                    tests.push(format!("{plus}reports.id = {n}"));
                }
                if let Some(email) = &self.email {
                    tests.push(format!("{plus}lower(reports.reporter_email) = '{}'", email.to_ascii_lowercase()));
                }
                format!("({})", tests.join(" OR "))
            }
        }
    }

    /// For a search of many matches, the tables and condition of its larger source alone, which
    /// the counts read up to [`COUNT_CAP`]: every report it finds matches, so its counts are
    /// lower bounds, found without gathering the rest.
    fn larger_source(&self, postgres: bool, reach: Reach) -> (&'static str, String) {
        match (postgres, reach.headline > reach.text) {
            (true, true) => ("", self.words.headline_condition("reports.article_id", true)),
            (true, false) => ("", self.text_test(true)),
            // SQLite reads from its full-text indexes, so it stops at the cap.
            (false, true) => (
                " JOIN articles headline ON headline.id = reports.article_id \
                 JOIN articles_fts ON articles_fts.rowid = headline.rowid",
                format!("articles_fts MATCH '{}'", self.words.fts5()),
            ),
            (false, false) => (
                " JOIN reports_fts ON reports_fts.rowid = reports.id",
                format!("reports_fts MATCH '{}'", self.words.fts5()),
            ),
        }
    }
}

/// What a search matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matches {
    /// At most [`GATHER_MAX`] reports: their ids.
    Few(Vec<i64>),
    /// More: how many each source likely has.
    Many(Reach),
}

/// Reads a list of ids (the query's column `id`).
fn load_ids(conn: &mut DbConnection, sql: &str) -> Result<Vec<i64>, AppError> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    Ok(diesel::sql_query(sql).load::<Id>(conn)?.into_iter().map(|r| r.id).collect())
}

/// How much a search's words likely match: reports whose text has them and articles whose
/// headline has them (counted up to [`GATHER_MAX`] on SQLite, estimated on PostgreSQL).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach {
    /// Reports whose passage or explanation has every word.
    pub text: i64,
    /// Articles whose headline has every word (each with a few reports).
    pub headline: i64,
}

impl Reach {
    /// Whether there are too many matches to gather and sort.
    pub fn many(self) -> bool {
        self.text + self.headline > GATHER_MAX
    }
}

/// The queue's filters, parsed from a query string.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Which view (none: every report, as the API always answered).
    pub view: Option<View>,
    /// A search.
    pub search: Option<Search>,
    /// Any of these statuses (none: all).
    pub statuses: Vec<Status>,
    /// Only this section.
    pub section: Option<String>,
    /// Only this category.
    pub category: Option<Category>,
    /// Only this severity.
    pub severity: Option<Severity>,
    /// Only these assignees.
    pub assignee: Option<AssigneeFilter>,
    /// Only overdue (true) or only not overdue (false).
    pub overdue: Option<bool>,
    /// Only escalated for being overdue (true) or only not escalated (false).
    pub escalated: Option<bool>,
    /// Only this desk's (or the general queue's, or the viewer's desks').
    pub desk: Option<DeskFilter>,
    /// The order.
    pub sort: Sort,
    /// Where the previous page ended.
    pub cursor: Option<String>,
    /// Rows per page.
    pub limit: i64,
}

impl QueueFilter {
    /// Parses query pairs; `status` may repeat or be comma separated. Unknown values of known
    /// filters are 422 naming the field; unknown parameters (`utm_source`, ...) are ignored.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, AppError> {
        let mut filter = Self { limit: PAGE_DEFAULT, ..Self::default() };
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "status" => {
                    for raw in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let status = Status::parse(raw).ok_or_else(|| {
                            AppError::invalid("status", format!("{raw:?} is not a status: use {}", Status::allowed()))
                        })?;
                        if !filter.statuses.contains(&status) {
                            filter.statuses.push(status);
                        }
                    }
                }
                "section" => filter.section = Some(super::filters::text("section", value)?),
                "category" => {
                    filter.category = Some(Category::parse(value).ok_or_else(|| {
                        AppError::invalid(
                            "category",
                            format!("{value:?} is not a category: use {}", Category::allowed()),
                        )
                    })?)
                }
                "severity" => {
                    filter.severity = Some(Severity::parse(value).ok_or_else(|| {
                        AppError::invalid(
                            "severity",
                            format!("{value:?} is not a severity: use {}", Severity::allowed()),
                        )
                    })?)
                }
                "assignee" => {
                    filter.assignee = Some(match value {
                        "me" => AssigneeFilter::Me,
                        "unassigned" | "none" => AssigneeFilter::Unassigned,
                        email => AssigneeFilter::Email(super::filters::text("assignee", email)?),
                    })
                }
                "overdue" => filter.overdue = Some(flag("overdue", value)?),
                "escalated" => filter.escalated = Some(flag("escalated", value)?),
                "sort" => {
                    filter.sort =
                        Sort::ALL.iter().find(|(_, v, _)| *v == value).map(|(s, _, _)| *s).ok_or_else(|| {
                            AppError::invalid(
                                "sort",
                                format!("{value:?} is not an order: use deadline, age or severity"),
                            )
                        })?
                }
                "view" => {
                    filter.view =
                        Some(View::ALL.iter().find(|(_, v, _)| *v == value).map(|(v, ..)| *v).ok_or_else(|| {
                            AppError::invalid(
                                "view",
                                format!(
                                "{value:?} is not a view: use my_desks, open, mine, unassigned, waiting, closed or all"
                            ),
                            )
                        })?)
                }
                "desk" => {
                    filter.desk = Some(match value {
                        "none" | "general" => DeskFilter::General,
                        "mine" => DeskFilter::Mine,
                        slug => DeskFilter::Slug(super::desks::parse_slug(slug).map_err(|_| {
                            AppError::invalid(
                                "desk",
                                format!("{slug:?} is not a desk: use a desk's slug, mine or none"),
                            )
                        })?),
                    })
                }
                "q" => filter.search = Search::parse(value)?,
                "cursor" => filter.cursor = Some(value.to_owned()),
                "limit" => filter.limit = super::filters::limit(value, PAGE_MAX)?,
                _ => {}
            }
        }
        Ok(filter)
    }
}

/// A true-or-false filter's value.
fn flag(field: &str, value: &str) -> Result<bool, AppError> {
    match value {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        other => Err(AppError::invalid(field, format!("{other:?} is not true or false"))),
    }
}

/// One row of the queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueItem {
    /// The report's number.
    pub id: i64,
    /// For optimistic concurrency.
    pub version: i64,
    /// Current status.
    pub status: Status,
    /// Severity.
    pub severity: Severity,
    /// Category.
    pub category: Category,
    /// The article's ID.
    pub article_id: String,
    /// The article's headline.
    pub article_title: String,
    /// The article's section.
    pub section: String,
    /// The quoted passage.
    pub quote: String,
    /// The assignee's name, if any.
    pub assignee: Option<String>,
    /// The desk it is routed to (slug; null: the general queue).
    pub desk: Option<String>,
    /// That desk's name.
    pub desk_name: Option<String>,
    /// Whether it was escalated to its desk's lead for being overdue.
    pub escalated: bool,
    /// Filing time (RFC 3339).
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    /// Response deadline (RFC 3339).
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub deadline_at: DateTime<Utc>,
    /// Whether the deadline has passed while the desk still owes an answer.
    pub overdue: bool,
    /// Whether the reader answered or appealed since an editor last opened it.
    pub reader_replied: bool,
}

/// A page of the queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueuePage {
    /// The rows.
    pub items: Vec<QueueItem>,
    /// Cursor of the next page, or null.
    pub next: Option<String>,
    /// Reports per status, with every filter but the status applied.
    pub counts: Vec<StatusCount>,
    /// Reports per view, with every filter but the view, status and assignee applied (none
    /// for a search).
    pub views: Vec<ViewCount>,
    /// Whether the counts are lower bounds ("at least"): a search of many matches counts one source, up to [`COUNT_CAP`].
    pub counts_capped: bool,
}

/// How many reports are in one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusCount {
    /// The status.
    pub status: Status,
    /// How many.
    pub count: i64,
}

type Filtered<'a> = diesel::dsl::IntoBoxed<'a, reports::table, MultiBackend>;

fn open_statuses() -> Vec<Status> {
    Status::ALL.iter().copied().filter(|s| workflow::is_open(*s)).collect()
}

/// Whether a report is overdue at `now`.
pub fn overdue(report: &Report, now: NaiveDateTime) -> bool {
    report.deadline_at < now && workflow::is_open(report.status)
}

/// The reports matching every filter except status and paging.
fn filtered<'a>(
    filter: &QueueFilter,
    assignee: Option<Option<i64>>,
    desk: Option<&DeskScope>,
    postgres: bool,
    open_only: bool,
    now: NaiveDateTime,
) -> Filtered<'a> {
    // The reports table alone, so its indexes give the order; titles and names come after.
    let mut q = reports::table.into_boxed::<MultiBackend>();
    if let Some(desk) = desk {
        q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&desk.sql(postgres, open_only)));
    }
    if let Some(section) = &filter.section {
        q = q.filter(reports::article_id.eq_any(art::table.filter(art::section.eq(section.clone())).select(art::id)));
    }
    if let Some(category) = filter.category {
        q = q.filter(reports::category.eq(category.as_str()));
    }
    if let Some(severity) = filter.severity {
        q = q.filter(reports::severity.eq(severity.as_str()));
    }
    match assignee {
        Some(Some(id)) => q = q.filter(reports::assignee_id.eq(id)),
        Some(None) => q = q.filter(reports::assignee_id.is_null()),
        None => {}
    }
    match filter.overdue {
        Some(true) => q = q.filter(reports::deadline_at.lt(now).and(reports::status.eq_any(open_statuses()))),
        Some(false) => q = q.filter(reports::deadline_at.ge(now).or(reports::status.ne_all(open_statuses()))),
        None => {}
    }
    match filter.escalated {
        Some(true) => q = q.filter(reports::escalated_at.is_not_null()),
        Some(false) => q = q.filter(reports::escalated_at.is_null()),
        None => {}
    }
    q
}

/// A status and how many reports have it.
#[derive(QueryableByName)]
struct Tally {
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Reports per status matching every filter but status and paging.
///
/// Category, severity and assignee are read from the maintained `report_tallies` (a few
/// rows, whatever the number of reports); a section or overdue filter is counted through
/// the indexes in one grouped query.
fn counts(
    conn: &mut DbConnection,
    filter: &QueueFilter,
    assignee: Option<Option<i64>>,
    desk: Option<&DeskScope>,
    now: NaiveDateTime,
    found: Option<&Matches>,
) -> Result<Vec<StatusCount>, AppError> {
    use crate::db::schema::desk_tallies as dt;
    use crate::db::schema::report_tallies as t;
    let plain =
        filter.section.is_none() && filter.overdue.is_none() && filter.escalated.is_none() && filter.search.is_none();
    let tallies: Vec<Tally> = if let (true, Some(desk)) = (plain, desk) {
        // Under a desk filter the same figures come from the per-desk tallies.
        let mut q =
            dt::table.filter(dt::n.ne(0)).filter(dt::desk_id.eq_any(desk.tally_ids())).into_boxed::<MultiBackend>();
        if let Some(category) = filter.category {
            q = q.filter(dt::category.eq(category.as_str()));
        }
        if let Some(severity) = filter.severity {
            q = q.filter(dt::severity.eq(severity.as_str()));
        }
        if let Some(who) = assignee {
            q = q.filter(dt::assignee_id.eq(who.unwrap_or(0)));
        }
        q.select((dt::status, dt::n))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .map(|(status, n)| Tally { status, n })
            .collect()
    } else if plain {
        let mut q = t::table.filter(t::n.ne(0)).into_boxed::<MultiBackend>();
        if let Some(category) = filter.category {
            q = q.filter(t::category.eq(category.as_str()));
        }
        if let Some(severity) = filter.severity {
            q = q.filter(t::severity.eq(severity.as_str()));
        }
        if let Some(who) = assignee {
            q = q.filter(t::assignee_id.eq(who.unwrap_or(0)));
        }
        q.select((t::status, t::n))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .map(|(status, n)| Tally { status, n })
            .collect()
    } else {
        grouped_counts(conn, filter, assignee, desk, now, found)?
    };
    let mut counts: Vec<StatusCount> = Status::ALL.iter().map(|s| StatusCount { status: *s, count: 0 }).collect();
    for tally in tallies {
        let status = Status::parse(&tally.status)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a report has the unknown status {:?}", tally.status)))?;
        if let Some(c) = counts.iter_mut().find(|c| c.status == status) {
            c.count += tally.n;
        }
    }
    Ok(counts)
}

/// Reports per status under a section, overdue, escalated or search filter: one `GROUP BY` in the database.
fn grouped_counts(
    conn: &mut DbConnection,
    filter: &QueueFilter,
    assignee: Option<Option<i64>>,
    desk: Option<&DeskScope>,
    now: NaiveDateTime,
    found: Option<&Matches>,
) -> Result<Vec<Tally>, AppError> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    // Boxed queries cannot GROUP BY through MultiConnection, and raw SQL spells its
    // placeholders per backend.
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let mut n = 0;
    let mut next = || {
        n += 1;
        if postgres {
            format!("${n}")
        } else {
            "?".to_owned()
        }
    };
    let open = open_statuses().iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
    // A search of many matches counts those of its larger source up to COUNT_CAP (and says so).
    let capped = match (&filter.search, found) {
        (Some(search), Some(Matches::Many(reach))) => Some(search.larger_source(postgres, *reach)),
        _ => None,
    };
    let mut sql = match &capped {
        Some((join, _)) => {
            format!("SELECT status, COUNT(*) AS n FROM (SELECT reports.status AS status FROM reports{join}")
        }
        None => "SELECT reports.status AS status, COUNT(*) AS n FROM reports".to_owned(),
    };
    if filter.section.is_some() {
        sql.push_str(" JOIN articles ON articles.id = reports.article_id");
    }
    sql.push_str(" WHERE 1 = 1");
    if let Some(desk) = desk {
        sql.push_str(&format!(" AND {}", desk.sql(postgres, true)));
    }
    if filter.section.is_some() {
        sql.push_str(&format!(" AND articles.section = {}", next()));
    }
    if filter.category.is_some() {
        sql.push_str(&format!(" AND reports.category = {}", next()));
    }
    if filter.severity.is_some() {
        sql.push_str(&format!(" AND reports.severity = {}", next()));
    }
    match assignee {
        Some(Some(_)) => sql.push_str(&format!(" AND reports.assignee_id = {}", next())),
        Some(None) => sql.push_str(" AND reports.assignee_id IS NULL"),
        None => {}
    }
    match filter.overdue {
        Some(true) => sql.push_str(&format!(" AND reports.deadline_at < {} AND reports.status IN ({open})", next())),
        Some(false) => {
            sql.push_str(&format!(" AND (reports.deadline_at >= {} OR reports.status NOT IN ({open}))", next()))
        }
        None => {}
    }
    match filter.escalated {
        Some(true) => sql.push_str(" AND reports.escalated_at IS NOT NULL"),
        Some(false) => sql.push_str(" AND reports.escalated_at IS NULL"),
        None => {}
    }
    match (&capped, &filter.search) {
        (Some((_, source)), _) => sql.push_str(&format!(" AND {source} LIMIT {COUNT_CAP}) matched GROUP BY status")),
        (None, Some(search)) => {
            let found =
                found.ok_or_else(|| AppError::Internal(anyhow::anyhow!("a search counted before it was run")))?;
            sql.push_str(&format!(" AND {} GROUP BY reports.status", search.condition(postgres, found)))
        }
        (None, None) => sql.push_str(" GROUP BY reports.status"),
    }
    let mut q = diesel::sql_query(sql).into_boxed::<MultiBackend>();
    if let Some(section) = &filter.section {
        q = q.bind::<Text, _>(section.clone());
    }
    if let Some(category) = filter.category {
        q = q.bind::<Text, _>(category.as_str());
    }
    if let Some(severity) = filter.severity {
        q = q.bind::<Text, _>(severity.as_str());
    }
    if let Some(Some(id)) = assignee {
        q = q.bind::<BigInt, _>(id);
    }
    if filter.overdue.is_some() {
        q = q.bind::<Timestamp, _>(now);
    }
    Ok(q.load(conn)?)
}

/// The condition that a report is in one of `statuses`, as SQL for the queue's listing.
///
/// The statuses' own names are written as literals in table order, so the open tickets'
/// condition is word for word the partial indexes' (`reports_open*`) and a backend can use them.
/// SQLite, which keeps no statistics here, would look the open or closed statuses up in
/// `reports_status` and sort them all; the unary `+` keeps it off that index (SQLite's own
/// idiom), and its `reports_open*` are declared with the same `+`, so it reads them in order.
pub fn status_sql(statuses: &[Status], postgres: bool) -> String {
    let list: Vec<String> = Status::ALL.iter().filter(|s| statuses.contains(s)).map(|s| format!("'{s}'")).collect();
    if list.is_empty() {
        // A view and a status filter that exclude each other (`IN ()` is not SQL everywhere).
        return "1 = 0".to_owned();
    }
    // The open and the closed views read the deadline (or severity, or age) indexes in order;
    // other lists, usually of few reports, look each status up in `reports_status` as before.
    let view = |v: View| {
        Status::ALL.iter().filter(|s| v.holds(**s)).count() == list.len() && statuses.iter().all(|s| v.holds(*s))
    };
    let plus = if !postgres && (view(View::Open) || view(View::Closed)) { "+" } else { "" };
    format!("{plus}reports.status IN ({})", list.join(", "))
}

/// How many reports each view holds, with the other filters (not status or assignee) applied:
/// three reads of the tallies, whatever the number of reports.
fn view_counts(
    conn: &mut DbConnection,
    filter: &QueueFilter,
    viewer: &Actor,
    desk: Option<&DeskScope>,
    my_desks: &DeskScope,
    now: NaiveDateTime,
) -> Result<Vec<ViewCount>, AppError> {
    let everyone = counts(conn, filter, None, desk, now, None)?;
    let mine = counts(conn, filter, Some(Some(viewer.id)), desk, now, None)?;
    let nobodys = counts(conn, filter, Some(None), desk, now, None)?;
    let on_my_desks = match my_desks {
        DeskScope::Desks(ids) if ids.is_empty() => Vec::new(),
        scope => counts(conn, filter, None, Some(desk.unwrap_or(scope)), now, None)?,
    };
    let sum = |counts: &[StatusCount], view: View| {
        counts.iter().filter(|c| view.holds(c.status)).map(|c| c.count).sum::<i64>()
    };
    Ok(View::ALL
        .iter()
        .map(|(view, value, _)| ViewCount {
            view: (*value).to_owned(),
            count: match view {
                View::Mine => sum(&mine, *view),
                View::MyDesks => sum(&on_my_desks, *view),
                View::Unassigned => sum(&nobodys, *view),
                other => sum(&everyone, *other),
            },
        })
        .collect())
}

/// Reads one page of the queue for `viewer`.
pub fn queue(
    conn: &mut DbConnection,
    filter: &QueueFilter,
    viewer: &Actor,
    now: NaiveDateTime,
) -> Result<QueuePage, AppError> {
    // Only those who may see readers' addresses may search by one.
    let mut filter = filter.clone();
    if let Some(search) = filter.search.as_mut().filter(|_| !may_see_reader(viewer.role)) {
        search.email = None;
    }
    let filter = &filter;
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let view_assignee = match filter.view {
        Some(View::Mine) => Some(Some(viewer.id)),
        Some(View::Unassigned) => Some(None),
        _ => None,
    };
    let assignee = match &filter.assignee {
        None => view_assignee,
        Some(AssigneeFilter::Me) => Some(Some(viewer.id)),
        Some(AssigneeFilter::Unassigned) => Some(None),
        // An address without an account has no tickets: no report is assigned to id 0 (ids
        // start at 1), so the page is empty, as for any filter that matches nothing.
        Some(AssigneeFilter::Email(email)) => Some(Some(StaffMember::by_email(conn, email)?.map_or(0, |u| u.id))),
    };
    let my_desks = DeskScope::Desks(Desk::of_member(conn, viewer.id)?.into_iter().map(|d| d.id).collect());
    let desk = match (&filter.desk, filter.view) {
        (Some(DeskFilter::Slug(slug)), _) => Some(DeskScope::Desks(vec![
            Desk::by_slug(conn, slug)?
                .ok_or_else(|| AppError::invalid("desk", format!("no desk has the slug {slug:?}")))?
                .id,
        ])),
        (Some(DeskFilter::General), _) => Some(DeskScope::General),
        (Some(DeskFilter::Mine), _) | (None, Some(View::MyDesks)) => Some(my_desks.clone()),
        (None, _) => None,
    };
    let found = filter.search.as_ref().map(|search| search.matches(conn)).transpose()?;
    let counts = counts(conn, filter, assignee, desk.as_ref(), now, found.as_ref())?;
    // A search's tabs go without counts: each would read the matches again.
    let views = if filter.search.is_some() {
        Vec::new()
    } else {
        view_counts(conn, filter, viewer, filter.desk.as_ref().and(desk.as_ref()), &my_desks, now)?
    };
    let counts_capped = matches!(found, Some(Matches::Many(_)));

    let mut statuses: Vec<Status> =
        if filter.statuses.is_empty() { Status::ALL.to_vec() } else { filter.statuses.clone() };
    if let Some(view) = filter.view {
        statuses.retain(|s| view.holds(*s));
    }
    let open_only = statuses.iter().all(|s| !workflow::is_closed(*s));
    let mut q = filtered(filter, assignee, desk.as_ref(), postgres, open_only, now);
    if statuses.len() < Status::ALL.len() {
        q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&status_sql(&statuses, postgres)));
    }
    if let (Some(search), Some(found)) = (&filter.search, &found) {
        q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&search.condition(postgres, found)));
    }
    // Keyset paging: the cursor is the last row's sort key and id.
    let cursor = filter.cursor.as_deref().map(Cursor::parse).transpose()?;
    q = match filter.sort {
        Sort::Deadline => {
            if let Some(c) = cursor {
                let (at, id) = (c.time()?, c.id);
                q = q.filter(reports::deadline_at.gt(at).or(reports::deadline_at.eq(at).and(reports::id.gt(id))));
            }
            q.order((reports::deadline_at.asc(), reports::id.asc()))
        }
        Sort::Age => {
            if let Some(Cursor { id, .. }) = cursor {
                q = q.filter(reports::id.gt(id));
            }
            q.order(reports::id.asc())
        }
        Sort::Severity => {
            if let Some(c) = cursor {
                let (rank, id) = (c.rank(), c.id);
                q = q.filter(
                    reports::severity_rank.gt(rank).or(reports::severity_rank.eq(rank).and(reports::id.gt(id))),
                );
            }
            q.order((reports::severity_rank.asc(), reports::id.asc()))
        }
    };
    let mut rows: Vec<Report> = q.select(Report::as_select()).limit(filter.limit + 1).load(conn)?;
    let more = rows.len() as i64 > filter.limit;
    rows.truncate(filter.limit as usize);
    let article_ids: Vec<&str> = rows.iter().map(|r| r.article_id.as_str()).collect();
    let articles: HashMap<String, (String, String)> = art::table
        .filter(art::id.eq_any(&article_ids))
        .select((art::id, art::title, art::section))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, title, section)| (id, (title, section)))
        .collect();
    let assignee_ids: Vec<i64> = rows.iter().filter_map(|r| r.assignee_id).collect();
    let names: HashMap<i64, String> = users::table
        .filter(users::id.eq_any(&assignee_ids))
        .select((users::id, users::name))
        .load(conn)?
        .into_iter()
        .collect();
    let desks: HashMap<i64, (String, String)> =
        Desk::all(conn)?.into_iter().map(|d| (d.id, (d.slug, d.name))).collect();
    let next = rows.last().filter(|_| more).map(|r| {
        match filter.sort {
            Sort::Deadline => Cursor::after_time(r.deadline_at, r.id),
            Sort::Age => Cursor { key: 0, id: r.id },
            Sort::Severity => Cursor { key: r.severity_rank.into(), id: r.id },
        }
        .to_string()
    });
    let items = rows
        .into_iter()
        .map(|r| {
            let (title, section) = articles.get(&r.article_id).cloned().ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("report {} names the missing article {:?}", r.id, r.article_id))
            })?;
            let assignee = r.assignee_id.and_then(|id| names.get(&id).cloned());
            let (desk, desk_name) = r.desk_id.and_then(|id| desks.get(&id).cloned()).unzip();
            Ok(QueueItem {
                desk,
                desk_name,
                escalated: r.escalated_at.is_some(),
                overdue: overdue(&r, now),
                reader_replied: r.reader_replied_at.is_some(),
                id: r.id,
                version: r.version,
                status: r.status,
                severity: r.severity,
                category: r.category,
                article_id: r.article_id,
                article_title: title,
                section,
                quote: r.quote,
                assignee,
                created_at: r.created_at.and_utc(),
                deadline_at: r.deadline_at.and_utc(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(QueuePage { items, next, counts, views, counts_capped })
}

/// Sections that have reports, for the queue's filter.
pub fn sections(conn: &mut DbConnection) -> Result<Vec<String>, AppError> {
    use crate::db::schema::sections as sec;
    Ok(sec::table.filter(sec::reports.gt(0)).select(sec::name).order(sec::name.asc()).load(conn)?)
}

/// One event on a ticket's timeline.
#[derive(Debug, Clone)]
pub struct TicketEvent {
    /// The stored event.
    pub event: Event,
    /// What it records.
    pub data: EventData,
    /// The acting staff member's name, for staff events.
    pub actor_name: Option<String>,
}

/// Everything the ticket page and its JSON show, as this viewer may see it.
#[derive(Debug, Clone)]
pub struct Ticket {
    /// The report, with the reader's name and email removed when the viewer may not see them.
    pub report: Report,
    /// Whether the reader's details were withheld from this viewer.
    pub reader_redacted: bool,
    /// Its article.
    pub article: Article,
    /// Every event, oldest first.
    pub events: Vec<TicketEvent>,
    /// The assignee.
    pub assignee: Option<StaffMember>,
    /// The desk it is routed to (none: the general queue).
    pub desk: Option<Desk>,
    /// Other reports on the article whose passages overlap.
    pub likely_duplicates: Vec<Report>,
    /// Other staff who had it open in the last few minutes.
    pub also_open_by: Vec<String>,
    /// The moves the viewer may make now.
    pub moves: Vec<Move>,
    /// Whether the viewer may draft a correction that resolves it now.
    pub can_draft: bool,
    /// Whether the viewer's having it open should be written now (see [`record_view`]): their
    /// presence is stale, or the reader answered since an editor last opened it.
    pub presence_due: bool,
    /// The corrections drafted to resolve it (any status), oldest first, with their cause and how found.
    pub corrections: Vec<crate::db::models::Correction>,
}

/// Reads a ticket for `viewer`, writing nothing (see [`record_view`]).
pub fn ticket(conn: &mut DbConnection, id: i64, viewer: &Actor, now: NaiveDateTime) -> Result<Ticket, AppError> {
    let mut report =
        Report::find(conn, id)?.ok_or_else(|| AppError::NotFound(format!("no report has the number {id}")))?;
    let article = articles::get(conn, &report.article_id)?;
    let events = Event::for_report(conn, id)?
        .into_iter()
        .map(|(event, actor_name)| Ok(TicketEvent { data: EventData::of(&event)?, event, actor_name }))
        .collect::<Result<Vec<_>, AppError>>()?;
    let assignee = match report.assignee_id {
        Some(uid) => StaffMember::find(conn, uid)?,
        None => None,
    };
    let desk = match report.desk_id {
        Some(id) => Desk::find(conn, id)?,
        None => None,
    };
    let likely_duplicates = likely_duplicates(conn, &report, &article)?;
    let presence_due = viewer.role.can_edit()
        && (report.reader_replied_at.is_some()
            || TicketView::seen_at(conn, id, viewer.id)?.is_none_or(|seen| now - seen > PRESENCE_EVERY));
    let also_open_by = TicketView::others(conn, id, viewer.id, now - PRESENCE)?;
    let moves = workflow::moves_for(report.status, viewer.role);
    let can_draft = viewer.role.can_edit() && workflow::can_draft(report.status);
    let reader_redacted = !may_see_reader(viewer.role);
    if reader_redacted {
        report.reporter_name = None;
        report.reporter_email = None;
    }
    Ok(Ticket {
        report,
        reader_redacted,
        article,
        events,
        assignee,
        desk,
        likely_duplicates,
        also_open_by,
        moves,
        can_draft,
        presence_due,
        corrections: crate::db::models::Correction::for_report(conn, id)?,
    })
}

/// Whether staff with `role` may see a reader's name and email (auditors may not: they audit
/// the desk's decisions, not the readers).
pub fn may_see_reader(role: Role) -> bool {
    role.can_edit()
}

/// How often an editor's having a ticket open is written: reading a ticket writes at most this often.
const PRESENCE_EVERY: Duration = Duration::seconds(30);

/// Records that `viewer` has ticket `id` open (when [`Ticket::presence_due`] says so).
pub fn record_view(conn: &mut DbConnection, id: i64, viewer: &Actor, now: NaiveDateTime) -> Result<(), AppError> {
    TicketView::record(conn, id, viewer.id, now)?;
    // An editor has seen the reader's answer: the queue stops marking it.
    diesel::update(reports::table.find(id).filter(reports::reader_replied_at.is_not_null()))
        .set(reports::reader_replied_at.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    Ok(())
}

/// Other reports on the article whose passages overlap this one's (not those already marked its duplicates).
///
/// Quotes located at filing are compared by position in the database; a quote filed before
/// positions were kept is located now, in the article's kept normalised text.
fn likely_duplicates(conn: &mut DbConnection, report: &Report, article: &Article) -> Result<Vec<Report>, AppError> {
    let text_n = article.body.as_deref().map(|b| quote::Normalised::shared().of(&article.id, article.updated_at, b));
    let locate = |r: &Report| match (r.quote_start, r.quote_end, &text_n) {
        (Some(s), Some(e), _) => Some((s, e)),
        (_, _, Some(text_n)) => quote::normalised_span(&r.quote, text_n),
        _ => None,
    };
    let mine = locate(report);
    Ok(Report::siblings(conn, report, mine)?
        .into_iter()
        .filter(|other| other.duplicate_of != Some(report.id))
        .filter(|other| match (mine, locate(other)) {
            (Some(a), Some(b)) => a.0 < b.1 && b.0 < a.1,
            _ => quote::overlap(&report.quote, &other.quote, None),
        })
        .collect())
}

/// Staff who can be assigned tickets (enabled editors), by name.
pub fn assignable(conn: &mut DbConnection) -> Result<Vec<StaffMember>, AppError> {
    super::accounts::editors(conn)
}

/// Each enabled editor's assigned open tickets that are past their deadline, most overdue first.
pub fn overdue_by_assignee(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<Vec<(StaffMember, Vec<Report>)>, AppError> {
    let overdue: Vec<Report> = reports::table
        .filter(reports::deadline_at.lt(now))
        .filter(reports::status.eq_any(open_statuses()))
        .filter(reports::assignee_id.is_not_null())
        .order(reports::deadline_at.asc())
        .select(Report::as_select())
        .load(conn)?;
    Ok(assignable(conn)?
        .into_iter()
        .map(|user| {
            let mine: Vec<Report> = overdue.iter().filter(|r| r.assignee_id == Some(user.id)).cloned().collect();
            (user, mine)
        })
        .filter(|(_, mine)| !mine.is_empty())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn statuses_may_repeat_or_be_comma_separated() {
        let f = QueueFilter::parse(&pairs(&[("status", "new,triaged"), ("status", "in_review"), ("status", "new")]))
            .unwrap();
        assert_eq!(f.statuses, [Status::New, Status::Triaged, Status::InReview]);
    }

    #[test]
    fn unknown_values_name_their_field() {
        for (key, value) in [
            ("status", "open"),
            ("category", "x"),
            ("severity", "urgent"),
            ("sort", "random"),
            ("overdue", "maybe"),
            ("escalated", "perhaps"),
            ("limit", "500"),
            ("view", "everything"),
        ] {
            let err = QueueFilter::parse(&pairs(&[(key, value)])).unwrap_err();
            assert_eq!(err.field(), Some(key), "{key}");
        }
    }

    #[test]
    fn unknown_parameters_are_ignored() {
        let f =
            QueueFilter::parse(&pairs(&[("utm_source", "newsletter"), ("colour", "red"), ("view", "mine")])).unwrap();
        assert_eq!(f.view, Some(View::Mine));
    }

    #[test]
    fn views_hold_what_their_names_say() {
        use Status::*;
        assert!(View::Open.holds(NeedsInfo) && View::Open.holds(AwaitingApproval) && !View::Open.holds(Corrected));
        assert!(View::Waiting.holds(NeedsInfo) && !View::Waiting.holds(New));
        assert!(View::Closed.holds(NoChange) && View::Closed.holds(Duplicate) && !View::Closed.holds(Appealed));
        assert!(Status::ALL.iter().all(|s| View::All.holds(*s)));
    }

    #[test]
    fn searches_are_words_numbers_or_addresses_and_nothing_else_reaches_sql() {
        let s = Search::parse("  Budget' OR 1=1; -- café ").unwrap().unwrap();
        assert_eq!(s.words.0, ["budget", "or", "1", "1", "café"]);
        assert_eq!((s.number, s.email.as_deref()), (None, None));
        let many = Matches::Many(Reach { text: GATHER_MAX, headline: 1 });
        assert!(!s.condition(true, &many).contains("--") && !s.condition(false, &many).contains("1=1"));
        let n = Search::parse("#12").unwrap().unwrap();
        assert_eq!((n.number, n.number_only), (Some(12), true));
        assert_eq!(n.condition(false, &Matches::Few(vec![12, 40])), "reports.id IN (12, 40)");
        assert_eq!(n.condition(true, &Matches::Few(Vec::new())), "1 = 0");
        let both = Search::parse("12").unwrap().unwrap();
        assert_eq!((both.number, both.number_only, both.words.0.len()), (Some(12), false, 1));
        let email = Search::parse("Ada@Example.com").unwrap().unwrap();
        assert_eq!(email.email.as_deref(), Some("Ada@Example.com"));
        // Many matches: each alternative tests the ticket at hand, SQLite's kept off the indexes.
        let many = email.condition(false, &Matches::Many(Reach { text: GATHER_MAX, headline: 1 }));
        assert!(many.starts_with("(+reports.id IN (SELECT rowid FROM reports_fts"), "{many}");
        assert!(many.ends_with(" OR +lower(reports.reporter_email) = 'ada@example.com')"), "{many}");
        assert!(!Reach { text: GATHER_MAX, headline: 0 }.many());
        assert_eq!(Search::parse("x'@evil.example").unwrap().unwrap().email, None, "only plain addresses");
        assert_eq!(Search::parse(" ,;: ").unwrap(), None);
        assert_eq!(Search::parse(&"a".repeat(SEARCH_MAX + 1)).unwrap_err().field(), Some("q"));
    }

    #[test]
    fn blank_values_mean_any() {
        let f = QueueFilter::parse(&pairs(&[("status", ""), ("section", " "), ("assignee", "")])).unwrap();
        assert!(f.statuses.is_empty() && f.section.is_none() && f.assignee.is_none());
    }

    mod properties {
        use proptest::prelude::*;

        use crate::domain::cases;
        use crate::domain::desk::*;

        const KEYS: [&str; 12] = [
            "view",
            "q",
            "status",
            "section",
            "category",
            "severity",
            "assignee",
            "overdue",
            "sort",
            "cursor",
            "limit",
            "utm_source",
        ];

        /// A query value: a known word of some filter, or hostile text.
        fn value() -> impl Strategy<Value = String> {
            const WORDS: &[&str] = &[
                "open", "all", "me", "none", "true", "off", "deadline", "severity", "new", "triaged", "legal",
                "misquote", "25", "0.0",
            ];
            prop_oneof![proptest::sample::select(WORDS).prop_map(str::to_owned), cases::text()]
        }

        proptest! {
            #![proptest_config(cases::config(512))]

            #[test]
            fn a_search_holds_only_words_numbers_and_plain_addresses(raw in cases::text()) {
                match Search::parse(&raw) {
                    Ok(Some(search)) => {
                        prop_assert!(search.words.0.len() <= crate::domain::words::WORDS_MAX);
                        // Words and addresses are written into SQL as literals.
                        for word in &search.words.0 {
                            prop_assert!(!word.is_empty());
                            prop_assert!(!word.chars().any(|c| c.is_ascii_punctuation() || c.is_whitespace() || c.is_control()), "{word:?}");
                        }
                        for sql in [search.words.fts5(), search.words.tsquery(), search.words.title_test()] {
                            prop_assert!(!sql.contains('\0') && !sql.contains('\\'));
                        }
                        prop_assert_eq!(search.words.fts5().matches('\'').count(), 0);
                        prop_assert_eq!(search.words.tsquery().matches('\'').count(), 0);
                        if let Some(email) = &search.email {
                            prop_assert!(email.chars().all(|c| c.is_ascii_alphanumeric() || ".@+_-".contains(c)), "{email:?}");
                        }
                        if let Some(n) = search.number {
                            prop_assert!(n >= 0);
                            prop_assert_eq!(raw.trim().trim_start_matches('#').parse::<i64>().ok(), Some(n));
                        }
                    }
                    Ok(None) => prop_assert!(crate::domain::words::Words::of(&raw).is_empty()),
                    Err(e) => {
                        prop_assert_eq!(e.field(), Some("q"));
                        prop_assert!(raw.trim().chars().count() > SEARCH_MAX);
                    }
                }
            }

            #[test]
            fn queue_filters_are_taken_or_refused_naming_the_filter(
                pairs in proptest::collection::vec((proptest::sample::select(&KEYS[..]), value()), 0..8)
            ) {
                let owned: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
                match QueueFilter::parse(&owned) {
                    Ok(filter) => {
                        prop_assert!((1..=PAGE_MAX).contains(&filter.limit));
                        for text in filter.section.iter() {
                            prop_assert!(!text.contains('\0'), "PostgreSQL refuses NUL in text: {text:?}");
                        }
                        if let Some(AssigneeFilter::Email(email)) = &filter.assignee {
                            prop_assert!(!email.contains('\0'), "PostgreSQL refuses NUL in text: {email:?}");
                        }
                    }
                    Err(e) => {
                        let field = e.field().unwrap_or_default();
                        prop_assert!(pairs.iter().any(|(k, _)| *k == field), "{field:?} for {pairs:?}");
                    }
                }
            }
        }
    }
}
