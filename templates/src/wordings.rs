//! `/desk/wordings`: the wording the correction form starts from for each kind of notice,
//! and the forms standards editors change it with.

use maud::{html, Markup};

use crate::layout::Layout;
use crate::partials::{id_safe, notice_panel, single_field_group, textarea_value, Field};

/// One kind of notice and its wording.
#[derive(Debug, Clone, Default)]
pub struct WordingItem {
    /// The kind as stored, e.g. `editors_note`: the section's and the field's ids are made from it.
    pub kind: String,
    /// e.g. "Editor's note".
    pub label: String,
    /// Textarea `text`: the current wording, or what was sent when a save was refused.
    pub text: String,
    /// The built-in wording, shown beside a customised one.
    pub default_text: String,
    /// Whether a standards editor replaced the default.
    pub customised: bool,
    /// When it was last changed, e.g. "1 December 2026, 10:00 UTC"; `None` for the default.
    pub changed: Option<String>,
    /// Where the form posts `text` (and the hidden `csrf`); `None` for editors and auditors, who only read.
    pub save_action: Option<String>,
    /// Where the "Restore the default" form posts (hidden `csrf`), for a customised wording and a standards editor.
    pub reset_action: Option<String>,
    /// Why the last save of this wording was refused, as sentences.
    pub errors: Vec<String>,
}

/// The suggested wordings page.
#[derive(Debug, Clone, Default)]
pub struct WordingsView {
    /// One per kind, in the correction form's order.
    pub items: Vec<WordingItem>,
    /// Hidden field `csrf` in every form.
    pub csrf: String,
    pub notice: Option<String>,
}

/// The suggested wordings.
pub fn wordings(layout: &Layout, view: &WordingsView) -> Markup {
    let can_manage = view.items.iter().any(|i| i.save_action.is_some());
    let has_problem = view.items.iter().any(|i| !i.errors.is_empty());
    let body = html! {
        h1 { "Suggested wordings" }
        @if let Some(notice) = &view.notice {
            (notice_panel(notice))
        }
        div.measure {
            p {
                "When an editor drafts a correction, its text box starts with the wording for the kind of notice, "
                "following the newsroom's convention. Words in square brackets, like [what it said], are blanks: "
                "a notice that still holds one is not published."
            }
            @if can_manage {
                p {
                    "Change a wording to your newsroom's own; put what the editor must fill in between square "
                    "brackets. Corrections already published keep their words."
                }
            }
        }
        ul.wording-list {
            @for item in &view.items {
                li { (wording_item(item, &view.csrf)) }
            }
        }
    };
    let title = if has_problem { "Error: Suggested wordings" } else { "Suggested wordings" };
    layout.page(title, body)
}

/// One kind's wording: a form for standards editors, the text for everyone else.
fn wording_item(item: &WordingItem, csrf: &str) -> Markup {
    let key = id_safe(&item.kind);
    let heading_id = format!("wording-{key}-heading");
    let label = format!("Wording for \u{201c}{}\u{201d}", item.label);
    let hint = match (&item.changed, item.customised) {
        (Some(changed), true) => format!("Your newsroom's own wording, changed {changed}."),
        (None, true) => "Your newsroom's own wording.".to_owned(),
        _ => "The default wording.".to_owned(),
    };
    let errors: Vec<&str> = item.errors.iter().map(String::as_str).collect();
    let field = Field::new("text", &label, hint).with_id_suffix(&item.kind).with_errors(errors);
    html! {
        section.wording id={ "wording-" (key) } aria-labelledby=(heading_id) {
            h2 id=(heading_id) { (item.label) }
            @if let Some(action) = &item.save_action {
                form.stacked-form method="post" action=(action) accept-charset="utf-8" {
                    input type="hidden" name="csrf" value=(csrf);
                    (single_field_group(&field, html! {
                        textarea.textarea id=(field.id()) name=(field.name) rows="4" required
                            aria-describedby=[field.described_by()] aria-invalid=[field.invalid()] {
                            (textarea_value(&item.text))
                        }
                    }))
                    button.button type="submit" {
                        "Save" span.visually-hidden { " the wording for \u{201c}" (item.label) "\u{201d}" }
                    }
                }
            } @else {
                p.muted { (field.hint) }
                p.preserve-lines.wording-text { (item.text) }
            }
            @if item.customised {
                p.wording-default {
                    "The default: " span.preserve-lines { (item.default_text) }
                }
            }
            @if let Some(action) = &item.reset_action {
                form.reset-form method="post" action=(action) accept-charset="utf-8" {
                    input type="hidden" name="csrf" value=(csrf);
                    button.button.button-secondary type="submit" {
                        "Restore the default"
                        span.visually-hidden { " for \u{201c}" (item.label) "\u{201d}" }
                    }
                }
            }
        }
    }
}
