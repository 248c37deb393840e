//! Desks: named teams of editors, each with the rules that route reports to it and how it
//! assigns them. Standards editors describe them once; [`super::routing`] applies them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::{parse_email, Actor};
use super::notices::Notices;
use super::routing;
use super::text::required_line;
use super::workflow;
use crate::db::json::StringList;
use crate::db::models::{Desk, DeskFields, DeskMember, Report, StaffMember, WebhookEndpoint};
use crate::db::schema::{desk_tallies, report_tallies, reports};
use crate::db::vocabulary::{Assignment, Category, EndpointKind, Severity, Status};
use crate::db::DbConnection;
use crate::error::{AppError, FieldError};

/// Longest desk name, in characters.
pub const NAME_MAX: usize = 80;
/// Longest section name a rule may hold, in characters.
pub const SECTION_MAX: usize = 80;
/// Most sections one desk's rule may list.
pub const SECTIONS_MAX: usize = 100;
/// Most members of one desk.
pub const MEMBERS_MAX: usize = 200;
/// Most reports held by away members listed for a desk's lead.
pub const AWAY_LISTED: i64 = 100;
/// A slug: lowercase letters, digits and inner hyphens, as in the desk's address.
pub const SLUG_PATTERN: &str = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$";

crate::text_schema!(
    /// A desk's slug, for the API's document.
    DeskSlug,
    Some(1),
    40,
    SLUG_PATTERN
);

crate::text_schema!(
    /// A section a desk's rule names, for the API's document.
    SectionName,
    Some(1),
    SECTION_MAX,
    super::text::LINE_PATTERN
);

/// A desk as a standards editor describes it (`PUT /api/v1/desk/desks/{slug}`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeskInput {
    /// What the newsroom calls it, e.g. "Sports desk".
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
    /// Its editors' emails (active editors or standards editors).
    #[serde(default)]
    #[schema(max_items = 200, value_type = Vec<crate::domain::channels::PartnerAddress>)]
    pub members: Vec<String>,
    /// The editor overdue reports are escalated to (optional; without one, the standards editors).
    #[serde(default)]
    #[schema(value_type = Option<crate::domain::channels::PartnerAddress>)]
    pub lead: Option<String>,
    /// Article sections it takes, compared without regard to case (empty: any section).
    #[serde(default)]
    #[schema(max_items = 100, value_type = Vec<SectionName>)]
    pub sections: Vec<String>,
    /// Categories it takes (empty: any category).
    #[serde(default)]
    #[schema(value_type = Vec<Category>)]
    pub categories: Vec<String>,
    /// Severities it takes (empty: any severity).
    #[serde(default)]
    #[schema(value_type = Vec<Severity>)]
    pub severities: Vec<String>,
    /// How reports routed to it are assigned: none (by hand), round_robin or least_loaded.
    #[serde(default)]
    #[schema(value_type = Option<Assignment>)]
    pub assignment: Option<String>,
    /// Its place in the order rules are tried, 1 first (left out: a new desk goes last, a
    /// replaced one keeps its place).
    #[serde(default)]
    #[schema(minimum = 1)]
    pub position: Option<i64>,
    /// A chat endpoint that hears of reports routed to it (optional).
    #[serde(default)]
    pub endpoint_id: Option<i64>,
}

/// A member of a desk as the desk page and the API show them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    /// Their email.
    pub email: String,
    /// Their name.
    pub name: String,
    /// Whether they marked themselves away (automatic assignment skips them).
    pub away: bool,
    /// Open reports assigned to them, on any desk.
    pub open_assigned: i64,
}

/// An open report held by an away member, listed for the desk's lead.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HeldReport {
    /// The report's number.
    pub report_id: i64,
    /// Its status.
    pub status: Status,
    /// Who holds it.
    pub assignee_email: String,
    /// Their name.
    pub assignee_name: String,
    /// Its deadline (RFC 3339, UTC).
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub deadline_at: chrono::DateTime<chrono::Utc>,
}

/// A desk as the desk page and the API show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeskView {
    /// Its slug (in its address and the queue's `desk` filter).
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its place in the order rules are tried, 1 first.
    pub position: i64,
    /// Its lead's email, if it has one.
    pub lead: Option<String>,
    /// Its members, by name.
    pub members: Vec<MemberView>,
    /// Sections it takes (empty: any).
    pub sections: Vec<String>,
    /// Categories it takes (empty: any).
    pub categories: Vec<Category>,
    /// Severities it takes (empty: any).
    pub severities: Vec<Severity>,
    /// How its reports are assigned.
    pub assignment: Assignment,
    /// The chat endpoint that hears of its reports.
    pub endpoint_id: Option<i64>,
    /// Its open reports.
    pub open_reports: i64,
    /// Its open reports held by members who are away (at most 100), for the lead.
    pub held_by_away: Vec<HeldReport>,
}

/// A report a change to a desk unassigned or routed elsewhere.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Affected {
    /// The report's number.
    pub report_id: i64,
    /// What happened to it, as a sentence.
    pub outcome: String,
}

/// The answer to saving or removing a desk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeskSaved {
    /// The desk as it is now (none once removed).
    pub desk: Option<DeskView>,
    /// Reports the change unassigned (from removed members) or routed again (from a removed desk).
    pub affected: Vec<Affected>,
}

/// A desk named in a sentence: "the World desk", but "the Sports desk" for one called so already.
pub fn the_desk(name: &str) -> String {
    let lower = name.to_lowercase();
    if lower == "desk" || lower.ends_with(" desk") {
        format!("the {name}")
    } else {
        format!("the {name} desk")
    }
}

/// Parses a desk's slug from its address.
pub fn parse_slug(raw: &str) -> Result<String, AppError> {
    let ok = !raw.is_empty()
        && raw.len() <= 40
        && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !raw.starts_with('-')
        && !raw.ends_with('-');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(AppError::invalid(
            "slug",
            format!("{raw:?} is not a desk slug: use 1 to 40 lowercase letters, digits and inner hyphens"),
        ))
    }
}

/// A checked desk description: what to store and the accounts it names.
struct Checked {
    name: String,
    members: Vec<StaffMember>,
    lead: Option<StaffMember>,
    sections: Vec<String>,
    categories: Vec<Category>,
    severities: Vec<Severity>,
    assignment: Assignment,
    endpoint_id: Option<i64>,
}

/// An active account that can work reports, by email; `field` names what sent it.
fn editor(conn: &mut DbConnection, field: &str, raw: &str) -> Result<StaffMember, FieldError> {
    let email = parse_email(field, raw)?;
    match StaffMember::by_email(conn, &email) {
        Ok(Some(u)) if !u.disabled && u.role.can_edit() => Ok(u),
        Ok(Some(_)) => Err(FieldError::new(field, format!("{email} is not an active editor"))),
        _ => Err(FieldError::new(field, format!("no editor has the email {email}"))),
    }
}

/// Checks every field, collecting each error with its field's name.
fn check(conn: &mut DbConnection, input: &DeskInput) -> Result<Checked, AppError> {
    let mut errors = Vec::new();
    let name = required_line("name", &input.name, NAME_MAX).map_err(|e| errors.push(e)).ok();
    if input.members.len() > MEMBERS_MAX {
        errors.push(FieldError::new("members", format!("at most {MEMBERS_MAX} members")));
    }
    let mut members: Vec<StaffMember> = Vec::new();
    for raw in input.members.iter().take(MEMBERS_MAX) {
        match editor(conn, "members", raw) {
            Ok(u) if members.iter().any(|m| m.id == u.id) => {}
            Ok(u) => members.push(u),
            Err(e) => errors.push(e),
        }
    }
    let lead = match input.lead.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(raw) => editor(conn, "lead", raw).map_err(|e| errors.push(e)).ok(),
    };
    if input.sections.len() > SECTIONS_MAX {
        errors.push(FieldError::new("sections", format!("at most {SECTIONS_MAX} sections")));
    }
    let mut sections: Vec<String> = Vec::new();
    for raw in input.sections.iter().take(SECTIONS_MAX) {
        match required_line("sections", raw, SECTION_MAX) {
            Ok(s) if sections.iter().any(|x| x.to_lowercase() == s.to_lowercase()) => {}
            Ok(s) => sections.push(s),
            Err(e) => errors.push(e),
        }
    }
    let mut categories = Vec::new();
    for raw in &input.categories {
        match Category::parse(raw.trim()) {
            Some(c) if !categories.contains(&c) => categories.push(c),
            Some(_) => {}
            None => errors
                .push(FieldError::new("categories", format!("{raw:?} is not a category: use {}", Category::allowed()))),
        }
    }
    let mut severities = Vec::new();
    for raw in &input.severities {
        match Severity::parse(raw.trim()) {
            Some(s) if !severities.contains(&s) => severities.push(s),
            Some(_) => {}
            None => errors
                .push(FieldError::new("severities", format!("{raw:?} is not a severity: use {}", Severity::allowed()))),
        }
    }
    let assignment = match input.assignment.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => Some(Assignment::None),
        Some(raw) => Assignment::parse(raw)
            .ok_or_else(|| {
                errors.push(FieldError::new(
                    "assignment",
                    format!("{raw:?} is not an assignment mode: use {}", Assignment::allowed()),
                ))
            })
            .ok(),
    };
    if matches!(input.position, Some(p) if p < 1) {
        errors.push(FieldError::new("position", "must be 1 or more (1 is tried first)"));
    }
    if let Some(id) = input.endpoint_id {
        match WebhookEndpoint::find_active(conn, id)? {
            Some(e) if e.kind == EndpointKind::Chat => {}
            _ => {
                return Err(AppError::Conflict(format!(
                    "endpoint_id: {id} is not a registered chat endpoint (see /desk/webhooks)"
                )))
            }
        }
    }
    match (name, assignment) {
        (Some(name), Some(assignment)) if errors.is_empty() => Ok(Checked {
            name,
            members,
            lead,
            sections,
            categories,
            severities,
            assignment,
            endpoint_id: input.endpoint_id,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Every desk, in rule order, as the desk page and the API show them.
pub fn list(conn: &mut DbConnection) -> Result<Vec<DeskView>, AppError> {
    Desk::all(conn)?.into_iter().map(|d| view(conn, d)).collect()
}

/// One desk by slug.
pub fn get(conn: &mut DbConnection, slug: &str) -> Result<DeskView, AppError> {
    let desk = by_slug(conn, slug)?;
    view(conn, desk)
}

/// The desk with this slug, or 404.
pub fn by_slug(conn: &mut DbConnection, slug: &str) -> Result<Desk, AppError> {
    Desk::by_slug(conn, slug)?.ok_or_else(|| AppError::NotFound(format!("no desk has the slug {slug:?}")))
}

/// Open reports assigned to each of `ids`, from the maintained tallies.
pub fn open_assigned(conn: &mut DbConnection, ids: &[i64]) -> Result<HashMap<i64, i64>, AppError> {
    let open: Vec<&str> = Status::ALL.iter().filter(|s| !workflow::is_closed(**s)).map(|s| s.as_str()).collect();
    let rows: Vec<(i64, i64)> = report_tallies::table
        .filter(report_tallies::status.eq_any(open))
        .filter(report_tallies::assignee_id.eq_any(ids))
        .select((report_tallies::assignee_id, report_tallies::n))
        .load(conn)?;
    let mut load = HashMap::new();
    for (id, n) in rows {
        *load.entry(id).or_insert(0) += n;
    }
    Ok(load)
}

fn view(conn: &mut DbConnection, desk: Desk) -> Result<DeskView, AppError> {
    let members = DeskMember::of_desk(conn, desk.id)?;
    let ids: Vec<i64> = members.iter().map(|(_, u)| u.id).collect();
    let load = open_assigned(conn, &ids)?;
    let lead = match desk.lead_id {
        Some(id) => StaffMember::find(conn, id)?.map(|u| u.email),
        None => None,
    };
    let open: Vec<Status> = Status::ALL.iter().copied().filter(|s| !workflow::is_closed(*s)).collect();
    let open_names: Vec<&str> = open.iter().map(|s| s.as_str()).collect();
    let open_reports: i64 = desk_tallies::table
        .filter(desk_tallies::desk_id.eq(desk.id))
        .filter(desk_tallies::status.eq_any(open_names))
        .select(desk_tallies::n)
        .load::<i64>(conn)?
        .into_iter()
        .sum();
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let away: Vec<&StaffMember> = members.iter().map(|(_, u)| u).filter(|u| u.away).collect();
    let away_ids: Vec<i64> = away.iter().map(|u| u.id).collect();
    let held: Vec<Report> = if away_ids.is_empty() {
        Vec::new()
    } else {
        // The away members' open tickets, through `reports_open_assignee` (bounded by their
        // work, not the desk's history): the statuses as that partial index spells them, and
        // on SQLite the desk kept off its own indexes with `+`, which it would otherwise prefer.
        reports::table
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
                "{}reports.desk_id = {}",
                if postgres { "" } else { "+" },
                desk.id
            )))
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&super::desk::status_sql(&open, postgres)))
            .filter(reports::assignee_id.eq_any(&away_ids))
            .order((reports::deadline_at.asc(), reports::id.asc()))
            .limit(AWAY_LISTED)
            .select(Report::as_select())
            .load(conn)?
    };
    let held_by_away = held
        .into_iter()
        .filter_map(|r| {
            let holder = away.iter().find(|u| Some(u.id) == r.assignee_id)?;
            Some(HeldReport {
                report_id: r.id,
                status: r.status,
                assignee_email: holder.email.clone(),
                assignee_name: holder.name.clone(),
                deadline_at: r.deadline_at.and_utc(),
            })
        })
        .collect();
    Ok(DeskView {
        slug: desk.slug,
        name: desk.name,
        position: desk.position.into(),
        lead,
        members: members
            .into_iter()
            .map(|(_, u)| MemberView {
                open_assigned: load.get(&u.id).copied().unwrap_or(0),
                email: u.email,
                name: u.name,
                away: u.away,
            })
            .collect(),
        sections: desk.sections.into_vec(),
        categories: desk.categories.iter().filter_map(|c| Category::parse(c)).collect(),
        severities: desk.severities.iter().filter_map(|s| Severity::parse(s)).collect(),
        assignment: desk.assignment,
        endpoint_id: desk.endpoint_id,
        open_reports,
        held_by_away,
    })
}

/// Creates (`true`) or replaces the desk `slug` (standards editors only; run in a write
/// transaction), `by` a standards editor or, from the command line, by no one (the system).
/// Members removed from it lose the desk's open reports they held, which its automatic
/// assignment, if any, gives to others; the answer lists them.
pub fn save(
    conn: &mut DbConnection,
    by: Option<&Actor>,
    slug: &str,
    input: &DeskInput,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<(bool, DeskSaved), AppError> {
    // A bad slug is named with the other fields' errors, so a form shows them all at once.
    let (slug, checked) = match (parse_slug(slug), check(conn, input)) {
        (Ok(slug), Ok(checked)) => (slug, checked),
        (Err(AppError::Invalid(mut first)), Err(AppError::Invalid(rest))) => {
            first.extend(rest);
            return Err(AppError::Invalid(first));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let existing = Desk::by_slug(conn, &slug)?;
    let mut order: Vec<Desk> = Desk::all(conn)?;
    let sections = StringList::from(checked.sections.clone());
    let categories = StringList::from(checked.categories.iter().map(|c| c.as_str().to_owned()).collect::<Vec<_>>());
    let severities = StringList::from(checked.severities.iter().map(|s| s.as_str().to_owned()).collect::<Vec<_>>());
    let fields = DeskFields {
        slug: &slug,
        name: &checked.name,
        lead_id: checked.lead.as_ref().map(|u| u.id),
        sections: &sections,
        categories: &categories,
        severities: &severities,
        assignment: checked.assignment,
        position: existing.as_ref().map_or(i32::MAX, |d| d.position),
        endpoint_id: checked.endpoint_id,
        updated_at: now,
    };
    let (id, created) = match &existing {
        Some(desk) => {
            Desk::replace(conn, desk.id, &fields)?;
            (desk.id, false)
        }
        None => (Desk::insert(conn, &fields, now)?, true),
    };
    // The rule order: this desk at its asked place (or kept, or last), the others as they were.
    order.retain(|d| d.id != id);
    let mut ids: Vec<i64> = order.iter().map(|d| d.id).collect();
    let at = match (input.position, &existing) {
        (Some(p), _) => usize::try_from(p - 1).unwrap_or(usize::MAX).min(ids.len()),
        (None, Some(desk)) => usize::try_from(desk.position - 1).unwrap_or(0).min(ids.len()),
        (None, None) => ids.len(),
    };
    ids.insert(at, id);
    Desk::renumber(conn, &ids)?;

    let before: Vec<i64> = DeskMember::of_desk(conn, id)?.into_iter().map(|(m, _)| m.user_id).collect();
    let after: Vec<i64> = checked.members.iter().map(|u| u.id).collect();
    for user in after.iter().filter(|u| !before.contains(u)) {
        DeskMember::add(conn, id, *user)?;
    }
    let mut affected = Vec::new();
    for user in before.iter().filter(|u| !after.contains(u)) {
        DeskMember::remove(conn, id, *user)?;
        affected.extend(routing::release(conn, by, id, *user, notices, now)?);
    }
    let desk = Desk::find(conn, id)?.ok_or_else(|| AppError::NotFound("the desk vanished".into()))?;
    Ok((created, DeskSaved { desk: Some(view(conn, desk)?), affected }))
}

/// Removes a desk, `by` a standards editor or by no one (the command line): its open reports
/// go back to routing (the other desks' rules, or the general queue), its closed ones keep
/// their history but no longer name it.
pub fn remove(
    conn: &mut DbConnection,
    by: Option<&Actor>,
    slug: &str,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<DeskSaved, AppError> {
    let desk = by_slug(conn, &parse_slug(slug)?)?;
    let affected = routing::evacuate(conn, by, &desk, notices, now)?;
    Desk::delete(conn, desk.id)?;
    let rest: Vec<i64> = Desk::all(conn)?.into_iter().map(|d| d.id).collect();
    Desk::renumber(conn, &rest)?;
    Ok(DeskSaved { desk: None, affected })
}

/// Marks the signed-in editor away (automatic assignment skips them) or back.
pub fn set_away(conn: &mut DbConnection, actor: &Actor, away: bool) -> Result<(), AppError> {
    Ok(StaffMember::set_away(conn, actor.id, away)?)
}

/// Whether the account is marked away.
pub fn is_away(conn: &mut DbConnection, user_id: i64) -> Result<bool, AppError> {
    Ok(StaffMember::find(conn, user_id)?.is_some_and(|u| u.away))
}
