//! Staff accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::*;
use crate::db::vocabulary::Role;
use crate::db::DbConnection;

/// A user account row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

/// A staff account as others see it: everything but the password hash.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct StaffMember {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    /// Away: automatic assignment skips them.
    pub away: bool,
}

/// A user to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

impl User {
    /// The account with this email, with its password hash (for signing in).
    pub fn by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<Self>> {
        users::table.filter(users::email.eq(email)).select(Self::as_select()).first(conn).optional()
    }

    /// Inserts a user and returns its id.
    pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> QueryResult<i64> {
        diesel::insert_into(users::table).values(new).returning(users::id).get_result(conn)
    }

    /// How many accounts exist.
    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        users::table.count().get_result(conn)
    }

    /// Enables or disables an account.
    pub fn set_disabled(conn: &mut DbConnection, id: i64, disabled: bool) -> QueryResult<()> {
        diesel::update(users::table.find(id)).set(users::disabled.eq(disabled)).execute(conn).map(drop)
    }

    /// Changes an account's role.
    pub fn set_role(conn: &mut DbConnection, id: i64, role: Role) -> QueryResult<()> {
        diesel::update(users::table.find(id)).set(users::role.eq(role)).execute(conn).map(drop)
    }

    /// Replaces an account's password hash.
    pub fn set_password_hash(conn: &mut DbConnection, id: i64, hash: &str) -> QueryResult<()> {
        diesel::update(users::table.find(id)).set(users::password_hash.eq(hash)).execute(conn).map(drop)
    }
}

impl StaffMember {
    /// The enabled user owning an unrevoked API token with this hash.
    pub fn by_token_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<(Self, Option<NaiveDateTime>)>> {
        api_tokens::table
            .inner_join(users::table)
            .filter(api_tokens::token_hash.eq(hash))
            .filter(api_tokens::revoked_at.is_null())
            .filter(users::disabled.eq(false))
            .select((Self::as_select(), api_tokens::last_used_at))
            .first(conn)
            .optional()
    }

    /// The user with this id.
    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        users::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// Every account, by name.
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        users::table.order((users::name.asc(), users::id.asc())).select(Self::as_select()).load(conn)
    }

    /// Marks the account away (skipped by automatic assignment) or back.
    pub fn set_away(conn: &mut DbConnection, id: i64, away: bool) -> QueryResult<()> {
        diesel::update(users::table.find(id)).set(users::away.eq(away)).execute(conn).map(drop)
    }

    /// The staff member with this email, if any.
    pub fn by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<Self>> {
        users::table.filter(users::email.eq(email)).select(Self::as_select()).first(conn).optional()
    }
}
