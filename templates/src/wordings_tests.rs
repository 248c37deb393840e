//! Rendering tests of the suggested wordings page.

#![allow(clippy::unwrap_used)]

use maud::Markup;

use crate::tests::{assert_escaped, assert_ids_consistent, staff_layout, HOSTILE, HOSTILE_ESCAPED};
use crate::*;

/// A kind's wording as a standards editor sees it; `customised` adds its change and the reset form.
fn item(kind: &str, label: &str, text: &str, customised: bool) -> WordingItem {
    WordingItem {
        kind: kind.to_owned(),
        label: label.to_owned(),
        text: text.to_owned(),
        default_text: format!("The default for {label}: [what it said]."),
        customised,
        changed: customised.then(|| "1 December 2026, 10:00 UTC".to_owned()),
        save_action: Some(format!("/desk/wordings/{kind}")),
        reset_action: customised.then(|| format!("/desk/wordings/{kind}/reset")),
        errors: Vec::new(),
    }
}

fn view() -> WordingsView {
    WordingsView {
        items: vec![
            item("correction", "Correction", "We misstated [the figure]. It is [the right figure].", true),
            item(
                "clarification",
                "Clarification",
                "This article has been updated to clarify [what was unclear].",
                false,
            ),
            item("update", "Update", "This article has been updated to reflect [what changed].", false),
            item("editors_note", "Editor's note", "Editor's note: [what readers should know].", false),
            item("retraction", "Retraction", "This article has been retracted because [why].", false),
        ],
        csrf: "csrf-wordings".to_owned(),
        notice: None,
    }
}

/// What an editor or auditor sees: the wordings, nothing to change.
fn reader_view() -> WordingsView {
    let mut v = view();
    for item in &mut v.items {
        item.save_action = None;
        item.reset_action = None;
    }
    v
}

fn with_error() -> WordingsView {
    let mut v = view();
    v.items[2].text = "   ".to_owned();
    v.items[2].errors = vec!["The wording is required.".to_owned()];
    v
}

pub(crate) fn every_wordings_page() -> Vec<(&'static str, Markup)> {
    let mut saved = view();
    saved.notice = Some("The wording for corrections was saved: new drafts start from it.".to_owned());
    vec![
        ("wordings", wordings(&staff_layout(), &view())),
        ("wordings-saved", wordings(&staff_layout(), &saved)),
        ("wordings-error", wordings(&staff_layout(), &with_error())),
        ("wordings-read-only", wordings(&staff_layout(), &reader_view())),
    ]
}

fn forms(html: &str) -> Vec<&str> {
    html.match_indices("<form").map(|(i, _)| &html[i..i + html[i..].find("</form>").unwrap()]).collect()
}

fn main_of(html: &str) -> &str {
    &html[html.find("<main").unwrap()..html.find("</main>").unwrap()]
}

/// The section of one kind.
fn section<'a>(html: &'a str, kind: &str) -> &'a str {
    let start = html.find(&format!("<section class=\"wording\" id=\"wording-{kind}\"")).unwrap();
    &html[start..start + html[start..].find("</section>").unwrap()]
}

#[test]
fn each_kind_has_its_own_labelled_form() {
    let html = wordings(&staff_layout(), &view()).into_string();
    assert!(html.contains("<title>Suggested wordings · The Daily Example</title>"));
    assert!(html.contains("<h1>Suggested wordings</h1>"));
    assert_eq!(html.matches("<section class=\"wording\"").count(), 5);
    let update = section(&html, "update");
    assert!(update.contains("aria-labelledby=\"wording-update-heading\""));
    assert!(update.contains("<h2 id=\"wording-update-heading\">Update</h2>"));
    assert!(update.contains("<form class=\"stacked-form\" method=\"post\" action=\"/desk/wordings/update\""));
    assert!(update.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-wordings\">"));
    assert!(
        update.contains("<label class=\"label\" for=\"field-text-update\">Wording for \u{201c}Update\u{201d}</label>")
    );
    assert!(update.contains(
        "<textarea class=\"textarea\" id=\"field-text-update\" name=\"text\" rows=\"4\" required \
         aria-describedby=\"hint-text-update\">\nThis article has been updated to reflect [what changed].</textarea>"
    ));
    assert!(update.contains("<p class=\"hint\" id=\"hint-text-update\">The default wording.</p>"));
    assert!(update.contains(
        "<button class=\"button\" type=\"submit\">Save<span class=\"visually-hidden\"> the wording for \
         \u{201c}Update\u{201d}</span></button>"
    ));
    assert!(!update.contains("Restore the default") && !update.contains("The default: "));
    // Every kind's ids differ: one page, five textareas named `text`.
    assert_ids_consistent(&html);
    assert!(html.contains("id=\"field-text-editors_note\""));
}

#[test]
fn a_customised_wording_shows_the_default_and_can_be_restored() {
    let html = wordings(&staff_layout(), &view()).into_string();
    let correction = section(&html, "correction");
    assert!(correction.contains("Your newsroom's own wording, changed 1 December 2026, 10:00 UTC."));
    assert!(correction.contains(
        "<p class=\"wording-default\">The default: <span class=\"preserve-lines\">The default for Correction: \
         [what it said].</span></p>"
    ));
    let reset = forms(correction).into_iter().find(|f| f.contains("/reset")).unwrap();
    assert!(reset.contains("method=\"post\" action=\"/desk/wordings/correction/reset\""));
    assert!(reset.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-wordings\">"));
    assert!(reset.contains(
        "<button class=\"button button-secondary\" type=\"submit\">Restore the default<span \
         class=\"visually-hidden\"> for \u{201c}Correction\u{201d}</span></button>"
    ));
    assert_eq!(forms(main_of(&html)).len(), 6, "five save forms and one reset form");
}

#[test]
fn a_refused_save_keeps_the_text_and_says_why_beside_it() {
    let html = wordings(&staff_layout(), &with_error()).into_string();
    assert!(html.contains("<title>Error: Suggested wordings · The Daily Example</title>"));
    let update = section(&html, "update");
    assert!(update.contains("<div role=\"alert\"><p class=\"field-error\" id=\"error-text-update\">"));
    assert!(update.contains("The wording is required."));
    assert!(update
        .contains("aria-describedby=\"hint-text-update error-text-update\" aria-invalid=\"true\">\n   </textarea>"));
    assert!(!section(&html, "correction").contains("role=\"alert\""), "only the refused kind");
}

#[test]
fn editors_and_auditors_read_without_forms() {
    let html = wordings(&staff_layout(), &reader_view()).into_string();
    let main = main_of(&html);
    assert!(!main.contains("<form") && !main.contains("<textarea") && !main.contains("Restore the default"));
    assert!(main.contains(
        "<p class=\"preserve-lines wording-text\">This article has been updated to reflect [what changed].</p>"
    ));
    assert!(main.contains("The default: "), "a customised wording still shows the default");
    assert!(!main.contains("Change a wording"));
}

#[test]
fn a_notice_confirms_the_save() {
    let mut v = view();
    v.notice = Some("The wording for corrections was saved.".to_owned());
    let html = wordings(&staff_layout(), &v).into_string();
    assert!(html
        .contains("<div class=\"panel-success\" role=\"status\"><p>The wording for corrections was saved.</p></div>"));
}

#[test]
fn the_page_escapes_everything_written() {
    let mut v = view();
    v.items = vec![WordingItem {
        kind: HOSTILE.to_owned(),
        label: HOSTILE.to_owned(),
        text: HOSTILE.to_owned(),
        default_text: HOSTILE.to_owned(),
        customised: true,
        changed: Some(HOSTILE.to_owned()),
        save_action: Some(HOSTILE.to_owned()),
        reset_action: Some(HOSTILE.to_owned()),
        errors: vec![HOSTILE.to_owned()],
    }];
    v.csrf = HOSTILE.to_owned();
    v.notice = Some(HOSTILE.to_owned());
    let html = wordings(&staff_layout(), &v).into_string();
    assert_escaped(&html);
    // The label (heading, field label, save and reset words: 4), the text, the default, the
    // change time in the hint, the two actions, the csrf twice, the error and the notice (9).
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 13, "{html}");
    assert_ids_consistent(&html);
}
