//! The OpenAPI document at `/api/v1/openapi.json`.

use actix_web::HttpResponse;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::api::{articles, audit, corrections, desk, log, reports, responses, wordings};
use super::errors::{ErrorBody, ErrorDetail};
use crate::db::vocabulary::ResponsePurpose;
use crate::domain::articles::{ArticleInput, ArticleView};
use crate::domain::audit::{AuditItem, AuditPage};
use crate::domain::bulk::{BulkAction, BulkRequest, BulkResult};
use crate::domain::corrections::{
    CorrectionInput, CorrectionList, CorrectionView, Kind, ListedCorrection, StandardCite,
};
use crate::domain::desk::{QueueItem, QueuePage, StatusCount, ViewCount};
use crate::domain::reports::Severity;
use crate::domain::reports::{Category, HistoryEntry, ReportInput, Status, Tracking};
use crate::domain::responses::{ResponseInput, ResponseList, ResponseView};
use crate::domain::verify::{Checkpoint, Entry};
use crate::domain::wordings::{WordingInput, WordingList, WordingView};
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
        articles::put_article, articles::get_article, reports::file_report, reports::track_report,
        reports::reply, reports::appeal, desk::queue, desk::ticket,
        desk::transition, desk::assign, desk::severity, desk::note, desk::bulk,
        responses::list, responses::create, responses::update, responses::delete,
        wordings::list, wordings::update, wordings::reset,
        corrections::publish, corrections::approve, corrections::return_to_author, corrections::withdraw,
        corrections::article_corrections_json,
        corrections::site_corrections_json, log::checkpoint, log::entries, audit::events_json,
    ),
    components(schemas(
        ArticleInput, ArticleView, ReportInput, reports::FiledReport, Tracking, HistoryEntry, Category, Status, Severity,
        ErrorBody, ErrorDetail, QueuePage, QueueItem, StatusCount, ViewCount, MoveRequest, desk::TicketJson, desk::EventView,
        desk::Person, desk::AssignRequest, desk::SeverityRequest, desk::NoteRequest, desk::BulkResults,
        BulkRequest, BulkResult, BulkAction,
        ResponseInput, ResponseView, ResponseList, ResponsePurpose, WordingInput, WordingView, WordingList,
        reports::ReplyRequest, reports::AppealRequest, CorrectionInput, CorrectionView, Kind, ListedCorrection, CorrectionList,
        StandardCite, corrections::ArticleCorrections, corrections::StopInput, Checkpoint, Entry, log::EntriesPage, AuditItem, AuditPage,
    )),
    modifiers(&BearerToken),
    tags(
        (name = "articles", description = "Articles as the CMS knows them"),
        (name = "reports", description = "Readers' correction reports"),
        (name = "desk", description = "The editors' desk: queue, tickets and the review workflow"),
        (name = "corrections", description = "Published corrections, and their approval, return or withdrawal"),
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
