//! The public record of corrections: an article's corrections (page, Atom) and the notice for the
//! CMS, every correction on the site (page, Atom, CSV), and the standards page.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDateTime, TimeZone};
use corrigenda_templates as views;
use futures_util::stream;

use crate::db::models::Article;
use crate::domain::channels;
use crate::domain::corrections::{self, CorrectionList, CorrectionView, Kind, ListedCorrection, ListingFilter};
use crate::domain::diff::{self, Change};
use crate::domain::standards::{self, Catalogue};
use crate::error::AppError;
use crate::web::extract::{last_value, query_pairs};
use crate::web::present::{
    any_first, error_sentence, html, iso, opts, public_headers, public_page, summary, time, Naming, QueryLinks,
};
use crate::web::{steps, AppState, State};

/// A time in the publisher's zone, when that is not UTC.
fn local(tz: chrono_tz::Tz, t: NaiveDateTime) -> Option<String> {
    (tz != chrono_tz::UTC).then(|| tz.from_utc_datetime(&t).format("%-d %B %Y, %H:%M %Z").to_string())
}

/// The diff parts for the templates.
pub fn diff_parts(original: &str, corrected: &str) -> Vec<views::DiffPart> {
    diff::words(original, corrected)
        .into_iter()
        .map(|(change, text)| views::DiffPart {
            text,
            change: match change {
                Change::Same => views::Change::Same,
                Change::Removed => views::Change::Removed,
                Change::Added => views::Change::Added,
            },
        })
        .collect()
}

/// A correction as every public list shows it.
pub fn item(state: &AppState, c: &CorrectionView, article: Option<(&str, &str)>) -> views::CorrectionItem {
    item_in(state.config.timezone, c, article)
}

/// A correction for the templates, with times also in the zone `tz`.
fn item_in(tz: chrono_tz::Tz, c: &CorrectionView, article: Option<(&str, &str)>) -> views::CorrectionItem {
    let published = c.published_at.map(|t| t.naive_utc()).unwrap_or_default();
    let href = |id: i64| format!("/articles/{}/corrections#correction-{id}", c.article_id);
    views::CorrectionItem {
        id: c.id,
        anchor: format!("correction-{}", c.id),
        kind: c.kind.as_str().into(),
        kind_label: c.kind.label().into(),
        text: c.text.clone(),
        diff: match (&c.original, &c.corrected) {
            (Some(o), Some(n)) => Some(diff_parts(o, n)),
            _ => None,
        },
        published_utc: time(published),
        published_local: local(tz, published),
        published_iso: c.published_at.map(iso).unwrap_or_default(),
        standards: c
            .standards
            .iter()
            .map(|s| views::StandardRef {
                code: s.code.clone(),
                title: s.title.clone(),
                version: s.version,
                href: format!("/standards#{}-v{}", s.code, s.version),
            })
            .collect(),
        superseded_by: c.superseded_by.map(|id| (id, href(id))),
        supersedes: c.supersedes.map(|id| (id, href(id))),
        hash: c.hash.clone(),
        article: article.map(|(title, href)| (title.to_owned(), href.to_owned())),
        also_in: Vec::new(),
    }
}

/// `GET /articles/{id}/corrections`: the article's corrections.
pub async fn article_corrections(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let notice = req
        .query_string()
        .contains("subscribed=1")
        .then(|| "Check your inbox: we sent you a message to confirm. Nothing happens until you confirm.".to_owned());
    let id = path.into_inner();
    public_page(&state, &req, |layout| article_corrections_page(&state, layout, id, String::new(), None, notice, 200))
        .await
}

/// The article's corrections page, perhaps with the subscription form's outcome.
pub async fn article_corrections_page(
    state: &AppState,
    layout: views::Layout,
    id: String,
    email: String,
    error: Option<String>,
    notice: Option<String>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let (article, list) = steps::article_and_corrections(state, id).await?;
    // Where else each correction went, when the publisher says so (CORRIGENDA_SHOW_CHANNELS).
    let mut reached = if state.config.show_channels {
        let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
        state.db.read(move |c| channels::reached(c, &ids)).await?
    } else {
        Default::default()
    };
    let view = views::ArticleLogView {
        article: summary(&article),
        corrections: list
            .iter()
            .map(|c| views::CorrectionItem {
                also_in: reached.remove(&c.id).unwrap_or_default(),
                ..item(state, c, None)
            })
            .collect(),
        report_href: format!("/articles/{}/report", article.id),
        atom_href: format!("/articles/{}/corrections.atom", article.id),
        subscribe_action: format!("/articles/{}/subscriptions", article.id),
        subscribe_email: email,
        subscribe_error: error,
        subscribe_notice: notice,
    };
    Ok(html(status, views::article_log(&layout, &view)))
}

/// A stored time as Atom writes it.
fn fixed(t: NaiveDateTime) -> atom_syndication::FixedDateTime {
    t.and_utc().fixed_offset()
}

/// An Atom feed of `items` (correction, article title, article id).
fn atom(state: &AppState, self_path: &str, title: &str, items: &[(CorrectionView, String)]) -> HttpResponse {
    use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
    let link = |href: String, rel: &str| Link { href, rel: rel.into(), ..Default::default() };
    let entries: Vec<Entry> = items
        .iter()
        .map(|(c, article_title)| {
            let published = fixed(c.published_at.map(|t| t.naive_utc()).unwrap_or_default());
            let url = state.url(&format!("/articles/{}/corrections#correction-{}", c.article_id, c.id));
            let mut body = c.text.clone();
            if let (Some(o), Some(n)) = (&c.original, &c.corrected) {
                body.push_str(&format!("\n\nOriginal: {o}\nCorrected: {n}"));
            }
            Entry {
                id: url.clone(),
                title: Text::plain(format!("{} to \u{201c}{article_title}\u{201d}", c.kind.label())),
                updated: published,
                published: Some(published),
                links: vec![link(url, "alternate")],
                content: Some(Content { value: Some(body), content_type: Some("text".into()), ..Default::default() }),
                ..Default::default()
            }
        })
        .collect();
    let updated = items.first().and_then(|(c, _)| c.published_at).map(|t| t.naive_utc()).unwrap_or_default();
    let feed = Feed {
        id: state.url(self_path),
        title: Text::plain(title.to_owned()),
        updated: fixed(updated),
        authors: vec![Person { name: state.config.publication.clone(), ..Default::default() }],
        links: vec![
            link(state.url(self_path), "self"),
            link(state.url(self_path.trim_end_matches(".atom")), "alternate"),
        ],
        entries,
        ..Default::default()
    };
    let mut response = HttpResponse::Ok().content_type("application/atom+xml; charset=utf-8").body(feed.to_string());
    public_headers(&mut response);
    response
}

/// `GET /articles/{id}/corrections.atom`.
pub async fn article_corrections_atom(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    state
        .public
        .answer(&state.db, &req, || async {
            let (article, list) = steps::article_and_corrections(&state, path.into_inner()).await?;
            let items: Vec<(CorrectionView, String)> = list.into_iter().map(|c| (c, article.title.clone())).collect();
            let title =
                format!("Corrections to \u{201c}{}\u{201d} \u{2013} {}", article.title, state.config.publication);
            Ok(atom(&state, &format!("/articles/{}/corrections.atom", article.id), &title, &items))
        })
        .await
}

/// JSON for a `<script>` element: `<`, `>` and `&` escaped so no text can close the element.
fn script_safe_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// `GET /articles/{id}/notice`: the fragment the CMS places on the article page.
///
/// A browser loading it into a frame (it says so with `Sec-Fetch-Dest: iframe`) gets the same
/// fragment in a small document of its own, with a font and spacing for a page without a host.
pub async fn notice(state: State, req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let framed = req.headers().get("sec-fetch-dest").is_some_and(|v| v.as_bytes() == b"iframe");
    let variant = if framed { "framed" } else { "" };
    let mut response = state
        .public
        .answer_variant(&state.db, &req, variant, || render_notice(&state, path.into_inner(), framed))
        .await?;
    response.headers_mut().insert(header::VARY, header::HeaderValue::from_static("Sec-Fetch-Dest"));
    Ok(response)
}

/// The notice fragment, framable by any site; empty for an article without corrections to show
/// or one the CMS has not registered (yet), so the publisher's page shows nothing rather than an error.
async fn render_notice(state: &AppState, id: String, framed: bool) -> Result<HttpResponse, AppError> {
    let markup = match steps::article_and_corrections(state, id).await {
        Ok((article, list)) => {
            let (fragment, _) = notice_parts(&state.base_url, state.config.timezone, &article, &list);
            if framed {
                views::framed_notice(&fragment)
            } else {
                fragment
            }
        }
        Err(AppError::NotFound(_)) if framed => views::framed_notice(&maud::html! {}),
        Err(AppError::NotFound(_)) => maud::html! {},
        Err(other) => return Err(other),
    };
    let mut response = HttpResponse::Ok().content_type("text/html; charset=utf-8").body(markup.into_string());
    public_headers(&mut response);
    let headers = response.headers_mut();
    // The fragment is meant to be placed on the publisher's pages, also in a frame.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *"),
    );
    Ok(response)
}

/// The notice of `article` with its published corrections `list`, with absolute links.
pub fn notice_view(state: &AppState, article: &Article, list: &[CorrectionView]) -> views::NoticeView {
    notice_view_in(&state.base_url, state.config.timezone, article, list).0
}

/// The notice's view and the JSON-LD it embeds, for a server at `base_url` in time zone `tz`.
fn notice_view_in(
    base_url: &str,
    tz: chrono_tz::Tz,
    article: &Article,
    list: &[CorrectionView],
) -> (views::NoticeView, serde_json::Value) {
    let url = |path: String| format!("{base_url}{path}");
    let log_href = url(format!("/articles/{}/corrections", article.id));
    let (top, foot): (Vec<&CorrectionView>, Vec<&CorrectionView>) = list.iter().partition(|c| c.on_top());
    let data = json_ld(article, list, &log_href);
    let view = views::NoticeView {
        article_title: article.title.clone(),
        top: top.into_iter().map(|c| item_in(tz, c, None)).collect(),
        foot: foot.into_iter().map(|c| item_in(tz, c, None)).collect(),
        report_href: url(format!("/articles/{}/report", article.id)),
        json_ld: script_safe_json(&data),
        log_href,
        standards_href: url("/standards".to_owned()),
    };
    (view, data)
}

/// The notice fragment of `article` with its corrections `list`, and the JSON-LD it embeds.
fn notice_parts(
    base_url: &str,
    tz: chrono_tz::Tz,
    article: &Article,
    list: &[CorrectionView],
) -> (maud::Markup, serde_json::Value) {
    let (view, data) = notice_view_in(base_url, tz, article, list);
    (views::notice(&view), data)
}

/// Renders an article's notice inside a transaction, for the webhooks of `correction.published`.
pub fn notice_renderer(base_url: String, tz: chrono_tz::Tz) -> crate::mail::webhooks::NoticeRenderer {
    std::sync::Arc::new(move |conn, article_id| {
        let article = crate::domain::articles::get(conn, article_id)?;
        let list = corrections::for_article(conn, article_id)?;
        let (html, json_ld) = notice_parts(&base_url, tz, &article, &list);
        Ok(crate::mail::webhooks::NoticeParts { html: html.into_string(), json_ld })
    })
}

/// The article and its corrections as schema.org data, for search engines: `dateModified` is
/// the latest correction's time (as its `datePublished` says it), left out when there is none.
fn json_ld(article: &Article, list: &[CorrectionView], log_href: &str) -> serde_json::Value {
    let mut data = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": article.url,
        "url": article.url,
        "headline": article.title,
        "correction": list.iter().map(|c| serde_json::json!({
            "@type": "CorrectionComment",
            "text": c.text,
            "datePublished": c.published_at,
            "url": format!("{log_href}#correction-{}", c.id),
        })).collect::<Vec<_>>(),
    });
    if let (Some(latest), Some(fields)) = (corrections::last_corrected(list), data.as_object_mut()) {
        fields.insert("dateModified".into(), serde_json::json!(latest));
    }
    data
}

/// Corrections of many articles, each with its article, as the lists show them.
pub fn correction_items(state: &AppState, page: &CorrectionList) -> Vec<views::CorrectionItem> {
    page.items
        .iter()
        .map(|i| {
            let href = format!("/articles/{}/corrections", i.correction.article_id);
            item(state, &i.correction, Some((&i.article_title, &href)))
        })
        .collect()
}

/// `GET /corrections`: every correction, filterable and paged.
pub async fn site_corrections(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    public_page(&state, &req, |layout| render_site_corrections(&state, &req, layout)).await
}

/// The corrections list page; a bad filter shows an empty list and says what is wrong.
async fn render_site_corrections(
    state: &AppState,
    req: &HttpRequest,
    layout: views::Layout,
) -> Result<HttpResponse, AppError> {
    let pairs = query_pairs(req);
    let (page, error) = match steps::site_corrections(state, &pairs).await {
        Ok(page) => (page, None),
        Err(e @ AppError::Invalid(_)) => {
            (CorrectionList { items: vec![], next: None }, Some(error_sentence(Naming::AsSent, &e, "filter")))
        }
        Err(other) => return Err(other),
    };
    let status = if error.is_some() { 422 } else { 200 };
    let (sections, catalogue) = state.db.read(|c| Ok((corrections::sections(c)?, standards::catalogue(c)?))).await?;
    let view = site_corrections_view(state, &pairs, page, &sections, &catalogue, error);
    Ok(html(status, views::all_corrections(&layout, &view)))
}

/// The corrections list page's view: the filters as chosen, the page, and links that keep the filters.
fn site_corrections_view(
    state: &AppState,
    pairs: &[(String, String)],
    page: CorrectionList,
    sections: &[String],
    catalogue: &[Catalogue],
    error: Option<String>,
) -> views::AllCorrectionsView {
    let value = |key: &str| last_value(pairs, key).trim().to_owned();
    let links = QueryLinks::keeping(pairs, &["cursor"]);
    let (kind, section, standard) = (value("kind"), value("section"), value("standard"));
    let standard_opts = catalogue.iter().map(|c| (c.current.code.as_str(), c.current.title.as_str()));
    views::AllCorrectionsView {
        corrections: correction_items(state, &page),
        kinds: any_first("Any kind", opts(Kind::ALL.iter().map(|k| (k.as_str(), k.label())), &[&kind]), &kind),
        sections: any_first("Any section", opts(sections.iter().map(|s| (s, s)), &[&section]), &section),
        standards: any_first("Any standard", opts(standard_opts, &[&standard]), &standard),
        from: value("from"),
        to: value("to"),
        next_href: page.next.as_deref().map(|n| links.to("/corrections", &[("cursor", n)])),
        atom_href: links.to("/corrections.atom", &[]),
        csv_href: links.to("/corrections.csv", &[]),
        error,
    }
}

/// `GET /corrections.atom`: the newest corrections (filters as for `/corrections`).
pub async fn site_corrections_atom(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    state
        .public
        .answer(&state.db, &req, || async {
            let page = steps::site_corrections(&state, &query_pairs(&req)).await?;
            let items: Vec<(CorrectionView, String)> =
                page.items.into_iter().map(|i| (i.correction, i.article_title)).collect();
            let title = format!("Corrections \u{2013} {}", state.config.publication);
            Ok(atom(&state, "/corrections.atom", &title, &items))
        })
        .await
}

/// Characters that make a spreadsheet read a cell as a formula (full-width forms included,
/// which some spreadsheets take for the ASCII ones).
fn starts_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{ff1d}' | '\u{ff0b}' | '\u{ff0d}' | '\u{ff20}')
}

/// Characters a spreadsheet may split a line on, making what follows a cell of its own.
fn separates(c: char) -> bool {
    matches!(c, ';' | ',' | '\t' | '|' | '\n' | '\r')
}

/// A CSV cell that a spreadsheet will not run as a formula: prefixed with `'` when it starts
/// with a formula character or has one right after a separator (`x;=1+1` is a formula where
/// `;` separates). Every cell is also quoted ([`csv_rows`]), so it stays one cell whatever the
/// separator.
pub(super) fn cell(value: &str) -> String {
    let starts = value.chars().next().is_some_and(starts_formula);
    let inside = value.chars().zip(value.chars().skip(1)).any(|(a, b)| separates(a) && starts_formula(b));
    if starts || inside {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// A CSV writer that quotes every cell, so none is split by a spreadsheet using another separator.
pub(super) fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Always).from_writer(Vec::new())
}

/// The CSV lines of `items`, after the header line when `header`.
fn csv_rows(items: &[ListedCorrection], header: bool) -> Result<web::Bytes, AppError> {
    let mut out = csv_writer();
    let fail = |e: csv::Error| AppError::Internal(e.into());
    if header {
        out.write_record([
            "id",
            "published_at",
            "kind",
            "article_id",
            "article_title",
            "article_url",
            "section",
            "text",
            "original",
            "corrected",
            "standards",
            "supersedes",
            "log_index",
            "hash",
        ])
        .map_err(fail)?;
    }
    for i in items {
        let c = &i.correction;
        let standards: Vec<String> = c.standards.iter().map(|s| format!("{} v{}", s.code, s.version)).collect();
        let record = [
            c.id.to_string(),
            c.published_at.map(iso).unwrap_or_default(),
            c.kind.as_str().to_owned(),
            c.article_id.clone(),
            i.article_title.clone(),
            i.article_url.clone(),
            i.section.clone(),
            c.text.clone(),
            c.original.clone().unwrap_or_default(),
            c.corrected.clone().unwrap_or_default(),
            standards.join("; "),
            c.supersedes.map(|s| s.to_string()).unwrap_or_default(),
            c.log_index.map(|s| s.to_string()).unwrap_or_default(),
            c.hash.clone().unwrap_or_default(),
        ];
        out.write_record(record.iter().map(|v| cell(v))).map_err(fail)?;
    }
    out.into_inner().map(web::Bytes::from).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
}

/// The CSV lines of the pages after the first, each read when the client is ready for it.
fn later_pages(
    state: State,
    filter: ListingFilter,
    next: Option<String>,
) -> impl futures_util::Stream<Item = Result<web::Bytes, actix_web::Error>> {
    stream::unfold((state, filter, next), |(state, mut filter, next)| async move {
        let cursor = next?;
        filter.cursor = Some(cursor);
        let f = filter.clone();
        let page = state.db.read(move |c| corrections::listing(c, &f)).await;
        let (chunk, next) = match page {
            Ok(page) => (csv_rows(&page.items, false).map_err(actix_web::Error::from), page.next),
            Err(e) => (Err(actix_web::Error::from(e)), None),
        };
        Some((chunk, (state, filter, next)))
    })
}

/// `GET /corrections.csv`: every correction (filters as for `/corrections`), streamed page by page; never reader data.
pub async fn site_corrections_csv(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let mut filter = ListingFilter::parse(&query_pairs(&req))?;
    filter.limit = 500;
    let f = filter.clone();
    let first = state.db.read(move |c| corrections::listing(c, &f)).await?;
    let head = csv_rows(&first.items, true)?;
    let rest = later_pages(state.clone(), filter, first.next);
    let body = futures_util::StreamExt::chain(stream::once(async move { Ok::<_, actix_web::Error>(head) }), rest);
    let mut response = HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"corrections.csv\""))
        .streaming(body);
    public_headers(&mut response);
    Ok(response)
}

/// The catalogue for the templates.
pub fn standard_items(list: &[Catalogue]) -> Vec<views::StandardItem> {
    let one = |s: &crate::db::models::Standard, earlier: Vec<views::StandardItem>| views::StandardItem {
        code: s.code.clone(),
        title: s.title.clone(),
        text: s.body.clone(),
        version: s.version,
        updated: s.created_at.format("%-d %B %Y").to_string(),
        anchor: format!("{}-v{}", s.code, s.version),
        earlier,
    };
    list.iter().map(|c| one(&c.current, c.earlier.iter().map(|s| one(s, vec![])).collect())).collect()
}

/// `GET /standards`: the catalogue, the corrections policy first.
pub async fn standards_page(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let state: &AppState = &state;
    public_page(state, &req, |layout| async move {
        let (list, keys) = state.db.read(|c| Ok((standards::catalogue(c)?, crate::domain::keys::history(c)?))).await?;
        // The history's active key; this server's own before a first start recorded one.
        let public_key = keys
            .iter()
            .find(|k| k.until_size.is_none())
            .map_or_else(|| state.log.key().public_key(), |k| k.public_key.clone());
        let retired_keys = keys
            .into_iter()
            .filter_map(|k| {
                let until_size = k.until_size?;
                Some(views::RetiredKey { public_key: k.public_key, from_size: k.from_size, until_size })
            })
            .collect();
        let view =
            views::StandardsView { standards: standard_items(&list), public_key: Some(public_key), retired_keys };
        Ok(html(200, views::standards(&layout, &view)))
    })
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(super::cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::cell("+1"), "'+1");
        assert_eq!(super::cell("-1"), "'-1");
        assert_eq!(super::cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::cell("\tx"), "'\tx");
        assert_eq!(super::cell("\u{ff1d}1+1"), "'\u{ff1d}1+1");
        assert_eq!(super::cell("plain"), "plain");
        assert_eq!(super::cell(""), "");
    }

    #[test]
    fn formulas_after_a_separator_are_defused() {
        assert_eq!(super::cell("x;=1+1"), "'x;=1+1");
        assert_eq!(super::cell("x,+1"), "'x,+1");
        assert_eq!(super::cell("x|@SUM(A1)"), "'x|@SUM(A1)");
        assert_eq!(super::cell("x\t-1"), "'x\t-1");
        assert_eq!(super::cell("x\n=1"), "'x\n=1");
        // A space between keeps the formula character from starting a cell.
        assert_eq!(
            super::cell("costs rose, - said the council; = or more"),
            "costs rose, - said the council; = or more"
        );
        assert_eq!(super::cell("2026-11-28, x-y; a=b"), "2026-11-28, x-y; a=b");
    }

    #[test]
    fn every_cell_is_quoted() {
        let mut out = super::csv_writer();
        out.write_record(["x;=1+1", "1"].iter().map(|v| super::cell(v))).unwrap();
        assert_eq!(String::from_utf8(out.into_inner().unwrap()).unwrap(), "\"'x;=1+1\",\"1\"\n");
    }

    #[test]
    fn script_json_cannot_close_its_element() {
        let v = serde_json::json!({ "text": "</script><script>alert(1)</script> & more" });
        let s = super::script_safe_json(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    mod properties {
        use proptest::prelude::*;

        use crate::domain::cases;
        use crate::web::pages::corrections::{cell, csv_writer, separates, starts_formula};

        /// Cell text full of separators and formula characters.
        fn risky() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                2 => proptest::sample::select(&["=", "+", "-", "@", "\t", "\r", "\n", ";", ",", "|", "\u{ff1d}", "\u{ff0b}", "\u{ff0d}", "\u{ff20}", " ", "\"", "'"][..]).prop_map(str::to_owned),
                2 => "[A-Za-z0-9()]{1,5}",
                1 => cases::char().prop_map(String::from),
            ];
            prop_oneof![4 => proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat()), 1 => cases::text()]
        }

        proptest! {
            #![proptest_config(cases::config(512))]

            #[test]
            fn no_cell_starts_a_formula_after_a_separator_unless_prefixed(values in proptest::collection::vec(risky(), 1..5)) {
                let mut out = csv_writer();
                out.write_record(values.iter().map(|v| cell(v))).unwrap();
                let written = String::from_utf8(out.into_inner().unwrap()).unwrap();
                let mut read = csv::ReaderBuilder::new().has_headers(false).from_reader(written.as_bytes());
                let record = read.records().next().unwrap().unwrap();
                prop_assert_eq!(record.len(), values.len());
                for (value, written) in values.iter().zip(record.iter()) {
                    let risky = value.chars().next().is_some_and(starts_formula)
                        || value.chars().zip(value.chars().skip(1)).any(|(a, b)| separates(a) && starts_formula(b));
                    if risky {
                        prop_assert_eq!(written, format!("'{value}"));
                    } else {
                        prop_assert_eq!(written, value.as_str());
                    }
                    prop_assert!(!written.chars().next().is_some_and(starts_formula), "{written:?}");
                }
                // Every cell is quoted, so no spreadsheet splits it whatever its separator.
                prop_assert!(written.starts_with('"') && written.ends_with("\"\n"), "{written:?}");
            }
        }
    }
}
