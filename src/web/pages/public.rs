//! The site's front: the home page, finding an article, the stylesheet, the favicon and the health check.

use actix_web::http::header::{self, ContentType};
use actix_web::{web, HttpRequest, HttpResponse};
use corrigenda_templates as views;
use serde::Deserialize;

use super::corrections::correction_items;
use crate::domain::articles;
use crate::domain::corrections::{self, ListingFilter};
use crate::error::AppError;
use crate::web::present::{html, redirect};
use crate::web::State;

/// `GET /`: what this is, recent corrections and the find box.
pub async fn home(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    state
        .public
        .answer(&state.db, &req, || async {
            let filter = ListingFilter { limit: 5, ..ListingFilter::default() };
            let page = state.db.read(move |c| corrections::listing(c, &filter)).await?;
            let view = views::HomeView { recent: correction_items(&state, &page), ..Default::default() };
            Ok(html(200, views::home(&state.layout, &view)))
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

/// `GET /healthz`: 200 when the database answers, for load balancers.
pub async fn health(state: State) -> Result<HttpResponse, AppError> {
    state.db.read(|c| Ok(diesel::connection::SimpleConnection::batch_execute(c, "SELECT 1")?)).await?;
    Ok(HttpResponse::Ok().content_type(ContentType::plaintext()).body("ok"))
}

/// The find box's query.
#[derive(Debug, Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    q: String,
}

/// `GET /articles?q=`: finds an article by ID or URL and opens its report form.
pub async fn find_article(state: State, query: web::Query<FindQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner().q.trim().to_owned();
    if q.is_empty() {
        return Ok(redirect("/"));
    }
    let lookup = q.clone();
    match state.db.read(move |c| articles::find_by_id_or_url(c, &lookup)).await? {
        Some(article) => Ok(redirect(format!("/articles/{}/report", article.id))),
        None => {
            let view = views::HomeView {
                recent: Vec::new(),
                find_error: Some(format!("No article with the ID or address {q:?} is registered here.")),
                query: q,
            };
            Ok(html(404, views::home(&state.layout, &view)))
        }
    }
}
