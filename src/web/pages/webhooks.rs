//! The webhooks page: standards editors register, test and remove the endpoints that hear of
//! reports and corrections.

use actix_web::{web, HttpResponse};
use corrigenda_templates as views;

use crate::db::vocabulary::EndpointKind;
use crate::error::{AppError, FieldError};
use crate::mail::webhooks::{self, EndpointInput, EndpointView, CHAT_ALERTS, EVENTS};
use crate::web::auth::{DeskForm, Empty, IsStandards, Signed, Staff};
use crate::web::present::{csrf, field_error, html, opts, redirect, staff_layout, time, Naming};
use crate::web::{AppState, State};

/// The form's words for its fields, in error sentences.
const LABELS: Naming = Naming::Labels(&[("url", "The address"), ("kind", "The kind"), ("events", "The events")]);

/// The page: the list, the form (refilled after an error), and a secret just made.
async fn page(
    state: &AppState,
    staff: &Staff,
    input: EndpointInput,
    errors: Vec<FieldError>,
    new_secret: Option<(i64, String)>,
    notice: Option<String>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let list = state.db.read(webhooks::list).await?;
    let kind = if input.kind.is_empty() { EndpointKind::Webhook.as_str() } else { input.kind.as_str() };
    let chosen: Vec<&str> = input.events.iter().map(String::as_str).collect();
    let all_events = EVENTS.iter().chain(CHAT_ALERTS.iter().filter(|e| !EVENTS.contains(e)));
    let view = views::WebhooksView {
        items: list.into_iter().map(item).collect(),
        csrf: csrf(staff),
        url: input.url,
        kinds: opts(EndpointKind::ALL.iter().map(|k| (k.as_str(), k.label())), &[kind]),
        events: opts(all_events.map(|e| (*e, *e)), &chosen),
        errors: errors.into_iter().map(|e| field_error(LABELS, e)).collect(),
        notice,
        new_secret,
    };
    Ok(html(status, views::webhooks(&staff_layout(state, staff), &view)))
}

/// One endpoint in the list.
fn item(e: EndpointView) -> views::WebhookItem {
    let (last_delivery, last_failed) = match (e.last_status, &e.last_error, e.last_attempt_at) {
        (_, _, None) => ("Nothing sent yet".to_owned(), false),
        (code, Some(error), Some(at)) => (
            format!("{} on {}: {error}", code.map_or("No answer".to_owned(), |c| format!("answered {c}")), time(at)),
            true,
        ),
        (code, None, Some(at)) => {
            (format!("Answered {} on {}", code.map_or("?".to_owned(), |c| c.to_string()), time(at)), false)
        }
    };
    views::WebhookItem {
        id: e.id,
        kind_label: e.kind.label().into(),
        events: e.events.join(", "),
        last_delivery,
        last_failed,
        test_action: format!("/desk/webhooks/{}/test", e.id),
        remove_action: format!("/desk/webhooks/{}/delete", e.id),
        url: e.url,
    }
}

/// The endpoint number in a path.
fn endpoint_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::NotFound(format!("no webhook endpoint has the number {raw:?}")))
}

/// `GET /desk/webhooks`.
pub async fn webhooks(
    state: State,
    staff: Signed<IsStandards>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, AppError> {
    let notice = match req.query_string() {
        "done=tested" => Some("A test event is queued: it is posted within seconds.".to_owned()),
        "done=removed" => Some("Endpoint removed: nothing more is sent to it, retries included.".to_owned()),
        _ => None,
    };
    page(&state, &staff, EndpointInput::default(), Vec::new(), None, notice, 200).await
}

/// `POST /desk/webhooks`: adds an endpoint and shows its secret, once.
pub async fn add(state: State, post: DeskForm<IsStandards, Vec<(String, String)>>) -> Result<HttpResponse, AppError> {
    let mut input = EndpointInput::default();
    for (key, value) in &post.form {
        match key.as_str() {
            "url" => input.url = value.clone(),
            "kind" => input.kind = value.clone(),
            "events" => input.events.push(value.clone()),
            _ => {}
        }
    }
    let (hooks, now, sent) = (state.hooks.clone(), state.now(), input.clone());
    match state.db.write(move |c| webhooks::register(c, &hooks, &sent, now)).await {
        Ok((id, secret)) => {
            let notice = Some(format!("Endpoint {id} added."));
            page(&state, &post.staff, EndpointInput::default(), Vec::new(), Some((id, secret)), notice, 201).await
        }
        Err(AppError::Invalid(errors)) => page(&state, &post.staff, input, errors, None, None, 422).await,
        Err(other) => Err(other),
    }
}

/// `POST /desk/webhooks/{id}/test`: queues a test event for the endpoint.
pub async fn test(
    state: State,
    path: web::Path<String>,
    _post: DeskForm<IsStandards, Empty>,
) -> Result<HttpResponse, AppError> {
    let id = endpoint_id(&path.into_inner())?;
    let (hooks, now) = (state.hooks.clone(), state.now());
    state.db.write(move |c| webhooks::send_test(c, &hooks, id, now)).await?;
    Ok(redirect("/desk/webhooks?done=tested"))
}

/// `POST /desk/webhooks/{id}/delete`: removes the endpoint.
pub async fn remove(
    state: State,
    path: web::Path<String>,
    _post: DeskForm<IsStandards, Empty>,
) -> Result<HttpResponse, AppError> {
    let id = endpoint_id(&path.into_inner())?;
    let now = state.now();
    state.db.write(move |c| webhooks::remove(c, id, now)).await?;
    Ok(redirect("/desk/webhooks?done=removed"))
}
