//! Saved responses in the API: every staff member may read them, standards editors change them.

use actix_web::{web, HttpRequest, HttpResponse};

use super::DESK_BODY_LIMIT;
use crate::domain::responses::{self, ResponseInput, ResponseList, ResponseView};
use crate::error::AppError;
use crate::web::auth::{CanRead, IsStandards, Signed};
use crate::web::errors::ErrorBody;
use crate::web::extract::{parse_json, read_body};
use crate::web::State;

/// A saved response's number from a path; anything else is a response that does not exist.
pub fn parse_response_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound(format!("no saved response has the number {raw:?}")))
}

/// Every saved response.
#[utoipa::path(
    get, path = "/api/v1/desk/responses", tag = "desk",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The saved responses, by purpose then title", body = ResponseList),
        (status = 401, description = "No or bad API token", body = ErrorBody),
    )
)]
pub async fn list(state: State, _staff: Signed<CanRead>) -> Result<HttpResponse, AppError> {
    let items = state.db.read(responses::list).await?;
    Ok(HttpResponse::Ok().json(ResponseList { items: items.into_iter().map(ResponseView::from).collect() }))
}

/// Adds a saved response.
#[utoipa::path(
    post, path = "/api/v1/desk/responses", tag = "desk",
    request_body = ResponseInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = ResponseView),
        (status = 401, description = "No or bad API token", body = ErrorBody),
        (status = 403, description = "Not a standards editor", body = ErrorBody),
        (status = 409, description = "Another saved response has this title", body = ErrorBody),
        (status = 422, description = "A field missing or invalid, or an unknown placeholder; `field` names it", body = ErrorBody),
    )
)]
pub async fn create(
    state: State,
    req: HttpRequest,
    staff: Signed<IsStandards>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let input: ResponseInput = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    let saved = state.db.write(move |c| responses::create(c, &actor, &input, now)).await?;
    Ok(HttpResponse::Created().json(ResponseView::from(saved)))
}

/// Replaces a saved response.
#[utoipa::path(
    put, path = "/api/v1/desk/responses/{id}", tag = "desk",
    params(("id" = i64, Path, description = "The saved response's number")),
    request_body = ResponseInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Replaced", body = ResponseView),
        (status = 403, description = "Not a standards editor", body = ErrorBody),
        (status = 404, description = "No such saved response", body = ErrorBody),
        (status = 409, description = "Another saved response has this title", body = ErrorBody),
        (status = 422, description = "A field missing or invalid, or an unknown placeholder; `field` names it", body = ErrorBody),
    )
)]
pub async fn update(
    state: State,
    req: HttpRequest,
    staff: Signed<IsStandards>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = parse_response_id(&path.into_inner())?;
    let input: ResponseInput = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    let saved = state.db.write(move |c| responses::update(c, &actor, id, &input, now)).await?;
    Ok(HttpResponse::Ok().json(ResponseView::from(saved)))
}

/// Deletes a saved response (reasons already given keep their words).
#[utoipa::path(
    delete, path = "/api/v1/desk/responses/{id}", tag = "desk",
    params(("id" = i64, Path, description = "The saved response's number")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not a standards editor", body = ErrorBody),
        (status = 404, description = "No such saved response", body = ErrorBody),
    )
)]
pub async fn delete(
    state: State,
    staff: Signed<IsStandards>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_response_id(&path.into_inner())?;
    let actor = staff.actor.clone();
    state.db.write(move |c| responses::delete(c, &actor, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
