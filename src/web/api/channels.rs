//! Distribution channels in the API: standards editors configure them; editors mark a
//! correction's checklist items done; everyone on the staff reads them.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::DESK_BODY_LIMIT;
use crate::domain::channels::{self, ChannelChange, ChannelInput, ChannelView, ChecklistItem};
use crate::error::AppError;
use crate::web::auth::{CanEdit, CanRead, IsStandards, Signed};
use crate::web::errors::ErrorBody;
use crate::web::extract::{parse_json, parse_number as number, read_body};
use crate::web::State;

/// Every channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelList {
    /// Channels in use first, each group by name.
    pub items: Vec<ChannelView>,
}

/// A correction's checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct Checklist {
    /// One item per channel its error went to, by name.
    pub items: Vec<ChecklistItem>,
}

/// What an editor sends when marking an item done.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkInput {
    /// The corrective post or message (http or https), optional.
    #[serde(default)]
    #[schema(
        max_length = 2048,
        pattern = r"^(|https?://[a-z][a-z0-9-]{0,62}(\.[a-z][a-z0-9-]{0,62})*(/[A-Za-z0-9._~/-]*)?)$"
    )]
    pub link: Option<String>,
}

/// The distribution channels.
#[utoipa::path(
    get, path = "/api/v1/desk/channels", tag = "channels",
    security(("bearer" = [])),
    responses((status = 200, description = "Every channel, retired ones last", body = ChannelList))
)]
pub async fn list(state: State, _staff: Signed<CanRead>) -> Result<HttpResponse, AppError> {
    let items = state.db.read(channels::list).await?;
    Ok(HttpResponse::Ok().json(ChannelList { items }))
}

/// Adds a distribution channel.
#[utoipa::path(
    post, path = "/api/v1/desk/channels", tag = "channels",
    request_body = ChannelInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = ChannelView),
        (status = 403, description = "Not a standards editor", body = ErrorBody),
        (status = 409, description = "The name is taken by another channel, partners are given for a channel that is not for syndication, or `endpoint_id` is not a registered signed webhook; `field` names it", body = ErrorBody),
        (status = 422, description = "A name missing, an unknown kind, or partners that are empty, not addresses or not for a syndication channel; `field` names it", body = ErrorBody),
    )
)]
pub async fn create(
    state: State,
    req: HttpRequest,
    staff: Signed<IsStandards>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let input: ChannelInput = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    let view = state.db.write(move |c| channels::create(c, &actor, &input, now)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Renames a channel, replaces its partners, retires it or brings it back.
#[utoipa::path(
    put, path = "/api/v1/desk/channels/{id}", tag = "channels",
    params(("id" = i64, Path, description = "The channel's number")),
    request_body = ChannelChange,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = ChannelView),
        (status = 403, description = "Not a standards editor", body = ErrorBody),
        (status = 404, description = "No such channel", body = ErrorBody),
        (status = 409, description = "The name is taken by another channel, partners are given for a channel that is not for syndication, or `endpoint_id` is not a registered signed webhook; `field` names it", body = ErrorBody),
        (status = 422, description = "A name missing, or partners that are empty, not addresses or not for a syndication channel; `field` names it", body = ErrorBody),
    )
)]
pub async fn change(
    state: State,
    req: HttpRequest,
    staff: Signed<IsStandards>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = number(&path.into_inner(), "channel")?;
    let input: ChannelChange = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    let view = state.db.write(move |c| channels::change(c, &actor, id, &input, now)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// A correction's checklist of the channels its error went to.
#[utoipa::path(
    get, path = "/api/v1/desk/corrections/{id}/channels", tag = "channels",
    params(("id" = i64, Path, description = "The correction's number")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The checklist", body = Checklist),
        (status = 404, description = "No such correction", body = ErrorBody),
    )
)]
pub async fn checklist(
    state: State,
    _staff: Signed<CanRead>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = number(&path.into_inner(), "correction")?;
    let items = state
        .db
        .read(move |c| {
            crate::domain::corrections::view(c, id)?;
            channels::checklist(c, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Checklist { items }))
}

/// Marks a checklist item done: the corrective reached the channel (an editor says so).
///
/// Marking an item that is done already (by an editor or by delivered mail) is refused with 409.
#[utoipa::path(
    post, path = "/api/v1/desk/corrections/{id}/channels/{channel_id}", tag = "channels",
    params(
        ("id" = i64, Path, description = "The correction's number"),
        ("channel_id" = i64, Path, description = "The channel's number"),
    ),
    request_body = MarkInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Done, with who marked it and when", body = ChecklistItem),
        (status = 403, description = "An auditor, who may not mark", body = ErrorBody),
        (status = 404, description = "No such correction, or the channel is not on its checklist", body = ErrorBody),
        (status = 409, description = "Done already, or the correction is not published", body = ErrorBody),
        (status = 422, description = "A link that is not an http or https address; `field` is link", body = ErrorBody),
    )
)]
pub async fn mark(
    state: State,
    req: HttpRequest,
    staff: Signed<CanEdit>,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (raw_id, raw_channel) = path.into_inner();
    let id = number(&raw_id, "correction")?;
    let channel_id = number(&raw_channel, "channel")?;
    let input: MarkInput = parse_json(&read_body(&req, payload, DESK_BODY_LIMIT).await?)?;
    let (actor, now) = (staff.actor.clone(), state.now());
    let item = state.db.write(move |c| channels::mark(c, &actor, id, channel_id, input.link.as_deref(), now)).await?;
    Ok(HttpResponse::Ok().json(item))
}
