//! Email: every message is an outbox row written in the same transaction as its cause;
//! a dispatcher delivers the rows (see [`dispatch`]).

pub mod dispatch;
pub mod messages;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::outbox;
use crate::db::DbConnection;
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

/// Statuses of an outbox row.
pub mod status {
    /// Waiting to be sent (perhaps after a failed attempt).
    pub const QUEUED: &str = "queued";
    /// Claimed by a dispatcher until its lease ends.
    pub const SENDING: &str = "sending";
    /// Accepted by the SMTP server.
    pub const SENT: &str = "sent";
    /// Refused permanently, or given up on.
    pub const FAILED: &str = "failed";
    /// Withdrawn (the recipient's data was erased).
    pub const CANCELLED: &str = "cancelled";
}

/// Writes the message to the outbox (inside the caller's transaction).
pub fn enqueue(conn: &mut DbConnection, ctx: &Context, m: Outgoing, now: NaiveDateTime) -> Result<(), AppError> {
    let host = url::Url::parse(&ctx.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".into());
    let message_id = format!("<{}@{host}>", secrets::new_token());
    diesel::insert_into(outbox::table)
        .values((
            outbox::kind.eq(m.kind),
            outbox::recipient.eq(&m.to),
            outbox::subject.eq(&m.subject),
            outbox::body_text.eq(corrigenda_templates::email_text(&m.view)),
            outbox::body_html.eq(corrigenda_templates::email_html(&m.view).into_string()),
            outbox::message_id.eq(&message_id),
            outbox::list_unsubscribe.eq(&m.view.unsubscribe),
            outbox::status.eq(status::QUEUED),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Withdraws every unsent message to `email` and blanks its address and bodies (erasure).
pub fn cancel_for(conn: &mut DbConnection, email: &str) -> Result<usize, AppError> {
    let ids: Vec<i64> = outbox::table
        .select((outbox::id, outbox::recipient))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .filter(|(_, r)| r.eq_ignore_ascii_case(email))
        .map(|(id, _)| id)
        .collect();
    let cancelled = diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)).filter(outbox::status.eq_any([
        status::QUEUED,
        status::SENDING,
        status::FAILED,
    ])))
    .set(outbox::status.eq(status::CANCELLED))
    .execute(conn)?;
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((outbox::recipient.eq("erased"), outbox::body_text.eq(""), outbox::body_html.eq("")))
        .execute(conn)?;
    Ok(cancelled)
}

/// Counts of the outbox for the desk.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OutboxStatus {
    /// Waiting or being sent.
    pub queued: i64,
    /// Delivered.
    pub sent: i64,
    /// Refused or given up on.
    pub failed: i64,
    /// When the oldest waiting message was queued.
    pub oldest_pending: Option<NaiveDateTime>,
    /// The most recent failures: (recipient, subject, reason).
    pub recent_failures: Vec<(String, String, String)>,
}

/// The outbox at a glance.
pub fn outbox_status(conn: &mut DbConnection) -> Result<OutboxStatus, AppError> {
    let rows: Vec<(String, NaiveDateTime)> = outbox::table.select((outbox::status, outbox::created_at)).load(conn)?;
    let count = |s: &[&str]| rows.iter().filter(|(st, _)| s.contains(&st.as_str())).count() as i64;
    let failures: Vec<(String, String, Option<String>)> = outbox::table
        .filter(outbox::status.eq(status::FAILED))
        .order(outbox::id.desc())
        .limit(20)
        .select((outbox::recipient, outbox::subject, outbox::last_error))
        .load(conn)?;
    Ok(OutboxStatus {
        queued: count(&[status::QUEUED, status::SENDING]),
        sent: count(&[status::SENT]),
        failed: count(&[status::FAILED]),
        oldest_pending: rows.iter().filter(|(s, _)| s == status::QUEUED || s == status::SENDING).map(|(_, t)| *t).min(),
        recent_failures: failures.into_iter().map(|(r, s, e)| (r, s, e.unwrap_or_default())).collect(),
    })
}
