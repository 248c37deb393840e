//! Erasing a reader's personal data on request, without touching the public log.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::accounts::{parse_email, Actor};
use super::events::{self, EventData};
use crate::db::models::OutboxRow;
use crate::db::schema::reports;
use crate::db::DbConnection;
use crate::error::AppError;

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
    let data = EventData::ReporterErased { reports: changed, mails_cancelled: cancelled, subscriptions };
    events::record(conn, None, actor, false, &data, now)?;
    Ok(changed)
}
