//! Who is asking: sessions for pages, bearer tokens for the API, and the role guards.
//!
//! Every desk route takes one of the guard extractors below, so the rule
//! "anonymous 401, wrong role 403" lives here and nowhere else.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::extract::{bearer_actor, parse_form, read_body};
use super::headers::mark_authenticated;
use super::AppState;
use crate::domain::accounts::{Actor, Role};
use crate::domain::corrections;
use crate::domain::sessions::{self, Current};
use crate::error::AppError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "corrigenda_session";
/// The cookie pairing the sign-in form with its CSRF token (before any session exists).
pub const LOGIN_COOKIE: &str = "corrigenda_login";
/// Largest desk form body.
const FORM_LIMIT: usize = 64 * 1024;

/// A signed-in or token-authenticated staff member.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Who.
    pub actor: Actor,
    /// The browser session, when signed in through a page (absent for API tokens).
    pub session: Option<Current>,
    /// How many corrections await approval, for the page header (0 for API tokens).
    pub pending_approvals: i64,
}

/// A rule over roles, checked by [`Signed`].
pub trait Need {
    /// Whether `role` passes.
    fn allows(role: Role) -> bool;
    /// What is needed, for the 403 message.
    const WHAT: &'static str;
}

/// Any staff role, auditors included (read-only pages).
pub struct CanRead;
/// Editors and standards editors.
pub struct CanEdit;

impl Need for CanRead {
    fn allows(_: Role) -> bool {
        true
    }
    const WHAT: &'static str = "a staff account";
}

impl Need for CanEdit {
    fn allows(role: Role) -> bool {
        role.can_edit()
    }
    const WHAT: &'static str = "an editor or standards editor";
}

/// Auditors and standards editors (the audit trail).
pub struct CanAudit;
/// Standards editors only.
pub struct IsStandards;

impl Need for CanAudit {
    fn allows(role: Role) -> bool {
        matches!(role, Role::Auditor | Role::StandardsEditor)
    }
    const WHAT: &'static str = "an auditor or standards editor";
}

impl Need for IsStandards {
    fn allows(role: Role) -> bool {
        role == Role::StandardsEditor
    }
    const WHAT: &'static str = "a standards editor";
}

/// A staff member whose role passes `N`; 401 when nobody is signed in, 403 for the wrong role.
pub struct Signed<N: Need>(pub Staff, PhantomData<N>);

impl<N: Need> std::ops::Deref for Signed<N> {
    type Target = Staff;
    fn deref(&self) -> &Staff {
        &self.0
    }
}

/// Authenticates: bearer tokens under `/api/`, the session cookie elsewhere.
async fn authenticate(req: &HttpRequest, state: &AppState) -> Result<Staff, AppError> {
    if req.path().starts_with("/api/") {
        return token_staff(req, state).await;
    }
    session(req, state).await
}

/// The staff member an API token acts as.
async fn token_staff(req: &HttpRequest, state: &AppState) -> Result<Staff, AppError> {
    Ok(Staff { actor: bearer_actor(req, state).await?, session: None, pending_approvals: 0 })
}

/// The staff member signed in with the request's session cookie.
async fn session(req: &HttpRequest, state: &AppState) -> Result<Staff, AppError> {
    let cookie = req
        .cookie(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .ok_or_else(|| AppError::Unauthorized("sign in to use the desk".into()))?;
    let now = state.now();
    let (lookup, pending_approvals) =
        state.db.read(move |c| Ok((sessions::look_up(c, &cookie, now)?, corrections::pending_count(c)?))).await?;
    if matches!(lookup, sessions::Lookup::Touch(_) | sessions::Lookup::Ended(Some(_))) {
        let stale = lookup.clone();
        state.db.write(move |c| sessions::refresh(c, &stale, now)).await?;
    }
    let current = match lookup {
        sessions::Lookup::Valid(current) | sessions::Lookup::Touch(current) => current,
        sessions::Lookup::Ended(_) => {
            return Err(AppError::Unauthorized("your session has ended: sign in again".into()));
        }
    };
    mark_authenticated(req);
    Ok(Staff { actor: current.actor.clone(), session: Some(current), pending_approvals })
}

/// The staff member whose session cookie came with a page request, if any and still valid; an
/// ended or unknown session is nobody (public pages do not ask anyone to sign in).
pub async fn session_staff(req: &HttpRequest, state: &AppState) -> Result<Option<Staff>, AppError> {
    if req.cookie(SESSION_COOKIE).is_none() || req.path().starts_with("/api/") {
        return Ok(None);
    }
    match authenticate(req, state).await {
        Ok(staff) => Ok(Some(staff)),
        Err(AppError::Unauthorized(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Whoever is asking a public API route that shows staff more: the API token's user (a token
/// that is not valid is refused), else the staff member signed in with the browser's session
/// (an ended or unknown session is nobody), else nobody.
pub async fn api_caller(req: &HttpRequest, state: &AppState) -> Result<Option<Staff>, AppError> {
    if req.headers().contains_key(actix_web::http::header::AUTHORIZATION) {
        return token_staff(req, state).await.map(Some);
    }
    if req.cookie(SESSION_COOKIE).is_none() {
        return Ok(None);
    }
    match session(req, state).await {
        Ok(staff) => Ok(Some(staff)),
        Err(AppError::Unauthorized(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

fn guard<N: Need>(staff: Staff) -> Result<Signed<N>, AppError> {
    if N::allows(staff.actor.role) {
        Ok(Signed(staff, PhantomData))
    } else {
        Err(AppError::Forbidden(format!(
            "this needs {}; you are signed in as {} ({})",
            N::WHAT,
            staff.actor.email,
            staff.actor.role.label().to_lowercase()
        )))
    }
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")))
}

impl<N: Need + 'static> FromRequest for Signed<N> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req)?;
            guard(authenticate(&req, &state).await?)
        })
    }
}

/// A desk form post: the signed-in staff member (passing `N`) and the form, its CSRF token checked.
pub struct DeskForm<N: Need, T> {
    /// Who posted.
    pub staff: Signed<N>,
    /// The form's fields.
    pub form: T,
}

/// A desk form with no fields but its CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// Compares secrets without an early exit.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl<N: Need + 'static, T: DeserializeOwned + 'static> FromRequest for DeskForm<N, T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload)
            .into_inner()
            .map_err(|e| AppError::BadRequest(format!("could not read the request body: {e}")));
        Box::pin(async move {
            let state = state_of(&req)?;
            let staff: Signed<N> = guard(authenticate(&req, &state).await?)?;
            let body = read_body(&req, payload?, FORM_LIMIT).await?;
            let sent: CsrfField = parse_form(&body)?;
            let expected = staff.session.as_ref().map(|s| s.csrf.as_str()).unwrap_or_default();
            if expected.is_empty() || !same_secret(&sent.csrf, expected) {
                return Err(AppError::Forbidden(
                    "the form's security token is missing or out of date: reload the page and try again".into(),
                ));
            }
            Ok(Self { staff, form: parse_form(&body)? })
        })
    }
}

/// Checks the sign-in form's CSRF token against its cookie (no session exists yet).
pub fn check_login_csrf(req: &HttpRequest, sent: &str) -> Result<(), AppError> {
    match req.cookie(LOGIN_COOKIE) {
        Some(cookie) if !sent.is_empty() && same_secret(cookie.value(), sent) => Ok(()),
        _ => Err(AppError::Forbidden(
            "the form's security token is missing or out of date: reload the page and try again".into(),
        )),
    }
}

/// A cookie with the attributes every Corrigenda cookie has.
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(name, value).path("/").http_only(true).same_site(SameSite::Lax).secure(secure).finish()
}

/// A cookie that removes `name`.
pub fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut c = cookie(name, String::new(), secure);
    c.make_removal();
    c
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_compare_whole() {
        assert!(super::same_secret("abc", "abc"));
        assert!(!super::same_secret("abc", "abd"));
        assert!(!super::same_secret("abc", "ab"));
        assert!(!super::same_secret("", "a"));
    }
}
