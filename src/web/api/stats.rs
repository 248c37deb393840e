//! The transparency figures in the API: public, and with the internal figures for the standards desk.

use actix_web::{HttpRequest, HttpResponse};

use crate::domain::stats::{DeskStats, Stats, StatsQuery};
use crate::error::AppError;
use crate::web::auth::{CanAudit, Signed};
use crate::web::errors::ErrorBody;
use crate::web::extract::api_query_pairs;
use crate::web::present::public_headers;
use crate::web::{steps, State};

/// The figures of a period: reports and how they ended, time to decision and to correction,
/// corrections by kind, by how found, by standard, by section and by month.
#[utoipa::path(
    get, path = "/api/v1/stats", tag = "stats",
    params(
        ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD in the publisher's time zone; default: the first day of the month eleven months before `to`'s", format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("to" = Option<String>, Query, description = "Last day (inclusive), YYYY-MM-DD; default today. Not before `from`, and at most 10 years after it", format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("section" = Option<String>, Query, description = "Only reports on and corrections of this section's articles", min_length = 1, pattern = r"\S"),
        ("standard" = Option<String>, Query, description = "Only corrections citing this standard code, and the reports they resolved", min_length = 1, pattern = r"\S"),
    ),
    responses(
        (status = 200, description = "The figures; a period without data has zeros and nulls", body = Stats),
        (status = 422, description = "A bad date, a reversed or longer than 10 years period, or an unknown section or standard; `field` names it", body = ErrorBody),
    )
)]
pub async fn public(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let stats = steps::stats(&state, &api_query_pairs(&req, &StatsQuery::PARAMETERS)?, false).await?;
    let mut response = HttpResponse::Ok().json(stats);
    public_headers(&mut response);
    Ok(response)
}

/// The same figures with the internal ones: corrections by cause, each editor's workload and each author's corrections.
#[utoipa::path(
    get, path = "/api/v1/desk/stats", tag = "stats",
    params(
        ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD in the publisher's time zone; default: the first day of the month eleven months before `to`'s", format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("to" = Option<String>, Query, description = "Last day (inclusive), YYYY-MM-DD; default today. Not before `from`, and at most 10 years after it", format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("section" = Option<String>, Query, description = "Only reports on and corrections of this section's articles", min_length = 1, pattern = r"\S"),
        ("standard" = Option<String>, Query, description = "Only corrections citing this standard code, and the reports they resolved", min_length = 1, pattern = r"\S"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The public figures and the internal ones", body = DeskStats),
        (status = 403, description = "Not a standards editor or auditor", body = ErrorBody),
        (status = 422, description = "A bad date, a reversed or longer than 10 years period, or an unknown section or standard; `field` names it", body = ErrorBody),
    )
)]
pub async fn desk(state: State, req: HttpRequest, _staff: Signed<CanAudit>) -> Result<HttpResponse, AppError> {
    let stats = steps::stats(&state, &api_query_pairs(&req, &StatsQuery::PARAMETERS)?, true).await?;
    Ok(HttpResponse::Ok().json(DeskStats::try_from(stats)?))
}
