//! The desk in the API: the queue, tickets and the review workflow's steps.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::DESK_BODY_LIMIT;
use crate::db::vocabulary::{ActorKind, EventKind};
use crate::domain::accounts::Actor;
use crate::domain::bulk::{self, BulkRequest, BulkResult};
use crate::domain::desk::{self, QueueFilter, QueuePage, Ticket};
use crate::domain::reports::{Category, Severity, Status};
use crate::domain::workflow::{self, MoveRequest};
use crate::error::AppError;
use crate::web::auth::{CanEdit, CanRead, Signed};
use crate::web::errors::ErrorBody;
use crate::web::extract::{api_query_pairs, parse_id, parse_json, read_body};
use crate::web::present::iso;
use crate::web::{steps, AppState, State};

/// A person on a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    /// Email.
    pub email: String,
    /// Display name.
    pub name: String,
}

/// One timeline event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Event id (increasing).
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Kind, e.g. `status_changed`, `note`, `assigned`.
    pub kind: EventKind,
    /// `user`, `reader` or `system`.
    pub actor_kind: ActorKind,
    /// The staff member's name, for `user` events.
    pub actor: Option<String>,
    /// Whether the reader sees it.
    pub public: bool,
    /// Kind-specific details (from, to, reason, body, ...).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// A ticket as the desk sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketJson {
    /// The report's number.
    pub id: i64,
    /// Send it back with every change.
    pub version: i64,
    /// Current status.
    pub status: Status,
    /// Severity.
    pub severity: Severity,
    /// Category.
    pub category: Category,
    /// The article's ID.
    pub article_id: String,
    /// The quoted passage, as filed.
    pub quote: String,
    /// The reader's explanation.
    pub explanation: String,
    /// Evidence links.
    pub evidence_urls: Vec<String>,
    /// The reader's name (null for auditors: redacted).
    pub reporter_name: Option<String>,
    /// The reader's email (null for auditors: redacted).
    pub reporter_email: Option<String>,
    /// Whether reader details were withheld from this caller.
    pub reporter_redacted: bool,
    /// The assignee.
    pub assignee: Option<Person>,
    /// The desk it is routed to (slug; null: the general queue).
    pub desk: Option<String>,
    /// Whether it was escalated to its desk's lead (or the standards editors) for being overdue.
    pub escalated: bool,
    /// The primary report when this one is a duplicate.
    pub duplicate_of: Option<i64>,
    /// Other reports on the article whose passages overlap.
    pub likely_duplicates: Vec<i64>,
    /// Other staff who had the ticket open in the last few minutes.
    pub also_open_by: Vec<String>,
    /// The statuses this caller may move the report to now.
    pub allowed_moves: Vec<Status>,
    /// Filing time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Response deadline.
    pub deadline_at: String,
    /// Whether the deadline passed while the desk owes an answer.
    pub overdue: bool,
    /// Every event, oldest first.
    pub events: Vec<EventView>,
}

/// The ticket as the API answers it.
fn ticket_json(t: Ticket, now: chrono::NaiveDateTime) -> TicketJson {
    let r = &t.report;
    TicketJson {
        id: r.id,
        version: r.version,
        status: r.status,
        severity: r.severity,
        category: r.category,
        article_id: r.article_id.clone(),
        quote: r.quote.clone(),
        explanation: r.explanation.clone(),
        evidence_urls: r.evidence_urls.to_vec(),
        reporter_name: r.reporter_name.clone(),
        reporter_email: r.reporter_email.clone(),
        reporter_redacted: t.reader_redacted,
        assignee: t.assignee.as_ref().map(|u| Person { email: u.email.clone(), name: u.name.clone() }),
        desk: t.desk.as_ref().map(|d| d.slug.clone()),
        escalated: r.escalated_at.is_some(),
        duplicate_of: r.duplicate_of,
        likely_duplicates: t.likely_duplicates.iter().map(|d| d.id).collect(),
        also_open_by: t.also_open_by.clone(),
        allowed_moves: t.moves.iter().map(|m| m.to).collect(),
        created_at: iso(r.created_at),
        updated_at: iso(r.updated_at),
        deadline_at: iso(r.deadline_at),
        overdue: desk::overdue(r, now),
        events: t
            .events
            .into_iter()
            .map(|e| EventView {
                id: e.event.id,
                at: iso(e.event.created_at),
                kind: e.event.kind,
                actor_kind: e.event.actor_kind,
                actor: e.actor_name,
                public: e.event.public,
                payload: e.data.payload(),
            })
            .collect(),
    }
}

/// The desk's queue.
#[utoipa::path(
    get, path = "/api/v1/desk/reports", tag = "desk",
    params(
        ("view" = Option<String>, Query, description = "open, mine, unassigned, waiting (on the reader), closed or all (default)",
            pattern = "^(open|mine|unassigned|waiting|closed|all)$"),
        ("q" = Option<String>, Query, max_length = 200, min_length = 1, pattern = r"\S",
            description = "Words of the headline, passage or explanation (all must match, as prefixes); a report number (12 or #12); or a reader's email address; at most 200 characters"),
        ("status" = Option<Vec<Status>>, Query, description = "Statuses, repeated (or comma separated)"),
        ("section" = Option<String>, Query, description = "Article section", min_length = 1, pattern = r"^[\t\n\x0b\x0c\r\x85 ]*[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*[\t\n\x0b\x0c\r\x85 ]*$"),
        ("category" = Option<Category>, Query, description = "Category"),
        ("severity" = Option<Severity>, Query, description = "Severity"),
        ("assignee" = Option<String>, Query, description = "me, unassigned, or an editor's email", min_length = 1, pattern = r"^[\t\n\x0b\x0c\r\x85 ]*[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*[\t\n\x0b\x0c\r\x85 ]*$"),
        ("overdue" = Option<String>, Query, description = "Only overdue (true, 1, yes, on) or not overdue (false, 0, no, off)",
            pattern = "^(true|1|yes|on|false|0|no|off)$"),
        ("escalated" = Option<String>, Query, description = "Only reports escalated for being overdue (true, 1, yes, on) or only those not escalated (false, 0, no, off)",
            pattern = "^(true|1|yes|on|false|0|no|off)$"),
        ("sort" = Option<String>, Query, description = "deadline (default), age or severity", pattern = "^(deadline|age|severity)$"),
        ("cursor" = Option<String>, Query, description = "The `next` of the previous page: the last row's sort key and id, as KEY.ID", pattern = r"^-?[0-9]{1,16}\.-?[0-9]{1,18}$"),
        ("limit" = Option<i64>, Query, description = "Rows per page, 1 to 100 (default 50)", minimum = 1, maximum = 100),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the queue", body = QueuePage),
        (status = 401, description = "No or bad API token", body = ErrorBody),
        (status = 403, description = "Not an editor", body = ErrorBody),
        (status = 422, description = "Unknown filter value; `field` names it", body = ErrorBody),
    )
)]
pub async fn queue(state: State, req: HttpRequest, staff: Signed<CanEdit>) -> Result<HttpResponse, AppError> {
    let known = [
        "view",
        "q",
        "status",
        "section",
        "category",
        "severity",
        "assignee",
        "overdue",
        "escalated",
        "sort",
        "cursor",
        "limit",
    ];
    let filter = QueueFilter::parse(&api_query_pairs(&req, &known)?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    let page = state.db.read(move |c| desk::queue(c, &filter, &actor, now)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One ticket with its events (reader details redacted for auditors).
#[utoipa::path(
    get, path = "/api/v1/desk/reports/{id}", tag = "desk",
    params(("id" = i64, Path, description = "The report's number")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The ticket", body = TicketJson),
        (status = 401, description = "No or bad API token", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
    )
)]
pub async fn ticket(state: State, staff: Signed<CanRead>, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    answer_ticket(&state, &staff.actor, id).await
}

/// The ticket as `actor` sees it now, as the answer to a read or a change.
pub(crate) async fn answer_ticket(state: &AppState, actor: &Actor, id: i64) -> Result<HttpResponse, AppError> {
    let now = state.now();
    let ticket = steps::open_ticket(state, id, actor, now).await?;
    Ok(HttpResponse::Ok().json(ticket_json(ticket, now)))
}

/// Moves a report to another status.
#[utoipa::path(
    post, path = "/api/v1/desk/reports/{id}/transitions", tag = "desk",
    params(("id" = i64, Path, description = "The report's number")),
    request_body = MoveRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Moved; the ticket as it is now", body = TicketJson),
        (status = 403, description = "The role may not make this move", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
        (status = 409, description = "Not an allowed move (the message names the allowed ones), or a stale version", body = ErrorBody),
        (status = 422, description = "Missing reason or bad field", body = ErrorBody),
    )
)]
pub async fn transition(
    state: State,
    req: HttpRequest,
    staff: Signed<CanEdit>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let request: MoveRequest = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    state.write_notifying(move |c, n| workflow::transition(c, id, &actor, &request, n, now)).await?;
    answer_ticket(&state, &staff.actor, id).await
}

/// Who a ticket is assigned to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// An editor's email; null or empty unassigns.
    #[schema(max_length = 254)]
    pub assignee_email: Option<String>,
    /// The report's version as last read.
    pub version: i64,
}

/// Assigns a ticket.
#[utoipa::path(
    post, path = "/api/v1/desk/reports/{id}/assignment", tag = "desk",
    params(("id" = i64, Path, description = "The report's number")),
    request_body = AssignRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Assigned", body = TicketJson),
        (status = 403, description = "Not an editor", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
        (status = 409, description = "Stale version", body = ErrorBody),
        (status = 422, description = "No such editor", body = ErrorBody),
    )
)]
pub async fn assign(
    state: State,
    req: HttpRequest,
    staff: Signed<CanEdit>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let request: AssignRequest = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    state
        .write_notifying(move |c, n| {
            workflow::assign(c, id, &actor, request.assignee_email.as_deref(), request.version, n, now)
        })
        .await?;
    answer_ticket(&state, &staff.actor, id).await
}

/// A new severity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeverityRequest {
    /// `low`, `normal`, `high` or `legal`.
    #[schema(value_type = Severity)]
    pub severity: String,
    /// The report's version as last read.
    pub version: i64,
}

/// Changes a ticket's severity (and so its deadline).
#[utoipa::path(
    post, path = "/api/v1/desk/reports/{id}/severity", tag = "desk",
    params(("id" = i64, Path, description = "The report's number")),
    request_body = SeverityRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = TicketJson),
        (status = 403, description = "Not an editor", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
        (status = 409, description = "Stale version", body = ErrorBody),
        (status = 422, description = "Unknown severity", body = ErrorBody),
    )
)]
pub async fn severity(
    state: State,
    req: HttpRequest,
    staff: Signed<CanEdit>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let request: SeverityRequest = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now, targets) = (staff.actor.clone(), state.now(), state.config.response_targets);
    state
        .write_notifying(move |c, n| {
            workflow::set_severity(c, id, &actor, &request.severity, request.version, &targets, n, now)
        })
        .await?;
    answer_ticket(&state, &staff.actor, id).await
}

/// An internal note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// The note; never shown to the reader.
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub body: String,
}

/// Adds an internal note.
#[utoipa::path(
    post, path = "/api/v1/desk/reports/{id}/notes", tag = "desk",
    params(("id" = i64, Path, description = "The report's number")),
    request_body = NoteRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = TicketJson),
        (status = 403, description = "Not an editor", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
        (status = 422, description = "Empty or too long", body = ErrorBody),
    )
)]
pub async fn note(
    state: State,
    req: HttpRequest,
    staff: Signed<CanEdit>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let request: NoteRequest = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    state.db.write(move |c| workflow::add_note(c, id, &actor, &request.body, now)).await?;
    let mut response = answer_ticket(&state, &staff.actor, id).await?;
    *response.status_mut() = actix_web::http::StatusCode::CREATED;
    Ok(response)
}

/// What a bulk action did, ticket by ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResults {
    /// One result per ticket, in the order asked.
    pub results: Vec<BulkResult>,
}

/// Acts on several tickets at once; each is changed with its own version check, and the answer
/// says which were changed and which were refused and why.
#[utoipa::path(
    post, path = "/api/v1/desk/reports/bulk", tag = "desk",
    request_body = BulkRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Each ticket's result", body = BulkResults),
        (status = 401, description = "No or bad API token", body = ErrorBody),
        (status = 403, description = "Not an editor", body = ErrorBody),
        (status = 422, description = "No tickets, too many, or what the action needs is missing", body = ErrorBody),
    )
)]
pub async fn bulk(
    state: State,
    req: HttpRequest,
    staff: Signed<CanEdit>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let request: BulkRequest = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now, targets) = (staff.actor.clone(), state.now(), state.config.response_targets);
    let results = state.write_notifying(move |c, n| bulk::apply(c, &actor, &request, &targets, n, now)).await?;
    Ok(HttpResponse::Ok().json(BulkResults { results }))
}
