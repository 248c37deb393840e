//! The desk's pages: the queue of reports and the ticket, with its form posts.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use corrigenda_templates as views;
use serde::Deserialize;

use crate::db::models::{Desk, SavedResponse, StaffMember};
use crate::db::DbConnection;
use crate::domain::accounts::Role;
use crate::domain::bulk::{self, BulkAction, BulkRequest};
use crate::domain::desk::{self, QueueFilter, QueueItem, QueuePage, Sort, Ticket, View};
use crate::domain::events::{actor_name, Audience};
use crate::domain::notices::Notices;
use crate::domain::quote;
use crate::domain::reports::{Category, Severity, Status};
use crate::domain::responses;
use crate::domain::routing;
use crate::domain::workflow::{self, MoveRequest};
use crate::error::AppError;
use crate::web::auth::{CanEdit, CanRead, DeskForm, Signed, Staff};
use crate::web::extract::{last_value, parse_id, query_pairs};
use crate::web::present::{
    age, any_first, capitalise, csrf, error_sentence, html, iso, opts, redirect, relative_deadline, shorten,
    staff_layout, summary, time, Naming, QueryLinks,
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
    let result = state
        .db
        .read(move |c| {
            let member = !Desk::of_member(c, actor.id)?.is_empty();
            let f = default_view(filter, member);
            let page = desk::queue(c, &f, &actor, now);
            Ok((page, f, desk::sections(c)?, desk::assignable(c)?, Desk::all(c)?))
        })
        .await?;
    let (page, filter, sections, staff_list, desks) = result;
    let (page, error) = match (parsed, page) {
        (Ok(_), Ok(page)) => (page, None),
        (Err(e), _) | (Ok(_), Err(e @ AppError::Invalid(_))) => (
            QueuePage { items: vec![], next: None, counts: vec![], views: vec![], counts_capped: false },
            Some(error_sentence(Naming::Capitalised, &e, "filter")),
        ),
        (Ok(_), Err(other)) => return Err(other),
    };
    let status = if error.is_some() { 422 } else { 200 };
    let token = staff.session.as_ref().map(|s| s.csrf.as_str()).unwrap_or_default();
    let mut view = queue_view(&pairs, &filter, page, (&sections, &staff_list, &desks), error, token, now);
    view.notice = notice;
    Ok(html(status, views::queue(&layout, &view)))
}

/// The queue's view when none was asked for: unless a status was, the work still to do, on the
/// viewer's desks when they belong to one (`member`), else everywhere.
fn default_view(mut f: QueueFilter, member: bool) -> QueueFilter {
    if f.view.is_none() && f.statuses.is_empty() {
        f.view = Some(if member { View::MyDesks } else { View::Open });
    }
    f
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
    (sections, staff, desks): (&[String], &[StaffMember], &[Desk]),
    error: Option<String>,
    csrf: &str,
    now: NaiveDateTime,
) -> views::QueueView {
    let value = |key: &str| last_value(pairs, key);
    let chosen: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
    // Links keep every filter but status and cursor.
    let links = QueryLinks::keeping(pairs, &["status", "cursor"]);
    let link = |extra: &[(&str, &str)]| links.to("/desk", extra);
    // Tabs keep the other filters but choose a view afresh.
    let tab_links = QueryLinks::keeping(pairs, &["status", "cursor", "view", "assignee"]);
    let tabs = View::ALL
        .iter()
        .map(|(v, value, label)| views::ViewTab {
            label: (*label).into(),
            href: tab_links.to("/desk", &[("view", value)]),
            count: page.views.iter().find(|c| c.view == *value).map(|c| c.count),
            current: filter.view == Some(*v),
        })
        .collect();
    let counts = page
        .counts
        .iter()
        .map(|c| views::StatusCount {
            status: c.status.as_str().into(),
            label: c.status.staff_label().into(),
            count: c.count,
            at_least: page.counts_capped,
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
        tabs,
        view: filter.view.map(|v| v.as_str().to_owned()).unwrap_or_default(),
        q: value("q").to_owned(),
        csrf: csrf.to_owned(),
        bulk_actions: opts(BulkAction::ALL.iter().map(|(_, v, l)| (*v, *l)), &[]),
        bulk_assignees: {
            let mut list = vec![("", "Unassigned")];
            list.extend(staff.iter().map(|u| (u.email.as_str(), u.name.as_str())));
            opts(list, &[])
        },
        bulk_severities: opts(Severity::ALL.iter().map(|s| (s.as_str(), s.label())), &[Severity::Normal.as_str()]),
        // The desk is for editors, who may search by a reader's address.
        search_hint: "Words of the headline, passage or explanation; a report number; or a reader's email address"
            .into(),
        counts,
        statuses: opts(Status::ALL.iter().map(|s| (s.as_str(), s.staff_label())), &chosen),
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
        desks: if desks.is_empty() {
            Vec::new()
        } else {
            let mut choices = vec![("mine", "My desks"), ("none", "General queue")];
            choices.extend(desks.iter().map(|d| (d.slug.as_str(), d.name.as_str())));
            any_first("Any desk", opts(choices, &[value("desk")]), value("desk"))
        },
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
        version: item.version,
        href: format!("/desk/reports/{}", item.id),
        article_title: item.article_title,
        quote_short: shorten(&item.quote, 120),
        category_label: item.category.label().into(),
        severity: item.severity.as_str().into(),
        severity_label: item.severity.label().into(),
        status: item.status.as_str().into(),
        status_label: item.status.staff_label().into(),
        age: age(item.created_at, now),
        deadline: relative_deadline(item.deadline_at, now),
        deadline_exact: time(item.deadline_at),
        deadline_iso: iso(item.deadline_at),
        closed: workflow::is_closed(item.status),
        overdue: item.overdue,
        reader_replied: item.reader_replied,
        assignee: item.assignee,
        desk: item.desk_name,
        escalated: item.escalated,
    }
}

/// The ticket's query: which action just succeeded, or which saved response to put in which move's reason.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TicketQuery {
    /// What was done, e.g. `moved`.
    done: String,
    /// The move whose reason a saved response fills (`to` of its form).
    to: String,
    /// The saved response's id.
    response: String,
    /// The correction published or drafted from the ticket, for the confirmation.
    correction: String,
}

/// What a move's reason box holds when the ticket is shown.
#[derive(Debug, Clone)]
enum Reason {
    /// Empty boxes.
    Blank,
    /// What the editor typed, kept after a refusal.
    Typed { to: String, text: String },
    /// A saved response picked with "Use", filled in for this report.
    Saved { to: String, response: String },
}

/// `GET /desk/reports/{id}`: the ticket.
pub async fn ticket(
    state: State,
    staff: Signed<CanRead>,
    path: web::Path<String>,
    query: web::Query<TicketQuery>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let query = query.into_inner();
    let notice = match query.done.as_str() {
        "moved" => Some("Status changed."),
        "assigned" => Some("Assignment saved."),
        "severity" => Some("Severity changed; the deadline was recomputed."),
        "note" => Some("Note added."),
        "desk" => Some("Moved. The timeline keeps the reason."),
        _ => None,
    };
    let reason = if query.to.is_empty() && query.response.is_empty() {
        Reason::Blank
    } else {
        Reason::Saved { to: query.to, response: query.response }
    };
    let notice = correction_notice(&query.done, &query.correction).or_else(|| notice.map(str::to_owned));
    render_ticket(&state, &staff, id, None, notice, 200, reason).await
}

/// The ticket page, with an error or a notice from the last action.
async fn render_ticket(
    state: &AppState,
    staff: &Staff,
    id: i64,
    mut error: Option<String>,
    notice: Option<String>,
    mut status: u16,
    reason: Reason,
) -> Result<HttpResponse, AppError> {
    let actor = staff.actor.clone();
    let now = state.now();
    let ticket = steps::open_ticket(state, id, &actor, now).await?;
    let (staff_list, desks) = state.db.read(|c| Ok((desk::assignable(c)?, Desk::all(c)?))).await?;
    let saved = if staff.actor.role.can_edit() { state.db.read(responses::list).await? } else { Vec::new() };
    let filled = match reason {
        Reason::Blank => None,
        Reason::Typed { to, text } => Some((to, text)),
        Reason::Saved { to, response } => match prefill(state, &ticket, &to, &response).await {
            Ok(text) => Some((to, text)),
            Err(e @ AppError::Invalid(_)) => {
                status = 422;
                error = Some(error_sentence(Naming::Labels(&[("response", "The saved response")]), &e, "response"));
                None
            }
            Err(other) => return Err(other),
        },
    };
    let view = ticket_view(ticket, staff, (&staff_list, &desks), &saved, filled, error, notice, now);
    let mut response = html(status, views::ticket(&staff_layout(state, staff), &view));
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(response)
}

/// A saved response filled in for the ticket, for the reason of the move to `to` (one the viewer may make).
async fn prefill(state: &AppState, t: &Ticket, to: &str, response: &str) -> Result<String, AppError> {
    let step = t
        .moves
        .iter()
        .find(|m| m.to.as_str() == to && m.reason)
        .ok_or_else(|| AppError::invalid("response", "cannot be used for that action now: reload the ticket"))?;
    let id: i64 =
        response.trim().parse().map_err(|_| AppError::invalid("response", "is not one of the saved responses"))?;
    let (target, report, article) = (step.to, t.report.clone(), t.article.clone());
    state.db.read(move |c| responses::for_move(c, id, target, &report, &article)).await
}

/// The ticket page's view: the report, its article, its timeline and what the viewer may do.
#[allow(clippy::too_many_arguments)]
fn ticket_view(
    t: Ticket,
    staff: &Staff,
    (staff_list, desks): (&[StaffMember], &[Desk]),
    saved: &[SavedResponse],
    filled: Option<(String, String)>,
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
    let corrections = t
        .corrections
        .iter()
        .map(|c| views::TicketCorrection {
            id: c.id,
            kind_label: c.kind.label().into(),
            status_label: c.status.label().into(),
            cause_label: c.cause.label().into(),
            found_label: c.found.label().into(),
        })
        .collect();
    views::TicketView {
        corrections,
        publish_href: t.can_draft.then(|| format!("/desk/corrections/new?report={}", r.id)),
        id: r.id,
        version: r.version,
        csrf: csrf(staff),
        status: status.as_str().into(),
        status_label: status.staff_label().into(),
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
                status_label: d.status.staff_label().into(),
            })
            .collect(),
        also_open_by: t.also_open_by.clone(),
        timeline,
        moves: t.moves.iter().map(|m| move_option(m, saved, filled.as_ref())).collect(),
        desk: t.desk.as_ref().map(|d| d.name.clone()),
        desk_moves: desk_moves(&t, can_edit, desks),
        desk_reason: filled
            .as_ref()
            .filter(|(to, _)| to == DESK_MOVE)
            .map(|(_, text)| text.clone())
            .unwrap_or_default(),
        draft_is_primary: status == Status::InReview,
        next_step_note: next_step_note(status, staff.actor.role),
        decisions_heading: if status == Status::Appealed { "Decide the appeal" } else { "Close the report" }.into(),
        responses_href: can_edit.then(|| "/desk/responses".to_owned()),
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

/// What a refused desk move keeps its typed reason under (no status is called that).
const DESK_MOVE: &str = "desk";

/// Where the report may move: the general queue and every other desk; none when it is closed,
/// the viewer cannot move it, or there are no desks.
fn desk_moves(t: &Ticket, can_edit: bool, desks: &[Desk]) -> Vec<views::Opt> {
    if !can_edit || desks.is_empty() || !workflow::is_open(t.report.status) {
        return Vec::new();
    }
    let here = t.report.desk_id;
    let mut choices: Vec<(String, String)> = Vec::new();
    if here.is_some() {
        choices.push((String::new(), "General queue".to_owned()));
    }
    choices.extend(desks.iter().filter(|d| Some(d.id) != here).map(|d| (d.slug.clone(), d.name.clone())));
    opts(choices, &[])
}

/// A move the viewer may make, as the ticket offers it, with the saved responses for its reason.
fn move_option(m: &workflow::Move, saved: &[SavedResponse], filled: Option<&(String, String)>) -> views::MoveOption {
    let reason = filled.filter(|(to, _)| to == m.to.as_str()).map(|(_, text)| text.clone()).unwrap_or_default();
    let purpose = responses::purpose_of(m.to);
    let offered: Vec<&SavedResponse> =
        if m.reason { saved.iter().filter(|r| r.purpose == purpose).collect() } else { vec![] };
    views::MoveOption {
        to: m.to.as_str().into(),
        label: move_label(m.from, m.to).into(),
        reason_required: m.reason,
        reason_label: match m.to {
            Status::NeedsInfo => "Question for the reader (shown on their tracking page)".into(),
            Status::InReview if m.from == Status::Duplicate => "Why it is not a duplicate".into(),
            _ => "Reason (the reader is told)".into(),
        },
        reason,
        needs_duplicate_of: m.to == Status::Duplicate,
        group: match (m.from, m.to) {
            (Status::New | Status::Triaged, Status::InReview) => views::MoveGroup::Primary,
            (_, Status::NeedsInfo) => views::MoveGroup::Ask,
            (_, Status::NoChange | Status::Rejected | Status::Duplicate) | (Status::Appealed, _) => {
                views::MoveGroup::Decide
            }
            _ => views::MoveGroup::Step,
        },
        tone: match (m.from, m.to) {
            (Status::New | Status::Triaged, Status::InReview) => views::Tone::Primary,
            (_, Status::Rejected) => views::Tone::Danger,
            _ => views::Tone::Secondary,
        },
        responses: offered
            .iter()
            .map(|r| views::Opt { value: r.id.to_string(), label: r.title.clone(), selected: false })
            .collect(),
    }
}

/// What the ticket waits for, when it is not the desk.
fn next_step_note(status: Status, role: Role) -> Option<String> {
    match status {
        Status::NeedsInfo => {
            Some("Waiting for the reader to answer. Their answer puts the report back in review.".into())
        }
        Status::Appealed if role != Role::StandardsEditor => {
            Some("The reader appealed: a standards editor decides the appeal.".into())
        }
        Status::AwaitingApproval => Some("A correction awaits a second standards editor's approval.".into()),
        _ => None,
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

/// The form that moves a report to another desk.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeskMoveForm {
    desk: String,
    reason: String,
    version: String,
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

/// Runs a ticket action; success goes back to the ticket with a notice, failure shows the
/// ticket with the error (and what was typed in the move's reason, kept).
async fn act<F>(
    state: &AppState,
    staff: &Staff,
    id: i64,
    done: &str,
    typed: Reason,
    f: F,
) -> Result<HttpResponse, AppError>
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
            render_ticket(state, staff, id, Some(message), None, err.status_code().as_u16(), typed).await
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
    let typed = Reason::Typed { to: f.to.trim().to_owned(), text: f.reason.clone() };
    act(&state, &post.staff, id, "moved", typed, move |c, n| {
        workflow::transition(c, id, &actor, &request, n, now).map(drop)
    })
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
    act(&state, &post.staff, id, "assigned", Reason::Blank, move |c, n| {
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
    act(&state, &post.staff, id, "severity", Reason::Blank, move |c, n| {
        workflow::set_severity(c, id, &actor, &severity, v, &targets, n, now).map(drop)
    })
    .await
}

/// `POST /desk/reports/{id}/desk`: moves the report to another desk or the general queue.
pub async fn move_to_desk(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, DeskMoveForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (slug, reason, v) = (post.form.desk.clone(), post.form.reason.clone(), version(&post.form.version)?);
    let (actor, now) = (post.staff.actor.clone(), state.now());
    let typed = Reason::Typed { to: DESK_MOVE.to_owned(), text: reason.clone() };
    act(&state, &post.staff, id, "desk", typed, move |c, n| {
        routing::move_report(c, id, &actor, Some(&slug), &reason, v, n, now).map(drop)
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
    act(&state, &post.staff, id, "note", Reason::Blank, move |c, _| workflow::add_note(c, id, &actor, &body, now)).await
}

/// `POST /desk/bulk`: the queue's chosen reports, each changed with the version it was listed with.
pub async fn bulk(state: State, post: DeskForm<CanEdit, Vec<(String, String)>>) -> Result<HttpResponse, AppError> {
    let layout = staff_layout(&state, &post.staff);
    let request = match bulk_request(&post.form) {
        Ok(request) => request,
        Err(e) => return Ok(html(422, views::bulk_result(&layout, &bulk_error(&e)))),
    };
    let (actor, now, targets) = (post.staff.actor.clone(), state.now(), state.config.response_targets);
    match state.write_notifying(move |c, n| bulk::apply(c, &actor, &request, &targets, n, now)).await {
        Ok(results) => {
            let results = results
                .into_iter()
                .map(|r| {
                    let what = r.error.map_or_else(|| "changed".to_owned(), |e| format!("not changed: {e}"));
                    (r.id, format!("/desk/reports/{}", r.id), what, r.ok)
                })
                .collect();
            Ok(html(200, views::bulk_result(&layout, &views::BulkResultView { error: None, results })))
        }
        Err(e @ (AppError::Invalid(_) | AppError::Forbidden(_))) => {
            Ok(html(e.status_code().as_u16(), views::bulk_result(&layout, &bulk_error(&e))))
        }
        Err(other) => Err(other),
    }
}

fn bulk_error(e: &AppError) -> views::BulkResultView {
    // The domain's messages for a bulk action are whole instructions ("choose at least one report").
    views::BulkResultView { error: Some(format!("{}.", capitalise(&e.public_message()))), results: vec![] }
}

/// The bulk form's fields as a request: `ids` repeated, `version-{id}` for each, the action's fields.
fn bulk_request(form: &[(String, String)]) -> Result<BulkRequest, AppError> {
    let value = |key: &str| form.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.trim().to_owned());
    let number = |key: &str, raw: &str| {
        // The bulk page shows the message alone, so it names the field itself.
        raw.trim_start_matches('#')
            .parse::<i64>()
            .map_err(|_| AppError::invalid(key, format!("{key} must be a report number, not {raw:?}")))
    };
    let ids = form.iter().filter(|(k, _)| k == "ids").map(|(_, v)| number("ids", v)).collect::<Result<Vec<_>, _>>()?;
    let versions = form
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("version-").map(|id| (id.to_owned(), v)))
        .map(|(id, v)| {
            Ok((
                id,
                v.parse::<i64>()
                    .map_err(|_| AppError::invalid("version", "a report's listed version must be a number"))?,
            ))
        })
        .collect::<Result<_, AppError>>()?;
    let raw_action = value("action").unwrap_or_default();
    let action = BulkAction::parse(&raw_action).ok_or_else(|| AppError::invalid("action", "choose an action"))?;
    let duplicate_of = match value("duplicate_of").filter(|v| !v.is_empty()) {
        Some(raw) => Some(number("duplicate_of", &raw)?),
        None => None,
    };
    Ok(BulkRequest {
        ids,
        action,
        assignee_email: value("assignee_email"),
        severity: value("new_severity"),
        duplicate_of,
        reason: value("reason"),
        versions,
    })
}
