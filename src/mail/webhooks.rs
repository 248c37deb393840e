//! Webhooks and chat alerts: a second consumer of the domain's notices, beside mail.
//!
//! [`notify`] turns notices into rows of the webhook outbox in the caller's transaction, one
//! per event and endpoint; a [`WebhookDispatcher`] posts them, signed per the Standard
//! Webhooks specification, with retries and backoff. Endpoint secrets are stored sealed with
//! ChaCha20-Poly1305 under a key derived from the log signing key file ([`SecretBox`]).
//!
//! Payloads are built from ids, statuses and published text only: never a reader's name,
//! address, explanation or tracking token.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use chrono::{Duration, NaiveDateTime};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::{json, Value};

use crate::clock::Clock;
use crate::db::models::{
    log_canonical, mark_overdue_alerted, overdue_unalerted, Channel, ClaimedDelivery, Correction, Desk, HookDelivery,
    NewWebhookDelivery, NewWebhookEndpoint, WebhookEndpoint, WebhookOutbox,
};
use crate::db::vocabulary::{EndpointKind, OutboxStatus, Severity, Status};
use crate::db::{Db, DbConnection};
use crate::domain::channels::{self, ChannelVia};
use crate::domain::corrections;
use crate::domain::desks::the_desk;
use crate::domain::notices::{CorrectionNote, DeskRef, Notice, Notices};
use crate::domain::{articles, secrets};
use crate::error::AppError;

/// The events a webhook endpoint can receive.
pub const EVENTS: &[&str] = &[
    "report.filed",
    "report.status_changed",
    "correction.pending",
    "correction.published",
    "correction.returned",
    "correction.withdrawn",
];

/// The alerts a chat endpoint can receive (a filed report only when of high or legal severity).
pub const CHAT_ALERTS: &[&str] = &["report.filed", "correction.pending", "correction.published", "report.overdue"];

/// The chat alert of a report made urgent after it was filed: endpoints that hear of urgent
/// reports filed (`report.filed`) hear of these too. Not a webhook event.
pub const SEVERITY_RAISED: &str = "report.severity_raised";

/// The event a "send test event" button sends.
pub const TEST_EVENT: &str = "webhook.test";

/// The event that carries a published correction to a channel whose endpoint this is (sent
/// whatever the endpoint's events: naming the endpoint on the channel asks for it).
pub const CORRECTIVE_EVENT: &str = "channel.corrective";

/// How long one attempt may take before it counts as failed (and is retried).
pub const TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// How long a claimed delivery is reserved for its dispatcher: longer than a round of attempts.
const LEASE: i64 = 120;
/// Deliveries claimed per round (sent side by side).
const BATCH: i64 = 50;
/// After this long without success a delivery is given up on.
const MAX_AGE: Duration = Duration::days(2);
/// How often a dispatcher looks for tickets that became overdue.
const OVERDUE_EVERY: Duration = Duration::seconds(60);
/// Longest endpoint URL accepted.
const URL_MAX: usize = 2000;
/// What the secret's cipher key is derived for (see [`crate::domain::signing::LogKey::derive_key`]).
pub const KEY_PURPOSE: &str = "corrigenda webhook secrets v1";

/// The notice fragment of an article and its JSON-LD, as `/articles/{id}/notice` renders them.
#[derive(Debug, Clone)]
pub struct NoticeParts {
    /// The HTML fragment.
    pub html: String,
    /// The schema.org data it embeds.
    pub json_ld: Value,
}

/// Renders an article's notice (the web layer provides it: mail does not know the pages).
pub type NoticeRenderer = Arc<dyn Fn(&mut DbConnection, &str) -> Result<NoticeParts, AppError> + Send + Sync>;

/// Seals and opens endpoint secrets with ChaCha20-Poly1305.
#[derive(Clone)]
pub struct SecretBox {
    key: [u8; 32],
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

/// What every sealed secret is bound to, so a sealed value cannot be reused for anything else.
const SEAL_AAD: &[u8] = b"corrigenda webhook endpoint secret";

impl SecretBox {
    /// A box with this 32-byte key.
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    /// The secret sealed: base64 of a random 12-byte nonce and the ciphertext with its tag.
    pub fn seal(&self, secret: &str) -> Result<String, AppError> {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.key));
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: secret.as_bytes(), aad: SEAL_AAD })
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the webhook secret could not be sealed")))?;
        Ok(STANDARD.encode([nonce.as_slice(), &sealed].concat()))
    }

    /// The secret a [`SecretBox::seal`] made, or an error when it was sealed under another key or changed.
    pub fn open(&self, sealed: &str) -> Result<String, String> {
        let bytes = STANDARD.decode(sealed).map_err(|_| "the stored secret is not base64".to_owned())?;
        if bytes.len() < 12 {
            return Err("the stored secret is too short".into());
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.key));
        let plain =
            cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: SEAL_AAD }).map_err(|_| {
                "the stored secret cannot be opened with this server's key (was the signing key file replaced?)"
                    .to_owned()
            })?;
        String::from_utf8(plain).map_err(|_| "the stored secret is not text".to_owned())
    }
}

/// A new signing secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` value: `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`,
/// keyed with the decoded bytes of the secret after `whsec_`.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| "the secret is not base64 after whsec_".to_owned())?;
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// What webhooks need to know: the site, the secrets' box, and how the notice renders.
#[derive(Clone)]
pub struct Hooks {
    /// Public base URL, without a trailing slash, for links.
    pub base_url: String,
    /// The publication's name.
    pub publication: String,
    /// Seals and opens endpoint secrets.
    pub secrets: SecretBox,
    /// Renders an article's notice for `correction.published`.
    pub notice: NoticeRenderer,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl Hooks {
    /// An absolute URL on the site.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// An endpoint to register, as sent.
#[derive(Debug, Clone, Default)]
pub struct EndpointInput {
    /// Where to post: http or https.
    pub url: String,
    /// `webhook` (default) or `chat`.
    pub kind: String,
    /// Events, comma separated or one by one; none means all of the kind's.
    pub events: Vec<String>,
}

/// A registered endpoint, as lists show it (never its secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct EndpointView {
    /// Its number.
    pub id: i64,
    /// Where it posts.
    pub url: String,
    /// `webhook` or `chat`.
    pub kind: EndpointKind,
    /// What it receives.
    pub events: Vec<String>,
    /// When it was added.
    pub created_at: NaiveDateTime,
    /// The HTTP status of the last attempt, when it was answered.
    pub last_status: Option<i32>,
    /// Why the last attempt failed, when it did.
    pub last_error: Option<String>,
    /// When the last attempt was made.
    pub last_attempt_at: Option<NaiveDateTime>,
}

impl From<WebhookEndpoint> for EndpointView {
    fn from(e: WebhookEndpoint) -> Self {
        Self {
            id: e.id,
            url: e.url,
            kind: e.kind,
            events: split_events(&e.events),
            created_at: e.created_at,
            last_status: e.last_status,
            last_error: e.last_error,
            last_attempt_at: e.last_attempt_at,
        }
    }
}

fn split_events(list: &str) -> Vec<String> {
    list.split(',').map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned).collect()
}

/// Checks an endpoint URL: absolute http(s) with a host, no credentials in it.
pub fn check_url(raw: &str) -> Result<String, AppError> {
    let raw = raw.trim();
    let bad = |why: &str| AppError::invalid("url", why.to_owned());
    if raw.is_empty() {
        return Err(bad("is required: the address to post to, starting with https:// or http://"));
    }
    if raw.len() > URL_MAX {
        return Err(bad(&format!("is too long (at most {URL_MAX} characters)")));
    }
    let url = url::Url::parse(raw).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(&format!("must start with https:// or http://, not {}:", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not hold a user name or password"));
    }
    Ok(url.to_string())
}

/// Registers an endpoint; returns its id and its secret (shown once, stored sealed).
pub fn register(
    conn: &mut DbConnection,
    hooks: &Hooks,
    input: &EndpointInput,
    now: NaiveDateTime,
) -> Result<(i64, String), AppError> {
    let mut errors = Vec::new();
    let url = check_url(&input.url).map_err(|e| errors.push(e)).ok();
    let kind_raw = input.kind.trim();
    let kind = if kind_raw.is_empty() {
        Some(EndpointKind::Webhook)
    } else {
        let kind = EndpointKind::parse(kind_raw);
        if kind.is_none() {
            errors.push(AppError::invalid("kind", format!("must be webhook or chat, not {kind_raw:?}")));
        }
        kind
    };
    let allowed = match kind {
        Some(EndpointKind::Chat) => CHAT_ALERTS,
        _ => EVENTS,
    };
    let mut events: Vec<&str> = Vec::new();
    for event in input.events.iter().flat_map(|e| e.split(',')).map(str::trim).filter(|e| !e.is_empty()) {
        match allowed.iter().find(|a| **a == event) {
            Some(known) if !events.contains(known) => events.push(known),
            Some(_) => {}
            None => errors.push(AppError::invalid(
                "events",
                format!("{event:?} is not an event this kind receives; use {}", allowed.join(", ")),
            )),
        }
    }
    let (Some(url), Some(kind), true) = (url, kind, errors.is_empty()) else {
        return Err(AppError::Invalid(
            errors
                .into_iter()
                .flat_map(|e| match e {
                    AppError::Invalid(list) => list,
                    _ => vec![],
                })
                .collect(),
        ));
    };
    if events.is_empty() {
        events = allowed.to_vec();
    }
    let secret = new_secret();
    let sealed = hooks.secrets.seal(&secret)?;
    let events = events.join(",");
    let id = NewWebhookEndpoint { url: &url, kind, events: &events, secret_sealed: &sealed, created_at: now }
        .insert(conn)?;
    Ok((id, secret))
}

/// The registered endpoints, oldest first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<EndpointView>, AppError> {
    Ok(WebhookEndpoint::active(conn)?.into_iter().map(EndpointView::from).collect())
}

/// Removes an endpoint: it gets nothing more, retries already queued included.
pub fn remove(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> Result<(), AppError> {
    if WebhookEndpoint::remove(conn, id, now)? {
        channels::forget_endpoint(conn, id)?;
        Ok(())
    } else {
        Err(AppError::NotFound(format!("no webhook endpoint has the number {id}")))
    }
}

/// Queues a test event for one endpoint.
pub fn send_test(conn: &mut DbConnection, hooks: &Hooks, id: i64, now: NaiveDateTime) -> Result<(), AppError> {
    let endpoint = WebhookEndpoint::find_active(conn, id)?
        .ok_or_else(|| AppError::NotFound(format!("no webhook endpoint has the number {id}")))?;
    let body = match endpoint.kind {
        EndpointKind::Webhook => envelope(
            TEST_EVENT,
            now,
            json!({ "endpoint_id": id, "message": format!("A test event from {}", hooks.publication) }),
        ),
        EndpointKind::Chat => chat_body(&format!(
            "Test alert from {}: this channel will hear of urgent reports, corrections to approve, published corrections and overdue tickets. {}",
            hooks.publication,
            hooks.url("/desk/webhooks")
        )),
    };
    enqueue(conn, id, TEST_EVENT, &body, now).map(drop)
}

/// Queues what each notice calls for to every endpoint that receives it (inside the caller's
/// transaction, so a delivery exists exactly when its event was committed).
pub fn notify(conn: &mut DbConnection, hooks: &Hooks, notices: &Notices, now: NaiveDateTime) -> Result<(), AppError> {
    if notices.is_empty() {
        return Ok(());
    }
    let endpoints = WebhookEndpoint::active(conn)?;
    if endpoints.is_empty() {
        return Ok(());
    }
    for notice in notices.as_slice() {
        let Some(event) = event_of(notice) else { continue };
        let receives = |e: &WebhookEndpoint| split_events(&e.events).iter().any(|x| x == event);
        let hooked: Vec<&WebhookEndpoint> =
            endpoints.iter().filter(|e| e.kind == EndpointKind::Webhook && receives(e)).collect();
        let targets = match notice {
            Notice::CorrectionPublished { correction } => channels::webhook_targets(conn, correction.id.0)?,
            _ => Vec::new(),
        };
        if !hooked.is_empty() || !targets.is_empty() {
            // Built once (it renders the article's notice) for the event and every corrective.
            let data = payload(conn, hooks, notice)?;
            correctives(conn, notice, targets, &data, now)?;
            if !hooked.is_empty() {
                let body = envelope(event, now, data);
                for e in hooked {
                    enqueue(conn, e.id, event, &body, now)?;
                }
            }
        }
        // Urgent reports are one alert to choose, whether filed urgent or made urgent later.
        let alert = if event == SEVERITY_RAISED { "report.filed" } else { event };
        let chatting: Vec<&WebhookEndpoint> = endpoints
            .iter()
            .filter(|e| e.kind == EndpointKind::Chat && split_events(&e.events).iter().any(|x| x == alert))
            .collect();
        if !chatting.is_empty() {
            if let Some(text) = chat_text(hooks, notice) {
                let body = chat_body(&text);
                for e in chatting {
                    enqueue(conn, e.id, event, &body, now)?;
                }
            }
        }
    }
    desk_alerts(conn, &hooks.base_url, notices, now)
}

/// Queues the alert each notice calls for to the chat endpoint of the desk it concerns (a report
/// that reached the desk, filed or moved there, or escalated on it), unless that endpoint hears
/// of it already as one of the chat endpoints: one alert per endpoint for one event.
pub fn desk_alerts(
    conn: &mut DbConnection,
    base_url: &str,
    notices: &Notices,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for notice in notices.as_slice() {
        let Some((desk, event, text)) = desk_text(base_url, notice) else { continue };
        let Some(endpoint_id) = Desk::find(conn, desk.id.0)?.and_then(|d| d.endpoint_id) else { continue };
        let Some(endpoint) = WebhookEndpoint::find_active(conn, endpoint_id)? else { continue };
        if endpoint.kind != EndpointKind::Chat || hears_already(&endpoint, notice) {
            continue;
        }
        enqueue(conn, endpoint.id, event, &chat_body(&text), now)?;
    }
    Ok(())
}

/// Whether a chat endpoint is alerted of this notice without its desk: an urgent report filed,
/// when it receives `report.filed`; an escalation, when it receives `report.overdue` and was
/// there before the deadline (see [`queue_overdue`]).
fn hears_already(endpoint: &WebhookEndpoint, notice: &Notice) -> bool {
    let receives = |event: &str| split_events(&endpoint.events).iter().any(|x| x == event);
    match notice {
        Notice::ReportFiled { severity, .. } => {
            matches!(severity, Severity::High | Severity::Legal) && receives("report.filed")
        }
        Notice::Escalated { deadline_at, .. } => overdue_alerted(endpoint, *deadline_at),
        _ => false,
    }
}

/// Whether a chat endpoint hears of a ticket due at `deadline_at` becoming overdue.
fn overdue_alerted(endpoint: &WebhookEndpoint, deadline_at: NaiveDateTime) -> bool {
    endpoint.kind == EndpointKind::Chat
        && split_events(&endpoint.events).iter().any(|x| x == "report.overdue")
        && endpoint.created_at < deadline_at
}

/// The desk a notice concerns, the event its alert is queued as, and the alert's text.
fn desk_text<'a>(base_url: &str, notice: &'a Notice) -> Option<(&'a DeskRef, &'static str, String)> {
    let title = |t: &str| chat_escape(&short(t, 120));
    let link = |id: i64| format!("{base_url}/desk/reports/{id}");
    let due = |at: &NaiveDateTime| at.format("%-d %b %Y %H:%M UTC").to_string();
    match notice {
        Notice::ReportFiled { report_id, article_title, category, severity, deadline_at, desk: Some(desk), .. } => {
            Some((
                desk,
                "report.filed",
                format!(
                    "New {} severity report #{} on \u{201c}{}\u{201d} ({}) for {}, due {}: {}",
                    severity.label().to_lowercase(),
                    report_id.0,
                    title(article_title),
                    category.label().to_lowercase(),
                    chat_escape(&the_desk(&desk.name)),
                    due(deadline_at),
                    link(report_id.0)
                ),
            ))
        }
        Notice::Routed { report_id, article_title, severity, deadline_at, from, desk, by, .. } => {
            let mut how = String::new();
            if let Some(from) = from {
                how.push_str(&format!(" from {}", chat_escape(&the_desk(&from.name))));
            }
            if let Some(by) = by {
                how.push_str(&format!(" by {}", chat_escape(&by.name)));
            }
            Some((
                desk,
                "report.routed",
                format!(
                    "Report #{} on \u{201c}{}\u{201d} ({} severity) moved to {}{how}, due {}: {}",
                    report_id.0,
                    title(article_title),
                    severity.label().to_lowercase(),
                    chat_escape(&the_desk(&desk.name)),
                    due(deadline_at),
                    link(report_id.0)
                ),
            ))
        }
        Notice::Escalated { report_id, article_title, severity, status, deadline_at, desk: Some(desk), to, .. } => {
            let names: Vec<String> = to.iter().map(|u| chat_escape(&u.name)).collect();
            let told = if names.is_empty() { String::new() } else { format!(" to {}", names.join(", ")) };
            Some((
                desk,
                "report.escalated",
                format!(
                    "Escalated{told}: report #{} on \u{201c}{}\u{201d} ({} severity, {}) on {} was due {}: {}",
                    report_id.0,
                    title(article_title),
                    severity.label().to_lowercase(),
                    status.staff_label().to_lowercase(),
                    chat_escape(&the_desk(&desk.name)),
                    due(deadline_at),
                    link(report_id.0)
                ),
            ))
        }
        _ => None,
    }
}

/// Queues a published correction's `channel.corrective` event to the endpoint of each open
/// checklist item that has one, recorded as that item's delivery: the item is done when the
/// endpoint accepts it.
fn correctives(
    conn: &mut DbConnection,
    notice: &Notice,
    targets: Vec<(Channel, i64)>,
    published: &Value,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Notice::CorrectionPublished { correction } = notice else { return Ok(()) };
    for (channel, endpoint_id) in targets {
        let mut data = published.clone();
        data["channel"] = json!({ "id": channel.id, "name": channel.name, "kind": channel.kind });
        let body = envelope(CORRECTIVE_EVENT, now, data);
        let id = enqueue(conn, endpoint_id, CORRECTIVE_EVENT, &body, now)?;
        channels::record_delivery(conn, ChannelVia::Webhook, id, correction.id.0, channel.id)?;
    }
    Ok(())
}

/// The event name a notice is sent as, when it is one.
fn event_of(notice: &Notice) -> Option<&'static str> {
    Some(match notice {
        Notice::ReportFiled { .. } => "report.filed",
        Notice::StatusChanged { .. } => "report.status_changed",
        Notice::SeverityRaised { .. } => SEVERITY_RAISED,
        Notice::CorrectionPending { .. } => "correction.pending",
        Notice::CorrectionPublished { .. } => "correction.published",
        Notice::CorrectionReturned { .. } => "correction.returned",
        Notice::CorrectionWithdrawn { .. } => "correction.withdrawn",
        Notice::QuestionAsked { .. }
        | Notice::ReaderAnswered { .. }
        | Notice::AppealFiled { .. }
        | Notice::Decided { .. }
        | Notice::Assigned { .. }
        | Notice::Routed { .. }
        | Notice::Escalated { .. }
        | Notice::SubscriptionRequested { .. } => return None,
    })
}

/// `{"type", "timestamp", "data"}` as text.
fn envelope(event: &str, now: NaiveDateTime, data: Value) -> String {
    json!({ "type": event, "timestamp": rfc3339(now), "data": data }).to_string()
}

fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// An event's `data`: ids, statuses and public text, never the reader's details.
fn payload(conn: &mut DbConnection, hooks: &Hooks, notice: &Notice) -> Result<Value, AppError> {
    Ok(match notice {
        Notice::ReportFiled { report_id, article_id, category, severity, deadline_at, .. } => json!({
            "report_id": report_id,
            "article_id": article_id,
            "status": Status::New,
            "category": category,
            "severity": severity,
            "deadline_at": rfc3339(*deadline_at),
            "desk_url": hooks.url(&format!("/desk/reports/{}", report_id.0)),
        }),
        Notice::StatusChanged { report_id, article_id, from, to, correction_id } => json!({
            "report_id": report_id,
            "article_id": article_id,
            "from": from,
            "to": to,
            "correction_id": correction_id,
            "desk_url": hooks.url(&format!("/desk/reports/{}", report_id.0)),
        }),
        Notice::CorrectionPending { correction, .. }
        | Notice::CorrectionReturned { correction, .. }
        | Notice::CorrectionWithdrawn { correction, .. } => correction_data(conn, correction)?,
        Notice::CorrectionPublished { correction } => {
            let mut data = correction_data(conn, correction)?;
            let log = log_canonical(conn, correction.id.0)?;
            let view = &data["correction"];
            data["log_entry"] = match log {
                Some(canonical) => json!({ "index": view["log_index"], "hash": view["hash"], "canonical": canonical }),
                None => Value::Null,
            };
            let notice = (hooks.notice)(conn, &correction.article_id)?;
            data["notice"] = json!({ "html": notice.html, "json_ld": notice.json_ld });
            data["log_url"] = json!(hooks.url(&format!("/articles/{}/corrections", correction.article_id)));
            data
        }
        _ => Value::Null,
    })
}

/// A correction's data: as the public log shows it (its index and hash once published), its article and reports.
fn correction_data(conn: &mut DbConnection, note: &CorrectionNote) -> Result<Value, AppError> {
    let view = corrections::view(conn, note.id.0)?;
    let report_ids = Correction::report_ids(conn, note.id.0)?;
    Ok(json!({
        "correction_id": note.id,
        "article_id": note.article_id,
        "status": view.status,
        "correction": view,
        "report_ids": report_ids,
    }))
}

/// A Slack-compatible message body.
fn chat_body(text: &str) -> String {
    json!({ "text": text }).to_string()
}

/// Text for chat: Slack reads `&`, `<` and `>` as markup, so they are escaped as it asks.
fn chat_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Shortens `text` to about `max` characters, on a character boundary.
fn short(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    format!("{}\u{2026}", text.chars().take(max).collect::<String>().trim_end())
}

/// The chat alert a notice calls for, when any.
pub fn chat_text(hooks: &Hooks, notice: &Notice) -> Option<String> {
    let title = |t: &str| chat_escape(&short(t, 120));
    match notice {
        Notice::ReportFiled { report_id, article_title, category, severity, deadline_at, .. }
            if matches!(severity, Severity::High | Severity::Legal) =>
        {
            Some(format!(
                "{} severity report #{} on \u{201c}{}\u{201d} ({}), due {}: {}",
                severity.label(),
                report_id.0,
                title(article_title),
                category.label().to_lowercase(),
                deadline_at.format("%-d %b %Y %H:%M UTC"),
                hooks.url(&format!("/desk/reports/{}", report_id.0))
            ))
        }
        Notice::SeverityRaised { report_id, article_title, from, to, deadline_at, by, .. } => Some(format!(
            "Report #{} on \u{201c}{}\u{201d} raised from {} to {} severity by {}, due {}: {}",
            report_id.0,
            title(article_title),
            from.label().to_lowercase(),
            to.label().to_lowercase(),
            chat_escape(&by.name),
            deadline_at.format("%-d %b %Y %H:%M UTC"),
            hooks.url(&format!("/desk/reports/{}", report_id.0))
        )),
        Notice::CorrectionPending { correction, author } => Some(format!(
            "Correction #{} ({}) on \u{201c}{}\u{201d} by {} waits for approval: {}",
            correction.id.0,
            correction.kind.label().to_lowercase(),
            title(&correction.article_title),
            chat_escape(&author.name),
            hooks.url("/desk/corrections")
        )),
        Notice::CorrectionPublished { correction } => Some(format!(
            "Published: {} #{} on \u{201c}{}\u{201d}: \u{201c}{}\u{201d} {}",
            correction.kind.label().to_lowercase(),
            correction.id.0,
            title(&correction.article_title),
            chat_escape(&short(&correction.text, 200)),
            hooks.url(&format!("/articles/{}/corrections#correction-{}", correction.article_id, correction.id.0))
        )),
        _ => None,
    }
}

/// Writes one delivery (inside the caller's transaction); returns its id.
fn enqueue(
    conn: &mut DbConnection,
    endpoint_id: i64,
    event: &str,
    body: &str,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let message_id = format!("msg_{}", secrets::new_token());
    Ok(NewWebhookDelivery {
        endpoint_id,
        event,
        message_id: &message_id,
        body,
        status: OutboxStatus::Queued,
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
    }
    .insert(conn)?)
}

/// Queues an overdue alert to every chat endpoint for each open ticket whose deadline passed
/// since the oldest of them was added, once per ticket. Returns how many tickets were alerted.
fn queue_overdue(conn: &mut DbConnection, hooks: &Hooks, now: NaiveDateTime) -> Result<usize, AppError> {
    let Some(since) = WebhookEndpoint::oldest_chat_since(conn)? else { return Ok(0) };
    let open: Vec<Status> = Status::ALL.iter().copied().filter(|s| !crate::domain::workflow::is_closed(*s)).collect();
    let tickets = overdue_unalerted(conn, &open, since, now, 100)?;
    let chats: Vec<WebhookEndpoint> = WebhookEndpoint::active(conn)?
        .into_iter()
        .filter(|e| e.kind == EndpointKind::Chat && split_events(&e.events).iter().any(|x| x == "report.overdue"))
        .collect();
    for report in &tickets {
        mark_overdue_alerted(conn, report.id, now)?;
        let article = articles::get(conn, &report.article_id)?;
        let text = format!(
            "Overdue: report #{} on \u{201c}{}\u{201d} ({} severity, {}) was due {}: {}",
            report.id,
            chat_escape(&short(&article.title, 120)),
            report.severity.label().to_lowercase(),
            report.status.label().to_lowercase(),
            report.deadline_at.format("%-d %b %Y %H:%M UTC"),
            hooks.url(&format!("/desk/reports/{}", report.id))
        );
        let body = chat_body(&text);
        for e in chats.iter().filter(|e| overdue_alerted(e, report.deadline_at)) {
            enqueue(conn, e.id, "report.overdue", &body, now)?;
        }
    }
    Ok(tickets.len())
}

/// How one attempt ended.
#[derive(Debug)]
enum Attempt {
    /// A 2xx answer.
    Delivered(i32),
    /// Not to be tried again: another 4xx, a redirect, a secret that cannot be opened.
    Refused(Option<i32>, String),
    /// Worth another try: a timeout, no connection, 5xx or 429.
    Later(Option<i32>, String),
}

/// Posts the webhook outbox.
#[derive(Clone)]
pub struct WebhookDispatcher {
    db: Db,
    hooks: Hooks,
    clock: Clock,
    agent: ureq::Agent,
    /// When this dispatcher last looked for overdue tickets (app clock).
    overdue_scan: Arc<Mutex<Option<NaiveDateTime>>>,
}

impl WebhookDispatcher {
    /// A dispatcher over `db`, with the attempt timeout [`TIMEOUT`].
    pub fn new(db: Db, hooks: Hooks, clock: Clock) -> Self {
        Self::with_timeout(db, hooks, clock, TIMEOUT)
    }

    /// A dispatcher whose attempts give up after `timeout`.
    pub fn with_timeout(db: Db, hooks: Hooks, clock: Clock, timeout: StdDuration) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout(timeout)
            .redirects(0)
            .user_agent(concat!("Corrigenda-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build();
        Self { db, hooks, clock, agent, overdue_scan: Arc::new(Mutex::new(None)) }
    }

    /// Posts until `stop` turns true: a round, then a pause of `every` (none while rows keep coming).
    pub async fn run(self, every: StdDuration, mut stop: tokio::sync::watch::Receiver<bool>) {
        while !*stop.borrow() {
            let handled = match self.round().await {
                Ok(n) => n,
                Err(err) => {
                    tracing::error!(error = ?err, "webhook dispatch failed");
                    0
                }
            };
            if handled < BATCH as usize {
                let _ = actix_web::rt::time::timeout(every, stop.changed()).await;
            }
        }
    }

    /// One round: overdue alerts when due, then one batch of due deliveries, posted side by
    /// side. Returns deliveries handled.
    pub async fn round(&self) -> Result<usize, AppError> {
        self.overdue_if_due().await?;
        let now = self.clock.now();
        let due = self.db.read(move |c| Ok(WebhookOutbox::due_count(c, now)?)).await?;
        if due == 0 {
            return Ok(0);
        }
        let rows =
            self.db.write(move |c| Ok(WebhookOutbox::claim_due(c, now, Duration::seconds(LEASE), BATCH)?)).await?;
        let count = rows.len();
        let mut running = Vec::with_capacity(count);
        for row in rows {
            let (agent, secrets, clock) = (self.agent.clone(), self.hooks.secrets.clone(), self.clock.clone());
            let r = row.clone();
            running.push((row, actix_web::rt::task::spawn_blocking(move || post(&agent, &secrets, &clock, &r))));
        }
        let mut outcomes = Vec::with_capacity(count);
        for (row, task) in running {
            let attempt = task.await.unwrap_or_else(|e| Attempt::Later(None, format!("the attempt stopped: {e}")));
            outcomes.push((row, attempt));
        }
        let now = self.clock.now();
        self.db
            .write(move |c| {
                for (row, attempt) in outcomes {
                    if WebhookOutbox::record(c, row.id, row.endpoint_id, outcome(&row, attempt, now), now)? {
                        channels::delivered(c, ChannelVia::Webhook, row.id, now)?;
                    }
                }
                Ok(())
            })
            .await?;
        Ok(count)
    }

    /// Looks for tickets that became overdue, at most once a minute per dispatcher.
    async fn overdue_if_due(&self) -> Result<(), AppError> {
        let now = self.clock.now();
        {
            let mut last = self.overdue_scan.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|t| now - t < OVERDUE_EVERY && now >= t) {
                return Ok(());
            }
            *last = Some(now);
        }
        let any = self.db.read(|c| Ok(WebhookEndpoint::oldest_chat_since(c)?.is_some())).await?;
        if !any {
            return Ok(());
        }
        let hooks = self.hooks.clone();
        let alerted = self.db.write(move |c| queue_overdue(c, &hooks, now)).await?;
        if alerted > 0 {
            tracing::info!(tickets = alerted, "overdue tickets alerted in chat");
        }
        Ok(())
    }
}

/// Posts one delivery, signed (chat endpoints get the same headers).
fn post(agent: &ureq::Agent, secrets: &SecretBox, clock: &Clock, row: &ClaimedDelivery) -> Attempt {
    let secret = match secrets.open(&row.secret_sealed) {
        Ok(s) => s,
        Err(why) => return Attempt::Refused(None, why),
    };
    let timestamp = clock.now().and_utc().timestamp();
    let signed = match signature(&secret, &row.message_id, timestamp, &row.body) {
        Ok(s) => s,
        Err(why) => return Attempt::Refused(None, why),
    };
    let answer = agent
        .post(&row.url)
        .set("content-type", "application/json")
        .set("webhook-id", &row.message_id)
        .set("webhook-timestamp", &timestamp.to_string())
        .set("webhook-signature", &signed)
        .send_string(&row.body);
    match answer {
        Ok(response) => {
            let code = i32::from(response.status());
            if (200..300).contains(&code) {
                Attempt::Delivered(code)
            } else {
                Attempt::Refused(Some(code), format!("answered {code}; redirects are not followed"))
            }
        }
        Err(ureq::Error::Status(code, _)) => {
            let code = i32::from(code);
            if code == 429 || code >= 500 {
                Attempt::Later(Some(code), format!("answered {code}"))
            } else {
                Attempt::Refused(Some(code), format!("answered {code}"))
            }
        }
        Err(ureq::Error::Transport(t)) => Attempt::Later(None, short(&t.to_string(), 300)),
    }
}

/// What an attempt means for its delivery: sent, given up on, or retried with backoff.
fn outcome(row: &ClaimedDelivery, attempt: Attempt, now: NaiveDateTime) -> HookDelivery {
    match attempt {
        Attempt::Delivered(code) => HookDelivery::Sent(code),
        Attempt::Refused(code, why) => {
            tracing::warn!(delivery = row.id, endpoint = row.endpoint_id, "webhook refused: {why}");
            HookDelivery::Failed(code, why)
        }
        Attempt::Later(code, why) if now - row.created_at > MAX_AGE => {
            HookDelivery::Failed(code, format!("gave up after {} attempts: {why}", row.attempts))
        }
        Attempt::Later(code, why) => {
            let backoff = Duration::seconds((15_i64 << (row.attempts - 1).clamp(0, 8)).min(3600));
            tracing::info!(
                delivery = row.id,
                endpoint = row.endpoint_id,
                "webhook not delivered yet, retrying in {}s: {why}",
                backoff.num_seconds()
            );
            HookDelivery::Retry(now + backoff, code, why)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only() {
        let secret = new_secret();
        assert!(secret.starts_with("whsec_"));
        assert_eq!(STANDARD.decode(&secret[6..]).unwrap().len(), 32);
        let sealed = SecretBox::new([7; 32]).seal(&secret).unwrap();
        assert!(!sealed.contains(&secret[6..]));
        assert_eq!(SecretBox::new([7; 32]).open(&sealed).unwrap(), secret);
        assert!(SecretBox::new([8; 32]).open(&sealed).is_err());
    }

    #[test]
    fn the_signature_follows_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        let sig = signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn only_http_urls_with_a_host_are_endpoints() {
        assert!(check_url("https://cms.example/hooks").is_ok());
        assert!(check_url(" http://10.0.0.5:8080/x ").is_ok());
        for bad in ["", "ftp://cms.example/x", "javascript:alert(1)", "cms.example/x", "https://user:pw@cms.example/"] {
            let err = check_url(bad).unwrap_err();
            assert!(matches!(&err, AppError::Invalid(e) if e[0].field == "url"), "{bad}: {err:?}");
        }
    }
}
