//! Suggested wordings: the newsroom's usual words for each kind of notice, which the
//! correction form starts from. Standards editors may replace the built-in wording of a
//! kind with their own; restoring the default deletes theirs.
//!
//! A wording's bracketed parts (`[what it said]`) are blanks for the editor to fill in:
//! nothing that still holds a blank of a built-in or a current wording is published.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::{Actor, Role};
use super::corrections::TEXT_MAX;
use super::text::required_text;
use crate::db::models::Wording;
use crate::db::vocabulary::Kind;
use crate::db::DbConnection;
use crate::error::{AppError, FieldError};

/// The built-in wording for a notice of `kind`, with blanks in brackets for the editor to fill in.
pub fn default_text(kind: Kind) -> &'static str {
    match kind {
        Kind::Correction => "An earlier version of this article misstated [what it said]. In fact, [what is right].",
        Kind::Clarification => "This article has been updated to clarify [what was unclear].",
        Kind::Update => "This article has been updated to reflect [what changed].",
        Kind::EditorsNote => "Editor's note: [what readers should know].",
        Kind::Retraction => "This article has been retracted because [why it does not meet our standards].",
    }
}

/// A wording as sent by the API or the form.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WordingInput {
    /// The wording, with blanks in square brackets, e.g. `[what it said]`.
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub text: String,
}

/// A kind's wording as the API answers it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WordingView {
    /// The kind of notice.
    pub kind: Kind,
    /// The wording the correction form starts from: the standards editors' own, or the default.
    pub text: String,
    /// The built-in wording.
    pub default: String,
    /// Whether a standards editor replaced the default.
    pub customised: bool,
    /// When the wording was last changed (RFC 3339); null for the default.
    #[serde(serialize_with = "crate::domain::time::rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<DateTime<Utc>>,
}

impl WordingView {
    /// The view of `kind` given its stored row, if it has one.
    fn of(kind: Kind, stored: Option<Wording>) -> Self {
        let default = default_text(kind).to_owned();
        match stored {
            Some(w) => Self { kind, text: w.text, default, customised: true, updated_at: Some(w.updated_at.and_utc()) },
            None => Self { kind, text: default.clone(), default, customised: false, updated_at: None },
        }
    }
}

/// Every kind's wording.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WordingList {
    /// One per kind, in the order the correction form lists the kinds.
    pub items: Vec<WordingView>,
}

/// Every kind's wording, in the order of [`Kind::ALL`].
pub fn list(conn: &mut DbConnection) -> Result<Vec<WordingView>, AppError> {
    let mut stored = Wording::all(conn)?;
    Ok(Kind::ALL
        .iter()
        .map(|&kind| {
            let row = stored.iter().position(|w| w.kind == kind).map(|i| stored.swap_remove(i));
            WordingView::of(kind, row)
        })
        .collect())
}

/// One kind's wording.
pub fn get(conn: &mut DbConnection, kind: Kind) -> Result<WordingView, AppError> {
    Ok(WordingView::of(kind, Wording::find(conn, kind)?))
}

/// The wording the correction form starts from for `kind`.
pub fn current(conn: &mut DbConnection, kind: Kind) -> Result<String, AppError> {
    Ok(get(conn, kind)?.text)
}

/// Refuses anyone but a standards editor.
fn may_change(actor: &Actor) -> Result<(), AppError> {
    if actor.role == Role::StandardsEditor {
        Ok(())
    } else {
        Err(AppError::Forbidden("only a standards editor may change the suggested wordings".into()))
    }
}

/// Replaces the wording of `kind` (standards editors only). Saving the default's very words
/// restores the default, so the kind follows any later change to it.
pub fn set(
    conn: &mut DbConnection,
    actor: &Actor,
    kind: Kind,
    input: &WordingInput,
    now: NaiveDateTime,
) -> Result<WordingView, AppError> {
    may_change(actor)?;
    let text = required_text("text", &input.text, 1, TEXT_MAX).map_err(|e| AppError::Invalid(vec![e]))?;
    if text == default_text(kind) {
        Wording::delete(conn, kind)?;
    } else {
        Wording::save(conn, kind, &text, actor.id, now).map_err(|e| match e {
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                AppError::Conflict(format!(
                    "the wording for {} was saved by someone else at the same moment: reload it and save again",
                    kind.label().to_lowercase()
                ))
            }
            other => other.into(),
        })?;
    }
    get(conn, kind)
}

/// Restores the built-in wording of `kind` (standards editors only); already the default is fine.
pub fn reset(conn: &mut DbConnection, actor: &Actor, kind: Kind) -> Result<WordingView, AppError> {
    may_change(actor)?;
    Wording::delete(conn, kind)?;
    get(conn, kind)
}

/// The bracketed blanks in `text`, e.g. `[what it said]`, each once, in order.
pub fn blanks_in(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open..];
        let Some(close) = after[1..].find(['[', ']']).map(|i| i + 1) else { break };
        let candidate = &after[..=close];
        let inside = &candidate[1..candidate.len() - 1];
        // `[` again before `]` starts a new candidate; a blank is written on one line.
        let is_blank = candidate.ends_with(']') && !inside.trim().is_empty() && !inside.contains('\n');
        if is_blank && !found.contains(&candidate) {
            found.push(candidate);
        }
        rest = if candidate.ends_with(']') { &after[close + 1..] } else { &after[close..] };
    }
    found
}

/// Every blank a text must not keep: those of each kind's built-in wording and of each wording
/// standards editors saved. Every kind's, not only the published kind's: an editor may change
/// the kind after the form filled the text box with another kind's wording.
pub fn blanks(conn: &mut DbConnection) -> Result<Vec<String>, AppError> {
    let stored = Wording::all(conn)?;
    let mut all: Vec<String> = Vec::new();
    let texts = Kind::ALL.iter().map(|&k| default_text(k)).chain(stored.iter().map(|w| w.text.as_str()));
    for text in texts {
        for blank in blanks_in(text) {
            if !all.iter().any(|b| b == blank) {
                all.push(blank.to_owned());
            }
        }
    }
    Ok(all)
}

/// Refuses a public text that still has one of `blanks` in it.
pub fn no_blanks_left(text: &str, blanks: &[String]) -> Result<(), FieldError> {
    match blanks.iter().find(|b| text.contains(b.as_str())) {
        Some(blank) => Err(FieldError::new("text", format!("still has the blank {blank}: replace it with the facts"))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_wordings_have_their_blanks() {
        let blanks: Vec<&str> = Kind::ALL.iter().flat_map(|&k| blanks_in(default_text(k))).collect();
        assert_eq!(
            blanks,
            [
                "[what it said]",
                "[what is right]",
                "[what was unclear]",
                "[what changed]",
                "[what readers should know]",
                "[why it does not meet our standards]",
            ]
        );
    }

    #[test]
    fn a_blank_is_a_bracketed_phrase_on_one_line() {
        assert_eq!(blanks_in("It said [the figure], not [the figure] or [the date]."), ["[the figure]", "[the date]"]);
        assert_eq!(blanks_in("[a [b] c] and [ ] and []"), ["[b]"]);
        assert_eq!(blanks_in("[across\nlines] and [unclosed"), Vec::<&str>::new());
        assert_eq!(blanks_in("Ünïcödé [wörds] ok"), ["[wörds]"]);
    }

    #[test]
    fn a_text_with_a_blank_left_is_refused_naming_it() {
        let blanks = vec!["[the figure]".to_owned(), "[what it said]".to_owned()];
        let error = no_blanks_left("The figure was [the figure].", &blanks).unwrap_err();
        assert_eq!(error.field, "text");
        assert_eq!(error.message, "still has the blank [the figure]: replace it with the facts");
        assert!(no_blanks_left("The figure was 12 [sic].", &blanks).is_ok());
    }
}
