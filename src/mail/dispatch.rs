//! Delivering the outbox: claim due rows, send each, mark it; retries with backoff; never twice.
//!
//! Rows are claimed with a lease (`sending` until `claimed_until`), on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED` so several instances share the work. A row is marked sent
//! right after the SMTP server accepts it; only a crash between that acceptance and the
//! mark could send it again (when its lease ends), and it keeps its Message-ID, so
//! receivers can tell.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime, TimeZone};
use diesel::prelude::*;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue, MessageId};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{enqueue, files, messages, webhooks, Context};
use crate::clock::Clock;
use crate::db::models::{Delivery, OutboxRow};
use crate::db::schema::digest_runs;
use crate::db::{Db, DbConnection};
use crate::domain::channels::{self, ChannelVia};
use crate::domain::notices::Notices;
use crate::domain::{arrivals, desk, escalation};
use crate::error::AppError;

/// How long a claimed row is reserved for its dispatcher.
const LEASE: i64 = 300;
/// Rows claimed per round.
const BATCH: i64 = 100;
/// After this long without success a message is given up on.
const MAX_AGE: Duration = Duration::days(2);
/// How often a dispatcher looks for reports to escalate.
const ESCALATE_EVERY: Duration = Duration::seconds(60);

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in this folder (see [`files`]).
    File(std::path::PathBuf),
}

/// Mail settings, checked.
#[derive(Clone)]
pub struct MailConfig {
    /// The transport.
    pub transport: Transport,
    /// The sender.
    pub from: Mailbox,
    /// One line for the start-up log (never with a password).
    pub description: String,
    /// Local hour (0-23) of the daily digest of overdue tickets.
    pub digest_hour: u32,
}

impl MailConfig {
    /// Builds the transport: SMTP when `smtp_url` is set (credentials from the URL or the separate settings), else files in `dir`.
    pub fn new(
        smtp_url: Option<&str>,
        username: Option<&str>,
        password: Option<&str>,
        dir: &std::path::Path,
        from: &str,
        digest_hour: u32,
    ) -> Result<Self, String> {
        let from: Mailbox =
            from.parse().map_err(|e| format!("CORRIGENDA_MAIL_FROM {from:?} is not an address: {e}"))?;
        let (transport, description) = match smtp_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(raw) => {
                let url = url::Url::parse(raw).map_err(|e| format!("SMTP_URL is not a URL: {e}"))?;
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(raw)
                    .map_err(|e| format!("SMTP_URL cannot be used: {e}"))?
                    .timeout(Some(StdDuration::from_secs(30)));
                if let (Some(user), Some(pass)) = (username.filter(|u| !u.is_empty()), password) {
                    builder = builder.credentials(Credentials::new(user.to_owned(), pass.to_owned()));
                }
                let shown = format!(
                    "{}://{}:{}",
                    url.scheme(),
                    url.host_str().unwrap_or("?"),
                    url.port_or_known_default().unwrap_or(25)
                );
                (Transport::Smtp(builder.build()), format!("SMTP at {shown}"))
            }
            None => {
                files::make_folder(dir)
                    .map_err(|e| format!("CORRIGENDA_MAIL_DIR {} cannot be made: {e}", dir.display()))?;
                (Transport::File(dir.to_owned()), format!("no SMTP_URL: messages are written to {}", dir.display()))
            }
        };
        Ok(Self { transport, from, description, digest_hour })
    }
}

/// A custom `List-Unsubscribe` header (RFC 2369) with one-click (RFC 8058).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim_matches(['<', '>']).to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// Delivers the outbox.
#[derive(Clone)]
pub struct Dispatcher {
    db: Db,
    mail: MailConfig,
    ctx: Context,
    clock: Clock,
    timezone: chrono_tz::Tz,
    /// When this dispatcher last looked for reports to escalate (app clock).
    escalation_scan: Arc<Mutex<Option<NaiveDateTime>>>,
}

/// How a delivery attempt ended.
enum Outcome {
    Sent,
    Permanent(String),
    Transient(String),
}

impl Dispatcher {
    /// A dispatcher over `db`.
    pub fn new(db: Db, mail: MailConfig, ctx: Context, clock: Clock, timezone: chrono_tz::Tz) -> Self {
        Self { db, mail, ctx, clock, timezone, escalation_scan: Arc::new(Mutex::new(None)) }
    }

    /// Sends until `stop` turns true: a round, then a pause of `every` (none while rows keep
    /// coming). A round under way is finished first, so no message is cut off mid-send.
    pub async fn run(self, every: StdDuration, mut stop: tokio::sync::watch::Receiver<bool>) {
        while !*stop.borrow() {
            let handled = match self.round().await {
                Ok(n) => n,
                Err(err) => {
                    tracing::error!(error = ?err, "mail dispatch failed");
                    0
                }
            };
            if handled < BATCH as usize {
                // The pause ends early when the server stops.
                let _ = actix_web::rt::time::timeout(every, stop.changed()).await;
            }
        }
    }

    /// One round: the daily digest and escalations when due, then one batch of due rows.
    /// Returns rows handled.
    pub async fn round(&self) -> Result<usize, AppError> {
        self.digest_if_due().await?;
        self.escalate_if_due().await?;
        let now = self.clock.now();
        // A cheap read first: an idle outbox costs no write transaction.
        let due = self.db.read(move |c| Ok(OutboxRow::due_count(c, now)?)).await?;
        if due == 0 {
            return Ok(0);
        }
        let rows = self.db.write(move |c| Ok(OutboxRow::claim_due(c, now, Duration::seconds(LEASE), BATCH)?)).await?;
        let count = rows.len();
        let mut outcomes = Vec::with_capacity(count);
        for row in rows {
            let outcome = self.send(&row).await;
            outcomes.push((row, outcome));
        }
        // One transaction for the batch: the single SQLite writer is shared with readers' reports.
        // (A crash before it re-sends the batch with the same Message-IDs, as a crash after one send did.)
        let now = self.clock.now();
        self.db
            .write(move |c| {
                for (row, outcome) in outcomes {
                    let d = delivery(&row, outcome, now);
                    let sent = d == Delivery::Sent;
                    OutboxRow::record(c, row.id, d, now)?;
                    if sent {
                        // A corrective to a syndication channel: its checklist item may be done now.
                        channels::delivered(c, ChannelVia::Mail, row.id, now)?;
                    }
                }
                Ok(())
            })
            .await?;
        Ok(count)
    }

    async fn send(&self, row: &OutboxRow) -> Outcome {
        let to: Mailbox = match row.recipient.parse() {
            Ok(to) => to,
            Err(e) => return Outcome::Permanent(format!("the address cannot be used: {e}")),
        };
        let mut builder = Message::builder()
            .from(self.mail.from.clone())
            .to(to)
            .subject(&row.subject)
            .header(MessageId::from(row.message_id.clone()))
            .date_now();
        if let Some(url) = &row.list_unsubscribe {
            builder = builder.header(ListUnsubscribe(url.clone())).header(ListUnsubscribePost);
        }
        let body = MultiPart::alternative()
            .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(row.body_text.clone()))
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(row.body_html.clone()));
        let message = match builder.multipart(body) {
            Ok(m) => m,
            Err(e) => return Outcome::Permanent(format!("the message cannot be built: {e}")),
        };
        match &self.mail.transport {
            Transport::Smtp(t) => match t.send(message).await {
                Ok(_) => Outcome::Sent,
                Err(e) if e.is_permanent() => Outcome::Permanent(e.to_string()),
                Err(e) => Outcome::Transient(e.to_string()),
            },
            Transport::File(dir) => {
                let (dir, bytes) = (dir.clone(), message.formatted());
                match actix_web::rt::task::spawn_blocking(move || files::write(&dir, &bytes)).await {
                    Ok(Ok(_)) => Outcome::Sent,
                    Ok(Err(e)) => Outcome::Transient(format!("the message cannot be written: {e}")),
                    Err(e) => Outcome::Transient(format!("the message cannot be written: {e}")),
                }
            }
        }
    }

    /// Escalates the reports that became overdue, at most once a minute per dispatcher (several
    /// dispatchers are safe: each report is claimed by one of them).
    async fn escalate_if_due(&self) -> Result<(), AppError> {
        let now = self.clock.now();
        {
            let mut last = self.escalation_scan.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|t| now - t < ESCALATE_EVERY && now >= t) {
                return Ok(());
            }
            *last = Some(now);
        }
        // A cheap read first: nothing overdue costs no write transaction.
        if !self.db.read(move |c| escalation::due(c, now)).await? {
            return Ok(());
        }
        let ctx = self.ctx.clone();
        let escalated = self.db.write(move |c| queue_escalations(c, &ctx, now)).await?;
        if escalated > 0 {
            tracing::info!(reports = escalated, "overdue reports escalated");
        }
        Ok(())
    }

    /// Queues each editor's daily digest once a day, at the configured local hour: their overdue
    /// tickets and what reached their desks since the previous digest.
    async fn digest_if_due(&self) -> Result<(), AppError> {
        let now = self.clock.now();
        let local = self.timezone.from_utc_datetime(&now);
        if chrono::Timelike::hour(&local) != self.mail.digest_hour {
            return Ok(());
        }
        let day = local.format("%Y-%m-%d").to_string();
        let d = day.clone();
        let done: i64 = self.db.read(move |c| Ok(digest_runs::table.find(&d).count().get_result(c)?)).await?;
        if done > 0 {
            return Ok(());
        }
        let ctx = self.ctx.clone();
        self.db.write(move |c| queue_digests(c, &ctx, &day, now)).await
    }
}

/// What an attempt's outcome means for its row: sent, given up on, or retried with backoff.
///
/// The reason is logged and stored without the addresses in it: SMTP servers quote the
/// recipient in a refusal, and neither the log nor the outbox row should keep a reader's email.
fn delivery(row: &OutboxRow, outcome: Outcome, now: NaiveDateTime) -> Delivery {
    let outcome = match outcome {
        Outcome::Sent => Outcome::Sent,
        Outcome::Permanent(reason) => Outcome::Permanent(redact_addresses(&reason)),
        Outcome::Transient(reason) => Outcome::Transient(redact_addresses(&reason)),
    };
    match outcome {
        Outcome::Sent => Delivery::Sent,
        Outcome::Permanent(reason) => {
            tracing::warn!(outbox_id = row.id, "mail refused permanently: {reason}");
            Delivery::Failed(reason)
        }
        Outcome::Transient(reason) if now - row.created_at > MAX_AGE => {
            Delivery::Failed(format!("gave up after {} attempts: {reason}", row.attempts))
        }
        Outcome::Transient(reason) => {
            let backoff = Duration::seconds((15_i64 << row.attempts.clamp(0, 8)).min(3600));
            tracing::info!(
                outbox_id = row.id,
                "mail not delivered yet, retrying in {}s: {reason}",
                backoff.num_seconds()
            );
            Delivery::Retry(now + backoff, reason)
        }
    }
}

/// What stands for an email address in a redacted text.
pub const REDACTED_ADDRESS: &str = "[address]";

/// `text` with every email address in it (`name@host`, `"quoted name"@host`, `name@[IP]`)
/// replaced by [`REDACTED_ADDRESS`].
pub fn redact_addresses(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let in_local = |c: char| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c);
    let in_domain = |c: char| c.is_alphanumeric() || c == '-' || c == '.';
    let mut out = String::with_capacity(text.len());
    // `copied`: where the text not yet written out starts.
    let (mut copied, mut at) = (0, 0);
    while at < chars.len() {
        if chars[at] != '@' {
            at += 1;
            continue;
        }
        let mut start = at;
        if start > copied && chars[start - 1] == '"' {
            if let Some(open) = chars[copied..start - 1].iter().rposition(|c| *c == '"') {
                start = copied + open;
            }
        } else {
            while start > copied && in_local(chars[start - 1]) {
                start -= 1;
            }
        }
        let mut end = at + 1;
        if chars.get(end) == Some(&'[') {
            if let Some(close) = chars[end..].iter().position(|c| *c == ']') {
                end += close + 1;
            }
        } else {
            while end < chars.len() && in_domain(chars[end]) {
                end += 1;
            }
            // A full stop after the address ends the sentence.
            while end > at + 1 && chars[end - 1] == '.' {
                end -= 1;
            }
        }
        if start < at && end > at + 1 {
            out.extend(&chars[copied..start]);
            out.push_str(REDACTED_ADDRESS);
            copied = end;
            at = end;
        } else {
            at += 1;
        }
    }
    out.extend(&chars[copied..]);
    out
}

/// Escalates the reports due at `now` and queues the mail and desk chat alerts that tells of it
/// (in one transaction: a report is escalated exactly when its mail is queued).
fn queue_escalations(conn: &mut DbConnection, ctx: &Context, now: NaiveDateTime) -> Result<usize, AppError> {
    let mut notices = Notices::default();
    let escalated = escalation::escalate(conn, now, &mut notices)?;
    super::notify(conn, ctx, &notices, now)?;
    webhooks::desk_alerts(conn, &ctx.base_url, &notices, now)?;
    Ok(escalated)
}

/// Queues the digests for `day` unless another dispatcher already did.
fn queue_digests(conn: &mut DbConnection, ctx: &Context, day: &str, now: NaiveDateTime) -> Result<(), AppError> {
    let done: i64 = digest_runs::table.find(day).count().get_result(conn)?;
    if done > 0 {
        return Ok(());
    }
    // Another instance may claim the same day at the same moment: the one whose row goes in
    // queues the digests, the other does nothing (not a failed round). `day` and `now` are
    // formatted here by chrono, so the literals are safe.
    let claimed = diesel::sql_query(format!(
        "INSERT INTO digest_runs (day, created_at) VALUES ('{}', '{}') ON CONFLICT (day) DO NOTHING",
        day.replace('\'', ""),
        now.format("%Y-%m-%d %H:%M:%S%.6f")
    ))
    .execute(conn)?;
    if claimed == 0 {
        return Ok(());
    }
    // What reached the desks since the previous digest; never more than a day back (after a
    // day without one, the older arrivals are in the queue, not in the mail).
    let previous: Option<NaiveDateTime> = digest_runs::table
        .filter(digest_runs::day.lt(day))
        .order(digest_runs::day.desc())
        .select(digest_runs::created_at)
        .first(conn)
        .optional()?;
    let since = previous.map_or(now - Duration::days(1), |p| p.max(now - Duration::days(1)));
    let mut arrivals = arrivals::by_member(conn, since)?;
    for (user, overdue) in desk::overdue_by_assignee(conn, now)? {
        let new = arrivals.remove(&user.id).map(|(_, a)| a).unwrap_or_default();
        enqueue(conn, ctx, messages::digest(ctx, &user, &overdue, &new), now)?;
    }
    // Editors with nothing overdue but new reports on their desks.
    for (user, new) in arrivals.into_values() {
        enqueue(conn, ctx, messages::digest(ctx, &user, &[], &new), now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redact_addresses;

    #[test]
    fn addresses_are_redacted_from_smtp_errors() {
        assert_eq!(
            redact_addresses("permanent error (550): 5.1.1 <bounce@example.com>: Recipient address rejected"),
            "permanent error (550): 5.1.1 <[address]>: Recipient address rejected"
        );
        assert_eq!(redact_addresses("mailbox ada.reader+news@mail.example.org. is full"), "mailbox [address]. is full");
        assert_eq!(redact_addresses("to=a@b.example, cc c_d@e.example"), "[address], cc [address]");
        assert_eq!(redact_addresses("\"ada reader\"@example.com refused"), "[address] refused");
        assert_eq!(redact_addresses("user@[192.0.2.1] unknown"), "[address] unknown");
        assert_eq!(redact_addresses("rejected: jürgen@bücher.example"), "rejected: [address]");
    }

    #[test]
    fn text_without_addresses_is_unchanged() {
        for text in ["", "transient error (421): try later", "an @ sign, x@ and @example.com are not addresses", "@@"] {
            assert_eq!(redact_addresses(text), text);
        }
    }
}
