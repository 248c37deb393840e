//! Saved responses: wording standards editors keep for a question to the reader or the
//! reason for a decision, with placeholders filled in for each report.
//!
//! `{reader_name}` and `{article_title}` are filled in when an editor picks a response on a
//! ticket. `{tracking_link}` stays in the text the editor sends: the mail to the reader
//! carries a fresh tracking link in its place (a tracking token is stored only as a hash,
//! so no page can show one), and the reader's tracking page, which is that link's target,
//! says "this page".

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::{Actor, Role};
use super::reports::Status;
use super::text::{required_line, required_text};
use super::workflow::REASON_MAX;
use crate::db::models::{Article, Report, SavedResponse};
use crate::db::vocabulary::ResponsePurpose;
use crate::db::DbConnection;
use crate::error::{AppError, FieldError};

/// The placeholders a saved response may use.
pub const PLACEHOLDERS: [&str; 3] = ["{reader_name}", "{article_title}", "{tracking_link}"];

/// The placeholder the reader's mail fills with a fresh link to their report.
pub const TRACKING_LINK: &str = "{tracking_link}";

/// What the tracking page shows for [`TRACKING_LINK`]: the reader is on that page.
pub const TRACKING_LINK_ON_PAGE: &str = "this page";

/// Longest title.
pub const TITLE_MAX: usize = 200;

/// A saved response as sent by the API or the form.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    /// What editors pick it by, unique.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^([^{\x00-\x1f\x7f-\x9f]|\{(reader_name|article_title|tracking_link)\})*([^{\s\x00-\x1f\x7f-\x9f]|\{(reader_name|article_title|tracking_link)\})([^{\x00-\x1f\x7f-\x9f]|\{(reader_name|article_title|tracking_link)\})*$"
    )]
    pub title: String,
    /// The text, with `{reader_name}`, `{article_title}` and `{tracking_link}` as placeholders.
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = r"^([^{\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\{(reader_name|article_title|tracking_link)\})*([^{\s\x00-\x1f\x7f-\x9f]|\{(reader_name|article_title|tracking_link)\})([^{\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\{(reader_name|article_title|tracking_link)\})*$"
    )]
    pub body: String,
    /// `question` (to the reader) or `decision` (the reason for a decision).
    #[schema(value_type = ResponsePurpose)]
    pub purpose: String,
}

/// A saved response as the API answers it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponseView {
    /// Its id.
    pub id: i64,
    /// What editors pick it by.
    pub title: String,
    /// The text with its placeholders.
    pub body: String,
    /// What it is for.
    pub purpose: ResponsePurpose,
    /// Last change (RFC 3339).
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

impl From<SavedResponse> for ResponseView {
    fn from(r: SavedResponse) -> Self {
        Self { id: r.id, title: r.title, body: r.body, purpose: r.purpose, updated_at: r.updated_at.and_utc() }
    }
}

/// A list of saved responses.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponseList {
    /// By purpose, then title.
    pub items: Vec<ResponseView>,
}

/// Every saved response, by purpose then title.
pub fn list(conn: &mut DbConnection) -> Result<Vec<SavedResponse>, AppError> {
    Ok(SavedResponse::all(conn)?)
}

/// One saved response; 404 when there is none.
pub fn get(conn: &mut DbConnection, id: i64) -> Result<SavedResponse, AppError> {
    SavedResponse::find(conn, id)?.ok_or_else(|| AppError::NotFound(format!("no saved response has the number {id}")))
}

/// The placeholders in `text` that are not ones a response may use.
fn unknown_placeholders(text: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let Some(close) = after.find('}') else { break };
        let candidate = &after[..=close];
        let name = &candidate[1..candidate.len() - 1];
        let looks_like_one = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if looks_like_one && !PLACEHOLDERS.contains(&candidate) && !unknown.iter().any(|u| u == candidate) {
            unknown.push(candidate.to_owned());
        }
        rest = &after[1..];
    }
    unknown
}

/// Checks a field for placeholders it may not use.
fn check_placeholders(field: &str, text: &str, errors: &mut Vec<FieldError>) {
    let unknown = unknown_placeholders(text);
    if !unknown.is_empty() {
        errors.push(FieldError::new(
            field,
            format!(
                "uses {} {}, which Corrigenda cannot fill in: use only {}",
                if unknown.len() == 1 { "the placeholder" } else { "the placeholders" },
                unknown.join(", "),
                PLACEHOLDERS.join(", ")
            ),
        ));
    }
}

/// A checked response.
struct Valid {
    title: String,
    body: String,
    purpose: ResponsePurpose,
}

/// Why a saved response cannot take a title (409): another one has it.
pub const TITLE_TAKEN: &str = "the title is already used by another saved response: choose another";

/// Checks every field; all problems are reported, in form order.
fn validate(conn: &mut DbConnection, input: &ResponseInput, id: Option<i64>) -> Result<Valid, AppError> {
    let mut errors = Vec::new();
    let title = required_line("title", &input.title, TITLE_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
    let mut taken = false;
    if !title.is_empty() {
        check_placeholders("title", &title, &mut errors);
        taken = SavedResponse::titled(conn, &title)?.is_some_and(|other| Some(other) != id);
    }
    let body = required_text("body", &input.body, 1, REASON_MAX).map_err(|e| errors.push(e)).unwrap_or_default();
    check_placeholders("body", &body, &mut errors);
    let purpose = ResponsePurpose::parse(input.purpose.trim());
    if purpose.is_none() {
        errors.push(FieldError::new(
            "purpose",
            "must say what the response is for: question (to the reader) or decision (a decision's reason)",
        ));
    }
    match purpose.filter(|_| errors.is_empty()) {
        // A title another response holds is a conflict with what is saved, not a bad field.
        Some(_) if taken => Err(AppError::Conflict(TITLE_TAKEN.into())),
        Some(purpose) => Ok(Valid { title, body, purpose }),
        None => Err(AppError::Invalid(errors)),
    }
}

/// Refuses anyone but a standards editor.
fn may_change(actor: &Actor) -> Result<(), AppError> {
    if actor.role == Role::StandardsEditor {
        Ok(())
    } else {
        Err(AppError::Forbidden("only a standards editor may change the saved responses".into()))
    }
}

/// Adds a saved response (standards editors only).
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &ResponseInput,
    now: NaiveDateTime,
) -> Result<SavedResponse, AppError> {
    may_change(actor)?;
    let v = validate(conn, input, None)?;
    let id = SavedResponse::insert(conn, &v.title, &v.body, v.purpose, actor.id, now)?;
    get(conn, id)
}

/// Replaces a saved response (standards editors only).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    input: &ResponseInput,
    now: NaiveDateTime,
) -> Result<SavedResponse, AppError> {
    may_change(actor)?;
    get(conn, id)?;
    let v = validate(conn, input, Some(id))?;
    SavedResponse::update(conn, id, &v.title, &v.body, v.purpose, actor.id, now)?;
    get(conn, id)
}

/// Deletes a saved response (standards editors only). Reasons already sent keep their text.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: i64) -> Result<(), AppError> {
    may_change(actor)?;
    match SavedResponse::delete(conn, id)? {
        0 => Err(AppError::NotFound(format!("no saved response has the number {id}"))),
        _ => Ok(()),
    }
}

/// What a response is for, given the move it would give the reason of (none: the move takes no reason).
pub fn purpose_of(to: Status) -> ResponsePurpose {
    match to {
        Status::NeedsInfo => ResponsePurpose::Question,
        _ => ResponsePurpose::Decision,
    }
}

/// The response's text for one report: `{reader_name}` and `{article_title}` filled in,
/// `{tracking_link}` kept for the mail (see the module's notes).
pub fn fill(body: &str, report: &Report, article: &Article) -> String {
    let reader = report.reporter_name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or("reader");
    body.replace("{reader_name}", reader).replace("{article_title}", &article.title)
}

/// A saved response filled in for `report`, to prefill the reason of the move to `to`.
pub fn for_move(
    conn: &mut DbConnection,
    id: i64,
    to: Status,
    report: &Report,
    article: &Article,
) -> Result<String, AppError> {
    let response = SavedResponse::find(conn, id)?
        .ok_or_else(|| AppError::invalid("response", "is no longer there: choose another saved response"))?;
    if response.purpose != purpose_of(to) {
        return Err(AppError::invalid(
            "response",
            format!("is a {}, not one for this action: choose another", response.purpose.label().to_lowercase()),
        ));
    }
    Ok(fill(&response.body, report, article))
}

/// What the reader reads of a reason on their tracking page.
pub fn on_tracking_page(text: &str) -> String {
    text.replace(TRACKING_LINK, TRACKING_LINK_ON_PAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_known_placeholders_are_allowed() {
        assert!(unknown_placeholders("Dear {reader_name}, see {tracking_link} about {article_title}.").is_empty());
        assert_eq!(unknown_placeholders("Dear {name} and {name}, {x_y}"), ["{name}", "{x_y}"]);
        // Braces that are not placeholders are ordinary text.
        assert!(unknown_placeholders("a set {1, 2} and { } and {}").is_empty());
    }

    #[test]
    fn questions_answer_needs_info_and_decisions_the_rest() {
        assert_eq!(purpose_of(Status::NeedsInfo), ResponsePurpose::Question);
        for to in [Status::NoChange, Status::Rejected, Status::Duplicate, Status::InReview] {
            assert_eq!(purpose_of(to), ResponsePurpose::Decision);
        }
    }

    #[test]
    fn the_tracking_page_says_this_page() {
        assert_eq!(on_tracking_page("Follow it on {tracking_link}."), "Follow it on this page.");
    }
}
