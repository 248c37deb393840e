//! Pieces every list's query filters share: days, page sizes and date ranges.

use chrono::{NaiveDate, NaiveDateTime};

use crate::error::AppError;

/// A day given as `YYYY-MM-DD`, exactly: four, two and two digits, as the API's schema says
/// (chrono alone would also take `2026-1-5` or a five-digit year).
pub fn day(field: &str, raw: &str) -> Result<NaiveDate, AppError> {
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    shaped
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| AppError::invalid(field, format!("{raw:?} is not a date like 2026-11-28")))
}

/// What [`text`] takes, as a JSON Schema pattern: something besides white space, and no control
/// character but in the white space around it, which is trimmed first (spelled out: regex
/// engines differ on what `\s` holds).
pub const FILTER_PATTERN: &str = r"^[\t\n\x0b\x0c\r\x85 ]*[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*[\t\n\x0b\x0c\r\x85 ]*$";

/// A filter's free text (a section, a standard's code, an address), refused when it holds a
/// control character: no stored value has one, and PostgreSQL refuses a NUL outright.
pub fn text(field: &str, raw: &str) -> Result<String, AppError> {
    if raw.chars().any(char::is_control) {
        return Err(AppError::invalid(field, "must be one line without control characters"));
    }
    Ok(raw.to_owned())
}

/// A page size from 1 to `max`.
pub fn limit(raw: &str, max: i64) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| AppError::invalid("limit", format!("must be a number from 1 to {max}")))
}

/// The shape of a page cursor, as the API's document gives it: every text of this shape is a
/// position the server takes, so the document says exactly which cursors are accepted.
pub const CURSOR_PATTERN: &str = r"^-?[0-9]{1,16}\.-?[0-9]{1,18}$";

/// Where a keyset page ends: the last row's sort key (microseconds since 1970 for a time, a
/// rank, or 0) and its id, written `KEY.ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The sort key.
    pub key: i64,
    /// The row's id, which breaks ties.
    pub id: i64,
}

impl Cursor {
    /// The cursor after a row sorted by a time.
    pub fn after_time(at: NaiveDateTime, id: i64) -> Self {
        Self { key: at.and_utc().timestamp_micros(), id }
    }

    /// Reads a cursor of [`CURSOR_PATTERN`]'s shape; anything else is 422 naming `cursor`.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let number = |s: &str, digits: usize| {
            let unsigned = s.strip_prefix('-').unwrap_or(s);
            let shaped = (1..=digits).contains(&unsigned.len()) && unsigned.bytes().all(|b| b.is_ascii_digit());
            shaped.then(|| s.parse::<i64>().ok()).flatten()
        };
        raw.split_once('.').and_then(|(key, id)| Some(Self { key: number(key, 16)?, id: number(id, 18)? })).ok_or_else(
            || AppError::invalid("cursor", "is not a cursor this server gave out; start again from the first page"),
        )
    }

    /// The key as a time (any key of 16 digits is one).
    pub fn time(&self) -> Result<NaiveDateTime, AppError> {
        chrono::DateTime::from_timestamp_micros(self.key)
            .map(|t| t.naive_utc())
            .ok_or_else(|| AppError::invalid("cursor", "is not a cursor this server gave out"))
    }

    /// The key as a rank, held within the rank's range.
    pub fn rank(&self) -> i32 {
        self.key.clamp(i32::MIN.into(), i32::MAX.into()) as i32
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.key, self.id)
    }
}

/// The times that bound whole days `from..=to` (UTC): on or after the first, before the second.
///
/// A `to` before `from` is an empty range, not an error: no schema can say which of two dates
/// is later, and what the API's document allows the server takes.
pub fn day_bounds(from: Option<NaiveDate>, to: Option<NaiveDate>) -> (Option<NaiveDateTime>, Option<NaiveDateTime>) {
    let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0);
    (from.and_then(start), to.and_then(|d| d.succ_opt()).and_then(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_limits_and_ranges_name_their_field() {
        assert_eq!(day("from", "yesterday").unwrap_err().field(), Some("from"));
        for loose in ["2026-1-05", "+2026-01-05", "20260-01-05", "2026-02-30"] {
            assert!(day("from", loose).is_err(), "{loose}");
        }
        assert_eq!(limit("0", 100).unwrap_err().field(), Some("limit"));
        assert_eq!(limit("100", 100).unwrap(), 100);
        let (a, b) = (day("from", "2026-11-28").unwrap(), day("to", "2026-11-01").unwrap());
        let (start, end) = day_bounds(Some(a), Some(b));
        assert!(end.unwrap() < start.unwrap(), "a reversed range matches nothing");
        let (start, end) = day_bounds(Some(b), Some(b));
        assert_eq!(end.unwrap() - start.unwrap(), chrono::Duration::days(1), "the last day counts whole");
    }

    #[test]
    fn cursors_of_the_documented_shape_are_all_taken_and_round_trip() {
        let at = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_micro_opt(9, 30, 0, 123_456).unwrap();
        let cursor = Cursor::after_time(at, 42);
        assert_eq!(Cursor::parse(&cursor.to_string()).unwrap(), cursor);
        assert_eq!(cursor.time().unwrap(), at);
        for taken in ["0.0", "-9999999999999999.-999999999999999999", "9999999999999999.999999999999999999"] {
            let c = Cursor::parse(taken).unwrap();
            assert!(c.time().is_ok(), "{taken}");
            assert_eq!(Cursor::parse(&c.to_string()).unwrap(), c);
        }
        for refused in
            ["", "1", ".1", "1.", "a.1", "1.1.1", "+1.1", "12345678901234567.1", "1.1234567890123456789", "%%%"]
        {
            assert_eq!(Cursor::parse(refused).unwrap_err().field(), Some("cursor"), "{refused}");
        }
        assert_eq!(Cursor { key: i64::MAX, id: 1 }.rank(), i32::MAX);
    }

    mod properties {
        use proptest::prelude::*;

        use crate::domain::cases;
        use crate::domain::filters::*;

        /// Whether `raw` has [`CURSOR_PATTERN`]'s shape (written out: the crate has no regex engine).
        fn cursor_shaped(raw: &str) -> bool {
            let number = |s: &str, digits: usize| {
                let unsigned = s.strip_prefix('-').unwrap_or(s);
                (1..=digits).contains(&unsigned.len()) && unsigned.bytes().all(|b| b.is_ascii_digit())
            };
            raw.split_once('.').is_some_and(|(key, id)| number(key, 16) && number(id, 18))
        }

        /// Cursor-like text: digits, dots and signs mostly, hostile characters sometimes.
        fn cursorish() -> impl Strategy<Value = String> {
            prop_oneof![
                "-?[0-9]{0,19}\\.?-?[0-9]{0,20}",
                (any::<i64>(), any::<i64>()).prop_map(|(k, i)| format!("{k}.{i}")),
                cases::text(),
            ]
        }

        proptest! {
            #![proptest_config(cases::config(512))]

            #[test]
            fn a_cursor_is_taken_exactly_when_it_has_the_documented_shape(raw in cursorish()) {
                match Cursor::parse(&raw) {
                    Ok(c) => {
                        prop_assert!(cursor_shaped(&raw), "{raw:?}");
                        prop_assert_eq!(Cursor::parse(&c.to_string()).unwrap(), c);
                        prop_assert!(c.time().is_ok(), "every key of the shape is a time");
                        let _ = c.rank();
                    }
                    Err(e) => {
                        prop_assert!(!cursor_shaped(&raw), "{raw:?}");
                        prop_assert_eq!(e.field(), Some("cursor"));
                    }
                }
            }

            #[test]
            fn every_cursor_the_server_writes_reads_back(
                key in -9_999_999_999_999_999_i64..=9_999_999_999_999_999,
                id in -999_999_999_999_999_999_i64..=999_999_999_999_999_999,
            ) {
                let c = Cursor { key, id };
                prop_assert_eq!(Cursor::parse(&c.to_string()).unwrap(), c);
            }

            #[test]
            fn a_day_is_taken_only_as_yyyy_mm_dd_and_reads_back(
                raw in prop_oneof!["[0-9+-]{0,3}[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,3}", cases::text()]
            ) {
                match day("from", &raw) {
                    Ok(d) => prop_assert_eq!(d.format("%Y-%m-%d").to_string(), raw),
                    Err(e) => prop_assert_eq!(e.field(), Some("from")),
                }
            }

            #[test]
            fn every_day_of_four_digit_years_is_taken(days in 0..3_652_059_i64) {
                let d = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Duration::days(days);
                prop_assert_eq!(day("to", &d.format("%Y-%m-%d").to_string()).unwrap(), d);
                let (start, end) = day_bounds(Some(d), Some(d));
                prop_assert!(start.is_some());
                prop_assert!(end.is_some());
            }

            #[test]
            fn a_limit_is_a_number_in_range_or_an_error_naming_limit(
                raw in prop_oneof!["[+-]?[0-9]{1,21}", cases::text()],
                max in 1..1000_i64,
            ) {
                match limit(&raw, max) {
                    Ok(n) => {
                        prop_assert!((1..=max).contains(&n));
                        prop_assert_eq!(raw.parse::<i64>().ok(), Some(n));
                    }
                    Err(e) => prop_assert_eq!(e.field(), Some("limit")),
                }
            }
        }
    }
}
