//! Rendering tests of the webhooks page.

#![allow(clippy::unwrap_used)]

use crate::tests::{assert_escaped, assert_ids_consistent, error, staff_layout, HOSTILE};
use crate::*;

fn opt(value: &str, selected: bool) -> Opt {
    Opt { value: value.to_owned(), label: value.to_owned(), selected }
}

fn item(id: i64, url: &str, failed: bool) -> WebhookItem {
    WebhookItem {
        id,
        url: url.to_owned(),
        kind_label: "Webhook".to_owned(),
        events: "report.filed, correction.published".to_owned(),
        last_delivery: if failed { "answered 500 on 1 December 2026".into() } else { "Nothing sent yet".into() },
        last_failed: failed,
        test_action: format!("/desk/webhooks/{id}/test"),
        remove_action: format!("/desk/webhooks/{id}/delete"),
    }
}

fn view() -> WebhooksView {
    WebhooksView {
        items: vec![item(1, "https://cms.example/hooks", false), item(2, "https://chat.example/x", true)],
        csrf: "csrf-hooks".to_owned(),
        url: String::new(),
        kinds: vec![opt("webhook", true), opt("chat", false)],
        events: vec![opt("report.filed", false), opt("correction.published", true)],
        errors: vec![],
        notice: None,
        new_secret: None,
    }
}

#[test]
fn each_endpoint_has_its_test_and_remove_forms_with_the_csrf_token() {
    let html = webhooks(&staff_layout(), &view()).into_string();
    for id in [1, 2] {
        assert!(html.contains(&format!("action=\"/desk/webhooks/{id}/test\"")), "{html}");
        assert!(html.contains(&format!("action=\"/desk/webhooks/{id}/delete\"")), "{html}");
    }
    assert!(html.matches("name=\"csrf\" value=\"csrf-hooks\"").count() >= 5);
    assert!(html.contains("<strong>Failed: </strong>answered 500"), "a failure is said in words");
    assert!(html.contains("id=\"field-events-correction-published\"") && html.contains("checked"));
    assert!(!html.contains("whsec_"));
    assert_ids_consistent(&html);
}

#[test]
fn a_new_secret_is_shown_and_errors_link_to_their_field() {
    let mut v = view();
    v.new_secret = Some((3, "whsec_c2VjcmV0".to_owned()));
    let html = webhooks(&staff_layout(), &v).into_string();
    assert!(html.contains("<code class=\"secret\">whsec_c2VjcmV0</code>"));
    let mut v = view();
    v.items.clear();
    v.errors = vec![error("url", "The address must start with https:// or http://.")];
    v.url = HOSTILE.to_owned();
    let html = webhooks(&staff_layout(), &v).into_string();
    assert!(html.contains("href=\"#field-url\"") && html.contains("aria-invalid=\"true\""));
    assert!(html.contains("<title>Error: Webhooks"));
    assert!(html.contains("No endpoint is registered."));
    assert_escaped(&html);
    assert_ids_consistent(&html);
}
