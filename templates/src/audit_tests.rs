//! Rendering tests of the auditor's pages: the audit trail, verifying the log, erasing a reader's details,
//! and the staff header's links per role.

#![allow(clippy::unwrap_used)]

use maud::Markup;

use crate::tests::{
    assert_escaped, assert_ids_consistent, attr_values, group, layout, staff_layout, HOSTILE, HOSTILE_ESCAPED,
};
use crate::*;

const HEAD_HASH: &str = "9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";
const PUBLIC_KEY: &str = "MCowBQYDK2VwAyEAq1w2e3r4t5y6u7i8o9p0aSdFgHjKlZxCvBnM=";
const CHECKPOINT: &str = "{\n  \"size\": 1234,\n  \"head_hash\": \"9f2c\",\n  \"signature\": \"c2ln\"\n}";

fn opt(value: &str, label: &str, selected: bool) -> Opt {
    Opt { value: value.to_owned(), label: label.to_owned(), selected }
}

/// The frame of a signed-in staff member with this role.
fn layout_as(role_label: &str, is_standards_editor: bool) -> Layout {
    let mut layout = staff_layout();
    if let Some(staff) = &mut layout.staff {
        staff.role_label = role_label.to_owned();
        staff.is_standards_editor = is_standards_editor;
    }
    layout
}

fn auditor_layout() -> Layout {
    layout_as("Auditor", false)
}

fn event(id: i64, public: bool, ticket: bool, detail: Option<&str>) -> AuditEvent {
    AuditEvent {
        id,
        at: format!("28 Nov 2026, 13:0{id} UTC"),
        at_iso: format!("2026-11-28T13:0{id}:00Z"),
        actor: "Ann Lee".to_owned(),
        kind: "status_changed".to_owned(),
        summary: format!("Report #{id}: In review \u{2192} No change"),
        detail: detail.map(str::to_owned),
        public,
        ticket_href: ticket.then(|| format!("/desk/reports/{id}")),
    }
}

fn audit_view() -> AuditView {
    AuditView {
        events: vec![
            event(3, true, true, Some("The article was right.\nThe minutes say May.")),
            event(2, false, true, None),
            AuditEvent {
                actor: "System".to_owned(),
                kind: "correction_published".to_owned(),
                summary: "Correction #7 published".to_owned(),
                ..event(1, true, false, None)
            },
        ],
        actors: vec![opt("", "Anyone", false), opt("ann@news.example", "Ann Lee", true)],
        kinds: vec![opt("", "Any kind", true), opt("status_changed", "Status changed", false)],
        from: "2026-11-01".to_owned(),
        to: "2026-11-30".to_owned(),
        next_href: Some("/audit?actor=ann%40news.example&before=1".to_owned()),
        error: None,
        verify_href: "/audit/verify".to_owned(),
        json_href: "/api/v1/audit/events?actor=ann%40news.example".to_owned(),
    }
}

fn check(name: &str, ok: bool, detail: &str) -> VerifyCheck {
    VerifyCheck { name: name.to_owned(), ok, detail: detail.to_owned() }
}

fn verify_view() -> VerifyView {
    VerifyView {
        ok: true,
        summary: "The log verifies: 1,234 entries, signed by the key below.".to_owned(),
        checks: vec![
            check("Hash chain", true, "Every entry's hash follows from the one before."),
            check("Signature", true, "The checkpoint is signed by the public key."),
        ],
        size: 1234,
        head_hash: HEAD_HASH.to_owned(),
        public_key: PUBLIC_KEY.to_owned(),
        checkpoint_json: Some(CHECKPOINT.to_owned()),
    }
}

fn failed_view() -> VerifyView {
    VerifyView {
        ok: false,
        summary: "The log does not verify: entry 4 does not match its hash.".to_owned(),
        checks: vec![
            check("Hash chain", false, "Entry 4: expected 9f2c…, found 0a1b…."),
            check("Signature", true, "The checkpoint is signed by the public key."),
        ],
        checkpoint_json: None,
        ..verify_view()
    }
}

fn erasure_view() -> ErasureView {
    ErasureView { csrf: "csrf-erase".to_owned(), email: String::new(), error: None, notice: None }
}

/// The auditor's pages, by name, for the checks every page must pass.
pub(crate) fn every_audit_page() -> Vec<(&'static str, Markup)> {
    let mut audit_empty = audit_view();
    audit_empty.events.clear();
    audit_empty.next_href = None;
    audit_empty.error = Some("Enter the dates as YYYY-MM-DD.".to_owned());
    let mut erasure_error = erasure_view();
    erasure_error.email = "dana@example".to_owned();
    erasure_error.error = Some("No report has that email address.".to_owned());
    let mut erasure_done = erasure_view();
    erasure_done.notice = Some("Erased the name and email from 3 reports.".to_owned());
    vec![
        ("audit", audit(&auditor_layout(), &audit_view())),
        ("audit-standards-editor", audit(&staff_layout(), &audit_view())),
        ("audit-empty", audit(&auditor_layout(), &audit_empty)),
        ("audit-default", audit(&auditor_layout(), &AuditView::default())),
        ("verify", verify(&auditor_layout(), &verify_view())),
        ("verify-failed", verify(&auditor_layout(), &failed_view())),
        ("verify-default", verify(&auditor_layout(), &VerifyView::default())),
        ("erasure", erasure(&staff_layout(), &erasure_view())),
        ("erasure-error", erasure(&staff_layout(), &erasure_error)),
        ("erasure-done", erasure(&staff_layout(), &erasure_done)),
    ]
}

/// The `<main>` element, without the header's sign-out form.
fn main_of(html: &str) -> &str {
    &html[html.find("<main").unwrap()..html.find("</main>").unwrap()]
}

/// The `<header>` element.
fn header_of(html: &str) -> &str {
    &html[html.find("<header").unwrap()..html.find("</header>").unwrap()]
}

/// The element that starts at the first `start` and ends at the first `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start} in:\n{html}"));
    &html[from..from + html[from..].find(end).unwrap()]
}

/// The `<tr>` rows of the table's body.
fn rows(html: &str) -> Vec<&str> {
    let tbody = between(html, "<tbody>", "</tbody>");
    tbody.split("<tr").skip(1).collect()
}

// The audit trail.

#[test]
fn audit_has_heading_intro_and_links() {
    let html = audit(&auditor_layout(), &audit_view()).into_string();
    assert!(html.contains("<title>Audit trail · The Daily Example</title>"));
    assert!(html.contains("<h1>Audit trail</h1>"));
    let main = main_of(&html);
    assert!(main.contains("Every action on every report and correction"));
    assert!(main.contains("Readers' names and email addresses are never shown here."));
    assert!(main.contains("<a href=\"/audit/verify\">Verify the public log now</a>"));
    assert!(main.contains(
        "<a href=\"/api/v1/audit/events?actor=ann%40news.example\" type=\"application/json\">This trail as JSON</a>"
    ));
    // The links come before the filters.
    assert!(main.find("Verify the public log now").unwrap() < main.find("<form").unwrap());
}

#[test]
fn audit_table_has_caption_column_headers_and_scrolls_on_its_own() {
    let html = audit(&auditor_layout(), &audit_view()).into_string();
    assert!(
        html.contains("<div class=\"table-scroll\" role=\"region\" aria-label=\"Audit events\" tabindex=\"0\"><table")
    );
    assert!(html.contains("<table class=\"audit-table\"><caption class=\"visually-hidden\">"));
    let thead = between(&html, "<thead>", "</thead>");
    let headers: Vec<&str> = thead.split("<th scope=\"col\">").skip(1).map(|h| &h[..h.find('<').unwrap()]).collect();
    assert_eq!(headers, ["Time", "Actor", "Event", "Visibility"]);
    assert_eq!(rows(&html).len(), 3);
}

#[test]
fn audit_rows_show_time_actor_event_and_visibility() {
    let html = audit(&auditor_layout(), &audit_view()).into_string();
    let rows = rows(&html);
    let first = rows[0];
    assert!(first.starts_with('>'), "a public row has no class: {first}");
    assert!(first.contains("<time datetime=\"2026-11-28T13:03:00Z\">28 Nov 2026, 13:03 UTC</time>"));
    assert!(first.contains("<td class=\"event-actor\" data-label=\"Actor\">Ann Lee</td>"));
    assert!(first.contains(
        "<p class=\"event-summary\"><a href=\"/desk/reports/3\">Report #3: In review \u{2192} No change</a></p>"
    ));
    assert!(first.contains("<p class=\"preserve-lines event-detail\">The article was right.\nThe minutes say May.</p>"));
    assert!(first.contains("<span class=\"tag-public\">Public</span>"));
    assert!(!first.contains("Internal"));

    // Internal events say so in words, not by colour alone.
    let second = rows[1];
    assert!(second.starts_with(" class=\"internal\">"), "{second}");
    assert!(second.contains("<span class=\"tag-internal\">Internal</span>"));
    assert!(!second.contains("event-detail"), "no detail, no empty paragraph");

    // Without a ticket, the summary is plain text.
    let third = rows[2];
    assert!(third.contains("<td class=\"event-actor\" data-label=\"Actor\">System</td>"));
    assert!(third.contains("<p class=\"event-summary\">Correction #7 published</p>"));
    assert!(!third.contains("<a "));
}

#[test]
fn audit_filter_form_gets_audit_with_labelled_controls() {
    let html = audit(&auditor_layout(), &audit_view()).into_string();
    let main = main_of(&html);
    let form = between(main, "<form", "</form>");
    assert!(form.starts_with("<form method=\"get\" action=\"/audit\""));
    for (name, label) in [("actor", "Actor"), ("kind", "Kind of event")] {
        assert!(form.contains(&format!("<label class=\"label\" for=\"field-{name}\">{label}</label>")), "{name}");
        assert!(form.contains(&format!("<select class=\"select\" id=\"field-{name}\" name=\"{name}\">")));
    }
    assert!(form.contains("<option value=\"ann@news.example\" selected>Ann Lee</option>"));
    assert!(form.contains("<option value=\"status_changed\">Status changed</option>"));
    for (name, label, value) in [("from", "From", "2026-11-01"), ("to", "To", "2026-11-30")] {
        let g = group(form, name);
        assert!(g.contains(&format!("<label class=\"label\" for=\"field-{name}\">{label}</label>")));
        assert!(g.contains(&format!(
            "<input class=\"input\" id=\"field-{name}\" type=\"date\" name=\"{name}\" value=\"{value}\">"
        )));
    }
    assert!(form.contains("<button class=\"button\" type=\"submit\">Apply</button>"));
    assert!(form.contains("<a href=\"/audit\">Clear</a>"));
    assert!(!form.contains("name=\"csrf\""), "a GET form carries no token");
    assert_eq!(main.matches("<form").count(), 1);
}

#[test]
fn audit_empty_state_error_and_paging() {
    let mut view = audit_view();
    view.events.clear();
    view.next_href = None;
    view.error = Some("Enter the dates as YYYY-MM-DD.".to_owned());
    let html = audit(&auditor_layout(), &view).into_string();
    assert!(html.contains("<title>Error: Audit trail · The Daily Example</title>"));
    assert!(html.contains("<p class=\"empty\">No events match these filters.</p>"));
    assert!(!html.contains("<table"));
    assert!(!html.contains("Next page"));
    let alert = html.find("role=\"alert\"").unwrap();
    assert!(html[alert..].contains("<li>Enter the dates as YYYY-MM-DD.</li>"));
    assert!(alert < html.find("No events match").unwrap());

    let html = audit(&auditor_layout(), &audit_view()).into_string();
    assert!(!html.contains("role=\"alert\""));
    assert!(!html.contains("No events match"));
    assert!(html.contains(
        "<nav class=\"pager\" aria-label=\"Pages\">\
         <a href=\"/audit?actor=ann%40news.example&amp;before=1\" rel=\"next\">Next page</a></nav>"
    ));
}

#[test]
fn audit_with_nothing_to_choose_still_renders() {
    let html = audit(&auditor_layout(), &AuditView::default()).into_string();
    assert!(html.contains("No events match these filters."));
    assert!(!html.contains("<select"), "no empty selects");
    assert!(html.contains("type=\"date\" name=\"from\" value=\"\""));
    assert!(html.contains("Apply"));
}

#[test]
fn audit_escapes_everything() {
    let hostile_event = AuditEvent {
        id: 1,
        at: HOSTILE.to_owned(),
        at_iso: HOSTILE.to_owned(),
        actor: HOSTILE.to_owned(),
        kind: HOSTILE.to_owned(),
        summary: HOSTILE.to_owned(),
        detail: Some(HOSTILE.to_owned()),
        public: false,
        ticket_href: Some(HOSTILE.to_owned()),
    };
    let view = AuditView {
        events: vec![hostile_event],
        actors: vec![opt(HOSTILE, HOSTILE, false)],
        kinds: vec![opt(HOSTILE, HOSTILE, true)],
        from: HOSTILE.to_owned(),
        to: HOSTILE.to_owned(),
        next_href: Some(HOSTILE.to_owned()),
        error: Some(HOSTILE.to_owned()),
        verify_href: HOSTILE.to_owned(),
        json_href: HOSTILE.to_owned(),
    };
    let html = audit(&auditor_layout(), &view).into_string();
    assert_escaped(&html);
    // Time text and datetime, actor, ticket href, summary, detail (the kind is not shown);
    // actor and kind values and labels; from, to, next, error, verify and JSON links.
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 16, "{html}");
    assert_ids_consistent(&html);
}

// Verifying the log.

#[test]
fn verify_success_is_a_status_panel_with_the_summary() {
    let html = verify(&auditor_layout(), &verify_view()).into_string();
    assert!(html.contains("<title>Verify the public log · The Daily Example</title>"));
    assert!(html.contains("<h1>Verify the public log</h1>"));
    let panel = between(&html, "<div class=\"verify-result", "</div>");
    assert!(panel.starts_with("<div class=\"verify-result verify-ok\" role=\"status\">"), "{panel}");
    assert!(panel.contains("Verified"));
    assert!(panel.contains("<p class=\"verify-summary\">The log verifies: 1,234 entries, signed by the key below.</p>"));
    assert!(!html.contains("role=\"alert\""));
    // The verdict comes first.
    assert!(html.find("verify-result").unwrap() < html.find("id=\"checks-heading\"").unwrap());
}

#[test]
fn verify_failure_is_an_alert_panel_with_the_summary() {
    let html = verify(&auditor_layout(), &failed_view()).into_string();
    let panel = between(&html, "<div class=\"verify-result", "</div>");
    assert!(panel.starts_with("<div class=\"verify-result verify-failed\" role=\"alert\">"), "{panel}");
    assert!(panel.contains("Not verified"));
    assert!(panel.contains("The log does not verify: entry 4 does not match its hash."));
    assert!(!html.contains("role=\"status\""));
    assert!(!html.contains("verify-ok"));
}

#[test]
fn verify_checks_say_passed_or_failed_in_words() {
    let html = verify(&auditor_layout(), &failed_view()).into_string();
    let list = between(&html, "<ul class=\"check-list\">", "</ul>");
    let items: Vec<&str> = list.split("<li").skip(1).collect();
    assert_eq!(items.len(), 2);
    assert!(items[0].starts_with(" class=\"check check-failed\">"), "{}", items[0]);
    assert!(items[0].contains("Failed"));
    assert!(!items[0].contains("Passed"));
    assert!(items[0].contains("<strong class=\"check-name\">Hash chain</strong>"));
    assert!(items[0].contains("<p class=\"preserve-lines check-detail\">Entry 4: expected 9f2c…, found 0a1b….</p>"));
    assert!(items[1].starts_with(" class=\"check\">"), "{}", items[1]);
    assert!(items[1].contains("Passed"));
    assert!(!items[1].contains("Failed"));
    assert!(items[1].contains("<strong class=\"check-name\">Signature</strong>"));
    // The glyphs are decoration: the words carry the outcome.
    assert!(list.contains("<span aria-hidden=\"true\">✗ </span>Failed"));
    assert!(list.contains("<span aria-hidden=\"true\">✓ </span>Passed"));

    let html = verify(&auditor_layout(), &verify_view()).into_string();
    let list = between(&html, "<ul class=\"check-list\">", "</ul>");
    assert_eq!(list.matches("Passed").count(), 2);
    assert!(!list.contains("Failed"));
}

#[test]
fn verify_lists_size_head_hash_and_key() {
    let html = verify(&auditor_layout(), &verify_view()).into_string();
    let facts = between(&html, "<dl class=\"summary-list verify-facts\">", "</dl>");
    assert!(facts.contains("<dt>Entries</dt><dd>1,234</dd>"));
    assert!(facts.contains(&format!("<dt>Head hash</dt><dd><code class=\"hash-value\">{HEAD_HASH}</code></dd>")));
    assert!(facts.contains(&format!("<dt>Public key</dt><dd><code class=\"hash-value\">{PUBLIC_KEY}</code></dd>")));
    // Long hex wraps anywhere rather than widening the page.
    let rule = &STYLESHEET[STYLESHEET.find(".hash-value {").unwrap()..];
    assert!(rule[..rule.find('}').unwrap()].contains("overflow-wrap: anywhere;"));

    // An empty log has no head hash to show.
    let html = verify(&auditor_layout(), &VerifyView::default()).into_string();
    assert!(html.contains("<dt>Entries</dt><dd>0</dd>"));
    assert!(html.contains("<dt>Head hash</dt><dd><span class=\"muted\">None</span></dd>"));
    assert!(html.contains("<p class=\"empty\">No checks were run.</p>"));
}

#[test]
fn verify_shows_the_checkpoint_only_when_there_is_one() {
    let html = verify(&auditor_layout(), &verify_view()).into_string();
    assert!(html.contains("<h2 id=\"checkpoint-heading\">Signed checkpoint</h2>"));
    assert!(html.contains(
        "<pre class=\"checkpoint\">{\n  &quot;size&quot;: 1234,\n  &quot;head_hash&quot;: &quot;9f2c&quot;,\n  \
         &quot;signature&quot;: &quot;c2ln&quot;\n}</pre>"
    ));
    assert_eq!(html.matches("<pre").count(), 1);

    let html = verify(&auditor_layout(), &failed_view()).into_string();
    assert!(!html.contains("<pre"));
    assert!(!html.contains("Signed checkpoint"));
    assert!(!html.contains("checkpoint-heading"));
}

#[test]
fn verify_explains_how_to_check_it_yourself() {
    let html = verify(&auditor_layout(), &verify_view()).into_string();
    let section = between(&html, "<h2 id=\"yourself-heading\">", "</section>");
    assert!(section.contains(&format!(
        "<code class=\"command\">corrigenda verify-log --url <var>this site's address</var> --pin {PUBLIC_KEY}</code>"
    )));
    assert!(section.contains("SHA-256"));
    assert!(section.contains("Ed25519"));
    assert!(section.contains("<a href=\"/audit\">Back to the audit trail</a>"));
    // "Run again" is a plain GET of this page: no token, nothing changes.
    let form = between(main_of(&html), "<form", "</form>");
    assert!(form.starts_with("<form class=\"run-again\" method=\"get\" action=\"/audit/verify\">"));
    assert!(form.contains("<button class=\"button button-secondary\" type=\"submit\">Run again</button>"));
    assert!(!form.contains("<input"));

    // Without a key, the command names what to pin instead of pinning nothing.
    let html = verify(&auditor_layout(), &VerifyView::default()).into_string();
    assert!(html.contains("--pin <var>the public key</var></code>"));
}

#[test]
fn verify_escapes_everything() {
    let view = VerifyView {
        ok: false,
        summary: HOSTILE.to_owned(),
        checks: vec![check(HOSTILE, false, HOSTILE), check(HOSTILE, true, HOSTILE)],
        size: 3,
        head_hash: HOSTILE.to_owned(),
        public_key: HOSTILE.to_owned(),
        checkpoint_json: Some(HOSTILE.to_owned()),
    };
    let html = verify(&auditor_layout(), &view).into_string();
    assert_escaped(&html);
    // Summary; two checks' names and details; head hash; key in the list and in the command; checkpoint.
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 9, "{html}");
    assert_ids_consistent(&html);
}

// Erasing a reader's details.

#[test]
fn erasure_explains_what_it_does_and_does_not_do() {
    let html = erasure(&staff_layout(), &erasure_view()).into_string();
    assert!(html.contains("<title>Erase a reader's details · The Daily Example</title>"));
    assert!(html.contains("<h1>Erase a reader's details</h1>"));
    let main = main_of(&html);
    assert!(main.contains("removes the reader's name and email address from every report"));
    assert!(main.contains("every email still waiting to be sent to them"));
    assert!(main.contains("The public correction log never contained them, so it stays valid"));
    assert!(main.contains("The erasure itself is recorded in the audit trail"));
    assert!(main.contains("but not whose details were erased"));
    assert!(!main.contains("role=\"alert\""));
    assert!(!main.contains("role=\"status\""));
}

#[test]
fn erasure_form_posts_the_email_with_csrf() {
    let mut view = erasure_view();
    view.email = "dana@example.org".to_owned();
    let html = erasure(&staff_layout(), &view).into_string();
    let forms: Vec<&str> = main_of(&html).match_indices("<form").map(|(i, _)| &main_of(&html)[i..]).collect();
    assert_eq!(forms.len(), 1);
    let form = between(forms[0], "<form", "</form>");
    assert!(form.starts_with("<form class=\"stacked-form\" method=\"post\" action=\"/desk/erasure\""));
    assert!(form.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-erase\">"));
    let g = group(form, "email");
    assert!(g.contains("<label class=\"label\" for=\"field-email\">Reader's email address</label>"));
    assert!(g.contains("<p class=\"hint\" id=\"hint-email\">"));
    assert!(g.contains(
        "<input class=\"input\" id=\"field-email\" type=\"email\" name=\"email\" value=\"dana@example.org\" \
         autocomplete=\"off\" spellcheck=\"false\" required aria-describedby=\"hint-email\">"
    ));
    assert!(form.contains("<button class=\"button button-danger\" type=\"submit\">Erase</button>"));
    assert_eq!(attr_values(form, "name"), ["csrf", "email"]);
}

#[test]
fn erasure_shows_error_and_notice_panels() {
    let mut view = erasure_view();
    view.error = Some("No report has that email address.".to_owned());
    let html = erasure(&staff_layout(), &view).into_string();
    assert!(html.contains("<title>Error: Erase a reader's details · The Daily Example</title>"));
    let alert = between(&html, "<div class=\"error-summary\" role=\"alert\"", "</div>");
    assert!(alert.contains("<li>No report has that email address.</li>"));
    assert!(html.find("role=\"alert\"").unwrap() < html.find("<form class=\"stacked-form\"").unwrap());
    assert!(!html.contains("role=\"status\""));

    let mut view = erasure_view();
    view.notice = Some("Erased the name and email from 3 reports.".to_owned());
    let html = erasure(&staff_layout(), &view).into_string();
    assert!(html.contains("<title>Erase a reader's details · The Daily Example</title>"));
    assert!(html.contains(
        "<div class=\"panel-success\" role=\"status\"><p>Erased the name and email from 3 reports.</p></div>"
    ));
    assert!(!html.contains("role=\"alert\""));
}

#[test]
fn erasure_escapes_everything() {
    let view = ErasureView {
        csrf: HOSTILE.to_owned(),
        email: HOSTILE.to_owned(),
        error: Some(HOSTILE.to_owned()),
        notice: Some(HOSTILE.to_owned()),
    };
    let html = erasure(&staff_layout(), &view).into_string();
    assert_escaped(&html);
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 4, "{html}");
    assert_ids_consistent(&html);
}

// The staff header, per role.

/// The header's nav links, as (href, text).
fn nav_links(layout: &Layout) -> Vec<(String, String)> {
    let html = layout.page("Page", maud::html! {}).into_string();
    let nav = between(header_of(&html), "<ul>", "</ul>");
    nav.split("<a href=\"")
        .skip(1)
        .map(|a| {
            let href = &a[..a.find('"').unwrap()];
            let text = &a[a.find('>').unwrap() + 1..a.find("</a>").unwrap()];
            (href.to_owned(), text.to_owned())
        })
        .collect()
}

fn hrefs(layout: &Layout) -> Vec<String> {
    nav_links(layout).into_iter().map(|(href, _)| href).collect()
}

#[test]
fn staff_nav_links_per_role() {
    let public = ["/corrections", "/standards"];
    let standards_editor = nav_links(&staff_layout());
    let texts: Vec<&str> = standards_editor.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Corrections",
            "Editorial standards",
            "Desk",
            "Desks",
            "Standards",
            "Approvals",
            "Audit",
            "Figures",
            "Mail",
            "Webhooks",
            "Erase reader data"
        ]
    );
    assert_eq!(
        hrefs(&staff_layout()),
        [
            &public[..],
            &[
                "/desk",
                "/desk/desks",
                "/desk/standards",
                "/desk/corrections",
                "/audit",
                "/desk/transparency",
                "/desk/outbox",
                "/desk/webhooks",
                "/desk/erasure"
            ],
        ]
        .concat()
    );

    // Editors work the queue and their own corrections awaiting approval; the audit trail and erasure are not theirs.
    assert_eq!(
        hrefs(&layout_as("Editor", false)),
        [&public[..], &["/desk", "/desk/desks", "/desk/standards", "/desk/corrections"]].concat()
    );

    // Auditors read the desks, the audit trail, the figures and the standards, but cannot use the queue or erase.
    assert_eq!(
        hrefs(&auditor_layout()),
        [&public[..], &["/desk/desks", "/desk/standards", "/audit", "/desk/transparency"]].concat()
    );

    // Signed out: the public links only.
    assert_eq!(hrefs(&layout()), public);
}

#[test]
fn staff_nav_auditor_is_told_apart_by_the_exact_label() {
    // Only the label "Auditor" hides the desk; any other label keeps it.
    assert!(hrefs(&layout_as("Auditor", false)).iter().all(|h| h != "/desk"));
    assert!(hrefs(&layout_as("auditor (external)", false)).iter().any(|h| h == "/desk"));
    assert!(hrefs(&layout_as("auditor (external)", false)).iter().all(|h| h != "/audit"));
}
