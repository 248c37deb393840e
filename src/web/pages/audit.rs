//! Checkpoints and entries of the public log, the audit trail, verification, and erasure.

use actix_web::{web, HttpRequest, HttpResponse};
use corrigenda_templates as views;
use serde::Deserialize;

use crate::db::models::{LogEntry, StaffMember};
use crate::db::vocabulary::EventKind;
use crate::domain::articles::rfc3339;
use crate::domain::audit::{self, AuditFilter, AuditItem, AuditPage};
use crate::domain::erasure;
use crate::domain::events::{actor_name, Audience};
use crate::domain::verify::{self, Checkpoint, Entry};
use crate::error::AppError;
use crate::web::auth::{CanAudit, DeskForm, IsStandards, Signed, Staff};
use crate::web::errors::ErrorBody;
use crate::web::extract::query_pairs;
use crate::web::pages::desk::staff_layout;
use crate::web::pages::reports::{html, time};
use crate::web::AppState;

type State = web::Data<AppState>;

/// Most entries per page of `/api/v1/log/entries`.
const ENTRIES_PAGE: i64 = 1000;

/// The current signed checkpoint of the public log.
#[utoipa::path(
    get, path = "/api/v1/log/checkpoint", tag = "log",
    responses(
        (status = 200, description = "The signed checkpoint", body = Checkpoint),
        (status = 503, description = "The log failed verification; nothing is signed", body = ErrorBody),
    )
)]
pub async fn checkpoint(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    // A log found broken since the last answer must be refused at once, not served from memory;
    // just after start-up the first full check may still be running.
    let _ = actix_web::rt::time::timeout(std::time::Duration::from_secs(10), state.log.wait_checked()).await;
    state.log.usable()?;
    state
        .public
        .answer(&state.db, &req, || async {
            let st = state.clone();
            let cp = state.db.read(move |c| st.log.checkpoint(c)).await?;
            Ok(HttpResponse::Ok().insert_header(("Access-Control-Allow-Origin", "*")).json(cp))
        })
        .await
}

/// The query of `/api/v1/log/entries`.
#[derive(Debug, Deserialize)]
pub struct Range {
    from: Option<String>,
    to: Option<String>,
}

/// A page of log entries.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EntriesPage {
    /// Entries `from <= index < to` (perhaps fewer).
    pub items: Vec<Entry>,
    /// The index to ask from next, or null when the range is done.
    pub next: Option<i64>,
}

fn index(field: &str, raw: Option<&str>, default: i64) -> Result<i64, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| AppError::invalid(field, format!("{s:?} is not an index (0 or more)"))),
    }
}

/// Entries of the public log, `from <= index < to`; a server may return fewer: ask again from `next`.
#[utoipa::path(
    get, path = "/api/v1/log/entries", tag = "log",
    params(
        ("from" = Option<i64>, Query, description = "First index (default 0)"),
        ("to" = Option<i64>, Query, description = "One past the last index (default: the log's size)"),
    ),
    responses(
        (status = 200, description = "The entries", body = EntriesPage),
        (status = 422, description = "`from`/`to` outside the log or reversed", body = ErrorBody),
    )
)]
pub async fn entries(state: State, req: HttpRequest, query: web::Query<Range>) -> Result<HttpResponse, AppError> {
    state.public.answer(&state.db, &req, || render_entries(&state, query.into_inner())).await
}

async fn render_entries(state: &State, query: Range) -> Result<HttpResponse, AppError> {
    let size = state.db.read(|c| Ok(LogEntry::head(c)?.map_or(0, |h| h.idx + 1))).await?;
    let from = index("from", query.from.as_deref(), 0)?;
    let to = index("to", query.to.as_deref(), size)?;
    if to > size {
        return Err(AppError::invalid("to", format!("is past the end of the log, which has {size} entries")));
    }
    if from > to {
        return Err(AppError::invalid("from", format!("is after to ({from} > {to})")));
    }
    let end = to.min(from + ENTRIES_PAGE);
    let rows = state.db.read(move |c| Ok(LogEntry::range(c, from, end)?)).await?;
    let items = rows.into_iter().map(|e| Entry { index: e.idx, canonical: e.canonical, hash: e.hash }).collect();
    let page = EntriesPage { items, next: (end < to).then_some(end) };
    Ok(HttpResponse::Ok().insert_header(("Access-Control-Allow-Origin", "*")).json(page))
}

/// The audit trail as JSON, newest first; reader names and emails are never in it.
#[utoipa::path(
    get, path = "/api/v1/audit/events", tag = "audit",
    params(
        ("actor" = Option<String>, Query, description = "A staff member's email"),
        ("kind" = Option<String>, Query, description = "An event kind"),
        ("from" = Option<String>, Query, description = "On or after this day (YYYY-MM-DD, UTC)"),
        ("to" = Option<String>, Query, description = "On or before this day"),
        ("cursor" = Option<String>, Query, description = "The `next` of the previous page"),
        ("limit" = Option<i64>, Query, description = "1 to 500, default 100"),
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
    let filter = AuditFilter::parse(&query_pairs(&req))?;
    let page = state.db.read(move |c| audit::events(c, &filter)).await?;
    Ok(HttpResponse::Ok().json(page))
}

fn summary(item: &AuditItem) -> (String, Option<String>) {
    let line = item.data.sentence(Audience::Staff);
    let line = match item.report_id {
        Some(id) => format!("Report #{id}: {line}"),
        None => line,
    };
    (line, item.data.detail(Audience::Staff).map(str::to_owned))
}

/// `GET /audit`: the event stream with filters and paging.
pub async fn audit(state: State, req: HttpRequest, staff: Signed<CanAudit>) -> Result<HttpResponse, AppError> {
    let pairs = query_pairs(&req);
    let value =
        |key: &str| pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let (page, error, status) = match AuditFilter::parse(&pairs) {
        Ok(filter) => match state.db.read(move |c| audit::events(c, &filter)).await {
            Ok(page) => (page, None, 200),
            Err(e @ AppError::Invalid(_)) => (
                AuditPage { items: vec![], next: None },
                Some(format!("{} {}.", e.field().unwrap_or_default(), e.public_message())),
                422,
            ),
            Err(other) => return Err(other),
        },
        Err(e) => (
            AuditPage { items: vec![], next: None },
            Some(format!("{} {}.", e.field().unwrap_or_default(), e.public_message())),
            422,
        ),
    };
    let users = state.db.read(|c| Ok(StaffMember::all(c)?)).await?;
    let (actor, kind) = (value("actor"), value("kind"));
    let opt = |v: &str, l: &str, chosen: &str| views::Opt { value: v.into(), label: l.into(), selected: v == chosen };
    let mut actors = vec![opt("", "Anyone", &actor)];
    actors.extend(users.iter().map(|u| opt(&u.email, &u.name, &actor)));
    let mut kinds = vec![opt("", "Any event", &kind)];
    kinds.extend(EventKind::ALL.iter().map(|k| opt(k.as_str(), k.label(), &kind)));
    let keep: Vec<(String, String)> = pairs.iter().filter(|(k, v)| k != "cursor" && !v.is_empty()).cloned().collect();
    let with = |path: &str, extra: Option<(&str, &str)>| {
        let mut all = keep.clone();
        all.extend(extra.map(|(k, v)| (k.to_owned(), v.to_owned())));
        let q = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(all).finish();
        if q.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{q}")
        }
    };
    let view = views::AuditView {
        events: page
            .items
            .iter()
            .map(|item| {
                let (line, detail) = summary(item);
                views::AuditEvent {
                    id: item.id,
                    at: time(item.at.naive_utc()),
                    at_iso: rfc3339(item.at.naive_utc()),
                    actor: actor_name(item.actor_kind, item.actor.as_deref()),
                    kind: item.kind.as_str().to_owned(),
                    summary: line,
                    detail,
                    public: item.public,
                    ticket_href: item.report_id.map(|id| format!("/desk/reports/{id}")),
                }
            })
            .collect(),
        actors,
        kinds,
        from: value("from"),
        to: value("to"),
        next_href: page.next.as_deref().map(|n| with("/audit", Some(("cursor", n)))),
        error,
        verify_href: "/audit/verify".into(),
        json_href: with("/api/v1/audit/events", None),
    };
    Ok(html(status, views::audit(&staff_layout(&state, &staff), &view)))
}

/// `GET /audit/verify`: the same verification as the command line, on the live data.
pub async fn verify(state: State, staff: Signed<CanAudit>) -> Result<HttpResponse, AppError> {
    let st = state.clone();
    let (database, stored, cp) = state
        .db
        .read(move |c| {
            let database = st.log.full_check(c)?;
            let stored = verify::stored_entries(c)?;
            let cp = st.log.checkpoint(c);
            Ok((database, stored, cp))
        })
        .await?;
    let entries: Vec<Entry> =
        stored.into_iter().map(|e| Entry { index: e.idx, canonical: e.canonical, hash: e.hash }).collect();
    let chain = verify::chain(&entries);
    let public_key = state.log.key().public_key();
    let mut checks = vec![views::VerifyCheck {
        name: "Hash chain".into(),
        ok: chain.is_ok(),
        detail: match &chain {
            Ok(_) => format!("All {} entries hash correctly, in order, from the first.", entries.len()),
            Err(f) => f.to_string(),
        },
    }];
    checks.push(views::VerifyCheck {
        name: "Entries match the published corrections".into(),
        ok: database.is_ok(),
        detail: match &database {
            Ok(()) => "Every published correction is in the log exactly as recorded.".into(),
            Err(f) => f.to_string(),
        },
    });
    let signed = cp
        .as_ref()
        .map_err(AppError::public_message)
        .and_then(|cp| verify::against_checkpoint(&entries, cp, Some(&public_key), None).map_err(|f| f.to_string()));
    checks.push(views::VerifyCheck {
        name: "Signed checkpoint".into(),
        ok: signed.is_ok(),
        detail: match &signed {
            Ok(_) => "The checkpoint's size, head hash and Ed25519 signature match the entries.".into(),
            Err(e) => e.clone(),
        },
    });
    let ok = checks.iter().all(|c| c.ok);
    let head_hash =
        chain.clone().unwrap_or_else(|_| entries.last().map(|e| e.hash.clone()).unwrap_or_else(verify::empty_head));
    let view = views::VerifyView {
        ok,
        summary: match (&signed, checks.iter().find(|c| !c.ok)) {
            (Ok(v), None) => format!("The log verifies: {} entries, head {}.", v.size, v.head_hash),
            (_, Some(first)) => format!("The log does not verify: {}", first.detail),
            (Err(e), None) => format!("The log does not verify: {e}"),
        },
        checks,
        size: entries.len() as i64,
        head_hash,
        public_key,
        checkpoint_json: cp.ok().and_then(|cp| serde_json::to_string_pretty(&cp).ok()),
    };
    Ok(html(if ok { 200 } else { 500 }, views::verify(&staff_layout(&state, &staff), &view)))
}

fn erasure_page(
    state: &AppState,
    staff: &Staff,
    email: String,
    error: Option<String>,
    notice: Option<String>,
    status: u16,
) -> HttpResponse {
    let view = views::ErasureView {
        csrf: staff.session.as_ref().map(|s| s.csrf.clone()).unwrap_or_default(),
        email,
        error,
        notice,
    };
    html(status, views::erasure(&staff_layout(state, staff), &view))
}

/// `GET /desk/erasure`.
pub async fn erasure_form(state: State, staff: Signed<IsStandards>) -> HttpResponse {
    erasure_page(&state, &staff, String::new(), None, None, 200)
}

/// The erasure form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ErasureForm {
    email: String,
}

/// `POST /desk/erasure`: removes a reader's name and email everywhere.
pub async fn erase(state: State, post: DeskForm<IsStandards, ErasureForm>) -> Result<HttpResponse, AppError> {
    let (actor, now, email) = (post.staff.actor.clone(), state.now(), post.form.email.clone());
    match state.db.write(move |c| erasure::erase_reporter(c, &email, Some(&actor), now)).await {
        Ok(n) => {
            let notice = format!("Erased the name and email from {n} report{}.", if n == 1 { "" } else { "s" });
            Ok(erasure_page(&state, &post.staff, String::new(), None, Some(notice), 200))
        }
        Err(AppError::Invalid(errors)) => {
            let message = errors.first().map(|e| format!("The email {}.", e.message)).unwrap_or_default();
            Ok(erasure_page(&state, &post.staff, post.form.email.clone(), Some(message), None, 422))
        }
        Err(other) => Err(other),
    }
}
