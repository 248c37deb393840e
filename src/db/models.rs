//! Row structs per table and the queries on them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{api_tokens, articles, events, reports, users};
use super::DbConnection;

/// A user account row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

/// A user to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

/// An API token to insert (only its hash is stored).
#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
}

/// An article row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = articles)]
pub struct Article {
    pub id: String,
    pub url: String,
    pub title: String,
    pub section: String,
    /// JSON array of names.
    pub authors: String,
    pub published_at: NaiveDateTime,
    /// The article's text, when the CMS sent it.
    #[diesel(treat_none_as_null = true)]
    pub body: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A report (ticket) row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct Report {
    pub id: i64,
    pub article_id: String,
    pub token_hash: String,
    pub category: String,
    pub quote: String,
    pub explanation: String,
    /// JSON array of URLs.
    pub evidence_urls: String,
    pub reporter_name: Option<String>,
    pub reporter_email: Option<String>,
    pub status: String,
    pub severity: String,
    pub deadline_at: NaiveDateTime,
    pub assignee_id: Option<i64>,
    pub duplicate_of: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A report to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = reports)]
pub struct NewReport<'a> {
    pub article_id: &'a str,
    pub token_hash: &'a str,
    pub category: &'a str,
    pub quote: &'a str,
    pub explanation: &'a str,
    pub evidence_urls: &'a str,
    pub reporter_name: Option<&'a str>,
    pub reporter_email: Option<&'a str>,
    pub status: &'a str,
    pub severity: &'a str,
    pub deadline_at: NaiveDateTime,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An event row (append-only).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct Event {
    pub id: i64,
    pub report_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_kind: String,
    pub kind: String,
    pub public: bool,
    /// JSON object.
    pub payload: String,
    pub created_at: NaiveDateTime,
}

/// An event to append.
#[derive(Debug, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent<'a> {
    pub report_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_kind: &'a str,
    pub kind: &'a str,
    pub public: bool,
    pub payload: &'a str,
    pub created_at: NaiveDateTime,
}

impl User {
    /// The user with this email, if any.
    pub fn by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<Self>> {
        users::table
            .filter(users::email.eq(email))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The enabled user owning an unrevoked API token with this hash.
    pub fn by_token_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<Self>> {
        api_tokens::table
            .inner_join(users::table)
            .filter(api_tokens::token_hash.eq(hash))
            .filter(api_tokens::revoked_at.is_null())
            .filter(users::disabled.eq(false))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Inserts a user and returns its id.
    pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> QueryResult<i64> {
        diesel::insert_into(users::table)
            .values(new)
            .returning(users::id)
            .get_result(conn)
    }
}

impl NewApiToken<'_> {
    /// Inserts the token row.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(api_tokens::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }
}

/// Records that a token was used (best effort bookkeeping for `token list`).
pub fn touch_token(conn: &mut DbConnection, hash: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(api_tokens::table.filter(api_tokens::token_hash.eq(hash)))
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)
        .map(drop)
}

impl Article {
    /// The article with this id, if any.
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        articles::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The most recently published article with this canonical URL, if any.
    pub fn by_url(conn: &mut DbConnection, url: &str) -> QueryResult<Option<Self>> {
        articles::table
            .filter(articles::url.eq(url))
            .order(articles::published_at.desc())
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Inserts a new article.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(articles::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }

    /// Overwrites every field of an existing article but its creation time.
    pub fn update(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::update(articles::table.find(&self.id))
            .set((
                articles::url.eq(&self.url),
                articles::title.eq(&self.title),
                articles::section.eq(&self.section),
                articles::authors.eq(&self.authors),
                articles::published_at.eq(self.published_at),
                articles::body.eq(&self.body),
                articles::updated_at.eq(self.updated_at),
            ))
            .execute(conn)
            .map(drop)
    }
}

impl Report {
    /// The report whose tracking token has this hash, if any.
    pub fn by_token_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<Self>> {
        reports::table
            .filter(reports::token_hash.eq(hash))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Inserts a report and returns its id.
    pub fn insert(conn: &mut DbConnection, new: &NewReport<'_>) -> QueryResult<i64> {
        diesel::insert_into(reports::table)
            .values(new)
            .returning(reports::id)
            .get_result(conn)
    }

    /// Sets a report's status and bumps its version (used by the demo seeder).
    pub fn set_status(
        conn: &mut DbConnection,
        id: i64,
        status: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(reports::table.find(id))
            .set((
                reports::status.eq(status),
                reports::version.eq(reports::version + 1),
                reports::updated_at.eq(now),
            ))
            .execute(conn)
            .map(drop)
    }
}

impl Event {
    /// The public events of a report, oldest first.
    pub fn public_for_report(conn: &mut DbConnection, report_id: i64) -> QueryResult<Vec<Self>> {
        events::table
            .filter(events::report_id.eq(report_id))
            .filter(events::public.eq(true))
            .order(events::id.asc())
            .select(Self::as_select())
            .load(conn)
    }
}

impl NewEvent<'_> {
    /// Appends the event.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(events::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }
}
