//! `/desk/webhooks`: the endpoints that hear of reports and corrections (signed webhooks for a
//! CMS, alerts for the desk's chat), and the form standards editors add them with.

use maud::{html, Markup};

use crate::forms::{FieldError, Opt};
use crate::layout::Layout;
use crate::partials::{checkbox_group, error_summary, form_group, messages_for, notice_panel, options, Field};

/// One endpoint in the list.
#[derive(Debug, Clone)]
pub struct WebhookItem {
    pub id: i64,
    pub url: String,
    /// e.g. "Webhook" or "Chat alerts".
    pub kind_label: String,
    /// The events it receives, comma separated.
    pub events: String,
    /// e.g. "Answered 200 on 1 December 2026, 10:05 UTC", or "Nothing sent yet".
    pub last_delivery: String,
    /// Whether the last attempt failed (said in words too).
    pub last_failed: bool,
    /// Where its "send test event" form posts (hidden `csrf`).
    pub test_action: String,
    /// Where its remove form posts (hidden `csrf`).
    pub remove_action: String,
}

/// The webhooks page.
#[derive(Debug, Clone, Default)]
pub struct WebhooksView {
    pub items: Vec<WebhookItem>,
    /// Hidden field `csrf` in every form.
    pub csrf: String,
    /// Input `url`.
    pub url: String,
    /// Select `kind`: webhook, chat.
    pub kinds: Vec<Opt>,
    /// Checkboxes `events`.
    pub events: Vec<Opt>,
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
    /// The endpoint just added and its secret, shown this once.
    pub new_secret: Option<(i64, String)>,
}

/// The form's field names, in order: only these get a summary link.
const FIELDS: [&str; 3] = ["url", "kind", "events"];

/// The webhooks page: the secret of an endpoint just added, the list, the form.
pub fn webhooks(layout: &Layout, view: &WebhooksView) -> Markup {
    let field = |name, label, hint: &str| Field::new(name, label, hint).with_errors(messages_for(&view.errors, name));
    let url = field("url", "Address", "Where to post: an https:// (or http://) address. Redirects are not followed.");
    let kind = field(
        "kind",
        "Kind",
        "A webhook gets every event, signed, for a CMS; chat gets short alerts (Slack, Mattermost, Rocket.Chat).",
    );
    let events = field(
        "events",
        "Events",
        "Tick none for all the kind receives. Chat receives only: report filed (high and legal severity), \
         correction pending, correction published and report overdue; webhooks all but report overdue.",
    );
    let has_problem = !view.errors.is_empty();
    let body = html! {
        h1 { "Webhooks and chat alerts" }
        @if has_problem {
            (error_summary(&view.errors, None, &FIELDS))
        }
        @if let Some(notice) = &view.notice {
            (notice_panel(notice))
        }
        @if let Some((id, secret)) = &view.new_secret {
            section.secret-panel aria-labelledby="secret-heading" {
                h2 #secret-heading { "Signing secret of endpoint " (id) }
                p { "Copy it now into the receiving system: it is not shown again." }
                p { code.secret { (secret) } }
            }
        }
        p {
            "Each event is stored with the action that caused it and posted within seconds, signed as the "
            "Standard Webhooks specification says (headers webhook-id, webhook-timestamp, webhook-signature). "
            "Failed posts are retried; their state is on the " a href="/desk/outbox" { "outbox page" } "."
        }
        section aria-labelledby="endpoints-heading" {
            h2 #endpoints-heading { "Endpoints" }
            @if view.items.is_empty() {
                p.empty { "No endpoint is registered." }
            } @else {
                ul.response-list {
                    @for item in &view.items {
                        li { (endpoint(item, &view.csrf)) }
                    }
                }
            }
        }
        section.response-form aria-labelledby="add-heading" {
            h2 #add-heading { "Add an endpoint" }
            form.stacked-form method="post" action="/desk/webhooks" accept-charset="utf-8" {
                input type="hidden" name="csrf" value=(view.csrf);
                (form_group(&url, html! {
                    input.input id=(url.id()) type="url" name=(url.name) value=(view.url) required
                        maxlength="2000" autocomplete="off" inputmode="url"
                        aria-describedby=[url.described_by()] aria-invalid=[url.invalid()];
                }))
                (form_group(&kind, html! {
                    select.select id=(kind.id()) name=(kind.name)
                        aria-describedby=[kind.described_by()] aria-invalid=[kind.invalid()] {
                        (options(&view.kinds))
                    }
                }))
                (checkbox_group(&events, &view.events))
                div.form-actions {
                    button.button type="submit" { "Add endpoint" }
                }
            }
        }
    };
    let title = if has_problem { "Error: Webhooks" } else { "Webhooks" };
    layout.page(title, body)
}

/// One endpoint, with its test and remove buttons.
fn endpoint(item: &WebhookItem, csrf: &str) -> Markup {
    html! {
        article.response-item {
            h3 { "Endpoint " (item.id) ": " span.endpoint-url { (item.url) } }
            dl.summary-list {
                div { dt { "Kind" } dd { (item.kind_label) } }
                div { dt { "Events" } dd { (item.events) } }
                div {
                    dt { "Last delivery" }
                    dd { @if item.last_failed { strong { "Failed: " } } (item.last_delivery) }
                }
            }
            div.form-actions {
                form method="post" action=(item.test_action) {
                    input type="hidden" name="csrf" value=(csrf);
                    button.button.button-secondary type="submit" {
                        "Send test event" span.visually-hidden { " to endpoint " (item.id) }
                    }
                }
                form method="post" action=(item.remove_action) {
                    input type="hidden" name="csrf" value=(csrf);
                    button.button.button-danger type="submit" {
                        "Remove" span.visually-hidden { " endpoint " (item.id) }
                    }
                }
            }
        }
    }
}
