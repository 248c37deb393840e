//! The outbox: messages written with the action that causes them, claimed and marked by a dispatcher.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::outbox;
use crate::db::vocabulary::OutboxStatus;
use crate::db::{DbConnection, DbError};

/// A message to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewOutboxRow<'a> {
    pub kind: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub message_id: &'a str,
    pub list_unsubscribe: Option<&'a str>,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// A stored message being delivered.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    pub list_unsubscribe: Option<String>,
    pub attempts: i32,
    pub created_at: NaiveDateTime,
}

/// How a delivery attempt ended, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Accepted by the receiving server: the bodies are blanked.
    Sent,
    /// Refused for good, or given up on, with why.
    Failed(String),
    /// To be tried again at the given time, with why it failed this time.
    Retry(NaiveDateTime, String),
}

/// Counts of the outbox for the desk.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OutboxCounts {
    /// Waiting or being sent.
    pub queued: i64,
    /// Delivered.
    pub sent: i64,
    /// Refused or given up on.
    pub failed: i64,
    /// When the oldest waiting message was queued.
    pub oldest_pending: Option<NaiveDateTime>,
    /// The most recent failures: (recipient, subject, reason).
    pub recent_failures: Vec<(String, String, String)>,
}

impl NewOutboxRow<'_> {
    /// Stores the message (inside the caller's transaction); returns its id.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<i64> {
        diesel::insert_into(outbox::table).values(self).returning(outbox::id).get_result(conn)
    }
}

/// Due: queued and due now, or claimed by a dispatcher whose lease ran out.
macro_rules! due {
    ($now:expr) => {
        outbox::status
            .eq(OutboxStatus::Queued)
            .and(outbox::next_attempt_at.le($now))
            .or(outbox::status.eq(OutboxStatus::Sending).and(outbox::claimed_until.lt($now)))
    };
}

/// A queue with the outbox's columns (`id`, `status`, `next_attempt_at`, `claimed_until`,
/// `attempts`), claimed the same way by its dispatcher.
#[derive(Debug, Clone, Copy)]
pub enum Queue {
    /// Mail (`outbox`).
    Mail,
    /// Webhook deliveries (`webhook_deliveries`).
    Webhooks,
}

/// A queue's backlog, for metrics: read through the `(status, next_attempt_at)` index, so it
/// costs the same however much was sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Waiting or being sent.
    pub queued: i64,
    /// Refused or given up on.
    pub failed: i64,
    /// When the oldest waiting row was queued.
    pub oldest_queued: Option<NaiveDateTime>,
}

impl Queue {
    /// What waits, what failed, and since when the oldest has waited.
    pub fn backlog(self, conn: &mut DbConnection) -> Result<Backlog, DbError> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            queued: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            failed: i64,
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
            oldest: Option<NaiveDateTime>,
        }
        let table = self.table();
        let (queued, sending, failed) =
            (OutboxStatus::Queued.as_str(), OutboxStatus::Sending.as_str(), OutboxStatus::Failed.as_str());
        let waiting = format!("status IN ('{queued}', '{sending}')");
        let row: Row = diesel::sql_query(format!(
            "SELECT (SELECT count(*) FROM {table} WHERE {waiting}) AS queued, \
             (SELECT count(*) FROM {table} WHERE status = '{failed}') AS failed, \
             (SELECT min(created_at) FROM {table} WHERE {waiting}) AS oldest"
        ))
        .get_result(conn)?;
        Ok(Backlog { queued: row.queued, failed: row.failed, oldest_queued: row.oldest })
    }

    fn table(self) -> &'static str {
        match self {
            Queue::Mail => "outbox",
            Queue::Webhooks => "webhook_deliveries",
        }
    }

    /// Claims up to `limit` rows due at `now` (queued and due, or claimed by a dispatcher whose
    /// lease ran out) for `lease`, counting the attempt; returns their ids in order.
    ///
    /// PostgreSQL skips rows another instance has locked, so instances share the work and no
    /// row is claimed twice; SQLite has one writer, so the claim is part of its write transaction.
    pub fn claim_due(
        self,
        conn: &mut DbConnection,
        now: NaiveDateTime,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<i64>, DbError> {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
        }
        let (table, postgres) = (self.table(), matches!(conn, DbConnection::Postgres(_)));
        let (queued, sending) = (OutboxStatus::Queued.as_str(), OutboxStatus::Sending.as_str());
        let (at, count, lock) = if postgres { ("$1", "$2", " FOR UPDATE SKIP LOCKED") } else { ("?1", "?2", "") };
        let ids: Vec<i64> = diesel::sql_query(format!(
            "SELECT id FROM {table} WHERE (status = '{queued}' AND next_attempt_at <= {at}) \
             OR (status = '{sending}' AND claimed_until < {at}) ORDER BY id LIMIT {count}{lock}"
        ))
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .bind::<diesel::sql_types::BigInt, _>(limit)
        .load::<Id>(conn)?
        .into_iter()
        .map(|r| r.id)
        .collect();
        if !ids.is_empty() {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            diesel::sql_query(format!(
                "UPDATE {table} SET status = '{sending}', claimed_until = {at}, attempts = attempts + 1 WHERE id IN ({list})"
            ))
            .bind::<diesel::sql_types::Timestamp, _>(now + lease)
            .execute(conn)?;
        }
        Ok(ids)
    }
}

impl OutboxRow {
    /// How many messages are due at `now` (a cheap read before claiming).
    pub fn due_count(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<i64> {
        outbox::table.filter(due!(now)).count().get_result(conn)
    }

    /// Claims up to `limit` due rows for `lease` (see [`Queue::claim_due`]).
    pub fn claim_due(
        conn: &mut DbConnection,
        now: NaiveDateTime,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<Self>, DbError> {
        let ids = Queue::Mail.claim_due(conn, now, lease, limit)?;
        Ok(outbox::table
            .filter(outbox::id.eq_any(&ids))
            .order(outbox::id.asc())
            .select(Self::as_select())
            .load(conn)?)
    }

    /// Stores how the attempt on a claimed row ended.
    ///
    /// A message that will not be tried again keeps nothing it no longer needs: the bodies and
    /// `List-Unsubscribe` carry live tracking and unsubscribe links, and a sent message also
    /// loses its recipient and any earlier error (SMTP replies quote the address). A failed
    /// one keeps its recipient and reason, which the outbox page shows so someone can act.
    pub fn record(conn: &mut DbConnection, id: i64, delivery: Delivery, now: NaiveDateTime) -> QueryResult<()> {
        let target = outbox::table.find(id).filter(outbox::status.eq(OutboxStatus::Sending));
        let released = outbox::claimed_until.eq(None::<NaiveDateTime>);
        let blanked = (outbox::body_text.eq(""), outbox::body_html.eq(""), outbox::list_unsubscribe.eq(None::<String>));
        match delivery {
            Delivery::Sent => diesel::update(target)
                .set((
                    outbox::status.eq(OutboxStatus::Sent),
                    outbox::sent_at.eq(now),
                    released,
                    blanked,
                    outbox::recipient.eq(""),
                    outbox::last_error.eq(None::<String>),
                ))
                .execute(conn),
            Delivery::Failed(reason) => diesel::update(target)
                .set((outbox::status.eq(OutboxStatus::Failed), outbox::last_error.eq(reason), released, blanked))
                .execute(conn),
            Delivery::Retry(at, reason) => diesel::update(target)
                .set((
                    outbox::status.eq(OutboxStatus::Queued),
                    outbox::next_attempt_at.eq(at),
                    outbox::last_error.eq(reason),
                    released,
                ))
                .execute(conn),
        }
        .map(drop)
    }

    /// Withdraws every unsent message to `email` and blanks its address and bodies (erasure).
    pub fn cancel_for(conn: &mut DbConnection, email: &str) -> QueryResult<usize> {
        Self::erase_for_any(conn, &[email.to_lowercase()])
    }

    /// As [`OutboxRow::cancel_for`], for every address in `lowercase` at once (one statement each).
    pub fn erase_for_any(conn: &mut DbConnection, lowercase: &[String]) -> QueryResult<usize> {
        diesel::define_sql_function! {
            fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
        }
        if lowercase.is_empty() {
            return Ok(0);
        }
        let unsent = [OutboxStatus::Queued, OutboxStatus::Sending, OutboxStatus::Failed];
        let cancelled = diesel::update(
            outbox::table.filter(lower(outbox::recipient).eq_any(lowercase)).filter(outbox::status.eq_any(unsent)),
        )
        .set(outbox::status.eq(OutboxStatus::Cancelled))
        .execute(conn)?;
        diesel::update(outbox::table.filter(lower(outbox::recipient).eq_any(lowercase)))
            .set((
                outbox::recipient.eq("erased"),
                outbox::body_text.eq(""),
                outbox::body_html.eq(""),
                outbox::list_unsubscribe.eq(None::<String>),
                outbox::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
        Ok(cancelled)
    }

    /// The outbox at a glance.
    pub fn counts(conn: &mut DbConnection) -> QueryResult<OutboxCounts> {
        // Counted by the database per status, never by loading the rows: sent mail piles up.
        let rows: Vec<(OutboxStatus, i64)> =
            outbox::table.group_by(outbox::status).select((outbox::status, diesel::dsl::count_star())).load(conn)?;
        let waiting = [OutboxStatus::Queued, OutboxStatus::Sending];
        let count = |f: &dyn Fn(&OutboxStatus) -> bool| rows.iter().filter(|(s, _)| f(s)).map(|(_, n)| n).sum();
        let oldest_pending: Option<NaiveDateTime> = outbox::table
            .filter(outbox::status.eq_any(waiting))
            .select(diesel::dsl::min(outbox::created_at))
            .first(conn)?;
        let failures: Vec<(String, String, Option<String>)> = outbox::table
            .filter(outbox::status.eq(OutboxStatus::Failed))
            .order(outbox::id.desc())
            .limit(20)
            .select((outbox::recipient, outbox::subject, outbox::last_error))
            .load(conn)?;
        Ok(OutboxCounts {
            queued: count(&|s| waiting.contains(s)),
            sent: count(&|s| *s == OutboxStatus::Sent),
            failed: count(&|s| *s == OutboxStatus::Failed),
            oldest_pending,
            recent_failures: failures.into_iter().map(|(r, s, e)| (r, s, e.unwrap_or_default())).collect(),
        })
    }
}
