//! Suggested wordings in the API: every staff member may read them, standards editors change them.

use actix_web::{web, HttpRequest, HttpResponse};

use super::DESK_BODY_LIMIT;
use crate::domain::corrections::Kind;
use crate::domain::wordings::{self, WordingInput, WordingList, WordingView};
use crate::error::AppError;
use crate::web::auth::{CanRead, IsStandards, Signed};
use crate::web::errors::ErrorBody;
use crate::web::extract::{parse_json, read_body};
use crate::web::State;

/// A kind of notice from a path; anything else is a wording that does not exist.
pub fn parse_kind(raw: &str) -> Result<Kind, AppError> {
    Kind::parse(raw).ok_or_else(|| {
        AppError::NotFound(format!("there is no wording for {raw:?}: the kinds are {}", Kind::allowed()))
    })
}

/// Every kind's suggested wording.
#[utoipa::path(
    get, path = "/api/v1/desk/wordings", tag = "desk",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One wording per kind, customised or the default", body = WordingList),
        (status = 401, description = "No or bad API token", body = ErrorBody),
    )
)]
pub async fn list(state: State, _staff: Signed<CanRead>) -> Result<HttpResponse, AppError> {
    let items = state.db.read(wordings::list).await?;
    Ok(HttpResponse::Ok().json(WordingList { items }))
}

/// Replaces a kind's suggested wording.
#[utoipa::path(
    put, path = "/api/v1/desk/wordings/{kind}", tag = "desk",
    params(("kind" = Kind, Path, description = "The kind of notice")),
    request_body = WordingInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved (the default's own words restore the default)", body = WordingView),
        (status = 401, description = "No or bad API token", body = ErrorBody),
        (status = 403, description = "Not a standards editor", body = ErrorBody),
        (status = 404, description = "No such kind", body = ErrorBody),
        (status = 409, description = "Someone else saved this kind's wording at the same moment", body = ErrorBody),
        (status = 422, description = "The text is empty or too long; `field` is `text`", body = ErrorBody),
    )
)]
pub async fn update(
    state: State,
    req: HttpRequest,
    staff: Signed<IsStandards>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let kind = parse_kind(&path.into_inner())?;
    let input: WordingInput = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    let saved = state.db.write(move |c| wordings::set(c, &actor, kind, &input, now)).await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// Restores a kind's built-in wording.
#[utoipa::path(
    delete, path = "/api/v1/desk/wordings/{kind}", tag = "desk",
    params(("kind" = Kind, Path, description = "The kind of notice")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Back to the default (also when it already was)", body = WordingView),
        (status = 401, description = "No or bad API token", body = ErrorBody),
        (status = 403, description = "Not a standards editor", body = ErrorBody),
        (status = 404, description = "No such kind", body = ErrorBody),
    )
)]
pub async fn reset(
    state: State,
    staff: Signed<IsStandards>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let kind = parse_kind(&path.into_inner())?;
    let actor = staff.actor.clone();
    let restored = state.db.write(move |c| wordings::reset(c, &actor, kind)).await?;
    Ok(HttpResponse::Ok().json(restored))
}
