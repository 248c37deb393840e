//! Articles as the CMS sends them: `PUT` and `GET /api/v1/articles/{id}`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::domain::articles::{self, ArticleId, ArticleInput, ArticleView, Upserted};
use crate::error::AppError;
use crate::web::auth::api_caller;
use crate::web::errors::ErrorBody;
use crate::web::extract::{bearer_actor, parse_json, read_body, require_editor, ARTICLE_BODY_LIMIT};
use crate::web::State;

/// Creates or replaces an article (the publisher's CMS calls this).
#[utoipa::path(
    put, path = "/api/v1/articles/{id}", tag = "articles",
    params(("id" = String, Path, description = "The CMS's article ID: 1 to 128 characters of A-Z a-z 0-9 - _ . : ~, not only dots",
        min_length = 1, max_length = 128, pattern = r"^[A-Za-z0-9._:~-]*[A-Za-z0-9_:~-][A-Za-z0-9._:~-]*$")),
    request_body = ArticleInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = ArticleView),
        (status = 200, description = "Replaced", body = ArticleView),
        (status = 400, description = "Not JSON or not UTF-8", body = ErrorBody),
        (status = 401, description = "No or bad API token", body = ErrorBody),
        (status = 403, description = "The token's role may not change data", body = ErrorBody),
        (status = 413, description = "Body over 4 MiB", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid; `field` names it", body = ErrorBody),
    )
)]
pub async fn put_article(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let actor = bearer_actor(&req, &state).await?;
    require_editor(&actor)?;
    let id = ArticleId::parse(&path.into_inner()).map_err(|e| AppError::Invalid(vec![e]))?;
    let input: ArticleInput = parse_json(&read_body(&req, payload, ARTICLE_BODY_LIMIT).await?)?;
    let now = state.now();
    let (article, outcome) = state.write_notifying(move |c, n| articles::upsert(c, &id, &input, n, now)).await?;
    let mut response = match outcome {
        Upserted::Created => HttpResponse::Created(),
        Upserted::Updated => HttpResponse::Ok(),
    };
    Ok(response
        .insert_header((header::LOCATION, format!("/api/v1/articles/{}", article.id)))
        .json(ArticleView::from(&article)))
}

/// Reads an article; its text only for staff and API tokens, unless the publisher made it public.
#[utoipa::path(
    get, path = "/api/v1/articles/{id}", tag = "articles",
    description = "Anyone may read an article. Its `text` is sent only to API tokens and signed-in staff, \
                   unless the publisher sets CORRIGENDA_PUBLIC_ARTICLE_TEXT=true.",
    params(("id" = String, Path, description = "The CMS's article ID")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The article (`text` left out for anonymous callers unless public)", body = ArticleView),
        (status = 401, description = "An API token was sent but is not valid", body = ErrorBody),
        (status = 404, description = "Unknown article", body = ErrorBody),
    )
)]
pub async fn get_article(state: State, req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let may_read_text = state.config.public_article_text || api_caller(&req, &state).await?.is_some();
    let id = path.into_inner();
    let article = state.db.read(move |c| articles::get(c, &id)).await?;
    let view = ArticleView::from(&article);
    let view = if may_read_text { view } else { view.without_text() };
    // What is sent depends on who asks: caches must not hand one caller's answer to another.
    Ok(HttpResponse::Ok().insert_header((header::VARY, "Authorization, Cookie")).json(view))
}
