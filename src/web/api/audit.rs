//! The audit trail in the API.

use actix_web::{HttpRequest, HttpResponse};

use crate::db::vocabulary::EventKind;
use crate::domain::audit::{self, AuditFilter, AuditPage};
use crate::error::AppError;
use crate::web::auth::{CanAudit, Signed};
use crate::web::errors::ErrorBody;
use crate::web::extract::api_query_pairs;
use crate::web::State;

/// The audit trail as JSON, newest first; reader names and emails are never in it.
#[utoipa::path(
    get, path = "/api/v1/audit/events", tag = "audit",
    params(
        ("actor" = Option<String>, Query, description = "A staff member's email", min_length = 1, pattern = r"^[\t\n\x0b\x0c\r\x85 ]*[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*[\t\n\x0b\x0c\r\x85 ]*$"),
        ("kind" = Option<EventKind>, Query, description = "An event kind"),
        ("from" = Option<String>, Query, description = "On or after this day (YYYY-MM-DD, UTC)", format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("to" = Option<String>, Query, description = "On or before this day; one before `from` matches nothing", format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("cursor" = Option<i64>, Query, description = "The `next` of the previous page"),
        ("limit" = Option<i64>, Query, description = "1 to 500, default 100", minimum = 1, maximum = 500),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of events", body = AuditPage),
        (status = 401, description = "No or bad API token", body = ErrorBody),
        (status = 403, description = "Not an auditor or standards editor", body = ErrorBody),
        (status = 422, description = "Bad filter", body = ErrorBody),
    )
)]
pub async fn events_json(state: State, req: HttpRequest, _staff: Signed<CanAudit>) -> Result<HttpResponse, AppError> {
    let filter = AuditFilter::parse(&api_query_pairs(&req, &["actor", "kind", "from", "to", "cursor", "limit"])?)?;
    let page = state.db.read(move |c| audit::events(c, &filter)).await?;
    Ok(HttpResponse::Ok().json(page))
}
