//! Routing: which desk a report belongs to, and which of its editors gets it.
//!
//! A report is routed when it is filed and again when what the rules read changes (its
//! article's section, its severity): the first desk in rule order whose sections, categories
//! and severities all match takes it (an empty list matches anything), otherwise the general
//! queue. Everything happens in the caller's write transaction, so a report is never left
//! half-routed; on PostgreSQL a desk's row is locked while one of its members is chosen, so
//! two reports filed at once on a round-robin desk go to two members.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use chrono::NaiveDateTime;

use super::accounts::Actor;
use super::desks::{open_assigned, the_desk, Affected};
use super::events::{self, EventData};
use super::ids::{DeskId, ReportId, UserId};
use super::notices::{DeskRef, Notice, Notices, StaffRef};
use super::text::required_text;
use super::workflow::{self, REASON_MAX};
use crate::db::models::{Desk, DeskMember, Report, StaffMember};
use crate::db::schema::reports;
use crate::db::vocabulary::{Assignment, Category, Severity, Status};
use crate::db::DbConnection;
use crate::error::AppError;

/// The first desk in `desks` (rule order) whose rules take a report in `section` of
/// `category` and `severity`.
pub fn matching<'a>(desks: &'a [Desk], section: &str, category: Category, severity: Severity) -> Option<&'a Desk> {
    let section = section.trim().to_lowercase();
    desks.iter().find(|d| {
        (d.sections.is_empty() || d.sections.iter().any(|s| s.trim().to_lowercase() == section))
            && (d.categories.is_empty() || d.categories.iter().any(|c| c == category.as_str()))
            && (d.severities.is_empty() || d.severities.iter().any(|s| s == severity.as_str()))
    })
}

/// The desk as notices name it.
pub fn desk_ref(desk: &Desk) -> DeskRef {
    DeskRef { id: DeskId(desk.id), slug: desk.slug.clone(), name: desk.name.clone() }
}

fn staff_ref(u: &StaffMember) -> StaffRef {
    StaffRef { id: UserId(u.id), email: u.email.clone(), name: u.name.clone() }
}

/// Chooses who on `desk` gets its next report, by its assignment mode, and records their turn.
/// None when the desk assigns by hand or every member is away.
pub fn choose(conn: &mut DbConnection, desk: &Desk) -> Result<Option<StaffMember>, AppError> {
    if desk.assignment == Assignment::None {
        return Ok(None);
    }
    if let DbConnection::Postgres(c) = conn {
        // Two filings at once read the same turns otherwise; the desk's row serialises them.
        c.batch_execute(&format!("SELECT id FROM desks WHERE id = {} FOR UPDATE", desk.id))?;
    }
    let members: Vec<(DeskMember, StaffMember)> = DeskMember::of_desk(conn, desk.id)?
        .into_iter()
        .filter(|(_, u)| !u.away && !u.disabled && u.role.can_edit())
        .collect();
    let chosen = match desk.assignment {
        Assignment::None => None,
        Assignment::RoundRobin => members.into_iter().min_by_key(|(m, u)| (m.turn, u.id)),
        Assignment::LeastLoaded => {
            let ids: Vec<i64> = members.iter().map(|(_, u)| u.id).collect();
            let load = open_assigned(conn, &ids)?;
            members.into_iter().min_by_key(|(m, u)| (load.get(&u.id).copied().unwrap_or(0), m.turn, u.id))
        }
    };
    let Some((_, user)) = chosen else { return Ok(None) };
    DeskMember::assigned(conn, desk.id, user.id)?;
    Ok(Some(user))
}

/// Where a report about to be filed goes: its desk (none: the general queue) and, when the desk
/// assigns automatically, its assignee.
pub fn at_filing(
    conn: &mut DbConnection,
    section: &str,
    category: Category,
    severity: Severity,
) -> Result<(Option<Desk>, Option<StaffMember>), AppError> {
    let desks = Desk::all(conn)?;
    let Some(desk) = matching(&desks, section, category, severity).cloned() else { return Ok((None, None)) };
    let assignee = choose(conn, &desk)?;
    Ok((Some(desk), assignee))
}

/// Records a filed report's routing and automatic assignment (events and notices).
pub fn record_filed(
    conn: &mut DbConnection,
    report: &Report,
    desk: Option<&Desk>,
    assignee: Option<&StaffMember>,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some(desk) = desk else { return Ok(()) };
    let data = EventData::DeskRouted {
        from: None,
        from_name: None,
        to: Some(desk.slug.clone()),
        to_name: Some(desk.name.clone()),
        reason: Some("its rules matched the report".into()),
    };
    events::record_system(conn, report.id, &data, now)?;
    if let Some(user) = assignee {
        assigned(conn, report, user, desk, notices, now)?;
    }
    Ok(())
}

/// Records an automatic assignment: the event and the assignee's notice.
fn assigned(
    conn: &mut DbConnection,
    report: &Report,
    user: &StaffMember,
    desk: &Desk,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let data = EventData::Assigned { assignee_id: Some(UserId(user.id)), assignee_name: Some(user.name.clone()) };
    events::record_system(conn, report.id, &data, now)?;
    notices.push(Notice::Assigned {
        report_id: ReportId(report.id),
        quote: report.quote.clone(),
        deadline_at: report.deadline_at,
        assignee: staff_ref(user),
        by: None,
        desk: Some(desk_ref(desk)),
    });
    Ok(())
}

/// Puts an open report on desk `to` (none: the general queue), by an editor or by the rules.
///
/// The version is bumped (and checked). On a desk that assigns automatically, a report nobody
/// on that desk holds is given to one of its members; otherwise the assignee is kept. Returns
/// what happened, or None when the report was there already.
fn enter(
    conn: &mut DbConnection,
    report: &Report,
    to: Option<&Desk>,
    by: Option<&Actor>,
    reason: &str,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<Option<String>, AppError> {
    if report.desk_id == to.map(|d| d.id) {
        return Ok(None);
    }
    let from = match report.desk_id {
        Some(id) => Desk::find(conn, id)?,
        None => None,
    };
    workflow::bump_version(conn, report, now)?;
    diesel::update(reports::table.find(report.id))
        .set((reports::desk_id.eq(to.map(|d| d.id)), reports::routed_at.eq(to.map(|_| now))))
        .execute(conn)?;
    let data = EventData::DeskRouted {
        from: from.as_ref().map(|d| d.slug.clone()),
        from_name: from.as_ref().map(|d| d.name.clone()),
        to: to.map(|d| d.slug.clone()),
        to_name: to.map(|d| d.name.clone()),
        reason: Some(reason.to_owned()),
    };
    match by {
        Some(actor) => events::record(conn, Some(report.id), Some(actor), false, &data, now)?,
        None => events::record_system(conn, report.id, &data, now)?,
    }
    let mut outcome = match to {
        Some(desk) => format!("#{} routed to {}", report.id, the_desk(&desk.name)),
        None => format!("#{} returned to the general queue", report.id),
    };
    let Some(desk) = to else { return Ok(Some(outcome)) };
    let article_title = super::articles::get(conn, &report.article_id)?.title;
    notices.push(Notice::Routed {
        report_id: ReportId(report.id),
        article_id: report.article_id.clone(),
        article_title,
        quote: report.quote.clone(),
        severity: report.severity,
        deadline_at: report.deadline_at,
        from: from.as_ref().map(desk_ref),
        desk: desk_ref(desk),
        by: by.map(|a| StaffRef { id: UserId(a.id), email: a.email.clone(), name: a.name.clone() }),
    });
    let members: Vec<i64> = DeskMember::of_desk(conn, desk.id)?.into_iter().map(|(m, _)| m.user_id).collect();
    let held_here = report.assignee_id.is_some_and(|id| members.contains(&id));
    if !held_here {
        if let Some(user) = choose(conn, desk)? {
            diesel::update(reports::table.find(report.id)).set(reports::assignee_id.eq(user.id)).execute(conn)?;
            assigned(conn, report, &user, desk, notices, now)?;
            outcome.push_str(&format!(" and assigned to {}", user.name));
        }
    }
    Ok(Some(outcome))
}

/// An editor moves a report to another desk (`slug`), or to the general queue (none), with a reason.
#[allow(clippy::too_many_arguments)]
pub fn move_report(
    conn: &mut DbConnection,
    id: i64,
    actor: &Actor,
    slug: Option<&str>,
    reason: &str,
    version: i64,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<Report, AppError> {
    let reason = required_text("reason", reason, 1, REASON_MAX).map_err(|e| AppError::Invalid(vec![e]))?;
    let to = match slug.map(str::trim).filter(|s| !s.is_empty()) {
        Some(slug) => Some(Desk::by_slug(conn, slug)?.ok_or_else(|| {
            AppError::invalid("desk", format!("no desk has the slug {slug:?}: see GET /api/v1/desk/desks"))
        })?),
        None => None,
    };
    let report = workflow::load_for_change(conn, id, actor, Some(version))?;
    if workflow::is_closed(report.status) {
        return Err(AppError::Conflict(format!(
            "report #{id} is {}: only open reports move between desks",
            report.status.label().to_lowercase()
        )));
    }
    if report.desk_id == to.as_ref().map(|d| d.id) {
        return Err(AppError::Conflict(match &to {
            Some(d) => format!("report #{id} is on {} already", the_desk(&d.name)),
            None => format!("report #{id} is in the general queue already"),
        }));
    }
    enter(conn, &report, to.as_ref(), Some(actor), &reason, notices, now)?;
    Report::find(conn, id)?.ok_or_else(|| AppError::NotFound(format!("no report has the number {id}")))
}

/// Routes an open report again after what the rules read changed (`why`), by the rules.
pub fn reroute(
    conn: &mut DbConnection,
    id: i64,
    why: &str,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<Option<String>, AppError> {
    let Some(report) = Report::find(conn, id)? else { return Ok(None) };
    if workflow::is_closed(report.status) {
        return Ok(None);
    }
    let section = super::articles::get(conn, &report.article_id)?.section;
    let desks = Desk::all(conn)?;
    let to = matching(&desks, &section, report.category, report.severity).cloned();
    enter(conn, &report, to.as_ref(), None, why, notices, now)
}

/// Routes the open reports on an article again after its section changed.
pub fn reroute_article(
    conn: &mut DbConnection,
    article_id: &str,
    section: &str,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let open: Vec<Status> = Status::ALL.iter().copied().filter(|s| !workflow::is_closed(*s)).collect();
    let ids: Vec<i64> = reports::table
        .filter(reports::article_id.eq(article_id))
        .filter(reports::status.eq_any(open))
        .select(reports::id)
        .load(conn)?;
    for id in ids {
        reroute(conn, id, &format!("its article moved to the section {section:?}"), notices, now)?;
    }
    Ok(())
}

/// Sends a desk's open reports back to routing (the other desks' rules, or the general
/// queue) and unsets it from its closed ones, before the desk is removed (`by` no one: the system).
pub fn evacuate(
    conn: &mut DbConnection,
    by: Option<&Actor>,
    desk: &Desk,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<Vec<Affected>, AppError> {
    let open: Vec<Status> = Status::ALL.iter().copied().filter(|s| !workflow::is_closed(*s)).collect();
    let held: Vec<Report> = reports::table
        .filter(reports::desk_id.eq(desk.id))
        .filter(reports::status.eq_any(open))
        .order(reports::id.asc())
        .select(Report::as_select())
        .load(conn)?;
    let others: Vec<Desk> = Desk::all(conn)?.into_iter().filter(|d| d.id != desk.id).collect();
    let why = format!("{} was removed", the_desk(&desk.name));
    let mut affected = Vec::new();
    for report in held {
        let section = super::articles::get(conn, &report.article_id)?.section;
        let to = matching(&others, &section, report.category, report.severity);
        if let Some(outcome) = enter(conn, &report, to, by, &why, notices, now)? {
            affected.push(Affected { report_id: report.id, outcome });
        }
    }
    // Closed reports keep the desk in their history (the events), not in the column.
    diesel::update(reports::table.filter(reports::desk_id.eq(desk.id)))
        .set((reports::desk_id.eq(None::<i64>), reports::routed_at.eq(None::<NaiveDateTime>)))
        .execute(conn)?;
    Ok(affected)
}

/// A member left a desk: the desk's open reports they held are unassigned, and given to
/// another member when the desk assigns automatically (`by` no one: the system).
pub fn release(
    conn: &mut DbConnection,
    by: Option<&Actor>,
    desk_id: i64,
    user_id: i64,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<Vec<Affected>, AppError> {
    let Some(desk) = Desk::find(conn, desk_id)? else { return Ok(Vec::new()) };
    let open: Vec<Status> = Status::ALL.iter().copied().filter(|s| !workflow::is_closed(*s)).collect();
    let held: Vec<Report> = reports::table
        .filter(reports::desk_id.eq(desk_id))
        .filter(reports::assignee_id.eq(user_id))
        .filter(reports::status.eq_any(open))
        .order(reports::id.asc())
        .select(Report::as_select())
        .load(conn)?;
    let former = StaffMember::find(conn, user_id)?.map_or_else(|| "a former member".to_owned(), |u| u.name);
    let mut affected = Vec::new();
    for report in held {
        workflow::bump_version(conn, &report, now)?;
        diesel::update(reports::table.find(report.id)).set(reports::assignee_id.eq(None::<i64>)).execute(conn)?;
        let data = EventData::Assigned { assignee_id: None, assignee_name: None };
        match by {
            Some(actor) => events::record(conn, Some(report.id), Some(actor), false, &data, now)?,
            None => events::record_system(conn, report.id, &data, now)?,
        }
        let mut outcome = format!("#{} unassigned from {former}, who left {}", report.id, the_desk(&desk.name));
        if let Some(user) = choose(conn, &desk)? {
            diesel::update(reports::table.find(report.id)).set(reports::assignee_id.eq(user.id)).execute(conn)?;
            assigned(conn, &report, &user, &desk, notices, now)?;
            outcome.push_str(&format!(", and assigned to {}", user.name));
        }
        affected.push(Affected { report_id: report.id, outcome });
    }
    Ok(affected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::json::StringList;

    fn desk(id: i64, sections: &[&str], categories: &[&str], severities: &[&str]) -> Desk {
        let list = |v: &[&str]| StringList::from(v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).and_then(|d| d.and_hms_opt(9, 0, 0)).unwrap_or_default();
        Desk {
            id,
            slug: format!("d{id}"),
            name: format!("Desk {id}"),
            lead_id: None,
            sections: list(sections),
            categories: list(categories),
            severities: list(severities),
            assignment: Assignment::None,
            position: i32::try_from(id).unwrap_or(0),
            endpoint_id: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn the_first_desk_whose_every_list_matches_takes_the_report() {
        let desks = vec![
            desk(1, &["Sport"], &["misquote"], &[]),
            desk(2, &["sport"], &[], &["high", "legal"]),
            desk(3, &[], &[], &[]),
        ];
        let pick = |section, category, severity| matching(&desks, section, category, severity).map(|d| d.id);
        assert_eq!(pick("SPORT", Category::Misquote, Severity::Low), Some(1), "sections compare without case");
        assert_eq!(pick("sport", Category::FactualError, Severity::High), Some(2));
        assert_eq!(pick("sport", Category::FactualError, Severity::Normal), Some(3), "an empty list matches anything");
        assert_eq!(pick("Business", Category::Misquote, Severity::Legal), Some(3));
        assert_eq!(matching(&desks[..2], "Business", Category::Misquote, Severity::Legal).map(|d| d.id), None);
    }
}
