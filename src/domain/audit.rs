//! The audit trail: every event, filterable and paged, with reader data never included.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::events::EventData;
use super::filters;
use crate::db::models::{Event, StaffMember};
use crate::db::schema::{events, users};
use crate::db::vocabulary::{ActorKind, EventKind};
use crate::db::{DbConnection, MultiBackend};
use crate::error::AppError;

/// Filters of the audit stream.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this staff member's actions (by email).
    pub actor: Option<String>,
    /// Only this kind of event.
    pub kind: Option<EventKind>,
    /// On or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// On or before this day (UTC).
    pub to: Option<NaiveDate>,
    /// Events older than this id (the cursor).
    pub before: Option<i64>,
    /// Rows per page.
    pub limit: i64,
}

impl AuditFilter {
    /// Parses query pairs; unknown values are 422 naming the field.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, AppError> {
        let mut f = Self { limit: 100, ..Self::default() };
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "actor" => f.actor = Some(filters::text("actor", value)?),
                "kind" => {
                    f.kind = Some(EventKind::parse(value).ok_or_else(|| {
                        AppError::invalid(
                            "kind",
                            format!("{value:?} is not an event kind: use {}", EventKind::allowed()),
                        )
                    })?)
                }
                "from" => f.from = Some(filters::day("from", value)?),
                "to" => f.to = Some(filters::day("to", value)?),
                "cursor" => {
                    f.before = Some(
                        value
                            .parse()
                            .map_err(|_| AppError::invalid("cursor", "is not a cursor this server gave out"))?,
                    )
                }
                "limit" => f.limit = filters::limit(value, 500)?,
                other => return Err(AppError::invalid(other, "is not a filter of the audit trail")),
            }
        }
        Ok(f)
    }
}

/// One event as auditors see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditItem {
    /// Event id (increasing).
    pub id: i64,
    /// When (RFC 3339).
    #[serde(serialize_with = "super::time::rfc3339")]
    #[schema(value_type = String)]
    pub at: DateTime<Utc>,
    /// The event's kind.
    pub kind: EventKind,
    /// `user`, `reader` or `system`.
    pub actor_kind: ActorKind,
    /// The staff member's name, for `user` events.
    pub actor: Option<String>,
    /// The report concerned, if any.
    pub report_id: Option<i64>,
    /// Whether the reader sees it.
    pub public: bool,
    /// Kind-specific details; never the reader's name or email.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The same details, typed, for pages.
    #[serde(skip)]
    pub data: EventData,
}

/// A page of the audit trail, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditPage {
    /// The events.
    pub items: Vec<AuditItem>,
    /// Cursor of the next (older) page, or null.
    pub next: Option<String>,
}

/// One page of the audit trail.
pub fn events(conn: &mut DbConnection, f: &AuditFilter) -> Result<AuditPage, AppError> {
    let mut q = events::table
        .left_join(users::table.on(events::actor_id.eq(users::id.nullable())))
        .into_boxed::<MultiBackend>();
    if let Some(email) = &f.actor {
        // Someone with no account did nothing: an empty page, as for any filter nothing matches.
        let Some(user) = StaffMember::by_email(conn, email)? else {
            return Ok(AuditPage { items: Vec::new(), next: None });
        };
        q = q.filter(events::actor_id.eq(user.id));
    }
    if let Some(kind) = &f.kind {
        q = q.filter(events::kind.eq(*kind));
    }
    let (from, to) = filters::day_bounds(f.from, f.to);
    if let Some(from) = from {
        q = q.filter(events::created_at.ge(from));
    }
    if let Some(to) = to {
        q = q.filter(events::created_at.lt(to));
    }
    if let Some(before) = f.before {
        q = q.filter(events::id.lt(before));
    }
    let mut rows: Vec<(Event, Option<String>)> = q
        .order(events::id.desc())
        .select((Event::as_select(), users::name.nullable()))
        .limit(f.limit + 1)
        .load(conn)?;
    let more = rows.len() as i64 > f.limit;
    rows.truncate(f.limit as usize);
    let next = rows.last().filter(|_| more).map(|(e, _)| e.id.to_string());
    let items = rows
        .into_iter()
        .map(|(e, name)| {
            let data = EventData::of(&e)?;
            Ok(AuditItem {
                id: e.id,
                at: super::time::utc(e.created_at),
                kind: e.kind,
                actor_kind: e.actor_kind,
                actor: name,
                report_id: e.report_id,
                public: e.public,
                payload: data.payload(),
                data,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(AuditPage { items, next })
}

#[cfg(test)]
mod tests {
    mod properties {
        use proptest::prelude::*;

        use crate::domain::audit::*;
        use crate::domain::cases;

        const KEYS: [&str; 7] = ["actor", "kind", "from", "to", "cursor", "limit", "page"];

        proptest! {
            #![proptest_config(cases::config(512))]

            #[test]
            fn audit_filters_are_taken_or_refused_naming_the_filter(
                pairs in proptest::collection::vec((
                    proptest::sample::select(&KEYS[..]),
                    prop_oneof![Just("report_filed".to_owned()), Just("2026-11-28".to_owned()), Just("17".to_owned()), cases::text()],
                ), 0..6)
            ) {
                let owned: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
                match AuditFilter::parse(&owned) {
                    Ok(f) => {
                        prop_assert!((1..=500).contains(&f.limit));
                        if let Some(actor) = &f.actor {
                            prop_assert!(!actor.contains('\0'), "PostgreSQL refuses NUL in text: {actor:?}");
                        }
                    }
                    Err(e) => {
                        let field = e.field().unwrap_or_default();
                        prop_assert!(pairs.iter().any(|(k, _)| *k == field), "{field:?} for {pairs:?}");
                    }
                }
            }
        }
    }
}
