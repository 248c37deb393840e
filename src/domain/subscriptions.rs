//! "Tell me if this article is corrected": double opt-in subscriptions with one-click unsubscribe.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::accounts::parse_email;
use super::notices::{Notice, Notices};
use super::{articles, secrets};
use crate::db::models::Article;
use crate::db::schema::{subscription_links, subscriptions};
use crate::db::vocabulary::SubscriptionStatus;
use crate::db::DbConnection;
use crate::error::AppError;

/// Asks to subscribe `email` to corrections of an article; a confirmation mail is queued.
///
/// Subscribing an address that is already confirmed sends nothing new, so the form
/// cannot be used to flood someone's inbox.
pub fn subscribe(
    conn: &mut DbConnection,
    article_id: &str,
    email: &str,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<Article, AppError> {
    let article = articles::get(conn, article_id)?;
    let email = parse_email("email", email).map_err(|e| AppError::Invalid(vec![e]))?;
    let existing: Vec<(i64, String, SubscriptionStatus)> = subscriptions::table
        .filter(subscriptions::article_id.eq(&article.id))
        .select((subscriptions::id, subscriptions::email, subscriptions::status))
        .load(conn)?;
    let same = existing.iter().filter(|(_, e, _)| e.eq_ignore_ascii_case(&email));
    if same.clone().any(|(_, _, s)| *s == SubscriptionStatus::Active) {
        return Ok(article);
    }
    let stale: Vec<i64> = same.map(|(id, ..)| *id).collect();
    delete(conn, &stale)?;
    let token = secrets::new_token();
    diesel::insert_into(subscriptions::table)
        .values((
            subscriptions::article_id.eq(&article.id),
            subscriptions::email.eq(&email),
            subscriptions::token_hash.eq(secrets::token_hash(&token)),
            subscriptions::status.eq(SubscriptionStatus::Pending),
            subscriptions::created_at.eq(now),
        ))
        .execute(conn)?;
    notices.push(Notice::SubscriptionRequested {
        article_id: article.id.clone(),
        article_title: article.title.clone(),
        email,
        token,
    });
    Ok(article)
}

fn not_found() -> AppError {
    AppError::NotFound("this link is not valid any more; subscribe again from the article's corrections page".into())
}

/// The subscription a confirmation token opens, with its article (reads only).
fn confirmable(conn: &mut DbConnection, token: &str) -> Result<(i64, Article), AppError> {
    if !secrets::looks_like_token(token) {
        return Err(not_found());
    }
    let (id, article_id): (i64, String) = subscriptions::table
        .filter(subscriptions::token_hash.eq(secrets::token_hash(token)))
        .filter(subscriptions::status.ne(SubscriptionStatus::Unsubscribed))
        .select((subscriptions::id, subscriptions::article_id))
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    Ok((id, articles::get(conn, &article_id)?))
}

/// The article a confirmation link is about, changing nothing: opening the link only asks.
pub fn to_confirm(conn: &mut DbConnection, token: &str) -> Result<Article, AppError> {
    confirmable(conn, token).map(|(_, article)| article)
}

/// Confirms a subscription from the button its confirmation link shows.
pub fn confirm(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> Result<Article, AppError> {
    let (id, article) = confirmable(conn, token)?;
    diesel::update(subscriptions::table.find(id))
        .set((subscriptions::status.eq(SubscriptionStatus::Active), subscriptions::confirmed_at.eq(now)))
        .execute(conn)?;
    Ok(article)
}

/// Ends a subscription from the link in a mail (one click, no sign-in).
pub fn unsubscribe(conn: &mut DbConnection, token: &str) -> Result<Article, AppError> {
    if !secrets::looks_like_token(token) {
        return Err(not_found());
    }
    let (id, article_id): (i64, String) = subscription_links::table
        .inner_join(subscriptions::table)
        .filter(subscription_links::token_hash.eq(secrets::token_hash(token)))
        .select((subscriptions::id, subscriptions::article_id))
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    diesel::update(subscriptions::table.find(id))
        .set(subscriptions::status.eq(SubscriptionStatus::Unsubscribed))
        .execute(conn)?;
    articles::get(conn, &article_id)
}

/// The confirmed subscribers of an article: (email, a fresh unsubscribe token for one mail).
///
/// Only a token's hash is stored, so each mail gets a token of its own; every one stays good
/// until the subscription is deleted.
pub fn active_for(
    conn: &mut DbConnection,
    article_id: &str,
    now: NaiveDateTime,
) -> Result<Vec<(String, String)>, AppError> {
    let active: Vec<(i64, String)> = subscriptions::table
        .filter(subscriptions::article_id.eq(article_id))
        .filter(subscriptions::status.eq(SubscriptionStatus::Active))
        .select((subscriptions::id, subscriptions::email))
        .load(conn)?;
    let mut subscribers = Vec::with_capacity(active.len());
    for (id, email) in active {
        let token = secrets::new_token();
        diesel::insert_into(subscription_links::table)
            .values((
                subscription_links::token_hash.eq(secrets::token_hash(&token)),
                subscription_links::subscription_id.eq(id),
                subscription_links::created_at.eq(now),
            ))
            .execute(conn)?;
        subscribers.push((email, token));
    }
    Ok(subscribers)
}

/// Deletes subscriptions with their unsubscribe links.
fn delete(conn: &mut DbConnection, ids: &[i64]) -> Result<usize, AppError> {
    diesel::delete(subscription_links::table.filter(subscription_links::subscription_id.eq_any(ids))).execute(conn)?;
    Ok(diesel::delete(subscriptions::table.filter(subscriptions::id.eq_any(ids))).execute(conn)?)
}

/// Deletes every subscription of `email` (erasure); returns how many.
pub fn erase(conn: &mut DbConnection, email: &str) -> Result<usize, AppError> {
    let ids: Vec<i64> = subscriptions::table
        .select((subscriptions::id, subscriptions::email))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .filter(|(_, e)| e.eq_ignore_ascii_case(email))
        .map(|(id, _)| id)
        .collect();
    delete(conn, &ids)
}
