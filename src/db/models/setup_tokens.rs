//! One-time links that create the first account.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::*;
use crate::db::DbConnection;

/// One-time links that create the first account.
pub struct SetupToken;

impl SetupToken {
    /// Stores a new unused setup token hash.
    pub fn insert(conn: &mut DbConnection, hash: &str, now: NaiveDateTime) -> QueryResult<()> {
        diesel::insert_into(setup_tokens::table)
            .values((setup_tokens::token_hash.eq(hash), setup_tokens::created_at.eq(now)))
            .execute(conn)
            .map(drop)
    }

    /// Whether an unused token has this hash.
    pub fn is_open(conn: &mut DbConnection, hash: &str) -> QueryResult<bool> {
        setup_tokens::table
            .filter(setup_tokens::token_hash.eq(hash))
            .filter(setup_tokens::used_at.is_null())
            .count()
            .get_result::<i64>(conn)
            .map(|n| n > 0)
    }

    /// Marks every token used: one first account, then the links stop working.
    pub fn close_all(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<()> {
        diesel::update(setup_tokens::table.filter(setup_tokens::used_at.is_null()))
            .set(setup_tokens::used_at.eq(now))
            .execute(conn)
            .map(drop)
    }
}
