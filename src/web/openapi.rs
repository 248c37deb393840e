//! The OpenAPI document at `/api/v1/openapi.json`.

use actix_web::HttpResponse;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::api::{articles as api, desk as api_desk};
use super::errors::{ErrorBody, ErrorDetail};
use super::pages::{audit, corrections as log};
use crate::domain::articles::{ArticleInput, ArticleView};
use crate::domain::audit::{AuditItem, AuditPage};
use crate::domain::corrections::{CorrectionInput, CorrectionView, Kind, LogItem, LogPage, StandardCite};
use crate::domain::desk::{QueueItem, QueuePage, StatusCount};
use crate::domain::reports::Severity;
use crate::domain::reports::{Category, HistoryEntry, ReportInput, Status, Tracking};
use crate::domain::verify::{Checkpoint, Entry};
use crate::domain::workflow::MoveRequest;

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Corrigenda API",
        version = "1",
        description = "Corrections and editorial standards: articles from the CMS, reader reports and their tracking. \
                       Errors are `{error: {code, message, field?}}`."
    ),
    paths(
        api::put_article, api::get_article, api::file_report, api::track_report,
        api_desk::reply, api_desk::appeal, api_desk::queue, api_desk::ticket,
        api_desk::transition, api_desk::assign, api_desk::severity, api_desk::note,
        api_desk::publish, api_desk::approve, log::article_log_json, log::site_log_json,
        audit::checkpoint, audit::entries, audit::events_json,
    ),
    components(schemas(
        ArticleInput, ArticleView, ReportInput, api::FiledReport, Tracking, HistoryEntry, Category, Status, Severity,
        ErrorBody, ErrorDetail, QueuePage, QueueItem, StatusCount, MoveRequest, api_desk::TicketJson, api_desk::EventView,
        api_desk::Person, api_desk::AssignRequest, api_desk::SeverityRequest, api_desk::NoteRequest,
        api_desk::ReplyRequest, api_desk::AppealRequest, CorrectionInput, CorrectionView, Kind, LogItem, LogPage,
        StandardCite, log::ArticleCorrections, Checkpoint, Entry, audit::EntriesPage, AuditItem, AuditPage,
    )),
    modifiers(&BearerToken),
    tags(
        (name = "articles", description = "Articles as the CMS knows them"),
        (name = "reports", description = "Readers' correction reports"),
        (name = "desk", description = "The editors' desk: queue, tickets and the review workflow"),
        (name = "corrections", description = "Published corrections and their approval"),
        (name = "log", description = "The hash-chained public log and its signed checkpoints"),
        (name = "audit", description = "The audit trail"),
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        }
    }
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
