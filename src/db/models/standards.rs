//! Versions of the editorial standards.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::*;
use crate::db::DbConnection;

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
