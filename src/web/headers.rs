//! Headers an answer gets from where it was asked: a URL holding a secret token is never
//! passed on in a `Referer`, nor stored by any cache.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// Paths whose next segment is a secret token: tracking, subscription and first-run links.
pub const SECRET_PREFIXES: [&str; 4] = ["/reports/", "/api/v1/reports/", "/subscriptions/", "/setup/"];

/// Whether `path` carries a secret token.
pub fn holds_secret(path: &str) -> bool {
    SECRET_PREFIXES.iter().any(|prefix| path.starts_with(prefix))
}

/// Sets what the request's circumstances demand on every answer, error pages included.
///
/// Elsewhere the outer default headers add `Referrer-Policy: same-origin`; the page frame has
/// no referrer meta, which would override this header.
pub async fn circumstantial(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let secret = holds_secret(req.path());
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    if secret {
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_paths_are_known() {
        assert!(super::holds_secret("/reports/abc"));
        assert!(super::holds_secret("/api/v1/reports/abc/replies"));
        assert!(super::holds_secret("/subscriptions/abc/unsubscribe"));
        assert!(super::holds_secret("/setup/abc"));
        assert!(!super::holds_secret("/desk/reports/12"));
        assert!(!super::holds_secret("/articles/x/report"));
    }
}
