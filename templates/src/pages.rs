//! One function per screen, each taking a view struct.

use maud::{html, Markup};

use crate::corrections::{correction_list, CorrectionItem, Detail};
use crate::layout::Layout;
use crate::partials::{
    article_box, count, error_summary, evidence_list, form_group, messages_for, notice_panel, plural,
    single_field_group, textarea_value, Field,
};

// Re-exported so that `pages::ArticleSummary` and `pages::FieldError` stay paths to them.
pub use crate::article::ArticleSummary;
pub use crate::forms::FieldError;

/// One option of a `<select>`: machine value and human label.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// The home page.
#[derive(Debug, Clone, Default)]
pub struct HomeView {
    /// What the reader typed into the find box, kept after a failed lookup.
    pub query: String,
    /// Shown next to the find box when a lookup found nothing.
    pub find_error: Option<String>,
    /// The most recent corrections, newest first (empty: say none have been published yet).
    pub recent: Vec<CorrectionItem>,
    /// The articles whose headline has the words looked for, when that is what was asked.
    pub results: Option<FindResults>,
}

/// Articles found by words of their headline.
#[derive(Debug, Clone, Default)]
pub struct FindResults {
    /// The words as typed.
    pub query: String,
    /// Newest first.
    pub articles: Vec<FoundArticle>,
    /// Whether more articles matched than are listed.
    pub more: bool,
}

/// One article in the find results.
#[derive(Debug, Clone, Default)]
pub struct FoundArticle {
    pub title: String,
    pub section: String,
    /// Already formatted date, e.g. "28 November 2026".
    pub published: String,
    /// The article on the publisher's site.
    pub url: String,
    /// Its report form.
    pub report_href: String,
    /// Its corrections page.
    pub corrections_href: String,
}

/// The reader's values in the report form, kept when it is shown again with errors.
#[derive(Debug, Clone, Default)]
pub struct ReportFormValues {
    pub category: String,
    pub quote: String,
    pub explanation: String,
    /// One URL per line, as typed.
    pub evidence_urls: String,
    pub reporter_name: String,
    pub reporter_email: String,
}

/// The report form at `/articles/{id}/report`.
#[derive(Debug, Clone)]
pub struct ReportFormView {
    pub article: ArticleSummary,
    /// Categories in display order.
    pub categories: Vec<Choice>,
    pub values: ReportFormValues,
    pub errors: Vec<FieldError>,
    /// Form-wide error not tied to a field (e.g. rate limit), shown at the top.
    pub form_error: Option<String>,
    /// Where the form posts to.
    pub action: String,
    /// Limits shown as hints and used as `maxlength`.
    pub quote_max: usize,
    pub explanation_max: usize,
    pub evidence_max: usize,
}

/// One public step in a report's history.
#[derive(Debug, Clone)]
pub struct HistoryItem {
    /// Already formatted UTC time, e.g. "2026-11-28 13:05 UTC".
    pub at: String,
    /// Machine timestamp (RFC 3339) for `<time datetime>`.
    pub at_iso: String,
    pub title: String,
    /// Optional text shown under the title (e.g. the editor's question).
    pub detail: Option<String>,
}

/// The tracking page at `/reports/{token}`.
#[derive(Debug, Clone)]
pub struct TrackingView {
    pub article: ArticleSummary,
    /// Machine status, e.g. "new".
    pub status: String,
    /// Human label, e.g. "Received".
    pub status_label: String,
    /// One sentence telling the reader what the status means for them.
    pub status_explanation: String,
    pub category_label: String,
    pub quote: String,
    pub explanation: String,
    pub evidence_urls: Vec<String>,
    pub filed_at: String,
    pub filed_at_iso: String,
    pub updated_at: String,
    pub updated_at_iso: String,
    pub history: Vec<HistoryItem>,
    /// True right after filing: show a "keep this link" confirmation.
    pub just_filed: bool,
    /// The absolute URL of this page, for the reader to bookmark.
    pub tracking_url: String,
    /// The editor's open question, when the status is `needs_info`.
    pub question: Option<String>,
    /// The form to answer the question (textarea `body`), when the status is `needs_info`.
    pub reply: Option<ReaderForm>,
    /// The form to appeal (textarea `reason`), when the decision can still be appealed.
    pub appeal: Option<ReaderForm>,
    /// For a duplicate: the outcome of the report it duplicates, e.g. "Corrected".
    pub primary_outcome: Option<String>,
    /// A message after the reader answered or appealed, shown with role="status".
    pub notice: Option<String>,
    /// The editors' reason for the decision the report stands at, shown beside the status (none
    /// when it is the reason of the appeal's outcome, shown with that).
    pub decision_reason: Option<String>,
    /// For a corrected report: the correction, with a link to it on the article's corrections page.
    pub correction: Option<TrackedCorrection>,
    /// Once the reader's appeal is decided: what was decided.
    pub appeal_outcome: Option<AppealOutcomeView>,
}

/// The correction that resolved a reader's report.
#[derive(Debug, Clone, Default)]
pub struct TrackedCorrection {
    /// e.g. "Correction".
    pub kind_label: String,
    pub text: String,
    /// `/articles/{id}/corrections#correction-{n}`.
    pub href: String,
}

/// How a standards editor decided the reader's appeal.
#[derive(Debug, Clone, Default)]
pub struct AppealOutcomeView {
    /// One sentence saying what was decided.
    pub sentence: String,
    /// Whether the report is closed for good (at a decision after its one appeal): said plainly.
    pub is_final: bool,
    /// The standards editor's reason, when given.
    pub reason: Option<String>,
    /// Already formatted time, and the machine one.
    pub at: String,
    pub at_iso: String,
}

/// A one-textarea form on the tracking page (no CSRF: the secret URL is the credential).
#[derive(Debug, Clone, Default)]
pub struct ReaderForm {
    /// Where it posts.
    pub action: String,
    /// The text typed, kept after an error.
    pub value: String,
    /// What was wrong with the last attempt.
    pub error: Option<String>,
    /// `maxlength` of the textarea.
    pub max: usize,
}

/// A short page that tells a person one thing (e.g. "subscription confirmed").
#[derive(Debug, Clone)]
pub struct MessageView {
    pub title: String,
    pub message: String,
    /// Where to go next: (label, href).
    pub link: Option<(String, String)>,
    /// A form with one button that posts to this action (hidden fields: none), e.g. the unsubscribe confirmation.
    pub button: Option<(String, String)>,
}

/// A short message page.
pub fn message_page(layout: &Layout, view: &MessageView) -> Markup {
    let body = html! {
        h1 { (view.title) }
        p { (view.message) }
        @if let Some((label, action)) = &view.button {
            form method="post" action=(action) { button.button type="submit" { (label) } }
        }
        @if let Some((label, href)) = &view.link {
            p { a href=(href) { (label) } }
        }
    };
    layout.page(&view.title, body)
}

/// An error page for a person.
#[derive(Debug, Clone)]
pub struct ErrorView {
    pub status: u16,
    /// Short title, e.g. "Not found".
    pub title: String,
    pub message: String,
}

/// The home page.
pub fn home(layout: &Layout, view: &HomeView) -> Markup {
    let find = Field::new(
        "q",
        "Article address, ID or headline",
        "Paste the article's web address, type its ID, or type words from its headline.",
    )
    .with_errors(view.find_error.as_deref().into_iter().collect());
    let body = html! {
        h1 { (layout.publication) " corrections desk" }
        p.lead {
            "Spotted an error in one of our articles? Tell us. An editor reviews every report, "
            "and every correction we make is published in a public, verifiable log."
        }
        section aria-labelledby="find-heading" {
            h2 #find-heading { "Find an article" }
            p { "Find the article you want to report an error in." }
            form.find-form method="get" action="/articles" accept-charset="utf-8" {
                (single_field_group(&find, html! {
                    div.find-row {
                        input.input #field-q type="text" name=(find.name) value=(view.query)
                            autocomplete="off" spellcheck="false"
                            aria-describedby=[find.described_by()] aria-invalid=[find.invalid()];
                        button.button type="submit" { "Find article" }
                    }
                }))
            }
        }
        @if let Some(results) = &view.results {
            (find_results(results))
        }
        section aria-labelledby="recent-heading" {
            h2 #recent-heading { "Recent corrections" }
            @if view.recent.is_empty() {
                p.empty { "No corrections have been published yet." }
            } @else {
                (correction_list(&view.recent, Detail::Compact))
            }
        }
        section aria-labelledby="more-heading" {
            h2 #more-heading { "How we hold ourselves to account" }
            ul.link-list {
                li { a href="/standards" { "Read our editorial standards" } }
                li { a href="/corrections" { "See the full corrections log" } }
                li { a href="/transparency" { "See how we handle corrections, in figures" } }
            }
        }
    };
    layout.public_page("Corrections desk", body)
}

/// The articles a headline search found.
fn find_results(results: &FindResults) -> Markup {
    html! {
        section aria-labelledby="results-heading" {
            h2 #results-heading { "Articles with \u{201c}" (results.query) "\u{201d} in the headline" }
            p role="status" {
                @if results.more {
                    "The newest " (results.articles.len()) " matching articles. "
                    "If yours is not among them, add a word from its headline."
                } @else if results.articles.len() == 1 {
                    "One article matches."
                } @else {
                    (results.articles.len()) " articles match, newest first."
                }
            }
            ul.found-list {
                @for article in &results.articles {
                    li {
                        p.article-title { (article.title) }
                        p.muted {
                            @if !article.section.is_empty() { (article.section) " \u{b7} " }
                            "Published " (article.published)
                        }
                        p.found-links {
                            a href=(article.report_href) {
                                "Report an error"
                                span.visually-hidden { " in \u{201c}" (article.title) "\u{201d}" }
                            }
                            " "
                            a href=(article.corrections_href) {
                                "Corrections"
                                span.visually-hidden { " to \u{201c}" (article.title) "\u{201d}" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The report form.
pub fn report_form(layout: &Layout, view: &ReportFormView) -> Markup {
    let values = &view.values;
    let has_problem = !view.errors.is_empty() || view.form_error.is_some();
    let mut quote_hint =
        format!("Copy the words exactly as they appear in the article, up to {} characters.", count(view.quote_max));
    if view.article.text_known {
        quote_hint.push_str(" We check them against the article's text.");
    }
    let field = |name, label, hint: String| Field::new(name, label, hint).with_errors(messages_for(&view.errors, name));
    let category = field("category", "Kind of error", "Choose the closest match.".to_owned());
    let quote = field("quote", "The passage that is wrong", quote_hint);
    let explanation = field(
        "explanation",
        "What is wrong, and what is right?",
        format!(
            "Tell us what the article gets wrong and what the correct version is, up to {} characters.",
            count(view.explanation_max)
        ),
    );
    let evidence = field(
        "evidence_urls",
        "Evidence links (optional)",
        format!(
            "One link per line, up to {}, each starting with https:// or http://.",
            plural(view.evidence_max, "link", "links")
        ),
    );
    let name = field(
        "reporter_name",
        "Your name (optional)",
        "So the editor knows what to call you. Never published.".to_owned(),
    );
    let email = field(
        "reporter_email",
        "Your email address (optional)",
        "Only to tell you the outcome. Never published.".to_owned(),
    );

    let body = html! {
        h1 { "Report an error" }
        @if has_problem {
            (error_summary(&view.errors, view.form_error.as_deref(), &REPORT_FIELDS))
        }
        (article_box(&view.article))
        section aria-labelledby="next-heading" {
            h2 #next-heading { "What happens next" }
            p {
                "An editor reviews every report. When you send yours, you get a private tracking "
                "link where you can follow it. Your email address is optional: we use it only to "
                "tell you the outcome."
            }
        }
        h2 { "Your report" }
        form.report-form method="post" action=(view.action) accept-charset="utf-8" {
            (form_group(&category, html! {
                select.select id=(category.id()) name=(category.name) required
                    aria-describedby=[category.described_by()] aria-invalid=[category.invalid()] {
                    option value="" { "Choose one" }
                    @for choice in &view.categories {
                        option value=(choice.value) selected[choice.value == values.category] {
                            (choice.label)
                        }
                    }
                }
            }))
            (form_group(&quote, html! {
                textarea.textarea id=(quote.id()) name=(quote.name) rows="4" maxlength=(view.quote_max)
                    required aria-describedby=[quote.described_by()] aria-invalid=[quote.invalid()] {
                    (textarea_value(&values.quote))
                }
            }))
            (form_group(&explanation, html! {
                textarea.textarea id=(explanation.id()) name=(explanation.name) rows="6"
                    maxlength=(view.explanation_max) required
                    aria-describedby=[explanation.described_by()] aria-invalid=[explanation.invalid()] {
                    (textarea_value(&values.explanation))
                }
            }))
            (form_group(&evidence, html! {
                textarea.textarea id=(evidence.id()) name=(evidence.name) rows="3" spellcheck="false"
                    aria-describedby=[evidence.described_by()] aria-invalid=[evidence.invalid()] {
                    (textarea_value(&values.evidence_urls))
                }
            }))
            (form_group(&name, html! {
                input.input id=(name.id()) type="text" name=(name.name) value=(values.reporter_name)
                    autocomplete="name" spellcheck="false"
                    aria-describedby=[name.described_by()] aria-invalid=[name.invalid()];
            }))
            (form_group(&email, html! {
                input.input id=(email.id()) type="email" name=(email.name) value=(values.reporter_email)
                    autocomplete="email" spellcheck="false"
                    aria-describedby=[email.described_by()] aria-invalid=[email.invalid()];
            }))
            // A trap for bots that fill every field; people never see or reach it.
            div.hp {
                label for="field-website" { "Leave this field empty" }
                input #field-website type="text" name="website" tabindex="-1" autocomplete="off";
            }
            button.button type="submit" { "Send report" }
        }
    };
    let title = if has_problem { "Error: Report an error" } else { "Report an error" };
    layout.page(title, body)
}

/// The tracking page.
pub fn tracking(layout: &Layout, view: &TrackingView) -> Markup {
    let has_problem = [&view.reply, &view.appeal].into_iter().flatten().any(|form| form.error.is_some());
    let body = html! {
        h1 { "Your correction report" }
        @if let Some(notice) = &view.notice {
            (notice_panel(notice))
        }
        @if view.just_filed {
            div.panel-success role="status" {
                h2 { "Thank you: your report was received" }
                p { "Keep this link: it is the only way to follow your report." }
                p.tracking-url { code { (view.tracking_url) } }
            }
        }
        section aria-labelledby="status-heading" {
            h2 #status-heading { "Status" }
            p { span class={ "badge status-" (view.status) } { (view.status_label) } }
            p { (view.status_explanation) }
            @if let Some(outcome) = &view.primary_outcome {
                p {
                    "Another reader reported the same passage. That report's status: "
                    (outcome) "."
                }
            }
            @if let Some(appeal) = &view.appeal_outcome {
                div.outcome {
                    h3 { "Your appeal" }
                    p {
                        (appeal.sentence) " "
                        span.muted { "(" time datetime=(appeal.at_iso) { (appeal.at) } ")" }
                    }
                    @if let Some(reason) = &appeal.reason {
                        h3 { "The standards editor's reason" }
                        p.preserve-lines { (reason) }
                    }
                    @if appeal.is_final && view.decision_reason.is_none() {
                        (final_decision())
                    }
                }
            }
            @if let Some(reason) = &view.decision_reason {
                div.outcome {
                    h3 { "The editors' reason" }
                    p.preserve-lines { (reason) }
                    @if view.appeal_outcome.as_ref().is_some_and(|a| a.is_final) {
                        (final_decision())
                    }
                }
            }
            @if let Some(correction) = &view.correction {
                div.outcome {
                    h3 { "The published " (correction.kind_label.to_lowercase()) }
                    p.preserve-lines { (correction.text) }
                    p { a href=(correction.href) { "Read it on the article's corrections page" } }
                }
            }
        }
        @if view.question.is_some() || view.reply.is_some() {
            section.panel-question aria-labelledby="question-heading" {
                h2 #question-heading { "The editor has a question for you" }
                @if let Some(question) = &view.question {
                    p.preserve-lines.question { (question) }
                }
                @if let Some(reply) = &view.reply {
                    (reader_form(reply, "body", "Your answer", "Send answer"))
                }
            }
        }
        @if let Some(appeal) = &view.appeal {
            section aria-labelledby="appeal-heading" {
                h2 #appeal-heading { "Disagree with the decision?" }
                p {
                    "You can appeal this decision once. A standards editor will review your "
                    "report and the decision, and this page will show the outcome."
                }
                (reader_form(appeal, "reason", "Why the decision should be reviewed", "Appeal the decision"))
            }
        }
        (article_box(&view.article))
        section aria-labelledby="report-heading" {
            h2 #report-heading { "What you reported" }
            dl.summary-list {
                div { dt { "Kind of error" } dd { (view.category_label) } }
                div { dt { "Filed" } dd { time datetime=(view.filed_at_iso) { (view.filed_at) } } }
                div {
                    dt { "Last updated" }
                    dd { time datetime=(view.updated_at_iso) { (view.updated_at) } }
                }
            }
            h3 { "The passage you quoted" }
            blockquote.quote { p.preserve-lines { (view.quote) } }
            h3 { "What you said is wrong" }
            p.preserve-lines { (view.explanation) }
            h3 { "Evidence links" }
            @if view.evidence_urls.is_empty() {
                p { "You did not send any links." }
            } @else {
                (evidence_list(&view.evidence_urls))
            }
        }
        section aria-labelledby="history-heading" {
            h2 #history-heading { "History" }
            @if view.history.is_empty() {
                p { "Nothing has happened yet." }
            } @else {
                ol.history {
                    @for item in &view.history {
                        li {
                            time datetime=(item.at_iso) { (item.at) }
                            p.history-title { (item.title) }
                            @if let Some(detail) = &item.detail {
                                p.preserve-lines { (detail) }
                            }
                        }
                    }
                }
            }
        }
    };
    let title = if has_problem { "Error: Your correction report" } else { "Your correction report" };
    layout.page(title, body)
}

/// Said once an appeal has been decided and the report is closed.
fn final_decision() -> Markup {
    html! {
        p.outcome-final { "This decision is final: an appeal can be made only once, and this report is closed." }
    }
}

/// A one-textarea form of the tracking page: the reader's answer or appeal.
fn reader_form(form: &ReaderForm, name: &str, label: &str, button: &str) -> Markup {
    let field = Field::new(name, label, format!("Up to {} characters.", count(form.max)))
        .with_errors(form.error.as_deref().into_iter().collect());
    html! {
        form.reader-form method="post" action=(form.action) accept-charset="utf-8" {
            (single_field_group(&field, html! {
                textarea.textarea id=(field.id()) name=(field.name) rows="5" maxlength=(form.max)
                    required aria-describedby=[field.described_by()] aria-invalid=[field.invalid()] {
                    (textarea_value(&form.value))
                }
            }))
            button.button type="submit" { (button) }
        }
    }
}

/// An error page.
pub fn error_page(layout: &Layout, view: &ErrorView) -> Markup {
    let body = html! {
        h1 { (view.title) }
        p { (view.message) }
        p { a href="/" { "Go to the home page" } }
    };
    layout.page(&view.title, body)
}

/// The report form's field names, in order: only these get a summary link.
const REPORT_FIELDS: [&str; 6] =
    ["category", "quote", "explanation", "evidence_urls", "reporter_name", "reporter_email"];
