//! Distribution channels: the standards desk's settings page, and a correction's checklist of
//! the channels its error went to.

use maud::{html, Markup};

use crate::forms::{FieldError, Opt};
use crate::layout::Layout;
use crate::partials::{error_summary, field_error, form_group, messages_for, notice_panel, options, Field};

/// One channel on the settings page.
#[derive(Debug, Clone, Default)]
pub struct ChannelRow {
    pub id: i64,
    pub name: String,
    pub kind_label: String,
    /// Whether partners' addresses apply (a syndication channel).
    pub syndication: bool,
    pub partners: Vec<String>,
    pub retired: bool,
    /// The address of the webhook that carries its correctives, when one does.
    pub endpoint: Option<String>,
    /// The change form's select `endpoint_id`: "" (none) and each webhook endpoint, its own selected.
    pub endpoints: Vec<Opt>,
    /// Form posting `name`, `partners` (one address a line), `endpoint_id`, hidden `csrf`; for standards editors.
    pub change_action: Option<String>,
    /// Form posting hidden `retired` ("true" or "false") and `csrf`; for standards editors.
    pub retire_action: Option<String>,
}

/// `/desk/channels`: where stories go besides the site, and the form to add one.
#[derive(Debug, Clone, Default)]
pub struct ChannelsAdminView {
    pub channels: Vec<ChannelRow>,
    pub csrf: String,
    /// False for editors and auditors: the list without the forms.
    pub can_manage: bool,
    /// The add form (posts to /desk/channels): select `kind`, inputs `name`, textarea `partners`.
    pub kinds: Vec<Opt>,
    pub name: String,
    pub partners: String,
    /// The add form's select `endpoint_id`: "" (none) and each webhook endpoint; empty when none is registered.
    pub endpoints: Vec<Opt>,
    /// Errors of the add form (fields `name`, `kind`, `partners`, `endpoint_id`), or of a change
    /// (`name-ID`, `partners-ID`, `endpoint_id-ID`).
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
}

/// One item of a correction's checklist, for staff.
#[derive(Debug, Clone, Default)]
pub struct ChannelCheck {
    pub channel_id: i64,
    pub name: String,
    pub kind_label: String,
    pub retired: bool,
    pub done: bool,
    /// How it stands, in words: "Marked by Ann Lee, 1 December 2026, 20:30 UTC", "Waiting for 2 emails".
    pub status: String,
    /// The corrective post, when one was given.
    pub link: Option<String>,
    /// Form posting optional `link` and hidden `csrf`, while the item is open and the reader may mark it.
    pub mark_action: Option<String>,
}

/// `/desk/corrections/{id}`: a correction for staff, with its checklist of channels.
#[derive(Debug, Clone, Default)]
pub struct CorrectionChannelsView {
    pub id: i64,
    pub kind_label: String,
    pub status_label: String,
    pub article_title: String,
    /// The article's public log.
    pub article_href: String,
    /// e.g. "28 November 2026, 13:05 UTC", once published.
    pub published: Option<String>,
    pub text: String,
    pub items: Vec<ChannelCheck>,
    pub csrf: String,
    /// Errors of a mark form (field `link-CHANNEL`), with what was typed.
    pub errors: Vec<FieldError>,
    pub typed_link: Option<(i64, String)>,
    /// A refusal not tied to a field (409 and the like).
    pub form_error: Option<String>,
    pub notice: Option<String>,
}

/// The settings page of the distribution channels.
pub fn channels_admin(layout: &Layout, view: &ChannelsAdminView) -> Markup {
    let field = |name, label, hint: &str| Field::new(name, label, hint).with_errors(messages_for(&view.errors, name));
    let name = field("name", "Name", "What the desk calls it, e.g. \u{201c}Morning newsletter\u{201d}.");
    let kind = field("kind", "Kind", "");
    let partners = field(
        "partners",
        "Partners' email addresses (syndication only)",
        "One address a line. Each partner is emailed the correction when it is published.",
    );
    let endpoint = field(
        "endpoint_id",
        "Webhook that carries its correctives (optional)",
        "The endpoint is sent each correction ticked for this channel; the item is done when it accepts it.",
    );
    let mut linked: Vec<String> = vec!["name".into(), "kind".into(), "partners".into(), "endpoint_id".into()];
    for c in &view.channels {
        linked.push(format!("name-{}", c.id));
        linked.push(format!("partners-{}", c.id));
        linked.push(format!("endpoint_id-{}", c.id));
    }
    let linked: Vec<&str> = linked.iter().map(String::as_str).collect();
    let has_problem = !view.errors.is_empty();
    let body = html! {
        h1 { "Distribution channels" }
        @if has_problem {
            (error_summary(&view.errors, None, &linked))
        }
        @if let Some(notice) = &view.notice {
            (notice_panel(notice))
        }
        p {
            "Where stories go besides this site: newsletters, push alerts, social accounts, syndication "
            "partners, the print edition. When a correction is published, the editor ticks the channels "
            "the error went to, and each becomes an item of the correction's checklist."
        }
        section aria-labelledby="channels-heading" {
            h2 #channels-heading { "Channels" }
            @if view.channels.is_empty() {
                p.empty { "No channels yet." }
            } @else {
                ul.pending-list.channel-list {
                    @for c in &view.channels {
                        li { (channel_row(c, &view.csrf, &view.errors)) }
                    }
                }
            }
        }
        @if view.can_manage {
            section aria-labelledby="add-channel-heading" {
                h2 #add-channel-heading { "Add a channel" }
                form.stacked-form method="post" action="/desk/channels" accept-charset="utf-8" {
                    input type="hidden" name="csrf" value=(view.csrf);
                    (form_group(&name, html! {
                        input.input id=(name.id()) name=(name.name) type="text" value=(view.name) maxlength="80" required
                            aria-describedby=[name.described_by()] aria-invalid=[name.invalid()];
                    }))
                    (form_group(&kind, html! {
                        select.select id=(kind.id()) name=(kind.name)
                            aria-describedby=[kind.described_by()] aria-invalid=[kind.invalid()] {
                            (options(&view.kinds))
                        }
                    }))
                    (form_group(&partners, html! {
                        textarea.textarea id=(partners.id()) name=(partners.name) rows="3"
                            aria-describedby=[partners.described_by()] aria-invalid=[partners.invalid()] {
                            (view.partners)
                        }
                    }))
                    @if view.endpoints.is_empty() {
                        p.hint {
                            "A channel the publisher's own systems feed (a CMS that posts to social accounts, "
                            "say) can be marked done by them: register a webhook on "
                            a href="/desk/webhooks" { "the webhooks page" } " first."
                        }
                    } @else {
                        (form_group(&endpoint, html! {
                            select.select id=(endpoint.id()) name=(endpoint.name)
                                aria-describedby=[endpoint.described_by()] aria-invalid=[endpoint.invalid()] {
                                (options(&view.endpoints))
                            }
                        }))
                    }
                    button.button type="submit" { "Add the channel" }
                }
            }
        }
    };
    let title = if has_problem { "Error: Distribution channels" } else { "Distribution channels" };
    layout.page(title, body)
}

/// One channel, with its change and retire forms for standards editors.
fn channel_row(c: &ChannelRow, csrf: &str, errors: &[FieldError]) -> Markup {
    let suffix = c.id.to_string();
    let name_key = format!("name-{}", c.id);
    let partners_key = format!("partners-{}", c.id);
    let endpoint_key = format!("endpoint_id-{}", c.id);
    let name = Field::new("name", "Name", "").with_id_suffix(&suffix).with_errors(messages_for(errors, &name_key));
    let partners = Field::new("partners", "Partners' email addresses", "One address a line.")
        .with_id_suffix(&suffix)
        .with_errors(messages_for(errors, &partners_key));
    let endpoint = Field::new("endpoint_id", "Webhook that carries its correctives", "")
        .with_id_suffix(&suffix)
        .with_errors(messages_for(errors, &endpoint_key));
    let open = name.has_error() || partners.has_error() || endpoint.has_error();
    html! {
        article.pending-item.channel id={ "channel-" (c.id) } {
            h3 {
                (c.name)
                @if c.retired { " " span.badge { "Retired" } }
            }
            dl.summary-list {
                div { dt { "Kind" } dd { (c.kind_label) } }
                @if c.syndication {
                    div {
                        dt { "Partners" }
                        dd {
                            @if c.partners.is_empty() { "None yet: nobody is emailed" } @else { (c.partners.join(", ")) }
                        }
                    }
                }
                @if let Some(url) = &c.endpoint {
                    div { dt { "Webhook" } dd { span.endpoint-url { (url) } } }
                }
            }
            @if let Some(action) = &c.change_action {
                details.stop-form open[open] {
                    summary { "Rename or change" span.visually-hidden { " " (c.name) } }
                    form.stacked-form method="post" action=(action) accept-charset="utf-8" {
                        input type="hidden" name="csrf" value=(csrf);
                        (form_group(&name, html! {
                            input.input id=(name.id()) name="name" type="text" value=(c.name) maxlength="80" required
                                aria-describedby=[name.described_by()] aria-invalid=[name.invalid()];
                        }))
                        @if c.syndication {
                            (form_group(&partners, html! {
                                textarea.textarea id=(partners.id()) name="partners" rows="3"
                                    aria-describedby=[partners.described_by()] aria-invalid=[partners.invalid()] {
                                    (c.partners.join("\n"))
                                }
                            }))
                        }
                        @if c.endpoints.len() > 1 {
                            (form_group(&endpoint, html! {
                                select.select id=(endpoint.id()) name="endpoint_id"
                                    aria-describedby=[endpoint.described_by()] aria-invalid=[endpoint.invalid()] {
                                    (options(&c.endpoints))
                                }
                            }))
                        }
                        button.button.button-secondary type="submit" {
                            "Save" span.visually-hidden { " " (c.name) }
                        }
                    }
                }
            }
            @if let Some(action) = &c.retire_action {
                form.approve-form method="post" action=(action) accept-charset="utf-8" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="retired" value=(if c.retired { "false" } else { "true" });
                    button.button.button-secondary type="submit" {
                        @if c.retired { "Use again" } @else { "Retire" }
                        span.visually-hidden { " " (c.name) }
                    }
                }
            }
        }
    }
}

/// A correction for staff, with its checklist of channels.
pub fn correction_channels(layout: &Layout, view: &CorrectionChannelsView) -> Markup {
    let linked: Vec<String> = view.items.iter().map(|i| format!("link-{}", i.channel_id)).collect();
    let linked: Vec<&str> = linked.iter().map(String::as_str).collect();
    let has_problem = !view.errors.is_empty() || view.form_error.is_some();
    let heading = format!("{} #{}", view.kind_label, view.id);
    let body = html! {
        h1 { (heading) }
        @if has_problem {
            (error_summary(&view.errors, view.form_error.as_deref(), &linked))
        }
        @if let Some(notice) = &view.notice {
            (notice_panel(notice))
        }
        dl.summary-list {
            div { dt { "Article" } dd { a href=(view.article_href) { (view.article_title) } } }
            div { dt { "Status" } dd { (view.status_label) } }
            @if let Some(published) = &view.published {
                div { dt { "Published" } dd { (published) } }
            }
        }
        p.preserve-lines.correction-text { (view.text) }
        section aria-labelledby="checklist-heading" {
            h2 #checklist-heading { "Where the error went" }
            @if view.items.is_empty() {
                p.empty { "No other channel was ticked when this correction was drafted." }
            } @else {
                p {
                    "Each channel that carried the erroneous version needs the correction too. An item is done "
                    "when an editor marks it, or, for syndication partners, when every email to them was delivered."
                }
                ul.pending-list.checklist {
                    @for item in &view.items {
                        li { (check(item, view)) }
                    }
                }
            }
        }
    };
    let title = if has_problem { format!("Error: {heading}") } else { heading.clone() };
    layout.page(&title, body)
}

/// One checklist item, with its mark form while open.
fn check(item: &ChannelCheck, view: &CorrectionChannelsView) -> Markup {
    let key = format!("link-{}", item.channel_id);
    let link = Field::new("link", "Link to the corrective post (optional)", "An http or https address.")
        .with_id_suffix(&item.channel_id.to_string())
        .with_errors(messages_for(&view.errors, &key));
    let typed = view.typed_link.as_ref().filter(|(id, _)| *id == item.channel_id).map(|(_, l)| l.as_str());
    html! {
        article.pending-item.check.is-done[item.done] id={ "check-" (item.channel_id) } {
            h3 {
                (item.name)
                " "
                @if item.done { span.badge.status-corrected { "Done" } } @else { span.badge { "Open" } }
            }
            dl.summary-list {
                div { dt { "Kind" } dd { (item.kind_label) @if item.retired { " (retired)" } } }
                div { dt { "How it stands" } dd { (item.status) } }
                @if let Some(href) = &item.link {
                    div { dt { "Corrective post" } dd { a href=(href) rel="noopener noreferrer" { (href) } } }
                }
            }
            @if let Some(action) = &item.mark_action {
                form.stacked-form method="post" action=(action) accept-charset="utf-8" {
                    input type="hidden" name="csrf" value=(view.csrf);
                    div.form-group.has-error[link.has_error()] {
                        label.label for=(link.id()) { (link.label) }
                        p.hint id=(link.hint_id()) { (link.hint) }
                        (field_error(&link))
                        input.input id=(link.id()) name="link" type="url" value=[typed] maxlength="2048"
                            aria-describedby=[link.described_by()] aria-invalid=[link.invalid()];
                    }
                    button.button type="submit" {
                        "Mark as corrected there" span.visually-hidden { ": " (item.name) }
                    }
                }
            }
        }
    }
}
