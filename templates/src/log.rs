//! The public record: corrections on an article, the site-wide log, the standards, the embeddable notice.

use maud::{html, Markup, PreEscaped};

use crate::desk::Opt;
use crate::partials::{
    article_box, date_group, error_summary, notice_panel, pager, paragraphs, screen_reader_text, select_group,
    single_field_group, verify_log_command, Field,
};
use crate::{ArticleSummary, Layout};

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
}

/// `/articles/{id}/corrections`.
#[derive(Debug, Clone)]
pub struct ArticleLogView {
    pub article: ArticleSummary,
    /// Newest first.
    pub corrections: Vec<CorrectionItem>,
    /// The report form for this article.
    pub report_href: String,
    /// The article's Atom feed.
    pub atom_href: String,
    /// Where the "tell me if this article is corrected" form posts (field `email`).
    pub subscribe_action: String,
    /// The email typed, kept after an error.
    pub subscribe_email: String,
    /// What was wrong with it.
    pub subscribe_error: Option<String>,
    /// Shown after a successful request ("check your inbox").
    pub subscribe_notice: Option<String>,
}

/// `/corrections`: every correction, filterable (a GET form) and paged.
#[derive(Debug, Clone, Default)]
pub struct SiteLogView {
    pub corrections: Vec<CorrectionItem>,
    /// Select `kind`, first option "" = any.
    pub kinds: Vec<Opt>,
    /// Select `section`, first option "" = any.
    pub sections: Vec<Opt>,
    /// Select `standard` (codes), first option "" = any.
    pub standards: Vec<Opt>,
    /// Date inputs `from` and `to` (YYYY-MM-DD), as typed.
    pub from: String,
    pub to: String,
    pub next_href: Option<String>,
    pub atom_href: String,
    pub csv_href: String,
    /// A filter problem, shown with role="alert".
    pub error: Option<String>,
}

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

/// `/standards`: the catalogue, the corrections policy first.
#[derive(Debug, Clone, Default)]
pub struct StandardsView {
    pub standards: Vec<StandardItem>,
    /// The public key that signs the correction log (base64), when there is one.
    pub public_key: Option<String>,
}

/// `/articles/{id}/notice`: an HTML fragment for the CMS (no page frame).
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub article_title: String,
    /// Retractions and headline corrections: placed above the article (`data-placement="top"`).
    pub top: Vec<CorrectionItem>,
    /// Everything else: placed at the foot (`data-placement="foot"`).
    pub foot: Vec<CorrectionItem>,
    /// Absolute URL of the report form.
    pub report_href: String,
    /// Absolute URL of the article's log.
    pub log_href: String,
    /// Absolute URL of the standards page.
    pub standards_href: String,
    /// Serialized JSON-LD, already safe inside `<script>` (render with PreEscaped, never escape again).
    pub json_ld: String,
}

/// The article's public log.
pub fn article_log(layout: &Layout, view: &ArticleLogView) -> Markup {
    let body = html! {
        h1 { "Corrections to this article" }
        (article_box(&view.article))
        p {
            "We never remove a correction. If we need to amend one, we publish a new correction "
            "that supersedes it, and both stay on this page."
        }
        p.call-to-action {
            a.button href=(view.report_href) { "Report an error in this article" }
        }
        section aria-labelledby="corrections-heading" {
            h2 #corrections-heading { "Published corrections" }
            @if view.corrections.is_empty() {
                p.empty { "No corrections have been published for this article." }
            } @else {
                p.muted { "Newest first." }
                (correction_list(&view.corrections, Detail::Full))
            }
        }
        (subscribe_form(view))
        (feed_links(&view.atom_href, None))
    };
    layout.page("Corrections to this article", body)
}

/// The "tell me if this article is corrected" form.
fn subscribe_form(view: &ArticleLogView) -> Markup {
    let field = Field::new("email", "Your email address", "We send you one message per correction, and nothing else.")
        .with_errors(view.subscribe_error.as_deref().into_iter().collect());
    html! {
        section #subscribe aria-labelledby="subscribe-heading" {
            h2 #subscribe-heading { "Tell me if this article is corrected" }
            @if let Some(notice) = &view.subscribe_notice {
                (notice_panel(notice))
            }
            form method="post" action=(view.subscribe_action) accept-charset="utf-8" {
                (single_field_group(&field, html! {
                    div.find-row {
                        input.input #field-email type="email" name="email" value=(view.subscribe_email) autocomplete="email"
                            aria-describedby=[field.described_by()] aria-invalid=[field.invalid()];
                        button.button type="submit" { "Subscribe" }
                    }
                }))
            }
            p.muted { "You confirm by email first, and every message has a one-click unsubscribe link." }
        }
    }
}

/// The site-wide log.
pub fn site_log(layout: &Layout, view: &SiteLogView) -> Markup {
    let body = html! {
        h1 { "Corrections log" }
        p {
            "Every correction we have published, newest first. We never remove a correction: "
            "an amendment is published as a new correction that supersedes the old one."
        }
        (feed_links(&view.atom_href, Some(&view.csv_href)))
        @if let Some(error) = &view.error {
            (error_summary(&[], Some(error), &[]))
        }
        section.filters aria-labelledby="filters-heading" {
            h2 #filters-heading { "Filter the corrections" }
            form method="get" action="/corrections" accept-charset="utf-8" {
                div.filter-grid {
                    (select_group("kind", "Kind", &view.kinds))
                    (select_group("section", "Section", &view.sections))
                    (select_group("standard", "Standard", &view.standards))
                    (date_group("from", "From", &view.from))
                    (date_group("to", "To", &view.to))
                }
                div.form-actions {
                    button.button type="submit" { "Apply" }
                    a href="/corrections" { "Clear" }
                }
            }
        }
        section aria-labelledby="results-heading" {
            h2 #results-heading { "Corrections" }
            @if view.corrections.is_empty() {
                p.empty { "No corrections match these filters." }
            } @else {
                (correction_list(&view.corrections, Detail::Full))
            }
            (pager(view.next_href.as_deref()))
        }
    };
    let title = if view.error.is_some() { "Error: Corrections log" } else { "Corrections log" };
    layout.page(title, body)
}

/// The standards page.
pub fn standards(layout: &Layout, view: &StandardsView) -> Markup {
    let body = html! {
        h1 { "Editorial standards" }
        p.lead {
            "These are the standards our journalism is held to. Every correction we publish "
            "names the standards it breached and links to the version that was in force; "
            "earlier versions stay on this page, so those links keep working."
        }
        (standards_catalogue(&view.standards, false))
        @if let Some(key) = &view.public_key {
            section.verify aria-labelledby="verify-heading" {
                h2 #verify-heading { "Verifying our corrections log" }
                p {
                    "Every correction we publish is added to a hash-chained public log, and we sign "
                    "the log with this Ed25519 public key:"
                }
                p.public-key { code { (key) } }
                p {
                    "To check that no entry was changed, removed or reordered, run "
                    (verify_log_command(key))
                    "."
                }
            }
        }
    };
    layout.page("Editorial standards", body)
}

/// The embeddable notice fragment.
///
/// It lands inside the publisher's page, so it assumes none of our stylesheet:
/// a few inline styles, borders in the host's own text colour, and the host's
/// fonts. Without the styles (a strict CSP) it still reads correctly.
pub fn notice(view: &NoticeView) -> Markup {
    let retracted = view.top.iter().any(|item| item.kind == "retraction");
    html! {
        section.corrigenda-notice aria-label="Corrections" style="margin:1.5em 0" {
            @if !view.top.is_empty() {
                div data-placement="top" style="margin:0 0 1.5em;padding:0.75em 1em;border:3px solid" {
                    h2 style=(NOTICE_H2) {
                        @if retracted { "This article has been retracted" } @else { "This article has been corrected" }
                    }
                    @for item in &view.top {
                        (notice_item(item))
                    }
                }
            }
            @if !view.foot.is_empty() {
                div data-placement="foot" {
                    h2 style=(NOTICE_H2) { "Corrections to this article" }
                    @for item in &view.foot {
                        (notice_item(item))
                    }
                }
            }
            ul style="margin:1em 0 0;padding:0;list-style:none" {
                li style=(NOTICE_LINK_ITEM) { a href=(view.report_href) style=(NOTICE_LINK) { "Submit a correction" } }
                li style=(NOTICE_LINK_ITEM) {
                    a href=(view.log_href) style=(NOTICE_LINK) { "All corrections to this article" }
                }
                li style=(NOTICE_LINK_ITEM) {
                    a href=(view.standards_href) style=(NOTICE_LINK) { "Read our editorial standards" }
                }
            }
            script type="application/ld+json" {
                // The only PreEscaped in this crate: the server serialises the JSON-LD so that it is
                // safe inside a script element (no "</" or "<!--"), and escaping it again would break it.
                (PreEscaped(&view.json_ld))
            }
        }
    }
}

/// The notice's headings: sized for a spot under an article's own headline.
const NOTICE_H2: &str = "font-size:1.125em;margin:0 0 0.5em";

/// The notice's links: side by side where there is room.
const NOTICE_LINK_ITEM: &str = "display:inline-block;margin:0 1.5em 0 0";

/// Each link tall enough to tap (24px and more) in whatever font the host uses.
const NOTICE_LINK: &str = "display:inline-block;padding:0.375em 0";

/// One correction in the notice: kind, date, text and what changed.
fn notice_item(item: &CorrectionItem) -> Markup {
    let retraction = item.kind == "retraction";
    let frame = if retraction {
        "margin:0.75em 0;padding-left:0.75em;border-left:6px solid"
    } else {
        "margin:0.75em 0;padding-left:0.75em;border-left:3px solid"
    };
    html! {
        article style=(frame) {
            h3 style="font-size:1em;margin:0 0 0.25em" {
                @if retraction {
                    span style="text-transform:uppercase;letter-spacing:0.04em" { (item.kind_label) }
                } @else {
                    (item.kind_label)
                }
                span style="font-weight:normal" { " · " (published_time(item)) }
            }
            p style="margin:0;white-space:pre-wrap" { (item.text) }
            @if let Some(diff) = &item.diff {
                (diff_block(diff, true))
            }
        }
    }
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
                @if let Some(hash) = &item.hash {
                    p.log-hash { "Log entry hash: " code { (hash) } }
                }
            }
        }
    }
}

/// `<time>` with the UTC time and, where the publisher is elsewhere, the local one.
fn published_time(item: &CorrectionItem) -> Markup {
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

/// Links to the Atom feed and, on the site-wide log, the CSV download.
fn feed_links(atom_href: &str, csv_href: Option<&str>) -> Markup {
    html! {
        ul.feed-links {
            li { a href=(atom_href) type="application/atom+xml" { "Atom feed" } }
            @if let Some(csv) = csv_href {
                li { a href=(csv) type="text/csv" download { "Download as CSV" } }
            }
        }
    }
}
