//! The keys that have signed the public log, in turn.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::*;
use crate::db::DbConnection;

/// One signing key and the checkpoint sizes it signs.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = log_keys)]
pub struct LogKeyRow {
    /// Ed25519 public key, standard base64.
    pub public_key: String,
    /// The log's size when the key took over.
    pub from_size: i64,
    /// The log's size when it was replaced; none while it is the active key.
    pub until_size: Option<i64>,
    /// The previous key's signature over this key (none for the first).
    pub endorsement: Option<String>,
    pub created_at: NaiveDateTime,
}

impl LogKeyRow {
    /// Every key, oldest first.
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        log_keys::table
            .order((log_keys::from_size.asc(), log_keys::until_size.is_null().asc(), log_keys::created_at.asc()))
            .select(Self::as_select())
            .load(conn)
    }

    /// The key that signs now, if any is recorded.
    pub fn active(conn: &mut DbConnection) -> QueryResult<Option<Self>> {
        log_keys::table.filter(log_keys::until_size.is_null()).select(Self::as_select()).first(conn).optional()
    }

    /// Records the key.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(log_keys::table).values(self).execute(conn).map(drop)
    }

    /// Retires the active key `public_key` at `size`; whether it was the active one.
    pub fn retire(conn: &mut DbConnection, public_key: &str, size: i64) -> QueryResult<bool> {
        diesel::update(log_keys::table)
            .filter(log_keys::public_key.eq(public_key))
            .filter(log_keys::until_size.is_null())
            .set(log_keys::until_size.eq(Some(size)))
            .execute(conn)
            .map(|n| n == 1)
    }
}
