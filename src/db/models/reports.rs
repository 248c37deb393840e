//! Reader reports (tickets).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::json::StringList;
use crate::db::schema::*;
use crate::db::vocabulary::{Category, Severity, Status};
use crate::db::DbConnection;

/// A report (ticket) row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct Report {
    pub id: i64,
    pub article_id: String,
    pub token_hash: String,
    pub category: Category,
    pub quote: String,
    pub explanation: String,
    pub evidence_urls: StringList,
    pub reporter_name: Option<String>,
    pub reporter_email: Option<String>,
    pub status: Status,
    pub severity: Severity,
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
    /// When the reader last answered or appealed, until an editor opened the ticket.
    pub reader_replied_at: Option<NaiveDateTime>,
    /// When it first moved into a decided status (corrected, no change, rejected, duplicate).
    pub decided_at: Option<NaiveDateTime>,
    /// When it moved into corrected: the publication of the correction that resolved it.
    pub corrected_at: Option<NaiveDateTime>,
    /// The desk it is routed to (none: the general queue).
    pub desk_id: Option<i64>,
    /// When it was escalated to its desk's lead for being overdue.
    pub escalated_at: Option<NaiveDateTime>,
    /// When it reached the desk it is on (none: on no desk).
    pub routed_at: Option<NaiveDateTime>,
}

/// A report to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = reports)]
pub struct NewReport<'a> {
    pub article_id: &'a str,
    pub token_hash: &'a str,
    pub category: Category,
    pub quote: &'a str,
    pub explanation: &'a str,
    pub evidence_urls: &'a StringList,
    pub reporter_name: Option<&'a str>,
    pub reporter_email: Option<&'a str>,
    pub status: Status,
    pub severity: Severity,
    pub severity_rank: i32,
    pub deadline_at: NaiveDateTime,
    pub quote_start: Option<i64>,
    pub quote_end: Option<i64>,
    pub desk_id: Option<i64>,
    pub routed_at: Option<NaiveDateTime>,
    pub assignee_id: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// At most this many likely duplicates are looked at for one ticket.
pub const SIBLINGS_MAX: i64 = 200;
/// How far before a quote another may start and still be looked at (bytes of normalised text):
/// longer than any quote without an ellipsis can be.
pub const SIBLINGS_WINDOW: i64 = 16_384;

impl Report {
    /// Reports per status as the triggers keep them in `report_tallies` (a few rows, however
    /// many reports); every status is listed, with 0 when none has it.
    pub fn count_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(Status, i64)>> {
        let tallies: Vec<(Status, i64)> = report_tallies::table
            .filter(report_tallies::n.ne(0))
            .select((report_tallies::status, report_tallies::n))
            .load(conn)?;
        Ok(Status::ALL
            .iter()
            .map(|status| (*status, tallies.iter().filter(|(s, _)| s == status).map(|(_, n)| n).sum()))
            .collect())
    }

    /// The report whose tracking token has this hash, if any.
    pub fn by_token_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<Self>> {
        reports::table.filter(reports::token_hash.eq(hash)).select(Self::as_select()).first(conn).optional()
    }

    /// Inserts a report and returns its id.
    pub fn insert(conn: &mut DbConnection, new: &NewReport<'_>) -> QueryResult<i64> {
        diesel::insert_into(reports::table).values(new).returning(reports::id).get_result(conn)
    }

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
