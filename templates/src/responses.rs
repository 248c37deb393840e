//! `/desk/responses`: the saved responses editors pick on a ticket, and the form standards
//! editors keep them with.

use maud::{html, Markup};

use crate::forms::{FieldError, Opt};
use crate::layout::Layout;
use crate::partials::{error_summary, form_group, messages_for, notice_panel, options, textarea_value, Field};

/// One saved response in the list.
#[derive(Debug, Clone)]
pub struct ResponseItem {
    pub id: i64,
    pub title: String,
    /// e.g. "Question to the reader".
    pub purpose_label: String,
    /// The text with its placeholders.
    pub body: String,
    /// The edit page, for standards editors.
    pub edit_href: Option<String>,
    /// Where the delete form posts (hidden `csrf`), for standards editors.
    pub delete_action: Option<String>,
}

/// The saved responses page, with the form to add one, or the page editing one.
#[derive(Debug, Clone, Default)]
pub struct ResponsesView {
    pub items: Vec<ResponseItem>,
    /// Hidden field `csrf` in every form.
    pub csrf: String,
    /// False for editors and auditors: the list without forms.
    pub can_manage: bool,
    /// Where the form posts: `/desk/responses` to add, `/desk/responses/{id}` to change one.
    pub form_action: String,
    /// The title of the response being edited (the form's heading says so); `None` when adding.
    pub editing: Option<String>,
    /// Input `title`.
    pub title: String,
    /// Textarea `body`.
    pub body: String,
    /// Select `purpose`: question, decision.
    pub purposes: Vec<Opt>,
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
}

/// The form's field names, in order: only these get a summary link.
const RESPONSE_FIELDS: [&str; 3] = ["title", "purpose", "body"];

/// The saved responses.
pub fn responses(layout: &Layout, view: &ResponsesView) -> Markup {
    let field = |name, label, hint: &str| Field::new(name, label, hint).with_errors(messages_for(&view.errors, name));
    let title = field("title", "Title", "What editors pick it by on a ticket. Each title is used once.");
    let purpose = field("purpose", "What it is for", "");
    let body = field(
        "body",
        "Text",
        "The reader reads exactly this. {reader_name} becomes the reader's name (or \u{201c}reader\u{201d}), \
         {article_title} the article's headline, and {tracking_link} a link to the reader's report in the email \
         (\u{201c}this page\u{201d} on the report's page).",
    );
    let has_problem = view.can_manage && !view.errors.is_empty();
    let heading = if view.editing.is_some() { "Edit a saved response" } else { "Saved responses" };
    let body_markup = html! {
        h1 { (heading) }
        @if has_problem {
            (error_summary(&view.errors, None, &RESPONSE_FIELDS))
        }
        @if let Some(notice) = &view.notice {
            (notice_panel(notice))
        }
        @if view.editing.is_none() {
            p {
                "Wording for the questions editors ask readers and for the reasons they give with a decision. "
                "On a ticket, an editor picks one and can change it before sending."
            }
            @if view.can_manage {
                p {
                    "The wording of correction notices is kept in the "
                    a href="/desk/wordings" { "suggested wordings" } "."
                }
            }
        }
        @if view.can_manage {
            section.response-form aria-labelledby="response-form-heading" {
                h2 #response-form-heading {
                    @match &view.editing {
                        Some(editing) => { "Change \u{201c}" (editing) "\u{201d}" },
                        None => "Add a saved response",
                    }
                }
                form.stacked-form method="post" action=(view.form_action) accept-charset="utf-8" {
                    input type="hidden" name="csrf" value=(view.csrf);
                    (form_group(&title, html! {
                        input.input id=(title.id()) type="text" name=(title.name) value=(view.title) required
                            maxlength="200" autocomplete="off"
                            aria-describedby=[title.described_by()] aria-invalid=[title.invalid()];
                    }))
                    (form_group(&purpose, html! {
                        select.select id=(purpose.id()) name=(purpose.name)
                            aria-describedby=[purpose.described_by()] aria-invalid=[purpose.invalid()] {
                            (options(&view.purposes))
                        }
                    }))
                    (form_group(&body, html! {
                        textarea.textarea id=(body.id()) name=(body.name) rows="6" required
                            aria-describedby=[body.described_by()] aria-invalid=[body.invalid()] {
                            (textarea_value(&view.body))
                        }
                    }))
                    div.form-actions {
                        button.button type="submit" { "Save response" }
                        @if view.editing.is_some() {
                            a href="/desk/responses" { "Cancel" }
                        }
                    }
                }
            }
        }
        @if view.editing.is_none() {
            section aria-labelledby="responses-heading" {
                h2 #responses-heading { "The saved responses" }
                @if view.items.is_empty() {
                    p.empty { "There are no saved responses yet." }
                } @else {
                    ul.response-list {
                        @for item in &view.items {
                            li { (response_item(item, &view.csrf)) }
                        }
                    }
                }
            }
        }
    };
    let title = if has_problem { format!("Error: {heading}") } else { heading.to_owned() };
    layout.page(&title, body_markup)
}

/// One saved response, with its edit link and delete button for standards editors.
fn response_item(item: &ResponseItem, csrf: &str) -> Markup {
    html! {
        article.response-item {
            h3 { (item.title) }
            p.response-purpose { span.tag-public { (item.purpose_label) } }
            p.preserve-lines { (item.body) }
            @if item.edit_href.is_some() || item.delete_action.is_some() {
                div.form-actions {
                    @if let Some(href) = &item.edit_href {
                        a href=(href) { "Edit" span.visually-hidden { " \u{201c}" (item.title) "\u{201d}" } }
                    }
                    @if let Some(action) = &item.delete_action {
                        form.delete-form method="post" action=(action) accept-charset="utf-8" {
                            input type="hidden" name="csrf" value=(csrf);
                            button.button.button-danger type="submit" {
                                "Delete" span.visually-hidden { " \u{201c}" (item.title) "\u{201d}" }
                            }
                        }
                    }
                }
            }
        }
    }
}
