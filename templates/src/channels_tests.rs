//! Rendering tests of the distribution channels: the settings page, a correction's checklist,
//! the ticks on the drafting form and the desk's open items.

#![allow(clippy::unwrap_used)]

use maud::Markup;

use crate::tests::{assert_escaped, assert_ids_consistent, error, staff_layout, HOSTILE};
use crate::*;

fn opt(value: &str, label: &str, selected: bool) -> Opt {
    Opt { value: value.to_owned(), label: label.to_owned(), selected }
}

fn row(id: i64, name: &str, syndication: bool, retired: bool, manage: bool) -> ChannelRow {
    ChannelRow {
        id,
        name: name.to_owned(),
        kind_label: if syndication { "Syndication" } else { "Newsletter" }.to_owned(),
        syndication,
        partners: if syndication { vec!["desk@partner.example".to_owned()] } else { Vec::new() },
        retired,
        endpoint: None,
        endpoints: Vec::new(),
        change_action: manage.then(|| format!("/desk/channels/{id}")),
        retire_action: manage.then(|| format!("/desk/channels/{id}/retire")),
    }
}

fn admin_view() -> ChannelsAdminView {
    ChannelsAdminView {
        channels: vec![
            row(1, "Morning newsletter", false, false, true),
            row(2, "Wire partners", true, false, true),
            row(3, "Old app", false, true, true),
        ],
        csrf: "csrf-channels".to_owned(),
        can_manage: true,
        kinds: vec![opt("newsletter", "Newsletter", true), opt("syndication", "Syndication", false)],
        ..ChannelsAdminView::default()
    }
}

fn check(id: i64, name: &str, done: bool) -> ChannelCheck {
    ChannelCheck {
        channel_id: id,
        name: name.to_owned(),
        kind_label: "Newsletter".to_owned(),
        retired: false,
        done,
        status: if done { "Marked by Ann Lee, 1 December 2026, 20:30 UTC" } else { "Not yet corrected there" }
            .to_owned(),
        link: done.then(|| "https://news.example/newsletter/1".to_owned()),
        mark_action: (!done).then(|| format!("/desk/corrections/7/channels/{id}")),
    }
}

fn correction_view() -> CorrectionChannelsView {
    CorrectionChannelsView {
        id: 7,
        kind_label: "Correction".to_owned(),
        status_label: "Published".to_owned(),
        article_title: "Council votes to close library".to_owned(),
        article_href: "/articles/a1/corrections#correction-7".to_owned(),
        published: Some("1 December 2026, 20:00 UTC".to_owned()),
        text: "We said May. It is June.".to_owned(),
        items: vec![
            check(1, "Morning newsletter", true),
            check(2, "Social accounts", false),
            check(3, "Print edition", false),
        ],
        csrf: "csrf-correction".to_owned(),
        ..CorrectionChannelsView::default()
    }
}

fn open_item() -> OpenChannelsItem {
    OpenChannelsItem {
        id: 7,
        href: "/desk/corrections/7".to_owned(),
        article_title: "Council votes to close library".to_owned(),
        kind_label: "Correction".to_owned(),
        published: "1 December 2026, 20:00 UTC".to_owned(),
        open: vec!["Social accounts".to_owned(), "Print edition".to_owned()],
    }
}

/// The pages of this module, in the states worth checking (for the site-wide checks).
pub(crate) fn every_channels_page() -> Vec<(&'static str, Markup)> {
    let mut admin_errors = admin_view();
    admin_errors.errors =
        vec![error("name", "The name is required."), error("partners-2", "Partners' addresses must be addresses.")];
    let read_only = ChannelsAdminView {
        can_manage: false,
        channels: vec![row(1, "Morning newsletter", false, false, false)],
        ..admin_view()
    };
    let mut refused = correction_view();
    refused.errors = vec![error("link-2", "The link must be a web address.")];
    refused.typed_link = Some((2, "javascript:alert(1)".to_owned()));
    refused.form_error = Some("Correction #7 already reached channel #1.".to_owned());
    let pending_open = PendingView {
        open_channels: vec![open_item()],
        channels_href: Some("/desk/channels".to_owned()),
        ..PendingView::default()
    };
    vec![
        ("channels", channels_admin(&staff_layout(), &admin_view())),
        ("channels-webhooks", channels_admin(&staff_layout(), &webhooks_view())),
        ("channels-errors", channels_admin(&staff_layout(), &admin_errors)),
        ("channels-read-only", channels_admin(&staff_layout(), &read_only)),
        ("channels-empty", channels_admin(&staff_layout(), &ChannelsAdminView::default())),
        ("correction-channels", correction_channels(&staff_layout(), &correction_view())),
        ("correction-channels-refused", correction_channels(&staff_layout(), &refused)),
        (
            "correction-channels-none",
            correction_channels(&staff_layout(), &CorrectionChannelsView { items: Vec::new(), ..correction_view() }),
        ),
        ("pending-open-channels", pending(&staff_layout(), &pending_open)),
    ]
}

#[test]
fn every_channels_page_has_consistent_ids() {
    for (name, page) in every_channels_page() {
        let html = page.into_string();
        assert_ids_consistent(&html);
        assert_eq!(html.matches("<h1").count(), 1, "{name}");
    }
}

#[test]
fn the_settings_page_offers_add_rename_and_retire_to_standards_editors_only() {
    let html = channels_admin(&staff_layout(), &admin_view()).into_string();
    assert!(html.contains("action=\"/desk/channels\""));
    assert!(html.contains("action=\"/desk/channels/2\"") && html.contains("id=\"field-partners-2\""));
    assert!(!html.contains("id=\"field-partners-1\""), "partners only for syndication");
    assert!(html.contains("name=\"retired\" value=\"true\"") && html.contains("name=\"retired\" value=\"false\""));
    assert!(html.contains("<span class=\"badge\">Retired</span>"));
    let read_only = ChannelsAdminView {
        can_manage: false,
        channels: vec![row(1, "Morning newsletter", false, false, false)],
        ..admin_view()
    };
    let html = channels_admin(&staff_layout(), &read_only).into_string();
    assert!(!html.contains("<form class=\"stacked-form\"") && !html.contains("Add a channel"));
}

/// Two webhook endpoints registered; the first channel's correctives go to the second.
fn webhooks_view() -> ChannelsAdminView {
    let choices = |chosen: &str| {
        vec![
            opt("", "None: an editor marks it", chosen.is_empty()),
            opt("4", "#4: https://cms.example/hooks", chosen == "4"),
            opt("5", "#5: https://social.example/in", chosen == "5"),
        ]
    };
    let mut view = admin_view();
    view.channels[0].endpoint = Some("#5: https://social.example/in".to_owned());
    view.channels[0].endpoints = choices("5");
    view.channels[1].endpoints = choices("");
    view.endpoints = choices("");
    view.errors = vec![error("endpoint_id-1", "The webhook: no webhook endpoint has the number 9.")];
    view
}

#[test]
fn the_forms_offer_the_webhooks_and_name_the_one_in_use() {
    let html = channels_admin(&staff_layout(), &webhooks_view()).into_string();
    assert!(html.contains("<select class=\"select\" id=\"field-endpoint_id\" name=\"endpoint_id\""), "{html}");
    assert!(html.contains("id=\"field-endpoint_id-1\"") && html.contains("id=\"field-endpoint_id-2\""));
    assert!(html.contains("<option value=\"5\" selected>#5: https://social.example/in</option>"));
    assert!(html.contains("<dt>Webhook</dt><dd><span class=\"endpoint-url\">#5: https://social.example/in</span>"));
    assert!(html.contains("<a href=\"#field-endpoint_id-1\">"), "the error is linked to its select");
    let html = channels_admin(&staff_layout(), &admin_view()).into_string();
    assert!(!html.contains("name=\"endpoint_id\""), "no endpoint, no select");
    assert!(html.contains("href=\"/desk/webhooks\""), "but the way to register one");
}

#[test]
fn a_change_error_opens_its_form_and_is_linked_from_the_summary() {
    let mut view = admin_view();
    view.errors = vec![error("partners-2", "Partners' addresses must be addresses.")];
    let html = channels_admin(&staff_layout(), &view).into_string();
    assert!(html.contains("<a href=\"#field-partners-2\">Partners' addresses must be addresses.</a>"));
    assert!(html.contains("<details class=\"stop-form\" open>"));
    assert!(html.contains("<title>Error: Distribution channels"));
}

#[test]
fn the_checklist_shows_who_and_offers_marks_for_open_items() {
    let html = correction_channels(&staff_layout(), &correction_view()).into_string();
    assert!(html.contains("Marked by Ann Lee, 1 December 2026, 20:30 UTC"));
    assert!(html.contains("href=\"https://news.example/newsletter/1\""));
    assert_eq!(html.matches("Mark as corrected there").count(), 2, "one per open item");
    assert!(!html.contains("action=\"/desk/corrections/7/channels/1\""), "nothing to mark when done");
    assert!(html.contains("id=\"field-link-2\"") && html.contains("id=\"field-link-3\""));
}

#[test]
fn a_refused_link_is_kept_and_named() {
    let mut view = correction_view();
    view.errors = vec![error("link-2", "The link must be a web address.")];
    view.typed_link = Some((2, "ftp://x".to_owned()));
    let html = correction_channels(&staff_layout(), &view).into_string();
    assert!(html.contains("<a href=\"#field-link-2\">The link must be a web address.</a>"));
    assert!(html.contains("value=\"ftp://x\""));
    assert!(html.contains("aria-invalid=\"true\""));
}

#[test]
fn the_desk_lists_what_is_still_to_reach_and_the_form_offers_ticks() {
    let view = PendingView { open_channels: vec![open_item()], ..PendingView::default() };
    let html = pending(&staff_layout(), &view).into_string();
    assert!(html.contains("Still to correct elsewhere") && html.contains("href=\"/desk/corrections/7\""));
    assert!(html.contains("Social accounts, Print edition"));
    let html = pending(&staff_layout(), &PendingView::default()).into_string();
    assert!(html.contains("Every published correction reached every channel its error went to."));
}

#[test]
fn every_channel_view_escapes_what_it_is_given() {
    let mut admin = admin_view();
    admin.channels = vec![ChannelRow {
        name: HOSTILE.to_owned(),
        partners: vec![HOSTILE.to_owned()],
        ..row(2, "x", true, false, true)
    }];
    admin.name = HOSTILE.to_owned();
    assert_escaped(&channels_admin(&staff_layout(), &admin).into_string());
    let mut view = correction_view();
    view.text = HOSTILE.to_owned();
    view.items = vec![ChannelCheck { name: HOSTILE.to_owned(), link: Some(HOSTILE.to_owned()), ..check(1, "x", true) }];
    assert_escaped(&correction_channels(&staff_layout(), &view).into_string());
    let open = OpenChannelsItem { article_title: HOSTILE.to_owned(), open: vec![HOSTILE.to_owned()], ..open_item() };
    assert_escaped(
        &pending(&staff_layout(), &PendingView { open_channels: vec![open], ..PendingView::default() }).into_string(),
    );
}
