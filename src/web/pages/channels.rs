//! Staff pages for distribution channels: their settings, and a correction's checklist of the
//! channels its error went to, where editors mark an item done.

use actix_web::{web, HttpResponse};
use corrigenda_templates as views;
use serde::Deserialize;

use crate::db::vocabulary::EndpointKind;
use crate::domain::accounts::Role;
use crate::domain::channels::{self, ChannelChange, ChannelInput, ChannelKind, ChannelVia, ChannelView, ChecklistItem};
use crate::domain::corrections::{self, CorrectionStatus};
use crate::error::{AppError, FieldError};
use crate::mail::webhooks::{self, EndpointView};
use crate::web::auth::{CanEdit, CanRead, DeskForm, IsStandards, Signed, Staff};
use crate::web::extract::{parse_number as number, DoneQuery};
use crate::web::present::{csrf, field_error, html, opts, redirect, staff_layout, time, Naming};
use crate::web::{AppState, State};

/// How the channel forms name their fields.
const CHANNEL_FIELDS: Naming = Naming::Labels(&[
    ("name", "The name"),
    ("kind", "The kind"),
    ("partners", "Partners' addresses"),
    ("endpoint_id", "The webhook"),
]);

/// The endpoint chosen in a form's select: blank is none.
fn chosen_endpoint(raw: &str) -> Result<Option<i64>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        n => n
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid("endpoint_id", format!("must be an endpoint's number, not {n:?}"))),
    }
}

/// A select of the webhook endpoints (kind `webhook`), with "none" first.
fn endpoint_options(endpoints: &[EndpointView], chosen: Option<i64>) -> Vec<views::Opt> {
    let chosen = chosen.map(|c| c.to_string()).unwrap_or_default();
    let items = std::iter::once((String::new(), "None: an editor marks it".to_owned()))
        .chain(endpoints.iter().map(|e| (e.id.to_string(), format!("#{}: {}", e.id, e.url))));
    opts(items, &[chosen.as_str()])
}

/// Addresses typed one a line (commas and semicolons also part them).
fn addresses(raw: &str) -> Vec<String> {
    raw.split(['\n', ',', ';']).map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect()
}

/// The add form as typed, and errors of any form on the page.
#[derive(Debug, Default)]
struct Typed {
    name: String,
    kind: String,
    partners: String,
    endpoint_id: String,
    errors: Vec<FieldError>,
}

/// The settings page.
async fn admin_page(
    state: &AppState,
    staff: &Staff,
    typed: Typed,
    notice: Option<String>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let (list, endpoints) = state.db.read(|c| Ok((channels::list(c)?, webhooks::list(c)?))).await?;
    let endpoints: Vec<EndpointView> = endpoints.into_iter().filter(|e| e.kind == EndpointKind::Webhook).collect();
    let manage = staff.actor.role == Role::StandardsEditor;
    let rows = list
        .into_iter()
        .map(|c: ChannelView| views::ChannelRow {
            change_action: manage.then(|| format!("/desk/channels/{}", c.id)),
            retire_action: manage.then(|| format!("/desk/channels/{}/retire", c.id)),
            endpoint: c.endpoint_id.map(|id| match endpoints.iter().find(|e| e.id == id) {
                Some(e) => format!("#{id}: {}", e.url),
                None => format!("#{id}"),
            }),
            endpoints: endpoint_options(&endpoints, c.endpoint_id),
            id: c.id,
            kind_label: c.kind.label().into(),
            syndication: c.kind == ChannelKind::Syndication,
            partners: c.partners,
            retired: c.retired,
            name: c.name,
        })
        .collect();
    let kind = if typed.kind.is_empty() { "newsletter" } else { typed.kind.as_str() };
    let view = views::ChannelsAdminView {
        channels: rows,
        csrf: csrf(staff),
        can_manage: manage,
        kinds: opts(ChannelKind::ALL.iter().map(|k| (k.as_str(), k.label())), &[kind]),
        name: typed.name,
        partners: typed.partners,
        endpoints: if endpoints.is_empty() {
            Vec::new()
        } else {
            endpoint_options(&endpoints, typed.endpoint_id.trim().parse().ok())
        },
        errors: typed.errors.into_iter().map(|e| field_error(CHANNEL_FIELDS, e)).collect(),
        notice,
    };
    Ok(html(status, views::channels_admin(&staff_layout(state, staff), &view)))
}

/// `GET /desk/channels`: the distribution channels (standards editors change them).
pub async fn channels_page(
    state: State,
    staff: Signed<CanRead>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = match query.done.as_str() {
        "added" => Some("The channel was added.".to_owned()),
        "saved" => Some("Saved. Checklists show the channel's new name.".to_owned()),
        "retired" => Some("Retired: it is offered for no new correction and stays on earlier checklists.".to_owned()),
        "restored" => Some("The channel is offered again.".to_owned()),
        _ => None,
    };
    admin_page(&state, &staff, Typed::default(), notice, 200).await
}

/// The add form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddForm {
    name: String,
    kind: String,
    partners: String,
    endpoint_id: String,
}

/// `POST /desk/channels`: adds a channel.
pub async fn add(state: State, post: DeskForm<IsStandards, AddForm>) -> Result<HttpResponse, AppError> {
    let f = &post.form;
    let typed = |errors| Typed {
        name: f.name.clone(),
        kind: f.kind.clone(),
        partners: f.partners.clone(),
        endpoint_id: f.endpoint_id.clone(),
        errors,
    };
    let outcome = match chosen_endpoint(&f.endpoint_id) {
        Ok(endpoint_id) => {
            let input = ChannelInput {
                name: f.name.clone(),
                kind: f.kind.clone(),
                partners: addresses(&f.partners),
                endpoint_id,
            };
            let (actor, now) = (post.staff.actor.clone(), state.now());
            state.db.write(move |c| channels::create(c, &actor, &input, now)).await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(redirect("/desk/channels?done=added")),
        Err(AppError::ConflictOn(conflict)) => admin_page(&state, &post.staff, typed(vec![conflict]), None, 409).await,
        Err(AppError::Invalid(errors)) => admin_page(&state, &post.staff, typed(errors), None, 422).await,
        Err(other) => Err(other),
    }
}

/// The change form of one channel.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    name: String,
    partners: Option<String>,
    /// Left out (no endpoint to choose from): the channel keeps its endpoint.
    endpoint_id: Option<String>,
}

/// Applies a change to a channel from a page; field errors are named after the channel.
async fn apply(
    state: &AppState,
    staff: &Staff,
    id: i64,
    change: impl FnOnce(ChannelView) -> ChannelChange + Send + 'static,
    done: &str,
) -> Result<HttpResponse, AppError> {
    let (actor, now) = (staff.actor.clone(), state.now());
    let outcome = state
        .db
        .write(move |c| {
            let old = channels::get(c, id)?;
            channels::change(c, &actor, id, &change(old), now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(redirect(format!("/desk/channels?done={done}"))),
        Err(AppError::ConflictOn(conflict)) => {
            let errors = vec![FieldError::new(format!("{}-{id}", conflict.field), conflict.message)];
            admin_page(state, staff, Typed { errors, ..Typed::default() }, None, 409).await
        }
        Err(AppError::Invalid(errors)) => {
            let errors =
                errors.into_iter().map(|e| FieldError::new(format!("{}-{id}", e.field), e.message)).collect::<Vec<_>>();
            admin_page(state, staff, Typed { errors, ..Typed::default() }, None, 422).await
        }
        Err(other) => Err(other),
    }
}

/// `POST /desk/channels/{id}`: renames a channel and sets its partners.
pub async fn change(
    state: State,
    path: web::Path<String>,
    post: DeskForm<IsStandards, ChangeForm>,
) -> Result<HttpResponse, AppError> {
    let id = number(&path.into_inner(), "channel")?;
    let (name, partners) = (post.form.name.clone(), post.form.partners.clone());
    let endpoint_id = match post.form.endpoint_id.as_deref().map(chosen_endpoint).transpose() {
        Ok(chosen) => chosen,
        Err(AppError::Invalid(errors)) => {
            let errors = errors.into_iter().map(|e| FieldError::new(format!("{}-{id}", e.field), e.message)).collect();
            return admin_page(&state, &post.staff, Typed { errors, ..Typed::default() }, None, 422).await;
        }
        Err(other) => return Err(other),
    };
    apply(
        &state,
        &post.staff,
        id,
        move |old| ChannelChange {
            name,
            partners: partners.map(|p| addresses(&p)).unwrap_or(old.partners),
            endpoint_id: endpoint_id.unwrap_or(old.endpoint_id),
            retired: old.retired,
        },
        "saved",
    )
    .await
}

/// The retire form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RetireForm {
    retired: String,
}

/// `POST /desk/channels/{id}/retire`: retires a channel (`retired=true`) or brings it back (`false`).
pub async fn retire(
    state: State,
    path: web::Path<String>,
    post: DeskForm<IsStandards, RetireForm>,
) -> Result<HttpResponse, AppError> {
    let id = number(&path.into_inner(), "channel")?;
    let retired = match post.form.retired.as_str() {
        "true" => true,
        "false" => false,
        other => return Err(AppError::invalid("retired", format!("must be true or false, not {other:?}"))),
    };
    let done = if retired { "retired" } else { "restored" };
    let keep = move |old: ChannelView| ChannelChange {
        name: old.name,
        partners: old.partners,
        endpoint_id: old.endpoint_id,
        retired,
    };
    apply(&state, &post.staff, id, keep, done).await
}

/// How an item stands, in words.
fn status_of(item: &ChecklistItem) -> String {
    let at = item.done_at.map(time).unwrap_or_default();
    match (item.done, item.done_via, &item.done_by) {
        (true, Some(ChannelVia::Mail), _) => format!("Emailed to every partner, delivered {at}"),
        (true, Some(ChannelVia::Webhook), _) => format!("Accepted by its webhook {at}"),
        (true, _, Some(who)) => format!("Marked by {who}, {at}"),
        (true, ..) => format!("Done {at}"),
        (false, ..) if item.outstanding > 0 && item.kind != ChannelKind::Syndication => {
            "Waiting for its webhook to accept the corrective".into()
        }
        (false, ..) if item.outstanding == 1 => "Waiting for 1 email to be delivered".into(),
        (false, ..) if item.outstanding > 1 => format!("Waiting for {} emails to be delivered", item.outstanding),
        (false, ..) => "Not yet corrected there".into(),
    }
}

/// What the correction page shows after a refused mark.
#[derive(Debug, Default)]
struct Refusal {
    errors: Vec<FieldError>,
    typed_link: Option<(i64, String)>,
    form_error: Option<String>,
}

/// The correction page with its checklist.
async fn correction_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    refusal: Refusal,
    notice: Option<String>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let (view, items, title) = state
        .db
        .read(move |c| {
            let view = corrections::view(c, id)?;
            let title = crate::domain::articles::get(c, &view.article_id)?.title;
            Ok((view, channels::checklist(c, id)?, title))
        })
        .await?;
    let can_mark = staff.actor.role.can_edit() && view.status == CorrectionStatus::Published;
    let checks = items
        .iter()
        .map(|i| views::ChannelCheck {
            channel_id: i.channel_id,
            name: i.name.clone(),
            kind_label: i.kind.label().into(),
            retired: i.retired,
            done: i.done,
            status: status_of(i),
            link: i.link.clone(),
            mark_action: (can_mark && !i.done).then(|| format!("/desk/corrections/{id}/channels/{}", i.channel_id)),
        })
        .collect();
    let page = views::CorrectionChannelsView {
        id,
        kind_label: view.kind.label().into(),
        status_label: view.status.label().into(),
        article_title: title,
        article_href: format!("/articles/{}/corrections#correction-{id}", view.article_id),
        published: view.published_at.map(time),
        text: view.text,
        items: checks,
        csrf: csrf(staff),
        errors: refusal
            .errors
            .into_iter()
            .map(|e| views::FieldError { message: format!("The link {}.", e.message), field: e.field })
            .collect(),
        typed_link: refusal.typed_link,
        form_error: refusal.form_error,
        notice,
    };
    Ok(html(status, views::correction_channels(&staff_layout(state, staff), &page)))
}

/// `GET /desk/corrections/{id}`: a correction for staff, with its checklist of channels.
pub async fn correction(
    state: State,
    staff: Signed<CanRead>,
    path: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let id = number(&path.into_inner(), "correction")?;
    let notice = (query.done == "marked").then(|| "Marked: the correction reached that channel.".to_owned());
    correction_page(&state, &staff, id, Refusal::default(), notice, 200).await
}

/// The mark form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MarkForm {
    link: String,
}

/// `POST /desk/corrections/{id}/channels/{channel_id}`: an editor marks an item done.
pub async fn mark(
    state: State,
    path: web::Path<(String, String)>,
    post: DeskForm<CanEdit, MarkForm>,
) -> Result<HttpResponse, AppError> {
    let (raw_id, raw_channel) = path.into_inner();
    let id = number(&raw_id, "correction")?;
    let channel_id = number(&raw_channel, "channel")?;
    let (actor, now, link) = (post.staff.actor.clone(), state.now(), post.form.link.clone());
    let typed = link.clone();
    match state.db.write(move |c| channels::mark(c, &actor, id, channel_id, Some(&link), now)).await {
        Ok(_) => Ok(redirect(format!("/desk/corrections/{id}?done=marked#check-{channel_id}"))),
        Err(AppError::Invalid(errors)) => {
            let errors = errors.into_iter().map(|e| FieldError::new(format!("link-{channel_id}"), e.message)).collect();
            let refusal = Refusal { errors, typed_link: Some((channel_id, typed)), form_error: None };
            correction_page(&state, &post.staff, id, refusal, None, 422).await
        }
        Err(e @ AppError::Conflict(_)) => {
            let refusal = Refusal { form_error: Some(format!("{}.", e.public_message())), ..Refusal::default() };
            correction_page(&state, &post.staff, id, refusal, None, 409).await
        }
        Err(other) => Err(other),
    }
}
