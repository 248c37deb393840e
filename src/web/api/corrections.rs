//! Corrections in the API: publishing and approving them, an article's and the whole site's.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::DESK_BODY_LIMIT;
use crate::domain::articles::ArticleView;
use crate::domain::corrections::{self, CorrectionInput, CorrectionList, CorrectionView, Kind, StaffCorrection, Stop};
use crate::error::AppError;
use crate::web::auth::{CanEdit, Signed};
use crate::web::errors::ErrorBody;
use crate::web::extract::{api_query_pairs, parse_json, read_body};
use crate::web::present::public_headers;
use crate::web::{steps, State};

/// Publishes a correction, or holds it for a standards editor's approval (retractions, headline corrections).
#[utoipa::path(
    post, path = "/api/v1/desk/corrections", tag = "corrections",
    request_body = CorrectionInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Published (`status` published) or held for approval (`status` pending), with its cause and how it was found", body = StaffCorrection),
        (status = 403, description = "The role may not publish", body = ErrorBody),
        (status = 404, description = "Unknown article", body = ErrorBody),
        (status = 409, description = "A linked report is closed or already pending, or it needs approval and no other standards editor exists", body = ErrorBody),
        (status = 422, description = "Unknown kind, cause, found or standard, or a bad field; `field` names it", body = ErrorBody),
    )
)]
pub async fn publish(
    state: State,
    req: HttpRequest,
    staff: Signed<CanEdit>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let input: CorrectionInput = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    let view = state
        .write_notifying(move |c, n| {
            let published = corrections::publish(c, &actor, &input, n, now)?;
            corrections::staff_view(c, published.id)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// Approves a pending correction, which publishes it (a standards editor other than its author).
#[utoipa::path(
    post, path = "/api/v1/desk/corrections/{id}/approval", tag = "corrections",
    params(("id" = i64, Path, description = "The correction's number")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Approved and published", body = StaffCorrection),
        (status = 403, description = "Not a standards editor, or the author", body = ErrorBody),
        (status = 404, description = "No such correction", body = ErrorBody),
        (status = 409, description = "Already published", body = ErrorBody),
    )
)]
pub async fn approve(state: State, staff: Signed<CanEdit>, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let id: i64 = raw.parse().map_err(|_| AppError::NotFound(format!("no correction has the number {raw:?}")))?;
    let (actor, now) = (staff.actor.clone(), state.now());
    let view = state
        .write_notifying(move |c, n| {
            corrections::approve(c, &actor, id, n, now)?;
            corrections::staff_view(c, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Why a pending correction is returned or withdrawn.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopInput {
    /// For a return, what the author should change; for a withdrawal, why it should not be published.
    #[serde(default)]
    #[schema(value_type = String, required = true, nullable = false, min_length = 1, max_length = 5000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub reason: Option<String>,
}

/// Returns or withdraws the pending correction named in the path.
async fn stop(
    state: State,
    req: HttpRequest,
    staff: Signed<CanEdit>,
    path: web::Path<String>,
    payload: web::Payload,
    how: Stop,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let id: i64 = raw.parse().map_err(|_| AppError::NotFound(format!("no correction has the number {raw:?}")))?;
    let input: StopInput = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    let view = state
        .write_notifying(move |c, n| {
            corrections::stop(c, &actor, id, how, input.reason.as_deref(), n, now)?;
            corrections::staff_view(c, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Returns a pending correction to its author for changes; its reports go back to review.
#[utoipa::path(
    post, path = "/api/v1/desk/corrections/{id}/return", tag = "corrections",
    params(("id" = i64, Path, description = "The correction's number")),
    request_body = StopInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Returned (`status` returned); the author is emailed the reason", body = StaffCorrection),
        (status = 403, description = "Not a standards editor, or the author", body = ErrorBody),
        (status = 404, description = "No such correction", body = ErrorBody),
        (status = 409, description = "It does not await approval", body = ErrorBody),
        (status = 422, description = "No reason; `field` is reason", body = ErrorBody),
    )
)]
pub async fn return_to_author(
    state: State,
    req: HttpRequest,
    staff: Signed<CanEdit>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    stop(state, req, staff, path, payload, Stop::Return).await
}

/// Withdraws a pending correction (its author or a standards editor); its reports go back to review.
#[utoipa::path(
    post, path = "/api/v1/desk/corrections/{id}/withdraw", tag = "corrections",
    params(("id" = i64, Path, description = "The correction's number")),
    request_body = StopInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Withdrawn (`status` withdrawn)", body = StaffCorrection),
        (status = 403, description = "Neither its author nor a standards editor", body = ErrorBody),
        (status = 404, description = "No such correction", body = ErrorBody),
        (status = 409, description = "It does not await approval", body = ErrorBody),
        (status = 422, description = "No reason; `field` is reason", body = ErrorBody),
    )
)]
pub async fn withdraw(
    state: State,
    req: HttpRequest,
    staff: Signed<CanEdit>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    stop(state, req, staff, path, payload, Stop::Withdraw).await
}

/// An article with its published corrections.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleCorrections {
    /// The article (without its text, unless the publisher made it public).
    pub article: ArticleView,
    /// When the article was last corrected (RFC 3339, UTC): the latest `published_at` among its
    /// corrections, the `dateModified` of the notice's JSON-LD; null when it has none.
    #[serde(serialize_with = "crate::domain::time::rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub date_modified: Option<DateTime<Utc>>,
    /// Its published corrections, newest first.
    pub corrections: Vec<CorrectionView>,
}

/// The published corrections of an article.
#[utoipa::path(
    get, path = "/api/v1/articles/{id}/corrections", tag = "corrections",
    params(("id" = String, Path, description = "The article's ID")),
    responses(
        (status = 200, description = "The article and its corrections", body = ArticleCorrections),
        (status = 404, description = "Unknown article", body = ErrorBody),
    )
)]
pub async fn article_corrections_json(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    state
        .public
        .answer(&state.db, &req, || async {
            let (article, list) = steps::article_and_corrections(&state, path.into_inner()).await?;
            // A shared answer, the same for everyone: the text only when the publisher made it public.
            let article = match ArticleView::from(&article) {
                view if state.config.public_article_text => view,
                view => view.without_text(),
            };
            let date_modified = corrections::last_corrected(&list);
            let mut response =
                HttpResponse::Ok().json(ArticleCorrections { article, date_modified, corrections: list });
            public_headers(&mut response);
            Ok(response)
        })
        .await
}

/// Every published correction, newest first.
#[utoipa::path(
    get, path = "/api/v1/corrections", tag = "corrections",
    params(
        ("kind" = Option<Kind>, Query, description = "Only this kind"),
        ("section" = Option<String>, Query, description = "Only articles of this section", min_length = 1, pattern = r"^[\t\n\x0b\x0c\r\x85 ]*[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*[\t\n\x0b\x0c\r\x85 ]*$"),
        ("standard" = Option<String>, Query, description = "Only corrections citing this standard code", min_length = 1, pattern = r"^[\t\n\x0b\x0c\r\x85 ]*[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*[\t\n\x0b\x0c\r\x85 ]*$"),
        ("from" = Option<String>, Query, description = "Published on or after this day, YYYY-MM-DD (UTC)",
            format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("to" = Option<String>, Query, description = "Published on or before this day, YYYY-MM-DD (UTC); one before `from` matches nothing",
            format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("cursor" = Option<String>, Query, description = "The `next` of the previous page: the last row's sort key and id, as KEY.ID", pattern = r"^-?[0-9]{1,16}\.-?[0-9]{1,18}$"),
        ("limit" = Option<i64>, Query, description = "1 to 500, default 50", minimum = 1, maximum = 500),
    ),
    responses(
        (status = 200, description = "A page of the site-wide list of corrections", body = CorrectionList),
        (status = 422, description = "Bad filter; `field` names it", body = ErrorBody),
    )
)]
pub async fn site_corrections_json(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    state
        .public
        .answer(&state.db, &req, || async {
            let known = ["kind", "section", "standard", "from", "to", "cursor", "limit"];
            let page = steps::site_corrections(&state, &api_query_pairs(&req, &known)?).await?;
            let mut response = HttpResponse::Ok().json(page);
            public_headers(&mut response);
            Ok(response)
        })
        .await
}
