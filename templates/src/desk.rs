//! Staff pages: sign-in, first-run setup, the queue and the ticket.

use maud::{html, Markup};

use crate::article::ArticleSummary;
use crate::catalogue::{standards_catalogue, StandardItem};
use crate::corrections::{correction_item, diff_block, CorrectionItem, Detail, DiffPart, OpenChannelsItem};
use crate::forms::FieldError;
use crate::layout::Layout;
use crate::partials::{
    article_box, checkbox_group, error_summary, evidence_list, field_error, form_group, id_safe, join_names,
    messages_for, notice_panel, options, pager, select_group, textarea_value, Field,
};

// Re-exported so that `desk::Opt` stays a path to it.
pub use crate::forms::Opt;

/// The sign-in page `/login`.
#[derive(Debug, Clone, Default)]
pub struct LoginView {
    /// The email typed, kept after a failed attempt.
    pub email: String,
    /// Where to go after signing in (a local path), sent back as a hidden field.
    pub next: String,
    /// Why the last attempt failed (wrong password, throttled, disabled), shown at the top.
    pub error: Option<String>,
    /// The login form's CSRF token (hidden field `csrf`).
    pub csrf: String,
}

/// The first-run page `/setup/{token}` that creates the first standards editor.
#[derive(Debug, Clone, Default)]
pub struct SetupView {
    /// Where the form posts.
    pub action: String,
    pub email: String,
    pub name: String,
    /// Field errors for `email`, `name`, `password`, `password_confirm`.
    pub errors: Vec<FieldError>,
    /// Hidden field `csrf`.
    pub csrf: String,
}

/// A count of reports in one status, linking to the queue filtered by it.
#[derive(Debug, Clone)]
pub struct StatusCount {
    pub status: String,
    pub label: String,
    pub count: i64,
    /// Whether `count` is a lower bound (a search of many matches stops counting).
    pub at_least: bool,
    pub href: String,
    /// Whether the queue is currently filtered to exactly this status.
    pub current: bool,
}

/// A tab of the queue: a view with its count.
#[derive(Debug, Clone)]
pub struct ViewTab {
    pub label: String,
    pub href: String,
    /// How many it holds (none while searching).
    pub count: Option<i64>,
    /// Whether the queue shows this view now.
    pub current: bool,
}

/// One ticket in the queue.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub id: i64,
    /// The version the row was listed with (sent with a bulk action).
    pub version: i64,
    /// Link to the ticket page.
    pub href: String,
    pub article_title: String,
    /// The quoted passage, shortened to about 120 characters.
    pub quote_short: String,
    pub category_label: String,
    /// Machine severity (`low`, `normal`, `high`, `legal`), for a CSS class.
    pub severity: String,
    pub severity_label: String,
    pub status: String,
    pub status_label: String,
    /// Human age, e.g. "3 h" or "2 d".
    pub age: String,
    /// The deadline relative to now, e.g. "due in 5 h" or "2 d overdue".
    pub deadline: String,
    /// The exact deadline, e.g. "29 November 2026, 14:05 UTC", shown on hover.
    pub deadline_exact: String,
    pub deadline_iso: String,
    /// Decided: the outcome is shown instead of a deadline.
    pub closed: bool,
    pub overdue: bool,
    /// The reader answered or appealed since an editor last opened it.
    pub reader_replied: bool,
    /// The assignee's name, or `None` when unassigned.
    pub assignee: Option<String>,
    /// The desk's name, or `None` in the general queue.
    pub desk: Option<String>,
    /// Escalated to its desk's lead for being overdue.
    pub escalated: bool,
}

/// The queue `/desk`: a GET filter form, counts, rows and paging.
#[derive(Debug, Clone, Default)]
pub struct QueueView {
    /// The views as tabs, with counts.
    pub tabs: Vec<ViewTab>,
    /// The current view's query value (kept in a hidden field when filtering), or "" for none.
    pub view: String,
    /// The search as typed (field `q`).
    pub q: String,
    /// The sign-in's CSRF token, for the bulk form.
    pub csrf: String,
    /// Bulk actions (select `action`), assignees (`assignee_email`) and severities (`severity`).
    pub bulk_actions: Vec<Opt>,
    pub bulk_assignees: Vec<Opt>,
    pub bulk_severities: Vec<Opt>,
    /// What the search box says it finds (editors may search by a reader's address).
    pub search_hint: String,
    /// Counts per status (all statuses, with the other filters applied).
    pub counts: Vec<StatusCount>,
    /// Checkboxes named `status` (several may be chosen).
    pub statuses: Vec<Opt>,
    /// Select named `category`; first option value "" means any.
    pub categories: Vec<Opt>,
    /// Select named `severity`; first option value "" means any.
    pub severities: Vec<Opt>,
    /// Select named `section`; first option value "" means any.
    pub sections: Vec<Opt>,
    /// Select named `assignee`: "", "me", "unassigned", then staff emails.
    pub assignees: Vec<Opt>,
    /// Select named `desk`: "" (any), "mine", "none" (the general queue), then each desk's slug;
    /// empty when there are no desks.
    pub desks: Vec<Opt>,
    /// Checkbox named `overdue` with value "true".
    pub overdue: bool,
    /// Select named `sort`: deadline, age, severity.
    pub sorts: Vec<Opt>,
    pub rows: Vec<QueueRow>,
    /// Link to the next page, when there is one.
    pub next_href: Option<String>,
    /// A filter problem (e.g. unknown status), shown above the results.
    pub error: Option<String>,
    /// What the last action did (e.g. "Correction #4 published."), shown above the results.
    pub notice: Option<String>,
}

/// A stretch of the article's text; `highlighted` marks the quoted passage.
#[derive(Debug, Clone)]
pub struct TextPart {
    pub text: String,
    pub highlighted: bool,
}

/// Another report on the same article whose passage overlaps this one.
#[derive(Debug, Clone)]
pub struct DuplicateCandidate {
    pub id: i64,
    pub href: String,
    pub quote_short: String,
    pub status_label: String,
}

/// One entry of the ticket's timeline.
#[derive(Debug, Clone)]
pub struct TimelineItem {
    pub at: String,
    pub at_iso: String,
    /// Who did it: a staff name, "Reader" or "System".
    pub actor: String,
    pub title: String,
    /// Reason, question, note or reply text.
    pub detail: Option<String>,
    /// Internal entries (notes, assignments) are never shown to the public; mark them visibly.
    pub internal: bool,
}

/// Where a move sits among the ticket's actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MoveGroup {
    /// The one thing to do next (e.g. "Start review"), styled as the primary button.
    Primary,
    /// Another step forward (e.g. "Mark as triaged"), beside the primary one, quieter.
    #[default]
    Step,
    /// Asking the reader a question.
    Ask,
    /// A decision that closes the report (or decides an appeal), grouped apart.
    Decide,
}

/// How a move's button looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    /// The page's one primary button.
    Primary,
    /// A quieter button.
    #[default]
    Secondary,
    /// A button whose effect is hard on the reader (rejecting), in the error colour.
    Danger,
}

/// A move the signed-in user may make now, rendered as its own small form.
#[derive(Debug, Clone)]
pub struct MoveOption {
    /// Target status (hidden field `to`).
    pub to: String,
    /// Button text, e.g. "Ask the reader for more information".
    pub label: String,
    /// Whether the move takes a reason: only then is there a `reason` textarea (required).
    pub reason_required: bool,
    /// Label of the reason textarea, e.g. "Question for the reader".
    pub reason_label: String,
    /// The reason's text as the form shows it (a saved response, or what was typed before a refusal).
    pub reason: String,
    /// Whether a `duplicate_of` number input (the primary report's id) is needed.
    pub needs_duplicate_of: bool,
    /// Where the move sits among the actions.
    pub group: MoveGroup,
    /// How its button looks.
    pub tone: Tone,
    /// Saved responses for this move's reason (select `response` of a GET form to the ticket,
    /// with hidden `to`, whose "Use" button reloads the ticket with the reason filled in); empty for none.
    pub responses: Vec<Opt>,
}

/// The ticket page `/desk/reports/{id}`.
#[derive(Debug, Clone)]
pub struct TicketView {
    pub id: i64,
    /// Link to draft a correction from this ticket (`/desk/corrections/new?report=ID`), when the ticket is open and the user may edit.
    pub publish_href: Option<String>,
    /// Sent back as hidden field `version` with every form, for optimistic concurrency.
    pub version: i64,
    /// Hidden field `csrf` in every form.
    pub csrf: String,
    pub status: String,
    pub status_label: String,
    pub severity: String,
    pub severity_label: String,
    pub category_label: String,
    pub created_at: String,
    pub created_at_iso: String,
    pub deadline: String,
    pub deadline_iso: String,
    pub overdue: bool,
    pub assignee: Option<String>,
    /// Reader's name and email, visible to editors; `None` when not given or redacted.
    pub reporter_name: Option<String>,
    pub reporter_email: Option<String>,
    /// True for auditors: say "redacted" instead of showing the reader's details.
    pub pii_redacted: bool,
    pub article: ArticleSummary,
    /// The article's text split around the quoted passage, when the text is known.
    pub article_text: Option<Vec<TextPart>>,
    pub quote: String,
    pub explanation: String,
    pub evidence_urls: Vec<String>,
    /// The primary report when this one is a duplicate: (id, href).
    pub duplicate_of: Option<(i64, String)>,
    pub likely_duplicates: Vec<DuplicateCandidate>,
    /// Other staff who viewed this ticket in the last few minutes.
    pub also_open_by: Vec<String>,
    pub timeline: Vec<TimelineItem>,
    /// The corrections drafted to resolve it, with what only staff see (cause, how found).
    pub corrections: Vec<TicketCorrection>,
    /// Moves allowed now for this user; empty for auditors and closed tickets.
    pub moves: Vec<MoveOption>,
    /// Whether drafting a correction (`publish_href`) is the primary action now (in review).
    pub draft_is_primary: bool,
    /// A sentence about what the ticket waits for (e.g. the reader's answer), above the actions.
    pub next_step_note: Option<String>,
    /// Heading of the group of closing decisions, e.g. "Close the report" or "Decide the appeal".
    pub decisions_heading: String,
    /// Link to the saved responses, beside the pickers.
    pub responses_href: Option<String>,
    /// Select named `assignee_email`: "" (unassigned) then staff; empty when the user cannot assign.
    pub assignees: Vec<Opt>,
    /// Select named `severity`; empty when the user cannot change it.
    pub severities: Vec<Opt>,
    /// The desk's name, or `None` in the general queue.
    pub desk: Option<String>,
    /// The move-to-desk form's select `desk`: "" (the general queue) and each other desk's slug,
    /// the report's own left out; empty when the report cannot move (closed, an auditor, no desks).
    pub desk_moves: Vec<Opt>,
    /// The move's `reason` as typed before a refusal.
    pub desk_reason: String,
    /// Whether the user may write notes (false for auditors).
    pub can_edit: bool,
    /// A refused action's message (409, 422), shown at the top with role="alert".
    pub error: Option<String>,
    /// A done action's message, shown at the top with role="status".
    pub notice: Option<String>,
}

/// A correction of a ticket as staff see it.
#[derive(Debug, Clone)]
pub struct TicketCorrection {
    pub id: i64,
    pub kind_label: String,
    /// E.g. "Published", "Awaiting approval".
    pub status_label: String,
    /// What caused the error.
    pub cause_label: String,
    /// How the error was found.
    pub found_label: String,
}

/// The sign-in page.
pub fn login(layout: &Layout, view: &LoginView) -> Markup {
    let email = Field::new("email", "Email address", "");
    let password = Field::new("password", "Password", "");
    let body = html! {
        h1 { "Sign in" }
        @if let Some(error) = &view.error {
            (error_summary(&[], Some(error), &[]))
        }
        p { "For the corrections desk's editors and auditors." }
        form.stacked-form method="post" action="/login" accept-charset="utf-8" {
            (form_group(&email, html! {
                input.input id=(email.id()) type="email" name=(email.name) value=(view.email)
                    autocomplete="username" spellcheck="false" required;
            }))
            (form_group(&password, html! {
                input.input id=(password.id()) type="password" name=(password.name)
                    autocomplete="current-password" required;
            }))
            input type="hidden" name="next" value=(view.next);
            input type="hidden" name="csrf" value=(view.csrf);
            button.button type="submit" { "Sign in" }
        }
        p.aside-note {
            "Reporting an error in an article? You do not need an account: "
            a href="/" { "start from the home page" } "."
        }
    };
    let title = if view.error.is_some() { "Error: Sign in" } else { "Sign in" };
    layout.page(title, body)
}

/// The setup form's field names, in order: only these get a summary link.
const SETUP_FIELDS: [&str; 4] = ["email", "name", "password", "password_confirm"];

/// The shortest password the setup form accepts, as its hint says.
const PASSWORD_MIN: usize = 12;

/// The first-run setup page.
pub fn setup(layout: &Layout, view: &SetupView) -> Markup {
    let field = |name, label, hint: &str| Field::new(name, label, hint).with_errors(messages_for(&view.errors, name));
    let email = field("email", "Email address", "You sign in with this address.");
    let name = field("name", "Your name", "Shown to other staff on tickets and in the audit trail.");
    let password = field("password", "Password", &format!("At least {PASSWORD_MIN} characters."));
    let confirm = field("password_confirm", "Type the password again", "");
    let has_problem = !view.errors.is_empty();
    let body = html! {
        h1 { "Create the first standards editor account" }
        @if has_problem {
            (error_summary(&view.errors, None, &SETUP_FIELDS))
        }
        p {
            "This link works once. The account you create here is the first standards editor: "
            "it can add everyone else who works on the corrections desk."
        }
        form.stacked-form method="post" action=(view.action) accept-charset="utf-8" {
            (form_group(&email, html! {
                input.input id=(email.id()) type="email" name=(email.name) value=(view.email)
                    autocomplete="username" spellcheck="false" required
                    aria-describedby=[email.described_by()] aria-invalid=[email.invalid()];
            }))
            (form_group(&name, html! {
                input.input id=(name.id()) type="text" name=(name.name) value=(view.name)
                    autocomplete="name" spellcheck="false" required
                    aria-describedby=[name.described_by()] aria-invalid=[name.invalid()];
            }))
            (form_group(&password, html! {
                input.input id=(password.id()) type="password" name=(password.name)
                    autocomplete="new-password" minlength=(PASSWORD_MIN) required
                    aria-describedby=[password.described_by()] aria-invalid=[password.invalid()];
            }))
            (form_group(&confirm, html! {
                input.input id=(confirm.id()) type="password" name=(confirm.name)
                    autocomplete="new-password" required
                    aria-describedby=[confirm.described_by()] aria-invalid=[confirm.invalid()];
            }))
            input type="hidden" name="csrf" value=(view.csrf);
            button.button type="submit" { "Create account" }
        }
    };
    let title = if has_problem {
        "Error: Create the first standards editor account"
    } else {
        "Create the first standards editor account"
    };
    layout.page(title, body)
}

/// A "Overdue" flag in words, not colour alone.
fn overdue_flag() -> Markup {
    html! { " " strong.flag-overdue { "Overdue" } }
}

/// The queue.
pub fn queue(layout: &Layout, view: &QueueView) -> Markup {
    let body = html! {
        h1 { "Corrections desk" }
        @if let Some(error) = &view.error {
            (error_summary(&[], Some(error), &[]))
        }
        @if let Some(notice) = &view.notice {
            (notice_panel(notice))
        }
        @if !view.tabs.is_empty() {
            nav.queue-tabs aria-label="Views of the queue" {
                ul {
                    @for tab in &view.tabs {
                        li {
                            a href=(tab.href) aria-current=[tab.current.then_some("page")] {
                                (tab.label)
                                @if let Some(count) = tab.count {
                                    " " span.count { (count) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !view.counts.is_empty() {
            nav.status-counts aria-label="Reports by status" {
                ul {
                    @for count in &view.counts {
                        li {
                            a href=(count.href) aria-current=[count.current.then_some("page")] {
                                span.count-label { (count.label) }
                                " "
                                span.count {
                                    (count.count)
                                    @if count.at_least && count.count > 0 { "+" }
                                }
                            }
                        }
                    }
                }
            }
        }
        section.filters aria-labelledby="filters-heading" {
            h2 #filters-heading { "Filter the reports" }
            form method="get" action="/desk" accept-charset="utf-8" {
                @if !view.view.is_empty() {
                    input type="hidden" name="view" value=(view.view);
                }
                @let search = Field::new("q", "Search", view.search_hint.clone());
                (form_group(&search, html! {
                    input.input #(search.id()) type="search" name="q" value=(view.q)
                        aria-describedby=[search.described_by()] maxlength="200";
                }))
                @if !view.statuses.is_empty() {
                    (checkbox_group(&Field::new("status", "Status", ""), &view.statuses))
                }
                div.filter-grid {
                    (select_group("category", "Kind of error", &view.categories))
                    (select_group("severity", "Severity", &view.severities))
                    (select_group("section", "Section", &view.sections))
                    (select_group("assignee", "Assignee", &view.assignees))
                    (select_group("desk", "Desk", &view.desks))
                    (select_group("sort", "Sort by", &view.sorts))
                }
                div.checkbox.form-group {
                    input #field-overdue type="checkbox" name="overdue" value="true"
                        checked[view.overdue];
                    label for="field-overdue" { "Only overdue reports" }
                }
                div.form-actions {
                    button.button type="submit" { "Apply filters" }
                    a href="/desk" { "Clear" }
                }
            }
        }
        section aria-labelledby="results-heading" {
            h2 #results-heading { "Results" }
            @if view.rows.is_empty() {
                p.empty { "No reports match these filters." }
            } @else {
                form #bulk method="post" action="/desk/bulk" accept-charset="utf-8" {
                input type="hidden" name="csrf" value=(view.csrf);
                div.table-scroll role="region" aria-label="Reports" tabindex="0" {
                    table.queue {
                        caption.visually-hidden { "Reports matching the filters, one per row" }
                        thead {
                            tr {
                                th scope="col" { span.visually-hidden { "Choose" } }
                                th scope="col" { "Report" }
                                th scope="col" { "Passage" }
                                th scope="col" { "Category" }
                                th scope="col" { "Severity" }
                                th scope="col" { "Status" }
                                th scope="col" { "Age" }
                                th scope="col" { "Deadline" }
                                th scope="col" { "Assignee" }
                                th scope="col" { "Desk" }
                            }
                        }
                        tbody {
                            @for row in &view.rows {
                                (queue_row(row))
                            }
                        }
                    }
                }
                (bulk_form(view))
                }
            }
            (pager(view.next_href.as_deref()))
        }
    };
    let title = if view.error.is_some() { "Error: Corrections desk" } else { "Corrections desk" };
    layout.page(title, body)
}

/// The form under the queue that acts on the chosen reports.
fn bulk_form(view: &QueueView) -> Markup {
    html! {
        fieldset.bulk-actions {
            legend { "Act on the chosen reports" }
            p.hint { "Each report is changed only if nobody changed it since this page was loaded." }
            div.filter-grid {
                (select_group("action", "Action", &view.bulk_actions))
                (select_group("assignee_email", "Assignee (for assigning)", &view.bulk_assignees))
                (select_group("new_severity", "Severity (for changing it)", &view.bulk_severities))
                div.form-group {
                    label.label for="field-duplicate_of" { "Primary report number (for duplicates)" }
                    input.input.input-short #field-duplicate_of type="text" name="duplicate_of" inputmode="numeric";
                }
            }
            div.form-group {
                label.label for="field-bulk-reason" { "Reason (for duplicates and closing; the readers see it)" }
                textarea.textarea #field-bulk-reason name="reason" rows="3" {}
            }
            button.button type="submit" { "Apply to the chosen reports" }
        }
    }
}

/// One row of the queue's table.
fn queue_row(row: &QueueRow) -> Markup {
    html! {
        tr class=[row.overdue.then_some("overdue")] {
            td.choose {
                input #{ "choose-" (row.id) } type="checkbox" name="ids" value=(row.id);
                label.visually-hidden for={ "choose-" (row.id) } { "Choose report #" (row.id) }
                input type="hidden" name={ "version-" (row.id) } value=(row.version);
            }
            th scope="row" {
                a href=(row.href) { span.visually-hidden { "Report " } "#" (row.id) }
                span.row-article { (row.article_title) }
            }
            td.quote-short { (row.quote_short) }
            td data-label="Category" { (row.category_label) }
            td data-label="Severity" { span class={ "badge severity-" (row.severity) } { (row.severity_label) } }
            td data-label="Status" {
                span class={ "badge status-" (row.status) } { (row.status_label) }
                @if row.reader_replied {
                    " " span.badge.reader-replied { "Reader replied" }
                }
            }
            td.nowrap data-label="Age" { (row.age) }
            td.deadline data-label="Deadline" {
                @if row.closed {
                    span.muted { "Closed" }
                } @else {
                    time datetime=(row.deadline_iso) title=(row.deadline_exact) { (row.deadline) }
                    @if row.overdue { (overdue_flag()) }
                    @if row.escalated { " " strong.flag-escalated { "Escalated" } }
                }
            }
            td data-label="Assignee" {
                @match &row.assignee {
                    Some(name) => (name),
                    None => span.muted { "Unassigned" },
                }
            }
            td data-label="Desk" {
                @match &row.desk {
                    Some(name) => (name),
                    None => span.muted { "General queue" },
                }
            }
        }
    }
}

/// The ticket.
pub fn ticket(layout: &Layout, view: &TicketView) -> Markup {
    let not_given = |value: &Option<String>| -> Markup {
        html! {
            @if view.pii_redacted {
                span.muted { "Redacted" }
            } @else {
                @match value {
                    Some(value) => (value),
                    None => span.muted { "Not given" },
                }
            }
        }
    };
    let body = html! {
        h1 { "Report #" (view.id) }
        p.ticket-badges {
            span class={ "badge status-" (view.status) } {
                span.visually-hidden { "Status: " } (view.status_label)
            }
            " "
            span class={ "badge severity-" (view.severity) } {
                span.visually-hidden { "Severity: " } (view.severity_label)
            }
        }
        @if let Some(error) = &view.error {
            (error_summary(&[], Some(error), &[]))
        }
        @if let Some(notice) = &view.notice {
            (notice_panel(notice))
        }
        @if !view.also_open_by.is_empty() {
            div.panel-warning {
                p {
                    strong { "Also open by: " (join_names(&view.also_open_by)) "." }
                    " Check with them before you act, so that no one repeats or undoes your work."
                }
            }
        }
        @if let Some((id, href)) = &view.duplicate_of {
            p.duplicate-of { "Duplicate of " a href=(href) { "report #" (id) } }
        }
        div.ticket-grid.with-actions[view.can_edit] {
            div.ticket-main {
                section aria-labelledby="summary-heading" {
                    h2 #summary-heading { "Summary" }
                    dl.summary-list {
                        div { dt { "Kind of error" } dd { (view.category_label) } }
                        div {
                            dt { "Filed" }
                            dd { time datetime=(view.created_at_iso) { (view.created_at) } }
                        }
                        div {
                            dt { "Deadline" }
                            dd {
                                time datetime=(view.deadline_iso) { (view.deadline) }
                                @if view.overdue { (overdue_flag()) }
                            }
                        }
                        div {
                            dt { "Assignee" }
                            dd {
                                @match &view.assignee {
                                    Some(name) => (name),
                                    None => span.muted { "Unassigned" },
                                }
                            }
                        }
                        div {
                            dt { "Desk" }
                            dd {
                                @match &view.desk {
                                    Some(name) => (name),
                                    None => span.muted { "General queue" },
                                }
                            }
                        }
                        div { dt { "Reader's name" } dd { (not_given(&view.reporter_name)) } }
                        div { dt { "Reader's email" } dd { (not_given(&view.reporter_email)) } }
                    }
                }
                section aria-labelledby="report-heading" {
                    h2 #report-heading { "The report" }
                    h3 { "Quoted passage" }
                    blockquote.quote { p.preserve-lines { (view.quote) } }
                    h3 { "What the reader says is wrong" }
                    p.preserve-lines { (view.explanation) }
                    h3 { "Evidence links" }
                    @if view.evidence_urls.is_empty() {
                        p.muted { "No links were sent." }
                    } @else {
                        (evidence_list(&view.evidence_urls))
                    }
                }
                @if !view.likely_duplicates.is_empty() {
                    section aria-labelledby="duplicates-heading" {
                        h2 #duplicates-heading { "Likely duplicates" }
                        p { "Other reports on this article that quote an overlapping passage." }
                        ul.duplicates {
                            @for candidate in &view.likely_duplicates {
                                li {
                                    a href=(candidate.href) { "Report #" (candidate.id) }
                                    " (" (candidate.status_label) "): "
                                    span.quote-short { (candidate.quote_short) }
                                }
                            }
                        }
                    }
                }
                (article_box(&view.article))
                @if let Some(parts) = &view.article_text {
                    details.article-text {
                        summary { "Article text" }
                        p.hint { "The quoted passage is highlighted." }
                        p.preserve-lines.article-text-body {
                            @for part in parts {
                                @if part.highlighted {
                                    mark {
                                        span.visually-hidden { "Start of quoted passage: " }
                                        (part.text)
                                        span.visually-hidden { " End of quoted passage." }
                                    }
                                } @else {
                                    (part.text)
                                }
                            }
                        }
                    }
                }
                @if !view.corrections.is_empty() {
                    section aria-labelledby="corrections-heading" {
                        h2 #corrections-heading { "Corrections" }
                        @for c in &view.corrections {
                            dl.summary-list {
                                div { dt { "Correction" } dd { (c.kind_label) " #" (c.id) ", " (c.status_label.to_lowercase()) } }
                                div { dt { "Cause of the error" } dd { (c.cause_label) } }
                                div { dt { "Found by" } dd { (c.found_label) } }
                            }
                        }
                    }
                }
                section aria-labelledby="timeline-heading" {
                    h2 #timeline-heading { "Timeline" }
                    @if view.timeline.is_empty() {
                        p.muted { "Nothing has happened yet." }
                    } @else {
                        ol.timeline {
                            @for item in &view.timeline {
                                li class=[item.internal.then_some("internal")] {
                                    p.timeline-meta {
                                        time datetime=(item.at_iso) { (item.at) }
                                        " · " (item.actor)
                                        @if item.internal {
                                            " " span.tag-internal { "Internal" }
                                        }
                                    }
                                    p.timeline-title { (item.title) }
                                    @if let Some(detail) = &item.detail {
                                        p.preserve-lines { (detail) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if view.can_edit {
                (ticket_actions(view))
            }
        }
    };
    let title = format!("{}Report #{}", if view.error.is_some() { "Error: " } else { "" }, view.id);
    layout.page(&title, body)
}

/// The ticket's forms: the next step, asking the reader, the closing decisions, then
/// assignment, severity and a note.
fn ticket_actions(view: &TicketView) -> Markup {
    let base = format!("/desk/reports/{}", view.id);
    let hidden = html! {
        input type="hidden" name="version" value=(view.version);
        input type="hidden" name="csrf" value=(view.csrf);
    };
    let assignee = Field::new("assignee_email", "Assignee", "");
    let severity = Field::new("severity", "Severity", "");
    let note = Field::new("body", "Internal note (never shown to the reader)", "");
    let in_group = |group: MoveGroup| view.moves.iter().filter(move |m| m.group == group);
    let draft_link = |primary: bool| {
        html! {
            @if let Some(href) = &view.publish_href {
                p.call-to-action {
                    a.button.button-secondary[!primary] href=(href) { "Draft a correction" }
                }
            }
        }
    };
    let has_next = view.publish_href.is_some()
        || view.next_step_note.is_some()
        || in_group(MoveGroup::Primary).next().is_some()
        || in_group(MoveGroup::Step).next().is_some();
    let asks: Vec<&MoveOption> = in_group(MoveGroup::Ask).collect();
    let decisions: Vec<&MoveOption> = in_group(MoveGroup::Decide).collect();
    let pickers = view.moves.iter().any(|m| !m.responses.is_empty());
    html! {
        section.ticket-actions aria-labelledby="actions-heading" {
            h2 #actions-heading { "Actions" }
            @if has_next {
                div.next-step {
                    h3 { "Next step" }
                    @if let Some(note) = &view.next_step_note {
                        p.next-step-note { (note) }
                    }
                    @if view.draft_is_primary {
                        (draft_link(true))
                    }
                    @for mv in in_group(MoveGroup::Primary) {
                        (move_form(&base, mv, &hidden))
                    }
                    @for mv in in_group(MoveGroup::Step) {
                        (move_form(&base, mv, &hidden))
                    }
                    @if !view.draft_is_primary {
                        (draft_link(false))
                    }
                }
            }
            @if !asks.is_empty() {
                div.ask-reader {
                    h3 { "Ask the reader" }
                    @for mv in asks {
                        (move_form(&base, mv, &hidden))
                    }
                }
            }
            @if !decisions.is_empty() {
                section.decisions aria-labelledby="decisions-heading" {
                    h3 #decisions-heading { (view.decisions_heading) }
                    p.hint { "The reader is told the reason you give." }
                    @for mv in decisions {
                        (move_form(&base, mv, &hidden))
                    }
                }
            }
            @if pickers {
                @if let Some(href) = &view.responses_href {
                    p.responses-link { a href=(href) { "Saved responses" } }
                }
            }
            @if !view.assignees.is_empty() {
                h3 { "Assignment and severity" }
                form.action-form method="post" action={ (base) "/assignment" } accept-charset="utf-8" {
                    (form_group(&assignee, html! {
                        select.select id=(assignee.id()) name=(assignee.name) {
                            (options(&view.assignees))
                        }
                    }))
                    (hidden)
                    button.button.button-secondary type="submit" { "Assign" }
                }
            }
            @if !view.severities.is_empty() {
                @if view.assignees.is_empty() {
                    h3 { "Severity" }
                }
                form.action-form method="post" action={ (base) "/severity" } accept-charset="utf-8" {
                    (form_group(&severity, html! {
                        select.select id=(severity.id()) name=(severity.name) {
                            (options(&view.severities))
                        }
                    }))
                    (hidden)
                    button.button.button-secondary type="submit" { "Change severity" }
                }
            }
            @if !view.desk_moves.is_empty() {
                (desk_move_form(view, &base, &hidden))
            }
            h3 { "Add a note" }
            form.action-form method="post" action={ (base) "/notes" } accept-charset="utf-8" {
                (form_group(&note, html! {
                    textarea.textarea id=(note.id()) name=(note.name) rows="4" required {
                        (textarea_value(""))
                    }
                }))
                input type="hidden" name="csrf" value=(view.csrf);
                button.button.button-secondary type="submit" { "Add note" }
            }
        }
    }
}

/// The form that moves the report to another desk or the general queue, with a reason.
fn desk_move_form(view: &TicketView, base: &str, hidden: &Markup) -> Markup {
    let desk = Field::new("desk", "Move to", "").with_id_suffix("move");
    let reason =
        Field::new("reason", "Why (kept on the timeline, never shown to the reader)", "").with_id_suffix("desk");
    html! {
        h3 #desk-move-heading { "Desk" }
        form.action-form method="post" action={ (base) "/desk" } accept-charset="utf-8" aria-labelledby="desk-move-heading" {
            (form_group(&desk, html! {
                select.select id=(desk.id()) name=(desk.name) {
                    (options(&view.desk_moves))
                }
            }))
            (form_group(&reason, html! {
                textarea.textarea id=(reason.id()) name=(reason.name) rows="2" required {
                    (textarea_value(&view.desk_reason))
                }
            }))
            (hidden)
            button.button.button-secondary type="submit" { "Move the report" }
        }
    }
}

/// The button classes for a tone.
fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Primary => "button",
        Tone::Secondary => "button button-secondary",
        Tone::Danger => "button button-danger",
    }
}

/// One move's own small form. Its ids carry the target status, so that many
/// move forms can share one page. A move that takes no reason is a button alone;
/// one that takes a reason has its box, and, when there are saved responses for
/// it, a picker before it: a GET form whose "Use" button reloads the ticket with
/// the chosen response in the box (no script needed).
fn move_form(base: &str, mv: &MoveOption, hidden: &Markup) -> Markup {
    // A saved response may leave its tracking link placeholder for the mail to fill.
    let link_hint = if mv.reason.contains("{tracking_link}") {
        "{tracking_link} becomes a link to the reader's report in the email, and \u{201c}this page\u{201d} on it."
    } else {
        ""
    };
    let reason = Field::new("reason", &mv.reason_label, link_hint).with_id_suffix(&mv.to);
    let primary = Field::new(
        "duplicate_of",
        "Primary report number",
        "The number of the report this one repeats, without the #.",
    )
    .with_id_suffix(&mv.to);
    let picker = Field::new("response", "Saved response", "").with_id_suffix(&mv.to);
    let fields = mv.reason_required || mv.needs_duplicate_of;
    let anchor = format!("move-{}", id_safe(&mv.to));
    html! {
        @if fields {
            div.move-card #(anchor) {
                @if mv.reason_required && !mv.responses.is_empty() {
                    form.response-picker method="get" action={ (base) "#" (anchor) } accept-charset="utf-8" {
                        input type="hidden" name="to" value=(mv.to);
                        (form_group(&picker, html! {
                            div.picker-row {
                                select.select id=(picker.id()) name=(picker.name) {
                                    (options(&mv.responses))
                                }
                                button.button.button-secondary type="submit" {
                                    "Use" span.visually-hidden { " for " (mv.label) }
                                }
                            }
                        }))
                    }
                }
                form.action-form.move-form method="post" action={ (base) "/transitions" } accept-charset="utf-8" {
                    // The legend tells a screen reader which move this form's fields belong to;
                    // the button says it to everyone else.
                    fieldset {
                        legend.visually-hidden { (mv.label) }
                        input type="hidden" name="to" value=(mv.to);
                        (hidden)
                        @if mv.needs_duplicate_of {
                            (form_group(&primary, html! {
                                input.input.input-number id=(primary.id()) type="number" name=(primary.name)
                                    min="1" step="1" inputmode="numeric" required
                                    aria-describedby=[primary.described_by()];
                            }))
                        }
                        @if mv.reason_required {
                            (form_group(&reason, html! {
                                // A filled-in response is read whole before it is sent.
                                textarea.textarea id=(reason.id()) name=(reason.name)
                                    rows=(if mv.reason.is_empty() { "3" } else { "8" }) required
                                    aria-describedby=[reason.described_by()] {
                                    (textarea_value(&mv.reason))
                                }
                            }))
                        }
                        button class=(tone_class(mv.tone)) type="submit" { (mv.label) }
                    }
                }
            }
        } @else {
            form.move-form.move-button method="post" action={ (base) "/transitions" } accept-charset="utf-8" {
                input type="hidden" name="to" value=(mv.to);
                (hidden)
                button class=(tone_class(mv.tone)) type="submit" { (mv.label) }
            }
        }
    }
}

/// The correction form `/desk/corrections/new` (from a ticket or standalone), with an optional preview.
#[derive(Debug, Clone)]
pub struct CorrectionFormView {
    /// Where it posts (POST; a button named `preview` shows the preview, a button named `publish` publishes).
    pub action: String,
    pub csrf: String,
    pub article: ArticleSummary,
    /// Hidden field `article_id`.
    pub article_id: String,
    /// Hidden fields `report_ids` (repeated), the tickets this correction resolves.
    pub report_ids: Vec<i64>,
    /// Select `kind`.
    pub kinds: Vec<Opt>,
    /// Select `cause`: what caused the error (staff only, never published).
    pub causes: Vec<Opt>,
    /// Select `found`: how the error was found (staff only, never published).
    pub found: Vec<Opt>,
    /// Textarea `text`: the public correction text.
    pub text: String,
    /// Textarea `original` (pre-filled with the quoted passage from a ticket).
    pub original: String,
    /// Textarea `corrected`.
    pub corrected: String,
    /// Checkbox `headline` (value "true"): the correction concerns the headline.
    pub headline: bool,
    /// Checkboxes `standards` (values: standard codes).
    pub standards: Vec<Opt>,
    /// Select `supersedes`: "" (none) then this article's published corrections.
    pub supersedes: Vec<Opt>,
    pub errors: Vec<FieldError>,
    /// A refusal not tied to a field (409 etc).
    pub form_error: Option<String>,
    /// The correction as it will appear, after a preview request.
    pub preview: Option<CorrectionItem>,
    /// Say that retractions and headline corrections wait for a second standards editor.
    pub approval_note: bool,
    /// Hidden field `redrafts`: the returned correction this draft replaces.
    pub redrafts: Option<i64>,
    /// Checkboxes `channels` (values: channel ids): where the erroneous version went; none shown when empty.
    pub channels: Vec<Opt>,
}

/// A correction waiting for approval.
#[derive(Debug, Clone)]
pub struct PendingItem {
    pub id: i64,
    pub article_title: String,
    pub article_href: String,
    pub kind_label: String,
    pub text: String,
    pub diff: Option<Vec<DiffPart>>,
    pub author: String,
    pub created: String,
    /// What caused the error, as the author recorded it.
    pub cause_label: String,
    /// How the error was found.
    pub found_label: String,
    /// Form action for approval (POST, hidden `csrf`), when this user may approve.
    pub approve_action: Option<String>,
    /// Why this user may not approve (e.g. "You wrote it"), when they may not.
    pub cannot_approve: Option<String>,
    /// Form action sending it back to its author (POST, hidden `csrf`, textarea `reason`), for standards editors.
    pub return_action: Option<String>,
    /// Form action withdrawing it (POST, hidden `csrf`, textarea `reason`), for its author and standards editors.
    pub withdraw_action: Option<String>,
}

/// A correction returned to the signed-in author, to draft again.
#[derive(Debug, Clone)]
pub struct ReturnedItem {
    pub id: i64,
    pub article_title: String,
    pub kind_label: String,
    pub text: String,
    /// What the standards editor asked to change.
    pub reason: String,
    /// The drafting form pre-filled with it.
    pub edit_href: String,
}

/// `/desk/corrections`: corrections awaiting approval, and those returned to the signed-in author.
#[derive(Debug, Clone, Default)]
pub struct PendingView {
    pub items: Vec<PendingItem>,
    pub returned: Vec<ReturnedItem>,
    pub csrf: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// Published corrections still to reach some of the channels their error went to, oldest first.
    pub open_channels: Vec<OpenChannelsItem>,
    /// The channels' settings page, for standards editors.
    pub channels_href: Option<String>,
}

/// `/desk/standards`: the catalogue with a form to add a standard or publish a new version of one.
#[derive(Debug, Clone, Default)]
pub struct StandardsAdminView {
    pub standards: Vec<StandardItem>,
    /// Form posts to /desk/standards (fields `code`, `title`, `text`, hidden `csrf`); an existing code makes a new version.
    pub csrf: String,
    pub code: String,
    pub title: String,
    pub text: String,
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
    /// False for editors: the catalogue is shown without the form.
    pub can_manage: bool,
}

/// The correction form and preview.
pub fn correction_form(layout: &Layout, view: &CorrectionFormView) -> Markup {
    let field = |name, label, hint: &str| Field::new(name, label, hint).with_errors(messages_for(&view.errors, name));
    let kind = field("kind", "Kind", "A retraction withdraws the article; a correction fixes a mistake in it.");
    let cause = field("cause", "What caused the error", "For the standards desk's figures only: readers never see it.");
    let found = field(
        "found",
        "How the error was found",
        "A correction that resolves a reader's report was found by that reader, unless you choose otherwise.",
    );
    let text = field(
        "text",
        "Public text of the correction",
        "Say what was wrong and what is right, in plain words. Readers see exactly this text.",
    );
    let original = field(
        "original",
        "Original passage (optional)",
        "The words exactly as the article has them; they are checked against its text. With the corrected \
         passage, readers see what we changed.",
    );
    let corrected = field("corrected", "Corrected passage (optional)", "The words as they read now.");
    let standards = field("standards", "Standards breached", "Choose every standard the error breached.");
    let channels = field(
        "channels",
        "Where the error also went",
        "Tick every channel that carried the erroneous version. Each becomes an item of this correction's \
         checklist; syndication partners are emailed the correction when it is published.",
    );
    let supersedes = field(
        "supersedes",
        "Amends an earlier correction",
        "Choose a correction only if this one amends it. Both stay published.",
    );
    let reports = field("report_ids", "Reports", "");
    // Only fields with a control on the page get a link from the error summary.
    let mut linked = vec!["kind", "cause", "found", "text", "original", "corrected"];
    if !view.standards.is_empty() {
        linked.push("standards");
    }
    if !view.supersedes.is_empty() {
        linked.push("supersedes");
    }
    if !view.channels.is_empty() {
        linked.push("channels");
    }
    if !view.report_ids.is_empty() || reports.has_error() {
        linked.push("report_ids");
    }
    let has_problem = !view.errors.is_empty() || view.form_error.is_some();
    let body = html! {
        h1 { "Draft a correction" }
        @if has_problem {
            (error_summary(&view.errors, view.form_error.as_deref(), &linked))
        }
        (article_box(&view.article))
        @if let Some(id) = view.redrafts {
            (notice_panel(&format!(
                "You are drafting again correction #{id}, which was returned to you. Change it as asked, \
                 then send it for approval once more; #{id} stays in the audit trail as returned."
            )))
        }
        @if !view.report_ids.is_empty() || reports.has_error() {
            div.form-group.has-error[reports.has_error()] #(reports.id()) {
                (field_error(&reports))
                @if !view.report_ids.is_empty() {
                    p.resolves {
                        "Resolves "
                        @for (i, id) in view.report_ids.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href={ "/desk/reports/" (id) } { "report #" (id) }
                        }
                    }
                }
            }
        }
        @if let Some(preview) = &view.preview {
            section.preview aria-labelledby="preview-heading" {
                h2 #preview-heading { "Preview" }
                p.preview-lead {
                    strong { "This is what will be published in the permanent log." }
                    " Once published it cannot be changed or removed, only amended by a later correction. "
                    "Nothing is published until you choose Publish."
                }
                div.preview-frame { (correction_item(preview, Detail::Full)) }
            }
        }
        h2 { @if view.preview.is_some() { "Change or publish" } @else { "The correction" } }
        form.correction-form method="post" action=(view.action) accept-charset="utf-8" {
            input type="hidden" name="csrf" value=(view.csrf);
            input type="hidden" name="article_id" value=(view.article_id);
            @for id in &view.report_ids {
                input type="hidden" name="report_ids" value=(id);
            }
            @if let Some(id) = view.redrafts {
                input type="hidden" name="redrafts" value=(id);
            }
            (form_group(&kind, html! {
                select.select id=(kind.id()) name=(kind.name)
                    aria-describedby=[kind.described_by()] aria-invalid=[kind.invalid()] {
                    (options(&view.kinds))
                }
            }))
            (form_group(&cause, html! {
                select.select id=(cause.id()) name=(cause.name)
                    aria-describedby=[cause.described_by()] aria-invalid=[cause.invalid()] {
                    (options(&view.causes))
                }
            }))
            (form_group(&found, html! {
                select.select id=(found.id()) name=(found.name)
                    aria-describedby=[found.described_by()] aria-invalid=[found.invalid()] {
                    (options(&view.found))
                }
            }))
            (form_group(&text, html! {
                textarea.textarea id=(text.id()) name=(text.name) rows="6" required
                    aria-describedby=[text.described_by()] aria-invalid=[text.invalid()] {
                    (textarea_value(&view.text))
                }
            }))
            (form_group(&original, html! {
                textarea.textarea id=(original.id()) name=(original.name) rows="3"
                    aria-describedby=[original.described_by()] aria-invalid=[original.invalid()] {
                    (textarea_value(&view.original))
                }
            }))
            (form_group(&corrected, html! {
                textarea.textarea id=(corrected.id()) name=(corrected.name) rows="3"
                    aria-describedby=[corrected.described_by()] aria-invalid=[corrected.invalid()] {
                    (textarea_value(&view.corrected))
                }
            }))
            div.checkbox.form-group {
                input #field-headline type="checkbox" name="headline" value="true" checked[view.headline];
                label for="field-headline" { "This corrects the headline" }
            }
            @if !view.standards.is_empty() {
                (checkbox_group(&standards, &view.standards))
            }
            @if !view.channels.is_empty() {
                (checkbox_group(&channels, &view.channels))
            }
            @if !view.supersedes.is_empty() {
                (form_group(&supersedes, html! {
                    select.select id=(supersedes.id()) name=(supersedes.name)
                        aria-describedby=[supersedes.described_by()] aria-invalid=[supersedes.invalid()] {
                        (options(&view.supersedes))
                    }
                }))
            }
            @if view.approval_note {
                div.panel-info {
                    p {
                        "Retractions and headline corrections are published only after a second "
                        "standards editor approves them. Until then, readers do not see them."
                    }
                }
            }
            div.form-actions {
                button.button.button-secondary type="submit" name="preview" value="1" { "Preview" }
                button.button type="submit" name="publish" value="1" { "Publish" }
            }
        }
    };
    let title = if has_problem { "Error: Draft a correction" } else { "Draft a correction" };
    layout.page(title, body)
}

/// Corrections awaiting approval.
pub fn pending(layout: &Layout, view: &PendingView) -> Markup {
    let body = html! {
        h1 { "Corrections awaiting approval" }
        @if let Some(error) = &view.error {
            (error_summary(&[], Some(error), &[]))
        }
        @if let Some(notice) = &view.notice {
            (notice_panel(notice))
        }
        p {
            "Retractions and headline corrections are published only when a second standards editor "
            "approves them. No one can approve a correction they wrote. A standards editor can instead "
            "return it to its author with what to change; its author or a standards editor can withdraw it. "
            "Either way nothing is published, and its reports go back to review."
        }
        @if !view.returned.is_empty() {
            section.returned aria-labelledby="returned-heading" {
                h2 #returned-heading { "Returned to you" }
                ol.pending-list {
                    @for item in &view.returned {
                        li { (returned_item(item)) }
                    }
                }
            }
        }
        @if !view.returned.is_empty() {
            h2 { "Awaiting approval" }
        }
        @if view.items.is_empty() {
            p.empty { "Nothing is waiting for approval." }
        } @else {
            ol.pending-list {
                @for item in &view.items {
                    li { (pending_item(item, &view.csrf)) }
                }
            }
        }
        (open_channels(view))
    };
    let title =
        if view.error.is_some() { "Error: Corrections awaiting approval" } else { "Corrections awaiting approval" };
    layout.page(title, body)
}

/// Published corrections still to reach some of the channels their error went to.
fn open_channels(view: &PendingView) -> Markup {
    html! {
        section.open-channels aria-labelledby="open-channels-heading" {
            h2 #open-channels-heading { "Still to correct elsewhere" }
            p {
                "Published corrections whose error also went out through other channels, where the correction "
                "has not gone yet. Open one to mark where it went."
            }
            @if view.open_channels.is_empty() {
                p.empty { "Every published correction reached every channel its error went to." }
            } @else {
                ul.link-list.open-channels-list {
                    @for item in &view.open_channels {
                        li {
                            a href=(item.href) { (item.kind_label) " #" (item.id) }
                            " on \u{201c}" (item.article_title) "\u{201d}, published " (item.published) ". "
                            strong { "Still to reach: " } (item.open.join(", "))
                        }
                    }
                }
            }
            @if let Some(href) = &view.channels_href {
                p { a href=(href) { "Set up the distribution channels" } }
            }
        }
    }
}

/// One correction waiting for a second standards editor.
fn pending_item(item: &PendingItem, csrf: &str) -> Markup {
    html! {
        article.pending-item {
            h2 {
                span.kind { (item.kind_label) } " "
                span.pending-number { "#" (item.id) }
            }
            dl.summary-list {
                div { dt { "Article" } dd { a href=(item.article_href) { (item.article_title) } } }
                div { dt { "Written by" } dd { (item.author) } }
                div { dt { "Drafted" } dd { (item.created) } }
                div { dt { "Cause of the error" } dd { (item.cause_label) } }
                div { dt { "Found by" } dd { (item.found_label) } }
            }
            p.preserve-lines.correction-text { (item.text) }
            @if let Some(diff) = &item.diff {
                (diff_block(diff, false))
            }
            @if let Some(action) = &item.approve_action {
                form.approve-form method="post" action=(action) accept-charset="utf-8" {
                    input type="hidden" name="csrf" value=(csrf);
                    button.button type="submit" {
                        "Approve and publish" span.visually-hidden { " correction #" (item.id) }
                    }
                }
            } @else if let Some(reason) = &item.cannot_approve {
                p.cannot-approve { strong { "You cannot approve this correction: " } (reason) }
            }
            @if let Some(action) = &item.return_action {
                (stop_form(item.id, action, csrf, "return", "What should the author change?",
                    "The author is emailed this and can edit the correction and send it again.",
                    "Return to the author"))
            }
            @if let Some(action) = &item.withdraw_action {
                (stop_form(item.id, action, csrf, "withdraw", "Why withdraw it?",
                    "It will not be published. The reason stays in the audit trail.",
                    "Withdraw"))
            }
        }
    }
}

/// A form that returns or withdraws a pending correction, with its reason.
#[allow(clippy::too_many_arguments)]
fn stop_form(id: i64, action: &str, csrf: &str, what: &str, label: &str, hint: &str, button: &str) -> Markup {
    let field = format!("{what}-reason-{id}");
    let hint_id = format!("{field}-hint");
    html! {
        details.stop-form {
            summary { (button) span.visually-hidden { " correction #" (id) } }
            form.stacked-form method="post" action=(action) accept-charset="utf-8" {
                input type="hidden" name="csrf" value=(csrf);
                div.form-group {
                    label.label for=(field) { (label) }
                    p.hint id=(hint_id) { (hint) }
                    textarea.textarea id=(field) name="reason" rows="3" required aria-describedby=(hint_id) {}
                }
                button.button.button-secondary type="submit" {
                    (button) span.visually-hidden { " correction #" (id) }
                }
            }
        }
    }
}

/// A correction returned to its author, with the reason and the way back into the form.
fn returned_item(item: &ReturnedItem) -> Markup {
    html! {
        article.pending-item {
            h3 {
                span.kind { (item.kind_label) } " "
                span.pending-number { "#" (item.id) }
            }
            dl.summary-list {
                div { dt { "Article" } dd { (item.article_title) } }
                div { dt { "What to change" } dd.preserve-lines { (item.reason) } }
            }
            p.preserve-lines.correction-text { (item.text) }
            a.button href=(item.edit_href) {
                "Edit and send again" span.visually-hidden { " correction #" (item.id) }
            }
        }
    }
}

/// The standards form's field names, in order: only these get a summary link.
const STANDARD_FIELDS: [&str; 3] = ["code", "title", "text"];

/// Managing the standards catalogue.
pub fn standards_admin(layout: &Layout, view: &StandardsAdminView) -> Markup {
    let field = |name, label, hint: &str| Field::new(name, label, hint).with_errors(messages_for(&view.errors, name));
    let code = field(
        "code",
        "Code",
        "Lowercase letters, digits and hyphens, e.g. accuracy. An existing code publishes a new version of that standard.",
    );
    let title = field("title", "Title", "");
    let text = field("text", "Text", "Plain text. Leave a blank line between paragraphs.");
    let has_problem = view.can_manage && !view.errors.is_empty();
    let body = html! {
        h1 { "Standards" }
        @if has_problem {
            (error_summary(&view.errors, None, &STANDARD_FIELDS))
        }
        @if let Some(notice) = &view.notice {
            (notice_panel(notice))
        }
        p {
            "The public catalogue at " a href="/standards" { "/standards" } ". Publishing a new version "
            "keeps the earlier ones, so corrections that cite them still link to the text they cited."
        }
        p.responses-link {
            "The wording editors use for questions to readers and reasons for decisions is kept in the "
            a href="/desk/responses" { "saved responses" } "."
        }
        @if view.can_manage {
            p.wordings-link {
                "The wording the correction form starts from for each kind of notice is kept in the "
                a href="/desk/wordings" { "suggested wordings" } "."
            }
        }
        @if view.can_manage {
            section.standard-form aria-labelledby="standard-form-heading" {
                h2 #standard-form-heading { "Add a standard or publish a new version" }
                form.stacked-form method="post" action="/desk/standards" accept-charset="utf-8" {
                    input type="hidden" name="csrf" value=(view.csrf);
                    (form_group(&code, html! {
                        input.input id=(code.id()) type="text" name=(code.name) value=(view.code) required
                            pattern="[a-z0-9-]+" autocomplete="off" autocapitalize="none" spellcheck="false"
                            aria-describedby=[code.described_by()] aria-invalid=[code.invalid()];
                    }))
                    (form_group(&title, html! {
                        input.input id=(title.id()) type="text" name=(title.name) value=(view.title) required
                            aria-describedby=[title.described_by()] aria-invalid=[title.invalid()];
                    }))
                    (form_group(&text, html! {
                        textarea.textarea id=(text.id()) name=(text.name) rows="10" required
                            aria-describedby=[text.described_by()] aria-invalid=[text.invalid()] {
                            (textarea_value(&view.text))
                        }
                    }))
                    button.button type="submit" { "Save standard" }
                }
            }
        }
        (standards_catalogue(&view.standards, true))
    };
    let title = if has_problem { "Error: Standards" } else { "Standards" };
    layout.page(title, body)
}

/// `/desk/outbox`: the state of outgoing mail, for standards editors.
#[derive(Debug, Clone, Default)]
pub struct OutboxView {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    /// e.g. "28 November 2026, 13:05 UTC", when something waits.
    pub oldest_pending: Option<String>,
    /// How mail leaves this server, e.g. "SMTP at smtp://mail.example:587".
    pub transport: String,
    /// Recent failures: (recipient, subject, reason).
    pub failures: Vec<(String, String, String)>,
    /// Webhook deliveries waiting, delivered, failed.
    pub hooks_queued: i64,
    pub hooks_sent: i64,
    pub hooks_failed: i64,
    /// The most recent webhook deliveries.
    pub deliveries: Vec<HookDeliveryItem>,
}

/// One webhook delivery on the outbox page.
#[derive(Debug, Clone, Default)]
pub struct HookDeliveryItem {
    pub id: i64,
    /// The event, e.g. `correction.published`.
    pub event: String,
    pub endpoint_url: String,
    /// e.g. "Sent", "Queued", "Failed".
    pub status_label: String,
    pub attempts: i32,
    /// The HTTP status of the last answer, e.g. "500", or "none".
    pub last_response: String,
    /// Why the last attempt failed, when it did.
    pub last_error: Option<String>,
    /// When it was queued.
    pub queued_at: String,
}

/// The outbox status.
pub fn outbox(layout: &Layout, view: &OutboxView) -> Markup {
    let body = html! {
        h1 { "Outgoing mail" }
        p { "Every message is stored before it is sent, and retried until the mail server accepts it." }
        p { "Delivery: " (view.transport) }
        dl.summary-list {
            div { dt { "Waiting" } dd { (view.queued) } }
            div { dt { "Sent" } dd { (view.sent) } }
            div { dt { "Failed" } dd { (view.failed) } }
            div { dt { "Oldest waiting since" } dd { (view.oldest_pending.as_deref().unwrap_or("Nothing is waiting")) } }
        }
        section aria-labelledby="failures-heading" {
            h2 #failures-heading { "Recent failures" }
            @if view.failures.is_empty() {
                p.empty { "No message has failed." }
            } @else {
                ul {
                    @for (to, subject, reason) in &view.failures {
                        li { strong { (subject) } " to " (to) ": " (reason) }
                    }
                }
            }
        }
        section aria-labelledby="hooks-heading" {
            h2 #hooks-heading { "Webhooks and chat alerts" }
            p {
                "Each event is stored with its action and posted to every "
                a href="/desk/webhooks" { "endpoint" } " that receives it; timeouts, 5xx and 429 are retried."
            }
            dl.summary-list {
                div { dt { "Waiting" } dd { (view.hooks_queued) } }
                div { dt { "Delivered" } dd { (view.hooks_sent) } }
                div { dt { "Failed" } dd { (view.hooks_failed) } }
            }
            @if view.deliveries.is_empty() {
                p.empty { "Nothing has been posted yet." }
            } @else {
                div.table-scroll role="region" aria-label="Recent webhook deliveries" tabindex="0" {
                    table {
                        caption.visually-hidden { "Recent webhook deliveries, newest first" }
                        thead {
                            tr {
                                th scope="col" { "Delivery" }
                                th scope="col" { "Event" }
                                th scope="col" { "Endpoint" }
                                th scope="col" { "State" }
                                th scope="col" { "Attempts" }
                                th scope="col" { "Last response" }
                            }
                        }
                        tbody {
                            @for d in &view.deliveries {
                                tr {
                                    td { (d.id) br; small { (d.queued_at) } }
                                    td { code { (d.event) } }
                                    td.endpoint-url { (d.endpoint_url) }
                                    td { (d.status_label) }
                                    td { (d.attempts) }
                                    td {
                                        (d.last_response)
                                        @if let Some(error) = &d.last_error { br; small { (error) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout.page("Outgoing mail", body)
}

/// What a bulk action did, one line a report.
#[derive(Debug, Clone, Default)]
pub struct BulkResultView {
    /// A problem with the request as a whole (no report chosen, a missing reason).
    pub error: Option<String>,
    /// (report number, link, what happened, whether it was changed).
    pub results: Vec<(i64, String, String, bool)>,
}

/// The page after a bulk action.
pub fn bulk_result(layout: &Layout, view: &BulkResultView) -> Markup {
    let changed = view.results.iter().filter(|r| r.3).count();
    let refused = view.results.len() - changed;
    let body = html! {
        h1 { "Bulk action" }
        @if let Some(error) = &view.error {
            (error_summary(&[], Some(error), &[]))
        } @else {
            (notice_panel(&format!("{changed} changed, {refused} refused.")))
            ul.bulk-results {
                @for (id, href, what, ok) in &view.results {
                    li class=(if *ok { "ok" } else { "refused" }) {
                        a href=(href) { "Report #" (id) } ": " (what)
                    }
                }
            }
        }
        p { a href="/desk" { "Back to the desk" } }
    };
    let title = if view.error.is_some() { "Error: Bulk action" } else { "Bulk action" };
    layout.page(title, body)
}
