//! The outbox page: queued, sent and failed mail, for standards editors.

use actix_web::HttpResponse;
use corrigenda_templates as views;

use crate::db::models::OutboxRow;
use crate::error::AppError;
use crate::web::auth::{IsStandards, Signed};
use crate::web::present::{html, staff_layout, time};
use crate::web::State;

/// `GET /desk/outbox`: queued, sent and failed mail, for standards editors.
pub async fn outbox(state: State, staff: Signed<IsStandards>) -> Result<HttpResponse, AppError> {
    let status = state.db.read(|c| Ok(OutboxRow::counts(c)?)).await?;
    let view = views::OutboxView {
        queued: status.queued,
        sent: status.sent,
        failed: status.failed,
        oldest_pending: status.oldest_pending.map(time),
        transport: state.mail_transport.clone(),
        failures: status.recent_failures,
    };
    Ok(html(200, views::outbox(&staff_layout(&state, &staff), &view)))
}
