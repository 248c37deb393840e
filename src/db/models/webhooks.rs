//! Webhook endpoints and their outbox: deliveries written with the event, claimed and marked by a dispatcher.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::outbox::Queue;
use crate::db::schema::{reports, webhook_deliveries, webhook_endpoints, webhook_overdue_alerts};
use crate::db::vocabulary::{EndpointKind, OutboxStatus, Status};
use crate::db::{DbConnection, DbError};

/// A registered endpoint (its secret sealed).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub kind: EndpointKind,
    /// The events it receives, comma separated.
    pub events: String,
    /// Nonce and ciphertext of the signing secret, base64.
    pub secret_sealed: String,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
    /// The HTTP status of the last attempt, when it got an answer.
    pub last_status: Option<i32>,
    /// Why the last attempt failed, when it did.
    pub last_error: Option<String>,
    pub last_attempt_at: Option<NaiveDateTime>,
}

/// An endpoint to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct NewWebhookEndpoint<'a> {
    pub url: &'a str,
    pub kind: EndpointKind,
    pub events: &'a str,
    pub secret_sealed: &'a str,
    pub created_at: NaiveDateTime,
}

/// A delivery to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct NewWebhookDelivery<'a> {
    pub endpoint_id: i64,
    pub event: &'a str,
    pub message_id: &'a str,
    pub body: &'a str,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// A claimed delivery, with what sending it needs.
#[derive(Debug, Clone, Queryable)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub url: String,
    pub kind: EndpointKind,
    pub secret_sealed: String,
    pub event: String,
    pub message_id: String,
    pub body: String,
    /// Attempts including this one.
    pub attempts: i32,
    pub created_at: NaiveDateTime,
}

/// A delivery as the outbox page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct DeliverySummary {
    pub id: i64,
    pub endpoint_url: String,
    pub event: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
}

/// How an attempt ended, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookDelivery {
    /// A 2xx answer.
    Sent(i32),
    /// Refused for good (other 4xx, a redirect) or given up on: the status when there was one, and why.
    Failed(Option<i32>, String),
    /// To be tried again at the time given.
    Retry(NaiveDateTime, Option<i32>, String),
}

impl NewWebhookEndpoint<'_> {
    /// Stores the endpoint; returns its id.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<i64> {
        diesel::insert_into(webhook_endpoints::table).values(self).returning(webhook_endpoints::id).get_result(conn)
    }
}

impl NewWebhookDelivery<'_> {
    /// Stores the delivery (inside the caller's transaction); returns its id.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<i64> {
        diesel::insert_into(webhook_deliveries::table).values(self).returning(webhook_deliveries::id).get_result(conn)
    }
}

impl WebhookEndpoint {
    /// The endpoints not removed, oldest first.
    pub fn active(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        webhook_endpoints::table
            .filter(webhook_endpoints::removed_at.is_null())
            .order(webhook_endpoints::id.asc())
            .select(Self::as_select())
            .load(conn)
    }

    /// One endpoint not removed.
    pub fn find_active(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        webhook_endpoints::table
            .find(id)
            .filter(webhook_endpoints::removed_at.is_null())
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Removes an endpoint and cancels what it was still owed (retries included); false when there was none.
    pub fn remove(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
        let removed = diesel::update(webhook_endpoints::table.find(id).filter(webhook_endpoints::removed_at.is_null()))
            .set(webhook_endpoints::removed_at.eq(now))
            .execute(conn)?;
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::endpoint_id.eq(id))
                .filter(webhook_deliveries::status.eq_any([OutboxStatus::Queued, OutboxStatus::Sending])),
        )
        .set((
            webhook_deliveries::status.eq(OutboxStatus::Cancelled),
            webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::last_error.eq("the endpoint was removed"),
        ))
        .execute(conn)?;
        Ok(removed == 1)
    }

    /// When the oldest chat endpoint still registered was added (tickets overdue before then are not alerted).
    pub fn oldest_chat_since(conn: &mut DbConnection) -> QueryResult<Option<NaiveDateTime>> {
        webhook_endpoints::table
            .filter(webhook_endpoints::removed_at.is_null())
            .filter(webhook_endpoints::kind.eq(EndpointKind::Chat))
            .select(diesel::dsl::min(webhook_endpoints::created_at))
            .first(conn)
    }
}

/// Due: queued and due now, or claimed by a dispatcher whose lease ran out.
macro_rules! due {
    ($now:expr) => {
        webhook_deliveries::status
            .eq(OutboxStatus::Queued)
            .and(webhook_deliveries::next_attempt_at.le($now))
            .or(webhook_deliveries::status.eq(OutboxStatus::Sending).and(webhook_deliveries::claimed_until.lt($now)))
    };
}

/// The webhook outbox.
pub struct WebhookOutbox;

impl WebhookOutbox {
    /// How many deliveries are due at `now` (a cheap read before claiming).
    pub fn due_count(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<i64> {
        webhook_deliveries::table.filter(due!(now)).count().get_result(conn)
    }

    /// Claims up to `limit` due deliveries for `lease` (see [`Queue::claim_due`]), each with its endpoint.
    pub fn claim_due(
        conn: &mut DbConnection,
        now: NaiveDateTime,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>, DbError> {
        let ids = Queue::Webhooks.claim_due(conn, now, lease, limit)?;
        Ok(webhook_deliveries::table
            .inner_join(webhook_endpoints::table)
            .filter(webhook_deliveries::id.eq_any(&ids))
            .order(webhook_deliveries::id.asc())
            .select((
                webhook_deliveries::id,
                webhook_deliveries::endpoint_id,
                webhook_endpoints::url,
                webhook_endpoints::kind,
                webhook_endpoints::secret_sealed,
                webhook_deliveries::event,
                webhook_deliveries::message_id,
                webhook_deliveries::body,
                webhook_deliveries::attempts,
                webhook_deliveries::created_at,
            ))
            .load(conn)?)
    }

    /// Stores how the attempt on a claimed delivery ended, on it and on its endpoint.
    ///
    /// Only a delivery still claimed is changed: one cancelled meanwhile (its endpoint was
    /// removed) stays cancelled and is never retried. True when it was recorded as sent.
    pub fn record(
        conn: &mut DbConnection,
        id: i64,
        endpoint_id: i64,
        outcome: HookDelivery,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let target = webhook_deliveries::table.find(id).filter(webhook_deliveries::status.eq(OutboxStatus::Sending));
        let released = webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>);
        let (code, error) = match &outcome {
            HookDelivery::Sent(code) => (Some(*code), None),
            HookDelivery::Failed(code, why) | HookDelivery::Retry(_, code, why) => (*code, Some(why.clone())),
        };
        let sent = matches!(outcome, HookDelivery::Sent(_));
        let changed = match outcome {
            HookDelivery::Sent(_) => diesel::update(target)
                .set((
                    webhook_deliveries::status.eq(OutboxStatus::Sent),
                    webhook_deliveries::sent_at.eq(now),
                    webhook_deliveries::last_status.eq(code),
                    webhook_deliveries::last_error.eq(None::<String>),
                    released,
                ))
                .execute(conn)?,
            HookDelivery::Failed(_, why) => diesel::update(target)
                .set((
                    webhook_deliveries::status.eq(OutboxStatus::Failed),
                    webhook_deliveries::last_status.eq(code),
                    webhook_deliveries::last_error.eq(why),
                    released,
                ))
                .execute(conn)?,
            HookDelivery::Retry(at, _, why) => diesel::update(target)
                .set((
                    webhook_deliveries::status.eq(OutboxStatus::Queued),
                    webhook_deliveries::next_attempt_at.eq(at),
                    webhook_deliveries::last_status.eq(code),
                    webhook_deliveries::last_error.eq(why),
                    released,
                ))
                .execute(conn)?,
        };
        diesel::update(webhook_endpoints::table.find(endpoint_id))
            .set((
                webhook_endpoints::last_status.eq(code),
                webhook_endpoints::last_error.eq(error),
                webhook_endpoints::last_attempt_at.eq(now),
            ))
            .execute(conn)?;
        Ok(sent && changed == 1)
    }

    /// Counts by status: (waiting, sent, failed).
    pub fn counts(conn: &mut DbConnection) -> QueryResult<(i64, i64, i64)> {
        let rows: Vec<(OutboxStatus, i64)> = webhook_deliveries::table
            .group_by(webhook_deliveries::status)
            .select((webhook_deliveries::status, diesel::dsl::count_star()))
            .load(conn)?;
        let of = |f: &dyn Fn(OutboxStatus) -> bool| rows.iter().filter(|(s, _)| f(*s)).map(|(_, n)| n).sum();
        Ok((
            of(&|s| matches!(s, OutboxStatus::Queued | OutboxStatus::Sending)),
            of(&|s| s == OutboxStatus::Sent),
            of(&|s| s == OutboxStatus::Failed),
        ))
    }

    /// The most recent deliveries, newest first.
    pub fn recent(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<DeliverySummary>> {
        webhook_deliveries::table
            .inner_join(webhook_endpoints::table)
            .order(webhook_deliveries::id.desc())
            .limit(limit)
            .select((
                webhook_deliveries::id,
                webhook_endpoints::url,
                webhook_deliveries::event,
                webhook_deliveries::status,
                webhook_deliveries::attempts,
                webhook_deliveries::last_status,
                webhook_deliveries::last_error,
                webhook_deliveries::created_at,
            ))
            .load(conn)
    }
}

/// Open tickets whose deadline passed in `(since, now]` and that were not alerted yet, soonest due first.
///
/// The condition on status is written as the open-tickets index is (`reports_open`), so it serves.
pub fn overdue_unalerted(
    conn: &mut DbConnection,
    open: &[Status],
    since: NaiveDateTime,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<crate::db::models::Report>> {
    reports::table
        .filter(reports::deadline_at.le(now))
        .filter(reports::deadline_at.gt(since))
        .filter(reports::status.eq_any(open.to_vec()))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            webhook_overdue_alerts::table.filter(webhook_overdue_alerts::report_id.eq(reports::id)),
        )))
        .order((reports::deadline_at.asc(), reports::id.asc()))
        .limit(limit)
        .select(crate::db::models::Report::as_select())
        .load(conn)
}

/// Notes that a ticket's overdue alert was queued (a second instance doing the same fails its transaction: one wins).
pub fn mark_overdue_alerted(conn: &mut DbConnection, report_id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(webhook_overdue_alerts::table)
        .values((webhook_overdue_alerts::report_id.eq(report_id), webhook_overdue_alerts::created_at.eq(now)))
        .execute(conn)
        .map(drop)
}

/// The canonical JSON of a correction's public log entry, once it has one.
pub fn log_canonical(conn: &mut DbConnection, correction_id: i64) -> QueryResult<Option<String>> {
    use crate::db::schema::log_entries;
    log_entries::table
        .filter(log_entries::correction_id.eq(correction_id))
        .select(log_entries::canonical)
        .first(conn)
        .optional()
}
