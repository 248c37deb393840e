//! Staff accounts: signing in and out, and the first-run setup of the first standards editor.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use corrigenda_templates as views;
use serde::Deserialize;

use crate::domain::accounts::Role;
use crate::domain::secrets;
use crate::domain::sessions::{self, NewSession};
use crate::error::AppError;
use crate::web::auth::{self, check_login_csrf, CanRead, DeskForm, Empty, LOGIN_COOKIE, SESSION_COOKIE};
use crate::web::extract::{client_ip, parse_form, read_body};
use crate::web::present::{capitalise, field_error, html, redirect, Naming};
use crate::web::{AppState, State};

/// Largest sign-in or setup form body.
const FORM_LIMIT: usize = 16 * 1024;

/// Only same-origin absolute paths are followed after sign-in, never another site; anything
/// else is dropped (empty: the role's own landing page).
///
/// Browsers read `\` as `/` and skip tabs and newlines in a `Location`, so `/\evil` and
/// `/<tab>/evil` mean `//evil`, another host: such characters are refused outright, before and
/// after percent-decoding, and what is followed is the path as resolved on the base URL.
fn safe_next(next: &str, base_url: &str) -> String {
    same_origin_path(next, base_url).unwrap_or_default()
}

/// `next` as a path, query and fragment on the base URL's origin, when it is nothing else.
fn same_origin_path(next: &str, base_url: &str) -> Option<String> {
    let plain = |s: &str| {
        s.starts_with('/')
            && !s.starts_with("//")
            && !s.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    };
    if !plain(next) || !plain(percent_encoding::percent_decode_str(next).decode_utf8_lossy().as_ref()) {
        return None;
    }
    let base = url::Url::parse(base_url).ok()?;
    let resolved = base.join(next).ok().filter(|u| u.origin() == base.origin())?;
    let mut path = resolved.path().to_owned();
    if let Some(query) = resolved.query() {
        path = format!("{path}?{query}");
    }
    if let Some(fragment) = resolved.fragment() {
        path = format!("{path}#{fragment}");
    }
    // Resolving removes dot segments: `/.//evil` becomes `//evil`, another host again.
    plain(path.as_str()).then_some(path)
}

/// Where a role's work is, when sign-in was not asked to go elsewhere: auditors read the audit
/// trail, everyone else works the queue.
pub fn landing(role: Role) -> &'static str {
    match role {
        Role::Auditor => "/audit",
        Role::Editor | Role::StandardsEditor => "/desk",
    }
}

/// Where to go after signing in: `next` when it is a local path, else the role's landing page.
fn after_sign_in(next: &str, base_url: &str, role: Role) -> String {
    match safe_next(next, base_url) {
        next if next.is_empty() => landing(role).to_owned(),
        next => next,
    }
}

/// The sign-in page's query.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// The sign-in page, its CSRF token paired with a cookie.
fn login_page(state: &AppState, view: views::LoginView, status: u16) -> HttpResponse {
    let mut response = html(status, views::login(&state.layout, &view));
    let _ = response.add_cookie(&auth::cookie(LOGIN_COOKIE, view.csrf, state.secure_cookies()));
    response
}

/// `GET /login`.
pub async fn login_form(state: State, query: web::Query<NextQuery>) -> HttpResponse {
    let view = views::LoginView {
        next: safe_next(&query.next, &state.base_url),
        csrf: secrets::new_token(),
        ..Default::default()
    };
    login_page(&state, view, 200)
}

/// The sign-in form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    next: String,
    csrf: String,
}

/// The hash of the session the browser had, if any: it ends in the transaction that starts
/// the new one, so the old cookie stops working before the answer is sent.
fn old_session(req: &HttpRequest) -> Option<String> {
    req.cookie(SESSION_COOKIE).map(|old| secrets::token_hash(old.value()))
}

/// Sets the new session's cookie (the old one was ended with the sign-in).
fn signed_in(state: &AppState, session: NewSession, to: &str) -> HttpResponse {
    let secure = state.secure_cookies();
    let mut response = redirect(to);
    let _ = response.add_cookie(&auth::cookie(SESSION_COOKIE, session.cookie, secure));
    let _ = response.add_cookie(&auth::removal(LOGIN_COOKIE, secure));
    response
}

/// `POST /login`.
pub async fn login(state: State, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, AppError> {
    let form: LoginForm = parse_form(&read_body(&req, payload, FORM_LIMIT).await?)?;
    check_login_csrf(&req, &form.csrf)?;
    let ip = client_ip(&req, &state.config.trusted_proxies);
    let now = state.now();
    let (email, password) = (form.email.clone(), form.password.clone());
    let outcome = match state.login_limiter.check(ip) {
        Ok(()) => {
            let old = old_session(&req);
            state
                .db
                .write(move |c| {
                    let signed = sessions::login(c, &email, &password, now)?;
                    if let (Ok(_), Some(hash)) = (&signed, &old) {
                        sessions::logout(c, hash)?;
                    }
                    Ok(signed)
                })
                .await?
        }
        Err(err) => Err(err),
    };
    match outcome {
        Ok((actor, session)) => Ok(signed_in(&state, session, &after_sign_in(&form.next, &state.base_url, actor.role))),
        Err(err @ (AppError::Unauthorized(_) | AppError::Forbidden(_) | AppError::RateLimited { .. })) => {
            Ok(refused_login(&state, form, &err))
        }
        Err(other) => Err(other),
    }
}

/// The sign-in page again, saying why; a limited client also learns when to retry.
fn refused_login(state: &AppState, form: LoginForm, err: &AppError) -> HttpResponse {
    let view = views::LoginView {
        email: form.email,
        next: safe_next(&form.next, &state.base_url),
        error: Some(capitalise(&err.public_message())),
        csrf: form.csrf,
    };
    let mut response = login_page(state, view, err.status_code().as_u16());
    if let AppError::RateLimited { retry_after_secs, .. } = err {
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(*retry_after_secs));
    }
    response
}

/// `POST /logout`.
pub async fn logout(state: State, post: DeskForm<CanRead, Empty>) -> Result<HttpResponse, AppError> {
    if let Some(session) = post.staff.session.clone() {
        state.db.write(move |c| sessions::logout(c, &session.id_hash)).await?;
    }
    let mut response = redirect("/login");
    let _ = response.add_cookie(&auth::removal(SESSION_COOKIE, state.secure_cookies()));
    Ok(response)
}

/// `GET /setup/{token}`: the first-run page, while no account exists.
pub async fn setup_form(state: State, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let lookup = token.clone();
    if !state.db.read(move |c| sessions::setup_open(c, &lookup)).await? {
        return Err(AppError::NotFound("this setup link has been used already or is not valid".into()));
    }
    let view = views::SetupView { action: format!("/setup/{token}"), csrf: secrets::new_token(), ..Default::default() };
    let mut response = html(200, views::setup(&state.layout, &view));
    let _ = response.add_cookie(&auth::cookie(LOGIN_COOKIE, view.csrf, state.secure_cookies()));
    Ok(response)
}

/// The setup form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    email: String,
    name: String,
    password: String,
    password_confirm: String,
    csrf: String,
}

/// `POST /setup/{token}`: creates the first standards editor and signs them in.
pub async fn setup(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let form: SetupForm = parse_form(&read_body(&req, payload, FORM_LIMIT).await?)?;
    check_login_csrf(&req, &form.csrf)?;
    let now = state.now();
    let (t, email, name, password, confirm) =
        (token.clone(), form.email.clone(), form.name.clone(), form.password.clone(), form.password_confirm.clone());
    match state.db.write(move |c| sessions::complete_setup(c, &t, &email, &name, &password, &confirm, now)).await {
        Ok((_, session)) => Ok(signed_in(&state, session, "/desk")),
        Err(AppError::Invalid(errors)) => {
            let view = views::SetupView {
                action: format!("/setup/{token}"),
                email: form.email,
                name: form.name,
                errors: errors.into_iter().map(|e| field_error(Naming::Spoken, e)).collect(),
                csrf: form.csrf,
            };
            Ok(html(422, views::setup(&state.layout, &view)))
        }
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    const BASE: &str = "https://corrections.news.example";

    #[test]
    fn next_is_followed_only_as_a_path_on_this_site() {
        assert_eq!(safe_next("/desk?view=mine", BASE), "/desk?view=mine");
        assert_eq!(safe_next("/desk/reports/12#events", BASE), "/desk/reports/12#events");
        assert_eq!(safe_next("/desk?q=caf%C3%A9", BASE), "/desk?q=caf%C3%A9");
        for hostile in [
            "//evil.example/x",
            "/\\evil.example/x",
            "/%09/evil.example/x",
            "/\t/evil.example/x",
            "/\n/evil.example/x",
            "/%0D%0A/evil.example/x",
            "/%2F/evil.example/x",
            "/%2f/evil.example/x",
            "/%5Cevil.example/x",
            "/.//evil.example/x",
            "https://evil.example/x",
            "http:/evil.example/x",
            "%2F%2Fevil.example",
            "javascript:alert(1)",
            " /x",
            "/x /y",
            "/x%20",
            "/\u{a0}/x",
            "",
        ] {
            assert_eq!(safe_next(hostile, BASE), "", "{hostile:?}");
        }
    }

    mod properties {
        use proptest::prelude::*;

        use super::{safe_next, BASE};
        use crate::domain::cases;

        /// Sign-in `next` values: pieces of known redirect tricks, glued in any order.
        fn next() -> impl Strategy<Value = String> {
            const PIECES: &[&str] = &[
                "/",
                "//",
                "\\",
                "%2F",
                "%2f",
                "%5C",
                "%5c",
                "%09",
                "%0a",
                "%0D",
                "%00",
                "%20",
                "%2e",
                "%2E",
                ".",
                "..",
                "evil.example",
                "desk",
                "?",
                "#",
                "@",
                ":",
                "http:",
                "https:",
                "\t",
                " ",
                "%252F",
                "\u{3000}",
                "\u{ff0f}",
            ];
            let piece = prop_oneof![
                4 => proptest::sample::select(PIECES).prop_map(str::to_owned),
                1 => cases::char().prop_map(String::from),
            ];
            prop_oneof![
                4 => proptest::collection::vec(piece, 0..10).prop_map(|p| p.concat()),
                1 => cases::text(),
            ]
        }

        fn plain(s: &str) -> bool {
            s.starts_with('/')
                && !s.starts_with("//")
                && !s.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
        }

        proptest! {
            #![proptest_config(cases::config(1024))]

            #[test]
            fn next_is_empty_or_a_path_on_this_site(raw in next()) {
                let out = safe_next(&raw, BASE);
                if !out.is_empty() {
                    prop_assert!(plain(&out), "{raw:?} gave {out:?}");
                    let decoded = percent_encoding::percent_decode_str(&out).decode_utf8_lossy().into_owned();
                    prop_assert!(plain(&decoded), "{raw:?} gave {out:?}, read as {decoded:?}");
                    let base = url::Url::parse(BASE).unwrap();
                    prop_assert_eq!(base.join(&out).unwrap().origin(), base.origin());
                    prop_assert_eq!(safe_next(&out, BASE), out.clone(), "the answer is itself safe");
                }
            }

            #[test]
            fn plain_site_paths_are_kept(path in "(/[a-z0-9_-]{1,8}){1,4}(\\?[a-z]{1,5}=[a-z0-9]{0,5})?") {
                prop_assert_eq!(safe_next(&path, BASE), path);
            }
        }
    }
}
