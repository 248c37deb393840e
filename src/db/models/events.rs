//! The append-only trail of what happened.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::*;
use crate::db::vocabulary::{ActorKind, EventKind};
use crate::db::DbConnection;

/// An event row (append-only).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct Event {
    pub id: i64,
    pub report_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_kind: ActorKind,
    pub kind: EventKind,
    pub public: bool,
    /// JSON object.
    pub payload: String,
    pub created_at: NaiveDateTime,
}

/// An event to append.
#[derive(Debug, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent<'a> {
    pub report_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_kind: ActorKind,
    pub kind: EventKind,
    pub public: bool,
    pub payload: &'a str,
    pub created_at: NaiveDateTime,
}

impl Event {
    /// The public events of a report, oldest first.
    pub fn public_for_report(conn: &mut DbConnection, report_id: i64) -> QueryResult<Vec<Self>> {
        events::table
            .filter(events::report_id.eq(report_id))
            .filter(events::public.eq(true))
            .order(events::id.asc())
            .select(Self::as_select())
            .load(conn)
    }

    /// Every event of a report with the acting user's name, oldest first.
    pub fn for_report(conn: &mut DbConnection, report_id: i64) -> QueryResult<Vec<(Self, Option<String>)>> {
        events::table
            .left_join(users::table.on(events::actor_id.eq(users::id.nullable())))
            .filter(events::report_id.eq(report_id))
            .order(events::id.asc())
            .select((Self::as_select(), users::name.nullable()))
            .load(conn)
    }

    /// The most recent event of a report of one of `kinds`, with the actor's name.
    pub fn latest_of(
        conn: &mut DbConnection,
        report_id: i64,
        kinds: &[EventKind],
    ) -> QueryResult<Option<(Self, Option<String>)>> {
        // A report has few events: read them through `events_report` and pick here. With the
        // kind in the query a planner may walk `events_kind` across every report's events.
        let latest = events::table
            .filter(events::report_id.eq(report_id))
            .order(events::id.desc())
            .select(Self::as_select())
            .load::<Self>(conn)?
            .into_iter()
            .find(|e| kinds.contains(&e.kind));
        let Some(event) = latest else { return Ok(None) };
        let name = match event.actor_id {
            Some(id) => users::table.find(id).select(users::name).first(conn).optional()?,
            None => None,
        };
        Ok(Some((event, name)))
    }
}

impl NewEvent<'_> {
    /// Appends the event.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(events::table).values(self).execute(conn).map(drop)
    }
}
