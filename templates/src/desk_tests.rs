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

fn row(id: i64, overdue: bool, assignee: Option<&str>) -> QueueRow {
    QueueRow {
        id,
        href: format!("/desk/reports/{id}"),
        article_title: "Council votes to close library".to_owned(),
        quote_short: "The library will close in May.".to_owned(),
        category_label: "Factual error".to_owned(),
        severity: "high".to_owned(),
        severity_label: "High".to_owned(),
        status: "in_review".to_owned(),
        status_label: "In review".to_owned(),
        age: "3 h".to_owned(),
        deadline: "29 Nov, 14:05 UTC".to_owned(),
        deadline_iso: "2026-11-29T14:05:00Z".to_owned(),
        overdue,
        assignee: assignee.map(str::to_owned),
    }
}

fn queue_view() -> QueueView {
    let count = |status: &str, label: &str, count, current| StatusCount {
        status: status.to_owned(),
        label: label.to_owned(),
        count,
        href: format!("/desk?status={status}"),
        current,
    };
    QueueView {
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
        overdue: false,
        sorts: vec![opt("deadline", "Deadline", true), opt("age", "Age", false), opt("severity", "Severity", false)],
        rows: vec![row(12, true, None), row(13, false, Some("Ann Lee"))],
        next_href: Some("/desk?status=in_review&after=13".to_owned()),
        error: None,
    }
}

fn mv(to: &str, label: &str, required: bool, reason_label: &str, dup: bool) -> MoveOption {
    MoveOption {
        to: to.to_owned(),
        label: label.to_owned(),
        reason_required: required,
        reason_label: reason_label.to_owned(),
        needs_duplicate_of: dup,
    }
}

fn ticket_view() -> TicketView {
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
            mv("needs_info", "Ask the reader for more information", true, "Question for the reader", false),
            mv("duplicate", "Mark as a duplicate", true, "Reason", true),
            mv("triaged", "Send back to triage", false, "Reason (optional)", false),
        ],
        assignees: vec![opt("", "Unassigned", false), opt("ann@news.example", "Ann Lee", true)],
        severities: vec![
            opt("low", "Low", false),
            opt("normal", "Normal", false),
            opt("high", "High", false),
            opt("legal", "Legal", true),
        ],
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
    ]
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
        "<th scope=\"row\"><a href=\"/desk/reports/12\"><span class=\"visually-hidden\">Report \
         </span>#12</a><span class=\"row-article\">Council votes to close library</span></th>"
    ));
    assert!(tbody.contains("<td class=\"quote-short\">The library will close in May.</td>"));
    assert!(tbody.contains("<td>Factual error</td>"));
    assert!(tbody.contains("<span class=\"badge severity-high\">High</span>"));
    assert!(tbody.contains("<span class=\"badge status-in_review\">In review</span>"));
    assert!(tbody.contains("<td class=\"nowrap\">3 h</td>"));
    assert!(tbody.contains(
        "<time datetime=\"2026-11-29T14:05:00Z\">29 Nov, 14:05 UTC</time> \
         <strong class=\"flag-overdue\">Overdue</strong>"
    ));
    assert_eq!(tbody.matches("Overdue").count(), 1, "only #12 is overdue");
    assert!(tbody.contains("<span class=\"muted\">Unassigned</span>"));
    assert!(tbody.contains("<td>Ann Lee</td>"));
    assert!(!html.contains("No reports match these filters."));
}

#[test]
fn queue_table_has_caption_column_headers_and_scrolls_on_its_own() {
    let html = queue(&staff_layout(), &queue_view()).into_string();
    assert!(html.contains("<div class=\"table-scroll\" role=\"region\" aria-label=\"Reports\" tabindex=\"0\"><table"));
    assert!(html.contains("<caption"));
    let thead = &html[html.find("<thead>").unwrap()..html.find("</thead>").unwrap()];
    let headers: Vec<&str> = thead.split("<th scope=\"col\">").skip(1).map(|h| &h[..h.find('<').unwrap()]).collect();
    assert_eq!(headers, ["Report", "Passage", "Category", "Severity", "Status", "Age", "Deadline", "Assignee"]);
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
        deadline_iso: HOSTILE.to_owned(),
        overdue: false,
        assignee: Some(HOSTILE.to_owned()),
    };
    let view = QueueView {
        counts: vec![StatusCount {
            status: HOSTILE.to_owned(),
            label: HOSTILE.to_owned(),
            count: 1,
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
    // Count label and href; status value and label; category value and label;
    // 12 row fields; next link; error.
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 20, "{html}");
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
    for (form, (to, label)) in moves.iter().zip([
        ("needs_info", "Ask the reader for more information"),
        ("duplicate", "Mark as a duplicate"),
        ("triaged", "Send back to triage"),
    ]) {
        assert!(form.starts_with("<form class=\"action-form move-form\" method=\"post\""));
        assert!(form.contains(&format!("<input type=\"hidden\" name=\"to\" value=\"{to}\">")));
        assert!(form.contains(&format!("<button class=\"button\" type=\"submit\">{label}</button>")));
        assert!(form.contains(&format!("<legend class=\"visually-hidden\">{label}</legend>")));
        assert!(form.contains(&format!("id=\"field-reason-{to}\" name=\"reason\"")));
    }
    assert!(moves[0].contains("<label class=\"label\" for=\"field-reason-needs_info\">Question for the reader</label>"));
    assert!(moves[0].contains("name=\"reason\" rows=\"3\" required>"));
    assert!(moves[1].contains("name=\"reason\" rows=\"3\" required>"));
    assert!(moves[2].contains("name=\"reason\" rows=\"3\">"), "optional reason");
    assert!(moves[2].contains("Reason (optional)"));
    // Only the duplicate move asks for the primary report.
    assert!(
        moves[1].contains("<label class=\"label\" for=\"field-duplicate_of-duplicate\">Primary report number</label>")
    );
    assert!(
        moves[1].contains("type=\"number\" name=\"duplicate_of\" min=\"1\" step=\"1\" inputmode=\"numeric\" required")
    );
    assert!(!moves[0].contains("duplicate_of"));
    assert!(!moves[2].contains("duplicate_of"));
    assert_eq!(html.matches("name=\"duplicate_of\"").count(), 1);
}

#[test]
fn ticket_ids_stay_unique_with_many_moves() {
    let mut view = ticket_view();
    view.moves = ["triaged", "in_review", "needs_info", "no_change", "rejected", "duplicate", "awaiting_approval"]
        .iter()
        .map(|to| mv(to, &format!("Move to {to}"), true, "Reason", true))
        .collect();
    let html = ticket(&staff_layout(), &view).into_string();
    assert_eq!(html.matches("name=\"reason\"").count(), 7);
    assert_eq!(html.matches("name=\"duplicate_of\"").count(), 7);
    assert_ids_consistent(&html);
}

#[test]
fn ticket_forms_carry_csrf_and_version() {
    let html = ticket(&staff_layout(), &ticket_view()).into_string();
    let all = forms(main_of(&html));
    // Three moves, assignment, severity, note.
    assert_eq!(all.len(), 6);
    for form in &all {
        assert!(form.contains("method=\"post\""), "{form}");
        assert_eq!(form.matches("<input type=\"hidden\" name=\"csrf\" value=\"csrf-ticket\">").count(), 1, "{form}");
    }
    let versioned = all.iter().filter(|f| f.contains("<input type=\"hidden\" name=\"version\" value=\"7\">")).count();
    assert_eq!(versioned, 5, "every form but the note's");
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
    assert!(assign.contains("<button class=\"button\" type=\"submit\">Assign</button>"));
    let severity = find("severity");
    assert!(severity.contains("<select class=\"select\" id=\"field-severity\" name=\"severity\">"));
    assert!(severity.contains("<option value=\"legal\" selected>Legal</option>"));
    assert!(severity.contains("<button class=\"button\" type=\"submit\">Change severity</button>"));
    let note = find("notes");
    assert!(
        note.contains("<label class=\"label\" for=\"field-body\">Internal note (never shown to the reader)</label>")
    );
    assert!(note.contains("<textarea class=\"textarea\" id=\"field-body\" name=\"body\""));
    assert!(note.contains("<button class=\"button\" type=\"submit\">Add note</button>"));
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
    view.moves = vec![mv(HOSTILE, HOSTILE, true, HOSTILE, true)];
    view.error = hostile();
    view.notice = hostile();
    let html = ticket(&staff_layout(), &view).into_string();
    assert_escaped(&html);
    // quote, explanation, assignee, name, email, also open by, 2 text parts, evidence,
    // duplicate quote, actor, title, detail (13); the move's `to`, legend, reason label
    // and button (4); error, notice (2); csrf in the move, assignment, severity and
    // note forms (4).
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 23, "{html}");
    assert_ids_consistent(&html);
}
