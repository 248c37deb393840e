//! Row structs per table and the queries on them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    api_tokens, articles, correction_reports, correction_standards, corrections, events, log_entries, login_failures,
    reports, sessions, setup_tokens, standards, ticket_views, users,
};
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
    /// 0 legal, 1 high, 2 normal, 3 low: lets the queue sort by severity with an index.
    pub severity_rank: i32,
    /// Where the quote starts in the article's normalised text (bytes), when it was found there.
    pub quote_start: Option<i64>,
    /// Where it ends.
    pub quote_end: Option<i64>,
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
    pub severity_rank: i32,
    pub deadline_at: NaiveDateTime,
    pub quote_start: Option<i64>,
    pub quote_end: Option<i64>,
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
        users::table.filter(users::email.eq(email)).select(Self::as_select()).first(conn).optional()
    }

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

    /// Inserts a user and returns its id.
    pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> QueryResult<i64> {
        diesel::insert_into(users::table).values(new).returning(users::id).get_result(conn)
    }
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

impl Article {
    /// The article with this id, if any.
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        articles::table.find(id).select(Self::as_select()).first(conn).optional()
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
        diesel::insert_into(articles::table).values(self).execute(conn).map(drop)
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

/// At most this many likely duplicates are looked at for one ticket.
pub const SIBLINGS_MAX: i64 = 200;
/// How far before a quote another may start and still be looked at (bytes of normalised text):
/// longer than any quote without an ellipsis can be.
pub const SIBLINGS_WINDOW: i64 = 16_384;

impl Report {
    /// The report whose tracking token has this hash, if any.
    pub fn by_token_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<Self>> {
        reports::table.filter(reports::token_hash.eq(hash)).select(Self::as_select()).first(conn).optional()
    }

    /// Inserts a report and returns its id.
    pub fn insert(conn: &mut DbConnection, new: &NewReport<'_>) -> QueryResult<i64> {
        diesel::insert_into(reports::table).values(new).returning(reports::id).get_result(conn)
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
        diesel::insert_into(events::table).values(self).execute(conn).map(drop)
    }
}

impl User {
    /// The user with this id.
    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        users::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// Every account, by name.
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        users::table.order((users::name.asc(), users::id.asc())).select(Self::as_select()).load(conn)
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
    pub fn set_role(conn: &mut DbConnection, id: i64, role: &str) -> QueryResult<()> {
        diesel::update(users::table.find(id)).set(users::role.eq(role)).execute(conn).map(drop)
    }

    /// Replaces an account's password hash.
    pub fn set_password_hash(conn: &mut DbConnection, id: i64, hash: &str) -> QueryResult<()> {
        diesel::update(users::table.find(id)).set(users::password_hash.eq(hash)).execute(conn).map(drop)
    }
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

    /// Marks a token revoked; returns whether an unrevoked token had this id.
    pub fn revoke(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
        diesel::update(api_tokens::table.find(id).filter(api_tokens::revoked_at.is_null()))
            .set(api_tokens::revoked_at.eq(now))
            .execute(conn)
            .map(|n| n == 1)
    }
}

/// A browser session row (the cookie holds the id; only its hash is stored).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

impl Session {
    /// The session with this id hash and its enabled user.
    pub fn with_user(conn: &mut DbConnection, id_hash: &str) -> QueryResult<Option<(Self, User)>> {
        sessions::table
            .inner_join(users::table)
            .filter(sessions::id_hash.eq(id_hash))
            .filter(users::disabled.eq(false))
            .select((Self::as_select(), User::as_select()))
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

impl Report {
    /// The report with this id, if any.
    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        reports::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// Other reports on the same article whose located quotes overlap `span` (`report`'s), plus those
    /// whose quote was never located; both through the `reports_article` index.
    ///
    /// Only quotes starting at most [`SIBLINGS_WINDOW`] bytes before this one are looked at, so
    /// the index range stays short on an article with many reports.
    pub fn siblings(conn: &mut DbConnection, report: &Report, span: Option<(i64, i64)>) -> QueryResult<Vec<Self>> {
        let mut found = Vec::new();
        if let Some((start, end)) = span {
            found = reports::table
                .filter(reports::article_id.eq(&report.article_id))
                .filter(reports::quote_start.gt(start - SIBLINGS_WINDOW).and(reports::quote_start.lt(end)))
                .filter(reports::quote_end.gt(start))
                .filter(reports::id.ne(report.id))
                .order((reports::article_id.asc(), reports::quote_start.asc()))
                .limit(SIBLINGS_MAX)
                .select(Self::as_select())
                .load(conn)?;
        }
        let unlocated: Vec<Self> = reports::table
            .filter(reports::article_id.eq(&report.article_id))
            .filter(reports::quote_start.is_null())
            .filter(reports::id.ne(report.id))
            .order((reports::article_id.asc(), reports::quote_start.asc()))
            .limit(SIBLINGS_MAX)
            .select(Self::as_select())
            .load(conn)?;
        found.extend(unlocated);
        found.sort_by_key(|r| r.id);
        Ok(found)
    }

    /// Reports marked as duplicates of `primary`.
    pub fn duplicates_of(conn: &mut DbConnection, primary: i64) -> QueryResult<Vec<Self>> {
        reports::table.filter(reports::duplicate_of.eq(primary)).select(Self::as_select()).load(conn)
    }
}

impl Event {
    /// Every event of a report with the acting user's name, oldest first.
    pub fn for_report(conn: &mut DbConnection, report_id: i64) -> QueryResult<Vec<(Self, Option<String>)>> {
        events::table
            .left_join(users::table.on(events::actor_id.eq(users::id.nullable())))
            .filter(events::report_id.eq(report_id))
            .order(events::id.asc())
            .select((Self::as_select(), users::name.nullable()))
            .load(conn)
    }

    /// The most recent event of a report of one of `kinds`, with the actor's name.
    pub fn latest_of(
        conn: &mut DbConnection,
        report_id: i64,
        kinds: &[&str],
    ) -> QueryResult<Option<(Self, Option<String>)>> {
        // A report has few events: read them through `events_report` and pick here. With the
        // kind in the query a planner may walk `events_kind` across every report's events.
        let latest = events::table
            .filter(events::report_id.eq(report_id))
            .order(events::id.desc())
            .select(Self::as_select())
            .load::<Self>(conn)?
            .into_iter()
            .find(|e| kinds.contains(&e.kind.as_str()));
        let Some(event) = latest else { return Ok(None) };
        let name = match event.actor_id {
            Some(id) => users::table.find(id).select(users::name).first(conn).optional()?,
            None => None,
        };
        Ok(Some((event, name)))
    }
}

/// One version of a standard.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = standards)]
pub struct Standard {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub title: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub created_by: Option<i64>,
}

impl Standard {
    /// Every version of every standard, by code then newest version first.
    pub fn all_versions(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        standards::table.order((standards::code.asc(), standards::version.desc())).select(Self::as_select()).load(conn)
    }

    /// The newest version of `code`, if any.
    pub fn current(conn: &mut DbConnection, code: &str) -> QueryResult<Option<Self>> {
        standards::table
            .filter(standards::code.eq(code))
            .order(standards::version.desc())
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Adds a version.
    pub fn insert(
        conn: &mut DbConnection,
        code: &str,
        version: i32,
        title: &str,
        body: &str,
        by: i64,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::insert_into(standards::table)
            .values((
                standards::code.eq(code),
                standards::version.eq(version),
                standards::title.eq(title),
                standards::body.eq(body),
                standards::created_by.eq(by),
                standards::created_at.eq(now),
            ))
            .execute(conn)
            .map(drop)
    }

    /// The standard versions a correction cites.
    pub fn cited_by(conn: &mut DbConnection, correction_ids: &[i64]) -> QueryResult<Vec<(i64, Self)>> {
        correction_standards::table
            .inner_join(standards::table)
            .filter(correction_standards::correction_id.eq_any(correction_ids))
            .order(standards::code.asc())
            .select((correction_standards::correction_id, Self::as_select()))
            .load(conn)
    }
}

/// A correction row (published ones are never changed).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = corrections)]
pub struct Correction {
    pub id: i64,
    pub article_id: String,
    pub kind: String,
    pub body: String,
    pub original: Option<String>,
    pub corrected: Option<String>,
    pub headline: bool,
    pub supersedes: Option<i64>,
    /// `pending` (awaiting approval) or `published`.
    pub status: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub approved_by: Option<i64>,
    pub published_by: Option<i64>,
    pub published_at: Option<NaiveDateTime>,
}

/// A correction to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = corrections)]
pub struct NewCorrection<'a> {
    pub article_id: &'a str,
    pub kind: &'a str,
    pub body: &'a str,
    pub original: Option<&'a str>,
    pub corrected: Option<&'a str>,
    pub headline: bool,
    pub supersedes: Option<i64>,
    pub status: &'a str,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub published_by: Option<i64>,
    pub published_at: Option<NaiveDateTime>,
}

impl Correction {
    /// The correction with this id.
    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        corrections::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// Inserts a correction with its cited standards and linked reports; returns its id.
    pub fn insert(
        conn: &mut DbConnection,
        new: &NewCorrection<'_>,
        standard_ids: &[i64],
        report_ids: &[i64],
    ) -> QueryResult<i64> {
        let id: i64 =
            diesel::insert_into(corrections::table).values(new).returning(corrections::id).get_result(conn)?;
        for standard_id in standard_ids {
            diesel::insert_into(correction_standards::table)
                .values((correction_standards::correction_id.eq(id), correction_standards::standard_id.eq(standard_id)))
                .execute(conn)?;
        }
        for report_id in report_ids {
            diesel::insert_into(correction_reports::table)
                .values((correction_reports::correction_id.eq(id), correction_reports::report_id.eq(report_id)))
                .execute(conn)?;
        }
        Ok(id)
    }

    /// Marks a pending correction published; false when it was not pending (approved twice at once).
    pub fn publish(conn: &mut DbConnection, id: i64, approved_by: i64, now: NaiveDateTime) -> QueryResult<bool> {
        diesel::update(corrections::table.find(id).filter(corrections::status.eq("pending")))
            .set((
                corrections::status.eq("published"),
                corrections::approved_by.eq(approved_by),
                corrections::published_by.eq(corrections::created_by.nullable()),
                corrections::published_at.eq(now),
            ))
            .execute(conn)
            .map(|n| n == 1)
    }

    /// The corrections with these ids (in no particular order).
    pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Self>> {
        corrections::table.filter(corrections::id.eq_any(ids)).select(Self::as_select()).load(conn)
    }

    /// How many corrections are published.
    pub fn published_count(conn: &mut DbConnection) -> QueryResult<i64> {
        corrections::table.filter(corrections::status.eq("published")).count().get_result(conn)
    }

    /// The reports a correction resolves.
    pub fn report_ids(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<i64>> {
        correction_reports::table
            .filter(correction_reports::correction_id.eq(id))
            .select(correction_reports::report_id)
            .load(conn)
    }

    /// Published corrections of an article, newest first.
    pub fn published_for(conn: &mut DbConnection, article_id: &str) -> QueryResult<Vec<Self>> {
        corrections::table
            .filter(corrections::article_id.eq(article_id))
            .filter(corrections::status.eq("published"))
            .order((corrections::published_at.desc(), corrections::id.desc()))
            .select(Self::as_select())
            .load(conn)
    }

    /// Published corrections that supersede any of `ids`: (superseded id, superseding id).
    pub fn superseders(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(Option<i64>, i64)>> {
        // Filtered by status here: with `status` in the query a planner may prefer the
        // status index and read every published correction (a cold notice was 30x slower).
        Ok(corrections::table
            .filter(corrections::supersedes.eq_any(ids))
            .select((corrections::supersedes, corrections::id, corrections::status))
            .load::<(Option<i64>, i64, String)>(conn)?
            .into_iter()
            .filter(|(_, _, status)| status == "published")
            .map(|(old, new, _)| (old, new))
            .collect())
    }

    /// Corrections awaiting approval, oldest first, with their article title and author name.
    pub fn pending(conn: &mut DbConnection) -> QueryResult<Vec<(Self, String, String)>> {
        corrections::table
            .inner_join(articles::table)
            .inner_join(users::table.on(users::id.eq(corrections::created_by)))
            .filter(corrections::status.eq("pending"))
            .order(corrections::id.asc())
            .select((Self::as_select(), articles::title, users::name))
            .load(conn)
    }
}

/// One entry of the public, hash-chained log.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = log_entries)]
pub struct LogEntry {
    pub idx: i64,
    pub correction_id: i64,
    /// The correction as RFC 8785 canonical JSON: exactly the bytes hashed.
    pub canonical: String,
    /// Lowercase hex SHA-256.
    pub hash: String,
    pub created_at: NaiveDateTime,
}

impl LogEntry {
    /// The newest entry, if any.
    pub fn head(conn: &mut DbConnection) -> QueryResult<Option<Self>> {
        log_entries::table.order(log_entries::idx.desc()).select(Self::as_select()).first(conn).optional()
    }

    /// Appends the entry.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(log_entries::table).values(self).execute(conn).map(drop)
    }

    /// Entries with `from <= idx < to`, in order.
    pub fn range(conn: &mut DbConnection, from: i64, to: i64) -> QueryResult<Vec<Self>> {
        log_entries::table
            .filter(log_entries::idx.ge(from))
            .filter(log_entries::idx.lt(to))
            .order(log_entries::idx.asc())
            .select(Self::as_select())
            .load(conn)
    }

    /// The hashes of the entries of these corrections: (correction id, hash).
    pub fn hashes_of(conn: &mut DbConnection, correction_ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
        log_entries::table
            .filter(log_entries::correction_id.eq_any(correction_ids))
            .select((log_entries::correction_id, log_entries::hash))
            .load(conn)
    }
}
