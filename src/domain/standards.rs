//! The standards catalogue: every version kept, corrections cite the version they were judged against.

use chrono::NaiveDateTime;

use super::accounts::{Actor, Role};
use super::text::{required_line, required_text};
use crate::db::models::Standard;
use crate::db::DbConnection;
use crate::error::{AppError, FieldError};

/// A standard with its earlier versions (newest first).
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// The current version.
    pub current: Standard,
    /// Earlier versions, newest first.
    pub earlier: Vec<Standard>,
}

/// The catalogue, the corrections policy first, then by title.
pub fn catalogue(conn: &mut DbConnection) -> Result<Vec<Catalogue>, AppError> {
    let mut out: Vec<Catalogue> = Vec::new();
    for s in Standard::all_versions(conn)? {
        match out.last_mut() {
            Some(entry) if entry.current.code == s.code => entry.earlier.push(s),
            _ => out.push(Catalogue { current: s, earlier: Vec::new() }),
        }
    }
    out.sort_by(|a, b| {
        (a.current.code != "corrections", a.current.title.to_lowercase())
            .cmp(&(b.current.code != "corrections", b.current.title.to_lowercase()))
    });
    Ok(out)
}

/// Checks a standard's code: lowercase letters, digits and hyphens.
fn parse_code(raw: &str) -> Result<String, FieldError> {
    let code = raw.trim();
    let ok = !code.is_empty()
        && code.len() <= 40
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-');
    if ok {
        Ok(code.to_owned())
    } else {
        Err(FieldError::new("code", "must be 1 to 40 lowercase letters, digits and hyphens, like right-of-reply"))
    }
}

/// Adds a standard, or publishes a new version when the code exists (standards editors only).
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    code: &str,
    title: &str,
    text: &str,
    now: NaiveDateTime,
) -> Result<i32, AppError> {
    if actor.role != Role::StandardsEditor {
        return Err(AppError::Forbidden("only a standards editor may change the standards".into()));
    }
    let mut errors = Vec::new();
    let code = parse_code(code).map_err(|e| errors.push(e)).unwrap_or_default();
    let title = required_line("title", title, 200).map_err(|e| errors.push(e)).unwrap_or_default();
    let text = required_text("text", text, 20, 20_000).map_err(|e| errors.push(e)).unwrap_or_default();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let version = Standard::current(conn, &code)?.map_or(1, |s| s.version + 1);
    Standard::insert(conn, &code, version, &title, &text, actor.id, now)?;
    Ok(version)
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_slugs() {
        assert!(super::parse_code("right-of-reply").is_ok());
        for bad in ["", "Accuracy", "a b", "-x", "x/y", &"a".repeat(41)] {
            assert!(super::parse_code(bad).is_err(), "{bad}");
        }
    }
}
