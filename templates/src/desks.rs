//! Desks: the page where standards editors describe the newsroom's desks (their members, the
//! rules that route reports to them, how they assign them), and where editors mark themselves
//! away or back.

use maud::{html, Markup};

use crate::forms::{FieldError, Opt};
use crate::layout::Layout;
use crate::partials::{error_summary, field_error, form_group, messages_for, options, Field};

/// A member of a desk as the page lists them.
#[derive(Debug, Clone, Default)]
pub struct DeskMemberRow {
    pub name: String,
    pub email: String,
    /// Marked away: automatic assignment skips them.
    pub away: bool,
    /// Open reports assigned to them, on any desk.
    pub open_assigned: i64,
}

/// An open report held by an away member, for the desk's lead and the standards editors.
#[derive(Debug, Clone, Default)]
pub struct HeldRow {
    pub report_id: i64,
    /// The ticket.
    pub href: String,
    pub status_label: String,
    pub assignee_name: String,
    /// e.g. "1 December 2026, 14:05 UTC".
    pub deadline: String,
    pub deadline_iso: String,
}

/// A desk's form: the add form (`suffix` empty, with a `slug` input) or one desk's change form
/// (`suffix` its slug, which the ids and error keys carry: `name-sports`).
#[derive(Debug, Clone, Default)]
pub struct DeskFormView {
    /// Posts `slug` (add form only), `name`, `members` (repeated), `lead`, `sections` (comma
    /// separated), `categories` and `severities` (repeated), `assignment`, `position`,
    /// `endpoint_id` and hidden `csrf`.
    pub action: String,
    pub suffix: String,
    pub slug: String,
    pub name: String,
    /// Checkboxes `members`: every active editor, the desk's own checked.
    pub members: Vec<Opt>,
    /// Select `lead`: "" (none), then every active editor.
    pub leads: Vec<Opt>,
    /// Text `sections`, comma separated.
    pub sections: String,
    /// Checkboxes `categories` and `severities`.
    pub categories: Vec<Opt>,
    pub severities: Vec<Opt>,
    /// Select `assignment`: none, round_robin, least_loaded.
    pub assignments: Vec<Opt>,
    /// Number `position` (1 is tried first); empty: last for a new desk, kept for a desk.
    pub position: String,
    /// Select `endpoint_id`: "" (none) and each chat endpoint; empty when none is registered.
    pub endpoints: Vec<Opt>,
}

/// One desk on the page.
#[derive(Debug, Clone, Default)]
pub struct DeskCard {
    pub slug: String,
    pub name: String,
    pub position: i64,
    /// The rules in words, e.g. "Sport, Football · misquote, factual error · any severity".
    pub rules: String,
    pub members: Vec<DeskMemberRow>,
    /// The lead's name, when there is one.
    pub lead: Option<String>,
    /// e.g. "Round robin".
    pub assignment_label: String,
    /// The chat endpoint that hears of its reports, e.g. "#3: https://chat.example/hook".
    pub endpoint: Option<String>,
    pub open_reports: i64,
    /// The queue filtered to this desk (`/desk?desk=SLUG`).
    pub queue_href: String,
    /// Its open reports held by away members, shown to its lead and the standards editors.
    pub held_by_away: Option<Vec<HeldRow>>,
    /// The change form, for standards editors.
    pub form: Option<DeskFormView>,
    /// Form posting hidden `csrf` that removes the desk, for standards editors.
    pub remove_action: Option<String>,
}

/// `/desk/desks`.
#[derive(Debug, Clone, Default)]
pub struct DesksView {
    /// In rule order.
    pub desks: Vec<DeskCard>,
    pub csrf: String,
    /// The add form, for standards editors.
    pub add: Option<DeskFormView>,
    /// Sections articles have, offered beside the sections fields.
    pub known_sections: Vec<String>,
    /// The viewer's own availability (none for auditors, who take no reports): posts hidden
    /// `away` ("true" or "false") and `csrf` to /desk/me/availability.
    pub away: Option<bool>,
    /// Errors of the add form (`name`, `slug`, ...) or of a desk's change form (`name-SLUG`, ...).
    pub errors: Vec<FieldError>,
    /// A refusal tied to no field (a stale page, an endpoint gone).
    pub form_error: Option<String>,
    pub notice: Option<String>,
    /// Further sentences of the notice (what happened to each report a change moved).
    pub notice_details: Vec<String>,
}

/// The fields of a desk's form, as their error keys name them.
const DESK_FIELDS: [&str; 9] =
    ["slug", "name", "members", "lead", "sections", "categories", "severities", "assignment", "position"];

/// The desks page.
pub fn desks_page(layout: &Layout, view: &DesksView) -> Markup {
    let mut linked: Vec<String> = Vec::new();
    let keys = DESK_FIELDS.iter().chain(["endpoint_id"].iter());
    for field in keys {
        if view.add.is_some() {
            linked.push((*field).to_owned());
        }
        for desk in view.desks.iter().filter(|d| d.form.is_some()) {
            linked.push(format!("{field}-{}", desk.slug));
        }
    }
    let linked: Vec<&str> = linked.iter().map(String::as_str).collect();
    let has_problem = !view.errors.is_empty() || view.form_error.is_some();
    let body = html! {
        h1 { "Desks" }
        @if has_problem {
            (error_summary(&view.errors, view.form_error.as_deref(), &linked))
        }
        @if let Some(notice) = &view.notice {
            div.panel-success role="status" {
                p { (notice) }
                @if !view.notice_details.is_empty() {
                    ul {
                        @for line in &view.notice_details {
                            li { (line) }
                        }
                    }
                }
            }
        }
        p {
            "Each desk is a team of editors. A new report goes to the first desk, in the order below, "
            "whose sections, kinds of error and severities all match it (an empty list matches anything); "
            "a report no desk takes waits in the general queue."
        }
        @if let Some(away) = view.away {
            (availability(away, &view.csrf))
        }
        section aria-labelledby="desks-heading" {
            h2 #desks-heading { "Desks in rule order" }
            @if view.desks.is_empty() {
                p.empty { "No desks yet: every report waits in the general queue." }
            } @else {
                ol.pending-list.desk-list {
                    @for desk in &view.desks {
                        li { (desk_card(desk, view)) }
                    }
                }
            }
        }
        @if let Some(add) = &view.add {
            section aria-labelledby="add-desk-heading" {
                h2 #add-desk-heading { "Add a desk" }
                (desk_form(add, view, "Add the desk"))
            }
        }
    };
    let title = if has_problem { "Error: Desks" } else { "Desks" };
    layout.page(title, body)
}

/// The viewer's "I am away / I am back" form.
fn availability(away: bool, csrf: &str) -> Markup {
    html! {
        section.availability aria-labelledby="availability-heading" {
            h2 #availability-heading { "Your availability" }
            p {
                @if away {
                    strong { "You are marked away." }
                    " Desks that assign automatically skip you; your open reports are listed for each desk's lead."
                } @else {
                    "You are available: desks you belong to may assign reports to you."
                }
            }
            form.approve-form method="post" action="/desk/me/availability" accept-charset="utf-8" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="away" value=(if away { "false" } else { "true" });
                button.button.button-secondary type="submit" {
                    @if away { "I am back" } @else { "I am away" }
                }
            }
        }
    }
}

/// One desk: what it takes, who works it, and for standards editors its forms.
fn desk_card(desk: &DeskCard, view: &DesksView) -> Markup {
    let open = desk.form.as_ref().is_some_and(|_| {
        let suffix = format!("-{}", desk.slug);
        view.errors.iter().any(|e| e.field.ends_with(&suffix))
    });
    html! {
        article.pending-item.desk id={ "desk-" (desk.slug) } {
            h3 {
                span.pending-number { (desk.position) ". " }
                (desk.name)
                " " span.desk-slug { "(" (desk.slug) ")" }
            }
            dl.summary-list {
                div { dt { "Takes" } dd { (desk.rules) } }
                div {
                    dt { "Members" }
                    dd {
                        @if desk.members.is_empty() {
                            span.muted { "None yet" }
                        } @else {
                            ul.desk-members {
                                @for m in &desk.members {
                                    li {
                                        (m.name)
                                        @if m.away { " " span.badge.badge-away { "Away" } }
                                        " " span.muted { "(" (open_count(m.open_assigned)) ")" }
                                    }
                                }
                            }
                        }
                    }
                }
                div {
                    dt { "Lead" }
                    dd {
                        @match &desk.lead {
                            Some(lead) => (lead),
                            None => span.muted { "None: overdue reports go to the standards editors" },
                        }
                    }
                }
                div { dt { "Assignment" } dd { (desk.assignment_label) } }
                @if let Some(endpoint) = &desk.endpoint {
                    div { dt { "Chat" } dd { span.endpoint-url { (endpoint) } } }
                }
                div {
                    dt { "Open reports" }
                    dd {
                        a href=(desk.queue_href) {
                            (desk.open_reports)
                            span.visually-hidden { " open reports: " (desk.name) }
                        }
                    }
                }
            }
            @if let Some(held) = &desk.held_by_away {
                @if !held.is_empty() {
                    h4 { "Held by members who are away" }
                    ul.held-list {
                        @for r in held {
                            li {
                                a href=(r.href) { "Report #" (r.report_id) }
                                " (" (r.status_label) "), held by " (r.assignee_name) ", due "
                                time datetime=(r.deadline_iso) { (r.deadline) }
                            }
                        }
                    }
                }
            }
            @if let Some(form) = &desk.form {
                details.stop-form open[open] {
                    summary { "Change" span.visually-hidden { ": " (desk.name) } }
                    (desk_form(form, view, "Save"))
                }
            }
            @if let Some(action) = &desk.remove_action {
                details.stop-form {
                    summary { "Remove" span.visually-hidden { ": " (desk.name) } }
                    form.approve-form method="post" action=(action) accept-charset="utf-8" {
                        input type="hidden" name="csrf" value=(view.csrf);
                        p.hint {
                            "Its open reports go back to routing: to the next desk whose rules take them, or "
                            "to the general queue. Their history keeps the desk's name."
                        }
                        button.button.button-danger type="submit" {
                            "Remove the desk" span.visually-hidden { " " (desk.name) }
                        }
                    }
                }
            }
        }
    }
}

/// "1 open report", "3 open reports".
fn open_count(n: i64) -> String {
    format!("{n} open {}", if n == 1 { "report" } else { "reports" })
}

/// A desk's form, fields keyed by the form's suffix.
fn desk_form(form: &DeskFormView, view: &DesksView, button: &str) -> Markup {
    let key = |name: &str| if form.suffix.is_empty() { name.to_owned() } else { format!("{name}-{}", form.suffix) };
    let keys: Vec<String> = DESK_FIELDS.iter().chain(["endpoint_id"].iter()).map(|f| key(f)).collect();
    let field = |i: usize, name: &'static str, label: &'static str, hint: &str| {
        let f = Field::new(name, label, hint).with_errors(messages_for(&view.errors, &keys[i]));
        if form.suffix.is_empty() {
            f
        } else {
            f.with_id_suffix(&form.suffix)
        }
    };
    let slug = field(
        0,
        "slug",
        "Slug",
        "Its address and the queue's filter: lowercase letters, digits and hyphens, e.g. sport.",
    );
    let name = field(1, "name", "Name", "What the newsroom calls it, e.g. \u{201c}Sports desk\u{201d}.");
    let members = field(2, "members", "Members", "Active editors and standards editors.");
    let lead = field(3, "lead", "Lead (optional)", "Overdue reports are escalated to the lead.");
    let known = if view.known_sections.is_empty() {
        String::new()
    } else {
        format!(" Sections of articles so far: {}.", view.known_sections.join(", "))
    };
    let sections_hint = format!("Comma separated; empty takes every section.{known}");
    let sections = field(4, "sections", "Sections", &sections_hint);
    let categories = field(5, "categories", "Kinds of error", "None ticked takes every kind.");
    let severities = field(6, "severities", "Severities", "None ticked takes every severity.");
    let assignment = field(7, "assignment", "Assignment", "How its new reports get an editor.");
    let position = field(
        8,
        "position",
        "Place in the rule order",
        "1 is tried first; empty keeps its place (a new desk goes last).",
    );
    let endpoint = field(9, "endpoint_id", "Chat endpoint (optional)", "Hears of reports routed to this desk.");
    html! {
        form.stacked-form.desk-form method="post" action=(form.action) accept-charset="utf-8" {
            input type="hidden" name="csrf" value=(view.csrf);
            @if form.suffix.is_empty() {
                (form_group(&slug, html! {
                    input.input.input-short id=(slug.id()) name="slug" type="text" value=(form.slug) maxlength="40"
                        required pattern="[a-z0-9](?:[a-z0-9\\-]{0,38}[a-z0-9])?" autocapitalize="none" spellcheck="false"
                        aria-describedby=[slug.described_by()] aria-invalid=[slug.invalid()];
                }))
            }
            (form_group(&name, html! {
                input.input id=(name.id()) name="name" type="text" value=(form.name) maxlength="80" required
                    aria-describedby=[name.described_by()] aria-invalid=[name.invalid()];
            }))
            @if form.members.is_empty() {
                p.hint { "No active editor to add yet." }
            } @else {
                (checks(&members, &form.members, true))
            }
            (form_group(&lead, html! {
                select.select id=(lead.id()) name="lead"
                    aria-describedby=[lead.described_by()] aria-invalid=[lead.invalid()] {
                    (options(&form.leads))
                }
            }))
            (form_group(&sections, html! {
                input.input id=(sections.id()) name="sections" type="text" value=(form.sections)
                    aria-describedby=[sections.described_by()] aria-invalid=[sections.invalid()];
            }))
            (checks(&categories, &form.categories, false))
            (checks(&severities, &form.severities, false))
            (form_group(&assignment, html! {
                select.select id=(assignment.id()) name="assignment"
                    aria-describedby=[assignment.described_by()] aria-invalid=[assignment.invalid()] {
                    (options(&form.assignments))
                }
            }))
            (form_group(&position, html! {
                input.input.input-number id=(position.id()) name="position" type="number" min="1" step="1"
                    inputmode="numeric" value=(form.position)
                    aria-describedby=[position.described_by()] aria-invalid=[position.invalid()];
            }))
            @if form.endpoints.is_empty() {
                p.hint {
                    "A desk can post its new reports to a chat room: register a chat endpoint on "
                    a href="/desk/webhooks" { "the webhooks page" } " first."
                }
            } @else {
                (form_group(&endpoint, html! {
                    select.select id=(endpoint.id()) name="endpoint_id"
                        aria-describedby=[endpoint.described_by()] aria-invalid=[endpoint.invalid()] {
                        (options(&form.endpoints))
                    }
                }))
            }
            button.button type="submit" {
                (button)
                @if !form.suffix.is_empty() { span.visually-hidden { " " (form.name) } }
            }
        }
    }
}

/// A group of checkboxes under a legend, with its hint and error. Each box's id is the group's
/// with `_` and its place: values (addresses above all) would make ids that clash with another
/// desk's, and slugs never hold `_`. `stacked` puts one a line (long labels: names with addresses).
fn checks(field: &Field, opts: &[Opt], stacked: bool) -> Markup {
    html! {
        fieldset.checkbox-group.form-group.has-error[field.has_error()] id=(field.id())
            aria-describedby=[field.described_by()] {
            legend.label { (field.label) }
            @if field.has_hint() {
                p.hint id=(field.hint_id()) { (field.hint) }
            }
            (field_error(field))
            div.checkboxes.stacked[stacked] {
                @for (i, opt) in opts.iter().enumerate() {
                    @let id = format!("{}_{i}", field.id());
                    div.checkbox {
                        input #(id) type="checkbox" name=(field.name) value=(opt.value) checked[opt.selected];
                        label for=(id) { (opt.label) }
                    }
                }
            }
        }
    }
}
