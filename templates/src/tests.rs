//! Rendering tests: escaping, kept values, error wiring and the page frame.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use crate::*;

/// Reader text that would run script or break out of an attribute if not escaped.
pub(crate) const HOSTILE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>&amp;";
/// `HOSTILE` as maud must write it.
pub(crate) const HOSTILE_ESCAPED: &str =
    "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;";

pub(crate) fn layout() -> Layout {
    Layout { publication: "The Daily Example".to_owned(), staff: None }
}

/// The frame of a signed-in editor's page.
pub(crate) fn staff_layout() -> Layout {
    Layout {
        publication: "The Daily Example".to_owned(),
        staff: Some(StaffNav {
            name: "Rosa Park".to_owned(),
            role_label: "Standards editor".to_owned(),
            csrf: "csrf-token-123".to_owned(),
            is_standards_editor: true,
            pending_approvals: 0,
        }),
    }
}

pub(crate) fn article(title: &str) -> ArticleSummary {
    ArticleSummary {
        id: "2026-11-28-council".to_owned(),
        title: title.to_owned(),
        url: "https://news.example/2026/11/28/council".to_owned(),
        section: "Politics".to_owned(),
        authors: vec!["Ann Lee".to_owned(), "Bo Chen".to_owned()],
        published: "28 November 2026".to_owned(),
        text_known: true,
    }
}

fn form_view() -> ReportFormView {
    ReportFormView {
        article: article("Council votes to close library"),
        categories: vec![
            Choice { value: "factual_error".to_owned(), label: "Factual error".to_owned() },
            Choice { value: "misquote".to_owned(), label: "Misquote".to_owned() },
        ],
        values: ReportFormValues::default(),
        errors: Vec::new(),
        form_error: None,
        action: "/articles/2026-11-28-council/report".to_owned(),
        quote_max: 2000,
        explanation_max: 5000,
        evidence_max: 5,
    }
}

fn tracking_view() -> TrackingView {
    TrackingView {
        article: article("Council votes to close library"),
        status: "needs_info".to_owned(),
        status_label: "We need more information".to_owned(),
        status_explanation: "An editor has a question for you.".to_owned(),
        category_label: "Misquote".to_owned(),
        quote: "The library will close in May.".to_owned(),
        explanation: "It closes in June.\nSee the minutes.".to_owned(),
        evidence_urls: vec!["https://council.example/minutes".to_owned()],
        filed_at: "2026-11-28 13:05 UTC".to_owned(),
        filed_at_iso: "2026-11-28T13:05:00Z".to_owned(),
        updated_at: "2026-11-29 09:00 UTC".to_owned(),
        updated_at_iso: "2026-11-29T09:00:00Z".to_owned(),
        history: vec![
            HistoryItem {
                at: "2026-11-28 13:05 UTC".to_owned(),
                at_iso: "2026-11-28T13:05:00Z".to_owned(),
                title: "Report received".to_owned(),
                detail: None,
            },
            HistoryItem {
                at: "2026-11-29 09:00 UTC".to_owned(),
                at_iso: "2026-11-29T09:00:00Z".to_owned(),
                title: "The editor asked a question".to_owned(),
                detail: Some("Which paragraph?".to_owned()),
            },
        ],
        just_filed: false,
        tracking_url: "https://corrections.example/reports/k3Jx9QpL2vTz".to_owned(),
        question: None,
        reply: None,
        appeal: None,
        primary_outcome: None,
        notice: None,
        decision_reason: None,
        correction: None,
        appeal_outcome: None,
    }
}

pub(crate) fn error(field: &str, message: &str) -> FieldError {
    FieldError { field: field.to_owned(), message: message.to_owned() }
}

pub(crate) fn assert_escaped(html: &str) {
    assert!(!html.contains("<script>alert"), "raw script tag in:\n{html}");
    assert!(!html.contains("<img src=x"), "raw img tag in:\n{html}");
    assert!(html.contains(HOSTILE_ESCAPED), "escaped text missing in:\n{html}");
}

/// The `<div class="form-group ...">` that holds the field `name`.
pub(crate) fn group<'a>(html: &'a str, name: &str) -> &'a str {
    let label = html.find(&format!("for=\"field-{name}\"")).unwrap();
    let start = html[..label].rfind("<div class=\"form-group").unwrap();
    let end = label + html[label..].find("</div>").unwrap();
    &html[start..end]
}

/// Every value of attribute `attr` in `html`, in order.
pub(crate) fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// Ids are unique, and every label and `aria-describedby` points at one that exists.
pub(crate) fn assert_ids_consistent(html: &str) {
    let ids = attr_values(html, "id");
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "duplicate ids: {ids:?}");
    for target in attr_values(html, "for") {
        assert!(unique.contains(target), "label for missing id {target}");
    }
    for list in attr_values(html, "aria-describedby") {
        for target in list.split_whitespace() {
            assert!(unique.contains(target), "aria-describedby missing id {target}");
        }
    }
    for target in attr_values(html, "aria-labelledby") {
        assert!(unique.contains(target), "aria-labelledby missing id {target}");
    }
}

/// Every page in the states worth checking, by a name fit for a file.
pub(crate) fn every_page() -> Vec<(&'static str, String)> {
    let mut with_errors = form_view();
    with_errors.errors = vec![error("quote", "Missing."), error("explanation", "Missing.")];
    with_errors.form_error = Some("Too many reports.".to_owned());
    let mut filed = tracking_view();
    filed.just_filed = true;
    let mut reply_error = asking_view();
    if let Some(reply) = &mut reply_error.reply {
        reply.error = Some("Write your answer.".to_owned());
    }
    let mut appeal_error = appealable_view();
    if let Some(appeal) = &mut appeal_error.appeal {
        appeal.error = Some("Tell us why.".to_owned());
    }
    let pages = vec![
        ("home", home(&layout(), &HomeView::default())),
        (
            "home-error",
            home(
                &layout(),
                &HomeView {
                    query: "nope".to_owned(),
                    find_error: Some("No article has that ID.".to_owned()),
                    recent: vec![],
                    results: None,
                },
            ),
        ),
        ("form", report_form(&layout(), &form_view())),
        ("form-errors", report_form(&layout(), &with_errors)),
        ("tracking", tracking(&layout(), &tracking_view())),
        ("tracking-filed", tracking(&layout(), &filed)),
        ("tracking-outcome", tracking(&layout(), &outcome_view())),
        ("tracking-question", tracking(&layout(), &asking_view())),
        ("tracking-reply-error", tracking(&layout(), &reply_error)),
        ("tracking-appeal", tracking(&layout(), &appealable_view())),
        ("tracking-appeal-error", tracking(&layout(), &appeal_error)),
        (
            "error",
            error_page(
                &layout(),
                &ErrorView { status: 404, title: "Not found".to_owned(), message: "There is no such page.".to_owned() },
            ),
        ),
    ];
    pages
        .into_iter()
        .chain(crate::desk_tests::every_desk_page())
        .chain(crate::log_tests::every_log_page())
        .chain(crate::audit_tests::every_audit_page())
        .chain(crate::channels_tests::every_channels_page())
        .chain(crate::desks_tests::every_desks_page())
        .chain(crate::responses_tests::every_responses_page())
        .chain(crate::wordings_tests::every_wordings_page())
        .chain(crate::transparency_tests::every_transparency_page())
        .map(|(name, m)| (name, m.into_string()))
        .collect()
}

/// A tracking page with every part of an outcome: reason, correction and a decided appeal.
fn outcome_view() -> TrackingView {
    let mut view = appealable_view();
    view.appeal = None;
    view.decision_reason = Some("The minutes say May.".to_owned());
    view.correction = Some(TrackedCorrection {
        kind_label: "Clarification".to_owned(),
        text: "The library closes in June.".to_owned(),
        href: "/articles/a1/corrections#correction-3".to_owned(),
    });
    view.appeal_outcome = Some(AppealOutcomeView {
        sentence: "A standards editor reviewed your appeal and upheld the decision.".to_owned(),
        is_final: true,
        reason: Some("Checked again.".to_owned()),
        at: "1 December 2026, 10:00 UTC".to_owned(),
        at_iso: "2026-12-01T10:00:00Z".to_owned(),
    });
    view
}

/// A tracking page where the editor asked a question.
pub(crate) fn asking_view() -> TrackingView {
    let mut view = tracking_view();
    view.question = Some("Which paragraph?\nAnd which edition?".to_owned());
    view.reply = Some(ReaderForm {
        action: "/reports/k3Jx9QpL2vTz/replies".to_owned(),
        value: String::new(),
        error: None,
        max: 5000,
    });
    view
}

/// A tracking page after a decision the reader can appeal.
pub(crate) fn appealable_view() -> TrackingView {
    let mut view = tracking_view();
    view.status = "no_change".to_owned();
    view.status_label = "No change".to_owned();
    view.status_explanation = "The editor decided the article is right.".to_owned();
    view.appeal = Some(ReaderForm {
        action: "/reports/k3Jx9QpL2vTz/appeal".to_owned(),
        value: String::new(),
        error: None,
        max: 2000,
    });
    view
}

#[test]
fn layout_has_the_frame() {
    let html = layout().page("Some page", maud::html! { h1 { "Hello" } }).into_string();
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    assert!(html.contains("<title>Some page · The Daily Example</title>"));
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/static/style.css\">"));
    assert!(html.contains("href=\"#main\""));
    assert!(html.contains("<main class=\"wrap\" id=\"main\""));
    assert!(html.contains("<a class=\"site-name\" href=\"/\">The Daily Example Corrections</a>"));
    assert!(html.contains("<a href=\"/corrections\">Corrections</a>"));
    assert!(html.contains("<a href=\"/standards\">Editorial standards</a>"));
    assert!(html.contains("Corrigenda — corrections and editorial standards for The Daily Example"));
    assert!(html.contains("<h1>Hello</h1>"));
    assert!(!html.contains("referrer"), "the Referrer-Policy header decides, page by page");
}

#[test]
fn layout_escapes_the_publication_and_title() {
    let layout = Layout {
        publication: HOSTILE.to_owned(),
        staff: Some(StaffNav {
            name: HOSTILE.to_owned(),
            role_label: HOSTILE.to_owned(),
            csrf: HOSTILE.to_owned(),
            is_standards_editor: false,
            pending_approvals: 0,
        }),
    };
    let html = layout.page(HOSTILE, maud::html! {}).into_string();
    assert_escaped(&html);
    // Title (page and publication), site name, footer, staff name, role and the
    // sign-out form's token.
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 7, "{html}");
}

#[test]
fn no_page_has_script_and_ids_are_consistent() {
    let pages = every_page();
    let names: HashSet<&str> = pages.iter().map(|(name, _)| *name).collect();
    assert_eq!(names.len(), pages.len(), "page names are unique");
    for (name, html) in pages {
        if name.starts_with("embed-demo") {
            // The demonstration of a publisher's page: the widget's script from this server and the
            // notice's JSON-LD data, nothing else.
            let scripts: Vec<&str> = html.split("<script").skip(1).collect();
            assert_eq!(scripts.len(), 2, "{html}");
            assert!(
                scripts.iter().all(|s| s.starts_with(" type=\"application/ld+json\">")
                    || s.starts_with(" src=\"https://corrections.example/embed/report.js?v=")),
                "{html}"
            );
        } else {
            assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
        }
        assert!(!html.contains(" onclick="), "{html}");
        assert_eq!(html.matches("<h1>").count(), 1, "one h1 per page:\n{html}");
        assert_ids_consistent(&html);
    }
}

#[test]
fn home_has_find_form_empty_state_and_links() {
    let html = home(&layout(), &HomeView::default()).into_string();
    assert!(html.contains("<h1>The Daily Example corrections desk</h1>"));
    assert!(html.contains("public, verifiable log"));
    assert!(html.contains("method=\"get\" action=\"/articles\""));
    assert!(html.contains("<label class=\"label\" for=\"field-q\">Article address, ID or headline</label>"));
    assert!(html.contains("name=\"q\" value=\"\""));
    assert!(html.contains("Recent corrections"));
    assert!(html.contains("No corrections have been published yet."));
    assert!(html.contains("href=\"/standards\">Read our editorial standards"));
    assert!(html.contains("href=\"/corrections\">See the full corrections log"));
    assert!(!html.contains("aria-invalid"));
    assert!(!html.contains("role=\"alert\""));
}

#[test]
fn home_keeps_query_and_shows_error_next_to_field() {
    let view = HomeView {
        query: "https://news.example/nope".to_owned(),
        find_error: Some("We have no article at that address.".to_owned()),
        recent: vec![],
        results: None,
    };
    let html = home(&layout(), &view).into_string();
    assert!(html.contains("value=\"https://news.example/nope\""));
    assert!(html.contains("<div class=\"form-group has-error\">"));
    assert!(html.contains(
        "<div role=\"alert\"><p class=\"field-error\" id=\"error-q\">\
         <span class=\"visually-hidden\">Error: </span>We have no article at that address.</p></div>"
    ));
    assert!(html.contains("aria-describedby=\"hint-q error-q\" aria-invalid=\"true\""));
    assert!(html.find("id=\"error-q\"").unwrap() < html.find("id=\"field-q\"").unwrap());
}

#[test]
fn home_escapes_query_and_error() {
    let view = HomeView { query: HOSTILE.to_owned(), find_error: None, recent: vec![], results: None };
    let html = home(&layout(), &view).into_string();
    assert_escaped(&html);
    assert!(html.contains(&format!("value=\"{HOSTILE_ESCAPED}\"")));

    let view = HomeView { query: String::new(), find_error: Some(HOSTILE.to_owned()), recent: vec![], results: None };
    assert_escaped(&home(&layout(), &view).into_string());
}

#[test]
fn report_form_shows_article_and_fields() {
    let html = report_form(&layout(), &form_view()).into_string();
    assert!(html.contains("<title>Report an error · The Daily Example</title>"));
    assert!(html.contains(
        "<a href=\"https://news.example/2026/11/28/council\" rel=\"noopener noreferrer\">\
         Council votes to close library</a>"
    ));
    assert!(html.contains("<li>Politics</li>"));
    assert!(html.contains("<li>By Ann Lee and Bo Chen</li>"));
    assert!(html.contains("<li>Published 28 November 2026</li>"));
    assert!(html.contains("method=\"post\" action=\"/articles/2026-11-28-council/report\" accept-charset=\"utf-8\""));
    assert!(html.contains("<option value=\"\">Choose one</option>"));
    assert!(html.contains("name=\"category\" required"));
    assert!(html.contains("maxlength=\"2000\""));
    assert!(html.contains("maxlength=\"5000\""));
    assert!(html.contains("up to 5 links, each starting with https:// or http://"));
    assert!(html.contains("We check them against the article's text."));
    assert!(html.contains("type=\"email\" name=\"reporter_email\""));
    assert!(html.contains("autocomplete=\"email\""));
    assert!(html.contains("autocomplete=\"name\""));
    assert!(html.contains("Only to tell you the outcome. Never published."));
    assert!(html.contains("<button class=\"button\" type=\"submit\">Send report</button>"));
    for name in ["category", "quote", "explanation", "evidence_urls", "reporter_name", "reporter_email"] {
        let g = group(&html, name);
        assert!(g.contains(&format!("id=\"field-{name}\"")), "{g}");
        assert!(g.contains(&format!("name=\"{name}\"")), "{g}");
        assert!(g.contains(&format!("id=\"hint-{name}\"")), "{g}");
        assert!(g.contains(&format!("aria-describedby=\"hint-{name}\"")), "{g}");
    }
    assert!(!html.contains("aria-invalid"));
    assert!(!html.contains("There is a problem"));
}

#[test]
fn report_form_quote_hint_depends_on_known_text() {
    let mut view = form_view();
    view.article.text_known = false;
    let html = report_form(&layout(), &view).into_string();
    assert!(html.contains("Copy the words exactly as they appear in the article"));
    assert!(!html.contains("We check them against the article's text."));
}

#[test]
fn report_form_honeypot_is_labelled_and_unreachable() {
    let html = report_form(&layout(), &form_view()).into_string();
    assert!(html.contains(
        "<div class=\"hp\"><label for=\"field-website\">Leave this field empty</label>\
         <input id=\"field-website\" type=\"text\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\"></div>"
    ));
    assert!(!html.contains("aria-hidden"));
}

#[test]
fn report_form_keeps_values() {
    let mut view = form_view();
    view.values = ReportFormValues {
        category: "misquote".to_owned(),
        quote: "The library will close in May.".to_owned(),
        explanation: "\nIt closes in June.\nSee the minutes.".to_owned(),
        evidence_urls: "https://council.example/minutes\nhttps://council.example/vote".to_owned(),
        reporter_name: "Dana Fox".to_owned(),
        reporter_email: "dana@example.org".to_owned(),
    };
    view.errors = vec![error("quote", "This passage is not in the article.")];
    let html = report_form(&layout(), &view).into_string();
    assert!(html.contains("<option value=\"misquote\" selected>Misquote</option>"));
    assert!(html.contains("<option value=\"factual_error\">Factual error</option>"));
    assert!(html.contains(">\nThe library will close in May.</textarea>"));
    // The extra newline keeps the reader's own leading blank line through HTML parsing.
    assert!(html.contains(">\n\nIt closes in June.\nSee the minutes.</textarea>"));
    assert!(html.contains(">\nhttps://council.example/minutes\nhttps://council.example/vote</textarea>"));
    assert!(html.contains("value=\"Dana Fox\""));
    assert!(html.contains("value=\"dana@example.org\""));
}

#[test]
fn report_form_error_is_next_to_its_field() {
    let mut view = form_view();
    view.errors = vec![
        error("quote", "This passage is not in the article."),
        error("reporter_email", "Enter an email address like name@example.com."),
    ];
    let html = report_form(&layout(), &view).into_string();

    let quote = group(&html, "quote");
    assert!(quote.starts_with("<div class=\"form-group has-error\">"));
    assert!(quote.contains(
        "<p class=\"field-error\" id=\"error-quote\"><span class=\"visually-hidden\">Error: </span>\
         This passage is not in the article.</p>"
    ));
    assert!(quote.contains("aria-describedby=\"hint-quote error-quote\" aria-invalid=\"true\""));
    assert!(quote.find("id=\"error-quote\"").unwrap() < quote.find("id=\"field-quote\"").unwrap());

    let email = group(&html, "reporter_email");
    assert!(email.contains("id=\"error-reporter_email\""));
    assert!(email.contains("aria-invalid=\"true\""));

    let explanation = group(&html, "explanation");
    assert!(explanation.starts_with("<div class=\"form-group\">"));
    assert!(!explanation.contains("aria-invalid"));
    assert!(!explanation.contains("field-error"));
}

#[test]
fn report_form_summary_links_to_fields() {
    let mut view = form_view();
    view.errors = vec![
        error("category", "Choose the kind of error."),
        error("quote", "Copy the passage from the article."),
        error("csrf_token", "The form expired. Send it again."),
    ];
    view.form_error = Some("You have sent many reports. Try again in an hour.".to_owned());
    let html = report_form(&layout(), &view).into_string();
    assert!(html.contains("<title>Error: Report an error · The Daily Example</title>"));

    let start = html.find("<div class=\"error-summary\" role=\"alert\"").unwrap();
    let summary = &html[start..start + html[start..].find("</div>").unwrap()];
    assert!(summary.contains("<h2 id=\"error-summary-title\">There is a problem</h2>"));
    assert!(summary.contains("<li>You have sent many reports. Try again in an hour.</li>"));
    assert!(summary.contains("<a href=\"#field-category\">Choose the kind of error.</a>"));
    assert!(summary.contains("<a href=\"#field-quote\">Copy the passage from the article.</a>"));
    // An unknown field has nowhere to link to and nowhere to show its message but here.
    assert!(summary.contains("<li>The form expired. Send it again.</li>"));
    assert!(!html.contains("#field-csrf_token"));
    assert!(!html.contains("error-csrf_token"));
    assert_eq!(html.matches("The form expired. Send it again.").count(), 1);
    // The summary comes before the form.
    assert!(start < html.find("<form").unwrap());
}

#[test]
fn report_form_summary_for_form_error_alone() {
    let mut view = form_view();
    view.form_error = Some("Too many reports.".to_owned());
    let html = report_form(&layout(), &view).into_string();
    assert!(html.contains("There is a problem"));
    assert!(html.contains("<li>Too many reports.</li>"));
    assert!(!html.contains("aria-invalid"));
}

#[test]
fn report_form_escapes_reader_text() {
    let mut view = form_view();
    view.article.title = HOSTILE.to_owned();
    view.values = ReportFormValues {
        category: HOSTILE.to_owned(),
        quote: HOSTILE.to_owned(),
        explanation: HOSTILE.to_owned(),
        evidence_urls: HOSTILE.to_owned(),
        reporter_name: HOSTILE.to_owned(),
        reporter_email: HOSTILE.to_owned(),
    };
    view.errors = vec![error("quote", HOSTILE), error(HOSTILE, HOSTILE)];
    view.form_error = Some(HOSTILE.to_owned());
    view.action = HOSTILE.to_owned();
    let html = report_form(&layout(), &view).into_string();
    assert_escaped(&html);
    // Title, quote, explanation, evidence, name, email, action, 2 field errors, form error and
    // the quote's message beside its field: nothing got through unescaped anywhere.
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 11, "{html}");
    assert!(html.contains(&format!("value=\"{HOSTILE_ESCAPED}\"")));
    assert!(html.contains(&format!(">\n{HOSTILE_ESCAPED}</textarea>")));
}

#[test]
fn tracking_shows_status_report_and_history() {
    let html = tracking(&layout(), &tracking_view()).into_string();
    assert!(html.contains("<title>Your correction report · The Daily Example</title>"));
    assert!(html.contains("<span class=\"badge status-needs_info\">We need more information</span>"));
    assert!(html.contains("An editor has a question for you."));
    assert!(html.contains("<dt>Kind of error</dt><dd>Misquote</dd>"));
    assert!(html.contains("<time datetime=\"2026-11-28T13:05:00Z\">2026-11-28 13:05 UTC</time>"));
    assert!(html.contains("<time datetime=\"2026-11-29T09:00:00Z\">2026-11-29 09:00 UTC</time>"));
    assert!(html.contains(
        "<blockquote class=\"quote\"><p class=\"preserve-lines\">The library will close in May.</p></blockquote>"
    ));
    assert!(html.contains("<p class=\"preserve-lines\">It closes in June.\nSee the minutes.</p>"));
    assert!(html.contains(
        "<a href=\"https://council.example/minutes\" rel=\"nofollow noopener noreferrer\">\
         https://council.example/minutes</a>"
    ));
    assert!(html.contains("rel=\"noopener noreferrer\">Council votes to close library</a>"));
    let received = html.find("Report received").unwrap();
    let asked = html.find("The editor asked a question").unwrap();
    assert!(received < asked, "history is oldest first");
    assert!(html.contains("<p class=\"preserve-lines\">Which paragraph?</p>"));
    assert!(html.contains("<ol class=\"history\">"));
    assert!(!html.contains("role=\"status\""));
    assert!(!html.contains("k3Jx9QpL2vTz"), "the token is shown only right after filing");
}

#[test]
fn tracking_just_filed_shows_the_link_to_keep() {
    let mut view = tracking_view();
    view.just_filed = true;
    let html = tracking(&layout(), &view).into_string();
    assert!(html.contains("<div class=\"panel-success\" role=\"status\">"));
    assert!(html.contains("Thank you: your report was received"));
    assert!(html.contains("Keep this link: it is the only way to follow your report."));
    assert!(html.contains("<code>https://corrections.example/reports/k3Jx9QpL2vTz</code>"));
}

#[test]
fn tracking_does_not_link_non_web_evidence() {
    let mut view = tracking_view();
    view.evidence_urls = vec!["javascript:alert(1)".to_owned(), "data:text/html,hi".to_owned()];
    let html = tracking(&layout(), &view).into_string();
    assert!(!html.contains("href=\"javascript:"));
    assert!(!html.contains("href=\"data:"));
    assert!(html.contains("<li>javascript:alert(1)</li>"));
}

#[test]
fn tracking_handles_empty_lists() {
    let mut view = tracking_view();
    view.evidence_urls.clear();
    view.history.clear();
    let html = tracking(&layout(), &view).into_string();
    assert!(html.contains("You did not send any links."));
    assert!(!html.contains("<ul class=\"evidence\">"));
    assert!(!html.contains("<ol class=\"history\">"));
}

#[test]
fn tracking_escapes_reader_text() {
    let mut view = tracking_view();
    view.just_filed = true;
    view.article.title = HOSTILE.to_owned();
    view.quote = HOSTILE.to_owned();
    view.explanation = HOSTILE.to_owned();
    view.evidence_urls = vec![format!("https://example.org/{HOSTILE}")];
    view.history[1].detail = Some(HOSTILE.to_owned());
    view.status = HOSTILE.to_owned();
    let html = tracking(&layout(), &view).into_string();
    assert_escaped(&html);
    // Title, quote, explanation, evidence href and text, history detail, status class.
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 7, "{html}");
    assert!(html.contains(&format!("href=\"https://example.org/{HOSTILE_ESCAPED}\"")));
}

#[test]
fn error_page_shows_title_message_and_way_home() {
    let view = ErrorView {
        status: 404,
        title: "Not found".to_owned(),
        message: "There is no article with that ID.".to_owned(),
    };
    let html = error_page(&layout(), &view).into_string();
    assert!(html.contains("<title>Not found · The Daily Example</title>"));
    assert!(html.contains("<h1>Not found</h1>"));
    assert!(html.contains("<p>There is no article with that ID.</p>"));
    assert!(html.contains("<a href=\"/\">Go to the home page</a>"));

    let view = ErrorView { status: 400, title: HOSTILE.to_owned(), message: HOSTILE.to_owned() };
    let html = error_page(&layout(), &view).into_string();
    assert_escaped(&html);
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 3);
}

#[test]
fn stylesheet_is_self_contained_and_hides_the_honeypot() {
    assert!(!STYLESHEET.contains("@import"));
    assert!(!STYLESHEET.contains("url("));
    let hp = STYLESHEET.find(".hp {").unwrap();
    let rule = &STYLESHEET[hp..hp + STYLESHEET[hp..].find('}').unwrap()];
    assert!(rule.contains("position: absolute;"));
    assert!(rule.contains("left: -10000px;"));
    assert!(STYLESHEET.contains(".visually-hidden {"));
    assert!(STYLESHEET.contains("white-space: pre-wrap;"));
    assert!(STYLESHEET.contains(":focus-visible"));
}

#[test]
fn layout_without_staff_has_no_desk_nav() {
    let html = layout().page("Some page", maud::html! {}).into_string();
    assert!(!html.contains("href=\"/desk\""));
    assert!(!html.contains("/logout"));
    assert!(!html.contains("Signed in as"));
    assert!(!html.contains("wrap-wide"));
}

#[test]
fn layout_staff_nav_has_desk_link_name_and_sign_out_form() {
    let html = staff_layout().page("Desk", maud::html! { h1 { "Desk" } }).into_string();
    let header = &html[html.find("<header").unwrap()..html.find("</header>").unwrap()];
    assert!(header.contains("<li><a href=\"/desk\">Desk</a></li>"));
    assert!(header.contains("Signed in as Rosa Park (Standards editor)"));
    let form_start = header.find("<form").unwrap();
    let form = &header[form_start..form_start + header[form_start..].find("</form>").unwrap()];
    assert!(form.contains("method=\"post\" action=\"/logout\""));
    assert!(form.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-token-123\">"));
    assert!(form.contains("<button class=\"header-button\" type=\"submit\">Sign out</button>"));
    // The public links stay, and the staff frame is the wide one.
    assert!(header.contains("<a href=\"/corrections\">Corrections</a>"));
    assert!(html.contains("<main class=\"wrap wrap-wide\" id=\"main\""));
}

#[test]
fn tracking_shows_no_reader_forms_unless_given() {
    let html = tracking(&layout(), &tracking_view()).into_string();
    assert!(!html.contains("<form"));
    assert!(!html.contains("The editor has a question for you"));
    assert!(!html.contains("Disagree with the decision?"));
    assert!(!html.contains("Another reader reported the same passage."));
    assert!(!html.contains("<textarea"));
}

#[test]
fn tracking_shows_the_question_and_the_reply_form() {
    let html = tracking(&layout(), &asking_view()).into_string();
    let start = html.find("<section class=\"panel-question\"").unwrap();
    let panel = &html[start..start + html[start..].find("</section>").unwrap()];
    assert!(panel.contains("<h2 id=\"question-heading\">The editor has a question for you</h2>"));
    assert!(panel.contains("<p class=\"preserve-lines question\">Which paragraph?\nAnd which edition?</p>"));
    assert!(panel.contains("<form class=\"reader-form\" method=\"post\" action=\"/reports/k3Jx9QpL2vTz/replies\""));
    assert!(panel.contains("<label class=\"label\" for=\"field-body\">Your answer</label>"));
    assert!(panel.contains("<p class=\"hint\" id=\"hint-body\">Up to 5,000 characters.</p>"));
    assert!(panel.contains("name=\"body\" rows=\"5\" maxlength=\"5000\" required"));
    assert!(panel.contains("aria-describedby=\"hint-body\""));
    assert!(panel.contains("<button class=\"button\" type=\"submit\">Send answer</button>"));
    assert!(!panel.contains("aria-invalid"));
    // The question comes before the report's own details, and there is nothing to appeal.
    assert!(start < html.find("id=\"report-heading\"").unwrap());
    assert!(!html.contains("Disagree with the decision?"));
    assert!(!html.contains("name=\"reason\""));
    assert!(html.contains("<title>Your correction report · The Daily Example</title>"));
}

#[test]
fn tracking_question_without_form_shows_only_the_question() {
    let mut view = asking_view();
    view.reply = None;
    let html = tracking(&layout(), &view).into_string();
    assert!(html.contains("The editor has a question for you"));
    assert!(!html.contains("<form"));
}

#[test]
fn tracking_reply_keeps_value_and_shows_error_beside_it() {
    let mut view = asking_view();
    view.reply = Some(ReaderForm {
        action: "/reports/k3Jx9QpL2vTz/replies".to_owned(),
        value: "\nThe third one.".to_owned(),
        error: Some("Your answer is too long.".to_owned()),
        max: 5000,
    });
    let html = tracking(&layout(), &view).into_string();
    assert!(html.contains("<title>Error: Your correction report · The Daily Example</title>"));
    let g = group(&html, "body");
    assert!(g.starts_with("<div class=\"form-group has-error\">"));
    assert!(html.contains(
        "<div role=\"alert\"><p class=\"field-error\" id=\"error-body\">\
         <span class=\"visually-hidden\">Error: </span>Your answer is too long.</p></div>"
    ));
    assert!(html.contains("aria-describedby=\"hint-body error-body\" aria-invalid=\"true\""));
    assert!(html.contains(">\n\nThe third one.</textarea>"));
    assert!(html.find("id=\"error-body\"").unwrap() < html.find("id=\"field-body\"").unwrap());
}

#[test]
fn tracking_shows_the_appeal_form_after_a_decision() {
    let html = tracking(&layout(), &appealable_view()).into_string();
    let start = html.find("<h2 id=\"appeal-heading\">").unwrap();
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    assert!(section.contains("Disagree with the decision?"));
    assert!(section.contains("You can appeal this decision once."));
    assert!(section.contains("A standards editor will review"));
    assert!(section.contains("method=\"post\" action=\"/reports/k3Jx9QpL2vTz/appeal\""));
    assert!(section.contains("<label class=\"label\" for=\"field-reason\">Why the decision should be reviewed</label>"));
    assert!(section.contains("name=\"reason\" rows=\"5\" maxlength=\"2000\" required"));
    assert!(section.contains("<button class=\"button\" type=\"submit\">Appeal the decision</button>"));
    assert!(!html.contains("The editor has a question for you"));
    assert!(!html.contains("name=\"body\""));
    assert_eq!(html.matches("<form").count(), 1);
}

#[test]
fn tracking_appeal_error_is_wired_to_its_field() {
    let mut view = appealable_view();
    view.appeal = Some(ReaderForm {
        action: "/reports/k3Jx9QpL2vTz/appeal".to_owned(),
        value: "It was right.".to_owned(),
        error: Some("This report was already appealed.".to_owned()),
        max: 2000,
    });
    let html = tracking(&layout(), &view).into_string();
    let g = group(&html, "reason");
    assert!(g.contains("id=\"error-reason\""));
    assert!(g.contains("This report was already appealed."));
    assert!(html.contains("aria-describedby=\"hint-reason error-reason\" aria-invalid=\"true\""));
    assert!(html.contains(">\nIt was right.</textarea>"));
}

#[test]
fn tracking_shows_notice_first_and_the_primary_outcome() {
    let mut view = tracking_view();
    view.notice = Some("Thank you: the editor has your answer.".to_owned());
    view.primary_outcome = Some("Corrected".to_owned());
    let html = tracking(&layout(), &view).into_string();
    let notice = html
        .find("<div class=\"panel-success\" role=\"status\"><p>Thank you: the editor has your answer.</p></div>")
        .unwrap();
    assert!(notice < html.find("id=\"status-heading\"").unwrap());
    assert!(notice > html.find("<h1>").unwrap());
    assert!(html.contains("<p>Another reader reported the same passage. That report's status: Corrected.</p>"));
}

#[test]
fn tracking_escapes_question_notice_and_reader_forms() {
    let hostile_form = || ReaderForm {
        action: HOSTILE.to_owned(),
        value: HOSTILE.to_owned(),
        error: Some(HOSTILE.to_owned()),
        max: 10,
    };
    let mut view = tracking_view();
    view.question = Some(HOSTILE.to_owned());
    view.notice = Some(HOSTILE.to_owned());
    view.primary_outcome = Some(HOSTILE.to_owned());
    view.reply = Some(hostile_form());
    view.appeal = Some(hostile_form());
    let html = tracking(&layout(), &view).into_string();
    assert_escaped(&html);
    // Question, notice, outcome, and for each form its action, value and error.
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 9, "{html}");
    assert_ids_consistent(&html);
}

#[test]
fn tracking_puts_the_reason_beside_the_status_above_the_appeal_form() {
    let mut view = appealable_view();
    view.decision_reason = Some("The minutes say May.".to_owned());
    let html = tracking(&layout(), &view).into_string();
    let status = html.find("id=\"status-heading\"").unwrap();
    let reason = html.find("The minutes say May.").unwrap();
    let appeal = html.find("id=\"appeal-heading\"").unwrap();
    assert!(status < reason && reason < appeal, "status, then the reason, then the appeal form");
    assert!(html.contains("The editors' reason"));
}

#[test]
fn tracking_shows_the_correction_and_links_to_it() {
    let mut view = tracking_view();
    view.status = "corrected".to_owned();
    view.correction = Some(TrackedCorrection {
        kind_label: "Correction".to_owned(),
        text: "An earlier version said the library closes in May.".to_owned(),
        href: "/articles/a1/corrections#correction-7".to_owned(),
    });
    let html = tracking(&layout(), &view).into_string();
    assert!(html.contains("The published correction"));
    assert!(html.contains("An earlier version said the library closes in May."));
    assert!(html.contains("<a href=\"/articles/a1/corrections#correction-7\">"));
}

#[test]
fn tracking_states_a_decided_appeal_as_final() {
    let mut view = appealable_view();
    view.appeal = None;
    view.appeal_outcome = Some(AppealOutcomeView {
        sentence: "A standards editor reviewed your appeal and upheld the decision.".to_owned(),
        is_final: true,
        reason: Some("Checked again.".to_owned()),
        at: "1 December 2026, 10:00 UTC".to_owned(),
        at_iso: "2026-12-01T10:00:00Z".to_owned(),
    });
    let html = tracking(&layout(), &view).into_string();
    assert!(html.contains("upheld the decision"));
    assert!(html.contains("This decision is final"));
    assert_eq!(html.matches("Checked again.").count(), 1, "the reason once, with the appeal");
    assert_eq!(html.matches("This decision is final").count(), 1);
    // Reopened on appeal, then decided again: the new reason, and the end of the matter after it.
    let reopened = AppealOutcomeView { reason: None, ..view.appeal_outcome.clone().unwrap() };
    view.appeal_outcome = Some(reopened);
    view.decision_reason = Some("Decided again.".to_owned());
    let html = tracking(&layout(), &view).into_string();
    assert!(html.find("Your appeal").unwrap() < html.find("Decided again.").unwrap());
    assert!(html.find("Decided again.").unwrap() < html.find("This decision is final").unwrap());
    assert_eq!(html.matches("This decision is final").count(), 1);
    view.appeal_outcome.as_mut().unwrap().is_final = false;
    assert!(!tracking(&layout(), &view).into_string().contains("This decision is final"));
}

#[test]
fn home_lists_articles_found_by_headline() {
    let found = |n: usize| FoundArticle {
        title: format!("Council story {n}"),
        section: "Local".to_owned(),
        published: "28 November 2026".to_owned(),
        url: format!("https://news.example/{n}"),
        report_href: format!("/articles/a{n}/report"),
        corrections_href: format!("/articles/a{n}/corrections"),
    };
    let results = FindResults { query: "council".to_owned(), articles: vec![found(1), found(2)], more: false };
    assert!(home(&layout(), &HomeView { results: Some(results.clone()), ..HomeView::default() })
        .into_string()
        .contains("Report an error<span class=\"visually-hidden\"> in \u{201c}Council story 1\u{201d}</span>"));
    let view = HomeView { query: "council".to_owned(), results: Some(results), ..HomeView::default() };
    let html = home(&layout(), &view).into_string();
    assert!(html.contains("Articles with \u{201c}council\u{201d} in the headline"));
    assert!(html.contains("2 articles match"));
    assert!(html.contains("href=\"/articles/a2/report\"") && html.contains("href=\"/articles/a1/corrections\""));
    let mut more = view.clone();
    more.results.as_mut().unwrap().more = true;
    assert!(home(&layout(), &more).into_string().contains("add a word from its headline"));
    let mut hostile = view;
    hostile.results.as_mut().unwrap().query = HOSTILE.to_owned();
    assert_escaped(&home(&layout(), &hostile).into_string());
}

#[test]
fn public_pages_keep_the_reading_width_for_staff() {
    let html = staff_layout().public_page("Home", maud::html! { h1 { "Hi" } }).into_string();
    assert!(html.contains("href=\"/desk\""), "the staff navigation");
    assert!(html.contains("<main class=\"wrap\" id=\"main\""), "not the desk's wide frame");
}
