//! Distribution channels: where the publisher's stories go besides the site, and each
//! correction's checklist of the channels its error went to.
//!
//! An item is done when an editor marks it, or when every message that carries the corrective
//! to the channel was delivered ([`delivered`], called by the mail and webhook dispatchers).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::{self, Actor, Role};
use super::events::{self, ChannelDone, EventData};
use super::ids::CorrectionId;
use super::text::{http_url, required_line};
use crate::db::json::StringList;
use crate::db::models::{Channel, ChannelDelivery, ChecklistRow, Correction, NewChannel, StaffMember, WebhookEndpoint};
use crate::db::vocabulary::EndpointKind;
use crate::db::DbConnection;
use crate::error::{AppError, FieldError};

pub use crate::db::vocabulary::{ChannelKind, ChannelVia};

/// Longest channel name, in characters.
pub const NAME_MAX: usize = 80;
/// Most partner addresses on one channel.
pub const PARTNERS_MAX: usize = 50;

/// A channel as a standards editor sends it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelInput {
    /// What the desk calls it, e.g. "Morning newsletter" (unique, case aside).
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
    /// newsletter, push, social, syndication, print or other.
    #[schema(value_type = ChannelKind)]
    pub kind: String,
    /// For a syndication channel: the partners' addresses, sent the corrective by email.
    #[serde(default)]
    #[schema(max_items = 50, value_type = Vec<PartnerAddress>)]
    pub partners: Vec<String>,
    /// The webhook endpoint (of kind `webhook`) that carries its correctives: the item is done
    /// when the endpoint accepts the correction's `channel.corrective` event.
    #[serde(default)]
    pub endpoint_id: Option<i64>,
}

/// A channel as it should be from now on: its name, partners, and whether it is retired.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelChange {
    /// Its name (a new one renames it; old checklists show the new name).
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
    /// The partners' addresses (syndication channels only), replacing the old list.
    #[serde(default)]
    #[schema(max_items = 50, value_type = Vec<PartnerAddress>)]
    pub partners: Vec<String>,
    /// The webhook endpoint that carries its correctives, replacing the old one (none: null or left out).
    #[serde(default)]
    pub endpoint_id: Option<i64>,
    /// true retires it (offered for no new correction, kept on old checklists); false keeps it or brings it back.
    #[serde(default)]
    pub retired: bool,
}

crate::text_schema!(
    /// A partner's email address, for the API's document.
    PartnerAddress,
    None,
    254,
    crate::domain::text::EMAIL_PATTERN
);

/// A channel as the desk and the API show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChannelView {
    /// Its id (what a correction's `channels` lists).
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: ChannelKind,
    /// Partners' addresses (syndication).
    pub partners: Vec<String>,
    /// The webhook endpoint that carries its correctives, when one does.
    pub endpoint_id: Option<i64>,
    /// Whether it is retired.
    pub retired: bool,
}

impl From<Channel> for ChannelView {
    fn from(c: Channel) -> Self {
        Self {
            id: c.id,
            name: c.name,
            kind: c.kind,
            partners: c.partners.into_vec(),
            endpoint_id: c.endpoint_id,
            retired: c.retired_at.is_some(),
        }
    }
}

/// One item of a correction's checklist.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChecklistItem {
    /// The channel.
    pub channel_id: i64,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: ChannelKind,
    /// Whether the channel is retired now.
    pub retired: bool,
    /// Whether the corrective reached it.
    pub done: bool,
    /// When it was done (RFC 3339, UTC).
    #[serde(serialize_with = "crate::domain::time::rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<DateTime<Utc>>,
    /// How: `staff` (an editor marked it), `mail` (the partners' emails were delivered) or
    /// `webhook` (its endpoint accepted the corrective).
    pub done_via: Option<ChannelVia>,
    /// The editor who marked it.
    pub done_by: Option<String>,
    /// The corrective post, when the editor gave one.
    pub link: Option<String>,
    /// Messages carrying the corrective that are not delivered yet.
    pub outstanding: i64,
}

/// Who may change the channels.
fn must_manage(actor: &Actor) -> Result<(), AppError> {
    if actor.role != Role::StandardsEditor {
        return Err(AppError::Forbidden("only a standards editor may change the distribution channels".into()));
    }
    Ok(())
}

/// Every channel, active ones first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<ChannelView>, AppError> {
    Ok(Channel::all(conn)?.into_iter().map(ChannelView::from).collect())
}

/// The conflicts of well-formed input with what exists (409, not 422): a name another
/// channel has (`except` is the channel being changed), partners for a channel that is
/// not for syndication, or an endpoint that is not a registered webhook.
fn conflicts(
    conn: &mut DbConnection,
    name: &str,
    except: Option<i64>,
    kind: ChannelKind,
    partners: &[String],
    endpoint_id: Option<i64>,
) -> Result<(), AppError> {
    if let Some(other) = Channel::named(conn, name)?.filter(|other| Some(other.id) != except) {
        return Err(AppError::ConflictOn(FieldError::new(
            "name",
            format!("a channel is already called {:?}", other.name),
        )));
    }
    if !partners.is_empty() && kind != ChannelKind::Syndication {
        return Err(AppError::ConflictOn(FieldError::new(
            "partners",
            "partners are only for a syndication channel: leave them empty",
        )));
    }
    if let Some(id) = endpoint_id {
        match WebhookEndpoint::find_active(conn, id)? {
            None => {
                return Err(AppError::ConflictOn(FieldError::new(
                    "endpoint_id",
                    format!("no webhook endpoint has the number {id} (see /desk/webhooks)"),
                )))
            }
            Some(e) if e.kind != EndpointKind::Webhook => {
                return Err(AppError::ConflictOn(FieldError::new(
                    "endpoint_id",
                    format!("endpoint #{id} takes chat alerts; a channel needs a signed webhook"),
                )))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Checked partner addresses: each an email address, no repeats, at most [`PARTNERS_MAX`].
fn checked_partners(raw: &[String]) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    if raw.iter().any(|a| a.trim().is_empty()) {
        return Err(FieldError::new("partners", "holds an empty address"));
    }
    for address in raw.iter().map(|a| a.trim()) {
        let email = accounts::parse_email("partners", address)?;
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&email)) {
            out.push(email);
        }
    }
    if out.len() > PARTNERS_MAX {
        return Err(FieldError::new("partners", format!("at most {PARTNERS_MAX} addresses")));
    }
    Ok(out)
}

/// Adds a channel (standards editors).
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &ChannelInput,
    now: NaiveDateTime,
) -> Result<ChannelView, AppError> {
    must_manage(actor)?;
    let mut errors = Vec::new();
    let name = required_line("name", &input.name, NAME_MAX).map_err(|e| errors.push(e)).ok();
    let kind = ChannelKind::parse(input.kind.trim());
    if kind.is_none() {
        errors
            .push(FieldError::new("kind", format!("must be one of {}, not {:?}", ChannelKind::allowed(), input.kind)));
    }
    let partners = checked_partners(&input.partners).map_err(|e| errors.push(e)).unwrap_or_default();
    let (Some(name), Some(kind), true) = (name, kind, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    conflicts(conn, &name, None, kind, &partners, input.endpoint_id)?;
    let new =
        NewChannel { name: &name, kind, partners: partners.into(), created_at: now, endpoint_id: input.endpoint_id };
    let id = Channel::insert(conn, &new)?;
    get(conn, id)
}

/// One channel.
pub fn get(conn: &mut DbConnection, id: i64) -> Result<ChannelView, AppError> {
    Channel::find(conn, id)?
        .map(ChannelView::from)
        .ok_or_else(|| AppError::NotFound(format!("no channel has the number {id}")))
}

/// Renames a channel, sets its partners, retires it or brings it back (standards editors).
pub fn change(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    input: &ChannelChange,
    now: NaiveDateTime,
) -> Result<ChannelView, AppError> {
    must_manage(actor)?;
    let old = Channel::find(conn, id)?.ok_or_else(|| AppError::NotFound(format!("no channel has the number {id}")))?;
    let mut errors = Vec::new();
    let name = required_line("name", &input.name, NAME_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
    let partners = checked_partners(&input.partners).map_err(|e| errors.push(e)).unwrap_or_default();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    conflicts(conn, &name, Some(id), old.kind, &partners, input.endpoint_id)?;
    Channel::change(conn, id, &name, StringList::from(partners), input.endpoint_id)?;
    match (input.retired, old.retired_at) {
        (true, None) => Channel::set_retired(conn, id, Some(now))?,
        (false, Some(_)) => Channel::set_retired(conn, id, None)?,
        _ => {}
    }
    get(conn, id)
}

/// The channels ticked for a new correction, checked: each must exist and be in use.
pub fn check_ticks(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<i64>, AppError> {
    let mut unique: Vec<i64> = Vec::new();
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    let found: HashMap<i64, Channel> = Channel::with_ids(conn, &unique)?.into_iter().map(|c| (c.id, c)).collect();
    let mut errors = Vec::new();
    for id in &unique {
        match found.get(id) {
            None => errors.push(FieldError::new("channels", format!("no channel has the number {id}"))),
            Some(c) if c.retired_at.is_some() => {
                errors.push(FieldError::new("channels", format!("the channel {:?} is retired", c.name)))
            }
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(unique)
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Starts a correction's checklist (in its publishing transaction).
pub fn attach(conn: &mut DbConnection, correction_id: i64, channel_ids: &[i64]) -> Result<(), AppError> {
    Ok(ChecklistRow::attach(conn, correction_id, channel_ids)?)
}

/// The checklists of several corrections, each in channel-name order.
pub fn checklists(
    conn: &mut DbConnection,
    correction_ids: &[i64],
) -> Result<HashMap<i64, Vec<ChecklistItem>>, AppError> {
    let rows = ChecklistRow::of(conn, correction_ids)?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let channel_ids: Vec<i64> = rows.iter().map(|r| r.channel_id).collect();
    let channels: HashMap<i64, Channel> =
        Channel::with_ids(conn, &channel_ids)?.into_iter().map(|c| (c.id, c)).collect();
    let mut names: HashMap<i64, String> = HashMap::new();
    for by in rows.iter().filter_map(|r| r.done_by) {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(by) {
            slot.insert(StaffMember::find(conn, by)?.map(|u| u.name).unwrap_or_else(|| "A former account".into()));
        }
    }
    let mut out: HashMap<i64, Vec<ChecklistItem>> = HashMap::new();
    for r in rows {
        let Some(c) = channels.get(&r.channel_id) else { continue };
        let outstanding =
            if r.done_at.is_none() { ChannelDelivery::outstanding(conn, r.correction_id, c.id)? } else { 0 };
        out.entry(r.correction_id).or_default().push(ChecklistItem {
            channel_id: c.id,
            name: c.name.clone(),
            kind: c.kind,
            retired: c.retired_at.is_some(),
            done: r.done_at.is_some(),
            done_at: r.done_at.map(|t| t.and_utc()),
            done_via: r.done_via,
            done_by: r.done_by.and_then(|id| names.get(&id).cloned()),
            link: r.link,
            outstanding,
        });
    }
    for items in out.values_mut() {
        items.sort_by_key(|i| i.name.to_lowercase());
    }
    Ok(out)
}

/// One correction's checklist.
pub fn checklist(conn: &mut DbConnection, correction_id: i64) -> Result<Vec<ChecklistItem>, AppError> {
    Ok(checklists(conn, &[correction_id])?.remove(&correction_id).unwrap_or_default())
}

/// The correction and item an editor marks, or why not.
fn markable(
    conn: &mut DbConnection,
    correction_id: i64,
    channel_id: i64,
) -> Result<(Correction, ChecklistRow), AppError> {
    let c = Correction::find(conn, correction_id)?
        .ok_or_else(|| AppError::NotFound(format!("no correction has the number {correction_id}")))?;
    let item = ChecklistRow::find(conn, correction_id, channel_id)?.ok_or_else(|| {
        AppError::NotFound(format!("correction #{correction_id} has no channel #{channel_id} on its checklist"))
    })?;
    if c.status != super::corrections::CorrectionStatus::Published {
        return Err(AppError::Conflict(format!(
            "correction #{correction_id} is {}: only a published correction goes out to its channels",
            c.status.label().to_lowercase()
        )));
    }
    Ok((c, item))
}

/// An editor marks an item done, with an optional link to the corrective post.
///
/// Marking an item that is done already is refused with 409, saying who did it and when.
pub fn mark(
    conn: &mut DbConnection,
    actor: &Actor,
    correction_id: i64,
    channel_id: i64,
    link: Option<&str>,
    now: NaiveDateTime,
) -> Result<ChecklistItem, AppError> {
    if !actor.role.can_edit() {
        return Err(AppError::Forbidden(format!("an {} may read but not mark", actor.role.label().to_lowercase())));
    }
    let link = match link.map(str::trim).filter(|l| !l.is_empty()) {
        Some(raw) => Some(http_url("link", raw).map_err(|e| AppError::Invalid(vec![e]))?),
        None => None,
    };
    let (c, item) = markable(conn, correction_id, channel_id)?;
    if item.done_at.is_some()
        || !ChecklistRow::mark(
            conn,
            correction_id,
            channel_id,
            ChannelVia::Staff,
            Some(actor.id),
            link.as_deref(),
            now,
        )?
    {
        return Err(already_done(conn, correction_id, channel_id)?);
    }
    done_event(conn, Some(actor), &c, channel_id, ChannelVia::Staff, link, now)?;
    checklist(conn, correction_id)?
        .into_iter()
        .find(|i| i.channel_id == channel_id)
        .ok_or_else(|| AppError::NotFound("the item vanished".into()))
}

/// The 409 for marking an item that is done.
fn already_done(conn: &mut DbConnection, correction_id: i64, channel_id: i64) -> Result<AppError, AppError> {
    let item = checklist(conn, correction_id)?.into_iter().find(|i| i.channel_id == channel_id);
    let (who, when) = match &item {
        Some(i) => (
            match (i.done_via, &i.done_by) {
                (Some(ChannelVia::Staff), Some(name)) => name.clone(),
                (Some(via), _) => via.label().to_lowercase(),
                _ => "someone".into(),
            },
            i.done_at.map(|t| t.format("%-d %B %Y, %H:%M UTC").to_string()).unwrap_or_default(),
        ),
        None => ("someone".into(), String::new()),
    };
    Ok(AppError::Conflict(format!(
        "correction #{correction_id} already reached channel #{channel_id}: done ({who}) {when}"
    )))
}

/// Records in the audit trail that an item was done.
fn done_event(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    c: &Correction,
    channel_id: i64,
    via: ChannelVia,
    link: Option<String>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let channel = Channel::find(conn, channel_id)?.map(|ch| ch.name).unwrap_or_default();
    let data = EventData::ChannelDone(ChannelDone {
        correction_id: CorrectionId(c.id),
        article_id: c.article_id.clone(),
        channel_id,
        channel,
        via,
        link,
    });
    events::record(conn, None, actor, false, &data, now)
}

/// Open items of published corrections whose channel takes email: (channel id, partners).
pub fn mail_targets(conn: &mut DbConnection, correction_id: i64) -> Result<Vec<(i64, Vec<String>)>, AppError> {
    let rows = ChecklistRow::of(conn, &[correction_id])?;
    let open: Vec<i64> = rows.iter().filter(|r| r.done_at.is_none()).map(|r| r.channel_id).collect();
    Ok(Channel::with_ids(conn, &open)?
        .into_iter()
        .filter(|c| c.kind == ChannelKind::Syndication && !c.partners.is_empty())
        .map(|c| (c.id, c.partners.into_vec()))
        .collect())
}

/// Open items of a correction whose channel has a webhook endpoint: (channel, endpoint id).
pub fn webhook_targets(conn: &mut DbConnection, correction_id: i64) -> Result<Vec<(Channel, i64)>, AppError> {
    let rows = ChecklistRow::of(conn, &[correction_id])?;
    let open: Vec<i64> = rows.iter().filter(|r| r.done_at.is_none()).map(|r| r.channel_id).collect();
    Ok(Channel::with_ids(conn, &open)?.into_iter().filter_map(|c| c.endpoint_id.map(|e| (c, e))).collect())
}

/// A webhook endpoint was removed: no channel names it any more (its items wait for an editor).
pub fn forget_endpoint(conn: &mut DbConnection, endpoint_id: i64) -> Result<(), AppError> {
    crate::db::models::Desk::unset_endpoint(conn, endpoint_id)?;
    Ok(Channel::unset_endpoint(conn, endpoint_id)?)
}

/// Records that message `ref_id` of `via` carries the corrective of a correction to a channel.
pub fn record_delivery(
    conn: &mut DbConnection,
    via: ChannelVia,
    ref_id: i64,
    correction_id: i64,
    channel_id: i64,
) -> Result<(), AppError> {
    Ok(ChannelDelivery::insert(conn, via, ref_id, correction_id, channel_id)?)
}

/// A consumer's dispatcher delivered message `ref_id`: when it carried a corrective and was the
/// last one out for its item, the item is done (by `via`, at `now`) and the audit trail says so.
pub fn delivered(conn: &mut DbConnection, via: ChannelVia, ref_id: i64, now: NaiveDateTime) -> Result<(), AppError> {
    let Some(d) = ChannelDelivery::delivered(conn, via, ref_id, now)? else { return Ok(()) };
    if ChannelDelivery::outstanding(conn, d.correction_id, d.channel_id)? > 0 {
        return Ok(());
    }
    let Some(c) = Correction::find(conn, d.correction_id)? else { return Ok(()) };
    if ChecklistRow::mark(conn, d.correction_id, d.channel_id, via, None, None, now)? {
        done_event(conn, None, &c, d.channel_id, via, None, now)?;
    }
    Ok(())
}

/// A published correction with open items, for the desk.
#[derive(Debug, Clone)]
pub struct OpenCorrection {
    /// The correction.
    pub correction_id: i64,
    /// Its article.
    pub article_id: String,
    /// The article's headline.
    pub article_title: String,
    /// Its kind.
    pub kind: super::corrections::Kind,
    /// When it was published.
    pub published_at: Option<NaiveDateTime>,
    /// Its checklist.
    pub items: Vec<ChecklistItem>,
}

/// Published corrections with open items, oldest first (at most `limit`).
pub fn open(conn: &mut DbConnection, limit: i64) -> Result<Vec<OpenCorrection>, AppError> {
    let rows = ChecklistRow::open_published(conn, limit)?;
    let ids: Vec<i64> = rows.iter().map(|(c, _)| c.id).collect();
    let mut lists = checklists(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(c, article_title)| OpenCorrection {
            correction_id: c.id,
            article_title,
            kind: c.kind,
            published_at: c.published_at,
            items: lists.remove(&c.id).unwrap_or_default(),
            article_id: c.article_id,
        })
        .collect())
}

/// The names of the channels each correction reached, for the public log.
pub fn reached(conn: &mut DbConnection, correction_ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, AppError> {
    Ok(checklists(conn, correction_ids)?
        .into_iter()
        .map(|(id, items)| (id, items.into_iter().filter(|i| i.done).map(|i| i.name).collect::<Vec<_>>()))
        .filter(|(_, names)| !names.is_empty())
        .collect())
}
