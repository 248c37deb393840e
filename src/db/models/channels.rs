//! Distribution channels and each correction's checklist of them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Correction;
use crate::db::json::StringList;
use crate::db::schema::{articles, channel_deliveries, channels, correction_channels, corrections};
use crate::db::vocabulary::{ChannelKind, ChannelVia, CorrectionStatus};
use crate::db::DbConnection;

/// A channel the publisher's stories go out through.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = channels)]
pub struct Channel {
    pub id: i64,
    pub name: String,
    pub kind: ChannelKind,
    /// Syndication partners' addresses.
    pub partners: StringList,
    pub created_at: NaiveDateTime,
    pub retired_at: Option<NaiveDateTime>,
    /// The webhook endpoint that carries its correctives, when one does.
    pub endpoint_id: Option<i64>,
}

/// A channel to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = channels)]
pub struct NewChannel<'a> {
    pub name: &'a str,
    pub kind: ChannelKind,
    pub partners: StringList,
    pub created_at: NaiveDateTime,
    pub endpoint_id: Option<i64>,
}

/// One item of a correction's checklist, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = correction_channels)]
pub struct ChecklistRow {
    pub correction_id: i64,
    pub channel_id: i64,
    pub done_at: Option<NaiveDateTime>,
    pub done_via: Option<ChannelVia>,
    pub done_by: Option<i64>,
    pub link: Option<String>,
}

impl Channel {
    /// Every channel, active ones first, each group by name.
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        let mut rows: Vec<Self> = channels::table.order(channels::name.asc()).select(Self::as_select()).load(conn)?;
        rows.sort_by_key(|c| c.retired_at.is_some());
        Ok(rows)
    }

    /// One channel.
    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        channels::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// The channels with these ids.
    pub fn with_ids(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Self>> {
        channels::table.filter(channels::id.eq_any(ids)).select(Self::as_select()).load(conn)
    }

    /// The channel of this name, compared without regard to case.
    pub fn named(conn: &mut DbConnection, name: &str) -> QueryResult<Option<Self>> {
        let lower = name.to_lowercase();
        Ok(Self::all(conn)?.into_iter().find(|c| c.name.to_lowercase() == lower))
    }

    /// Stores a new channel; returns its id.
    pub fn insert(conn: &mut DbConnection, new: &NewChannel<'_>) -> QueryResult<i64> {
        diesel::insert_into(channels::table).values(new).returning(channels::id).get_result(conn)
    }

    /// Renames a channel and sets its partners and webhook endpoint.
    pub fn change(
        conn: &mut DbConnection,
        id: i64,
        name: &str,
        partners: StringList,
        endpoint_id: Option<i64>,
    ) -> QueryResult<()> {
        diesel::update(channels::table.find(id))
            .set((channels::name.eq(name), channels::partners.eq(partners), channels::endpoint_id.eq(endpoint_id)))
            .execute(conn)
            .map(drop)
    }

    /// Unsets a removed webhook endpoint from the channels it carried correctives for.
    pub fn unset_endpoint(conn: &mut DbConnection, endpoint_id: i64) -> QueryResult<()> {
        diesel::update(channels::table.filter(channels::endpoint_id.eq(endpoint_id)))
            .set(channels::endpoint_id.eq(None::<i64>))
            .execute(conn)
            .map(drop)
    }

    /// Retires a channel (`Some` time) or brings it back (`None`).
    pub fn set_retired(conn: &mut DbConnection, id: i64, at: Option<NaiveDateTime>) -> QueryResult<()> {
        diesel::update(channels::table.find(id)).set(channels::retired_at.eq(at)).execute(conn).map(drop)
    }
}

impl ChecklistRow {
    /// Adds one open item per channel to a correction's checklist.
    pub fn attach(conn: &mut DbConnection, correction_id: i64, channel_ids: &[i64]) -> QueryResult<()> {
        for channel_id in channel_ids {
            diesel::insert_into(correction_channels::table)
                .values((
                    correction_channels::correction_id.eq(correction_id),
                    correction_channels::channel_id.eq(channel_id),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    /// The checklists of these corrections.
    pub fn of(conn: &mut DbConnection, correction_ids: &[i64]) -> QueryResult<Vec<Self>> {
        correction_channels::table
            .filter(correction_channels::correction_id.eq_any(correction_ids))
            .select(Self::as_select())
            .load(conn)
    }

    /// One item.
    pub fn find(conn: &mut DbConnection, correction_id: i64, channel_id: i64) -> QueryResult<Option<Self>> {
        correction_channels::table.find((correction_id, channel_id)).select(Self::as_select()).first(conn).optional()
    }

    /// Marks an open item done; false when it was done already (by someone else just now).
    pub fn mark(
        conn: &mut DbConnection,
        correction_id: i64,
        channel_id: i64,
        via: ChannelVia,
        by: Option<i64>,
        link: Option<&str>,
        at: NaiveDateTime,
    ) -> QueryResult<bool> {
        let n = diesel::update(
            correction_channels::table.find((correction_id, channel_id)).filter(correction_channels::done_at.is_null()),
        )
        .set((
            correction_channels::done_at.eq(at),
            correction_channels::done_via.eq(via),
            correction_channels::done_by.eq(by),
            correction_channels::link.eq(link),
        ))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// Published corrections with open items and their articles' headlines, oldest first
    /// (the partial index holds only open items).
    pub fn open_published(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<(Correction, String)>> {
        correction_channels::table
            .inner_join(corrections::table.inner_join(articles::table))
            .filter(correction_channels::done_at.is_null())
            .filter(corrections::status.eq(CorrectionStatus::Published))
            .select((Correction::as_select(), articles::title))
            .distinct()
            .order((corrections::published_at.asc(), corrections::id.asc()))
            .limit(limit)
            .load(conn)
    }
}

/// A message carrying a corrective to one channel of one correction.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = channel_deliveries)]
pub struct ChannelDelivery {
    pub via: ChannelVia,
    pub ref_id: i64,
    pub correction_id: i64,
    pub channel_id: i64,
    pub delivered_at: Option<NaiveDateTime>,
}

impl ChannelDelivery {
    /// Records that message `ref_id` (of `via`) carries the corrective to the item.
    pub fn insert(
        conn: &mut DbConnection,
        via: ChannelVia,
        ref_id: i64,
        correction_id: i64,
        channel_id: i64,
    ) -> QueryResult<()> {
        diesel::insert_into(channel_deliveries::table)
            .values((
                channel_deliveries::via.eq(via),
                channel_deliveries::ref_id.eq(ref_id),
                channel_deliveries::correction_id.eq(correction_id),
                channel_deliveries::channel_id.eq(channel_id),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Marks message `ref_id` delivered; returns its delivery when it carried a corrective.
    pub fn delivered(
        conn: &mut DbConnection,
        via: ChannelVia,
        ref_id: i64,
        at: NaiveDateTime,
    ) -> QueryResult<Option<Self>> {
        let target = channel_deliveries::table.find((via, ref_id));
        let n = diesel::update(target.filter(channel_deliveries::delivered_at.is_null()))
            .set(channel_deliveries::delivered_at.eq(at))
            .execute(conn)?;
        if n == 0 {
            return Ok(None);
        }
        target.select(Self::as_select()).first(conn).optional()
    }

    /// How many deliveries of the item are still out.
    pub fn outstanding(conn: &mut DbConnection, correction_id: i64, channel_id: i64) -> QueryResult<i64> {
        channel_deliveries::table
            .filter(channel_deliveries::correction_id.eq(correction_id))
            .filter(channel_deliveries::channel_id.eq(channel_id))
            .filter(channel_deliveries::delivered_at.is_null())
            .count()
            .get_result(conn)
    }
}
