//! Failed sign-ins, for throttling.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::*;
use crate::db::DbConnection;

/// Failed sign-ins, for throttling.
pub struct LoginFailure;

impl LoginFailure {
    /// Records a failure under `key_hash`.
    pub fn record(conn: &mut DbConnection, key_hash: &str, now: NaiveDateTime) -> QueryResult<()> {
        diesel::insert_into(login_failures::table)
            .values((login_failures::key_hash.eq(key_hash), login_failures::at.eq(now)))
            .execute(conn)
            .map(drop)
    }

    /// Failures under `key_hash` since `since`: their count and the oldest time.
    pub fn since(conn: &mut DbConnection, key_hash: &str, since: NaiveDateTime) -> QueryResult<Vec<NaiveDateTime>> {
        login_failures::table
            .filter(login_failures::key_hash.eq(key_hash))
            .filter(login_failures::at.gt(since))
            .order(login_failures::at.asc())
            .select(login_failures::at)
            .load(conn)
    }

    /// Forgets the failures under `key_hash` (after a successful sign-in).
    pub fn clear(conn: &mut DbConnection, key_hash: &str) -> QueryResult<()> {
        diesel::delete(login_failures::table.filter(login_failures::key_hash.eq(key_hash))).execute(conn).map(drop)
    }
}
