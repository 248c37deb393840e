//! The site's front: the home page, finding an article, the stylesheet and the favicon.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use corrigenda_templates as views;
use serde::Deserialize;

use super::corrections::correction_items;
use crate::domain::articles::{self, Found};
use crate::domain::corrections::{self, ListingFilter};
use crate::error::AppError;
use crate::web::present::{date, html, public_page, redirect};
use crate::web::{AppState, State};

/// How many recent corrections the home page shows.
const RECENT: i64 = 5;

/// The home page's recent corrections.
async fn recent(state: &AppState) -> Result<Vec<views::CorrectionItem>, AppError> {
    let filter = ListingFilter { limit: RECENT, ..ListingFilter::default() };
    let page = state.db.read(move |c| corrections::listing(c, &filter)).await?;
    Ok(correction_items(state, &page))
}

/// `GET /`: what this is, recent corrections and the find box.
pub async fn home(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let state: &AppState = &state;
    public_page(state, &req, |layout| async move {
        let view = views::HomeView { recent: recent(state).await?, ..Default::default() };
        Ok(html(200, views::home(&layout, &view)))
    })
    .await
}

/// `GET /static/style.css`.
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(views::STYLESHEET)
}

/// `GET /favicon.ico`: browsers ask on every site; there is no icon, and saying so with an error page would be noise.
pub async fn favicon() -> HttpResponse {
    HttpResponse::NoContent().insert_header((header::CACHE_CONTROL, "public, max-age=86400")).finish()
}

/// The find box's query.
#[derive(Debug, Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    q: String,
}

/// An article found by its headline, as the results list shows it.
fn found_item(found: Found) -> views::FoundArticle {
    views::FoundArticle {
        report_href: format!("/articles/{}/report", found.id),
        corrections_href: format!("/articles/{}/corrections", found.id),
        title: found.title,
        section: found.section,
        published: date(found.published_at),
        url: found.url,
    }
}

/// Whether the find box was given a web address (looked up as such, never as headline words).
fn is_address(q: &str) -> bool {
    q.starts_with("http://") || q.starts_with("https://")
}

/// `GET /articles?q=`: finds an article by ID or URL and opens its report form; other words
/// What the find box says when it found nothing for `q`.
fn not_found(q: &str) -> String {
    if is_address(q) {
        format!(
            "No article with the ID or address \u{201c}{q}\u{201d} is in our corrections system. Check \
             that the address was copied whole, or type words from the article's headline."
        )
    } else {
        format!(
            "No article with the ID or address \u{201c}{q}\u{201d} is in our corrections system, and no \
             headline has all of these words. Check the spelling, or paste the article's web address."
        )
    }
}

/// list the articles whose headline has them all.
pub async fn find_article(state: State, query: web::Query<FindQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner().q.trim().to_owned();
    if q.is_empty() {
        return Ok(redirect("/"));
    }
    let lookup = q.clone();
    let (exact, (found, more)) = state
        .db
        .read(move |c| {
            if let Some(article) = articles::find_by_id_or_url(c, &lookup)? {
                return Ok((Some(article), (Vec::new(), false)));
            }
            let found = if is_address(&lookup) { (Vec::new(), false) } else { articles::search_headlines(c, &lookup)? };
            Ok((None, found))
        })
        .await?;
    if let Some(article) = exact {
        return Ok(redirect(format!("/articles/{}/report", article.id)));
    }
    if found.is_empty() {
        let view =
            views::HomeView { recent: recent(&state).await?, find_error: Some(not_found(&q)), query: q, results: None };
        return Ok(html(404, views::home(&state.layout, &view)));
    }
    let results = views::FindResults { query: q.clone(), articles: found.into_iter().map(found_item).collect(), more };
    let view = views::HomeView { recent: recent(&state).await?, find_error: None, query: q, results: Some(results) };
    Ok(html(200, views::home(&state.layout, &view)))
}
