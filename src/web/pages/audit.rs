//! The audit pages: the event stream with its filters, and the live verification of the public log.

use actix_web::{HttpRequest, HttpResponse};
use corrigenda_templates as views;

use crate::db::models::StaffMember;
use crate::db::vocabulary::EventKind;
use crate::domain::audit::{self, AuditFilter, AuditItem, AuditPage};
use crate::domain::events::{actor_name, Audience};
use crate::domain::verify::{self, Checkpoint, Entry, Failure};
use crate::error::AppError;
use crate::web::auth::{CanAudit, Signed};
use crate::web::extract::{last_value, query_pairs};
use crate::web::present::{any_first, error_sentence, html, iso, opts, staff_layout, time, Naming, QueryLinks};
use crate::web::State;

/// `GET /audit`: the event stream with filters and paging.
pub async fn audit(state: State, req: HttpRequest, staff: Signed<CanAudit>) -> Result<HttpResponse, AppError> {
    let pairs = query_pairs(&req);
    let read = match AuditFilter::parse(&pairs) {
        Ok(filter) => state.db.read(move |c| audit::events(c, &filter)).await,
        Err(e) => Err(e),
    };
    let (page, error) = match read {
        Ok(page) => (page, None),
        Err(e @ AppError::Invalid(_)) => {
            (AuditPage { items: vec![], next: None }, Some(error_sentence(Naming::AsSent, &e, "")))
        }
        Err(other) => return Err(other),
    };
    let status = if error.is_some() { 422 } else { 200 };
    let users = state.db.read(|c| Ok(StaffMember::all(c)?)).await?;
    let view = audit_view(&pairs, page, &users, error);
    Ok(html(status, views::audit(&staff_layout(&state, &staff), &view)))
}

/// The audit page's view: the filters as chosen, the events, and links that keep the filters.
fn audit_view(
    pairs: &[(String, String)],
    page: AuditPage,
    users: &[StaffMember],
    error: Option<String>,
) -> views::AuditView {
    let value = |key: &str| last_value(pairs, key).trim().to_owned();
    let links = QueryLinks::keeping(pairs, &["cursor"]);
    let (actor, kind) = (value("actor"), value("kind"));
    let actors = opts(users.iter().map(|u| (u.email.as_str(), u.name.as_str())), &[&actor]);
    let kinds = opts(EventKind::ALL.iter().map(|k| (k.as_str(), k.label())), &[&kind]);
    views::AuditView {
        events: page.items.iter().map(audit_event).collect(),
        actors: any_first("Anyone", actors, &actor),
        kinds: any_first("Any event", kinds, &kind),
        from: value("from"),
        to: value("to"),
        next_href: page.next.as_deref().map(|n| links.to("/audit", &[("cursor", n)])),
        error,
        verify_href: "/audit/verify".into(),
        json_href: links.to("/api/v1/audit/events", &[]),
    }
}

/// One event as the audit page lists it.
fn audit_event(item: &AuditItem) -> views::AuditEvent {
    let line = item.data.sentence(Audience::Staff);
    let summary = match item.report_id {
        Some(id) => format!("Report #{id}: {line}"),
        None => line,
    };
    views::AuditEvent {
        id: item.id,
        at: time(item.at.naive_utc()),
        at_iso: iso(item.at),
        actor: actor_name(item.actor_kind, item.actor.as_deref()),
        kind: item.kind.as_str().to_owned(),
        summary,
        detail: item.data.detail(Audience::Staff).map(str::to_owned),
        public: item.public,
        // A correction's own events lead to its page, where its checklist of channels is.
        ticket_href: item
            .report_id
            .map(|id| format!("/desk/reports/{id}"))
            .or_else(|| item.data.correction_id().map(|id| format!("/desk/corrections/{id}"))),
    }
}

/// `GET /audit/verify`: the same verification as the command line, on the live data.
pub async fn verify(state: State, staff: Signed<CanAudit>) -> Result<HttpResponse, AppError> {
    let st = state.clone();
    let (database, stored, cp, history) = state
        .db
        .read(move |c| {
            let database = st.log.full_check(c)?;
            let stored = verify::stored_entries(c)?;
            let cp = st.log.checkpoint(c);
            let history = crate::domain::keys::history(c)?;
            Ok((database, stored, cp, history))
        })
        .await?;
    let entries: Vec<Entry> =
        stored.into_iter().map(|e| Entry { index: e.idx, canonical: e.canonical, hash: e.hash }).collect();
    // The key the log is signed with now: the history's active key (this server's own before one is recorded).
    let public_key = history
        .iter()
        .find(|k| k.until_size.is_none())
        .map_or_else(|| state.log.key().public_key(), |k| k.public_key.clone());
    let trust = match history.is_empty() {
        true => verify::Trust::pinned(&public_key),
        false => verify::Trust { pins: Vec::new(), history: Some(history) },
    };
    let view = verify_view(&entries, database, cp, public_key, &trust);
    Ok(html(if view.ok { 200 } else { 500 }, views::verify(&staff_layout(&state, &staff), &view)))
}

/// The verification page's view: each check with its outcome, and the log's size, head and key.
fn verify_view(
    entries: &[Entry],
    database: Result<(), Failure>,
    cp: Result<Checkpoint, AppError>,
    public_key: String,
    trust: &verify::Trust,
) -> views::VerifyView {
    let chain = verify::chain(entries);
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
        .and_then(|cp| verify::against_checkpoint(entries, cp, trust, None).map_err(|f| f.to_string()));
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
    views::VerifyView {
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
    }
}
