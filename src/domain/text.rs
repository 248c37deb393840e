//! Checks shared by every text field a client can send.

use crate::error::FieldError;

/// What [`required_text`] takes, as a JSON Schema pattern: no control characters but tab and
/// line breaks, and something besides white space. (The derived schemas spell it out: their
/// attributes take only literals.)
pub const TEXT_PATTERN: &str =
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";
/// What [`required_line`] takes, as a JSON Schema pattern: no control characters, and
/// something besides white space.
pub const LINE_PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";
/// What an optional text takes: blank, or what [`required_text`] takes.
pub const ANY_TEXT_PATTERN: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

/// Web addresses [`http_url`] takes, as a JSON Schema pattern: http or https, a host of
/// letters, digits and hyphens (names that start with a letter, so never a bad IP address), and
/// a plain path. [`http_url`] takes more; this is what the document promises it takes.
pub const URL_PATTERN: &str = r"^https?://[a-z][a-z0-9-]{0,62}(\.[a-z][a-z0-9-]{0,62})*(/[A-Za-z0-9._~/-]*)?$";

/// Email addresses `accounts::parse_email` takes, as a JSON Schema pattern: a dot-atom of
/// at most 64 characters before the `@` (no leading, trailing or doubled dot), and a domain
/// of at least two labels. `parse_email` takes more; this is what the document promises.
pub const EMAIL_PATTERN: &str = r"^[A-Za-z0-9_%+-]{1,16}(\.[A-Za-z0-9_%+-]{1,15}){0,3}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";
/// What an optional email takes: blank, or what [`EMAIL_PATTERN`] takes.
pub const OPTIONAL_EMAIL_PATTERN: &str = r"^(|[A-Za-z0-9_%+-]{1,16}(\.[A-Za-z0-9_%+-]{1,15}){0,3}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)$";

/// Longest URL accepted anywhere.
pub const URL_MAX: usize = 2048;

/// A required single-line text: trimmed, 1..=max characters, no control characters.
pub fn required_line(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    check_length(field, value, max)?;
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(field, "must be a single line without control characters"));
    }
    Ok(value.to_owned())
}

/// An optional single-line text: blank becomes `None`.
pub fn optional_line(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required_line(field, v, max).map(Some),
    }
}

/// A required multi-line text: trimmed, line endings made `\n`, tabs and newlines allowed.
pub fn required_text(field: &str, value: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let value = value.replace("\r\n", "\n").replace('\r', "\n");
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    let count = value.chars().count();
    if count < min {
        return Err(FieldError::new(field, format!("is too short: write at least {min} characters")));
    }
    check_length(field, value, max)?;
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(FieldError::new(field, "contains control characters"));
    }
    Ok(value.to_owned())
}

fn check_length(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    let count = value.chars().count();
    if count > max {
        return Err(FieldError::new(field, format!("is too long: at most {max} characters (this has {count})")));
    }
    Ok(())
}

/// An absolute `http` or `https` URL with a host and no embedded credentials.
pub fn http_url(field: &str, value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    if value.len() > URL_MAX {
        return Err(FieldError::new(field, format!("is too long: at most {URL_MAX} bytes")));
    }
    let bad =
        || FieldError::new(field, format!("must be a web address starting with https:// or http://, not {value:?}"));
    let parsed = url::Url::parse(value).map_err(|_| bad())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(FieldError::new(field, "must not contain a user name or password"));
    }
    // Written out, escapes can make the address longer than what was sent: the limit holds
    // for what is stored, so the stored address reads back as itself.
    let url = parsed.to_string();
    if url.len() > URL_MAX {
        return Err(FieldError::new(field, format!("is too long once escaped: at most {URL_MAX} bytes")));
    }
    Ok(url)
}

/// Declares a string type for the API's document only: its length bounds and pattern, as the
/// server checks them (the value itself travels as a `String`).
#[macro_export]
macro_rules! text_schema {
    ($(#[$meta:meta])* $name:ident, $min:expr, $max:expr, $pattern:expr) => {
        $(#[$meta])*
        pub struct $name;

        impl utoipa::ToSchema for $name {}

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    .min_length($min)
                    .max_length(Some($max))
                    .pattern(Some($pattern))
                    .into()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_too_long_once_escaped_is_refused() {
        let raw = format!("https://a/{}", "A\u{0}".repeat(700));
        assert!(raw.len() <= URL_MAX);
        assert_eq!(http_url("evidence_urls", &raw).map_err(|e| e.field), Err("evidence_urls".into()));
    }

    #[test]
    fn required_line_trims_and_refuses_blank_long_and_control() {
        assert_eq!(required_line("t", "  Hello ", 10), Ok("Hello".into()));
        assert_eq!(required_line("t", "   ", 10).map_err(|e| e.message), Err("is required".into()));
        assert!(required_line("t", "abcdefghijk", 10).is_err());
        assert!(required_line("t", "a\u{0}b", 10).is_err());
        assert!(required_line("t", "a\nb", 10).is_err());
        // Length counts characters, not bytes.
        assert!(required_line("t", "éééééééééé", 10).is_ok());
    }

    #[test]
    fn required_text_keeps_newlines_and_counts_minimum() {
        assert_eq!(required_text("e", "line one\r\nline two", 3, 100), Ok("line one\nline two".into()));
        assert!(required_text("e", "short", 10, 100).is_err());
        assert!(required_text("e", "bell \u{7} here", 1, 100).is_err());
    }

    #[test]
    fn http_url_accepts_web_addresses_only() {
        assert_eq!(http_url("u", "https://example.com/a?b=1"), Ok("https://example.com/a?b=1".into()));
        for bad in [
            "javascript:alert(1)",
            "ftp://x.org/f",
            "example.com",
            "https://",
            "https://u:p@x.org/",
            "data:text/html,hi",
        ] {
            assert!(http_url("u", bad).is_err(), "{bad}");
        }
    }

    mod properties {
        use proptest::prelude::*;

        use crate::domain::cases;
        use crate::domain::text::*;

        /// Web-address-like text: a scheme, a host and a path, each possibly hostile.
        fn urlish() -> impl Strategy<Value = String> {
            let scheme = prop_oneof![
                Just("https://"),
                Just("http://"),
                Just("javascript:"),
                Just("HTTPS://"),
                Just("ftp://"),
                Just("//"),
                Just(""),
            ];
            prop_oneof![
                (scheme.clone(), cases::text(), cases::text()).prop_map(|(s, host, path)| format!("{s}{host}/{path}")),
                (scheme, "[a-z0-9.-]{1,20}", cases::text()).prop_map(|(s, host, path)| format!("{s}{host}{path}")),
                cases::text(),
            ]
        }

        proptest! {
            #![proptest_config(cases::config(512))]

            #[test]
            fn a_line_is_trimmed_bounded_and_without_control_characters(raw in cases::text(), max in 1..300_usize) {
                match required_line("title", &raw, max) {
                    Ok(line) => {
                        prop_assert_eq!(line.trim(), line.as_str());
                        prop_assert!(!line.is_empty() && line.chars().count() <= max);
                        prop_assert!(!line.chars().any(char::is_control));
                        prop_assert_eq!(required_line("title", &line, max), Ok(line.clone()));
                    }
                    Err(e) => prop_assert_eq!(e.field, "title"),
                }
            }

            #[test]
            fn a_text_keeps_only_tabs_and_newlines_of_the_control_characters(
                raw in cases::text(),
                min in 0..20_usize,
                max in 20..5000_usize,
            ) {
                match required_text("explanation", &raw, min, max) {
                    Ok(text) => {
                        let count = text.chars().count();
                        prop_assert!(count >= min.max(1) && count <= max);
                        prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{text:?}");
                        prop_assert_eq!(required_text("explanation", &text, min, max), Ok(text.clone()));
                    }
                    Err(e) => prop_assert_eq!(e.field, "explanation"),
                }
            }

            #[test]
            fn an_optional_line_is_none_when_blank_and_else_a_line(raw in proptest::option::of(cases::text())) {
                match optional_line("reporter_name", raw.as_deref(), 200) {
                    Ok(None) => prop_assert!(raw.as_deref().is_none_or(|r| r.trim().is_empty())),
                    Ok(Some(line)) => prop_assert!(!line.is_empty() && !line.chars().any(char::is_control)),
                    Err(e) => prop_assert_eq!(e.field, "reporter_name"),
                }
            }

            #[test]
            fn a_web_address_is_http_without_credentials_and_reads_back_as_itself(raw in urlish()) {
                match http_url("evidence_urls", &raw) {
                    Ok(url) => {
                        prop_assert!(url.starts_with("http://") || url.starts_with("https://"), "{url}");
                        prop_assert!(!url.chars().any(|c| c.is_control() || c.is_whitespace()), "{url:?}");
                        let parsed = url::Url::parse(&url).unwrap();
                        prop_assert!(parsed.username().is_empty() && parsed.password().is_none());
                        prop_assert!(parsed.host_str().is_some_and(|h| !h.is_empty()));
                        prop_assert_eq!(http_url("evidence_urls", &url), Ok(url.clone()));
                    }
                    Err(e) => prop_assert_eq!(e.field, "evidence_urls"),
                }
            }
        }
    }
}
