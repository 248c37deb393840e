//! The desks page: standards editors add, change and remove desks; editors read them and mark
//! themselves away or back.

use actix_web::{web, HttpRequest, HttpResponse};
use corrigenda_templates as views;
use serde::Deserialize;

use crate::db::models::{Desk, Report, StaffMember};
use crate::db::vocabulary::{Assignment, Category, EndpointKind, Severity};
use crate::db::DbConnection;
use crate::domain::accounts::Role;
use crate::domain::desk::{self as queue, assignable};
use crate::domain::desks::{self, the_desk, DeskInput, DeskView};
use crate::error::{AppError, FieldError};
use crate::mail::webhooks::{self, EndpointView};
use crate::web::auth::{CanEdit, CanRead, DeskForm, IsStandards, Signed, Staff};
use crate::web::extract::{last_value, query_pairs};
use crate::web::present::{capitalise, csrf, html, iso, opts, redirect, staff_layout, time};
use crate::web::{AppState, State};

/// Most reports a notice names after a change (the rest are counted).
const NOTICE_REPORTS: usize = 50;

/// How the page names each field in its error messages.
const LABELS: [(&str, &str); 10] = [
    ("slug", "Slug"),
    ("name", "Name"),
    ("members", "Members"),
    ("lead", "Lead"),
    ("sections", "Sections"),
    ("categories", "Kinds of error"),
    ("severities", "Severities"),
    ("assignment", "Assignment"),
    ("position", "Place in the rule order"),
    ("endpoint_id", "Chat endpoint"),
];

/// A domain error as the page shows it: the field's label, then the API's message.
fn sentence(field: &str, message: &str) -> String {
    let label = LABELS.iter().find(|(f, _)| *f == field).map_or(field, |(_, l)| l);
    // The domain's messages are either predicates ("is required") or whole clauses.
    let predicate = ["is ", "must ", "are "].iter().any(|p| message.starts_with(p));
    if predicate {
        format!("{label} {message}.")
    } else {
        format!("{label}: {message}.")
    }
}

/// A desk's form as posted: every field as typed.
#[derive(Debug, Clone, Default)]
struct Posted {
    slug: String,
    name: String,
    members: Vec<String>,
    lead: String,
    sections: String,
    categories: Vec<String>,
    severities: Vec<String>,
    assignment: String,
    position: String,
    endpoint_id: String,
}

impl Posted {
    /// Reads the form's pairs (checkbox groups repeat their name).
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut p = Posted::default();
        for (key, value) in pairs {
            match key.as_str() {
                "slug" => p.slug = value.trim().to_owned(),
                "name" => p.name = value.clone(),
                "members" => p.members.push(value.clone()),
                "lead" => p.lead = value.clone(),
                "sections" => p.sections = value.clone(),
                "categories" => p.categories.push(value.clone()),
                "severities" => p.severities.push(value.clone()),
                "assignment" => p.assignment = value.clone(),
                "position" => p.position = value.clone(),
                "endpoint_id" => p.endpoint_id = value.clone(),
                _ => {}
            }
        }
        p
    }

    /// The form as the API's input; a position or endpoint that is not a number is refused here.
    fn input(&self) -> Result<DeskInput, AppError> {
        let mut errors = Vec::new();
        let mut number = |field: &str, raw: &str, what: &str| match raw.trim() {
            "" => None,
            n => n.parse::<i64>().map_err(|_| errors.push(FieldError::new(field, format!("must be {what}")))).ok(),
        };
        let position = number("position", &self.position, "a whole number, 1 or more");
        let endpoint_id = number("endpoint_id", &self.endpoint_id, "one of the chat endpoints");
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(DeskInput {
            name: self.name.clone(),
            members: self.members.clone(),
            lead: Some(self.lead.clone()).filter(|l| !l.trim().is_empty()),
            sections: self
                .sections
                .split([',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            categories: self.categories.clone(),
            severities: self.severities.clone(),
            assignment: Some(self.assignment.clone()).filter(|a| !a.trim().is_empty()),
            position,
            endpoint_id,
        })
    }

    /// A desk as its change form starts.
    fn of(desk: &DeskView) -> Self {
        Posted {
            slug: desk.slug.clone(),
            name: desk.name.clone(),
            members: desk.members.iter().map(|m| m.email.clone()).collect(),
            lead: desk.lead.clone().unwrap_or_default(),
            sections: desk.sections.join(", "),
            categories: desk.categories.iter().map(|c| c.as_str().to_owned()).collect(),
            severities: desk.severities.iter().map(|s| s.as_str().to_owned()).collect(),
            assignment: desk.assignment.as_str().to_owned(),
            position: desk.position.to_string(),
            endpoint_id: desk.endpoint_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }
}

/// A refused form: which one (none: the add form), what was typed, and why.
#[derive(Debug, Default)]
struct Refusal {
    desk: Option<String>,
    posted: Posted,
    errors: Vec<FieldError>,
    form_error: Option<String>,
}

/// What the page needs from the database.
struct Loaded {
    desks: Vec<DeskView>,
    editors: Vec<StaffMember>,
    endpoints: Vec<EndpointView>,
    sections: Vec<String>,
    away: bool,
    /// The reports a change moved, as they are now: (id, desk name, assignee name).
    affected: Vec<(i64, Option<String>, Option<String>)>,
}

fn load(conn: &mut DbConnection, viewer: i64, affected: &[i64]) -> Result<Loaded, AppError> {
    let editors = assignable(conn)?;
    let mut now_at = Vec::new();
    for id in affected {
        let Some(report) = Report::find(conn, *id)? else { continue };
        let desk = match report.desk_id {
            Some(d) => Desk::find(conn, d)?.map(|d| d.name),
            None => None,
        };
        let assignee = match report.assignee_id {
            Some(u) => StaffMember::find(conn, u)?.map(|u| u.name),
            None => None,
        };
        now_at.push((report.id, desk, assignee));
    }
    Ok(Loaded {
        desks: desks::list(conn)?,
        endpoints: webhooks::list(conn)?.into_iter().filter(|e| e.kind == EndpointKind::Chat).collect(),
        sections: queue::sections(conn)?,
        away: desks::is_away(conn, viewer)?,
        editors,
        affected: now_at,
    })
}

/// The page's notice after an action, with what became of the reports it moved.
struct Done {
    /// What was done: added, saved, removed, away or back.
    what: String,
    /// The desk it was done to.
    slug: String,
    affected: Vec<i64>,
    more: usize,
}

/// `?done=...&desk=SLUG&affected=ID...&more=N` as the page says it.
fn done_of(pairs: &[(String, String)]) -> Done {
    let slug = desks::parse_slug(last_value(pairs, "desk")).unwrap_or_default();
    let what = last_value(pairs, "done").to_owned();
    let affected = pairs
        .iter()
        .filter(|(k, _)| k == "affected")
        .filter_map(|(_, v)| v.parse().ok())
        .take(NOTICE_REPORTS)
        .collect();
    let more = last_value(pairs, "more").parse().unwrap_or(0);
    Done { what, slug, affected, more }
}

/// The notice for what was done; `name` is the desk's name when it still exists.
fn notice(done: &Done, name: Option<&str>) -> Option<String> {
    let desk = name.map_or_else(|| format!("The desk {}", done.slug), |n| capitalise_first(&the_desk(n)));
    match done.what.as_str() {
        "added" => Some(format!("{desk} was added: new reports its rules take go to it.")),
        "saved" => Some(format!("{desk} was saved.")),
        "removed" => Some(format!("{desk} was removed.")),
        "away" => Some("You are marked away: desks skip you when they assign new reports.".to_owned()),
        "back" => Some("You are back: desks may assign new reports to you again.".to_owned()),
        _ => None,
    }
}

/// The rules in words: "Sport, Football · misquote, factual error · any severity".
fn rules(desk: &DeskView) -> String {
    let sections = if desk.sections.is_empty() { "any section".to_owned() } else { desk.sections.join(", ") };
    let categories = if desk.categories.is_empty() {
        "any kind of error".to_owned()
    } else {
        desk.categories.iter().map(|c| c.label().to_lowercase()).collect::<Vec<_>>().join(", ")
    };
    let severities = if desk.severities.is_empty() {
        "any severity".to_owned()
    } else {
        desk.severities.iter().map(|s| s.label().to_lowercase()).collect::<Vec<_>>().join(", ")
    };
    format!("{sections} \u{b7} {categories} \u{b7} {severities}")
}

/// A desk's form filled with `p`.
fn form_view(p: &Posted, action: String, suffix: &str, data: &Loaded) -> views::DeskFormView {
    let members: Vec<&str> = p.members.iter().map(|m| m.trim()).collect();
    let mut editors: Vec<(String, String)> =
        data.editors.iter().map(|u| (u.email.clone(), format!("{} ({})", u.name, u.email))).collect();
    // A member typed but not (or no longer) an editor stays on the form, so the error beside it is seen.
    for m in &members {
        if !m.is_empty() && !editors.iter().any(|(e, _)| e.eq_ignore_ascii_case(m)) {
            editors.push(((*m).to_owned(), (*m).to_owned()));
        }
    }
    let chosen_members: Vec<String> = editors
        .iter()
        .filter(|(e, _)| members.iter().any(|m| m.eq_ignore_ascii_case(e)))
        .map(|(e, _)| e.clone())
        .collect();
    let chosen_members: Vec<&str> = chosen_members.iter().map(String::as_str).collect();
    let lead = p.lead.trim();
    let mut leads = vec![(String::new(), "No lead".to_owned())];
    leads.extend(data.editors.iter().map(|u| (u.email.clone(), u.name.clone())));
    let chosen: Vec<&str> = p.categories.iter().map(String::as_str).collect();
    let severities: Vec<&str> = p.severities.iter().map(String::as_str).collect();
    let assignment = if p.assignment.is_empty() { Assignment::None.as_str() } else { p.assignment.as_str() };
    views::DeskFormView {
        action,
        suffix: suffix.to_owned(),
        slug: p.slug.clone(),
        name: p.name.clone(),
        members: opts(editors, &chosen_members),
        leads: opts(leads, &[lead]),
        sections: p.sections.clone(),
        categories: opts(Category::ALL.iter().map(|c| (c.as_str(), c.label())), &chosen),
        severities: opts(Severity::ALL.iter().map(|s| (s.as_str(), s.label())), &severities),
        assignments: opts(Assignment::ALL.iter().map(|a| (a.as_str(), a.label())), &[assignment]),
        position: p.position.clone(),
        endpoints: if data.endpoints.is_empty() {
            Vec::new()
        } else {
            let items = std::iter::once((String::new(), "None".to_owned()))
                .chain(data.endpoints.iter().map(|e| (e.id.to_string(), format!("#{}: {}", e.id, e.url))));
            opts(items, &[p.endpoint_id.trim()])
        },
    }
}

/// The page, with a refused form or a notice.
async fn page(
    state: &AppState,
    staff: &Staff,
    refusal: Refusal,
    done: Done,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let (viewer, affected) = (staff.actor.id, done.affected.clone());
    let data = state.db.read(move |c| load(c, viewer, &affected)).await?;
    let manage = staff.actor.role == Role::StandardsEditor;
    let keyed = |field: &str, slug: &str| format!("{field}-{slug}");
    let cards = data
        .desks
        .iter()
        .map(|d| {
            let lead = d.lead.as_ref().map(|email| {
                data.editors.iter().find(|u| &u.email == email).map_or_else(|| email.clone(), |u| u.name.clone())
            });
            let sees_held = manage || d.lead.as_deref() == Some(staff.actor.email.as_str());
            let posted = match &refusal.desk {
                Some(slug) if *slug == d.slug => refusal.posted.clone(),
                _ => Posted::of(d),
            };
            views::DeskCard {
                slug: d.slug.clone(),
                name: d.name.clone(),
                position: d.position,
                rules: rules(d),
                members: d
                    .members
                    .iter()
                    .map(|m| views::DeskMemberRow {
                        name: m.name.clone(),
                        email: m.email.clone(),
                        away: m.away,
                        open_assigned: m.open_assigned,
                    })
                    .collect(),
                lead,
                assignment_label: d.assignment.label().into(),
                endpoint: d.endpoint_id.map(|id| match data.endpoints.iter().find(|e| e.id == id) {
                    Some(e) => format!("#{id}: {}", e.url),
                    None => format!("#{id}"),
                }),
                open_reports: d.open_reports,
                queue_href: format!("/desk?desk={}", d.slug),
                held_by_away: sees_held.then(|| {
                    d.held_by_away
                        .iter()
                        .map(|h| views::HeldRow {
                            report_id: h.report_id,
                            href: format!("/desk/reports/{}", h.report_id),
                            status_label: h.status.staff_label().into(),
                            assignee_name: h.assignee_name.clone(),
                            deadline: time(h.deadline_at),
                            deadline_iso: iso(h.deadline_at),
                        })
                        .collect()
                }),
                form: manage.then(|| form_view(&posted, format!("/desk/desks/{}", d.slug), &d.slug, &data)),
                remove_action: manage.then(|| format!("/desk/desks/{}/delete", d.slug)),
            }
        })
        .collect();
    let add_posted = if refusal.desk.is_none() { refusal.posted.clone() } else { Posted::default() };
    let errors = refusal
        .errors
        .iter()
        .map(|e| views::FieldError {
            field: match &refusal.desk {
                Some(slug) => keyed(&e.field, slug),
                None => e.field.clone(),
            },
            message: sentence(&e.field, &e.message),
        })
        .collect();
    let mut details: Vec<String> = data
        .affected
        .iter()
        .map(|(id, desk, assignee)| {
            let place = desk.as_ref().map_or("in the general queue".to_owned(), |d| format!("on {}", the_desk(d)));
            let holder = assignee.as_ref().map_or("unassigned".to_owned(), |a| format!("assigned to {a}"));
            format!("Report #{id} is now {place}, {holder}.")
        })
        .collect();
    if done.more > 0 {
        details.push(format!("And {} more.", done.more));
    }
    let view = views::DesksView {
        desks: cards,
        csrf: csrf(staff),
        add: manage.then(|| form_view(&add_posted, "/desk/desks".into(), "", &data)),
        known_sections: data.sections.clone(),
        away: staff.actor.role.can_edit().then_some(data.away),
        errors,
        form_error: refusal.form_error,
        notice: notice(&done, data.desks.iter().find(|d| d.slug == done.slug).map(|d| d.name.as_str())),
        notice_details: details,
    };
    Ok(html(status, views::desks_page(&staff_layout(state, staff), &view)))
}

/// `GET /desk/desks`: every desk, in rule order.
pub async fn desks_page(state: State, req: HttpRequest, staff: Signed<CanRead>) -> Result<HttpResponse, AppError> {
    let pairs = query_pairs(&req);
    page(&state, &staff, Refusal::default(), done_of(&pairs), 200).await
}

/// Where a saved or removed desk sends the browser: the page, saying what became of the reports.
fn done_at(done: &str, slug: &str, affected: &[desks::Affected]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("done", done).append_pair("desk", slug);
    for a in affected.iter().take(NOTICE_REPORTS) {
        query.append_pair("affected", &a.report_id.to_string());
    }
    if affected.len() > NOTICE_REPORTS {
        query.append_pair("more", &(affected.len() - NOTICE_REPORTS).to_string());
    }
    let anchor = if done == "removed" { String::new() } else { format!("#desk-{slug}") };
    format!("/desk/desks?{}{anchor}", query.finish())
}

/// Saves the posted form as desk `slug`: `existing` says it must already be there (a change
/// form), else it must not (the add form).
async fn save(
    state: &AppState,
    staff: &Staff,
    slug: String,
    posted: Posted,
    existing: bool,
) -> Result<HttpResponse, AppError> {
    let refused = |errors, form_error| Refusal {
        desk: existing.then(|| slug.clone()),
        posted: posted.clone(),
        errors,
        form_error,
    };
    let input = match posted.input() {
        Ok(input) => input,
        Err(AppError::Invalid(errors)) => return page(state, staff, refused(errors, None), no_done(), 422).await,
        Err(other) => return Err(other),
    };
    let (actor, now, at) = (staff.actor.clone(), state.now(), slug.clone());
    let outcome = state
        .write_notifying(move |c, n| {
            match (existing, Desk::by_slug(c, &at)?) {
                (true, None) => return Err(AppError::NotFound(format!("no desk has the slug {at:?}"))),
                // The add form never replaces a desk unseen: that is what the desk's own form is for.
                (false, Some(desk)) => {
                    return Err(AppError::invalid(
                        "slug",
                        format!("{} already has the slug {at:?}: change it with its own form", the_desk(&desk.name)),
                    ))
                }
                _ => {}
            }
            desks::save(c, Some(&actor), &at, &input, n, now)
        })
        .await;
    match outcome {
        Ok((created, saved)) => Ok(redirect(done_at(if created { "added" } else { "saved" }, &slug, &saved.affected))),
        Err(AppError::Invalid(errors)) => page(state, staff, refused(errors, None), no_done(), 422).await,
        Err(e @ AppError::Conflict(_)) => {
            page(state, staff, refused(Vec::new(), Some(capitalise(&e.public_message()))), no_done(), 409).await
        }
        Err(other) => Err(other),
    }
}

fn no_done() -> Done {
    Done { what: String::new(), slug: String::new(), affected: Vec::new(), more: 0 }
}

/// `POST /desk/desks`: adds a desk.
pub async fn add(state: State, post: DeskForm<IsStandards, Vec<(String, String)>>) -> Result<HttpResponse, AppError> {
    let posted = Posted::from_pairs(&post.form);
    save(&state, &post.staff, posted.slug.clone(), posted, false).await
}

/// `POST /desk/desks/{slug}`: changes a desk.
pub async fn change(
    state: State,
    path: web::Path<String>,
    post: DeskForm<IsStandards, Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let slug = desks::parse_slug(&path.into_inner())?;
    let mut posted = Posted::from_pairs(&post.form);
    posted.slug = slug.clone();
    save(&state, &post.staff, slug, posted, true).await
}

/// `POST /desk/desks/{slug}/delete`: removes a desk; its open reports go back to routing.
pub async fn remove(
    state: State,
    path: web::Path<String>,
    post: DeskForm<IsStandards, crate::web::auth::Empty>,
) -> Result<HttpResponse, AppError> {
    let slug = desks::parse_slug(&path.into_inner())?;
    let (actor, now, at) = (post.staff.actor.clone(), state.now(), slug.clone());
    let saved = state.write_notifying(move |c, n| desks::remove(c, Some(&actor), &at, n, now)).await?;
    Ok(redirect(done_at("removed", &slug, &saved.affected)))
}

/// The availability form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AwayForm {
    away: String,
}

/// `POST /desk/me/availability`: the signed-in editor marks themselves away (`away=true`) or back.
pub async fn availability(state: State, post: DeskForm<CanEdit, AwayForm>) -> Result<HttpResponse, AppError> {
    let away = match post.form.away.as_str() {
        "true" => true,
        "false" => false,
        other => return Err(AppError::invalid("away", format!("must be true or false, not {other:?}"))),
    };
    let actor = post.staff.actor.clone();
    state.db.write(move |c| desks::set_away(c, &actor, away)).await?;
    Ok(redirect(if away { "/desk/desks?done=away" } else { "/desk/desks?done=back" }))
}

/// "the World desk" as the start of a sentence.
fn capitalise_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_desk_called_a_desk_is_not_a_desk_desk() {
        assert_eq!(the_desk("World"), "the World desk");
        assert_eq!(the_desk("Sports desk"), "the Sports desk");
        assert_eq!(the_desk("Night Desk"), "the Night Desk");
        assert_eq!(capitalise_first(&the_desk("World")), "The World desk");
    }

    #[test]
    fn errors_name_their_field_as_the_page_labels_it() {
        assert_eq!(sentence("name", "is required"), "Name is required.");
        assert_eq!(
            sentence("members", "no editor has the email a@news.example"),
            "Members: no editor has the email a@news.example."
        );
        assert_eq!(
            sentence("position", "must be 1 or more (1 is tried first)"),
            "Place in the rule order must be 1 or more (1 is tried first)."
        );
    }

    #[test]
    fn the_form_reads_repeated_boxes_and_comma_separated_sections() {
        let pairs: Vec<(String, String)> = [
            ("name", "Sport"),
            ("members", "a@news.example"),
            ("members", "b@news.example"),
            ("sections", " Sport, Football,,\nTennis "),
            ("categories", "misquote"),
            ("position", "x"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let posted = Posted::from_pairs(&pairs);
        assert_eq!(posted.members, ["a@news.example", "b@news.example"]);
        let refused = posted.input().map(drop);
        assert!(
            matches!(&refused, Err(AppError::Invalid(e)) if e.len() == 1 && e[0].field == "position"),
            "{refused:?}"
        );
        let posted = Posted { position: String::new(), ..posted };
        let input = posted.input().map_err(|e| e.to_string());
        assert!(
            matches!(&input, Ok(i) if i.sections == ["Sport", "Football", "Tennis"] && i.position.is_none()),
            "{input:?}"
        );
    }
}
