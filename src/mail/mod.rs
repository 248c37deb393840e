//! Email: the domain's notices become outbox rows in the same transaction as their cause
//! ([`notify`]); a dispatcher delivers the rows (see [`dispatch`]). [`webhooks`] does the same
//! for webhooks and chat alerts.

pub mod dispatch;
pub mod files;
pub mod messages;
pub mod retention;
pub mod syndication;
pub mod webhooks;

use std::collections::HashSet;

use chrono::NaiveDateTime;

use crate::db::models::NewOutboxRow;
use crate::db::vocabulary::OutboxStatus;
use crate::db::DbConnection;
use crate::domain::notices::{Notice, Notices};
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
    let mut planned = Vec::with_capacity(notices.as_slice().len());
    for notice in notices.as_slice() {
        planned.push((notice, messages::for_notice(conn, ctx, notice, now)?));
    }
    // One mail per person for one report: a desk member told at once of an urgent report is told
    // there that it is theirs, so the desk's automatic assignment does not write again.
    let told: HashSet<(String, i64)> = planned
        .iter()
        .filter_map(|(notice, ms)| report_of(notice).map(|id| (id, ms)))
        .flat_map(|(id, ms)| ms.iter().filter(|m| m.kind == messages::DESK_URGENT).map(move |m| (m.to.clone(), id)))
        .collect();
    for (notice, messages) in planned {
        for message in messages {
            if let Notice::Assigned { report_id, .. } = notice {
                if told.contains(&(message.to.clone(), report_id.0)) {
                    continue;
                }
            }
            enqueue(conn, ctx, message, now)?;
        }
        syndication::correctives(conn, ctx, notice, now)?;
    }
    Ok(())
}

/// The report an urgent notice is about, for [`notify`]'s one mail per person.
fn report_of(notice: &Notice) -> Option<i64> {
    match notice {
        Notice::ReportFiled { report_id, .. } | Notice::Routed { report_id, .. } => Some(report_id.0),
        _ => None,
    }
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
