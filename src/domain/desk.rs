//! What editors read: the queue with its filters and paging, and the ticket.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::accounts::Actor;
use super::articles::{self, rfc3339};
use super::quote;
use super::reports::{Category, Severity, Status};
use super::workflow::{self, Move};
use crate::db::models::{Article, Event, Report, TicketView, User};
use crate::db::schema::{articles as art, reports, users};
use crate::db::{DbConnection, MultiBackend};
use crate::error::AppError;

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

/// The queue's filters, parsed from a query string.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
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
    /// The order.
    pub sort: Sort,
    /// Where the previous page ended.
    pub cursor: Option<String>,
    /// Rows per page.
    pub limit: i64,
}

impl QueueFilter {
    /// Parses query pairs; `status` may repeat or be comma separated. Unknown values are 422 naming the field.
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
                "section" => filter.section = Some(value.to_owned()),
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
                        email => AssigneeFilter::Email(email.to_owned()),
                    })
                }
                "overdue" => {
                    filter.overdue = Some(match value {
                        "true" | "1" | "yes" | "on" => true,
                        "false" | "0" | "no" | "off" => false,
                        other => return Err(AppError::invalid("overdue", format!("{other:?} is not true or false"))),
                    })
                }
                "sort" => {
                    filter.sort =
                        Sort::ALL.iter().find(|(_, v, _)| *v == value).map(|(s, _, _)| *s).ok_or_else(|| {
                            AppError::invalid(
                                "sort",
                                format!("{value:?} is not an order: use deadline, age or severity"),
                            )
                        })?
                }
                "cursor" => filter.cursor = Some(value.to_owned()),
                "limit" => filter.limit = super::filters::limit(value, PAGE_MAX)?,
                other => return Err(AppError::invalid(other, "is not a queue filter")),
            }
        }
        Ok(filter)
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
    /// Filing time (RFC 3339).
    pub created_at: String,
    /// Response deadline (RFC 3339).
    pub deadline_at: String,
    /// Whether the deadline has passed while the desk still owes an answer.
    pub overdue: bool,
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
}

/// How many reports are in one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusCount {
    /// The status.
    pub status: Status,
    /// How many.
    pub count: i64,
}

type Source = diesel::dsl::LeftJoinOn<
    diesel::dsl::InnerJoin<reports::table, art::table>,
    users::table,
    diesel::dsl::Eq<reports::assignee_id, diesel::dsl::Nullable<users::id>>,
>;
type Filtered<'a> = diesel::dsl::IntoBoxed<'a, Source, MultiBackend>;

fn open_statuses() -> Vec<&'static str> {
    Status::ALL.iter().copied().filter(|s| workflow::is_open(*s)).map(Status::as_str).collect()
}

/// Whether a report is overdue at `now`.
pub fn overdue(report: &Report, now: NaiveDateTime) -> bool {
    report.deadline_at < now && Status::parse(&report.status).is_some_and(workflow::is_open)
}

/// The reports matching every filter except status and paging.
fn filtered<'a>(filter: &QueueFilter, assignee: Option<Option<i64>>, now: NaiveDateTime) -> Filtered<'a> {
    let mut q = reports::table
        .inner_join(art::table)
        .left_join(users::table.on(reports::assignee_id.eq(users::id.nullable())))
        .into_boxed::<MultiBackend>();
    if let Some(section) = &filter.section {
        q = q.filter(art::section.eq(section.clone()));
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
    q
}

fn bad_cursor() -> AppError {
    AppError::invalid("cursor", "is not a cursor this server gave out; start again from the first page")
}

/// Reads one page of the queue for `viewer`.
pub fn queue(
    conn: &mut DbConnection,
    filter: &QueueFilter,
    viewer: &Actor,
    now: NaiveDateTime,
) -> Result<QueuePage, AppError> {
    let assignee = match &filter.assignee {
        None => None,
        Some(AssigneeFilter::Me) => Some(Some(viewer.id)),
        Some(AssigneeFilter::Unassigned) => Some(None),
        Some(AssigneeFilter::Email(email)) => {
            let user = User::by_email(conn, email)?.ok_or_else(|| {
                AppError::invalid(
                    "assignee",
                    format!("no account has the email {email:?}; use me, unassigned or an editor's email"),
                )
            })?;
            Some(Some(user.id))
        }
    };
    // Boxed queries cannot group through MultiConnection; the statuses are short strings, count them here.
    let statuses: Vec<String> = filtered(filter, assignee, now).select(reports::status).load(conn)?;
    let counts = Status::ALL
        .iter()
        .map(|s| StatusCount { status: *s, count: statuses.iter().filter(|r| *r == s.as_str()).count() as i64 })
        .collect();

    let mut q = filtered(filter, assignee, now);
    if !filter.statuses.is_empty() {
        q = q.filter(reports::status.eq_any(filter.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    // Keyset paging: the cursor is the last row's sort key and id.
    let cursor: Option<(String, i64)> = match &filter.cursor {
        None => None,
        Some(raw) => Some(
            URL_SAFE_NO_PAD.decode(raw).ok().and_then(|b| serde_json::from_slice(&b).ok()).ok_or_else(bad_cursor)?,
        ),
    };
    q = match filter.sort {
        Sort::Deadline => {
            if let Some((key, id)) = &cursor {
                let at = NaiveDateTime::parse_from_str(key, "%Y-%m-%dT%H:%M:%S%.f").map_err(|_| bad_cursor())?;
                q = q.filter(reports::deadline_at.gt(at).or(reports::deadline_at.eq(at).and(reports::id.gt(*id))));
            }
            q.order((reports::deadline_at.asc(), reports::id.asc()))
        }
        Sort::Age => {
            if let Some((_, id)) = &cursor {
                q = q.filter(reports::id.gt(*id));
            }
            q.order(reports::id.asc())
        }
        Sort::Severity => {
            if let Some((key, id)) = &cursor {
                let rank: i32 = key.parse().map_err(|_| bad_cursor())?;
                q = q.filter(
                    reports::severity_rank.gt(rank).or(reports::severity_rank.eq(rank).and(reports::id.gt(*id))),
                );
            }
            q.order((reports::severity_rank.asc(), reports::id.asc()))
        }
    };
    let mut rows: Vec<(Report, String, String, Option<String>)> = q
        .select((Report::as_select(), art::title, art::section, users::name.nullable()))
        .limit(filter.limit + 1)
        .load(conn)?;
    let more = rows.len() as i64 > filter.limit;
    rows.truncate(filter.limit as usize);
    let next = rows.last().filter(|_| more).map(|(r, ..)| {
        let key = match filter.sort {
            Sort::Deadline => r.deadline_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            Sort::Age => String::new(),
            Sort::Severity => r.severity_rank.to_string(),
        };
        URL_SAFE_NO_PAD.encode(serde_json::json!([key, r.id]).to_string())
    });
    let items = rows
        .into_iter()
        .map(|(r, title, section, assignee)| QueueItem {
            overdue: overdue(&r, now),
            id: r.id,
            version: r.version,
            status: Status::parse(&r.status).unwrap_or(Status::New),
            severity: Severity::parse(&r.severity).unwrap_or(Severity::Normal),
            category: Category::parse(&r.category).unwrap_or(Category::Other),
            article_id: r.article_id,
            article_title: title,
            section,
            quote: r.quote,
            assignee,
            created_at: rfc3339(r.created_at),
            deadline_at: rfc3339(r.deadline_at),
        })
        .collect();
    Ok(QueuePage { items, next, counts })
}

/// Sections that have reports, for the queue's filter.
pub fn sections(conn: &mut DbConnection) -> Result<Vec<String>, AppError> {
    Ok(art::table.inner_join(reports::table).select(art::section).distinct().order(art::section.asc()).load(conn)?)
}

/// Everything the ticket page and its JSON show.
#[derive(Debug, Clone)]
pub struct Ticket {
    /// The report.
    pub report: Report,
    /// Its article.
    pub article: Article,
    /// Every event with the acting user's name.
    pub events: Vec<(Event, Option<String>)>,
    /// The assignee.
    pub assignee: Option<User>,
    /// Other reports on the article whose passages overlap.
    pub likely_duplicates: Vec<Report>,
    /// Other staff who had it open in the last few minutes.
    pub also_open_by: Vec<String>,
    /// The moves the viewer may make now.
    pub moves: Vec<Move>,
}

/// Reads a ticket for `viewer` and records that they have it open.
pub fn ticket(conn: &mut DbConnection, id: i64, viewer: &Actor, now: NaiveDateTime) -> Result<Ticket, AppError> {
    let report = Report::find(conn, id)?.ok_or_else(|| AppError::NotFound(format!("no report has the number {id}")))?;
    let article = articles::get(conn, &report.article_id)?;
    let events = Event::for_report(conn, id)?;
    let assignee = match report.assignee_id {
        Some(uid) => User::find(conn, uid)?,
        None => None,
    };
    let likely_duplicates = Report::siblings(conn, &report)?
        .into_iter()
        .filter(|other| {
            other.duplicate_of != Some(report.id)
                && quote::overlap(&report.quote, &other.quote, article.body.as_deref())
        })
        .collect();
    if viewer.role.can_edit() {
        TicketView::record(conn, id, viewer.id, now)?;
    }
    let also_open_by = TicketView::others(conn, id, viewer.id, now - PRESENCE)?;
    let moves = workflow::moves_for(Status::parse(&report.status).unwrap_or(Status::New), viewer.role);
    Ok(Ticket { report, article, events, assignee, likely_duplicates, also_open_by, moves })
}

/// Staff who can be assigned tickets (enabled editors), by name.
pub fn assignable(conn: &mut DbConnection) -> Result<Vec<User>, AppError> {
    Ok(User::all(conn)?
        .into_iter()
        .filter(|u| !u.disabled && super::accounts::Role::parse(&u.role).is_some_and(super::accounts::Role::can_edit))
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
            ("limit", "500"),
            ("colour", "red"),
        ] {
            let err = QueueFilter::parse(&pairs(&[(key, value)])).unwrap_err();
            assert_eq!(err.field(), Some(key), "{key}");
        }
    }

    #[test]
    fn blank_values_mean_any() {
        let f = QueueFilter::parse(&pairs(&[("status", ""), ("section", " "), ("assignee", "")])).unwrap();
        assert!(f.statuses.is_empty() && f.section.is_none() && f.assignee.is_none());
    }
}
