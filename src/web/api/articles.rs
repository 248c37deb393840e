//! The JSON API under `/api/v1`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::articles::{self, ArticleId, ArticleInput, ArticleView, Upserted};
use crate::domain::reports::{self, ReportInput, Status, Tracking};
use crate::error::AppError;
use crate::web::errors::ErrorBody;
use crate::web::extract::{
    bearer_actor, client_ip, parse_json, read_body, require_editor, ARTICLE_BODY_LIMIT, REPORT_BODY_LIMIT,
};
use crate::web::AppState;

type State = web::Data<AppState>;

/// Creates or replaces an article (the publisher's CMS calls this).
#[utoipa::path(
    put, path = "/api/v1/articles/{id}", tag = "articles",
    params(("id" = String, Path, description = "The CMS's article ID: 1 to 128 characters of A-Z a-z 0-9 - _ . : ~")),
    request_body = ArticleInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = ArticleView),
        (status = 200, description = "Replaced", body = ArticleView),
        (status = 400, description = "Not JSON or not UTF-8", body = ErrorBody),
        (status = 401, description = "No or bad API token", body = ErrorBody),
        (status = 403, description = "The token's role may not change data", body = ErrorBody),
        (status = 413, description = "Body over 4 MiB", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid; `field` names it", body = ErrorBody),
    )
)]
pub async fn put_article(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let actor = bearer_actor(&req, &state).await?;
    require_editor(&actor)?;
    let id = ArticleId::parse(&path.into_inner()).map_err(|e| AppError::Invalid(vec![e]))?;
    let input: ArticleInput = parse_json(&read_body(&req, payload, ARTICLE_BODY_LIMIT).await?)?;
    let now = state.now();
    let (article, outcome) = state.db.write(move |c| articles::upsert(c, &id, &input, now)).await?;
    let mut response = match outcome {
        Upserted::Created => HttpResponse::Created(),
        Upserted::Updated => HttpResponse::Ok(),
    };
    Ok(response
        .insert_header((header::LOCATION, format!("/api/v1/articles/{}", article.id)))
        .json(ArticleView::from(&article)))
}

/// Reads an article.
#[utoipa::path(
    get, path = "/api/v1/articles/{id}", tag = "articles",
    params(("id" = String, Path, description = "The CMS's article ID")),
    responses(
        (status = 200, description = "The article", body = ArticleView),
        (status = 404, description = "Unknown article", body = ErrorBody),
    )
)]
pub async fn get_article(state: State, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let article = state.db.read(move |c| articles::get(c, &id)).await?;
    Ok(HttpResponse::Ok().json(ArticleView::from(&article)))
}

/// The answer to a filed report: the token is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiledReport {
    /// The reader's only key to the report: keep it secret.
    pub token: String,
    /// Always `new`.
    pub status: Status,
    /// The tracking page for people.
    pub status_url: String,
}

/// Files a reader's correction report.
#[utoipa::path(
    post, path = "/api/v1/articles/{id}/reports", tag = "reports",
    params(("id" = String, Path, description = "The reported article's ID")),
    request_body = ReportInput,
    responses(
        (status = 201, description = "Filed", body = FiledReport),
        (status = 400, description = "Not JSON or not UTF-8", body = ErrorBody),
        (status = 404, description = "Unknown article", body = ErrorBody),
        (status = 413, description = "Body over 256 KiB", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid, or the quote is not in the article", body = ErrorBody),
        (status = 429, description = "Too many reports from this client; see Retry-After", body = ErrorBody),
    )
)]
pub async fn file_report(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let article_id = path.into_inner();
    let input: ReportInput = parse_json(&read_body(&req, payload, REPORT_BODY_LIMIT).await?)?;
    let ip = client_ip(&req, &state.config.trusted_proxies);
    let filed = crate::web::pages::reports::file_report(&state, article_id, input, ip).await?;
    let status_url = state.url(&format!("/reports/{}", filed.token));
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/reports/{}", filed.token)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(FiledReport { token: filed.token, status: filed.status, status_url }))
}

/// A report's status and public history, for the holder of its token.
#[utoipa::path(
    get, path = "/api/v1/reports/{token}", tag = "reports",
    params(("token" = String, Path, description = "The tracking token returned when the report was filed")),
    responses(
        (status = 200, description = "Status and public history (never the reporter's name or email)", body = Tracking),
        (status = 404, description = "No report has this token", body = ErrorBody),
    )
)]
pub async fn track_report(state: State, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let (tracking, _article) = state.db.read(move |c| reports::track(c, &token)).await?;
    let mut response = HttpResponse::Ok().json(tracking);
    crate::web::pages::reports::private_page_headers(&mut response);
    Ok(response)
}
