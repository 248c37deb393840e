//! API tokens (only their hashes).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::*;
use crate::db::DbConnection;

/// An API token to insert (only its hash is stored).
#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
}

impl NewApiToken<'_> {
    /// Inserts the token row.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(api_tokens::table).values(self).execute(conn).map(drop)
    }
}

/// Records that a token was used (best effort bookkeeping for `token list`).
pub fn touch_token(conn: &mut DbConnection, hash: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(api_tokens::table.filter(api_tokens::token_hash.eq(hash)))
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)
        .map(drop)
}

/// An API token row, without its hash.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

impl ApiToken {
    /// Every token with its owner's email, newest first.
    pub fn all_with_owner(conn: &mut DbConnection) -> QueryResult<Vec<(Self, String)>> {
        api_tokens::table
            .inner_join(users::table)
            .order(api_tokens::id.desc())
            .select((Self::as_select(), users::email))
            .load(conn)
    }

    /// Marks every unrevoked token of a user revoked; returns how many there were.
    pub fn revoke_for_user(conn: &mut DbConnection, user_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(
            api_tokens::table.filter(api_tokens::user_id.eq(user_id)).filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)
    }

    /// Marks a token revoked; returns whether an unrevoked token had this id.
    pub fn revoke(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
        diesel::update(api_tokens::table.find(id).filter(api_tokens::revoked_at.is_null()))
            .set(api_tokens::revoked_at.eq(now))
            .execute(conn)
            .map(|n| n == 1)
    }
}
