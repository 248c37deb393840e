//! How errors are answered: JSON for the API, a page for people.

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{web, HttpResponse, ResponseError};
use corrigenda_templates::{error_page, ErrorView};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::error::AppError;

/// The JSON body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code, e.g. `invalid_field`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// The field at fault, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        AppError::status_code(self)
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = %logged_cause(cause), "request failed");
        }
        let mut response = HttpResponse::build(AppError::status_code(self));
        match self {
            AppError::RateLimited { retry_after_secs, .. } | AppError::TryLater { retry_after_secs, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            AppError::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            _ => {}
        }
        response.json(ErrorBody {
            error: ErrorDetail {
                code: self.code().into(),
                message: self.public_message(),
                field: self.field().map(str::to_owned),
            },
        })
    }
}

/// A failure's cause as logged: a database error may quote a row's values (PostgreSQL's
/// "Key (email)=(...) already exists"), so addresses are cut from it.
fn logged_cause(cause: &anyhow::Error) -> String {
    crate::mail::dispatch::redact_addresses(&format!("{cause:?}"))
}

/// Turns every error response outside `/api/` into an HTML page with the same message.
///
/// Pages that render their own error state (the report form) answer HTML already
/// and pass through untouched, as does everything under `/api/` but actix's own bodiless
/// 405, which gets the API's JSON error body.
pub fn html_error_pages<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if res.request().path().starts_with("/api/") {
        if res.status() == actix_web::http::StatusCode::METHOD_NOT_ALLOWED && res.response().error().is_none() {
            return Ok(ErrorHandlerResponse::Response(method_not_allowed_json(res).map_into_right_body()));
        }
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    if is_html || super::ops::MACHINE_PATHS.contains(&res.request().path()) {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    if status == actix_web::http::StatusCode::UNAUTHORIZED {
        // A person without a session is sent to sign in, and back here afterwards.
        let req = res.request();
        let here = match req.query_string() {
            "" => req.path().to_owned(),
            q => format!("{}?{q}", req.path()),
        };
        // A form post cannot be repeated by a redirect: sign-in then leads to the role's own page.
        let target = if req.method() == actix_web::http::Method::GET {
            format!("/login?next={}", url::form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>())
        } else {
            "/login".to_owned()
        };
        let (req, _) = res.into_parts();
        let redirect = HttpResponse::SeeOther().insert_header((header::LOCATION, target)).finish();
        return Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, redirect).map_into_right_body()));
    }
    let message =
        res.response().error().and_then(|e| e.as_error::<AppError>()).map(AppError::public_message).unwrap_or_else(
            || match status.as_u16() {
                404 => "There is no page at this address.".to_owned(),
                405 => "This page cannot be used that way.".to_owned(),
                _ => status.canonical_reason().unwrap_or("Error").to_owned(),
            },
        );
    let (req, old) = res.into_parts();
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, old).map_into_left_body()));
    };
    let view =
        ErrorView { status: status.as_u16(), title: status.canonical_reason().unwrap_or("Error").to_owned(), message };
    let mut page = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(error_page(&state.layout, &view).into_string());
    for name in [header::RETRY_AFTER, header::WWW_AUTHENTICATE, header::ALLOW] {
        if let Some(value) = old.headers().get(&name) {
            page.headers_mut().insert(name, value.clone());
        }
    }
    page.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let res: ServiceResponse<EitherBody<B, BoxBody>> = ServiceResponse::new(req, page).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

/// A resource's 405 (which names the path's methods in `Allow`) as the API's JSON error.
fn method_not_allowed_json<B>(res: ServiceResponse<B>) -> ServiceResponse {
    let allow = res.headers().get(header::ALLOW).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let err = AppError::MethodNotAllowed { method: res.request().method().to_string(), allow };
    let (req, _) = res.into_parts();
    ServiceResponse::new(req, err.error_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_logged_cause_holds_no_address() {
        let cause = anyhow::anyhow!(
            "duplicate key value violates unique constraint \"users_email_key\": \
             Key (email)=(ada@example.com) already exists."
        )
        .context("database query failed");
        let logged = super::logged_cause(&cause);
        assert!(logged.contains("database query failed") && logged.contains("users_email_key"), "{logged}");
        assert!(!logged.contains("ada@example.com"), "{logged}");
    }
}
