//! Headers an answer gets from who asked and where: an answer made for a signed-in staff
//! member or an API token is never stored by any cache, and a URL holding a secret token is
//! never passed on in a `Referer` (nor stored either).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest};

use super::auth::SESSION_COOKIE;

/// Marks a request whose caller was authenticated (a session or an API token).
#[derive(Debug, Clone, Copy)]
pub struct Authenticated;

/// Records that `req` was answered for an authenticated caller: its answer will not be stored.
pub fn mark_authenticated(req: &HttpRequest) {
    req.extensions_mut().insert(Authenticated);
}

/// Paths whose next segment is a secret token: tracking, subscription and first-run links.
pub const SECRET_PREFIXES: [&str; 4] = ["/reports/", "/api/v1/reports/", "/subscriptions/", "/setup/"];

/// Whether `path` carries a secret token, however it is spelt: the router decodes
/// percent-escapes, so `/%72eports/{token}` is the tracking page too.
pub fn holds_secret(path: &str) -> bool {
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    SECRET_PREFIXES.iter().any(|prefix| path.starts_with(prefix))
}

/// Sets what the request's circumstances demand on every answer, error pages included.
///
/// `Cache-Control: no-store` goes on answers made for an authenticated caller (whatever they
/// said of themselves, unless it was `no-store` already), on answers to anyone presenting
/// credentials or given a cookie that said nothing of caching (a refusal, a redirect to sign
/// in), and on secret URLs. Public answers asked for anonymously keep their own headers, and
/// so do public answers that ignored a caller's credentials (the stylesheet, the notice).
///
/// Elsewhere the outer default headers add `Referrer-Policy: same-origin`; the page frame has
/// no referrer meta, which would override this header.
pub async fn circumstantial(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let secret = holds_secret(req.path());
    let credentials = req.cookie(SESSION_COOKIE).is_some() || req.headers().contains_key(header::AUTHORIZATION);
    let mut response = next.call(req).await?;
    let authenticated = response.request().extensions().contains::<Authenticated>();
    let headers = response.headers_mut();
    if secret {
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    let stated = headers.get(header::CACHE_CONTROL).map(|v| v.to_str().is_ok_and(|v| v.contains("no-store")));
    let personal = credentials || headers.contains_key(header::SET_COOKIE);
    let store_never = match stated {
        Some(true) => false,
        Some(false) => authenticated || secret,
        None => authenticated || secret || personal,
    };
    if store_never {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

/// Answers `HEAD` as the `GET` of the same address: routes declare `GET` alone, and the HTTP
/// layer, which knows the request was `HEAD`, sends the headers without the body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_paths_are_known() {
        assert!(super::holds_secret("/reports/abc"));
        assert!(super::holds_secret("/api/v1/reports/abc/replies"));
        assert!(super::holds_secret("/subscriptions/abc/unsubscribe"));
        assert!(super::holds_secret("/setup/abc"));
        assert!(super::holds_secret("/%72eports/abc"), "spelt with an escape, it is routed the same");
        assert!(!super::holds_secret("/desk/reports/12"));
        assert!(!super::holds_secret("/articles/x/report"));
    }
}
