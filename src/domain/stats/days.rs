//! The figures from the per-day counts: `stats_days` holds, for every day of the publisher's
//! time zone, what the reports filed and the corrections published that day add to each
//! figure, kept by triggers in the writing transaction (see the `stats_days` migration).
//!
//! A period's counts are one range of that table's key, whatever the number of reports: at
//! most a few hundred rows a day, summed per month by the database. A median or p90 is found
//! in two steps: the histogram of durations (counted per day too) names the bucket holding
//! the rank and the rank inside it; that bucket's durations are then read in order from an
//! index on the duration, only as far as the rank.
//!
//! The days are those of the zone named in `stats_settings`, whose offsets `stats_zone`
//! lists: [`follow_zone`] rewrites both and counts everything again when the publisher's
//! time zone changes.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};

use super::{parse, Bind, Counts, Hours, Period, Query, CORRECTION_BUCKETS};
use crate::db::schema::{stats_settings, stats_zone};
use crate::db::vocabulary::{Cause, Found, Kind, Status};
use crate::db::{lock_counters, DbConnection};
use crate::error::AppError;

/// The time zone the per-day counts are kept in.
pub fn zone(conn: &mut DbConnection) -> Result<String, AppError> {
    Ok(stats_settings::table.select(stats_settings::zone).first::<String>(conn)?)
}

/// Keeps the per-day counts in `tz`'s days: when they are kept in another zone, writes `tz`'s
/// offsets and counts every report and correction again, in one transaction. Returns whether
/// it did (once per change of zone: a pass over both tables).
pub fn follow_zone(conn: &mut DbConnection, tz: Tz) -> Result<bool, AppError> {
    if zone(conn)? == tz.name() {
        return Ok(false);
    }
    conn.transaction(|conn| {
        if let DbConnection::Postgres(c) = conn {
            // A pass over every report may outlast a request's limit; it runs once per zone.
            diesel::connection::SimpleConnection::batch_execute(c, "SET LOCAL statement_timeout = 0")?;
        }
        lock_counters(conn)?;
        diesel::delete(stats_zone::table).execute(conn)?;
        // A few hundred rows at most, once per zone.
        for (starts, seconds) in offsets(tz) {
            diesel::insert_into(stats_zone::table)
                .values((stats_zone::starts.eq(starts), stats_zone::seconds.eq(seconds)))
                .execute(conn)?;
        }
        diesel::update(stats_settings::table).set(stats_settings::zone.eq(tz.name())).execute(conn)?;
        rebuild(conn)?;
        Ok(true)
    })
}

/// Counts every report and published correction again from the migration's views (the same
/// rows the triggers add one report or correction at a time).
pub fn rebuild(conn: &mut DbConnection) -> Result<(), AppError> {
    lock_counters(conn)?;
    diesel::sql_query("DELETE FROM stats_days").execute(conn)?;
    diesel::sql_query(
        "INSERT INTO stats_days (day, metric, key, n) \
         SELECT day, metric, key, COUNT(*) FROM stats_report_facts GROUP BY day, metric, key",
    )
    .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO stats_days (day, metric, key, n) \
         SELECT day, metric, key, COUNT(*) FROM stats_correction_facts WHERE 1 = 1 GROUP BY day, metric, key \
         ON CONFLICT (day, metric, key) DO UPDATE SET n = stats_days.n + excluded.n",
    )
    .execute(conn)?;
    Ok(())
}

/// The first and last years whose offsets are written; outside them the nearest year's hold.
const ZONE_YEARS: (i32, i32) = (1900, 2200);

/// `tz`'s offsets from UTC in seconds, each from the instant it took effect: one row per
/// change between [`ZONE_YEARS`], found day by day and then to the second.
fn offsets(tz: Tz) -> Vec<(NaiveDateTime, i32)> {
    let offset = |t: NaiveDateTime| tz.offset_from_utc_datetime(&t).fix().local_minus_utc();
    let at = |year: i32| NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default().and_time(chrono::NaiveTime::MIN);
    let (first, last) = (at(ZONE_YEARS.0), at(ZONE_YEARS.1));
    let mut current = offset(first);
    let mut out = vec![(at(1), current)];
    let mut day = first;
    while day < last {
        let next = day + Duration::days(1);
        let then = offset(next);
        if then != current {
            // The change lies in (day, next]: halve the interval, in whole seconds, to the second.
            let (mut before, mut after) = (0_i64, 86_400_i64);
            while after - before > 1 {
                let mid = (before + after) / 2;
                if offset(day + Duration::seconds(mid)) == current {
                    before = mid;
                } else {
                    after = mid;
                }
            }
            out.push((day + Duration::seconds(after), then));
            current = then;
        }
        day = next;
    }
    out
}

/// The SQL of the local day (`YYYY-MM-DD`) of the instant in `column`, as the views say it.
pub(super) fn local_day_sql(column: &str, postgres: bool) -> String {
    if postgres {
        format!("stats_day({column})")
    } else {
        format!(
            "date({column}, (SELECT z.seconds FROM stats_zone z WHERE z.starts <= {column} \
             ORDER BY z.starts DESC LIMIT 1) || ' seconds')"
        )
    }
}

#[derive(QueryableByName)]
struct DayCount {
    #[diesel(sql_type = Text)]
    month: String,
    #[diesel(sql_type = Text)]
    metric: String,
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = Double)]
    d: f64,
}

/// The counts of `period` from `stats_days`, summed per month, figure and value.
pub(super) fn counts(conn: &mut DbConnection, period: &Period) -> Result<Counts, AppError> {
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let mut q = Query::new(postgres);
    q.push("SELECT substr(day, 1, 7) AS month, metric, key, CAST(SUM(n) AS BIGINT) AS n FROM stats_days WHERE day >= ");
    let p = q.bind(Bind::Text(period.from.format("%Y-%m-%d").to_string()));
    q.push(&p);
    q.push(" AND day <= ");
    let p = q.bind(Bind::Text(period.to.format("%Y-%m-%d").to_string()));
    q.push(&p);
    q.push(" GROUP BY substr(day, 1, 7), metric, key HAVING SUM(n) <> 0");
    let rows: Vec<DayCount> = q.boxed().load(conn)?;

    let mut c = Counts::new(period);
    let mut decision: BTreeMap<i64, i64> = BTreeMap::new();
    let mut correction: BTreeMap<i64, i64> = BTreeMap::new();
    let id = |key: &str| parse("id", key, |k| k.parse::<i64>().ok());
    for row in rows {
        let month = c.monthly.iter().position(|m| m.month == row.month);
        let Some(month) = month else {
            return Err(AppError::Internal(anyhow::anyhow!("the figures met a day outside the period: {}", row.month)));
        };
        let n = row.n;
        match row.metric.as_str() {
            "status" => {
                c.add_status(parse("status", &row.key, Status::parse)?, n);
                c.monthly[month].reports += n;
            }
            "decided" => c.decided += n,
            "within" => c.within += n,
            "decision" => *decision.entry(id(&row.key)?).or_default() += n,
            "correction" => *correction.entry(id(&row.key)?).or_default() += n,
            "section" => c.sections.entry(row.key).or_default().0 += n,
            "assignee" => c.assigned.entry(id(&row.key)?).or_default().0 += n,
            "assignee_decided" => c.assigned.entry(id(&row.key)?).or_default().1 += n,
            "published" => {
                c.published += n;
                c.monthly[month].corrections += n;
            }
            "kind" => c.add_corrections(Some(parse("kind", &row.key, Kind::parse)?), None, None, n),
            "found" => c.add_corrections(None, Some(parse("found", &row.key, Found::parse)?), None, n),
            "cause" => c.add_corrections(None, None, Some(parse("cause", &row.key, Cause::parse)?), n),
            "standard" => *c.cited.entry(row.key).or_default() += n,
            "csection" => c.sections.entry(row.key).or_default().1 += n,
            "author" => *c.authors.entry(id(&row.key)?).or_default() += n,
            other => return Err(AppError::Internal(anyhow::anyhow!("the figures met an unknown count {other:?}"))),
        }
    }
    c.assigned.retain(|_, (assigned, decided)| *assigned != 0 || *decided != 0);
    c.time_to_decision_hours = percentiles(conn, period, "decided_at", &decision)?;
    c.time_to_correction_hours = percentiles(conn, period, "corrected_at", &correction)?;
    for (lo, n) in &correction {
        let bar = CORRECTION_BUCKETS.iter().rposition(|start| lo >= start).unwrap_or(0);
        c.time_to_correction_buckets[bar] += n;
    }
    Ok(c)
}

/// Median and p90 of `column - created_at` over the period's reports, from their histogram
/// (`histogram`: bucket start in seconds to count).
fn percentiles(
    conn: &mut DbConnection,
    period: &Period,
    column: &str,
    histogram: &BTreeMap<i64, i64>,
) -> Result<Hours, AppError> {
    let n: i64 = histogram.values().sum();
    if n <= 0 {
        return Ok(Hours { median: None, p90: None, n: 0 });
    }
    // 1-based ranks: the middle one or two, and the nearest rank of p90, ceil(0.9 n).
    let (low, high, p90_rank) = ((n + 1) / 2, n / 2 + 1, (9 * n + 9) / 10);
    let a = ranked(conn, period, column, histogram, low)?;
    let b = if high == low { a } else { ranked(conn, period, column, histogram, high)? };
    let p90 = ranked(conn, period, column, histogram, p90_rank)?;
    Ok(Hours { median: Some(super::hours((a + b) / 2.0)), p90: Some(super::hours(p90)), n })
}

/// The `rank`-th smallest duration (1-based) of the period: its bucket found in the
/// histogram, then read from the duration's index (`reports_decision_seconds` or
/// `reports_correction_seconds`), skipping the bucket's smaller ones in the period.
fn ranked(
    conn: &mut DbConnection,
    period: &Period,
    column: &str,
    histogram: &BTreeMap<i64, i64>,
    rank: i64,
) -> Result<f64, AppError> {
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let mut before = 0;
    let mut found = None;
    let mut buckets = histogram.iter().filter(|(_, n)| **n > 0).peekable();
    while let Some((lo, n)) = buckets.next() {
        if before + n >= rank {
            found = Some((*lo, buckets.peek().map(|(next, _)| **next)));
            break;
        }
        before += n;
    }
    let Some((lo, next)) = found else {
        return Err(AppError::Internal(anyhow::anyhow!("the histogram of {column} holds fewer than {rank}")));
    };
    // The expression of the index, word for word; SQLite, which keeps no statistics here,
    // would rather read the period's range and sort it, so it is told which index to use.
    let index = if column == "decided_at" { "reports_decision_seconds" } else { "reports_correction_seconds" };
    let from = if postgres { "reports".to_owned() } else { format!("reports INDEXED BY {index}") };
    let d = if postgres {
        format!("EXTRACT(EPOCH FROM ({column} - created_at))")
    } else {
        format!("ROUND((julianday({column}) - julianday(created_at)) * 86400.0, 3)")
    };
    let mut q = Query::new(postgres);
    q.push(&format!("SELECT CAST({d} AS DOUBLE PRECISION) AS d FROM {from} WHERE {column} IS NOT NULL"));
    // The first bucket also holds durations below zero; the next bucket with counts bounds this one.
    if lo > 0 {
        q.push(&format!(" AND {d} >= {lo}"));
    }
    if let Some(next) = next {
        q.push(&format!(" AND {d} < {next}"));
    }
    q.push(" AND ");
    q.range("created_at", period.start, period.end);
    q.push(&format!(" ORDER BY {d} LIMIT 1 OFFSET {}", rank - before - 1));
    let value: Option<Value> = q.boxed().get_result(conn).optional()?;
    value
        .map(|v| v.d)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the counts of {column} disagree with the reports")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn offsets_change_at_the_second_the_zone_does() {
        let berlin = offsets(chrono_tz::Europe::Berlin);
        assert!(berlin.contains(&(utc("2026-03-29 01:00:00"), 7200)), "summer time from 01:00 UTC");
        assert!(berlin.contains(&(utc("2026-10-25 01:00:00"), 3600)), "winter time from 01:00 UTC");
        let kolkata = offsets(chrono_tz::Asia::Kolkata);
        assert_eq!(kolkata.last().map(|o| o.1), Some(19_800), "+05:30");
        let utc_only = offsets(chrono_tz::UTC);
        assert_eq!(utc_only, vec![(utc("0001-01-01 00:00:00"), 0)]);
        // In order, each a change.
        assert!(berlin.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 != w[1].1));
    }

    #[test]
    fn the_pages_bars_are_sums_of_whole_buckets() {
        // Every bar's start is a bucket's start (the migration's `stats_buckets`).
        let mut buckets: Vec<i64> = (0..24).map(|h| h * 3600).collect();
        buckets.extend((24..=70).step_by(2).map(|h| h * 3600));
        buckets.extend((72..=162).step_by(6).map(|h| h * 3600));
        buckets.extend((7..=27).map(|d| d * 86_400));
        buckets.extend((4..=13).map(|w| w * 7 * 86_400));
        for start in CORRECTION_BUCKETS {
            assert!(buckets.contains(&start), "{start}");
        }
        let sql = include_str!("../../../migrations/sqlite/2026-12-01-000013_stats_days/up.sql");
        for bound in ["h < 23", "h + 2 FROM two WHERE h < 70", "h + 6 FROM six WHERE h < 162", "d < 27", "w < 13"] {
            assert!(sql.contains(bound), "{bound}");
        }
    }
}
