//! "Tell me if this article is corrected": subscribing, confirming and unsubscribing.

use actix_web::{web, HttpRequest, HttpResponse};
use corrigenda_templates as views;
use serde::Deserialize;

use super::corrections::article_corrections_page;
use crate::domain::subscriptions;
use crate::error::AppError;
use crate::web::extract::{client_ip, parse_form, read_body};
use crate::web::present::{html, private_page_headers, redirect, sentence};
use crate::web::{AppState, State};

/// The subscription form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SubscribeForm {
    email: String,
}

/// `POST /articles/{id}/subscriptions`: queues a confirmation mail (double opt-in).
pub async fn subscribe(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let form: SubscribeForm = parse_form(&read_body(&req, payload, 16 * 1024).await?)?;
    let ip = client_ip(&req, &state.config.trusted_proxies);
    let limited = state.limiter.as_ref().map_or(Ok(()), |l| l.check(ip));
    let (now, email, article) = (state.now(), form.email.clone(), id.clone());
    let outcome = match limited {
        Ok(()) => state.write_notifying(move |c, n| subscriptions::subscribe(c, &article, &email, n, now)).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(article) => Ok(redirect(format!("/articles/{}/corrections?subscribed=1#subscribe", article.id))),
        Err(AppError::Invalid(errors)) => {
            let message = errors.first().map(|e| sentence("Your email", &e.message)).unwrap_or_default();
            article_corrections_page(&state, state.layout.clone(), id, form.email, Some(message), None, 422).await
        }
        Err(e @ AppError::RateLimited { .. }) => {
            let message = format!("We have received {}.", e.public_message());
            article_corrections_page(&state, state.layout.clone(), id, form.email, Some(message), None, 429).await
        }
        Err(other) => Err(other),
    }
}

/// A short page that tells the reader what happened, with a link or a button.
fn message(
    state: &AppState,
    title: &str,
    text: String,
    link: Option<(String, String)>,
    button: Option<(String, String)>,
) -> HttpResponse {
    let view = views::MessageView { title: title.into(), message: text, link, button };
    let mut response = html(200, views::message_page(&state.layout, &view));
    private_page_headers(&mut response);
    response
}

/// `GET /subscriptions/{token}/confirm`: the link in the confirmation mail asks with a button
/// (a link alone must not confirm: mail scanners follow links).
pub async fn confirm_page(state: State, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let t = token.clone();
    let article = state.db.read(move |c| subscriptions::to_confirm(c, &t)).await?;
    let text = format!("Do you want an email when \u{201c}{}\u{201d} is corrected?", article.title);
    let button = Some(("Confirm".to_owned(), format!("/subscriptions/{token}/confirm")));
    Ok(message(&state, "Confirm your subscription", text, None, button))
}

/// `POST /subscriptions/{token}/confirm`: the confirmation page's button.
pub async fn confirm(state: State, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (token, now) = (path.into_inner(), state.now());
    let article = state.db.write(move |c| subscriptions::confirm(c, &token, now)).await?;
    let text = format!(
        "We will email you when \u{201c}{}\u{201d} is corrected. Every message has a link to unsubscribe.",
        article.title
    );
    let link = Some(("See the article's corrections".to_owned(), format!("/articles/{}/corrections", article.id)));
    Ok(message(&state, "You are subscribed", text, link, None))
}

/// `GET /subscriptions/{token}/unsubscribe`: asks to confirm with one click (a link alone must not unsubscribe, mail scanners follow links).
pub async fn unsubscribe_page(state: State, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    let button = Some(("Unsubscribe".to_owned(), format!("/subscriptions/{token}/unsubscribe")));
    message(&state, "Unsubscribe", "Stop the emails about corrections to this article?".into(), None, button)
}

/// `POST /subscriptions/{token}/unsubscribe`: one-click unsubscribe (RFC 8058) and the page's button.
pub async fn unsubscribe(state: State, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let article = state.db.write(move |c| subscriptions::unsubscribe(c, &token)).await?;
    let text = format!("You will not get more emails about \u{201c}{}\u{201d}.", article.title);
    Ok(message(&state, "You are unsubscribed", text, Some(("Back to the home page".into(), "/".into())), None))
}
