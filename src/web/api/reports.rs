//! Readers' reports in the API: filing one, and what the holder of its token may read and do.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::reports::{self, ReportInput, Status, Tracking};
use crate::domain::workflow;
use crate::error::AppError;
use crate::web::errors::ErrorBody;
use crate::web::extract::{client_ip, parse_json, read_body, REPORT_BODY_LIMIT};
use crate::web::present::private_page_headers;
use crate::web::{steps, AppState, State};

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
    let filed = steps::file_report(&state, article_id, input, ip).await?;
    let status_url = state.url(&format!("/reports/{}", filed.token));
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/reports/{}", filed.token)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(FiledReport { token: filed.token, status: filed.status, status_url }))
}

/// The report as its reader sees it, never cached or indexed.
async fn tracked(state: &AppState, token: String) -> Result<HttpResponse, AppError> {
    let (tracking, _article) = state.db.read(move |c| reports::track(c, &token)).await?;
    let mut response = HttpResponse::Ok().json(tracking);
    private_page_headers(&mut response);
    Ok(response)
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
    tracked(&state, path.into_inner()).await
}

/// The reader's answer to the editor's question.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// The answer.
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub body: String,
}

/// The reader's appeal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    /// Why the decision should be reviewed.
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub reason: String,
}

/// Answers the editor's question; the report returns to `in_review`.
#[utoipa::path(
    post, path = "/api/v1/reports/{token}/replies", tag = "reports",
    params(("token" = String, Path, description = "The tracking token")),
    request_body = ReplyRequest,
    responses(
        (status = 200, description = "Answered; the report as the reader sees it", body = Tracking),
        (status = 404, description = "No report has this token", body = ErrorBody),
        (status = 409, description = "No open question", body = ErrorBody),
        (status = 422, description = "Empty or too long", body = ErrorBody),
    )
)]
pub async fn reply(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let request: ReplyRequest = parse_json(&read_body(&req, payload, REPORT_BODY_LIMIT).await?)?;
    let (t, now) = (token.clone(), state.now());
    state
        .write_notifying(move |c, n| {
            let report = reports::for_token(c, &t)?;
            workflow::reply(c, &report, &request.body, n, now)
        })
        .await?;
    tracked(&state, token).await
}

/// Appeals a `no_change` or `rejected` decision, once.
#[utoipa::path(
    post, path = "/api/v1/reports/{token}/appeal", tag = "reports",
    params(("token" = String, Path, description = "The tracking token")),
    request_body = AppealRequest,
    responses(
        (status = 200, description = "Appealed", body = Tracking),
        (status = 404, description = "No report has this token", body = ErrorBody),
        (status = 409, description = "Not appealable now, or already appealed", body = ErrorBody),
        (status = 422, description = "Empty or too long", body = ErrorBody),
    )
)]
pub async fn appeal(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let request: AppealRequest = parse_json(&read_body(&req, payload, REPORT_BODY_LIMIT).await?)?;
    let (t, now) = (token.clone(), state.now());
    state
        .write_notifying(move |c, n| {
            let report = reports::for_token(c, &t)?;
            workflow::appeal(c, &report, &request.reason, n, now)
        })
        .await?;
    tracked(&state, token).await
}
