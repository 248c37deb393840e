//! Pieces every list's query filters share: days, page sizes and date ranges.

use chrono::{NaiveDate, NaiveDateTime};

use crate::error::AppError;

/// A day given as `YYYY-MM-DD`.
pub fn day(field: &str, raw: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, format!("{raw:?} is not a date like 2026-11-28")))
}

/// A page size from 1 to `max`.
pub fn limit(raw: &str, max: i64) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| AppError::invalid("limit", format!("must be a number from 1 to {max}")))
}

/// Refuses a range whose end is before its start.
pub fn ordered(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(), AppError> {
    match (from, to) {
        (Some(from), Some(to)) if from > to => Err(AppError::invalid("to", "is before from")),
        _ => Ok(()),
    }
}

/// The times that bound whole days `from..=to` (UTC): on or after the first, before the second.
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
        assert_eq!(limit("0", 100).unwrap_err().field(), Some("limit"));
        assert_eq!(limit("100", 100).unwrap(), 100);
        let (a, b) = (day("from", "2026-11-28").unwrap(), day("to", "2026-11-01").unwrap());
        assert_eq!(ordered(Some(a), Some(b)).unwrap_err().field(), Some("to"));
        let (start, end) = day_bounds(Some(b), Some(b));
        assert_eq!(end.unwrap() - start.unwrap(), chrono::Duration::days(1), "the last day counts whole");
    }
}
