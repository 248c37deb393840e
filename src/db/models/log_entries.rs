//! Entries of the public hash chain.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::*;
use crate::db::DbConnection;

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
