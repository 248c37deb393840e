//! Browser sessions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::StaffMember;
use crate::db::schema::*;
use crate::db::DbConnection;

/// A browser session row (the cookie holds the id; only its hash is stored).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id_hash: String,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

impl Session {
    /// The session with this id hash and its enabled user.
    pub fn with_user(conn: &mut DbConnection, id_hash: &str) -> QueryResult<Option<(Self, StaffMember)>> {
        sessions::table
            .inner_join(users::table)
            .filter(sessions::id_hash.eq(id_hash))
            .filter(users::disabled.eq(false))
            .select((Self::as_select(), StaffMember::as_select()))
            .first(conn)
            .optional()
    }

    /// Stores a new session.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(sessions::table).values(self).execute(conn).map(drop)
    }

    /// Records activity, which extends the idle expiry.
    pub fn touch(conn: &mut DbConnection, id_hash: &str, now: NaiveDateTime) -> QueryResult<()> {
        diesel::update(sessions::table.find(id_hash)).set(sessions::last_seen_at.eq(now)).execute(conn).map(drop)
    }

    /// Ends one session.
    pub fn delete(conn: &mut DbConnection, id_hash: &str) -> QueryResult<()> {
        diesel::delete(sessions::table.find(id_hash)).execute(conn).map(drop)
    }

    /// Ends every session of a user (disabled, password reset).
    pub fn delete_for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<()> {
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn).map(drop)
    }
}
