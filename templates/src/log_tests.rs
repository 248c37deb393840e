//! Rendering tests of the public record: the article's log, the site-wide log,
//! the standards page, the embeddable notice and the home page's recent list.

#![allow(clippy::unwrap_used)]

use maud::Markup;

use crate::tests::{article, assert_escaped, assert_ids_consistent, attr_values, layout, HOSTILE, HOSTILE_ESCAPED};
use crate::*;

fn part(text: &str, change: Change) -> DiffPart {
    DiffPart { text: text.to_owned(), change }
}

fn standard_ref(code: &str, title: &str, version: i32) -> StandardRef {
    StandardRef {
        code: code.to_owned(),
        title: title.to_owned(),
        version,
        href: format!("/standards#{code}-v{version}"),
    }
}

/// A correction with every optional part filled in.
pub(crate) fn full_item() -> CorrectionItem {
    CorrectionItem {
        id: 12,
        anchor: "correction-12".to_owned(),
        kind: "correction".to_owned(),
        kind_label: "Correction".to_owned(),
        text: "An earlier version of this article said the library would close in May.\nIt closes in June.".to_owned(),
        diff: Some(vec![
            part("The library will close in ", Change::Same),
            part("May", Change::Removed),
            part("June", Change::Added),
            part(".", Change::Same),
        ]),
        published_utc: "28 November 2026, 13:05 UTC".to_owned(),
        published_local: Some("28 November 2026, 14:05 CET".to_owned()),
        published_iso: "2026-11-28T13:05:00Z".to_owned(),
        standards: vec![standard_ref("accuracy", "Accuracy", 2), standard_ref("sourcing", "Sourcing", 1)],
        superseded_by: Some((15, "/articles/2026-11-28-council/corrections#correction-15".to_owned())),
        supersedes: Some((9, "/articles/2026-11-28-council/corrections#correction-9".to_owned())),
        hash: Some("9f2c4e0b7a1d3c5e9f2c4e0b7a1d3c5e9f2c4e0b7a1d3c5e9f2c4e0b7a1d3c5e".to_owned()),
        article: None,
        also_in: Vec::new(),
    }
}

/// A correction with nothing optional.
pub(crate) fn bare_item(id: i64, kind: &str, label: &str) -> CorrectionItem {
    CorrectionItem {
        id,
        anchor: format!("correction-{id}"),
        kind: kind.to_owned(),
        kind_label: label.to_owned(),
        text: format!("{label} number {id}."),
        diff: None,
        published_utc: "29 November 2026, 09:00 UTC".to_owned(),
        published_local: None,
        published_iso: "2026-11-29T09:00:00Z".to_owned(),
        standards: Vec::new(),
        superseded_by: None,
        supersedes: None,
        hash: None,
        article: None,
        also_in: Vec::new(),
    }
}

/// The same correction as a site-wide list shows it, with its article.
fn on_article(mut item: CorrectionItem) -> CorrectionItem {
    item.article =
        Some(("Council votes to close library".to_owned(), "/articles/2026-11-28-council/corrections".to_owned()));
    item
}

/// Every part of a correction a reader or editor wrote, hostile.
fn hostile_item() -> CorrectionItem {
    let mut item = full_item();
    item.kind_label = HOSTILE.to_owned();
    item.text = HOSTILE.to_owned();
    item.diff = Some(vec![part(HOSTILE, Change::Same), part(HOSTILE, Change::Removed), part(HOSTILE, Change::Added)]);
    item.standards = vec![StandardRef {
        code: HOSTILE.to_owned(),
        title: HOSTILE.to_owned(),
        version: 1,
        href: "/standards#x".to_owned(),
    }];
    item.article = Some((HOSTILE.to_owned(), "/articles/x/corrections".to_owned()));
    item
}

fn opt(value: &str, label: &str, selected: bool) -> Opt {
    Opt { value: value.to_owned(), label: label.to_owned(), selected }
}

fn article_log_view() -> ArticleLogView {
    let mut retraction = bare_item(15, "retraction", "Retraction");
    retraction.supersedes = Some((12, "/articles/2026-11-28-council/corrections#correction-12".to_owned()));
    ArticleLogView {
        article: article("Council votes to close library"),
        corrections: vec![retraction, full_item()],
        report_href: "/articles/2026-11-28-council/report".to_owned(),
        atom_href: "/articles/2026-11-28-council/corrections.atom".to_owned(),
        subscribe_action: "/articles/2026-11-28-council/subscriptions".to_owned(),
        subscribe_email: "<b>x</b>@example.com".to_owned(),
        subscribe_error: Some("Your email <i>must</i> be an address".to_owned()),
        subscribe_notice: None,
    }
}

#[test]
fn the_subscribe_form_keeps_the_email_and_shows_its_error_escaped() {
    let html = article_log(&layout(), &article_log_view()).into_string();
    assert!(html.contains(r#"action="/articles/2026-11-28-council/subscriptions""#));
    assert!(html.contains("&lt;b&gt;x&lt;/b&gt;@example.com"));
    assert!(html.contains("Your email &lt;i&gt;must&lt;/i&gt; be an address"));
    assert!(html.contains(r#"aria-invalid="true""#));
}

fn site_log_view() -> AllCorrectionsView {
    AllCorrectionsView {
        corrections: vec![on_article(bare_item(15, "retraction", "Retraction")), on_article(full_item())],
        kinds: vec![opt("", "Any kind", false), opt("retraction", "Retraction", true)],
        sections: vec![opt("", "Any section", true), opt("Politics", "Politics", false)],
        standards: vec![opt("", "Any standard", true), opt("accuracy", "Accuracy", false)],
        from: "2026-11-01".to_owned(),
        to: "2026-11-30".to_owned(),
        next_href: Some("/corrections?kind=retraction&after=12".to_owned()),
        atom_href: "/corrections.atom".to_owned(),
        csv_href: "/corrections.csv?kind=retraction".to_owned(),
        error: None,
    }
}

fn standard(code: &str, title: &str, version: i32, text: &str) -> StandardItem {
    StandardItem {
        code: code.to_owned(),
        title: title.to_owned(),
        text: text.to_owned(),
        version,
        updated: format!("{version} November 2026"),
        anchor: format!("{code}-v{version}"),
        earlier: Vec::new(),
    }
}

pub(crate) fn standards_items() -> Vec<StandardItem> {
    let mut accuracy = standard(
        "accuracy",
        "Accuracy",
        3,
        "We check facts before we publish.\nEvery one.\n\nWhen we get something wrong, we say so.",
    );
    accuracy.earlier = vec![
        standard("accuracy", "Accuracy", 2, "We check facts."),
        standard("accuracy", "Accuracy and fairness", 1, "We try to be right."),
    ];
    let corrections = standard("corrections", "Corrections policy", 1, "We correct errors openly.");
    vec![corrections, accuracy]
}

fn standards_view() -> StandardsView {
    StandardsView {
        standards: standards_items(),
        public_key: Some("MCowBQYDK2VwAyEAq1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c=".to_owned()),
        retired_keys: Vec::new(),
    }
}

fn rotated_view() -> StandardsView {
    let old = |key: &str, from_size, until_size| RetiredKey { public_key: key.to_owned(), from_size, until_size };
    StandardsView {
        retired_keys: vec![
            old("b2xkZXN0IGtleSBvZiB0aGUgbG9nLCByZXRpcmVkIQ==", 0, 12),
            old("c2Vjb25kIGtleSBvZiB0aGUgbG9nLCByZXRpcmVkIQ==", 12, 40),
        ],
        ..standards_view()
    }
}

const JSON_LD: &str =
    "{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",\"headline\":\"Council & library\",\
     \"correction\":[{\"@type\":\"CorrectionComment\",\"text\":\"It closes in June \\u003c/script\\u003e\"}]}";

fn notice_view() -> NoticeView {
    NoticeView {
        article_title: "Council votes to close library".to_owned(),
        top: vec![bare_item(15, "retraction", "Retraction")],
        foot: vec![full_item(), bare_item(11, "clarification", "Clarification")],
        report_href: "https://corrections.example/articles/2026-11-28-council/report".to_owned(),
        log_href: "https://corrections.example/articles/2026-11-28-council/corrections".to_owned(),
        standards_href: "https://corrections.example/standards".to_owned(),
        json_ld: JSON_LD.to_owned(),
    }
}

/// The public pages, by name, for the checks every page must pass.
pub(crate) fn every_log_page() -> Vec<(&'static str, Markup)> {
    let empty_article = ArticleLogView { corrections: Vec::new(), ..article_log_view() };
    let mut site_error = site_log_view();
    site_error.corrections.clear();
    site_error.next_href = None;
    site_error.error = Some("Enter the dates as YYYY-MM-DD.".to_owned());
    let no_key = StandardsView { public_key: None, ..standards_view() };
    let home_recent = HomeView {
        recent: vec![on_article(bare_item(15, "retraction", "Retraction")), on_article(full_item())],
        ..HomeView::default()
    };
    vec![
        ("article-log", article_log(&layout(), &article_log_view())),
        ("article-log-empty", article_log(&layout(), &empty_article)),
        ("site-log", all_corrections(&layout(), &site_log_view())),
        ("site-log-error", all_corrections(&layout(), &site_error)),
        ("site-log-default", all_corrections(&layout(), &AllCorrectionsView::default())),
        ("standards", standards(&layout(), &standards_view())),
        ("standards-no-key", standards(&layout(), &no_key)),
        ("standards-rotated", standards(&layout(), &rotated_view())),
        ("standards-empty", standards(&layout(), &StandardsView::default())),
        ("home-recent", home(&layout(), &home_recent)),
        ("embed-demo", embed_demo(&layout(), &embed_demo_view(Some(vec!["One.".into(), "Two.".into()]), true))),
        ("embed-demo-text-private", embed_demo(&layout(), &embed_demo_view(None, true))),
        ("embed-demo-text-unknown", embed_demo(&layout(), &embed_demo_view(None, false))),
    ]
}

fn embed_demo_view(paragraphs: Option<Vec<String>>, text_known: bool) -> EmbedDemoView {
    EmbedDemoView {
        article: ArticleSummary { text_known, ..article("Council votes to close library") },
        paragraphs,
        notice: notice_view(),
        script_src: "https://corrections.example/embed/report.js?v=0123456789abcdef".to_owned(),
        notice_href: "https://corrections.example/articles/2026-11-28-council/notice".to_owned(),
    }
}

#[test]
fn the_demo_page_shows_the_article_the_notice_and_the_widget_tag() {
    let html = embed_demo(&layout(), &embed_demo_view(Some(vec![HOSTILE.into(), "Line one\nline two".into()]), true))
        .into_string();
    assert_escaped(&html);
    let tag = "<script src=\"https://corrections.example/embed/report.js?v=0123456789abcdef\" \
               data-article=\"2026-11-28-council\" defer></script>";
    assert!(html.contains(tag), "the widget's tag:\n{html}");
    // The tag is also shown to the publisher, as text.
    assert!(html.contains("&lt;script src=&quot;https://corrections.example/embed/report.js?v=0123456789abcdef&quot;"));
    assert!(html.contains("class=\"corrigenda-notice\""), "the notice");
    assert!(html.contains("<h1>Council votes to close library</h1>"));
    let private = embed_demo(&layout(), &embed_demo_view(None, true)).into_string();
    assert!(private.contains("The article's text is not public on this site"));
    let unknown = embed_demo(&layout(), &embed_demo_view(None, false)).into_string();
    assert!(unknown.contains("We do not have this article's text"));
}

/// The `<article>` with id `anchor`.
fn item_of<'a>(html: &'a str, anchor: &str) -> &'a str {
    let start = html.find(&format!("id=\"{anchor}\"")).unwrap();
    let start = html[..start].rfind("<article").unwrap();
    &html[start..start + html[start..].find("</article>").unwrap()]
}

// One correction, as every list shows it.

#[test]
fn correction_item_shows_kind_time_text_and_diff() {
    let html = article_log(&layout(), &article_log_view()).into_string();
    let item = item_of(&html, "correction-12");
    assert!(item.starts_with("<article class=\"correction\" id=\"correction-12\">"), "{item}");
    assert!(item.contains(
        "<h3 class=\"correction-heading\"><span class=\"kind kind-correction\">Correction</span> \
         <span class=\"correction-time\"><time datetime=\"2026-11-28T13:05:00Z\">28 November 2026, 13:05 UTC \
         (28 November 2026, 14:05 CET)</time></span></h3>"
    ));
    assert!(item.contains(
        "<p class=\"preserve-lines correction-text\">An earlier version of this article said the library \
         would close in May.\nIt closes in June.</p>"
    ));
    let diff = &item[item.find("<div class=\"diff\">").unwrap()..];
    assert!(diff.contains("What we changed"));
    assert!(diff.contains(
        "The library will close in \
         <del><span class=\"visually-hidden\">[removed: </span>May<span class=\"visually-hidden\">]</span></del>\
         <ins><span class=\"visually-hidden\">[added: </span>June<span class=\"visually-hidden\">]</span></ins>."
    ));
}

#[test]
fn correction_item_links_standards_amendments_and_shows_the_hash() {
    let html = article_log(&layout(), &article_log_view()).into_string();
    let item = item_of(&html, "correction-12");
    assert!(item.contains(
        "<p class=\"correction-standards\">Standards breached: \
         <a href=\"/standards#accuracy-v2\">Accuracy</a> (accuracy, version 2); \
         <a href=\"/standards#sourcing-v1\">Sourcing</a> (sourcing, version 1)</p>"
    ));
    assert!(item.contains(
        "<strong>Superseded by <a href=\"/articles/2026-11-28-council/corrections#correction-15\">\
         correction #15</a>.</strong>"
    ));
    assert!(item.contains(
        "<p class=\"supersedes\">Supersedes \
         <a href=\"/articles/2026-11-28-council/corrections#correction-9\">correction #9</a></p>"
    ));
    assert!(item.contains(
        "<p class=\"log-hash\">Log entry hash: \
         <code>9f2c4e0b7a1d3c5e9f2c4e0b7a1d3c5e9f2c4e0b7a1d3c5e9f2c4e0b7a1d3c5e</code></p>"
    ));
    // On the article's own log there is no link back to the article.
    assert!(!item.contains("correction-article"));
}

#[test]
fn correction_item_without_optional_parts_leaves_them_out() {
    let html = article_log(&layout(), &article_log_view()).into_string();
    let item = item_of(&html, "correction-15");
    for absent in ["What we changed", "<del>", "<ins>", "Standards breached", "Superseded by", "Log entry hash", "CET"]
    {
        assert!(!item.contains(absent), "{absent} in {item}");
    }
    assert!(item.contains("<time datetime=\"2026-11-29T09:00:00Z\">29 November 2026, 09:00 UTC</time>"));
}

#[test]
fn retractions_are_marked_strongest() {
    let html = article_log(&layout(), &article_log_view()).into_string();
    let item = item_of(&html, "correction-15");
    assert!(item.starts_with("<article class=\"correction is-retraction\" id=\"correction-15\">"));
    assert!(item.contains("<span class=\"kind kind-retraction\">Retraction</span>"));
    assert_eq!(html.matches("is-retraction").count(), 1);
    assert!(STYLESHEET.contains(".correction.is-retraction {"));
    assert!(STYLESHEET.contains(".kind-retraction {"));
}

#[test]
fn diffs_are_not_told_by_colour_alone() {
    for (selector, decoration) in [("del {", "line-through"), ("ins {", "underline")] {
        let start = STYLESHEET.find(&format!("\n{selector}")).unwrap();
        let rule = &STYLESHEET[start..start + STYLESHEET[start..].find('}').unwrap()];
        assert!(rule.contains(&format!("text-decoration: {decoration};")), "{rule}");
    }
}

// The article's log.

#[test]
fn article_log_has_article_intro_list_and_links() {
    let html = article_log(&layout(), &article_log_view()).into_string();
    assert!(html.contains("<title>Corrections to this article · The Daily Example</title>"));
    assert!(html.contains("<h1>Corrections to this article</h1>"));
    assert!(html.contains("rel=\"noopener noreferrer\">Council votes to close library</a>"));
    assert!(html.contains("We never remove a correction."));
    assert!(html.contains("we publish a new correction that supersedes it"));
    assert!(html.contains(
        "<a class=\"button\" href=\"/articles/2026-11-28-council/report\">Report an error in this article</a>"
    ));
    assert!(html.contains(
        "<a href=\"/articles/2026-11-28-council/corrections.atom\" type=\"application/atom+xml\">Atom feed</a>"
    ));
    assert!(!html.contains("Download as CSV"));
    // Newest first, as given.
    assert!(html.find("id=\"correction-15\"").unwrap() < html.find("id=\"correction-12\"").unwrap());
    assert!(!html.contains("No corrections have been published for this article."));
}

#[test]
fn article_log_empty_state_keeps_the_report_and_feed_links() {
    let view = ArticleLogView { corrections: Vec::new(), ..article_log_view() };
    let html = article_log(&layout(), &view).into_string();
    assert!(html.contains("<p class=\"empty\">No corrections have been published for this article.</p>"));
    assert!(!html.contains("<article"));
    assert!(!html.contains("<ol class=\"correction-list\">"));
    assert!(html.contains(">Report an error in this article</a>"));
    assert!(html.contains(">Atom feed</a>"));
}

#[test]
fn article_log_escapes_everything_written() {
    let mut view = article_log_view();
    view.article.title = HOSTILE.to_owned();
    view.corrections = vec![hostile_item()];
    view.report_href = HOSTILE.to_owned();
    view.atom_href = HOSTILE.to_owned();
    let html = article_log(&layout(), &view).into_string();
    assert_escaped(&html);
    // Article title; kind label, text, three diff parts, standard title and code, the
    // item's article title (shown even here when given); report and feed links.
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 11, "{html}");
    assert_ids_consistent(&html);
}

// The site-wide log.

#[test]
fn site_log_filter_form_gets_corrections_with_labelled_controls() {
    let html = all_corrections(&layout(), &site_log_view()).into_string();
    assert!(html.contains("<h1>Corrections log</h1>"));
    let start = html.find("<form").unwrap();
    let form = &html[start..start + html[start..].find("</form>").unwrap()];
    assert!(form.starts_with("<form method=\"get\" action=\"/corrections\""));
    for (name, label) in [("kind", "Kind"), ("section", "Section"), ("standard", "Standard")] {
        assert!(form.contains(&format!("<label class=\"label\" for=\"field-{name}\">{label}</label>")), "{name}");
        assert!(form.contains(&format!("<select class=\"select\" id=\"field-{name}\" name=\"{name}\">")), "{name}");
    }
    assert!(form.contains("<option value=\"retraction\" selected>Retraction</option>"));
    assert!(form.contains("<label class=\"label\" for=\"field-from\">From</label>"));
    assert!(form.contains("<input class=\"input\" id=\"field-from\" type=\"date\" name=\"from\" value=\"2026-11-01\">"));
    assert!(form.contains("<label class=\"label\" for=\"field-to\">To</label>"));
    assert!(form.contains("<input class=\"input\" id=\"field-to\" type=\"date\" name=\"to\" value=\"2026-11-30\">"));
    assert!(form.contains("<button class=\"button\" type=\"submit\">Apply</button>"));
    assert!(form.contains("<a href=\"/corrections\">Clear</a>"));
    assert!(!html.contains("role=\"alert\""));
}

#[test]
fn site_log_lists_corrections_with_their_articles_and_links() {
    let html = all_corrections(&layout(), &site_log_view()).into_string();
    let item = item_of(&html, "correction-12");
    assert!(item.contains(
        "<p class=\"correction-article\">Article: \
         <a href=\"/articles/2026-11-28-council/corrections\">Council votes to close library</a></p>"
    ));
    assert_eq!(html.matches("<article").count(), 2);
    assert!(html.contains("<a href=\"/corrections?kind=retraction&amp;after=12\" rel=\"next\">Next page</a>"));
    assert!(html.contains("<a href=\"/corrections.atom\" type=\"application/atom+xml\">Atom feed</a>"));
    assert!(
        html.contains("<a href=\"/corrections.csv?kind=retraction\" type=\"text/csv\" download>Download as CSV</a>")
    );
    assert!(!html.contains("No corrections match these filters."));
}

#[test]
fn site_log_error_and_empty_state() {
    let mut view = site_log_view();
    view.corrections.clear();
    view.next_href = None;
    view.error = Some("Enter the dates as YYYY-MM-DD.".to_owned());
    let html = all_corrections(&layout(), &view).into_string();
    assert!(html.contains("<title>Error: Corrections log · The Daily Example</title>"));
    let alert = html.find("role=\"alert\"").unwrap();
    assert!(html[alert..].contains("<li>Enter the dates as YYYY-MM-DD.</li>"));
    assert!(alert < html.find("<form").unwrap());
    assert!(html.contains("<p class=\"empty\">No corrections match these filters.</p>"));
    assert!(!html.contains("Next page"));
    assert!(!html.contains("<article"));
}

#[test]
fn site_log_with_nothing_to_choose_still_renders() {
    let html = all_corrections(&layout(), &AllCorrectionsView::default()).into_string();
    assert!(!html.contains("<select"), "no empty selects");
    assert!(html.contains("type=\"date\" name=\"from\" value=\"\""));
    assert!(html.contains("No corrections match these filters."));
}

#[test]
fn site_log_escapes_everything_written() {
    let view = AllCorrectionsView {
        corrections: vec![hostile_item()],
        kinds: vec![opt(HOSTILE, HOSTILE, false)],
        from: HOSTILE.to_owned(),
        to: HOSTILE.to_owned(),
        next_href: Some(HOSTILE.to_owned()),
        atom_href: HOSTILE.to_owned(),
        csv_href: HOSTILE.to_owned(),
        error: Some(HOSTILE.to_owned()),
        ..AllCorrectionsView::default()
    };
    let html = all_corrections(&layout(), &view).into_string();
    assert_escaped(&html);
    // Kind value and label, from, to, next, atom, csv, error (8); kind label, text, three
    // diff parts, standard title and code, article title (8).
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 16, "{html}");
    assert_ids_consistent(&html);
}

// The standards.

#[test]
fn standards_page_has_every_version_anchor_even_the_collapsed_ones() {
    let html = standards(&layout(), &standards_view()).into_string();
    assert!(html.contains("<h1>Editorial standards</h1>"));
    let ids = attr_values(&html, "id");
    for anchor in ["corrections-v1", "accuracy-v3", "accuracy-v2", "accuracy-v1"] {
        assert!(ids.contains(&anchor), "{anchor} missing from {ids:?}");
    }
    // The earlier versions are inside the collapsed details, each with its own heading.
    let start = html.find("<details class=\"standard-earlier\">").unwrap();
    let details = &html[start..start + html[start..].find("</details>").unwrap()];
    assert!(details.contains("<summary>Earlier versions of Accuracy</summary>"));
    assert!(details.contains("id=\"accuracy-v2\""));
    assert!(details.contains("<h3 id=\"title-accuracy-v1\">Version 1: Accuracy and fairness</h3>"));
    assert!(!details.contains("id=\"accuracy-v3\""));
    assert_eq!(html.matches("<details").count(), 1, "only Accuracy has earlier versions");
    // The contents link to the current versions.
    assert!(html.contains("<a href=\"#corrections-v1\">Corrections policy</a>"));
    assert!(html.contains("<a href=\"#accuracy-v3\">Accuracy</a>"));
}

#[test]
fn standards_page_shows_versions_and_paragraphs() {
    let html = standards(&layout(), &standards_view()).into_string();
    let start = html.find("<section class=\"standard\" id=\"accuracy-v3\"").unwrap();
    let section = &html[start..html[start..].find("<details").unwrap() + start];
    assert!(section.contains("<h2 id=\"title-accuracy-v3\">Accuracy</h2>"));
    assert!(section.contains("<p class=\"standard-meta\">Version 3, updated 3 November 2026</p>"));
    assert!(section.contains(
        "<div class=\"standard-text\"><p class=\"preserve-lines\">We check facts before we publish.\nEvery one.</p>\
         <p class=\"preserve-lines\">When we get something wrong, we say so.</p></div>"
    ));
    assert!(!html.contains("Code <code>"), "codes are for the desk");
}

#[test]
fn standards_page_explains_verification_only_with_a_key() {
    let html = standards(&layout(), &standards_view()).into_string();
    let start = html.find("<h2 id=\"verify-heading\">Verifying our corrections log</h2>").unwrap();
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    let key = "MCowBQYDK2VwAyEAq1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c=";
    assert!(section.contains(&format!("<p class=\"public-key\"><code>{key}</code></p>")));
    assert!(section.contains(&format!(
        "<code class=\"command\">corrigenda verify-log --url <var>this site's address</var> --pin {key}</code>"
    )));

    let html = standards(&layout(), &StandardsView { public_key: None, ..standards_view() }).into_string();
    assert!(!html.contains("Verifying our corrections log"));
    assert!(!html.contains("verify-log"));
}

#[test]
fn standards_page_lists_earlier_keys_with_the_sizes_they_signed() {
    let html = standards(&layout(), &standards_view()).into_string();
    assert!(!html.contains("Earlier signing keys"), "no list before a rotation");
    let html = standards(&layout(), &rotated_view()).into_string();
    let start = html.find("<h3 id=\"earlier-keys\">Earlier signing keys</h3>").unwrap();
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    assert!(section.contains(
        "<ul class=\"earlier-keys\" aria-labelledby=\"earlier-keys\">\
         <li><code>b2xkZXN0IGtleSBvZiB0aGUgbG9nLCByZXRpcmVkIQ==</code> (sizes 0 to 12)</li>\
         <li><code>c2Vjb25kIGtleSBvZiB0aGUgbG9nLCByZXRpcmVkIQ==</code> (sizes 12 to 40)</li></ul>"
    ));
    assert!(
        html.find("MCowBQYDK2VwAyEAq1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c=").unwrap() < start,
        "the key in use first"
    );
    // A key is one long word: on a phone it wraps rather than running off the page.
    let rule = &crate::STYLESHEET[crate::STYLESHEET.find(".earlier-keys li {").unwrap()..];
    assert!(rule[..rule.find('}').unwrap()].contains("overflow-wrap: anywhere;"));
    assert_ids_consistent(&html);
}

#[test]
fn standards_page_empty_state() {
    let html = standards(&layout(), &StandardsView::default()).into_string();
    assert!(html.contains("<p class=\"empty\">No standards have been published yet.</p>"));
    assert!(!html.contains("<section class=\"standard\""));
    assert!(!html.contains("Contents"));
}

#[test]
fn standards_page_escapes_titles_text_and_key() {
    let mut hostile = standard("accuracy", HOSTILE, 2, HOSTILE);
    hostile.earlier = vec![standard("accuracy", HOSTILE, 1, HOSTILE)];
    let other = standard("fairness", "Fairness", 1, "Be fair.");
    let view = StandardsView {
        standards: vec![hostile, other],
        public_key: Some(HOSTILE.to_owned()),
        retired_keys: vec![RetiredKey { public_key: HOSTILE.to_owned(), from_size: 0, until_size: 3 }],
    };
    let html = standards(&layout(), &view).into_string();
    assert_escaped(&html);
    // Contents link, heading, text, summary, the earlier heading and text (6); the key
    // shown and in the command (2); the retired key (1).
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 9, "{html}");
    assert_ids_consistent(&html);
}

// The embeddable notice.

#[test]
fn notice_is_a_fragment_with_its_own_landmark() {
    let html = notice(&notice_view()).into_string();
    for absent in ["<!DOCTYPE", "<html", "<head", "<body", "<main", "<h1", "<link", "/static/style.css"] {
        assert!(!html.contains(absent), "{absent} in {html}");
    }
    assert!(html.starts_with("<section class=\"corrigenda-notice\" aria-label=\"Corrections\""));
    assert!(html.ends_with("</section>"));
    // No class of our stylesheet: only the wrapper's own hook.
    assert_eq!(attr_values(&html, "class"), ["corrigenda-notice"]);
    assert!(!html.contains("visually-hidden"));
}

#[test]
fn notice_splits_top_and_foot() {
    let html = notice(&notice_view()).into_string();
    let top_start = html.find("<div data-placement=\"top\"").unwrap();
    let foot_start = html.find("<div data-placement=\"foot\"").unwrap();
    assert!(top_start < foot_start);
    let top = &html[top_start..foot_start];
    assert!(top.contains("This article has been retracted</h2>"));
    assert_eq!(top.matches("<article").count(), 1);
    assert!(top.contains("Retraction number 15."));
    assert!(top.contains("text-transform:uppercase"), "a retraction stands out in any host page");
    let foot = &html[foot_start..html.find("<ul").unwrap()];
    assert!(foot.contains("Corrections to this article</h2>"));
    assert_eq!(foot.matches("<article").count(), 2);
    assert!(foot.contains("Clarification number 11."));
    assert!(foot.contains("<time datetime=\"2026-11-28T13:05:00Z\">"));
    // The diff, with screen-reader words hidden by inline style.
    assert!(foot.contains("What we changed"));
    assert!(foot.contains("<del><span style=\"position:absolute;"));
    assert!(foot.contains(">[removed: </span>May<span"));
    assert!(foot.contains(">[added: </span>June<span"));
    assert!(foot.contains("</del><ins style=\"margin-left:0.25em\"><span style="), "kept apart from the removal");
    // Headings fit under the host article's own h1.
    assert_eq!(html.matches("<h2").count(), 2);
    assert_eq!(html.matches("<h3").count(), 3);
}

#[test]
fn notice_top_for_a_headline_correction_says_corrected() {
    let mut view = notice_view();
    view.top = vec![bare_item(16, "correction", "Correction")];
    let html = notice(&view).into_string();
    assert!(html.contains("This article has been corrected</h2>"));
    assert!(!html.contains("retracted"));
}

#[test]
fn notice_without_corrections_has_only_the_links() {
    let view = NoticeView { top: Vec::new(), foot: Vec::new(), ..notice_view() };
    let html = notice(&view).into_string();
    assert!(!html.contains("data-placement"));
    assert!(!html.contains("<h2"));
    assert!(!html.contains("<article"));
    assert_eq!(html.matches("<a ").count(), 2, "submit a correction, standards: no list of none");
    assert!(!html.contains("All corrections to this article"));
    let mut view = notice_view();
    view.top.clear();
    let html = notice(&view).into_string();
    assert!(!html.contains("data-placement=\"top\""));
    assert!(html.contains("data-placement=\"foot\""));
}

#[test]
fn notice_links_to_report_log_and_standards() {
    let html = notice(&notice_view()).into_string();
    let link = |href: &str, text: &str| {
        format!("<a href=\"{href}\" target=\"_top\" style=\"display:inline-block;padding:0.375em 0\">{text}</a>")
    };
    let base = "https://corrections.example";
    assert!(html.contains(&link(&format!("{base}/articles/2026-11-28-council/report"), "Submit a correction")));
    assert!(html.contains(&link(
        &format!("{base}/articles/2026-11-28-council/corrections"),
        "All corrections to this article"
    )));
    assert!(html.contains(&link(&format!("{base}/standards"), "Read our editorial standards")));
}

#[test]
fn every_notice_link_opens_in_the_top_window() {
    let html = notice(&notice_view()).into_string();
    assert_eq!(html.matches("<a ").count(), html.matches("target=\"_top\"").count());
}

#[test]
fn the_framed_notice_is_a_document_with_a_font_of_its_own() {
    let fragment = notice(&notice_view());
    let html = framed_notice(&fragment).into_string();
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\"><head>"));
    assert!(html.contains("<base target=\"_top\">"));
    assert!(html.contains("font-family:system-ui"));
    assert!(!html.contains("&quot;") && !html.contains("&gt;"), "the style sheet survives escaping");
    assert!(html.contains(&format!("<body>{}</body></html>", fragment.into_string())));
    let empty = framed_notice(&maud::html! {}).into_string();
    assert!(empty.ends_with("<body></body></html>"));
}

#[test]
fn notice_inserts_json_ld_verbatim_inside_the_script_only() {
    let html = notice(&notice_view()).into_string();
    assert!(html.contains(&format!("<script type=\"application/ld+json\">{JSON_LD}</script></section>")));
    assert_eq!(html.matches(JSON_LD).count(), 1);
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains("\"headline\":\"Council & library\""), "not escaped a second time");
}

#[test]
fn notice_escapes_everything_but_the_json_ld() {
    let mut view = notice_view();
    view.top = vec![hostile_item()];
    view.foot = vec![hostile_item()];
    view.report_href = HOSTILE.to_owned();
    view.log_href = HOSTILE.to_owned();
    view.standards_href = HOSTILE.to_owned();
    view.article_title = HOSTILE.to_owned();
    let html = notice(&view).into_string();
    assert_escaped(&html);
    // Per item: kind label, text and three diff parts (10); the three links.
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 13, "{html}");
    // The JSON-LD is still exactly what the server sent.
    assert!(html.contains(&format!(">{JSON_LD}</script>")));
}

// The home page's recent corrections.

#[test]
fn home_lists_recent_corrections_compactly() {
    let view = HomeView { recent: vec![on_article(full_item())], ..HomeView::default() };
    let html = home(&layout(), &view).into_string();
    assert!(!html.contains("No corrections have been published yet."));
    let item = item_of(&html, "correction-12");
    assert!(item.contains("<span class=\"kind kind-correction\">Correction</span>"));
    assert!(item.contains("<time datetime=\"2026-11-28T13:05:00Z\">"));
    assert!(item
        .contains("Article: <a href=\"/articles/2026-11-28-council/corrections\">Council votes to close library</a>"));
    assert!(item.contains("It closes in June.</p>"));
    for absent in ["What we changed", "Standards breached", "Log entry hash", "Superseded by"] {
        assert!(!item.contains(absent), "{absent}");
    }
    assert!(html.contains("href=\"/corrections\">See the full corrections log"));
    // The list sits under its h2.
    assert!(html.find("id=\"recent-heading\"").unwrap() < html.find("<ol class=\"correction-list\">").unwrap());
}

#[test]
fn home_escapes_recent_corrections() {
    let view = HomeView { recent: vec![hostile_item()], ..HomeView::default() };
    let html = home(&layout(), &view).into_string();
    assert_escaped(&html);
    // Kind label, article title, text: the compact item shows nothing else.
    assert_eq!(html.matches(HOSTILE_ESCAPED).count(), 3, "{html}");
}

#[test]
fn many_corrections_keep_ids_unique() {
    let corrections: Vec<CorrectionItem> = (1..=30).map(|id| on_article(bare_item(id, "update", "Update"))).collect();
    let html = all_corrections(&layout(), &AllCorrectionsView { corrections, ..site_log_view() }).into_string();
    assert_eq!(html.matches("<article").count(), 30);
    assert_ids_consistent(&html);
}
