//! Published corrections as the public record and the desk show them: the item, its diff and the list.

use maud::{html, Markup};

use crate::partials::screen_reader_text;

/// How a stretch of a word-level diff changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// In both the original and the corrected passage.
    Same,
    /// Only in the original (render as `<del>`).
    Removed,
    /// Only in the corrected passage (render as `<ins>`).
    Added,
}

/// One stretch of a word-level diff (whitespace included in `text`).
#[derive(Debug, Clone)]
pub struct DiffPart {
    pub text: String,
    pub change: Change,
}

/// A standard a correction cites, as a link into `/standards`.
#[derive(Debug, Clone)]
pub struct StandardRef {
    pub code: String,
    pub title: String,
    pub version: i32,
    /// e.g. "/standards#accuracy-v2".
    pub href: String,
}

/// One published correction, as every public list shows it.
#[derive(Debug, Clone)]
pub struct CorrectionItem {
    pub id: i64,
    /// Element id for links, e.g. "correction-12".
    pub anchor: String,
    /// Machine kind: correction, clarification, update, editors_note, retraction.
    pub kind: String,
    /// e.g. "Correction", "Editor's note", "Retraction".
    pub kind_label: String,
    /// The public text (plain text; preserve line breaks).
    pub text: String,
    /// Word-level diff of original vs corrected, when both are given.
    pub diff: Option<Vec<DiffPart>>,
    /// e.g. "28 November 2026, 13:05 UTC".
    pub published_utc: String,
    /// The same time in the publisher's zone, e.g. "28 November 2026, 14:05 CET"; `None` when the zone is UTC.
    pub published_local: Option<String>,
    pub published_iso: String,
    pub standards: Vec<StandardRef>,
    /// (id, href) of the correction that supersedes this one.
    pub superseded_by: Option<(i64, String)>,
    /// (id, href) of the correction this one supersedes.
    pub supersedes: Option<(i64, String)>,
    /// The log entry's hash (hex), for auditors.
    pub hash: Option<String>,
    /// (title, href of the article's log) on site-wide lists; `None` on the article's own log.
    pub article: Option<(String, String)>,
    /// The other channels this correction reached ("Also corrected in"), when the publisher shows them.
    pub also_in: Vec<String>,
}

/// A published correction whose checklist of channels still has open items, for the desk.
#[derive(Debug, Clone)]
pub struct OpenChannelsItem {
    pub id: i64,
    /// The correction's staff page (its checklist).
    pub href: String,
    pub article_title: String,
    pub kind_label: String,
    /// e.g. "28 November 2026, 13:05 UTC".
    pub published: String,
    /// Names of the channels still to reach.
    pub open: Vec<String>,
}

/// How much of a correction a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Everything: the logs, and the editor's preview.
    Full,
    /// Kind, date, article and text: the home page.
    Compact,
}

/// Corrections as a list, each with its heading at level 3.
pub(crate) fn correction_list(items: &[CorrectionItem], detail: Detail) -> Markup {
    html! {
        ol.correction-list {
            @for item in items {
                li { (correction_item(item, detail)) }
            }
        }
    }
}

/// One published correction, as readers see it (the editor's preview too).
/// Its heading is an h3: it always sits under a page's h2.
pub(crate) fn correction_item(item: &CorrectionItem, detail: Detail) -> Markup {
    let full = detail == Detail::Full;
    html! {
        article.correction.is-retraction[item.kind == "retraction"] id=(item.anchor) {
            h3.correction-heading {
                span class={ "kind kind-" (item.kind) } { (item.kind_label) }
                " "
                span.correction-time { (published_time(item)) }
            }
            @if full {
                @if let Some((id, href)) = &item.superseded_by {
                    p.superseded {
                        strong { "Superseded by " a href=(href) { "correction #" (id) } "." }
                        " We keep this correction here as it was published."
                    }
                }
            }
            @if let Some((title, href)) = &item.article {
                p.correction-article { "Article: " a href=(href) { (title) } }
            }
            p.preserve-lines.correction-text { (item.text) }
            @if full {
                @if let Some(diff) = &item.diff {
                    (diff_block(diff, false))
                }
                @if !item.standards.is_empty() {
                    p.correction-standards {
                        "Standards breached: "
                        @for (i, standard) in item.standards.iter().enumerate() {
                            @if i > 0 { "; " }
                            a href=(standard.href) { (standard.title) }
                            " (" (standard.code) ", version " (standard.version) ")"
                        }
                    }
                }
                @if let Some((id, href)) = &item.supersedes {
                    p.supersedes { "Supersedes " a href=(href) { "correction #" (id) } }
                }
                @if !item.also_in.is_empty() {
                    p.also-in { "Also corrected in: " (item.also_in.join(", ")) }
                }
                @if let Some(hash) = &item.hash {
                    p.log-hash { "Log entry hash: " code { (hash) } }
                }
            }
        }
    }
}

/// `<time>` with the UTC time and, where the publisher is elsewhere, the local one.
pub(crate) fn published_time(item: &CorrectionItem) -> Markup {
    html! {
        time datetime=(item.published_iso) {
            (item.published_utc)
            @if let Some(local) = &item.published_local {
                " (" (local) ")"
            }
        }
    }
}

/// "What we changed": the passage with removals struck through and additions
/// underlined, each also announced in words to screen readers.
///
/// `inline` is for the notice: inline styles instead of the stylesheet's classes.
pub(crate) fn diff_block(parts: &[DiffPart], inline: bool) -> Markup {
    let text = html! {
        @for (i, part) in parts.iter().enumerate() {
            @match part.change {
                Change::Same => (part.text),
                Change::Removed => del {
                    (screen_reader_text("[removed: ", inline)) (part.text) (screen_reader_text("]", inline))
                },
                Change::Added => {
                    // A replacement right after a removal: kept apart (the stylesheet's `del + ins` elsewhere).
                    @let after_removal = i > 0 && parts[i - 1].change == Change::Removed;
                    ins style=[(inline && after_removal).then_some("margin-left:0.25em")] {
                        (screen_reader_text("[added: ", inline)) (part.text) (screen_reader_text("]", inline))
                    }
                },
            }
        }
    };
    html! {
        @if inline {
            div style="margin:0.5em 0 0" {
                p style="margin:0;font-weight:bold" { "What we changed" }
                p style="margin:0;white-space:pre-wrap" { (text) }
            }
        } @else {
            div.diff {
                p.diff-title {
                    "What we changed"
                    span.diff-key { " (removed words are struck through, added words underlined)" }
                }
                p.preserve-lines.diff-text { (text) }
            }
        }
    }
}
