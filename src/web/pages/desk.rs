//! The desk's pages: the queue of reports and the ticket, with its form posts.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use corrigenda_templates as views;
use serde::Deserialize;

use crate::db::models::StaffMember;
use crate::db::DbConnection;
use crate::domain::desk::{self, QueueFilter, QueueItem, QueuePage, Sort, Ticket};
use crate::domain::events::{actor_name, Audience};
use crate::domain::notices::Notices;
use crate::domain::quote;
use crate::domain::reports::{Category, Severity, Status};
use crate::domain::workflow::{self, MoveRequest};
use crate::error::AppError;
use crate::web::auth::{CanEdit, CanRead, DeskForm, Signed, Staff};
use crate::web::extract::{last_value, parse_id, query_pairs, DoneQuery};
use crate::web::present::{
    age, any_first, capitalise, csrf, error_sentence, html, iso, opts, redirect, shorten, staff_layout, summary, time,
    Naming, QueryLinks,
};
use crate::web::{steps, AppState, State};

/// `GET /desk`: the queue.
pub async fn queue(state: State, req: HttpRequest, staff: Signed<CanEdit>) -> Result<HttpResponse, AppError> {
    let all = query_pairs(&req);
    let notice = correction_notice(last_value(&all, "done"), last_value(&all, "correction"));
    // What the last action did is not a filter.
    let pairs: Vec<(String, String)> = all.into_iter().filter(|(k, _)| k != "done" && k != "correction").collect();
    let layout = staff_layout(&state, &staff);
    let actor = staff.actor.clone();
    let now = state.now();
    let parsed = QueueFilter::parse(&pairs);
    let filter =
        parsed.as_ref().cloned().unwrap_or_else(|_| QueueFilter { limit: desk::PAGE_DEFAULT, ..Default::default() });
    let f = filter.clone();
    let result =
        state.db.read(move |c| Ok((desk::queue(c, &f, &actor, now), desk::sections(c)?, desk::assignable(c)?))).await?;
    let (page, sections, staff_list) = result;
    let (page, error) = match (parsed, page) {
        (Ok(_), Ok(page)) => (page, None),
        (Err(e), _) | (Ok(_), Err(e @ AppError::Invalid(_))) => (
            QueuePage { items: vec![], next: None, counts: vec![] },
            Some(error_sentence(Naming::Capitalised, &e, "filter")),
        ),
        (Ok(_), Err(other)) => return Err(other),
    };
    let status = if error.is_some() { 422 } else { 200 };
    let mut view = queue_view(&pairs, &filter, page, &sections, &staff_list, error, now);
    view.notice = notice;
    Ok(html(status, views::queue(&layout, &view)))
}

/// The confirmation after the drafting form published a correction or sent it for approval.
fn correction_notice(done: &str, correction: &str) -> Option<String> {
    let id: i64 = correction.trim().parse().ok()?;
    match done {
        "published" => Some(format!("Correction #{id} published.")),
        "drafted" => Some(format!("Correction #{id} sent for approval. A second standards editor must approve it.")),
        _ => None,
    }
}

/// The queue page's view: filters as chosen, counts and rows.
fn queue_view(
    pairs: &[(String, String)],
    filter: &QueueFilter,
    page: QueuePage,
    sections: &[String],
    staff: &[StaffMember],
    error: Option<String>,
    now: NaiveDateTime,
) -> views::QueueView {
    let value = |key: &str| last_value(pairs, key);
    let chosen: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
    // Links keep every filter but status and cursor.
    let links = QueryLinks::keeping(pairs, &["status", "cursor"]);
    let link = |extra: &[(&str, &str)]| links.to("/desk", extra);
    let counts = page
        .counts
        .iter()
        .map(|c| views::StatusCount {
            status: c.status.as_str().into(),
            label: c.status.label().into(),
            count: c.count,
            href: link(&[("status", c.status.as_str())]),
            current: chosen == [c.status.as_str()],
        })
        .collect();
    let mut next_pairs: Vec<(&str, &str)> = chosen.iter().map(|s| ("status", *s)).collect();
    let next_href = page.next.as_deref().map(|cursor| {
        next_pairs.push(("cursor", cursor));
        link(&next_pairs)
    });
    let mut assignees = vec![("me", "Me"), ("unassigned", "Unassigned")];
    assignees.extend(staff.iter().map(|u| (u.email.as_str(), u.name.as_str())));
    views::QueueView {
        counts,
        statuses: opts(Status::ALL.iter().map(|s| (s.as_str(), s.label())), &chosen),
        categories: any_first(
            "Any category",
            opts(Category::ALL.iter().map(|c| (c.as_str(), c.label())), &[value("category")]),
            value("category"),
        ),
        severities: any_first(
            "Any severity",
            opts(Severity::ALL.iter().map(|s| (s.as_str(), s.label())), &[value("severity")]),
            value("severity"),
        ),
        sections: any_first(
            "Any section",
            opts(sections.iter().map(|s| (s.as_str(), s.as_str())), &[value("section")]),
            value("section"),
        ),
        assignees: any_first("Anyone", opts(assignees, &[value("assignee")]), value("assignee")),
        overdue: filter.overdue == Some(true),
        sorts: opts(
            Sort::ALL.iter().map(|(_, v, l)| (*v, *l)),
            &[Sort::ALL.iter().find(|(s, ..)| *s == filter.sort).map_or("deadline", |(_, v, _)| v)],
        ),
        rows: page.items.into_iter().map(|item| queue_row(item, now)).collect(),
        next_href,
        error,
        notice: None,
    }
}

/// One report in the queue.
fn queue_row(item: QueueItem, now: NaiveDateTime) -> views::QueueRow {
    views::QueueRow {
        id: item.id,
        href: format!("/desk/reports/{}", item.id),
        article_title: item.article_title,
        quote_short: shorten(&item.quote, 120),
        category_label: item.category.label().into(),
        severity: item.severity.as_str().into(),
        severity_label: item.severity.label().into(),
        status: item.status.as_str().into(),
        status_label: item.status.label().into(),
        age: age(item.created_at, now),
        deadline: time(item.deadline_at),
        deadline_iso: iso(item.deadline_at),
        overdue: item.overdue,
        assignee: item.assignee,
    }
}

/// `GET /desk/reports/{id}`: the ticket.
pub async fn ticket(
    state: State,
    staff: Signed<CanRead>,
    path: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let notice = match query.done.as_str() {
        "moved" => Some("Status changed."),
        "assigned" => Some("Assignment saved."),
        "severity" => Some("Severity changed; the deadline was recomputed."),
        "note" => Some("Note added."),
        _ => None,
    };
    let notice = correction_notice(&query.done, &query.correction).or_else(|| notice.map(str::to_owned));
    render_ticket(&state, &staff, id, None, notice, 200).await
}

/// The ticket page, with an error or a notice from the last action.
async fn render_ticket(
    state: &AppState,
    staff: &Staff,
    id: i64,
    error: Option<String>,
    notice: Option<String>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let actor = staff.actor.clone();
    let now = state.now();
    let ticket = steps::open_ticket(state, id, &actor, now).await?;
    let staff_list = state.db.read(desk::assignable).await?;
    let view = ticket_view(ticket, staff, &staff_list, error, notice, now);
    let mut response = html(status, views::ticket(&staff_layout(state, staff), &view));
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The ticket page's view: the report, its article, its timeline and what the viewer may do.
fn ticket_view(
    t: Ticket,
    staff: &Staff,
    staff_list: &[StaffMember],
    error: Option<String>,
    notice: Option<String>,
    now: NaiveDateTime,
) -> views::TicketView {
    let can_edit = staff.actor.role.can_edit();
    let r = &t.report;
    let (status, severity) = (r.status, r.severity);
    let article_text = t.article.body.as_deref().map(|body| match quote::span(&r.quote, body) {
        Some(range) => vec![
            views::TextPart { text: body[..range.start].to_owned(), highlighted: false },
            views::TextPart { text: body[range.clone()].to_owned(), highlighted: true },
            views::TextPart { text: body[range.end..].to_owned(), highlighted: false },
        ],
        None => vec![views::TextPart { text: body.to_owned(), highlighted: false }],
    });
    let timeline = t
        .events
        .iter()
        .map(|e| views::TimelineItem {
            at: time(e.event.created_at),
            at_iso: iso(e.event.created_at),
            actor: actor_name(e.event.actor_kind, e.actor_name.as_deref()),
            title: e.data.sentence(Audience::Staff),
            detail: e.data.detail(Audience::Staff).map(str::to_owned),
            internal: !e.event.public,
        })
        .collect();
    let assignee_email = t.assignee.as_ref().map(|u| u.email.as_str()).unwrap_or("");
    views::TicketView {
        publish_href: t.can_draft.then(|| format!("/desk/corrections/new?report={}", r.id)),
        id: r.id,
        version: r.version,
        csrf: csrf(staff),
        status: status.as_str().into(),
        status_label: status.label().into(),
        severity: severity.as_str().into(),
        severity_label: severity.label().into(),
        category_label: r.category.label().into(),
        created_at: time(r.created_at),
        created_at_iso: iso(r.created_at),
        deadline: time(r.deadline_at),
        deadline_iso: iso(r.deadline_at),
        overdue: desk::overdue(r, now),
        assignee: t.assignee.as_ref().map(|u| u.name.clone()),
        reporter_name: r.reporter_name.clone(),
        reporter_email: r.reporter_email.clone(),
        pii_redacted: t.reader_redacted,
        article: summary(&t.article),
        article_text,
        quote: r.quote.clone(),
        explanation: r.explanation.clone(),
        evidence_urls: r.evidence_urls.to_vec(),
        duplicate_of: r.duplicate_of.map(|id| (id, format!("/desk/reports/{id}"))),
        likely_duplicates: t
            .likely_duplicates
            .iter()
            .map(|d| views::DuplicateCandidate {
                id: d.id,
                href: format!("/desk/reports/{}", d.id),
                quote_short: shorten(&d.quote, 120),
                status_label: d.status.label().into(),
            })
            .collect(),
        also_open_by: t.also_open_by.clone(),
        timeline,
        moves: t.moves.iter().map(move_option).collect(),
        assignees: if can_edit {
            let mut list = vec![("", "Unassigned")];
            list.extend(staff_list.iter().map(|u| (u.email.as_str(), u.name.as_str())));
            opts(list, &[assignee_email])
        } else {
            vec![]
        },
        severities: if can_edit {
            opts(Severity::ALL.iter().map(|s| (s.as_str(), s.label())), &[severity.as_str()])
        } else {
            vec![]
        },
        can_edit,
        error,
        notice,
    }
}

/// A move the viewer may make, as the ticket offers it.
fn move_option(m: &workflow::Move) -> views::MoveOption {
    views::MoveOption {
        to: m.to.as_str().into(),
        label: move_label(m.from, m.to).into(),
        reason_required: m.reason,
        reason_label: match (m.to, m.reason) {
            (Status::NeedsInfo, _) => "Question for the reader (shown on their tracking page)".into(),
            (_, true) => "Reason".into(),
            (_, false) => "Reason (optional)".into(),
        },
        needs_duplicate_of: m.to == Status::Duplicate,
    }
}

/// The button's words for a move.
fn move_label(from: Status, to: Status) -> &'static str {
    match (from, to) {
        (_, Status::Triaged) => "Mark as triaged",
        (Status::Appealed, Status::InReview) => "Uphold the appeal and reopen",
        (Status::Duplicate, Status::InReview) => "Not a duplicate: reopen",
        (Status::NeedsInfo, Status::InReview) => "Resume review without an answer",
        (_, Status::InReview) => "Start review",
        (_, Status::NeedsInfo) => "Ask the reader for more information",
        (Status::Appealed, Status::NoChange) => "Dismiss the appeal: no change",
        (Status::Appealed, Status::Rejected) => "Dismiss the appeal: rejected",
        (_, Status::NoChange) => "Close: no change needed",
        (_, Status::Rejected) => "Reject the report",
        (_, Status::Duplicate) => "Mark as duplicate",
        _ => "Move",
    }
}

/// A move as posted from the ticket.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    to: String,
    reason: String,
    version: String,
    duplicate_of: String,
}

/// The assignment form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssignForm {
    assignee_email: String,
    version: String,
}

/// The severity form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SeverityForm {
    severity: String,
    version: String,
}

/// The note form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    body: String,
}

/// The report's version as the form sent it back.
fn version(raw: &str) -> Result<i64, AppError> {
    raw.trim().parse().map_err(|_| AppError::invalid("version", "is missing: reload the ticket and try again"))
}

/// Runs a ticket action; success goes back to the ticket with a notice, failure shows the ticket with the error.
async fn act<F>(state: &AppState, staff: &Staff, id: i64, done: &str, f: F) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConnection, &mut Notices) -> Result<(), AppError> + Send + 'static,
{
    match state.write_notifying(f).await {
        Ok(()) => Ok(redirect(format!("/desk/reports/{id}?done={done}"))),
        Err(err @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let message = match &err {
                AppError::Invalid(_) => error_sentence(Naming::Spoken, &err, ""),
                other => capitalise(&other.public_message()),
            };
            render_ticket(state, staff, id, Some(message), None, err.status_code().as_u16()).await
        }
        Err(other) => Err(other),
    }
}

/// `POST /desk/reports/{id}/transitions`.
pub async fn transition(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, MoveForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let f = &post.form;
    let request = MoveRequest {
        to: f.to.clone(),
        reason: Some(f.reason.clone()),
        version: version(&f.version)?,
        duplicate_of: match f.duplicate_of.trim().trim_start_matches('#') {
            "" => None,
            raw => Some(raw.parse().map_err(|_| AppError::invalid("duplicate_of", "must be a report number"))?),
        },
    };
    let actor = post.staff.actor.clone();
    let now = state.now();
    act(&state, &post.staff, id, "moved", move |c, n| workflow::transition(c, id, &actor, &request, n, now).map(drop))
        .await
}

/// `POST /desk/reports/{id}/assignment`.
pub async fn assign(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, AssignForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (email, v) = (post.form.assignee_email.clone(), version(&post.form.version)?);
    let actor = post.staff.actor.clone();
    let now = state.now();
    act(&state, &post.staff, id, "assigned", move |c, n| {
        workflow::assign(c, id, &actor, Some(&email), v, n, now).map(drop)
    })
    .await
}

/// `POST /desk/reports/{id}/severity`.
pub async fn severity(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, SeverityForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (severity, v) = (post.form.severity.clone(), version(&post.form.version)?);
    let actor = post.staff.actor.clone();
    let (now, targets) = (state.now(), state.config.response_targets);
    act(&state, &post.staff, id, "severity", move |c, _| {
        workflow::set_severity(c, id, &actor, &severity, v, &targets, now).map(drop)
    })
    .await
}

/// `POST /desk/reports/{id}/notes`.
pub async fn note(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, NoteForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let body = post.form.body.clone();
    let actor = post.staff.actor.clone();
    let now = state.now();
    act(&state, &post.staff, id, "note", move |c, _| workflow::add_note(c, id, &actor, &body, now)).await
}
