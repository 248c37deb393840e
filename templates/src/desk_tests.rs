//! Rendering tests of the staff pages: sign-in, setup, the queue and the ticket.

#![allow(clippy::unwrap_used)]

use maud::Markup;

use crate::tests::{
    article, assert_escaped, assert_ids_consistent, attr_values, error, group, layout, staff_layout, HOSTILE,
    HOSTILE_ESCAPED,
};
use crate::*;

fn opt(value: &str, label: &str, selected: bool) -> Opt {
    Opt { value: value.to_owned(), label: label.to_owned(), selected }
}

fn login_view() -> LoginView {
    LoginView { email: String::new(), next: "/desk/reports/12".to_owned(), error: None, csrf: "csrf-login".to_owned() }
}

fn setup_view() -> SetupView {
    SetupView {
        action: "/setup/s3tup-t0ken".to_owned(),
        email: String::new(),
        name: String::new(),
        errors: Vec::new(),
        csrf: "csrf-setup".to_owned(),
    }
}

pub(crate) fn row(id: i64, overdue: bool, assignee: Option<&str>) -> QueueRow {
    QueueRow {
        id,
        version: 3,
        href: format!("/desk/reports/{id}"),
        article_title: "Council votes to close library".to_owned(),
        quote_short: "The library will close in May.".to_owned(),
        category_label: "Factual error".to_owned(),
        severity: "high".to_owned(),
        severity_label: "High".to_owned(),
        status: "in_review".to_owned(),
        status_label: "In review".to_owned(),
        age: "3 h".to_owned(),
        deadline: if overdue { "2 h overdue" } else { "due in 5 h" }.to_owned(),
        deadline_exact: "29 November 2026, 14:05 UTC".to_owned(),
        deadline_iso: "2026-11-29T14:05:00Z".to_owned(),
        closed: false,
        overdue,
        reader_replied: false,
        assignee: assignee.map(str::to_owned),
        desk: None,
        escalated: false,
    }
}

pub(crate) fn queue_view() -> QueueView {
    let count = |status: &str, label: &str, count, current| StatusCount {
        status: status.to_owned(),
        label: label.to_owned(),
        count,
        at_least: false,
        href: format!("/desk?status={status}"),
        current,
    };
    QueueView {
        tabs: vec![
            ViewTab { label: "Open".into(), href: "/desk?view=open".into(), count: Some(7), current: true },
            ViewTab { label: "Closed".into(), href: "/desk?view=closed".into(), count: Some(5), current: false },
        ],
        view: "open".into(),
        q: "budget".into(),
        search_hint: "Words of the headline".into(),
        csrf: String::new(),
        bulk_actions: vec![],
        bulk_assignees: vec![],
        bulk_severities: vec![],
        counts: vec![
            count("new", "New", 4, false),
            count("in_review", "In review", 2, true),
            count("needs_info", "Needs information", 1, false),
        ],
        statuses: vec![
            opt("new", "New", false),
            opt("in_review", "In review", true),
            opt("needs_info", "Needs information", false),
        ],
        categories: vec![opt("", "Any kind", true), opt("factual_error", "Factual error", false)],
        severities: vec![opt("", "Any severity", true), opt("legal", "Legal", false)],
        sections: vec![opt("", "Any section", true), opt("Politics", "Politics", false)],
        assignees: vec![
            opt("", "Anyone", false),
            opt("me", "Me", true),
            opt("unassigned", "Unassigned", false),
            opt("ann@news.example", "Ann Lee", false),
        ],
        desks: vec![],
        overdue: false,
        sorts: vec![opt("deadline", "Deadline", true), opt("age", "Age", false), opt("severity", "Severity", false)],
        rows: vec![row(12, true, None), row(13, false, Some("Ann Lee"))],
        next_href: Some("/desk?status=in_review&after=13".to_owned()),
        error: None,
        notice: None,
    }
}

fn mv(to: &str, label: &str, required: bool, reason_label: &str, dup: bool) -> MoveOption {
    MoveOption {
        to: to.to_owned(),
        label: label.to_owned(),
        reason_required: required,
        reason_label: reason_label.to_owned(),
        reason: String::new(),
        needs_duplicate_of: dup,
        group: if required { MoveGroup::Decide } else { MoveGroup::Step },
        tone: Tone::Secondary,
        responses: Vec::new(),
    }
}

/// A move in `group` with `tone`.
fn grouped(mut m: MoveOption, group: MoveGroup, tone: Tone) -> MoveOption {
    m.group = group;
    m.tone = tone;
    m
}

pub(crate) fn ticket_view() -> TicketView {
    TicketView {
        id: 12,
        publish_href: None,
        version: 7,
        csrf: "csrf-ticket".to_owned(),
        status: "in_review".to_owned(),
        status_label: "In review".to_owned(),
        severity: "legal".to_owned(),
        severity_label: "Legal".to_owned(),
        category_label: "Misquote".to_owned(),
        created_at: "28 Nov, 13:05 UTC".to_owned(),
        created_at_iso: "2026-11-28T13:05:00Z".to_owned(),
        deadline: "29 Nov, 13:05 UTC".to_owned(),
        deadline_iso: "2026-11-29T13:05:00Z".to_owned(),
        overdue: true,
        assignee: Some("Ann Lee".to_owned()),
        reporter_name: Some("Dana Fox".to_owned()),
        reporter_email: Some("dana@example.org".to_owned()),
        pii_redacted: false,
        article: article("Council votes to close library"),
        article_text: Some(vec![
            TextPart { text: "The council met on Monday.\n\n".to_owned(), highlighted: false },
            TextPart { text: "The library will close in May.".to_owned(), highlighted: true },
            TextPart { text: " Staff were told on Friday.".to_owned(), highlighted: false },
        ]),
        quote: "The library will close in May.".to_owned(),
        explanation: "It closes in June.\nSee the minutes.".to_owned(),
        evidence_urls: vec!["https://council.example/minutes".to_owned(), "javascript:alert(1)".to_owned()],
        duplicate_of: None,
        likely_duplicates: vec![DuplicateCandidate {
            id: 9,
            href: "/desk/reports/9".to_owned(),
            quote_short: "will close in May".to_owned(),
            status_label: "New".to_owned(),
        }],
        also_open_by: Vec::new(),
        corrections: Vec::new(),
        timeline: vec![
            TimelineItem {
                at: "28 Nov, 13:05 UTC".to_owned(),
                at_iso: "2026-11-28T13:05:00Z".to_owned(),
                actor: "Reader".to_owned(),
                title: "Report received".to_owned(),
                detail: None,
                internal: false,
            },
            TimelineItem {
                at: "28 Nov, 14:00 UTC".to_owned(),
                at_iso: "2026-11-28T14:00:00Z".to_owned(),
                actor: "Ann Lee".to_owned(),
                title: "Note".to_owned(),
                detail: Some("Called the council.\nWaiting for a reply.".to_owned()),
                internal: true,
            },
        ],
        moves: vec![
            grouped(
                mv("needs_info", "Ask the reader for more information", true, "Question for the reader", false),
                MoveGroup::Ask,
                Tone::Secondary,
            ),
            mv("duplicate", "Mark as a duplicate", true, "Reason", true),
            mv("triaged", "Send back to triage", false, "Reason (optional)", false),
        ],
        draft_is_primary: false,
        next_step_note: None,
        decisions_heading: "Close the report".to_owned(),
        responses_href: Some("/desk/responses".to_owned()),
        assignees: vec![opt("", "Unassigned", false), opt("ann@news.example", "Ann Lee", true)],
        severities: vec![
            opt("low", "Low", false),
            opt("normal", "Normal", false),
            opt("high", "High", false),
            opt("legal", "Legal", true),
        ],
        desk: None,
        desk_moves: Vec::new(),
        desk_reason: String::new(),
        can_edit: true,
        error: None,
        notice: None,
    }
}

/// What an auditor sees: no reader details, nothing to do.
fn auditor_view() -> TicketView {
    TicketView {
        reporter_name: None,
        reporter_email: None,
        pii_redacted: true,
        moves: Vec::new(),
        assignees: Vec::new(),
        severities: Vec::new(),
        can_edit: false,
        ..ticket_view()
    }
}

/// The staff pages, by name, for the checks every page must pass.
pub(crate) fn every_desk_page() -> Vec<(&'static str, Markup)> {
    let mut login_error = login_view();
    login_error.email = "ann@news.example".to_owned();
    login_error.error = Some("That email address and password do not match.".to_owned());
    let mut setup_errors = setup_view();
    setup_errors.errors = vec![
        error("email", "Enter an email address like name@example.com."),
        error("password", "Use at least 12 characters."),
        error("password_confirm", "The passwords do not match."),
    ];
    let mut queue_empty = queue_view();
    queue_empty.rows.clear();
    queue_empty.next_href = None;
    queue_empty.error = Some("There is no status called \u{201c}open\u{201d}.".to_owned());
    let mut ticket_messages = ticket_view();
    ticket_messages.error = Some("Someone else changed this report. Reload it.".to_owned());
    ticket_messages.notice = Some("The report was assigned to Ann Lee.".to_owned());
    ticket_messages.also_open_by = vec!["Bo Chen".to_owned(), "Cy Diaz".to_owned()];
    ticket_messages.duplicate_of = Some((9, "/desk/reports/9".to_owned()));
    let mut ticket_new = new_report_actions();
    ticket_new.moves[2].responses = vec![opt("3", "Ask for a source", false)];
    ticket_new.moves[3].responses = vec![opt("4", "The passage is right", false)];
    ticket_new.moves[3].reason = "Dear Dana, the passage is right.".to_owned();
    vec![
        ("login", login(&layout(), &login_view())),
        ("login-error", login(&layout(), &login_error)),
        ("setup", setup(&layout(), &setup_view())),
        ("setup-errors", setup(&layout(), &setup_errors)),
        ("queue", queue(&staff_layout(), &queue_view())),
        ("queue-empty", queue(&staff_layout(), &queue_empty)),
        ("queue-default", queue(&staff_layout(), &QueueView::default())),
        ("ticket", ticket(&staff_layout(), &ticket_view())),
        ("ticket-messages", ticket(&staff_layout(), &ticket_messages)),
        ("ticket-auditor", ticket(&staff_layout(), &auditor_view())),
        ("ticket-new", ticket(&staff_layout(), &ticket_new)),
    ]
    .into_iter()
    .chain(every_correction_desk_page())
    .collect()
}

/// The `<main>` element, without the header's sign-out form.
fn main_of(html: &str) -> &str {
    &html[html.find("<main").unwrap()..html.find("</main>").unwrap()]
}

/// Each `<form ...>...</form>` in `html`.
fn forms(html: &str) -> Vec<&str> {
    html.match_indices("<form").map(|(i, _)| &html[i..i + html[i..].find("</form>").unwrap()]).collect()
}

// Sign-in.

#[test]
fn login_has_email_password_and_hidden_fields() {
    let html = login(&layout(), &login_view()).into_string();
    assert!(html.contains("<title>Sign in · The Daily Example</title>"));
    assert!(html.contains("<h1>Sign in</h1>"));
    let form = forms(main_of(&html))[0];
    assert!(form.contains("method=\"post\" action=\"/login\""));
    assert!(form.contains("<label class=\"label\" for=\"field-email\">Email address</label>"));
    assert!(form.contains(
        "<input class=\"input\" id=\"field-email\" type=\"email\" name=\"email\" value=\"\" \
         autocomplete=\"username\""
    ));
    assert!(form.contains("<label class=\"label\" for=\"field-password\">Password</label>"));
    assert!(
        form.contains("id=\"field-password\" type=\"password\" name=\"password\" autocomplete=\"current-password\"")
    );
    assert!(form.contains("<input type=\"hidden\" name=\"next\" value=\"/desk/reports/12\">"));
    assert!(form.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-login\">"));
    assert!(form.contains("<button class=\"button\" type=\"submit\">Sign in</button>"));
    assert!(!html.contains("role=\"alert\""));
    assert!(!html.contains("/logout"), "nobody is signed in yet");
}

#[test]
fn login_error_is_at_the_top_and_the_email_kept() {
    let mut view = login_view();
    view.email = "ann@news.example".to_owned();
    view.error = Some("That email address and password do not match.".to_owned());
    let html = login(&layout(), &view).into_string();
    assert!(html.contains("<title>Error: Sign in · The Daily Example</title>"));
    let alert = html.find("role=\"alert\"").unwrap();
    assert!(alert < html.find("<form").unwrap());
    assert!(html.contains("<li>That email address and password do not match.</li>"));
    assert!(html.contains("value=\"ann@news.example\""));
    // The password is never sent back.
    assert_eq!(attr_values(&html, "value").len(), 3, "email, next, csrf");
}

#[test]
fn login_escapes_everything() {
    let view = LoginView {
        email: HOSTILE.to_owned(),
        next: HOSTILE.to_owned(),
        error: Some(HOSTILE.to_owned()),
        csrf: HOSTILE.to_owned(),
    };
    let html = login(&layout(), &view).into_string();
    assert_escaped(&html);
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 4, "{html}");
}

// First-run setup.

#[test]
fn setup_has_fields_hints_and_autocomplete() {
    let html = setup(&layout(), &setup_view()).into_string();
    assert!(html.contains("<h1>Create the first standards editor account</h1>"));
    assert!(html.contains("This link works once."));
    let form = forms(&html)[0];
    assert!(form.contains("method=\"post\" action=\"/setup/s3tup-t0ken\""));
    assert!(form.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-setup\">"));
    for name in ["email", "name", "password", "password_confirm"] {
        let g = group(&html, name);
        assert!(g.contains(&format!("id=\"field-{name}\"")), "{g}");
        assert!(g.contains(&format!("name=\"{name}\"")), "{g}");
    }
    let password = group(&html, "password");
    assert!(password.contains("<p class=\"hint\" id=\"hint-password\">At least 12 characters.</p>"));
    assert!(password.contains("type=\"password\""));
    assert!(password.contains("autocomplete=\"new-password\" minlength=\"12\" required"));
    assert!(password.contains("aria-describedby=\"hint-password\""));
    let confirm = group(&html, "password_confirm");
    assert!(confirm.contains("type=\"password\""));
    assert!(confirm.contains("autocomplete=\"new-password\""));
    assert!(!confirm.contains("aria-describedby"), "no hint, no error");
    assert!(group(&html, "email").contains("type=\"email\""));
    assert!(html.contains("<button class=\"button\" type=\"submit\">Create account</button>"));
    assert!(!html.contains("There is a problem"));
    assert!(!html.contains("aria-invalid"));
}

#[test]
fn setup_errors_are_summarised_and_beside_their_fields() {
    let mut view = setup_view();
    view.email = "ann@news".to_owned();
    view.name = "Ann Lee".to_owned();
    view.errors = vec![
        error("email", "Enter an email address like name@example.com."),
        error("password_confirm", "The passwords do not match."),
    ];
    let html = setup(&layout(), &view).into_string();
    assert!(html.contains("<title>Error: Create the first standards editor account · The Daily Example</title>"));
    let summary = html.find("<div class=\"error-summary\" role=\"alert\"").unwrap();
    assert!(summary < html.find("<form").unwrap());
    assert!(html.contains("<a href=\"#field-email\">Enter an email address like name@example.com.</a>"));
    assert!(html.contains("<a href=\"#field-password_confirm\">The passwords do not match.</a>"));
    let email = group(&html, "email");
    assert!(email.starts_with("<div class=\"form-group has-error\">"));
    assert!(email.contains("aria-describedby=\"hint-email error-email\" aria-invalid=\"true\""));
    assert!(email.contains("value=\"ann@news\""));
    let confirm = group(&html, "password_confirm");
    assert!(confirm.contains("aria-describedby=\"error-password_confirm\" aria-invalid=\"true\""));
    assert!(group(&html, "name").contains("value=\"Ann Lee\""));
    assert!(!group(&html, "password").contains("aria-invalid"));
}

#[test]
fn setup_escapes_everything() {
    let view = SetupView {
        action: HOSTILE.to_owned(),
        email: HOSTILE.to_owned(),
        name: HOSTILE.to_owned(),
        errors: vec![error("name", HOSTILE)],
        csrf: HOSTILE.to_owned(),
    };
    let html = setup(&layout(), &view).into_string();
    assert_escaped(&html);
    // Action, email, name, csrf, and the error in the summary and beside the field.
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 6, "{html}");
}

// The queue.

#[test]
fn queue_renders_one_row_per_report() {
    let html = queue(&staff_layout(), &queue_view()).into_string();
    assert!(html.contains("<title>Corrections desk · The Daily Example</title>"));
    assert!(html.contains("<h1>Corrections desk</h1>"));
    let tbody = &html[html.find("<tbody>").unwrap()..html.find("</tbody>").unwrap()];
    assert_eq!(tbody.matches("<tr").count(), 2);
    assert!(tbody.contains(
        "<td class=\"choose\"><input id=\"choose-12\" type=\"checkbox\" name=\"ids\" value=\"12\">\
         <label class=\"visually-hidden\" for=\"choose-12\">Choose report #12</label>\
         <input type=\"hidden\" name=\"version-12\" value=\"3\"></td>"
    ));
    assert!(tbody.contains(
        "<th scope=\"row\"><a href=\"/desk/reports/12\"><span class=\"visually-hidden\">Report \
         </span>#12</a><span class=\"row-article\">Council votes to close library</span></th>"
    ));
    assert!(tbody.contains("<td class=\"quote-short\">The library will close in May.</td>"));
    assert!(tbody.contains("<td data-label=\"Category\">Factual error</td>"));
    assert!(tbody.contains("<span class=\"badge severity-high\">High</span>"));
    assert!(tbody.contains("<span class=\"badge status-in_review\">In review</span>"));
    assert!(tbody.contains("<td class=\"nowrap\" data-label=\"Age\">3 h</td>"));
    assert!(tbody.contains(
        "<time datetime=\"2026-11-29T14:05:00Z\" title=\"29 November 2026, 14:05 UTC\">2 h overdue</time> \
         <strong class=\"flag-overdue\">Overdue</strong>"
    ));
    assert_eq!(tbody.matches("Overdue").count(), 1, "only #12 is overdue");
    assert!(tbody.contains("<span class=\"muted\">Unassigned</span>"));
    assert!(tbody.contains("<td data-label=\"Assignee\">Ann Lee</td>"));
    assert!(!html.contains("No reports match these filters."));
}

#[test]
fn queue_table_has_caption_column_headers_and_scrolls_on_its_own() {
    let html = queue(&staff_layout(), &queue_view()).into_string();
    assert!(html.contains("<div class=\"table-scroll\" role=\"region\" aria-label=\"Reports\" tabindex=\"0\"><table"));
    assert!(html.contains("<caption"));
    let thead = &html[html.find("<thead>").unwrap()..html.find("</thead>").unwrap()];
    let headers: Vec<&str> = thead.split("<th scope=\"col\">").skip(1).map(|h| &h[..h.find('<').unwrap()]).collect();
    assert_eq!(
        headers,
        ["", "Report", "Passage", "Category", "Severity", "Status", "Age", "Deadline", "Assignee", "Desk"]
    );
}

#[test]
fn queue_counts_link_and_mark_the_current_one() {
    let html = queue(&staff_layout(), &queue_view()).into_string();
    let start = html.find("<nav class=\"status-counts\"").unwrap();
    let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
    assert!(nav.contains("aria-label=\"Reports by status\""));
    assert_eq!(nav.matches("<a ").count(), 3);
    assert_eq!(nav.matches("aria-current=\"page\"").count(), 1);
    assert!(nav.contains(
        "<a href=\"/desk?status=in_review\" aria-current=\"page\"><span class=\"count-label\">\
         In review</span> <span class=\"count\">2</span></a>"
    ));
    assert!(nav.contains("<a href=\"/desk?status=new\"><span class=\"count-label\">New</span>"));
}

#[test]
fn queue_filter_form_gets_desk_with_labelled_controls() {
    let html = queue(&staff_layout(), &queue_view()).into_string();
    let form = forms(main_of(&html))[0];
    assert!(form.starts_with("<form method=\"get\" action=\"/desk\""));
    assert!(form.contains("<legend class=\"label\">Status</legend>"));
    assert!(form.contains(
        "<input id=\"field-status-in_review\" type=\"checkbox\" name=\"status\" value=\"in_review\" checked>\
         <label for=\"field-status-in_review\">In review</label>"
    ));
    assert!(form.contains("<input id=\"field-status-new\" type=\"checkbox\" name=\"status\" value=\"new\"><label"));
    for (name, label) in [
        ("category", "Kind of error"),
        ("severity", "Severity"),
        ("section", "Section"),
        ("assignee", "Assignee"),
        ("sort", "Sort by"),
    ] {
        assert!(form.contains(&format!("<label class=\"label\" for=\"field-{name}\">{label}</label>")), "{name}");
        assert!(form.contains(&format!("<select class=\"select\" id=\"field-{name}\" name=\"{name}\">")));
    }
    assert!(form.contains("<option value=\"me\" selected>Me</option>"));
    assert!(form.contains("<option value=\"severity\">Severity</option>"));
    assert!(form.contains("<input id=\"field-overdue\" type=\"checkbox\" name=\"overdue\" value=\"true\"><label"));
    assert!(form.contains("<button class=\"button\" type=\"submit\">Apply filters</button>"));
    assert!(form.contains("<a href=\"/desk\">Clear</a>"));
    assert!(!form.contains("name=\"csrf\""), "a GET form carries no token");

    let mut view = queue_view();
    view.overdue = true;
    let html = queue(&staff_layout(), &view).into_string();
    assert!(html.contains("name=\"overdue\" value=\"true\" checked>"));
}

#[test]
fn queue_empty_state_error_and_no_next_link() {
    let mut view = queue_view();
    view.rows.clear();
    view.next_href = None;
    view.error = Some("There is no status called open.".to_owned());
    let html = queue(&staff_layout(), &view).into_string();
    assert!(html.contains("<p class=\"empty\">No reports match these filters.</p>"));
    assert!(!html.contains("<table"));
    assert!(!html.contains("Next page"));
    assert!(html.contains("<title>Error: Corrections desk · The Daily Example</title>"));
    let alert = html.find("role=\"alert\"").unwrap();
    assert!(html[alert..].contains("<li>There is no status called open.</li>"));
    assert!(alert < html.find("No reports match").unwrap());
}

#[test]
fn queue_links_the_next_page_when_there_is_one() {
    let html = queue(&staff_layout(), &queue_view()).into_string();
    assert!(html.contains("<a href=\"/desk?status=in_review&amp;after=13\" rel=\"next\">Next page</a>"));
    let mut view = queue_view();
    view.next_href = None;
    let html = queue(&staff_layout(), &view).into_string();
    assert!(!html.contains("Next page"));
    assert!(!html.contains("rel=\"next\""));
}

#[test]
fn queue_with_nothing_to_choose_still_renders() {
    let html = queue(&staff_layout(), &QueueView::default()).into_string();
    assert!(html.contains("No reports match these filters."));
    assert!(!html.contains("<select"), "no empty selects");
    assert!(!html.contains("<fieldset"));
    assert!(!html.contains("status-counts"));
    assert!(html.contains("Apply filters"));
}

#[test]
fn queue_escapes_everything() {
    let hostile_row = QueueRow {
        id: 1,
        version: 1,
        href: HOSTILE.to_owned(),
        article_title: HOSTILE.to_owned(),
        quote_short: HOSTILE.to_owned(),
        category_label: HOSTILE.to_owned(),
        severity: HOSTILE.to_owned(),
        severity_label: HOSTILE.to_owned(),
        status: HOSTILE.to_owned(),
        status_label: HOSTILE.to_owned(),
        age: HOSTILE.to_owned(),
        deadline: HOSTILE.to_owned(),
        deadline_exact: HOSTILE.to_owned(),
        deadline_iso: HOSTILE.to_owned(),
        closed: false,
        overdue: false,
        reader_replied: false,
        assignee: Some(HOSTILE.to_owned()),
        desk: Some(HOSTILE.to_owned()),
        escalated: true,
    };
    let view = QueueView {
        tabs: vec![ViewTab { label: HOSTILE.to_owned(), href: HOSTILE.to_owned(), count: Some(1), current: true }],
        view: HOSTILE.to_owned(),
        counts: vec![StatusCount {
            status: HOSTILE.to_owned(),
            label: HOSTILE.to_owned(),
            count: 1,
            at_least: false,
            href: HOSTILE.to_owned(),
            current: false,
        }],
        statuses: vec![opt(HOSTILE, HOSTILE, false)],
        categories: vec![opt(HOSTILE, HOSTILE, false)],
        rows: vec![hostile_row],
        next_href: Some(HOSTILE.to_owned()),
        error: Some(HOSTILE.to_owned()),
        ..QueueView::default()
    };
    let html = queue(&staff_layout(), &view).into_string();
    assert_escaped(&html);
    // Tab label and href; the view kept in the form; count label and href; status value and
    // label; category value and label; 14 row fields; next link; error.
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 25, "{html}");
    assert_ids_consistent(&html);
}

// The ticket.

#[test]
fn ticket_shows_heading_badges_and_summary() {
    let html = ticket(&staff_layout(), &ticket_view()).into_string();
    assert!(html.contains("<title>Report #12 · The Daily Example</title>"));
    assert!(html.contains("<h1>Report #12</h1>"));
    assert!(html.contains(
        "<span class=\"badge status-in_review\"><span class=\"visually-hidden\">Status: </span>In review</span>"
    ));
    assert!(html.contains(
        "<span class=\"badge severity-legal\"><span class=\"visually-hidden\">Severity: </span>Legal</span>"
    ));
    assert!(html.contains("<dt>Kind of error</dt><dd>Misquote</dd>"));
    assert!(html.contains("<dt>Filed</dt><dd><time datetime=\"2026-11-28T13:05:00Z\">28 Nov, 13:05 UTC</time></dd>"));
    assert!(html.contains(
        "<dt>Deadline</dt><dd><time datetime=\"2026-11-29T13:05:00Z\">29 Nov, 13:05 UTC</time> \
         <strong class=\"flag-overdue\">Overdue</strong></dd>"
    ));
    assert!(html.contains("<dt>Assignee</dt><dd>Ann Lee</dd>"));
    assert!(html.contains("<dt>Reader's name</dt><dd>Dana Fox</dd>"));
    assert!(html.contains("<dt>Reader's email</dt><dd>dana@example.org</dd>"));
    assert!(!html.contains("Redacted"));
    assert!(!html.contains("role=\"alert\""));
    assert!(!html.contains("Also open by"));
    assert!(!html.contains("Duplicate of"));
}

#[test]
fn ticket_says_when_details_are_missing() {
    let mut view = ticket_view();
    view.assignee = None;
    view.reporter_name = None;
    view.reporter_email = None;
    view.overdue = false;
    view.evidence_urls.clear();
    view.timeline.clear();
    let html = ticket(&staff_layout(), &view).into_string();
    assert!(html.contains("<dt>Assignee</dt><dd><span class=\"muted\">Unassigned</span></dd>"));
    assert!(html.contains("<dt>Reader's name</dt><dd><span class=\"muted\">Not given</span></dd>"));
    assert!(html.contains("<dt>Reader's email</dt><dd><span class=\"muted\">Not given</span></dd>"));
    assert!(!html.contains("Overdue"));
    assert!(html.contains("No links were sent."));
    assert!(html.contains("Nothing has happened yet."));
    assert!(!html.contains("<ol class=\"timeline\">"));
}

#[test]
fn ticket_shows_passage_explanation_evidence_and_duplicates() {
    let html = ticket(&staff_layout(), &ticket_view()).into_string();
    assert!(html.contains(
        "<blockquote class=\"quote\"><p class=\"preserve-lines\">The library will close in May.</p></blockquote>"
    ));
    assert!(html.contains("<p class=\"preserve-lines\">It closes in June.\nSee the minutes.</p>"));
    assert!(html.contains("<a href=\"https://council.example/minutes\" rel=\"nofollow noopener noreferrer\">"));
    assert!(!html.contains("href=\"javascript:"));
    assert!(html.contains("<li>javascript:alert(1)</li>"));
    assert!(html.contains(
        "<li><a href=\"/desk/reports/9\">Report #9</a> (New): \
         <span class=\"quote-short\">will close in May</span></li>"
    ));
    assert!(html.contains("rel=\"noopener noreferrer\">Council votes to close library</a>"));
}

#[test]
fn ticket_article_text_is_collapsible_with_the_passage_marked() {
    let html = ticket(&staff_layout(), &ticket_view()).into_string();
    let start = html.find("<details class=\"article-text\">").unwrap();
    let details = &html[start..start + html[start..].find("</details>").unwrap()];
    assert!(details.contains("<summary>Article text</summary>"));
    assert!(details.contains("The council met on Monday.\n\n<mark>"));
    assert!(details.contains(
        "<mark><span class=\"visually-hidden\">Start of quoted passage: </span>\
         The library will close in May.\
         <span class=\"visually-hidden\"> End of quoted passage.</span></mark> Staff were told"
    ));
    assert_eq!(details.matches("<mark>").count(), 1);

    let mut view = ticket_view();
    view.article_text = None;
    let html = ticket(&staff_layout(), &view).into_string();
    assert!(!html.contains("<details"));
    assert!(!html.contains("<mark>"));
}

#[test]
fn ticket_timeline_tags_internal_entries() {
    let html = ticket(&staff_layout(), &ticket_view()).into_string();
    let start = html.find("<ol class=\"timeline\">").unwrap();
    let timeline = &html[start..start + html[start..].find("</ol>").unwrap()];
    let items: Vec<&str> = timeline.split("<li").skip(1).collect();
    assert_eq!(items.len(), 2);
    assert!(items[0].starts_with('>'));
    assert!(items[0].contains("<time datetime=\"2026-11-28T13:05:00Z\">28 Nov, 13:05 UTC</time> · Reader"));
    assert!(items[0].contains("<p class=\"timeline-title\">Report received</p>"));
    assert!(!items[0].contains("Internal"));
    assert!(items[1].starts_with(" class=\"internal\">"));
    assert!(items[1].contains("· Ann Lee <span class=\"tag-internal\">Internal</span>"));
    assert!(items[1].contains("<p class=\"preserve-lines\">Called the council.\nWaiting for a reply.</p>"));
}

#[test]
fn ticket_renders_exactly_the_given_moves() {
    let html = ticket(&staff_layout(), &ticket_view()).into_string();
    let moves: Vec<&str> =
        forms(&html).into_iter().filter(|f| f.contains("action=\"/desk/reports/12/transitions\"")).collect();
    assert_eq!(moves.len(), 3);
    // The step forward first, then asking the reader, then the decision.
    for (form, (to, label)) in moves.iter().zip([
        ("triaged", "Send back to triage"),
        ("needs_info", "Ask the reader for more information"),
        ("duplicate", "Mark as a duplicate"),
    ]) {
        assert!(form.contains(&format!("<input type=\"hidden\" name=\"to\" value=\"{to}\">")));
        assert!(form.contains(&format!("<button class=\"button button-secondary\" type=\"submit\">{label}</button>")));
    }
    // A move that takes no reason is a button alone: no box, no legend.
    assert!(moves[0].starts_with("<form class=\"move-form move-button\" method=\"post\""));
    assert!(!moves[0].contains("<textarea") && !moves[0].contains("<legend"));
    for (form, to, label) in [
        (moves[1], "needs_info", "Ask the reader for more information"),
        (moves[2], "duplicate", "Mark as a duplicate"),
    ] {
        assert!(form.starts_with("<form class=\"action-form move-form\" method=\"post\""));
        assert!(form.contains(&format!("<legend class=\"visually-hidden\">{label}</legend>")));
        assert!(form.contains(&format!("id=\"field-reason-{to}\" name=\"reason\" rows=\"3\" required>")));
    }
    assert!(moves[1].contains("<label class=\"label\" for=\"field-reason-needs_info\">Question for the reader</label>"));
    // Only the duplicate move asks for the primary report.
    assert!(
        moves[2].contains("<label class=\"label\" for=\"field-duplicate_of-duplicate\">Primary report number</label>")
    );
    assert!(
        moves[2].contains("type=\"number\" name=\"duplicate_of\" min=\"1\" step=\"1\" inputmode=\"numeric\" required")
    );
    assert!(!moves[0].contains("duplicate_of"));
    assert!(!moves[1].contains("duplicate_of"));
    assert_eq!(html.matches("name=\"duplicate_of\"").count(), 1);
    assert_eq!(html.matches("name=\"reason\"").count(), 2, "reason boxes only where a reason is taken");
}

/// The ticket's actions for a new report: start review, triage, ask, and three decisions.
fn new_report_actions() -> TicketView {
    let ask = "Question for the reader";
    TicketView {
        status: "new".to_owned(),
        publish_href: Some("/desk/corrections/new?report=12".to_owned()),
        moves: vec![
            mv("triaged", "Mark as triaged", false, "", false),
            grouped(mv("in_review", "Start review", false, "", false), MoveGroup::Primary, Tone::Primary),
            grouped(mv("needs_info", "Ask the reader", true, ask, false), MoveGroup::Ask, Tone::Secondary),
            mv("no_change", "Close: no change needed", true, "Reason", false),
            grouped(mv("rejected", "Reject the report", true, "Reason", false), MoveGroup::Decide, Tone::Danger),
            mv("duplicate", "Mark as duplicate", true, "Reason", true),
        ],
        ..ticket_view()
    }
}

/// The part of the page from `start` to the end of the element it opens, roughly: up to `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap();
    &html[from..from + html[from..].find(end).unwrap()]
}

#[test]
fn ticket_has_one_primary_action_then_asking_then_the_decisions_apart() {
    let html = ticket(&staff_layout(), &new_report_actions()).into_string();
    let actions = &html[html.find("id=\"actions-heading\"").unwrap()..];
    // Exactly one button in the primary style, and it is the first action.
    assert_eq!(actions.matches("class=\"button\"").count(), 1, "{actions}");
    let primary = actions.find("<button class=\"button\" type=\"submit\">Start review</button>").unwrap();
    assert!(primary < actions.find("Mark as triaged").unwrap());
    assert!(actions.find("<h3>Next step</h3>").unwrap() < primary);
    // Drafting is there, but not the primary action before review.
    assert!(actions.contains(
        "<a class=\"button button-secondary\" href=\"/desk/corrections/new?report=12\">Draft a correction</a>"
    ));
    let ask = actions.find("<h3>Ask the reader</h3>").unwrap();
    let decisions = actions.find("id=\"decisions-heading\"").unwrap();
    assert!(primary < ask && ask < decisions);
    let group = between(actions, "<section class=\"decisions\"", "</section>");
    assert!(group.contains("<h3 id=\"decisions-heading\">Close the report</h3>"));
    assert!(group.contains("The reader is told the reason you give."));
    for (to, class, label) in [
        ("no_change", "button button-secondary", "Close: no change needed"),
        ("rejected", "button button-danger", "Reject the report"),
        ("duplicate", "button button-secondary", "Mark as duplicate"),
    ] {
        assert!(group.contains(&format!("id=\"field-reason-{to}\"")), "{to} has its reason box");
        assert!(group.contains(&format!("<button class=\"{class}\" type=\"submit\">{label}</button>")), "{to}");
    }
    assert!(!group.contains("needs_info") && !group.contains("Start review"));
    // Moves that take no reason have no box.
    assert_eq!(html.matches("name=\"reason\"").count(), 4);
    assert!(!html.contains("field-reason-in_review") && !html.contains("field-reason-triaged"));
    assert_ids_consistent(&html);
}

#[test]
fn ticket_in_review_makes_drafting_the_primary_action() {
    let mut view = ticket_view();
    view.publish_href = Some("/desk/corrections/new?report=12".to_owned());
    view.draft_is_primary = true;
    let html = ticket(&staff_layout(), &view).into_string();
    let actions = &html[html.find("id=\"actions-heading\"").unwrap()..];
    assert!(actions.contains("<a class=\"button\" href=\"/desk/corrections/new?report=12\">Draft a correction</a>"));
    assert_eq!(actions.matches("class=\"button\"").count(), 1);
    assert!(actions.find("Draft a correction").unwrap() < actions.find("<form").unwrap());
}

#[test]
fn ticket_says_what_it_waits_for_and_names_the_decisions_group() {
    let mut view = ticket_view();
    view.next_step_note = Some("Waiting for the reader to answer.".to_owned());
    view.decisions_heading = "Decide the appeal".to_owned();
    let html = ticket(&staff_layout(), &view).into_string();
    assert!(html.contains("<p class=\"next-step-note\">Waiting for the reader to answer.</p>"));
    assert!(html.contains("<h3 id=\"decisions-heading\">Decide the appeal</h3>"));
}

#[test]
fn ticket_offers_saved_responses_beside_the_reason_without_script() {
    let mut view = ticket_view();
    view.moves[0].responses = vec![opt("3", "Ask for a source", false), opt("4", "Which edition?", false)];
    view.moves[0].reason = "Dear Dana, which edition did you read?".to_owned();
    let html = ticket(&staff_layout(), &view).into_string();
    let card = between(&html, "<div class=\"move-card\" id=\"move-needs_info\">", "</form></div>");
    // A GET form back to the ticket, landing on this move, before the move's own form.
    let picker = between(card, "<form class=\"response-picker\"", "</form>");
    assert!(picker.contains("method=\"get\" action=\"/desk/reports/12#move-needs_info\""));
    assert!(picker.contains("<input type=\"hidden\" name=\"to\" value=\"needs_info\">"));
    assert!(picker.contains("<label class=\"label\" for=\"field-response-needs_info\">Saved response</label>"));
    assert!(picker.contains("<select class=\"select\" id=\"field-response-needs_info\" name=\"response\">"));
    assert!(picker.contains("<option value=\"3\">Ask for a source</option>"));
    assert!(picker.contains(
        "<button class=\"button button-secondary\" type=\"submit\">Use<span class=\"visually-hidden\"> for Ask \
         the reader for more information</span></button>"
    ));
    assert!(!picker.contains("csrf") && !picker.contains("version"), "nothing secret in a GET");
    assert!(card.find("response-picker").unwrap() < card.find("/transitions").unwrap());
    // The reason box holds the filled-in response.
    assert!(card.contains("rows=\"8\" required>\nDear Dana, which edition did you read?</textarea>"));
    assert!(!card.contains("hint-reason"), "no hint without a link placeholder");
    let mut linked = ticket_view();
    linked.moves[0].reason = "Answer at {tracking_link}.".to_owned();
    let linked = ticket(&staff_layout(), &linked).into_string();
    assert!(linked.contains("{tracking_link} becomes a link to the reader's report in the email"));
    assert!(linked.contains("aria-describedby=\"hint-reason-needs_info\">\nAnswer at {tracking_link}.</textarea>"));
    assert!(html.contains("<p class=\"responses-link\"><a href=\"/desk/responses\">Saved responses</a></p>"));
    // Only moves given responses get a picker.
    assert_eq!(html.matches("name=\"response\"").count(), 1);
    assert_ids_consistent(&html);
}

#[test]
fn ticket_without_saved_responses_has_no_picker_or_link() {
    let html = ticket(&staff_layout(), &ticket_view()).into_string();
    assert!(!html.contains("response-picker"));
    assert!(!html.contains("/desk/responses"));
}

#[test]
fn ticket_ids_stay_unique_with_many_moves() {
    let mut view = ticket_view();
    view.moves = ["triaged", "in_review", "needs_info", "no_change", "rejected", "duplicate", "awaiting_approval"]
        .iter()
        .map(|to| {
            let mut m = mv(to, &format!("Move to {to}"), true, "Reason", true);
            m.responses = vec![opt("1", "A response", false)];
            m
        })
        .collect();
    let html = ticket(&staff_layout(), &view).into_string();
    assert_eq!(html.matches("name=\"reason\"").count(), 7);
    assert_eq!(html.matches("name=\"duplicate_of\"").count(), 7);
    assert_eq!(html.matches("name=\"response\"").count(), 7);
    assert_ids_consistent(&html);
}

#[test]
fn ticket_forms_carry_csrf_and_version() {
    let mut view = ticket_view();
    view.moves[0].responses = vec![opt("3", "Ask for a source", false)];
    let html = ticket(&staff_layout(), &view).into_string();
    let all: Vec<&str> = forms(main_of(&html)).into_iter().filter(|f| f.contains("method=\"post\"")).collect();
    // Three moves, assignment, severity, note.
    assert_eq!(all.len(), 6);
    for form in &all {
        assert_eq!(form.matches("<input type=\"hidden\" name=\"csrf\" value=\"csrf-ticket\">").count(), 1, "{form}");
    }
    let versioned = all.iter().filter(|f| f.contains("<input type=\"hidden\" name=\"version\" value=\"7\">")).count();
    assert_eq!(versioned, 5, "every form but the note's");
    // The saved response picker is the one GET form.
    assert_eq!(forms(main_of(&html)).len(), 7);
}

#[test]
fn ticket_assignment_severity_and_note_forms() {
    let html = ticket(&staff_layout(), &ticket_view()).into_string();
    let all = forms(main_of(&html));
    let find =
        |action: &str| *all.iter().find(|f| f.contains(&format!("action=\"/desk/reports/12/{action}\""))).unwrap();
    let assign = find("assignment");
    assert!(assign.contains("<label class=\"label\" for=\"field-assignee_email\">Assignee</label>"));
    assert!(assign.contains("<select class=\"select\" id=\"field-assignee_email\" name=\"assignee_email\">"));
    assert!(assign.contains("<option value=\"\">Unassigned</option>"));
    assert!(assign.contains("<option value=\"ann@news.example\" selected>Ann Lee</option>"));
    assert!(assign.contains("<button class=\"button button-secondary\" type=\"submit\">Assign</button>"));
    let severity = find("severity");
    assert!(severity.contains("<select class=\"select\" id=\"field-severity\" name=\"severity\">"));
    assert!(severity.contains("<option value=\"legal\" selected>Legal</option>"));
    assert!(severity.contains("<button class=\"button button-secondary\" type=\"submit\">Change severity</button>"));
    let note = find("notes");
    assert!(
        note.contains("<label class=\"label\" for=\"field-body\">Internal note (never shown to the reader)</label>")
    );
    assert!(note.contains("<textarea class=\"textarea\" id=\"field-body\" name=\"body\""));
    assert!(note.contains("<button class=\"button button-secondary\" type=\"submit\">Add note</button>"));
    assert!(!note.contains("name=\"version\""));
}

#[test]
fn ticket_without_lists_shows_only_the_note_form() {
    let mut view = ticket_view();
    view.moves.clear();
    view.assignees.clear();
    view.severities.clear();
    let html = ticket(&staff_layout(), &view).into_string();
    let all = forms(main_of(&html));
    assert_eq!(all.len(), 1);
    assert!(all[0].contains("action=\"/desk/reports/12/notes\""));
    assert!(!html.contains("<select"));
}

#[test]
fn ticket_for_an_auditor_has_no_forms_and_redacts_the_reader() {
    let html = ticket(&staff_layout(), &auditor_view()).into_string();
    let main = main_of(&html);
    assert!(!main.contains("<form"));
    assert!(!main.contains("<textarea"));
    assert!(!main.contains("<select"));
    assert!(!main.contains("<input"));
    assert!(!main.contains("Actions"));
    assert!(main.contains("<dt>Reader's name</dt><dd><span class=\"muted\">Redacted</span></dd>"));
    assert!(main.contains("<dt>Reader's email</dt><dd><span class=\"muted\">Redacted</span></dd>"));
    assert!(!main.contains("Not given"));
    assert!(!main.contains('@'), "no email address anywhere");
    // The audit trail is still all there.
    assert!(main.contains("Called the council."));
    assert!(main.contains("<span class=\"tag-internal\">Internal</span>"));
}

#[test]
fn ticket_redacts_even_when_details_slip_through() {
    let mut view = auditor_view();
    view.reporter_name = Some("Dana Fox".to_owned());
    view.reporter_email = Some("dana@example.org".to_owned());
    let html = ticket(&staff_layout(), &view).into_string();
    assert!(!html.contains("Dana Fox"));
    assert!(!html.contains("dana@example.org"));
    assert_eq!(html.matches("Redacted").count(), 2);
}

#[test]
fn ticket_can_edit_false_hides_forms_whatever_the_lists() {
    let mut view = ticket_view();
    view.can_edit = false;
    let html = ticket(&staff_layout(), &view).into_string();
    assert!(!main_of(&html).contains("<form"));
}

#[test]
fn ticket_messages_warning_and_duplicate_link() {
    let mut view = ticket_view();
    view.error = Some("Someone else changed this report. Reload it.".to_owned());
    view.notice = Some("The note was added.".to_owned());
    view.also_open_by = vec!["Bo Chen".to_owned(), "Cy Diaz".to_owned()];
    view.duplicate_of = Some((9, "/desk/reports/9".to_owned()));
    let html = ticket(&staff_layout(), &view).into_string();
    assert!(html.contains("<title>Error: Report #12 · The Daily Example</title>"));
    let alert = html.find("role=\"alert\"").unwrap();
    assert!(html[alert..].contains("<li>Someone else changed this report. Reload it.</li>"));
    assert!(html.contains("<div class=\"panel-success\" role=\"status\"><p>The note was added.</p></div>"));
    assert!(html.contains("<div class=\"panel-warning\"><p><strong>Also open by: Bo Chen and Cy Diaz.</strong>"));
    assert!(html.contains("<p class=\"duplicate-of\">Duplicate of <a href=\"/desk/reports/9\">report #9</a></p>"));
    // All of them come before the report itself.
    let summary = html.find("id=\"summary-heading\"").unwrap();
    for needle in ["role=\"alert\"", "role=\"status\"", "Also open by", "Duplicate of"] {
        assert!(html.find(needle).unwrap() < summary, "{needle}");
    }
}

#[test]
fn ticket_escapes_everything_staff_and_readers_wrote() {
    let hostile = || Some(HOSTILE.to_owned());
    let mut view = ticket_view();
    view.csrf = HOSTILE.to_owned();
    view.quote = HOSTILE.to_owned();
    view.explanation = HOSTILE.to_owned();
    view.assignee = hostile();
    view.reporter_name = hostile();
    view.reporter_email = hostile();
    view.also_open_by = vec![HOSTILE.to_owned()];
    view.article_text = Some(vec![
        TextPart { text: HOSTILE.to_owned(), highlighted: false },
        TextPart { text: HOSTILE.to_owned(), highlighted: true },
    ]);
    view.evidence_urls = vec![HOSTILE.to_owned()];
    view.likely_duplicates[0].quote_short = HOSTILE.to_owned();
    view.timeline[1].actor = HOSTILE.to_owned();
    view.timeline[1].title = HOSTILE.to_owned();
    view.timeline[1].detail = hostile();
    let mut hostile_move = mv(HOSTILE, HOSTILE, true, HOSTILE, true);
    hostile_move.reason = HOSTILE.to_owned();
    hostile_move.responses = vec![opt(HOSTILE, HOSTILE, true)];
    view.moves = vec![hostile_move];
    view.next_step_note = hostile();
    view.decisions_heading = HOSTILE.to_owned();
    view.error = hostile();
    view.notice = hostile();
    let html = ticket(&staff_layout(), &view).into_string();
    assert_escaped(&html);
    // quote, explanation, assignee, name, email, also open by, 2 text parts, evidence,
    // duplicate quote, actor, title, detail (13); the move's `to`, legend, reason label,
    // reason and button (5); the picker's `to`, its option's value and label and its
    // button's words (4); the next step's note and the decisions' heading (2); error,
    // notice (2); csrf in the move, assignment, severity and note forms (4).
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 30, "{html}");
    assert_ids_consistent(&html);
}

// The ticket's way to a correction.

#[test]
fn ticket_links_to_drafting_a_correction_when_it_may() {
    let html = ticket(&staff_layout(), &ticket_view()).into_string();
    assert!(!html.contains("Draft a correction"));
    let mut view = ticket_view();
    view.publish_href = Some("/desk/corrections/new?report=12".to_owned());
    let html = ticket(&staff_layout(), &view).into_string();
    let actions = &html[html.find("id=\"actions-heading\"").unwrap()..];
    // Not in review: drafting is offered in the next step, quietly.
    let next = between(actions, "<div class=\"next-step\">", "<div class=\"ask-reader\">");
    assert!(next.contains(
        "<a class=\"button button-secondary\" href=\"/desk/corrections/new?report=12\">Draft a correction</a>"
    ));
}

// The staff header.

#[test]
fn staff_nav_shows_approvals_to_editors_with_the_count_waiting() {
    let html = staff_layout().page("Desk", maud::html! {}).into_string();
    let header = &html[html.find("<header").unwrap()..html.find("</header>").unwrap()];
    assert!(header.contains("<li><a href=\"/desk\">Desk</a></li>"));
    assert!(header.contains("<li><a href=\"/desk/standards\">Standards</a></li>"));
    assert!(header.contains("<li><a href=\"/desk/corrections\">Approvals</a></li>"));

    let mut editor = staff_layout();
    if let Some(staff) = &mut editor.staff {
        staff.is_standards_editor = false;
        staff.role_label = "Editor".to_owned();
    }
    let html = editor.page("Desk", maud::html! {}).into_string();
    let header = &html[html.find("<header").unwrap()..html.find("</header>").unwrap()];
    assert!(header.contains("<li><a href=\"/desk/standards\">Standards</a></li>"));
    assert!(header.contains("<li><a href=\"/desk/corrections\">Approvals</a></li>"), "editors withdraw and redraft");

    if let Some(staff) = &mut editor.staff {
        staff.pending_approvals = 3;
    }
    let html = editor.page("Desk", maud::html! {}).into_string();
    assert!(html.contains(
        "<a href=\"/desk/corrections\">Approvals<span class=\"nav-count\"><span class=\"visually-hidden\">, </span>3<span class=\"visually-hidden\"> waiting</span></span></a>"
    ));

    if let Some(staff) = &mut editor.staff {
        staff.role_label = "Auditor".to_owned();
    }
    let html = editor.page("Audit", maud::html! {}).into_string();
    assert!(!html.contains("Approvals"), "auditors change nothing");

    let html = layout().page("Home", maud::html! {}).into_string();
    assert!(!html.contains("/desk/standards"));
    assert!(!html.contains("Approvals"));
}

// The correction form.

fn correction_form_view() -> CorrectionFormView {
    CorrectionFormView {
        action: "/desk/corrections".to_owned(),
        csrf: "csrf-correction".to_owned(),
        article: article("Council votes to close library"),
        article_id: "2026-11-28-council".to_owned(),
        report_ids: vec![3, 4],
        causes: Vec::new(),
        found: Vec::new(),
        kinds: vec![
            opt("correction", "Correction", false),
            opt("clarification", "Clarification", true),
            opt("retraction", "Retraction", false),
        ],
        text: "\nWe said the library would close in May. It closes in June.".to_owned(),
        original: "The library will close in May.".to_owned(),
        corrected: "The library will close in June.".to_owned(),
        headline: false,
        standards: vec![opt("accuracy", "Accuracy", true), opt("sourcing", "Sourcing", false)],
        supersedes: vec![opt("", "None", false), opt("9", "Correction #9, 2 November 2026", true)],
        errors: Vec::new(),
        form_error: None,
        preview: None,
        approval_note: false,
        redrafts: None,
        channels: Vec::new(),
    }
}

fn pending_item(id: i64, approve: bool) -> PendingItem {
    PendingItem {
        id,
        article_title: "Council votes to close library".to_owned(),
        article_href: "/articles/2026-11-28-council/corrections".to_owned(),
        kind_label: "Retraction".to_owned(),
        text: "We have retracted this article.\nIts central claim was false.".to_owned(),
        diff: Some(vec![
            crate::log::DiffPart { text: "close in ".to_owned(), change: Change::Same },
            crate::log::DiffPart { text: "May".to_owned(), change: Change::Removed },
            crate::log::DiffPart { text: "June".to_owned(), change: Change::Added },
        ]),
        author: "Ann Lee".to_owned(),
        created: "28 Nov, 15:00 UTC".to_owned(),
        cause_label: "Editing".to_owned(),
        found_label: "Reader report".to_owned(),
        approve_action: approve.then(|| format!("/desk/corrections/{id}/approval")),
        cannot_approve: (!approve).then(|| "You wrote it.".to_owned()),
        return_action: approve.then(|| format!("/desk/corrections/{id}/return")),
        withdraw_action: Some(format!("/desk/corrections/{id}/withdraw")),
    }
}

fn pending_view() -> PendingView {
    PendingView {
        items: vec![pending_item(21, true), pending_item(22, false)],
        returned: Vec::new(),
        csrf: "csrf-pending".to_owned(),
        notice: None,
        error: None,
        open_channels: Vec::new(),
        channels_href: None,
    }
}

fn standards_admin_view() -> StandardsAdminView {
    StandardsAdminView {
        standards: crate::log_tests::standards_items(),
        csrf: "csrf-standards".to_owned(),
        can_manage: true,
        ..StandardsAdminView::default()
    }
}

/// The new staff pages, by name, for the checks every page must pass.
pub(crate) fn every_correction_desk_page() -> Vec<(&'static str, Markup)> {
    let mut form_preview = correction_form_view();
    form_preview.preview = Some(crate::log_tests::full_item());
    form_preview.approval_note = true;
    form_preview.headline = true;
    let mut form_errors = correction_form_view();
    form_errors.errors = vec![
        error("text", "Write the public text of the correction."),
        error("standards", "Choose at least one standard."),
        error("report_ids", "Report #4 is already closed."),
        error("supersedes", "That correction belongs to another article."),
    ];
    form_errors.form_error = Some("Someone else published a correction for this report.".to_owned());
    let standalone = CorrectionFormView {
        report_ids: Vec::new(),
        standards: Vec::new(),
        supersedes: Vec::new(),
        ..correction_form_view()
    };
    let mut pending_messages = pending_view();
    pending_messages.notice = Some("Correction #20 was published.".to_owned());
    pending_messages.error = Some("Correction #19 was already approved.".to_owned());
    let mut admin_errors = standards_admin_view();
    admin_errors.code = "Accuracy!".to_owned();
    admin_errors.errors = vec![error("code", "Use lowercase letters, digits and hyphens."), error("text", "Missing.")];
    admin_errors.notice = Some("Accuracy version 3 was published.".to_owned());
    let read_only = StandardsAdminView { can_manage: false, ..standards_admin_view() };
    vec![
        ("correction-form", correction_form(&staff_layout(), &correction_form_view())),
        ("correction-form-preview", correction_form(&staff_layout(), &form_preview)),
        ("correction-form-errors", correction_form(&staff_layout(), &form_errors)),
        ("correction-form-standalone", correction_form(&staff_layout(), &standalone)),
        ("pending", pending(&staff_layout(), &pending_view())),
        ("pending-messages", pending(&staff_layout(), &pending_messages)),
        ("pending-empty", pending(&staff_layout(), &PendingView::default())),
        ("standards-admin", standards_admin(&staff_layout(), &standards_admin_view())),
        ("standards-admin-errors", standards_admin(&staff_layout(), &admin_errors)),
        ("standards-admin-read-only", standards_admin(&staff_layout(), &read_only)),
    ]
}

#[test]
fn correction_form_posts_hidden_fields_and_one_report_id_each() {
    let html = correction_form(&staff_layout(), &correction_form_view()).into_string();
    assert!(html.contains("<title>Draft a correction · The Daily Example</title>"));
    assert!(html.contains("<h1>Draft a correction</h1>"));
    assert!(html.contains("rel=\"noopener noreferrer\">Council votes to close library</a>"));
    let form = forms(main_of(&html))[0];
    assert!(form.starts_with("<form class=\"correction-form\" method=\"post\" action=\"/desk/corrections\""));
    assert!(form.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-correction\">"));
    assert!(form.contains("<input type=\"hidden\" name=\"article_id\" value=\"2026-11-28-council\">"));
    assert_eq!(form.matches("name=\"report_ids\"").count(), 2);
    assert!(form.contains("<input type=\"hidden\" name=\"report_ids\" value=\"3\">"));
    assert!(form.contains("<input type=\"hidden\" name=\"report_ids\" value=\"4\">"));
    // The reports it resolves are said in words, outside the form's hidden fields.
    assert!(html.contains(
        "<p class=\"resolves\">Resolves <a href=\"/desk/reports/3\">report #3</a>, \
         <a href=\"/desk/reports/4\">report #4</a></p>"
    ));
}

#[test]
fn correction_form_keeps_every_value() {
    let mut view = correction_form_view();
    view.headline = true;
    let html = correction_form(&staff_layout(), &view).into_string();
    assert!(html.contains("<option value=\"clarification\" selected>Clarification</option>"));
    assert!(html.contains("<option value=\"retraction\">Retraction</option>"));
    assert!(html.contains(">\n\nWe said the library would close in May. It closes in June.</textarea>"));
    assert!(html.contains(">\nThe library will close in May.</textarea>"));
    assert!(html.contains(">\nThe library will close in June.</textarea>"));
    assert!(html.contains(
        "<input id=\"field-headline\" type=\"checkbox\" name=\"headline\" value=\"true\" checked>\
         <label for=\"field-headline\">This corrects the headline</label>"
    ));
    assert!(html.contains(
        "<input id=\"field-standards-accuracy\" type=\"checkbox\" name=\"standards\" value=\"accuracy\" checked>"
    ));
    assert!(html.contains(
        "<input id=\"field-standards-sourcing\" type=\"checkbox\" name=\"standards\" value=\"sourcing\"><label"
    ));
    assert!(html.contains("<option value=\"9\" selected>Correction #9, 2 November 2026</option>"));

    let html = correction_form(&staff_layout(), &correction_form_view()).into_string();
    assert!(html.contains("name=\"headline\" value=\"true\"><label"), "unchecked");
}

#[test]
fn correction_form_labels_hints_and_groups() {
    let html = correction_form(&staff_layout(), &correction_form_view()).into_string();
    for (name, label) in [
        ("kind", "Kind"),
        ("text", "Public text of the correction"),
        ("original", "Original passage (optional)"),
        ("corrected", "Corrected passage (optional)"),
        ("supersedes", "Amends an earlier correction"),
    ] {
        let g = group(&html, name);
        assert!(g.contains(&format!("<label class=\"label\" for=\"field-{name}\">{label}</label>")), "{g}");
        assert!(g.contains(&format!("id=\"field-{name}\" name=\"{name}\"")), "{g}");
        assert!(g.contains(&format!("aria-describedby=\"hint-{name}\"")), "{g}");
    }
    assert!(group(&html, "text").contains("Say what was wrong and what is right"));
    assert!(group(&html, "text").contains("required"));
    let start = html.find("<fieldset").unwrap();
    let fieldset = &html[start..start + html[start..].find("</fieldset>").unwrap()];
    assert!(fieldset.starts_with("<fieldset class=\"checkbox-group form-group\" id=\"field-standards\""));
    assert!(fieldset.contains("<legend class=\"label\">Standards breached</legend>"));
    assert_eq!(fieldset.matches("type=\"checkbox\"").count(), 2);
}

#[test]
fn correction_form_preview_and_publish_buttons() {
    let html = correction_form(&staff_layout(), &correction_form_view()).into_string();
    let preview = html
        .find("<button class=\"button button-secondary\" type=\"submit\" name=\"preview\" value=\"1\">Preview</button>")
        .unwrap();
    let publish =
        html.find("<button class=\"button\" type=\"submit\" name=\"publish\" value=\"1\">Publish</button>").unwrap();
    // Enter in a field submits with the first button: the harmless one.
    assert!(preview < publish);
    assert_eq!(html.matches("<button").count(), 3, "two here and the header's sign-out");
}

#[test]
fn correction_form_preview_only_when_given() {
    let html = correction_form(&staff_layout(), &correction_form_view()).into_string();
    assert!(!html.contains("id=\"preview-heading\""));
    assert!(!html.contains("<article"));
    assert!(html.contains("<h2>The correction</h2>"));

    let mut view = correction_form_view();
    view.preview = Some(crate::log_tests::full_item());
    let html = correction_form(&staff_layout(), &view).into_string();
    let start = html.find("<h2 id=\"preview-heading\">Preview</h2>").unwrap();
    let preview = &html[start..start + html[start..].find("</section>").unwrap()];
    // Exactly as readers see it: the public item, with its diff and standards.
    assert!(preview.contains("<article class=\"correction\" id=\"correction-12\">"));
    assert!(preview.contains("<span class=\"kind kind-correction\">Correction</span>"));
    assert!(preview.contains("What we changed"));
    assert!(preview.contains("Standards breached: "));
    // The same form follows, ready to change or publish.
    assert!(start < html.find("<form class=\"correction-form\"").unwrap());
    assert!(html.contains("<h2>Change or publish</h2>"));
    assert!(html.contains(">Publish</button>"));
}

#[test]
fn correction_form_approval_note_only_when_flagged() {
    let html = correction_form(&staff_layout(), &correction_form_view()).into_string();
    assert!(!html.contains("second standards editor"));
    let mut view = correction_form_view();
    view.approval_note = true;
    let html = correction_form(&staff_layout(), &view).into_string();
    assert!(html.contains(
        "Retractions and headline corrections are published only after a second standards editor approves them."
    ));
}

#[test]
fn correction_form_errors_are_summarised_and_beside_their_fields() {
    let pages = every_correction_desk_page();
    let html = pages.iter().find(|(name, _)| *name == "correction-form-errors").unwrap().1.clone().into_string();
    assert!(html.contains("<title>Error: Draft a correction · The Daily Example</title>"));
    let start = html.find("<div class=\"error-summary\" role=\"alert\"").unwrap();
    let summary = &html[start..start + html[start..].find("</div>").unwrap()];
    assert!(summary.contains("<li>Someone else published a correction for this report.</li>"));
    for (field, message) in [
        ("text", "Write the public text of the correction."),
        ("standards", "Choose at least one standard."),
        ("report_ids", "Report #4 is already closed."),
        ("supersedes", "That correction belongs to another article."),
    ] {
        assert!(summary.contains(&format!("<a href=\"#field-{field}\">{message}</a>")), "{field}");
        assert!(html.contains(&format!("id=\"error-{field}\"")), "{field}");
    }
    assert!(group(&html, "text").contains("aria-describedby=\"hint-text error-text\" aria-invalid=\"true\""));
    assert!(html.contains(
        "<fieldset class=\"checkbox-group form-group has-error\" id=\"field-standards\" \
         aria-describedby=\"hint-standards error-standards\">"
    ));
    assert!(html.contains("<div class=\"form-group has-error\" id=\"field-report_ids\">"));
    assert!(start < html.find("<form class=\"correction-form\"").unwrap());
    assert_ids_consistent(&html);
}

#[test]
fn correction_form_standalone_has_no_reports_standards_or_amendments() {
    let view = CorrectionFormView {
        report_ids: Vec::new(),
        standards: Vec::new(),
        supersedes: Vec::new(),
        errors: vec![error("standards", "Choose at least one standard.")],
        ..correction_form_view()
    };
    let html = correction_form(&staff_layout(), &view).into_string();
    assert!(!html.contains("Resolves"));
    assert!(!html.contains("name=\"report_ids\""));
    assert!(!html.contains("<fieldset"));
    assert!(!html.contains("name=\"supersedes\""));
    // With no boxes to link to, the message stays in the summary as text.
    assert!(html.contains("<li>Choose at least one standard.</li>"));
    assert!(!html.contains("href=\"#field-standards\""));
}

#[test]
fn correction_form_ids_stay_unique_with_many_standards_and_reports() {
    let mut view = correction_form_view();
    view.standards = (1..=25).map(|i| opt(&format!("standard-{i}"), &format!("Standard {i}"), i % 3 == 0)).collect();
    view.report_ids = (1..=10).collect();
    view.preview = Some(crate::log_tests::full_item());
    let html = correction_form(&staff_layout(), &view).into_string();
    assert_eq!(html.matches("type=\"checkbox\" name=\"standards\"").count(), 25);
    assert_eq!(html.matches(" checked>").count(), 8);
    assert_eq!(html.matches("name=\"report_ids\"").count(), 10);
    assert_ids_consistent(&html);
}

#[test]
fn correction_form_escapes_everything_written() {
    let view = CorrectionFormView {
        action: HOSTILE.to_owned(),
        csrf: HOSTILE.to_owned(),
        article: article(HOSTILE),
        article_id: HOSTILE.to_owned(),
        report_ids: vec![3],
        causes: Vec::new(),
        found: Vec::new(),
        kinds: vec![opt(HOSTILE, HOSTILE, true)],
        text: HOSTILE.to_owned(),
        original: HOSTILE.to_owned(),
        corrected: HOSTILE.to_owned(),
        headline: false,
        standards: vec![opt(HOSTILE, HOSTILE, true)],
        supersedes: vec![opt(HOSTILE, HOSTILE, true)],
        errors: vec![error("text", HOSTILE)],
        form_error: Some(HOSTILE.to_owned()),
        preview: Some(CorrectionItem {
            text: HOSTILE.to_owned(),
            diff: Some(vec![crate::log::DiffPart { text: HOSTILE.to_owned(), change: Change::Removed }]),
            ..crate::log_tests::full_item()
        }),
        approval_note: false,
        redrafts: None,
        channels: Vec::new(),
    };
    let html = correction_form(&staff_layout(), &view).into_string();
    assert_escaped(&html);
    // Action, csrf, article title, article id, kind value and label, text, original,
    // corrected, standard value and label, supersedes value and label (13); the error in
    // the summary and beside its field, the form error (3); the preview's text and diff (2).
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 18, "{html}");
    assert_ids_consistent(&html);
}

// Approvals.

#[test]
fn pending_shows_each_correction_with_approve_form_or_reason() {
    let html = pending(&staff_layout(), &pending_view()).into_string();
    assert!(html.contains("<title>Corrections awaiting approval · The Daily Example</title>"));
    assert!(html.contains("<h1>Corrections awaiting approval</h1>"));
    let items: Vec<&str> = html.split("<article class=\"pending-item\">").skip(1).collect();
    assert_eq!(items.len(), 2);
    for item in &items {
        assert!(item.contains("<span class=\"kind\">Retraction</span>"));
        assert!(item.contains(
            "<dt>Article</dt><dd><a href=\"/articles/2026-11-28-council/corrections\">\
             Council votes to close library</a></dd>"
        ));
        assert!(item.contains("<dt>Written by</dt><dd>Ann Lee</dd>"));
        assert!(item.contains("<dt>Drafted</dt><dd>28 Nov, 15:00 UTC</dd>"));
        assert!(item.contains("We have retracted this article.\nIts central claim was false."));
        assert!(item.contains(">[removed: </span>May<span"));
        assert!(item.contains(">[added: </span>June<span"));
    }
    let form = forms(items[0])[0];
    assert!(form.contains("method=\"post\" action=\"/desk/corrections/21/approval\""));
    assert!(form.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-pending\">"));
    assert!(form.contains(
        "<button class=\"button\" type=\"submit\">Approve and publish\
         <span class=\"visually-hidden\"> correction #21</span></button>"
    ));
    assert!(!items[0].contains("You cannot approve"));
    assert!(!items[1].contains("/approval\""));
    assert!(items[1].contains(
        "<p class=\"cannot-approve\"><strong>You cannot approve this correction: </strong>You wrote it.</p>"
    ));
    assert!(!html.contains("Nothing is waiting for approval."));
    // Return and withdraw, each with its own labelled reason.
    let back = forms(items[0])[1];
    assert!(back.contains("method=\"post\" action=\"/desk/corrections/21/return\""));
    assert!(back.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-pending\">"));
    assert!(back.contains("<label class=\"label\" for=\"return-reason-21\">What should the author change?</label>"));
    assert!(back.contains("<textarea class=\"textarea\" id=\"return-reason-21\" name=\"reason\" rows=\"3\" required"));
    let withdraw = forms(items[0])[2];
    assert!(withdraw.contains("action=\"/desk/corrections/21/withdraw\""));
    assert!(withdraw.contains("for=\"withdraw-reason-21\">Why withdraw it?</label>"));
    assert!(!items[1].contains("/return\""), "no return for who may not");
    assert!(items[1].contains("action=\"/desk/corrections/22/withdraw\""));
    assert!(!html.contains("Returned to you"));
}

#[test]
fn pending_lists_what_was_returned_with_the_way_back_into_the_form() {
    let view = PendingView {
        returned: vec![ReturnedItem {
            id: 9,
            article_title: "Council votes to close library".to_owned(),
            kind_label: "Retraction".to_owned(),
            text: "We retract.".to_owned(),
            reason: "Name the ruling.".to_owned(),
            edit_href: "/desk/corrections/new?returned=9".to_owned(),
        }],
        ..pending_view()
    };
    let html = pending(&staff_layout(), &view).into_string();
    assert!(html.contains("<h2 id=\"returned-heading\">Returned to you</h2>"));
    assert!(html.contains("<dt>What to change</dt><dd class=\"preserve-lines\">Name the ruling.</dd>"));
    assert!(html.contains(
        "<a class=\"button\" href=\"/desk/corrections/new?returned=9\">Edit and send again\
         <span class=\"visually-hidden\"> correction #9</span></a>"
    ));
    assert!(html.contains("<h2>Awaiting approval</h2>"));
    assert_ids_consistent(&html);
}

#[test]
fn pending_empty_state_and_messages() {
    let html = pending(&staff_layout(), &PendingView::default()).into_string();
    assert!(html.contains("<p class=\"empty\">Nothing is waiting for approval.</p>"));
    assert!(!main_of(&html).contains("<form"));

    let mut view = pending_view();
    view.notice = Some("Correction #20 was published.".to_owned());
    view.error = Some("Correction #19 was already approved.".to_owned());
    let html = pending(&staff_layout(), &view).into_string();
    assert!(html.contains("<title>Error: Corrections awaiting approval · The Daily Example</title>"));
    assert!(html.contains("<li>Correction #19 was already approved.</li>"));
    assert!(html.contains("<div class=\"panel-success\" role=\"status\"><p>Correction #20 was published.</p></div>"));
    assert!(html.find("role=\"alert\"").unwrap() < html.find("<article").unwrap());
}

#[test]
fn pending_escapes_everything_written() {
    let item = PendingItem {
        id: 1,
        article_title: HOSTILE.to_owned(),
        article_href: HOSTILE.to_owned(),
        kind_label: HOSTILE.to_owned(),
        text: HOSTILE.to_owned(),
        diff: Some(vec![crate::log::DiffPart { text: HOSTILE.to_owned(), change: Change::Added }]),
        author: HOSTILE.to_owned(),
        created: HOSTILE.to_owned(),
        cause_label: HOSTILE.to_owned(),
        found_label: HOSTILE.to_owned(),
        approve_action: Some(HOSTILE.to_owned()),
        cannot_approve: None,
        return_action: None,
        withdraw_action: None,
    };
    let denied = PendingItem { approve_action: None, cannot_approve: Some(HOSTILE.to_owned()), ..item.clone() };
    let view = PendingView {
        items: vec![item, denied],
        returned: Vec::new(),
        csrf: HOSTILE.to_owned(),
        notice: Some(HOSTILE.to_owned()),
        error: Some(HOSTILE.to_owned()),
        open_channels: Vec::new(),
        channels_href: None,
    };
    let html = pending(&staff_layout(), &view).into_string();
    assert_escaped(&html);
    // Per item: title, href, kind, text, diff, author, created, cause, found (18); the first
    // item's action and csrf, the second's reason (3); notice, error (2).
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 23, "{html}");
    assert_ids_consistent(&html);
}

// The standards catalogue on the desk.

#[test]
fn standards_admin_shows_the_catalogue_and_the_form() {
    let html = standards_admin(&staff_layout(), &standards_admin_view()).into_string();
    assert!(html.contains("<h1>Standards</h1>"));
    let form = forms(main_of(&html))[0];
    assert!(form.contains("method=\"post\" action=\"/desk/standards\""));
    assert!(form.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-standards\">"));
    assert!(html.contains("<h2 id=\"standard-form-heading\">Add a standard or publish a new version</h2>"));
    let code = group(&html, "code");
    assert!(code.contains("An existing code publishes a new version"));
    assert!(code.contains("Lowercase letters, digits and hyphens"));
    assert!(code.contains("pattern=\"[a-z0-9-]+\""));
    assert!(group(&html, "title").contains("<input class=\"input\" id=\"field-title\" type=\"text\" name=\"title\""));
    assert!(group(&html, "text").contains("<textarea class=\"textarea\" id=\"field-text\" name=\"text\""));
    assert!(form.contains("<button class=\"button\" type=\"submit\">Save standard</button>"));
    // The catalogue, codes included, every version anchored.
    assert!(
        html.contains("<p class=\"standard-meta\">Code <code>accuracy</code> · Version 3, updated 3 November 2026</p>")
    );
    for anchor in ["corrections-v1", "accuracy-v3", "accuracy-v2", "accuracy-v1"] {
        assert!(html.contains(&format!("id=\"{anchor}\"")), "{anchor}");
    }
    assert!(!html.contains("role=\"alert\""));
    assert!(html.contains("<a href=\"/desk/wordings\">suggested wordings</a>"), "standards editors keep them");
}

#[test]
fn standards_admin_hides_the_form_from_editors() {
    let view = StandardsAdminView { can_manage: false, ..standards_admin_view() };
    let html = standards_admin(&staff_layout(), &view).into_string();
    assert!(!main_of(&html).contains("<form"));
    assert!(!html.contains("Save standard"));
    assert!(!html.contains("Add a standard"));
    assert!(html.contains("<h2 id=\"title-accuracy-v3\">Accuracy</h2>"));
    assert!(!html.contains("/desk/wordings"));
}

#[test]
fn standards_admin_keeps_values_and_wires_errors() {
    let mut view = standards_admin_view();
    view.code = "Accuracy!".to_owned();
    view.title = "Accuracy".to_owned();
    view.text = "\nFirst paragraph.".to_owned();
    view.errors = vec![error("code", "Use lowercase letters, digits and hyphens.")];
    view.notice = Some("Saved.".to_owned());
    let html = standards_admin(&staff_layout(), &view).into_string();
    assert!(html.contains("<title>Error: Standards · The Daily Example</title>"));
    assert!(html.contains("<a href=\"#field-code\">Use lowercase letters, digits and hyphens.</a>"));
    let code = group(&html, "code");
    assert!(code.starts_with("<div class=\"form-group has-error\">"));
    assert!(code.contains("value=\"Accuracy!\""));
    assert!(code.contains("aria-describedby=\"hint-code error-code\" aria-invalid=\"true\""));
    assert!(group(&html, "title").contains("value=\"Accuracy\""));
    assert!(html.contains(">\n\nFirst paragraph.</textarea>"));
    assert!(html.contains("<div class=\"panel-success\" role=\"status\"><p>Saved.</p></div>"));
}

#[test]
fn standards_admin_escapes_everything_written() {
    let mut hostile = crate::log_tests::standards_items();
    hostile[0].title = HOSTILE.to_owned();
    hostile[0].text = HOSTILE.to_owned();
    hostile[0].code = HOSTILE.to_owned();
    let view = StandardsAdminView {
        standards: hostile,
        csrf: HOSTILE.to_owned(),
        code: HOSTILE.to_owned(),
        title: HOSTILE.to_owned(),
        text: HOSTILE.to_owned(),
        errors: vec![error("title", HOSTILE)],
        notice: Some(HOSTILE.to_owned()),
        can_manage: true,
    };
    let html = standards_admin(&staff_layout(), &view).into_string();
    assert_escaped(&html);
    // Csrf, code, title, text, the error twice, notice (7); the standard's contents link,
    // heading, code and text (4).
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 11, "{html}");
    assert_ids_consistent(&html);
}

#[test]
fn queue_tabs_show_counts_and_keep_the_view_when_filtering() {
    let html = queue(&staff_layout(), &queue_view()).into_string();
    let start = html.find("<nav class=\"queue-tabs\"").unwrap();
    let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
    assert!(nav.contains("aria-label=\"Views of the queue\""));
    assert!(nav.contains("<a href=\"/desk?view=open\" aria-current=\"page\">Open <span class=\"count\">7</span></a>"));
    assert!(nav.contains("<a href=\"/desk?view=closed\">Closed <span class=\"count\">5</span></a>"));
    assert!(html.contains("<input type=\"hidden\" name=\"view\" value=\"open\">"));
    assert!(html.contains(
        "<input class=\"input\" id=\"field-q\" type=\"search\" name=\"q\" value=\"budget\" \
         aria-describedby=\"hint-q\" maxlength=\"200\">"
    ));
}

#[test]
fn closed_rows_show_their_outcome_not_a_deadline_and_replies_are_marked() {
    let mut view = queue_view();
    view.rows = vec![row(3, false, None), row(4, false, None)];
    view.rows[0].closed = true;
    view.rows[0].status_label = "No change made".into();
    view.rows[1].reader_replied = true;
    let html = queue(&staff_layout(), &view).into_string();
    let tbody = &html[html.find("<tbody>").unwrap()..html.find("</tbody>").unwrap()];
    let rows: Vec<&str> = tbody.split("<tr").skip(1).collect();
    assert!(rows[0].contains("<td class=\"deadline\" data-label=\"Deadline\"><span class=\"muted\">Closed</span></td>"));
    assert!(!rows[0].contains("due in"));
    assert!(rows[1].contains("<span class=\"badge reader-replied\">Reader replied</span>"));
    assert!(!rows[0].contains("Reader replied"));
}

#[test]
fn the_queue_is_a_form_that_acts_on_the_chosen_reports() {
    let mut view = queue_view();
    view.csrf = "csrf-token-123".into();
    view.bulk_actions = vec![opt("assign", "Assign to", false), opt("rejected", "Close: reject", false)];
    let html = queue(&staff_layout(), &view).into_string();
    let form = &html[html.find("<form id=\"bulk\"").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(form.starts_with("<form id=\"bulk\" method=\"post\" action=\"/desk/bulk\" accept-charset=\"utf-8\">"));
    assert!(form.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-token-123\">"));
    assert_eq!(form.matches("name=\"ids\"").count(), 2, "one box a row");
    assert!(form.contains("<legend>Act on the chosen reports</legend>"));
    assert!(form.contains("<option value=\"rejected\">Close: reject</option>"));
    assert!(form.contains("name=\"reason\""));
    assert_ids_consistent(&html);
}

#[test]
fn bulk_results_say_what_changed_and_what_was_refused() {
    let view = BulkResultView {
        error: None,
        results: vec![
            (4, "/desk/reports/4".into(), "changed".into(), true),
            (5, "/desk/reports/5".into(), "not changed: report #5 was changed by Ann".into(), false),
        ],
    };
    let html = bulk_result(&staff_layout(), &view).into_string();
    assert!(html.contains("<p>1 changed, 1 refused.</p>"));
    assert!(html.contains("<li class=\"refused\"><a href=\"/desk/reports/5\">Report #5</a>: not changed: report #5 was changed by Ann</li>"));
    assert!(html.contains("<a href=\"/desk\">Back to the desk</a>"));
    let error = bulk_result(
        &staff_layout(),
        &BulkResultView { error: Some("Choose at least one report".into()), results: vec![] },
    )
    .into_string();
    assert!(error.contains("<title>Error: Bulk action"));
    assert!(error.contains("Choose at least one report"));
}

#[test]
fn tabs_without_counts_show_none() {
    let mut view = queue_view();
    for tab in &mut view.tabs {
        tab.count = None;
    }
    let html = queue(&staff_layout(), &view).into_string();
    assert!(html.contains("<a href=\"/desk?view=open\" aria-current=\"page\">Open</a>"));
}

#[test]
fn counts_that_stopped_short_say_at_least() {
    let mut view = queue_view();
    for c in &mut view.counts {
        c.at_least = true;
    }
    view.counts[0].count = 1000;
    view.counts[1].count = 0;
    let html = queue(&staff_layout(), &view).into_string();
    assert!(html.contains(r#"<span class="count">1000+</span>"#), "{html}");
    assert!(html.contains(r#"<span class="count">0</span>"#), "none found is not \"0+\"");
}
