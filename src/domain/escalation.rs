//! Escalation: a report whose deadline passes while the desk owes the next step is escalated,
//! once, to its desk's lead, or to the standards editors when it is on no desk or its desk has
//! no lead who can take it.
//!
//! The mail dispatcher looks for such reports about once a minute ([`due`], then [`escalate`]
//! in a write transaction). Each is claimed by a conditional update of `escalated_at`, so two
//! dispatchers never escalate one report twice. Escalation belongs to routing: reports whose
//! deadline passed before the newsroom described its first desk are not escalated late.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::events::{self, EventData};
use super::ids::{ReportId, UserId};
use super::notices::{Notice, Notices, StaffRef};
use super::routing::desk_ref;
use super::workflow;
use crate::db::models::{Desk, Report, StaffMember};
use crate::db::schema::{desks, reports};
use crate::db::vocabulary::{Role, Status};
use crate::db::{DbConnection, MultiBackend};
use crate::error::AppError;

/// Most reports escalated in one scan: a backlog is worked off a batch a minute.
pub const SCAN_MAX: i64 = 100;

/// The condition that a report is in a status whose deadline the desk owes, as SQL.
///
/// The statuses are literals in table order, word for word the partial index
/// `reports_escalation`'s condition, so both backends can read that index; SQLite's `+` keeps
/// it off `reports_status` (see [`super::desk::status_sql`]).
pub fn owing_sql(postgres: bool) -> String {
    let list: Vec<String> =
        Status::ALL.iter().filter(|s| workflow::is_open(**s)).map(|s| format!("'{}'", s.as_str())).collect();
    let plus = if postgres { "" } else { "+" };
    format!("{plus}reports.status IN ({})", list.join(", "))
}

/// When escalation began: the oldest desk's creation (none: no desk, nothing is escalated).
fn since(conn: &mut DbConnection) -> Result<Option<NaiveDateTime>, AppError> {
    Ok(desks::table.select(diesel::dsl::min(desks::created_at)).first(conn)?)
}

/// The reports due for escalation at `now`, by deadline; read through `reports_escalation`, so
/// the scan costs the few reports that just became overdue.
fn scan<'a>(
    postgres: bool,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> diesel::dsl::IntoBoxed<'a, reports::table, MultiBackend> {
    reports::table
        .into_boxed::<MultiBackend>()
        .filter(reports::escalated_at.is_null())
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&owing_sql(postgres)))
        .filter(reports::deadline_at.ge(since))
        .filter(reports::deadline_at.lt(now))
        .order((reports::deadline_at.asc(), reports::id.asc()))
}

/// Whether any report is due for escalation at `now` (a cheap read before a write transaction).
pub fn due(conn: &mut DbConnection, now: NaiveDateTime) -> Result<bool, AppError> {
    let Some(since) = since(conn)? else { return Ok(false) };
    let postgres = matches!(conn, DbConnection::Postgres(_));
    Ok(scan(postgres, since, now).select(reports::id).limit(1).first::<i64>(conn).optional()?.is_some())
}

/// Escalates the reports due at `now` (in the caller's write transaction), each once: records
/// `escalated_at` and an `Escalated` event, and pushes a notice for mail and chat. Returns how
/// many were escalated.
pub fn escalate(conn: &mut DbConnection, now: NaiveDateTime, notices: &mut Notices) -> Result<usize, AppError> {
    let Some(since) = since(conn)? else { return Ok(0) };
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let due: Vec<Report> = scan(postgres, since, now).limit(SCAN_MAX).select(Report::as_select()).load(conn)?;
    let mut escalated = 0;
    for report in due {
        // Another dispatcher may have escalated it, or an editor moved it on, since it was read.
        let claimed = diesel::update(reports::table.find(report.id))
            .filter(reports::escalated_at.is_null())
            .filter(reports::deadline_at.lt(now))
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&owing_sql(postgres)))
            .set(reports::escalated_at.eq(now))
            .execute(conn)?;
        if claimed == 0 {
            continue;
        }
        let desk = match report.desk_id {
            Some(id) => Desk::find(conn, id)?,
            None => None,
        };
        let (to, lead) = recipients(conn, desk.as_ref())?;
        let names = to.iter().map(|u| u.name.clone()).collect();
        events::record_system(conn, report.id, &EventData::Escalated { to: names }, now)?;
        let assignee = match report.assignee_id {
            Some(id) => StaffMember::find(conn, id)?,
            None => None,
        };
        let article_title = super::articles::get(conn, &report.article_id)?.title;
        notices.push(Notice::Escalated {
            report_id: ReportId(report.id),
            article_id: report.article_id.clone(),
            article_title,
            quote: report.quote.clone(),
            severity: report.severity,
            status: report.status,
            deadline_at: report.deadline_at,
            desk: desk.as_ref().map(desk_ref),
            assignee: assignee.as_ref().map(staff_ref),
            to: to.iter().map(staff_ref).collect(),
            lead,
        });
        escalated += 1;
    }
    Ok(escalated)
}

fn staff_ref(u: &StaffMember) -> StaffRef {
    StaffRef { id: UserId(u.id), email: u.email.clone(), name: u.name.clone() }
}

/// Who an overdue report on `desk` is escalated to, and whether that is the desk's lead: the
/// lead when they are active, can edit and are not away; otherwise the standards editors who
/// are not away (all of them when every one is).
fn recipients(conn: &mut DbConnection, desk: Option<&Desk>) -> Result<(Vec<StaffMember>, bool), AppError> {
    let lead = match desk.and_then(|d| d.lead_id) {
        Some(id) => StaffMember::find(conn, id)?.filter(|u| !u.disabled && !u.away && u.role.can_edit()),
        None => None,
    };
    if let Some(lead) = lead {
        return Ok((vec![lead], true));
    }
    let standards = super::accounts::active_with_role(conn, Role::StandardsEditor)?;
    let present: Vec<StaffMember> = standards.iter().filter(|u| !u.away).cloned().collect();
    Ok((if present.is_empty() { standards } else { present }, false))
}
