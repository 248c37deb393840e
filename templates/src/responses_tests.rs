//! Rendering tests of the saved responses page.

#![allow(clippy::unwrap_used)]

use maud::Markup;

use crate::tests::{assert_escaped, assert_ids_consistent, error, staff_layout, HOSTILE, HOSTILE_ESCAPED};
use crate::*;

fn opt(value: &str, label: &str, selected: bool) -> Opt {
    Opt { value: value.to_owned(), label: label.to_owned(), selected }
}

fn item(id: i64, manage: bool) -> ResponseItem {
    ResponseItem {
        id,
        title: format!("Ask for a source {id}"),
        purpose_label: "Question to the reader".to_owned(),
        body: "Dear {reader_name},\nwhich source do you mean?".to_owned(),
        edit_href: manage.then(|| format!("/desk/responses/{id}")),
        delete_action: manage.then(|| format!("/desk/responses/{id}/delete")),
    }
}

fn view() -> ResponsesView {
    ResponsesView {
        items: vec![item(1, true), item(2, true)],
        csrf: "csrf-responses".to_owned(),
        can_manage: true,
        form_action: "/desk/responses".to_owned(),
        editing: None,
        title: String::new(),
        body: String::new(),
        purposes: vec![
            opt("question", "Question to the reader", true),
            opt("decision", "Reason for a decision", false),
        ],
        errors: Vec::new(),
        notice: None,
    }
}

/// What an editor or auditor sees: the list, nothing to change.
fn reader_view() -> ResponsesView {
    ResponsesView { items: vec![item(1, false)], can_manage: false, ..view() }
}

pub(crate) fn every_responses_page() -> Vec<(&'static str, Markup)> {
    let mut errors = view();
    errors.title = "Ask".to_owned();
    errors.errors = vec![error("body", "The text uses the placeholder {name}, which Corrigenda cannot fill in.")];
    let mut editing = view();
    editing.editing = Some("Ask for a source 1".to_owned());
    editing.form_action = "/desk/responses/1".to_owned();
    vec![
        ("responses", responses(&staff_layout(), &view())),
        ("responses-errors", responses(&staff_layout(), &errors)),
        ("responses-editing", responses(&staff_layout(), &editing)),
        ("responses-read-only", responses(&staff_layout(), &reader_view())),
        ("responses-empty", responses(&staff_layout(), &ResponsesView { items: vec![], ..view() })),
    ]
}

fn forms(html: &str) -> Vec<&str> {
    html.match_indices("<form").map(|(i, _)| &html[i..i + html[i..].find("</form>").unwrap()]).collect()
}

fn main_of(html: &str) -> &str {
    &html[html.find("<main").unwrap()..html.find("</main>").unwrap()]
}

#[test]
fn the_list_shows_each_response_with_edit_and_delete() {
    let html = responses(&staff_layout(), &view()).into_string();
    assert!(html.contains("<title>Saved responses · The Daily Example</title>"));
    assert!(html.contains("<h1>Saved responses</h1>"));
    assert_eq!(html.matches("<article class=\"response-item\">").count(), 2);
    assert!(html.contains("<h3>Ask for a source 1</h3>"));
    assert!(html.contains("<span class=\"tag-public\">Question to the reader</span>"));
    assert!(html.contains("<p class=\"preserve-lines\">Dear {reader_name},\nwhich source do you mean?</p>"));
    assert!(html.contains(
        "<a href=\"/desk/responses/1\">Edit<span class=\"visually-hidden\"> \u{201c}Ask for a source 1\u{201d}</span></a>"
    ));
    let deletes: Vec<&str> = forms(main_of(&html)).into_iter().filter(|f| f.contains("/delete")).collect();
    assert_eq!(deletes.len(), 2);
    for form in deletes {
        assert!(form.contains("method=\"post\""));
        assert!(form.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-responses\">"));
        assert!(form.contains("<button class=\"button button-danger\" type=\"submit\">Delete"));
    }
}

#[test]
fn the_form_adds_with_title_purpose_and_text_and_explains_the_placeholders() {
    let html = responses(&staff_layout(), &view()).into_string();
    let form = forms(main_of(&html)).into_iter().find(|f| f.contains("action=\"/desk/responses\"")).unwrap();
    assert!(form.contains("method=\"post\""));
    assert!(form.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-responses\">"));
    assert!(form.contains("<label class=\"label\" for=\"field-title\">Title</label>"));
    assert!(form.contains("<select class=\"select\" id=\"field-purpose\" name=\"purpose\""));
    assert!(form.contains("<option value=\"question\" selected>Question to the reader</option>"));
    assert!(form.contains("<option value=\"decision\">Reason for a decision</option>"));
    assert!(form.contains("<textarea class=\"textarea\" id=\"field-body\" name=\"body\" rows=\"6\" required"));
    for placeholder in ["{reader_name}", "{article_title}", "{tracking_link}"] {
        assert!(form.contains(placeholder), "the hint explains {placeholder}");
    }
    assert!(form.contains("<button class=\"button\" type=\"submit\">Save response</button>"));
    assert!(html.contains("<h2 id=\"response-form-heading\">Add a saved response</h2>"));
    assert!(html.contains("<a href=\"/desk/wordings\">suggested wordings</a>"));
}

#[test]
fn editing_shows_the_form_filled_without_the_list() {
    let mut v = view();
    v.editing = Some("Ask for a source 1".to_owned());
    v.form_action = "/desk/responses/1".to_owned();
    v.title = "Ask for a source 1".to_owned();
    v.body = "Which source?".to_owned();
    let html = responses(&staff_layout(), &v).into_string();
    assert!(html.contains("<h1>Edit a saved response</h1>"));
    assert!(html.contains("Change \u{201c}Ask for a source 1\u{201d}"));
    assert!(html.contains("action=\"/desk/responses/1\""));
    assert!(html.contains("value=\"Ask for a source 1\""));
    assert!(html.contains(">\nWhich source?</textarea>"));
    assert!(html.contains("<a href=\"/desk/responses\">Cancel</a>"));
    assert!(!html.contains("response-item"));
}

#[test]
fn errors_are_summarised_and_beside_their_fields() {
    let mut v = view();
    v.errors = vec![error("body", "The text uses {name}.")];
    let html = responses(&staff_layout(), &v).into_string();
    assert!(html.contains("<title>Error: Saved responses · The Daily Example</title>"));
    assert!(html.contains("href=\"#field-body\""));
    assert!(html.contains("id=\"error-body\""));
    assert!(html.contains("aria-invalid=\"true\""));
}

#[test]
fn editors_and_auditors_read_without_forms() {
    let html = responses(&staff_layout(), &reader_view()).into_string();
    let main = main_of(&html);
    assert!(!main.contains("<form") && !main.contains("Edit") && !main.contains("Delete"));
    assert!(!main.contains("/desk/wordings"));
    assert!(main.contains("Ask for a source 1"));
}

#[test]
fn the_page_escapes_everything_written() {
    let mut v = view();
    v.items = vec![ResponseItem {
        id: 1,
        title: HOSTILE.to_owned(),
        purpose_label: HOSTILE.to_owned(),
        body: HOSTILE.to_owned(),
        edit_href: Some(HOSTILE.to_owned()),
        delete_action: Some(HOSTILE.to_owned()),
    }];
    v.csrf = HOSTILE.to_owned();
    v.title = HOSTILE.to_owned();
    v.body = HOSTILE.to_owned();
    v.notice = Some(HOSTILE.to_owned());
    let html = responses(&staff_layout(), &v).into_string();
    assert_escaped(&html);
    // The item's title (heading, edit and delete words), purpose, body, edit link, delete
    // action (7); csrf in the form and the delete form (2); the form's title and body (2); notice (1).
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 12, "{html}");
    assert_ids_consistent(&html);
}
