//! Desks in the API: standards editors describe them; every editor reads them, marks
//! themselves away or back, and moves reports between them.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::DESK_BODY_LIMIT;
use crate::domain::desks::{self, DeskInput, DeskSaved, DeskSlug, DeskView};
use crate::domain::routing;
use crate::error::AppError;
use crate::web::auth::{CanEdit, CanRead, IsStandards, Signed};
use crate::web::errors::ErrorBody;
use crate::web::extract::{parse_id, parse_json, read_body};
use crate::web::State;

/// Every desk.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeskList {
    /// In the order their rules are tried.
    pub items: Vec<DeskView>,
}

/// The desks, in the order their rules are tried.
#[utoipa::path(
    get, path = "/api/v1/desk/desks", tag = "desks",
    security(("bearer" = [])),
    responses((status = 200, description = "Every desk, in rule order", body = DeskList))
)]
pub async fn list(state: State, _staff: Signed<CanRead>) -> Result<HttpResponse, AppError> {
    let items = state.db.read(desks::list).await?;
    Ok(HttpResponse::Ok().json(DeskList { items }))
}

/// One desk.
#[utoipa::path(
    get, path = "/api/v1/desk/desks/{slug}", tag = "desks",
    params(("slug" = DeskSlug, Path, description = "The desk's slug")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The desk", body = DeskView),
        (status = 404, description = "No such desk", body = ErrorBody),
        (status = 422, description = "Not a slug", body = ErrorBody),
    )
)]
pub async fn get(state: State, _staff: Signed<CanRead>, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let slug = desks::parse_slug(&path.into_inner())?;
    let view = state.db.read(move |c| desks::get(c, &slug)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Creates or replaces a desk: its members, lead, routing rules and assignment mode.
///
/// Members left out of a replaced desk lose its open reports they held (given to another member
/// when the desk assigns automatically); `affected` lists them.
#[utoipa::path(
    put, path = "/api/v1/desk/desks/{slug}", tag = "desks",
    params(("slug" = DeskSlug, Path, description = "The desk's slug: 1 to 40 lowercase letters, digits and inner hyphens")),
    request_body = DeskInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Replaced", body = DeskSaved),
        (status = 201, description = "Created", body = DeskSaved),
        (status = 403, description = "Not a standards editor", body = ErrorBody),
        (status = 409, description = "`endpoint_id` is not a registered chat endpoint", body = ErrorBody),
        (status = 422, description = "A bad slug, name, member or lead (not an active editor), section, category, severity, assignment mode or position; `field` names it", body = ErrorBody),
    )
)]
pub async fn put(
    state: State,
    req: HttpRequest,
    staff: Signed<IsStandards>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let slug = desks::parse_slug(&path.into_inner())?;
    let input: DeskInput = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    let (created, saved) =
        state.write_notifying(move |c, n| desks::save(c, Some(&actor), &slug, &input, n, now)).await?;
    Ok(if created { HttpResponse::Created() } else { HttpResponse::Ok() }.json(saved))
}

/// Removes a desk; its open reports go back to routing (another desk's rules, or the general queue).
#[utoipa::path(
    delete, path = "/api/v1/desk/desks/{slug}", tag = "desks",
    params(("slug" = DeskSlug, Path, description = "The desk's slug")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Removed; `affected` lists the reports routed again", body = DeskSaved),
        (status = 403, description = "Not a standards editor", body = ErrorBody),
        (status = 404, description = "No such desk", body = ErrorBody),
        (status = 422, description = "Not a slug; `field` is slug", body = ErrorBody),
    )
)]
pub async fn delete(
    state: State,
    staff: Signed<IsStandards>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = desks::parse_slug(&path.into_inner())?;
    let (actor, now) = (staff.actor.clone(), state.now());
    let saved = state.write_notifying(move |c, n| desks::remove(c, Some(&actor), &slug, n, now)).await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// Whether the signed-in editor is away.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// true: away (automatic assignment skips you); false: back.
    pub away: bool,
}

/// Marks the signed-in editor away or back.
#[utoipa::path(
    post, path = "/api/v1/desk/me/availability", tag = "desks",
    request_body = Availability,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your availability as it is now", body = Availability),
        (status = 403, description = "An auditor, who has no reports to take", body = ErrorBody),
        (status = 422, description = "`away` missing or not true or false", body = ErrorBody),
    )
)]
pub async fn availability(
    state: State,
    req: HttpRequest,
    staff: Signed<CanEdit>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let input: Availability = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let actor = staff.actor.clone();
    let away = input.away;
    state.db.write(move |c| desks::set_away(c, &actor, away)).await?;
    Ok(HttpResponse::Ok().json(Availability { away }))
}

/// A move of a report to another desk.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeskMove {
    /// The desk's slug; null: the general queue.
    #[schema(value_type = Option<DeskSlug>)]
    pub desk: Option<String>,
    /// Why (kept on the ticket's timeline).
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub reason: String,
    /// The report's version as last read.
    pub version: i64,
}

/// Moves a report to another desk (or the general queue), with a reason.
#[utoipa::path(
    post, path = "/api/v1/desk/reports/{id}/desk", tag = "desks",
    params(("id" = i64, Path, description = "The report's number")),
    request_body = DeskMove,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Moved; the ticket as it is now", body = super::desk::TicketJson),
        (status = 403, description = "Not an editor", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
        (status = 409, description = "A stale version, a closed report, or the report is on that desk already", body = ErrorBody),
        (status = 422, description = "No such desk, or no reason; `field` names it", body = ErrorBody),
    )
)]
pub async fn move_report(
    state: State,
    req: HttpRequest,
    staff: Signed<CanEdit>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let input: DeskMove = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    state
        .write_notifying(move |c, n| {
            routing::move_report(c, id, &actor, input.desk.as_deref(), &input.reason, input.version, n, now)
        })
        .await?;
    super::desk::answer_ticket(&state, &staff.actor, id).await
}
