//! Rendering tests of the desks: the desks page for each role, its forms and their errors, the
//! queue's desk filter and column, and the ticket's desk and move form.

#![allow(clippy::unwrap_used)]

use maud::Markup;

use crate::desk_tests::{queue_view, row, ticket_view};
use crate::tests::{assert_escaped, assert_ids_consistent, error, staff_layout, HOSTILE};
use crate::*;

fn opt(value: &str, label: &str, selected: bool) -> Opt {
    Opt { value: value.to_owned(), label: label.to_owned(), selected }
}

/// A desk's form; `suffix` empty for the add form.
fn form(suffix: &str, name: &str) -> DeskFormView {
    DeskFormView {
        action: if suffix.is_empty() { "/desk/desks".to_owned() } else { format!("/desk/desks/{suffix}") },
        suffix: suffix.to_owned(),
        slug: suffix.to_owned(),
        name: name.to_owned(),
        members: vec![
            opt("ann@news.example", "Ann Lee (ann@news.example)", !suffix.is_empty()),
            opt("bo@news.example", "Bo Chen (bo@news.example)", false),
        ],
        leads: vec![opt("", "No lead", true), opt("ann@news.example", "Ann Lee", false)],
        sections: if suffix.is_empty() { String::new() } else { "Sport, Football".to_owned() },
        categories: vec![opt("misquote", "Misquote", true), opt("factual_error", "Factual error", false)],
        severities: vec![opt("high", "High", false), opt("legal", "Legal", false)],
        assignments: vec![opt("none", "By hand", false), opt("round_robin", "Round robin", true)],
        position: String::new(),
        endpoints: Vec::new(),
    }
}

fn card(slug: &str, name: &str, manage: bool) -> DeskCard {
    DeskCard {
        slug: slug.to_owned(),
        name: name.to_owned(),
        position: 1,
        rules: "Sport, Football \u{b7} misquote \u{b7} any severity".to_owned(),
        members: vec![
            DeskMemberRow {
                name: "Ann Lee".to_owned(),
                email: "ann@news.example".to_owned(),
                away: true,
                open_assigned: 1,
            },
            DeskMemberRow {
                name: "Bo Chen".to_owned(),
                email: "bo@news.example".to_owned(),
                away: false,
                open_assigned: 3,
            },
        ],
        lead: Some("Bo Chen".to_owned()),
        assignment_label: "Round robin".to_owned(),
        endpoint: None,
        open_reports: 4,
        queue_href: format!("/desk?desk={slug}"),
        held_by_away: manage.then(|| {
            vec![HeldRow {
                report_id: 12,
                href: "/desk/reports/12".to_owned(),
                status_label: "In review".to_owned(),
                assignee_name: "Ann Lee".to_owned(),
                deadline: "2 December 2026, 09:30 UTC".to_owned(),
                deadline_iso: "2026-12-02T09:30:00Z".to_owned(),
            }]
        }),
        form: manage.then(|| form(slug, name)),
        remove_action: manage.then(|| format!("/desk/desks/{slug}/delete")),
    }
}

/// A standards editor's page: two desks (whose slugs match values of the forms' boxes) and the add form.
fn standards_view() -> DesksView {
    DesksView {
        desks: vec![card("legal", "Legal desk", true), card("sport", "Sports desk", true)],
        csrf: "csrf-desks".to_owned(),
        add: Some(form("", "")),
        known_sections: vec!["Business".to_owned(), "Sport".to_owned()],
        away: Some(false),
        ..DesksView::default()
    }
}

fn editor_view() -> DesksView {
    DesksView {
        desks: vec![card("sport", "Sports desk", false)],
        csrf: "csrf-desks".to_owned(),
        away: Some(true),
        ..DesksView::default()
    }
}

/// The queue with desks to filter by, one row on a desk and escalated.
fn queue_with_desks() -> QueueView {
    let mut view = queue_view();
    view.desks = vec![
        opt("", "Any desk", true),
        opt("mine", "My desks", false),
        opt("none", "General queue", false),
        opt("sport", "Sports desk", false),
    ];
    view.rows[0].desk = Some("Sports desk".to_owned());
    view.rows[0].escalated = true;
    view
}

/// A ticket on a desk that may move elsewhere, after a refused move.
fn ticket_on_desk() -> TicketView {
    let mut view = ticket_view();
    view.desk = Some("Sports desk".to_owned());
    view.desk_moves = vec![opt("", "General queue", false), opt("business", "Business desk", false)];
    view.desk_reason = "Budget story".to_owned();
    view.error = Some("Reason is required.".to_owned());
    view
}

/// The pages of this module, in the states worth checking (for the site-wide checks).
pub(crate) fn every_desks_page() -> Vec<(&'static str, Markup)> {
    let mut errors = standards_view();
    errors.errors = vec![
        error("members", "Members: no editor has the email nobody@news.example."),
        error("categories-sport", "Kinds of error: \"gossip\" is not a category."),
    ];
    errors.form_error = Some("Endpoint_id: 9 is not a registered chat endpoint.".to_owned());
    let mut done = editor_view();
    done.notice = Some("The Sports desk was removed.".to_owned());
    done.notice_details = vec!["Report #12 is now in the general queue, unassigned.".to_owned()];
    let auditor = DesksView { away: None, ..editor_view() };
    vec![
        ("desks", desks_page(&staff_layout(), &standards_view())),
        ("desks-errors", desks_page(&staff_layout(), &errors)),
        ("desks-editor", desks_page(&staff_layout(), &editor_view())),
        ("desks-notice", desks_page(&staff_layout(), &done)),
        ("desks-auditor", desks_page(&staff_layout(), &auditor)),
        ("desks-empty", desks_page(&staff_layout(), &DesksView::default())),
        ("queue-desks", queue(&staff_layout(), &queue_with_desks())),
        ("ticket-desk", ticket(&staff_layout(), &ticket_on_desk())),
    ]
}

#[test]
fn every_desks_page_has_consistent_ids() {
    for (name, page) in every_desks_page() {
        let html = page.into_string();
        assert_ids_consistent(&html);
        assert_eq!(html.matches("<h1").count(), 1, "{name}");
    }
}

#[test]
fn a_desk_shows_its_rules_members_lead_and_queue() {
    let html = desks_page(&staff_layout(), &editor_view()).into_string();
    assert!(html.contains("<dt>Takes</dt><dd>Sport, Football \u{b7} misquote \u{b7} any severity</dd>"), "{html}");
    assert!(html
        .contains("Ann Lee <span class=\"badge badge-away\">Away</span> <span class=\"muted\">(1 open report)</span>"));
    assert!(html.contains("Bo Chen <span class=\"muted\">(3 open reports)</span>"));
    assert!(html.contains("<dt>Lead</dt><dd>Bo Chen</dd>") && html.contains("<dd>Round robin</dd>"));
    assert!(html.contains(
        "<a href=\"/desk?desk=sport\">4<span class=\"visually-hidden\"> open reports: Sports desk</span></a>"
    ));
}

#[test]
fn editors_read_the_desks_and_toggle_their_own_availability() {
    let html = desks_page(&staff_layout(), &editor_view()).into_string();
    assert!(!html.contains("action=\"/desk/desks"), "no desk forms for editors: {html}");
    assert!(!html.contains("Held by members who are away"));
    assert!(html.contains("You are marked away."));
    assert!(html.contains("action=\"/desk/me/availability\""));
    assert!(html.contains("<input type=\"hidden\" name=\"away\" value=\"false\">") && html.contains("I am back"));
    let html = desks_page(&staff_layout(), &DesksView { away: Some(false), ..editor_view() }).into_string();
    assert!(html.contains("<input type=\"hidden\" name=\"away\" value=\"true\">") && html.contains("I am away"));
    let html = desks_page(&staff_layout(), &DesksView { away: None, ..editor_view() }).into_string();
    assert!(!html.contains("/desk/me/availability"), "auditors take no reports");
}

#[test]
fn standards_editors_get_the_forms_and_the_reports_held_by_away_members() {
    let html = desks_page(&staff_layout(), &standards_view()).into_string();
    assert!(html.contains("action=\"/desk/desks\"") && html.contains("id=\"field-slug\""));
    assert!(html.contains("action=\"/desk/desks/sport\"") && html.contains("id=\"field-name-sport\""));
    assert!(html.contains("action=\"/desk/desks/sport/delete\""));
    assert!(html.contains("<legend class=\"label\">Members</legend>"));
    assert!(html.contains("<fieldset class=\"checkbox-group form-group\" id=\"field-severities-legal\""));
    assert!(html.contains("id=\"field-severities_1\""), "the add form's boxes never clash with a desk's ids");
    assert!(html.contains("name=\"categories\" value=\"misquote\" checked"));
    assert!(html.contains("Sections of articles so far: Business, Sport."));
    assert!(html.contains("value=\"Sport, Football\""));
    assert!(html.contains("<a href=\"/desk/reports/12\">Report #12</a> (In review), held by Ann Lee"));
    assert!(html.contains("href=\"/desk/webhooks\""), "no chat endpoint yet: the way to register one");
    assert!(!html.contains("name=\"endpoint_id\""));
}

#[test]
fn errors_open_their_form_and_are_linked_from_the_summary() {
    let mut view = standards_view();
    view.errors = vec![
        error("members", "Members: no editor has the email nobody@news.example."),
        error("categories-sport", "Kinds of error: \"gossip\" is not a category."),
    ];
    let html = desks_page(&staff_layout(), &view).into_string();
    assert!(html.contains("<title>Error: Desks"));
    assert!(html.contains("<a href=\"#field-members\">Members: no editor has the email nobody@news.example.</a>"));
    assert!(html.contains("<a href=\"#field-categories-sport\">"));
    assert!(html.contains("id=\"error-categories-sport\""));
    assert_eq!(html.matches("<details class=\"stop-form\" open>").count(), 1, "only the refused desk's form opens");
}

#[test]
fn a_notice_lists_what_became_of_each_report() {
    let mut view = editor_view();
    view.notice = Some("The Sports desk was removed.".to_owned());
    view.notice_details = vec!["Report #12 is now in the general queue, unassigned.".to_owned()];
    let html = desks_page(&staff_layout(), &view).into_string();
    assert!(html.contains(
        "<div class=\"panel-success\" role=\"status\"><p>The Sports desk was removed.</p><ul><li>Report #12 is now in the general queue, unassigned.</li></ul></div>"
    ));
}

#[test]
fn the_staff_navigation_links_the_desks() {
    let html = desks_page(&staff_layout(), &DesksView::default()).into_string();
    assert!(html.contains("<li><a href=\"/desk/desks\">Desks</a></li>"));
    assert!(html.contains("No desks yet: every report waits in the general queue."));
}

#[test]
fn the_queue_filters_by_desk_and_names_each_rows_desk() {
    let html = queue(&staff_layout(), &queue_with_desks()).into_string();
    assert!(html.contains("<select class=\"select\" id=\"field-desk\" name=\"desk\">"));
    assert!(html.contains("<option value=\"mine\">My desks</option><option value=\"none\">General queue</option>"));
    assert!(html.contains("<th scope=\"col\">Desk</th>"));
    assert!(html.contains("<td data-label=\"Desk\">Sports desk</td>"));
    assert!(html.contains("<td data-label=\"Desk\"><span class=\"muted\">General queue</span></td>"));
    assert!(html.contains("<strong class=\"flag-escalated\">Escalated</strong>"));
    assert_eq!(html.matches("flag-escalated").count(), 1);
    let html = queue(&staff_layout(), &queue_view()).into_string();
    assert!(!html.contains("name=\"desk\""), "no desks, no filter");
}

#[test]
fn the_ticket_shows_its_desk_and_offers_a_move_with_a_reason() {
    let html = ticket(&staff_layout(), &ticket_on_desk()).into_string();
    assert!(html.contains("<dt>Desk</dt><dd>Sports desk</dd>"));
    assert!(html.contains("action=\"/desk/reports/12/desk\""));
    assert!(html.contains("<select class=\"select\" id=\"field-desk-move\" name=\"desk\">"));
    assert!(html.contains("<option value=\"\">General queue</option><option value=\"business\">Business desk</option>"));
    assert!(html.contains("id=\"field-reason-desk\" name=\"reason\" rows=\"2\" required>\nBudget story</textarea>"));
    assert!(html.contains("Reason is required."));
    let html = ticket(&staff_layout(), &ticket_view()).into_string();
    assert!(html.contains("<dt>Desk</dt><dd><span class=\"muted\">General queue</span></dd>"));
    assert!(!html.contains("/desk/reports/12/desk"), "no move form without desks to move to");
}

#[test]
fn every_desks_view_escapes_what_it_is_given() {
    let mut view = standards_view();
    view.desks[0].name = HOSTILE.to_owned();
    view.desks[0].rules = HOSTILE.to_owned();
    view.desks[0].members[0].name = HOSTILE.to_owned();
    view.known_sections = vec![HOSTILE.to_owned()];
    view.notice = Some(HOSTILE.to_owned());
    view.notice_details = vec![HOSTILE.to_owned()];
    assert_escaped(&desks_page(&staff_layout(), &view).into_string());
    let mut view = ticket_on_desk();
    view.desk = Some(HOSTILE.to_owned());
    view.desk_reason = HOSTILE.to_owned();
    assert_escaped(&ticket(&staff_layout(), &view).into_string());
    let mut view = queue_with_desks();
    view.rows = vec![QueueRow { desk: Some(HOSTILE.to_owned()), ..row(1, false, None) }];
    assert_escaped(&queue(&staff_layout(), &view).into_string());
}
