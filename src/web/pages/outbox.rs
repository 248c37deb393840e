//! The outbox page: queued, sent and failed mail and webhook deliveries, for standards editors.

use actix_web::HttpResponse;
use corrigenda_templates as views;

use crate::db::models::{OutboxRow, WebhookOutbox};
use crate::error::AppError;
use crate::web::auth::{IsStandards, Signed};
use crate::web::present::{html, staff_layout, time};
use crate::web::State;

/// `GET /desk/outbox`: queued, sent and failed mail, for standards editors.
pub async fn outbox(state: State, staff: Signed<IsStandards>) -> Result<HttpResponse, AppError> {
    let status = state.db.read(|c| Ok(OutboxRow::counts(c)?)).await?;
    let ((hooks_queued, hooks_sent, hooks_failed), recent) =
        state.db.read(|c| Ok((WebhookOutbox::counts(c)?, WebhookOutbox::recent(c, 30)?))).await?;
    let view = views::OutboxView {
        queued: status.queued,
        sent: status.sent,
        failed: status.failed,
        oldest_pending: status.oldest_pending.map(time),
        transport: state.mail_transport.clone(),
        failures: status.recent_failures,
        hooks_queued,
        hooks_sent,
        hooks_failed,
        deliveries: recent
            .into_iter()
            .map(|d| views::HookDeliveryItem {
                id: d.id,
                event: d.event,
                endpoint_url: d.endpoint_url,
                status_label: d.status.label().into(),
                attempts: d.attempts,
                last_response: d.last_status.map_or("none".to_owned(), |c| c.to_string()),
                last_error: d.last_error,
                queued_at: time(d.created_at),
            })
            .collect(),
    };
    Ok(html(200, views::outbox(&staff_layout(&state, &staff), &view)))
}
