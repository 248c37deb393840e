//! Who has which ticket open.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::*;
use crate::db::DbConnection;

/// Who viewed which ticket when, for "also open by".
pub struct TicketView;

impl TicketView {
    /// Records that `user_id` has `report_id` open now.
    pub fn record(conn: &mut DbConnection, report_id: i64, user_id: i64, now: NaiveDateTime) -> QueryResult<()> {
        // No portable upsert through MultiConnection: replace inside the caller's transaction.
        diesel::delete(ticket_views::table.find((report_id, user_id))).execute(conn)?;
        diesel::insert_into(ticket_views::table)
            .values((
                ticket_views::report_id.eq(report_id),
                ticket_views::user_id.eq(user_id),
                ticket_views::seen_at.eq(now),
            ))
            .execute(conn)
            .map(drop)
    }

    /// When `user_id` last had `report_id` open, if ever.
    pub fn seen_at(conn: &mut DbConnection, report_id: i64, user_id: i64) -> QueryResult<Option<NaiveDateTime>> {
        ticket_views::table.find((report_id, user_id)).select(ticket_views::seen_at).first(conn).optional()
    }

    /// Names of other users who viewed `report_id` since `since`.
    pub fn others(
        conn: &mut DbConnection,
        report_id: i64,
        user_id: i64,
        since: NaiveDateTime,
    ) -> QueryResult<Vec<String>> {
        ticket_views::table
            .inner_join(users::table)
            .filter(ticket_views::report_id.eq(report_id))
            .filter(ticket_views::user_id.ne(user_id))
            .filter(ticket_views::seen_at.gt(since))
            .order(users::name.asc())
            .select(users::name)
            .load(conn)
    }
}
