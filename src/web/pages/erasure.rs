//! Erasure: removing a reader's name and email from every report, for standards editors.

use actix_web::HttpResponse;
use corrigenda_templates as views;
use serde::Deserialize;

use crate::domain::erasure;
use crate::error::AppError;
use crate::mail;
use crate::web::auth::{DeskForm, IsStandards, Signed, Staff};
use crate::web::present::{csrf, html, sentence, staff_layout};
use crate::web::{AppState, State};

/// The erasure form, with what was typed and an error or a notice.
fn erasure_page(
    state: &AppState,
    staff: &Staff,
    email: String,
    error: Option<String>,
    notice: Option<String>,
    status: u16,
) -> HttpResponse {
    let view = views::ErasureView { csrf: csrf(staff), email, error, notice };
    html(status, views::erasure(&staff_layout(state, staff), &view))
}

/// `GET /desk/erasure`.
pub async fn erasure_form(state: State, staff: Signed<IsStandards>) -> HttpResponse {
    erasure_page(&state, &staff, String::new(), None, None, 200)
}

/// The erasure form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ErasureForm {
    email: String,
}

/// `POST /desk/erasure`: removes a reader's name and email everywhere.
pub async fn erase(state: State, post: DeskForm<IsStandards, ErasureForm>) -> Result<HttpResponse, AppError> {
    let (actor, now, email) = (post.staff.actor.clone(), state.now(), post.form.email.clone());
    match state.db.write(move |c| erasure::erase_reporter(c, &email, Some(&actor), now)).await {
        Ok(n) => {
            // Messages written without SMTP_URL hold the address and live links too.
            let (dir, email) = (state.config.mail.dir.clone(), post.form.email.trim().to_owned());
            let files = actix_web::web::block(move || mail::files::erase(&dir, &email))
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("erasing mail files: {e}")))?
                .map_err(|e| AppError::Internal(anyhow::anyhow!("erasing mail files: {e}")))?;
            let notice = format!(
                "Erased the name and email from {n} report{} and {files} mail file{}.",
                if n == 1 { "" } else { "s" },
                if files == 1 { "" } else { "s" }
            );
            Ok(erasure_page(&state, &post.staff, String::new(), None, Some(notice), 200))
        }
        Err(AppError::Invalid(errors)) => {
            let message = errors.first().map(|e| sentence("The email", &e.message)).unwrap_or_default();
            Ok(erasure_page(&state, &post.staff, post.form.email.clone(), Some(message), None, 422))
        }
        Err(other) => Err(other),
    }
}
