//! Erasing a reader's personal data on request, without touching the public log.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::accounts::{parse_email, Actor};
use super::events::{self, EventData};
use super::workflow::is_closed;
use crate::db::models::OutboxRow;
use crate::db::schema::{reports, subscriptions};
use crate::db::vocabulary::Status;
use crate::db::DbConnection;
use crate::error::AppError;

diesel::define_sql_function! {
    /// SQL `lower()`: addresses are compared without case.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Removes the name and email of the reader with `email` from every report; records that an
/// erasure happened (not whose). Returns how many reports were changed.
pub fn erase_reporter(
    conn: &mut DbConnection,
    email: &str,
    actor: Option<&Actor>,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let email = parse_email("email", email).map_err(|e| AppError::Invalid(vec![e]))?;
    // Addresses are compared without case: readers type them as they like.
    let matching: Vec<i64> = reports::table
        .filter(reports::reporter_email.is_not_null())
        .select((reports::id, reports::reporter_email))
        .load::<(i64, Option<String>)>(conn)?
        .into_iter()
        .filter(|(_, e)| e.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&email)))
        .map(|(id, _)| id)
        .collect();
    let changed = diesel::update(reports::table.filter(reports::id.eq_any(&matching)))
        .set((reports::reporter_email.eq(None::<String>), reports::reporter_name.eq(None::<String>)))
        .execute(conn)?;
    let cancelled = OutboxRow::cancel_for(conn, &email)?;
    let subscriptions = crate::domain::subscriptions::erase(conn, &email)?;
    let data =
        EventData::ReporterErased { reports: changed, mails_cancelled: cancelled, subscriptions, retention_days: None };
    events::record(conn, None, actor, false, &data, now)?;
    Ok(changed)
}

/// Reports one retention batch looks at, at most: each batch is one short write transaction,
/// so readers' reports and staff moves never wait long behind it.
pub const RETENTION_BATCH: i64 = 100;

/// What one batch of [`erase_closed`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionBatch {
    /// Reports whose reader's name and email were erased.
    pub reports: usize,
    /// Addresses (lowercase) that no report or subscription holds any more: their mail
    /// files can go too. Their unsent mail was cancelled and their outbox rows blanked.
    pub released: Vec<String>,
    /// The report id the next batch starts after; `None` when no report is left to look at.
    pub next: Option<i64>,
}

/// One batch of the retention erasure: removes the reader's name and email from reports (with
/// ids above `after`) that have been closed for more than `days` days, as [`erase_reporter`]
/// does, and records an audit event on each.
///
/// "Closed for" counts from the report's last change (`updated_at`), so a report reopened by
/// an appeal, or a duplicate sent back to review, starts again when it closes again; an open
/// report is never touched. A duplicate waits for its primary to have been closed as long,
/// since the primary's correction would still reach its reader. A reader's other reports keep
/// their details until they age out themselves, and so does their mail while any report or
/// subscription still holds the address.
pub fn erase_closed(
    conn: &mut DbConnection,
    days: u32,
    after: i64,
    now: NaiveDateTime,
) -> Result<RetentionBatch, AppError> {
    let cutoff = now - Duration::days(i64::from(days));
    let closed = [Status::Corrected, Status::NoChange, Status::Rejected, Status::Duplicate];
    let candidates: Vec<(i64, Option<String>, Status, Option<i64>)> = reports::table
        .filter(reports::id.gt(after))
        .filter(reports::status.eq_any(closed))
        .filter(reports::updated_at.lt(cutoff))
        .filter(reports::reporter_email.is_not_null().or(reports::reporter_name.is_not_null()))
        .order(reports::id.asc())
        .limit(RETENTION_BATCH)
        .select((reports::id, reports::reporter_email, reports::status, reports::duplicate_of))
        .load(conn)?;
    let next = (candidates.len() as i64 == RETENTION_BATCH).then(|| candidates.last().map(|c| c.0)).flatten();
    let primaries: Vec<i64> = candidates.iter().filter_map(|c| c.3.filter(|_| c.2 == Status::Duplicate)).collect();
    let settled: Vec<i64> = reports::table
        .filter(reports::id.eq_any(&primaries))
        .filter(reports::updated_at.lt(cutoff))
        .select((reports::id, reports::status))
        .load::<(i64, Status)>(conn)?
        .into_iter()
        .filter(|(_, status)| is_closed(*status))
        .map(|(id, _)| id)
        .collect();
    let due: Vec<(i64, Option<String>)> = candidates
        .into_iter()
        .filter(|(_, _, status, primary)| *status != Status::Duplicate || primary.is_some_and(|p| settled.contains(&p)))
        .map(|(id, email, ..)| (id, email))
        .collect();
    let data =
        EventData::ReporterErased { reports: 1, mails_cancelled: 0, subscriptions: 0, retention_days: Some(days) };
    let mut changed = 0;
    for (id, _) in &due {
        // Another instance may have erased it since the read: only a change is recorded.
        let erased = diesel::update(
            reports::table
                .find(id)
                .filter(reports::reporter_email.is_not_null().or(reports::reporter_name.is_not_null())),
        )
        .set((reports::reporter_email.eq(None::<String>), reports::reporter_name.eq(None::<String>)))
        .execute(conn)?;
        if erased == 1 {
            events::record(conn, Some(*id), None, false, &data, now)?;
            changed += 1;
        }
    }
    let mut addresses: Vec<String> = due.into_iter().filter_map(|(_, e)| e.map(|e| e.to_ascii_lowercase())).collect();
    addresses.sort();
    addresses.dedup();
    let mut held: Vec<String> = reports::table
        .filter(lower(reports::reporter_email.assume_not_null()).eq_any(&addresses))
        .select(lower(reports::reporter_email.assume_not_null()))
        .load(conn)?;
    held.extend(
        subscriptions::table
            .filter(lower(subscriptions::email).eq_any(&addresses))
            .select(lower(subscriptions::email))
            .load::<String>(conn)?,
    );
    let released: Vec<String> = addresses.into_iter().filter(|a| !held.contains(a)).collect();
    OutboxRow::erase_for_any(conn, &released)?;
    Ok(RetentionBatch { reports: changed, released, next })
}
