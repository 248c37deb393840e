//! Saved responses: wording kept by standards editors for questions and decisions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::*;
use crate::db::vocabulary::ResponsePurpose;
use crate::db::DbConnection;

/// One saved response.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = saved_responses)]
pub struct SavedResponse {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub purpose: ResponsePurpose,
    pub created_at: NaiveDateTime,
    pub created_by: Option<i64>,
    pub updated_at: NaiveDateTime,
    pub updated_by: Option<i64>,
}

impl SavedResponse {
    /// Every saved response, by purpose then title.
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        saved_responses::table
            .order((saved_responses::purpose.asc(), saved_responses::title.asc(), saved_responses::id.asc()))
            .select(Self::as_select())
            .load(conn)
    }

    /// One saved response by id.
    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        saved_responses::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// The id of the saved response titled `title`, if any.
    pub fn titled(conn: &mut DbConnection, title: &str) -> QueryResult<Option<i64>> {
        saved_responses::table
            .filter(saved_responses::title.eq(title))
            .select(saved_responses::id)
            .first(conn)
            .optional()
    }

    /// Adds one; returns its id.
    pub fn insert(
        conn: &mut DbConnection,
        title: &str,
        body: &str,
        purpose: ResponsePurpose,
        by: i64,
        now: NaiveDateTime,
    ) -> QueryResult<i64> {
        diesel::insert_into(saved_responses::table)
            .values((
                saved_responses::title.eq(title),
                saved_responses::body.eq(body),
                saved_responses::purpose.eq(purpose),
                saved_responses::created_at.eq(now),
                saved_responses::created_by.eq(by),
                saved_responses::updated_at.eq(now),
                saved_responses::updated_by.eq(by),
            ))
            .execute(conn)?;
        saved_responses::table.filter(saved_responses::title.eq(title)).select(saved_responses::id).first(conn)
    }

    /// Replaces one's title, body and purpose; returns how many rows changed (0: no such response).
    pub fn update(
        conn: &mut DbConnection,
        id: i64,
        title: &str,
        body: &str,
        purpose: ResponsePurpose,
        by: i64,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(saved_responses::table.find(id))
            .set((
                saved_responses::title.eq(title),
                saved_responses::body.eq(body),
                saved_responses::purpose.eq(purpose),
                saved_responses::updated_at.eq(now),
                saved_responses::updated_by.eq(by),
            ))
            .execute(conn)
    }

    /// Deletes one; returns how many rows went (0: no such response).
    pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
        diesel::delete(saved_responses::table.find(id)).execute(conn)
    }
}
