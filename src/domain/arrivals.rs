//! What reached each desk since the previous daily digest: its members read there the reports
//! that were not urgent enough to be told of at once.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::desk::{status_sql, View};
use crate::db::models::{Desk, DeskMember, Report, StaffMember};
use crate::db::schema::reports;
use crate::db::vocabulary::{Severity, Status};
use crate::db::{DbConnection, MultiBackend};
use crate::error::AppError;

/// Most new reports one digest lists per desk (the rest are a link to the desk's queue).
pub const LISTED: i64 = 50;

/// A desk's open reports of low or normal severity that reached it since the previous digest.
#[derive(Debug, Clone)]
pub struct Arrivals {
    /// The desk.
    pub desk: Desk,
    /// The reports, in the order they reached it (at most [`LISTED`]).
    pub reports: Vec<Report>,
    /// Whether more reached it than are listed.
    pub more: bool,
}

/// One desk's arrivals since `since`, through `reports_desk_routed` (one range of the index).
fn of_desk(conn: &mut DbConnection, desk: &Desk, since: NaiveDateTime) -> Result<(Vec<Report>, bool), AppError> {
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let open: Vec<Status> = Status::ALL.iter().copied().filter(|s| View::Open.holds(*s)).collect();
    let quiet: Vec<&str> =
        Severity::ALL.iter().filter(|s| matches!(s, Severity::Low | Severity::Normal)).map(|s| s.as_str()).collect();
    let mut rows: Vec<Report> = reports::table
        .into_boxed::<MultiBackend>()
        .filter(reports::desk_id.eq(desk.id))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&status_sql(&open, postgres)))
        .filter(reports::routed_at.ge(since))
        .filter(reports::severity.eq_any(quiet))
        .order((reports::routed_at.asc(), reports::id.asc()))
        .limit(LISTED + 1)
        .select(Report::as_select())
        .load(conn)?;
    let more = rows.len() as i64 > LISTED;
    rows.truncate(LISTED as usize);
    Ok((rows, more))
}

/// For each member of a desk who is active, can edit and is not away, the arrivals on their
/// desks since `since` (desks with none left out), by user id.
pub fn by_member(
    conn: &mut DbConnection,
    since: NaiveDateTime,
) -> Result<BTreeMap<i64, (StaffMember, Vec<Arrivals>)>, AppError> {
    let mut out: BTreeMap<i64, (StaffMember, Vec<Arrivals>)> = BTreeMap::new();
    for desk in Desk::all(conn)? {
        let (reports, more) = of_desk(conn, &desk, since)?;
        if reports.is_empty() {
            continue;
        }
        let arrivals = Arrivals { desk: desk.clone(), reports, more };
        for (_, user) in DeskMember::of_desk(conn, desk.id)? {
            if user.disabled || user.away || !user.role.can_edit() {
                continue;
            }
            out.entry(user.id).or_insert_with(|| (user, Vec::new())).1.push(arrivals.clone());
        }
    }
    Ok(out)
}
