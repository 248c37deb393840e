//! Corrections, pending and published.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::*;
use crate::db::vocabulary::{Cause, CorrectionStatus, Found, Kind};
use crate::db::DbConnection;

/// A correction row (published ones are never changed).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = corrections)]
pub struct Correction {
    pub id: i64,
    pub article_id: String,
    pub kind: Kind,
    pub body: String,
    pub original: Option<String>,
    pub corrected: Option<String>,
    pub headline: bool,
    pub supersedes: Option<i64>,
    pub status: CorrectionStatus,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub approved_by: Option<i64>,
    pub published_by: Option<i64>,
    pub published_at: Option<NaiveDateTime>,
    /// The returned correction this one drafts again.
    pub redrafts: Option<i64>,
    /// What caused the error (staff only).
    pub cause: Cause,
    /// How the error was found (staff only).
    pub found: Found,
}

/// A correction to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = corrections)]
pub struct NewCorrection<'a> {
    pub article_id: &'a str,
    pub kind: Kind,
    pub body: &'a str,
    pub original: Option<&'a str>,
    pub corrected: Option<&'a str>,
    pub headline: bool,
    pub supersedes: Option<i64>,
    pub status: CorrectionStatus,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub published_by: Option<i64>,
    pub published_at: Option<NaiveDateTime>,
    pub redrafts: Option<i64>,
    /// What caused the error (staff only).
    pub cause: Cause,
    /// How the error was found (staff only).
    pub found: Found,
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
        diesel::update(corrections::table.find(id).filter(corrections::status.eq(CorrectionStatus::Pending)))
            .set((
                corrections::status.eq(CorrectionStatus::Published),
                corrections::approved_by.eq(approved_by),
                corrections::published_by.eq(corrections::created_by.nullable()),
                corrections::published_at.eq(now),
            ))
            .execute(conn)
            .map(|n| n == 1)
    }

    /// Marks a pending correction returned or withdrawn; false when it was not pending (acted on twice at once).
    pub fn stop(conn: &mut DbConnection, id: i64, status: CorrectionStatus) -> QueryResult<bool> {
        diesel::update(corrections::table.find(id).filter(corrections::status.eq(CorrectionStatus::Pending)))
            .set(corrections::status.eq(status))
            .execute(conn)
            .map(|n| n == 1)
    }

    /// How many corrections await approval.
    pub fn pending_count(conn: &mut DbConnection) -> QueryResult<i64> {
        corrections::table.filter(corrections::status.eq(CorrectionStatus::Pending)).count().get_result(conn)
    }

    /// Corrections returned to `author_id`, newest first, with their article title.
    pub fn returned_to(conn: &mut DbConnection, author_id: i64) -> QueryResult<Vec<(Self, String)>> {
        corrections::table
            .inner_join(articles::table)
            .filter(corrections::status.eq(CorrectionStatus::Returned))
            .filter(corrections::created_by.eq(author_id))
            .order(corrections::id.desc())
            .select((Self::as_select(), articles::title))
            .load(conn)
    }

    /// The newest correction of `report_id` returned to its author and not drafted again, if any.
    pub fn returned_for_report(conn: &mut DbConnection, report_id: i64) -> QueryResult<Option<i64>> {
        let returned: Vec<i64> = corrections::table
            .inner_join(correction_reports::table)
            .filter(correction_reports::report_id.eq(report_id))
            .filter(corrections::status.eq(CorrectionStatus::Returned))
            .order(corrections::id.desc())
            .select(corrections::id)
            .load(conn)?;
        let redrafted = Self::redrafted(conn, &returned)?;
        Ok(returned.into_iter().find(|id| !redrafted.contains(id)))
    }

    /// The correction that drafts `id` again, if any.
    pub fn redrafted_by(conn: &mut DbConnection, id: i64) -> QueryResult<Option<i64>> {
        corrections::table.filter(corrections::redrafts.eq(id)).select(corrections::id).first(conn).optional()
    }

    /// Which of `ids` a later correction drafts again.
    pub fn redrafted(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
        Ok(corrections::table
            .filter(corrections::redrafts.eq_any(ids))
            .select(corrections::redrafts)
            .load::<Option<i64>>(conn)?
            .into_iter()
            .flatten()
            .collect())
    }

    /// The corrections with these ids (in no particular order).
    pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Self>> {
        corrections::table.filter(corrections::id.eq_any(ids)).select(Self::as_select()).load(conn)
    }

    /// How many corrections are published.
    pub fn published_count(conn: &mut DbConnection) -> QueryResult<i64> {
        corrections::table.filter(corrections::status.eq(CorrectionStatus::Published)).count().get_result(conn)
    }

    /// The reports a correction resolves.
    pub fn report_ids(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<i64>> {
        correction_reports::table
            .filter(correction_reports::correction_id.eq(id))
            .select(correction_reports::report_id)
            .load(conn)
    }

    /// The corrections drafted to resolve a report (any status), oldest first.
    pub fn for_report(conn: &mut DbConnection, report_id: i64) -> QueryResult<Vec<Self>> {
        corrections::table
            .inner_join(correction_reports::table)
            .filter(correction_reports::report_id.eq(report_id))
            .order(corrections::id.asc())
            .select(Self::as_select())
            .load(conn)
    }

    /// Published corrections of an article, newest first.
    pub fn published_for(conn: &mut DbConnection, article_id: &str) -> QueryResult<Vec<Self>> {
        corrections::table
            .filter(corrections::article_id.eq(article_id))
            .filter(corrections::status.eq(CorrectionStatus::Published))
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
            .load::<(Option<i64>, i64, CorrectionStatus)>(conn)?
            .into_iter()
            .filter(|(_, _, status)| *status == CorrectionStatus::Published)
            .map(|(old, new, _)| (old, new))
            .collect())
    }

    /// Corrections awaiting approval, oldest first, with their article title and author name.
    pub fn pending(conn: &mut DbConnection) -> QueryResult<Vec<(Self, String, String)>> {
        corrections::table
            .inner_join(articles::table)
            .inner_join(users::table.on(users::id.eq(corrections::created_by)))
            .filter(corrections::status.eq(CorrectionStatus::Pending))
            .order(corrections::id.asc())
            .select((Self::as_select(), articles::title, users::name))
            .load(conn)
    }
}
