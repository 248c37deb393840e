//! Suggested wordings: a standards editor's own wording for a kind of notice, replacing the built-in one.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::*;
use crate::db::vocabulary::Kind;
use crate::db::DbConnection;

/// One kind's stored wording; a kind without a row uses the built-in wording.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = wordings)]
pub struct Wording {
    pub kind: Kind,
    pub text: String,
    pub updated_by: Option<i64>,
    pub updated_at: NaiveDateTime,
}

impl Wording {
    /// Every stored wording (at most one per kind).
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        wordings::table.order(wordings::kind.asc()).select(Self::as_select()).load(conn)
    }

    /// The stored wording for `kind`, if any.
    pub fn find(conn: &mut DbConnection, kind: Kind) -> QueryResult<Option<Self>> {
        wordings::table.find(kind).select(Self::as_select()).first(conn).optional()
    }

    /// Stores `text` as the wording for `kind`, replacing any earlier one.
    pub fn save(conn: &mut DbConnection, kind: Kind, text: &str, by: i64, now: NaiveDateTime) -> QueryResult<()> {
        // No portable upsert through MultiConnection: replace inside the caller's transaction.
        diesel::delete(wordings::table.find(kind)).execute(conn)?;
        diesel::insert_into(wordings::table)
            .values((
                wordings::kind.eq(kind),
                wordings::text.eq(text),
                wordings::updated_by.eq(by),
                wordings::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Deletes the stored wording for `kind`; returns how many rows went (0: it had none).
    pub fn delete(conn: &mut DbConnection, kind: Kind) -> QueryResult<usize> {
        diesel::delete(wordings::table.find(kind)).execute(conn)
    }
}
