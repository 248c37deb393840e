//! The OpenAPI document at `/api/v1/openapi.json`.

use actix_web::HttpResponse;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::api;
use super::errors::{ErrorBody, ErrorDetail};
use crate::domain::articles::{ArticleInput, ArticleView};
use crate::domain::reports::{Category, HistoryEntry, ReportInput, Status, Tracking};

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Corrigenda API",
        version = "1",
        description = "Corrections and editorial standards: articles from the CMS, reader reports and their tracking. \
                       Errors are `{error: {code, message, field?}}`."
    ),
    paths(api::put_article, api::get_article, api::file_report, api::track_report),
    components(schemas(ArticleInput, ArticleView, ReportInput, api::FiledReport, Tracking, HistoryEntry, Category, Status, ErrorBody, ErrorDetail)),
    modifiers(&BearerToken),
    tags((name = "articles", description = "Articles as the CMS knows them"), (name = "reports", description = "Readers' correction reports"))
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
