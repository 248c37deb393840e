//! Email: the domain's notices become outbox rows in the same transaction as their cause
//! ([`notify`]); a dispatcher delivers the rows (see [`dispatch`]). [`webhooks`] does the same
//! for webhooks and chat alerts.

pub mod dispatch;
pub mod files;
pub mod messages;
pub mod retention;
pub mod syndication;
pub mod webhooks;

use chrono::NaiveDateTime;

use crate::db::models::NewOutboxRow;
use crate::db::vocabulary::OutboxStatus;
use crate::db::DbConnection;
use crate::domain::notices::Notices;
use crate::domain::secrets;
use crate::error::AppError;

/// What messages need to know about the site.
#[derive(Debug, Clone)]
pub struct Context {
    /// Public base URL, without a trailing slash, for links.
    pub base_url: String,
    /// The publication's name.
    pub publication: String,
}

impl Context {
    /// An absolute URL on the site.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// What it is, e.g. `reader_receipt`.
    pub kind: &'static str,
    /// One recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// The view both parts are rendered from.
    pub view: corrigenda_templates::EmailView,
}

/// Queues the mail each notice calls for (inside the caller's transaction, so it is sent
/// exactly when the action it reports is committed).
pub fn notify(conn: &mut DbConnection, ctx: &Context, notices: &Notices, now: NaiveDateTime) -> Result<(), AppError> {
    for notice in notices.as_slice() {
        for message in messages::for_notice(conn, ctx, notice, now)? {
            enqueue(conn, ctx, message, now)?;
        }
        syndication::correctives(conn, ctx, notice, now)?;
    }
    Ok(())
}

/// Writes the message to the outbox (inside the caller's transaction); returns its row's id.
pub fn enqueue(conn: &mut DbConnection, ctx: &Context, m: Outgoing, now: NaiveDateTime) -> Result<i64, AppError> {
    let host = url::Url::parse(&ctx.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".into());
    let message_id = format!("<{}@{host}>", secrets::new_token());
    NewOutboxRow {
        kind: m.kind,
        recipient: &m.to,
        subject: &m.subject,
        body_text: &corrigenda_templates::email_text(&m.view),
        body_html: &corrigenda_templates::email_html(&m.view).into_string(),
        message_id: &message_id,
        list_unsubscribe: m.view.unsubscribe.as_deref(),
        status: OutboxStatus::Queued,
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
    }
    .insert(conn)
    .map_err(AppError::from)
}
