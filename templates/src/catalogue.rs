//! The standards catalogue, shared by the public standards page and the desk's standards page.

use maud::{html, Markup};

use crate::partials::paragraphs;

/// One standard in the catalogue.
#[derive(Debug, Clone)]
pub struct StandardItem {
    pub code: String,
    pub title: String,
    /// Plain text, paragraphs separated by blank lines.
    pub text: String,
    pub version: i32,
    /// e.g. "28 November 2026".
    pub updated: String,
    /// Element id, e.g. "accuracy-v2" (every version has one, so old citations resolve).
    pub anchor: String,
    /// Earlier versions (newest first), each with its own anchor, shown collapsed.
    pub earlier: Vec<StandardItem>,
}

/// The catalogue: a contents list, then each standard with its earlier
/// versions collapsed. Every version keeps its own id, so old citations land.
/// `show_codes` adds each standard's code, for the editors who manage them.
pub(crate) fn standards_catalogue(items: &[StandardItem], show_codes: bool) -> Markup {
    html! {
        @if items.is_empty() {
            p.empty { "No standards have been published yet." }
        } @else {
            @if items.len() > 1 {
                nav.contents aria-labelledby="contents-heading" {
                    h2 #contents-heading { "Contents" }
                    ul.link-list {
                        @for item in items {
                            li { a href={ "#" (item.anchor) } { (item.title) } }
                        }
                    }
                }
            }
            @for item in items {
                section.standard id=(item.anchor) aria-labelledby={ "title-" (item.anchor) } {
                    h2 id={ "title-" (item.anchor) } { (item.title) }
                    (standard_body(item, show_codes))
                    @if !item.earlier.is_empty() {
                        details.standard-earlier {
                            summary { "Earlier versions of " (item.title) }
                            @for old in &item.earlier {
                                section.standard-version id=(old.anchor)
                                    aria-labelledby={ "title-" (old.anchor) } {
                                    h3 id={ "title-" (old.anchor) } { "Version " (old.version) ": " (old.title) }
                                    (standard_body(old, show_codes))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A version line and the text, as paragraphs.
fn standard_body(item: &StandardItem, show_code: bool) -> Markup {
    html! {
        p.standard-meta {
            @if show_code {
                "Code " code { (item.code) } " · "
            }
            "Version " (item.version) ", updated " (item.updated)
        }
        div.standard-text {
            @for paragraph in paragraphs(&item.text) {
                p.preserve-lines { (paragraph) }
            }
        }
    }
}
