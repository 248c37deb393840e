//! The public record: corrections on an article, the site-wide list of corrections, the standards, the embeddable notice.

use maud::{html, Markup, PreEscaped};

use crate::article::ArticleSummary;
use crate::catalogue::standards_catalogue;
use crate::corrections::{correction_list, diff_block, published_time, Detail};
use crate::forms::Opt;
use crate::layout::Layout;
use crate::partials::{
    article_box, date_group, error_summary, notice_panel, pager, select_group, single_field_group, verify_log_command,
    Field,
};

// Re-exported so that `log::CorrectionItem` and the rest stay paths to them.
pub use crate::catalogue::StandardItem;
pub use crate::corrections::{Change, CorrectionItem, DiffPart, OpenChannelsItem, StandardRef};

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
pub struct AllCorrectionsView {
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

/// `/standards`: the catalogue, the corrections policy first.
#[derive(Debug, Clone, Default)]
pub struct StandardsView {
    pub standards: Vec<StandardItem>,
    /// The public key that signs the correction log (base64), when there is one.
    pub public_key: Option<String>,
    /// Keys that signed the log before it, oldest first.
    pub retired_keys: Vec<RetiredKey>,
}

/// A key that signed the correction log before the current one.
#[derive(Debug, Clone, Default)]
pub struct RetiredKey {
    /// Ed25519 public key, base64.
    pub public_key: String,
    /// The log's size when it took over.
    pub from_size: i64,
    /// The log's size when it was replaced.
    pub until_size: i64,
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
    layout.public_page("Corrections to this article", body)
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

/// The site-wide list of corrections.
pub fn all_corrections(layout: &Layout, view: &AllCorrectionsView) -> Markup {
    let body = html! {
        h1 { "Corrections log" }
        p {
            "Every correction we have published, newest first. We never remove a correction: "
            "an amendment is published as a new correction that supersedes the old one."
        }
        (feed_links(&view.atom_href, Some(&view.csv_href)))
        p { a href="/transparency" { "How many errors are reported to us, how fast we act, and what we correct: our figures" } }
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
    layout.public_page(title, body)
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
        p { a href="/transparency" { "How well we keep to them: our corrections in figures" } }
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
                @if !view.retired_keys.is_empty() {
                    h3 #earlier-keys { "Earlier signing keys" }
                    p {
                        "We have replaced the signing key. Checkpoints signed earlier stay valid under the key "
                        "that signed them; each key signed checkpoints of the log sizes shown. All keys are "
                        "listed at " code { "/api/v1/log/keys" } "."
                    }
                    ul.earlier-keys aria-labelledby="earlier-keys" {
                        @for k in &view.retired_keys {
                            li {
                                code { (k.public_key) }
                                " (sizes " (k.from_size) " to " (k.until_size) ")"
                            }
                        }
                    }
                }
            }
        }
    };
    layout.public_page("Editorial standards", body)
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
                li style=(NOTICE_LINK_ITEM) {
                    a href=(view.report_href) target="_top" style=(NOTICE_LINK) { "Submit a correction" }
                }
                @if !view.top.is_empty() || !view.foot.is_empty() {
                    li style=(NOTICE_LINK_ITEM) {
                        a href=(view.log_href) target="_top" style=(NOTICE_LINK) { "All corrections to this article" }
                    }
                }
                li style=(NOTICE_LINK_ITEM) {
                    a href=(view.standards_href) target="_top" style=(NOTICE_LINK) { "Read our editorial standards" }
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

/// The notice as a document of its own, for a frame: no host page lends it a font, so it
/// brings a plain one, and its outer margin goes (the frame is the margin). Links open in
/// the top window, as they do in the fragment.
pub fn framed_notice(fragment: &Markup) -> Markup {
    html! {
        (maud::DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Corrections" }
                base target="_top";
                style { (NOTICE_FRAMED_STYLE) }
            }
            body { (fragment) }
        }
    }
}

/// The framed notice's only style sheet (no quotes or angle brackets: it is escaped as text).
const NOTICE_FRAMED_STYLE: &str = "body{margin:0;padding:0.25em;font-family:system-ui,-apple-system,Segoe UI,\
    Roboto,Helvetica Neue,Arial,sans-serif;font-size:1rem;line-height:1.5}\
    .corrigenda-notice{margin:0!important}";

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

/// Links to the Atom feed and, on the site-wide list of corrections, the CSV download.
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

/// The select-to-report widget served at `/embed/report.js`: a script of its own, with no
/// dependency, that works under a strict Content-Security-Policy (no eval, styles set through
/// CSSOM only).
pub const REPORT_SCRIPT: &str = include_str!("report.js");

/// `/embed/demo/{id}`: an article shown as a publisher's page would show it, with the notice
/// and the select-to-report widget embedded.
#[derive(Debug, Clone)]
pub struct EmbedDemoView {
    pub article: ArticleSummary,
    /// The article's paragraphs; `None` when its text is not on file or not public.
    pub paragraphs: Option<Vec<String>>,
    /// The notice, as `/articles/{id}/notice` answers it.
    pub notice: NoticeView,
    /// Absolute URL of the widget's script.
    pub script_src: String,
    /// Absolute URL of the notice.
    pub notice_href: String,
}

/// The demonstration of a publisher's article page with the notice and the widget.
pub fn embed_demo(layout: &Layout, view: &EmbedDemoView) -> Markup {
    let article = &view.article;
    let script_tag = format!("<script src=\"{}\" data-article=\"{}\" defer></script>", view.script_src, article.id);
    let body = html! {
        div.panel-info {
            p {
                strong { "A demonstration." }
                " This is how an article page of " (layout.publication) " can carry its corrections and a "
                "way to report an error. Select words in the article below, then press "
                "\u{201c}Report an error here\u{201d} (or Ctrl+Enter): the report form opens in a new tab "
                "with the words filled in."
            }
            p.embed-code {
                "The page includes the notice from " code { (view.notice_href) } " under the article and "
                "this one line: " code { (script_tag) }
            }
        }
        article.demo-article {
            h1 { (article.title) }
            ul.article-meta {
                @if !article.section.is_empty() {
                    li { (article.section) }
                }
                @if !article.authors.is_empty() {
                    li { "By " (article.authors.join(", ")) }
                }
                @if !article.published.is_empty() {
                    li { "Published " (article.published) }
                }
            }
            @match &view.paragraphs {
                Some(paragraphs) => {
                    @for paragraph in paragraphs {
                        p.preserve-lines { (paragraph) }
                    }
                }
                None => {
                    p.muted.demo-no-text {
                        @if article.text_known {
                            "The article's text is not public on this site, so only its headline is shown here. "
                            "Staff who are signed in see the text."
                        } @else {
                            "We do not have this article's text, so only its headline is shown here."
                        }
                    }
                }
            }
        }
        (notice(&view.notice))
        script src=(view.script_src) data-article=(article.id) defer {}
    };
    layout.public_page(&format!("Demonstration: {}", article.title), body)
}
