//! Times in the domain are `DateTime<Utc>`; this is how they leave it as text.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};

/// A stored (UTC) time as a domain time.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Serialises a time as RFC 3339 in UTC, to the second (`2026-12-01T10:00:00Z`), as the API documents.
pub fn rfc3339<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// The same for an optional time (null when absent).
pub fn rfc3339_opt<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => rfc3339(t, s),
        None => s.serialize_none(),
    }
}
