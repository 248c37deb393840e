//! The transparency figures: how many reports arrive and how they end, how fast they are
//! decided and corrected, and what the corrections are, for a period of the publisher's days.
//!
//! Everything is counted in the database (`GROUP BY` over a range of an index), never by
//! loading rows: reports by filing time through `reports_stats`, corrections by publication
//! time through `corrections_stats`, both covering indexes (see the `causes` migration).
//!
//! [`Stats`] is the answer: the public figures, plus [`Internal`] for standards editors and
//! auditors. Pages map it to their views; the API serialises it ([`Stats`] alone is the public
//! JSON, [`DeskStats`] the desk's).

use std::collections::{BTreeMap, HashMap};

pub mod days;

use chrono::{Datelike, Duration, LocalResult, Months, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamp};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use super::filters;
use super::workflow;
use crate::db::models::{StaffMember, Standard};
use crate::db::schema::articles;
use crate::db::vocabulary::{Cause, Found, Kind, Role, Status};
use crate::db::{DbConnection, MultiBackend};
use crate::error::AppError;

/// The longest period asked for, in years: the monthly series stays short.
pub const MAX_YEARS: u32 = 10;

/// What is asked: a period (days in the publisher's time zone, both inclusive) and filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsQuery {
    /// First day; default: the first day of the month eleven months before `to`'s.
    pub from: Option<NaiveDate>,
    /// Last day; default: today.
    pub to: Option<NaiveDate>,
    /// Only reports on, and corrections of, articles of this section.
    pub section: Option<String>,
    /// Only corrections citing this standard code (any version), and the reports they resolved.
    pub standard: Option<String>,
}

impl StatsQuery {
    /// The query parameters the figures take.
    pub const PARAMETERS: [&'static str; 4] = ["from", "to", "section", "standard"];

    /// Reads query pairs: a date that is not `YYYY-MM-DD` or an unknown parameter is 422 naming it.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, AppError> {
        let mut q = Self::default();
        for (key, value) in pairs {
            let value = value.trim();
            match key.as_str() {
                "from" => q.from = Some(filters::day("from", value)?),
                "to" => q.to = Some(filters::day("to", value)?),
                "section" if !value.is_empty() => q.section = Some(filters::text("section", value)?),
                "standard" if !value.is_empty() => q.standard = Some(filters::text("standard", value)?),
                "section" | "standard" => {
                    return Err(AppError::invalid(key.as_str(), "is empty: give a value or leave the parameter out"))
                }
                other => return Err(AppError::invalid(other, "is not a parameter of the figures")),
            }
        }
        Ok(q)
    }

    /// The period asked for, given today's date in the publisher's time zone.
    ///
    /// A `to` before `from`, or a period of more than [`MAX_YEARS`] years, is 422 naming `to`
    /// (or `from` when `to` was not given and `from` is after today).
    pub fn period(&self, today: NaiveDate, tz: Tz) -> Result<Period, AppError> {
        let to = self.to.unwrap_or(today);
        let from = match self.from {
            Some(from) => from,
            None => to.with_day(1).and_then(|d| d.checked_sub_months(Months::new(11))).unwrap_or(to),
        };
        let named = if self.to.is_some() { "to" } else { "from" };
        if to < from {
            return Err(AppError::invalid(named, format!("the period ends ({to}) before it starts ({from})")));
        }
        match from.checked_add_months(Months::new(12 * MAX_YEARS)) {
            Some(limit) if to < limit => {}
            _ => {
                return Err(AppError::invalid(
                    named,
                    format!("the period from {from} to {to} is longer than {MAX_YEARS} years"),
                ))
            }
        }
        let end_day = to.succ_opt().ok_or_else(|| AppError::invalid("to", "is too far in the future"))?;
        Ok(Period { from, to, start: start_of(from, tz), end: start_of(end_day, tz), tz })
    }
}

/// Where the time-to-correction histogram's buckets start, in seconds: under 1 hour, 1 to 6
/// hours, 6 to 24 hours, 1 to 3 days, 3 to 7 days, 7 days or more.
pub const CORRECTION_BUCKETS: [i64; 6] = [0, 3_600, 6 * 3_600, 24 * 3_600, 3 * 24 * 3_600, 7 * 24 * 3_600];

/// A period of whole days in the publisher's time zone, and its bounds as stored (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Its first day.
    pub from: NaiveDate,
    /// Its last day (inclusive).
    pub to: NaiveDate,
    /// The first instant of `from`, in UTC.
    pub start: NaiveDateTime,
    /// The first instant after `to`, in UTC (exclusive).
    pub end: NaiveDateTime,
    tz: Tz,
}

impl Period {
    /// Every month the period touches, with its part of the period in UTC: (YYYY-MM, start, end).
    fn months(&self) -> Vec<(String, NaiveDateTime, NaiveDateTime)> {
        let mut out = Vec::new();
        let mut first = self.from.with_day(1).unwrap_or(self.from);
        while first <= self.to {
            let next = first.checked_add_months(Months::new(1)).unwrap_or(first + Duration::days(31));
            let start = start_of(first, self.tz).max(self.start);
            let end = start_of(next, self.tz).min(self.end);
            out.push((first.format("%Y-%m").to_string(), start, end));
            first = next;
        }
        out
    }
}

/// The first instant of `day` in `tz`, as stored (UTC). Where midnight does not exist (a
/// clock moved forward at midnight), the first instant that does.
fn start_of(day: NaiveDate, tz: Tz) -> NaiveDateTime {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    for minutes in (0..=24 * 60).step_by(15) {
        let local = midnight + Duration::minutes(minutes);
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.naive_utc(),
            LocalResult::Ambiguous(earliest, _) => return earliest.naive_utc(),
            LocalResult::None => {}
        }
    }
    midnight
}

/// The figures of a period. Serialised, it is the public JSON (`GET /api/v1/stats`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Stats {
    /// The period's first day (YYYY-MM-DD, publisher's time zone).
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// The period's last day, inclusive.
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// Reports filed in the period, by their status now.
    pub reports: ReportCounts,
    /// Corrections published in the period (superseded ones included).
    pub corrections: CorrectionCounts,
    /// From filing to the first decision (corrected, no change, rejected or duplicate), for reports filed in the period.
    pub time_to_decision_hours: Hours,
    /// From filing to the publication of the correction that resolved it, for reports filed in the period.
    pub time_to_correction_hours: Hours,
    /// Of the decided reports filed in the period, the share (0 to 1) decided at or before their deadline; null when none.
    pub within_deadline_share: Option<f64>,
    /// Every standard of the catalogue with the corrections of the period citing it, most cited first.
    pub by_standard: Vec<StandardCount>,
    /// Every section with reports filed or corrections published in the period, by name.
    pub by_section: Vec<SectionCount>,
    /// Every month the period touches, zeros included, oldest first.
    pub monthly: Vec<MonthCount>,
    /// The reports counted in `time_to_correction_hours`, by how long the correction took:
    /// from each of [`CORRECTION_BUCKETS`] (included) to the next (excluded), the last open.
    /// For the pages' histogram; not part of the API's figures.
    #[serde(skip)]
    pub time_to_correction_buckets: [i64; 6],
    /// The staff-only figures; `None` when computed for the public (never serialised here: see [`DeskStats`]).
    #[serde(skip)]
    pub internal: Option<Internal>,
}

/// Reports filed in the period by their status now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReportCounts {
    /// All of them.
    pub received: i64,
    /// Not decided yet (new, triaged, in review, waiting for the reader, awaiting approval, appealed).
    pub open: i64,
    /// Corrected.
    pub corrected: i64,
    /// No change made.
    pub no_change: i64,
    /// Rejected.
    pub rejected: i64,
    /// Duplicates of another report.
    pub duplicate: i64,
}

/// Corrections published in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CorrectionCounts {
    /// How many.
    pub published: i64,
    /// By kind: every kind, zeros included.
    #[schema(value_type = std::collections::BTreeMap<String, i64>)]
    pub by_kind: Tally<Kind>,
    /// By how the error was found: every value, zeros included.
    #[schema(value_type = std::collections::BTreeMap<String, i64>)]
    pub by_found: Tally<Found>,
}

/// Counts per value of a vocabulary, every value in display order (zeros included);
/// serialised as a JSON object `{value: n}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally<K>(pub Vec<(K, i64)>);

impl<K: Copy + PartialEq> Tally<K> {
    /// The count of `key` (0 when absent).
    pub fn get(&self, key: K) -> i64 {
        self.0.iter().find(|(k, _)| *k == key).map_or(0, |(_, n)| *n)
    }

    fn zeros(all: &[K]) -> Self {
        Self(all.iter().map(|k| (*k, 0)).collect())
    }

    fn add(&mut self, key: K, n: i64) {
        if let Some(entry) = self.0.iter_mut().find(|(k, _)| *k == key) {
            entry.1 += n;
        }
    }
}

impl<K: std::fmt::Display> Serialize for Tally<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, n)| (k.to_string(), n)))
    }
}

/// Durations in hours: median (the mean of the two middle values for an even count), 90th
/// percentile (nearest rank), both rounded to one decimal and null when `n` is 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct Hours {
    /// The median.
    pub median: Option<f64>,
    /// The 90th percentile: the smallest duration at least 90 % of the durations do not exceed.
    pub p90: Option<f64>,
    /// How many durations.
    pub n: i64,
}

/// A standard and the corrections of the period that cite it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StandardCount {
    /// The standard's code.
    pub code: String,
    /// Its current title.
    pub title: String,
    /// Corrections published in the period citing it (any version).
    pub corrections: i64,
}

/// A section's reports and corrections in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SectionCount {
    /// The section's name.
    pub section: String,
    /// Reports filed in the period on its articles.
    pub reports: i64,
    /// Corrections published in the period of its articles.
    pub corrections: i64,
}

/// A month's reports and corrections (the part of the month inside the period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MonthCount {
    /// The month, YYYY-MM.
    pub month: String,
    /// Reports filed.
    pub reports: i64,
    /// Corrections published.
    pub corrections: i64,
}

/// The figures only standards editors and auditors see.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Internal {
    /// Corrections published in the period by cause: every cause, zeros included.
    #[schema(value_type = std::collections::BTreeMap<String, i64>)]
    pub by_cause: Tally<Cause>,
    /// Per editor: every active editor and standards editor, and anyone else with a figure, by name.
    pub editors: Vec<Workload>,
    /// Per author: who drafted the corrections published in the period, most first.
    pub authors: Vec<AuthorCount>,
}

/// An editor's workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Workload {
    /// Their account's id.
    pub user_id: i64,
    /// Their name.
    pub name: String,
    /// Reports filed in the period assigned to them now.
    pub assigned: i64,
    /// Of those, the decided ones.
    pub decided: i64,
    /// Reports assigned to them now that still need the desk and are past their deadline now (whenever filed).
    pub overdue_now: i64,
}

/// An author's corrections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AuthorCount {
    /// Their account's id.
    pub user_id: i64,
    /// Their name.
    pub name: String,
    /// Corrections they drafted that were published in the period.
    pub corrections: i64,
}

/// The desk's JSON (`GET /api/v1/desk/stats`): the public figures and the internal ones beside them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeskStats {
    /// The public figures.
    #[serde(flatten)]
    pub stats: Stats,
    /// The internal figures.
    #[serde(flatten)]
    pub internal: Internal,
}

impl TryFrom<Stats> for DeskStats {
    type Error = AppError;

    fn try_from(mut stats: Stats) -> Result<Self, AppError> {
        let internal = stats
            .internal
            .take()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the internal figures were not computed")))?;
        Ok(Self { stats, internal })
    }
}

/// Checks the filters against what exists: an unknown section or standard is 422 naming it.
pub fn check_filters(conn: &mut DbConnection, q: &StatsQuery) -> Result<(), AppError> {
    if let Some(section) = &q.section {
        let known: i64 = articles::table.filter(articles::section.eq(section)).count().get_result(conn)?;
        if known == 0 {
            return Err(AppError::invalid("section", format!("{section:?} is not a section of any article")));
        }
    }
    if let Some(code) = &q.standard {
        if Standard::current(conn, code)?.is_none() {
            return Err(AppError::invalid("standard", format!("{code:?} is not a standard in the catalogue")));
        }
    }
    Ok(())
}

/// Two numbers that grow with every change the public figures are counted from: the newest
/// event (filing or moving a report records one) and the public version (articles,
/// corrections, standards). Both are read through a primary key.
pub fn data_version(conn: &mut DbConnection) -> Result<(i64, i64), AppError> {
    use crate::db::schema::{events, public_version};
    let event = events::table.select(diesel::dsl::max(events::id)).first::<Option<i64>>(conn)?;
    let public = public_version::table.select(public_version::n).first::<i64>(conn).optional()?;
    Ok((event.unwrap_or(0), public.unwrap_or(0)))
}

/// Computes the figures of `period` (with the internal ones when `internal`); `now` dates "overdue now".
///
/// Unfiltered figures come from the per-day counts ([`days`]) when they are kept in the
/// period's time zone; filtered ones, or any while the counts follow another zone, are
/// counted from the indexes of reports and corrections.
pub fn compute(
    conn: &mut DbConnection,
    q: &StatsQuery,
    period: &Period,
    internal: bool,
    now: NaiveDateTime,
) -> Result<Stats, AppError> {
    let source = if q.section.is_none() && q.standard.is_none() { Source::Days } else { Source::Indexes };
    compute_from(conn, q, period, internal, now, source)
}

/// Where the counts of a period are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The per-day counts kept by triggers, when they follow the period's time zone (else the indexes).
    Days,
    /// The reports and corrections of the period, through their indexes.
    Indexes,
}

/// [`compute`], from the given source: both give the same figures (tested).
pub fn compute_from(
    conn: &mut DbConnection,
    q: &StatsQuery,
    period: &Period,
    internal: bool,
    now: NaiveDateTime,
    source: Source,
) -> Result<Stats, AppError> {
    check_filters(conn, q)?;
    // One snapshot for every figure (SQLite; PostgreSQL reads each at its statement's start).
    conn.transaction(|conn| {
        let f = Filter { q, postgres: matches!(conn, DbConnection::Postgres(_)) };
        let zoned = days::zone(conn)? == period.tz.name();
        let counted = source == Source::Days && q.section.is_none() && q.standard.is_none() && zoned;
        let counts = if counted { days::counts(conn, period)? } else { f.counts(conn, period, internal, zoned)? };
        counts.into_stats(conn, &f, period, internal, now)
    })
}

/// What a period adds up to, from either source, before it becomes [`Stats`].
struct Counts {
    reports: ReportCounts,
    /// Decided reports filed in the period, and those decided within their deadline.
    decided: i64,
    within: i64,
    time_to_decision_hours: Hours,
    time_to_correction_hours: Hours,
    time_to_correction_buckets: [i64; 6],
    published: i64,
    by_kind: Tally<Kind>,
    by_found: Tally<Found>,
    by_cause: Tally<Cause>,
    /// Corrections citing each standard code.
    cited: HashMap<String, i64>,
    /// Reports and corrections per section.
    sections: BTreeMap<String, (i64, i64)>,
    monthly: Vec<MonthCount>,
    /// Per assignee now: reports filed in the period, and of those the decided ones.
    assigned: BTreeMap<i64, (i64, i64)>,
    /// Per author: corrections published in the period.
    authors: BTreeMap<i64, i64>,
}

impl Counts {
    fn new(period: &Period) -> Self {
        Self {
            reports: ReportCounts::default(),
            decided: 0,
            within: 0,
            time_to_decision_hours: Hours::default(),
            time_to_correction_hours: Hours::default(),
            time_to_correction_buckets: [0; 6],
            published: 0,
            by_kind: Tally::zeros(Kind::ALL),
            by_found: Tally::zeros(Found::ALL),
            by_cause: Tally::zeros(Cause::ALL),
            cited: HashMap::new(),
            sections: BTreeMap::new(),
            monthly: period
                .months()
                .into_iter()
                .map(|(month, _, _)| MonthCount { month, reports: 0, corrections: 0 })
                .collect(),
            assigned: BTreeMap::new(),
            authors: BTreeMap::new(),
        }
    }

    /// Adds `n` reports with `status` now.
    fn add_status(&mut self, status: Status, n: i64) {
        let r = &mut self.reports;
        r.received += n;
        match status {
            Status::Corrected => r.corrected += n,
            Status::NoChange => r.no_change += n,
            Status::Rejected => r.rejected += n,
            Status::Duplicate => r.duplicate += n,
            _ => r.open += n,
        }
    }

    /// Adds `n` published corrections of `kind`, found by `found`, caused by `cause`.
    fn add_corrections(&mut self, kind: Option<Kind>, found: Option<Found>, cause: Option<Cause>, n: i64) {
        if let Some(kind) = kind {
            self.by_kind.add(kind, n);
        }
        if let Some(found) = found {
            self.by_found.add(found, n);
        }
        if let Some(cause) = cause {
            self.by_cause.add(cause, n);
        }
    }

    /// The figures: the standards' titles and the staff's names looked up, "overdue now" counted.
    fn into_stats(
        self,
        conn: &mut DbConnection,
        f: &Filter,
        period: &Period,
        internal: bool,
        now: NaiveDateTime,
    ) -> Result<Stats, AppError> {
        let mut by_standard: Vec<StandardCount> = Vec::new();
        for s in Standard::all_versions(conn)? {
            // Newest version first: the first of a code is its current title.
            if by_standard.last().is_some_and(|b| b.code == s.code) {
                continue;
            }
            let corrections = self.cited.get(&s.code).copied().unwrap_or(0);
            by_standard.push(StandardCount { code: s.code, title: s.title, corrections });
        }
        by_standard.sort_by(|a, b| b.corrections.cmp(&a.corrections).then_with(|| a.code.cmp(&b.code)));
        let by_section = self
            .sections
            .iter()
            .filter(|(_, (reports, corrections))| *reports != 0 || *corrections != 0)
            .map(|(section, (reports, corrections))| SectionCount {
                section: section.clone(),
                reports: *reports,
                corrections: *corrections,
            })
            .collect();
        let internal = if internal { Some(f.internal(conn, &self, now)?) } else { None };
        Ok(Stats {
            from: period.from,
            to: period.to,
            reports: self.reports,
            corrections: CorrectionCounts { published: self.published, by_kind: self.by_kind, by_found: self.by_found },
            time_to_decision_hours: self.time_to_decision_hours,
            time_to_correction_hours: self.time_to_correction_hours,
            within_deadline_share: (self.decided > 0).then(|| self.within as f64 / self.decided as f64),
            by_standard,
            by_section,
            monthly: self.monthly,
            time_to_correction_buckets: self.time_to_correction_buckets,
            internal,
        })
    }
}

impl Filter<'_> {
    /// The counts of `period`, from the indexes of reports (`reports_stats`) and corrections
    /// (`corrections_stats`): a `GROUP BY` or a count over the period's range of each.
    ///
    /// `zoned`: `stats_zone` holds the period's time zone, so the months are counted in one
    /// pass each (else one count per month).
    fn counts(
        &self,
        conn: &mut DbConnection,
        period: &Period,
        internal: bool,
        zoned: bool,
    ) -> Result<Counts, AppError> {
        let mut c = Counts::new(period);
        for row in self
            .reports(period.start, period.end, "r.status AS key, COUNT(*) AS n", " GROUP BY r.status")
            .load::<KeyCount>(conn)?
        {
            c.add_status(parse("status", &row.key, Status::parse)?, row.n);
        }

        let deadline: Deadline = self
            .reports(
                period.start,
                period.end,
                "COUNT(*) AS n, COALESCE(SUM(CASE WHEN r.decided_at <= r.deadline_at THEN 1 ELSE 0 END), 0) AS within",
                " AND r.decided_at IS NOT NULL",
            )
            .get_result(conn)?;
        (c.decided, c.within) = (deadline.n, deadline.within);
        c.time_to_decision_hours = self.hours(conn, period, "decided_at", deadline.n)?;
        let corrected: i64 = self
            .reports(period.start, period.end, "COUNT(*) AS n", " AND r.corrected_at IS NOT NULL")
            .get_result::<N>(conn)?
            .n;
        c.time_to_correction_hours = self.hours(conn, period, "corrected_at", corrected)?;
        c.time_to_correction_buckets = self.correction_buckets(conn, period)?;

        let kinds = self.corrections(
            period.start,
            period.end,
            "c.kind AS kind, c.found AS found, c.cause AS cause, COUNT(*) AS n",
            " GROUP BY c.kind, c.found, c.cause",
        );
        for row in kinds.load::<KindCount>(conn)? {
            c.published += row.n;
            c.add_corrections(Kind::parse(&row.kind), Found::parse(&row.found), Cause::parse(&row.cause), row.n);
        }

        c.cited = self
            .corrections_joined(
                period.start,
                period.end,
                " JOIN correction_standards cs ON cs.correction_id = c.id JOIN standards s ON s.id = cs.standard_id",
                "s.code AS key, COUNT(DISTINCT c.id) AS n",
                " GROUP BY s.code",
            )
            .load::<KeyCount>(conn)?
            .into_iter()
            .map(|r| (r.key, r.n))
            .collect();

        // Counted per article first, then each article's section looked up once: far fewer
        // lookups than one per report or correction.
        let per_section = |q: Query| -> Boxed {
            let mut q = q;
            q.sql = format!(
                "SELECT a.section AS key, CAST(SUM(x.n) AS BIGINT) AS n FROM ({}) x \
                 JOIN articles a ON a.id = x.article_id GROUP BY a.section",
                q.sql
            );
            q.boxed()
        };
        let by_article = "r.article_id AS article_id, COUNT(*) AS n";
        let reports_q = self.reports_query(period.start, period.end, "", by_article, " GROUP BY r.article_id");
        for row in per_section(reports_q).load::<KeyCount>(conn)? {
            c.sections.entry(row.key).or_default().0 += row.n;
        }
        let by_article = "c.article_id AS article_id, COUNT(*) AS n";
        let corrections_q = self.corrections_query(period.start, period.end, "", by_article, " GROUP BY c.article_id");
        for row in per_section(corrections_q).load::<KeyCount>(conn)? {
            c.sections.entry(row.key).or_default().1 += row.n;
        }

        if zoned {
            // Each row's local month from the zone's offsets: one pass over each table.
            let month = |column: &str| days::local_day_sql(column, self.postgres);
            let select = format!("substr({}, 1, 7) AS key, COUNT(*) AS n", month("r.created_at"));
            for row in self.reports(period.start, period.end, &select, " GROUP BY 1").load::<KeyCount>(conn)? {
                if let Some(m) = c.monthly.iter_mut().find(|m| m.month == row.key) {
                    m.reports += row.n;
                }
            }
            let select = format!("substr({}, 1, 7) AS key, COUNT(*) AS n", month("c.published_at"));
            for row in self.corrections(period.start, period.end, &select, " GROUP BY 1").load::<KeyCount>(conn)? {
                if let Some(m) = c.monthly.iter_mut().find(|m| m.month == row.key) {
                    m.corrections += row.n;
                }
            }
        } else {
            // One count per month from each index: the months stay in the publisher's time zone.
            for (month, (_, start, end)) in c.monthly.iter_mut().zip(period.months()) {
                month.reports = self.reports(start, end, "COUNT(*) AS n", "").get_result::<N>(conn)?.n;
                month.corrections = self.corrections(start, end, "COUNT(*) AS n", "").get_result::<N>(conn)?.n;
            }
        }

        if internal {
            let assigned: Vec<IdCount> = self
                .reports(
                    period.start,
                    period.end,
                    "r.assignee_id AS id, COUNT(*) AS n, \
                     COALESCE(SUM(CASE WHEN r.decided_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS decided",
                    " AND r.assignee_id IS NOT NULL GROUP BY r.assignee_id",
                )
                .load(conn)?;
            c.assigned = assigned.into_iter().map(|r| (r.id, (r.n, r.decided))).collect();
            // (The unused `decided` is cast: a bare 0 is a four-byte integer on PostgreSQL.)
            let authors: Vec<IdCount> = self
                .corrections(
                    period.start,
                    period.end,
                    "c.created_by AS id, COUNT(*) AS n, CAST(0 AS BIGINT) AS decided",
                    " GROUP BY c.created_by",
                )
                .load(conn)?;
            c.authors = authors.into_iter().map(|r| (r.id, r.n)).collect();
        }
        Ok(c)
    }
}

/// A stored vocabulary value read back: an unknown one is an error naming it.
fn parse<T>(what: &str, raw: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, AppError> {
    parse(raw).ok_or_else(|| AppError::Internal(anyhow::anyhow!("the figures met an unknown {what} {raw:?}")))
}

#[derive(QueryableByName)]
struct KeyCount {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct IdCount {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    decided: i64,
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Deadline {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    within: i64,
}

#[derive(QueryableByName)]
struct KindCount {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    found: String,
    #[diesel(sql_type = Text)]
    cause: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Seconds {
    #[diesel(sql_type = Nullable<Double>)]
    a: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    b: Option<f64>,
}

#[derive(QueryableByName)]
struct Buckets {
    #[diesel(sql_type = BigInt)]
    b0: i64,
    #[diesel(sql_type = BigInt)]
    b1: i64,
    #[diesel(sql_type = BigInt)]
    b2: i64,
    #[diesel(sql_type = BigInt)]
    b3: i64,
    #[diesel(sql_type = BigInt)]
    b4: i64,
    #[diesel(sql_type = BigInt)]
    b5: i64,
}

#[derive(QueryableByName)]
struct Ranked {
    #[diesel(sql_type = BigInt)]
    rn: i64,
    #[diesel(sql_type = Double)]
    d: f64,
}

/// Seconds as hours, rounded to one decimal.
fn hours(seconds: f64) -> f64 {
    (seconds / 360.0).round() / 10.0
}

/// The SQL of the figures' queries, with the period and the filters as bound parameters.
struct Filter<'a> {
    q: &'a StatsQuery,
    postgres: bool,
}

/// A query being written, with its parameters in order.
struct Query {
    sql: String,
    binds: Vec<Bind>,
    postgres: bool,
}

enum Bind {
    Text(String),
    Time(NaiveDateTime),
}

impl Query {
    fn new(postgres: bool) -> Self {
        Self { sql: String::new(), binds: Vec::new(), postgres }
    }

    /// Adds a parameter; returns its placeholder (raw SQL spells them per backend).
    fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        if self.postgres {
            format!("${}", self.binds.len())
        } else {
            "?".to_owned()
        }
    }

    fn push(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    /// Adds `{column} >= start AND {column} < end`.
    fn range(&mut self, column: &str, start: NaiveDateTime, end: NaiveDateTime) {
        let (from, to) = (self.bind(Bind::Time(start)), self.bind(Bind::Time(end)));
        self.push(&format!("{column} >= {from} AND {column} < {to}"));
    }

    /// Adds ` AND {column} IN` the ids of `section`'s articles.
    fn in_section(&mut self, column: &str, section: &str) {
        let p = self.bind(Bind::Text(section.to_owned()));
        self.push(&format!(" AND {column} IN (SELECT fa.id FROM articles fa WHERE fa.section = {p})"));
    }

    fn boxed(self) -> diesel::query_builder::BoxedSqlQuery<'static, MultiBackend, diesel::query_builder::SqlQuery> {
        let mut q = diesel::sql_query(self.sql).into_boxed::<MultiBackend>();
        for b in self.binds {
            q = match b {
                Bind::Text(t) => q.bind::<Text, _>(t),
                Bind::Time(t) => q.bind::<Timestamp, _>(t),
            };
        }
        q
    }
}

type Boxed = diesel::query_builder::BoxedSqlQuery<'static, MultiBackend, diesel::query_builder::SqlQuery>;

impl Filter<'_> {
    /// `SELECT {select} FROM reports r{join} WHERE` filed in [start, end) and filtered, then `{tail}`.
    fn reports_joined(&self, start: NaiveDateTime, end: NaiveDateTime, join: &str, select: &str, tail: &str) -> Boxed {
        self.reports_query(start, end, join, select, tail).boxed()
    }

    /// The same, still open to wrapping in an outer query.
    fn reports_query(&self, start: NaiveDateTime, end: NaiveDateTime, join: &str, select: &str, tail: &str) -> Query {
        let mut q = Query::new(self.postgres);
        q.push(&format!("SELECT {select} FROM reports r{join} WHERE "));
        q.range("r.created_at", start, end);
        self.report_filters(&mut q);
        q.push(tail);
        q
    }

    fn reports(&self, start: NaiveDateTime, end: NaiveDateTime, select: &str, tail: &str) -> Boxed {
        self.reports_joined(start, end, "", select, tail)
    }

    /// The section and standard filters on reports `r`: the section's articles as a set, and a
    /// lookup by key per report (the nested `EXISTS` starts from the report's own corrections,
    /// never from all of them).
    fn report_filters(&self, q: &mut Query) {
        if let Some(section) = &self.q.section {
            q.in_section("r.article_id", section);
        }
        if let Some(code) = &self.q.standard {
            let p = q.bind(Bind::Text(code.clone()));
            q.push(&format!(
                " AND EXISTS (SELECT 1 FROM correction_reports fcr WHERE fcr.report_id = r.id AND EXISTS (\
                 SELECT 1 FROM corrections fc JOIN correction_standards fcs ON fcs.correction_id = fc.id \
                 JOIN standards fs ON fs.id = fcs.standard_id \
                 WHERE fc.id = fcr.correction_id AND fc.status = 'published' AND fs.code = {p}))"
            ));
        }
    }

    /// `SELECT {select} FROM corrections c{join} WHERE` published in [start, end) and filtered, then `{tail}`.
    fn corrections_joined(
        &self,
        start: NaiveDateTime,
        end: NaiveDateTime,
        join: &str,
        select: &str,
        tail: &str,
    ) -> Boxed {
        self.corrections_query(start, end, join, select, tail).boxed()
    }

    /// The same, still open to wrapping in an outer query.
    fn corrections_query(
        &self,
        start: NaiveDateTime,
        end: NaiveDateTime,
        join: &str,
        select: &str,
        tail: &str,
    ) -> Query {
        let mut q = Query::new(self.postgres);
        q.push(&format!("SELECT {select} FROM corrections c{join} WHERE c.status = 'published' AND "));
        q.range("c.published_at", start, end);
        if let Some(section) = &self.q.section {
            q.in_section("c.article_id", section);
        }
        if let Some(code) = &self.q.standard {
            let p = q.bind(Bind::Text(code.clone()));
            q.push(&format!(
                " AND EXISTS (SELECT 1 FROM correction_standards fcs JOIN standards fs ON fs.id = fcs.standard_id \
                 WHERE fcs.correction_id = c.id AND fs.code = {p})"
            ));
        }
        q.push(tail);
        q
    }

    fn corrections(&self, start: NaiveDateTime, end: NaiveDateTime, select: &str, tail: &str) -> Boxed {
        self.corrections_joined(start, end, "", select, tail)
    }

    /// Median and p90 of `column - created_at` over the period's reports that have `column`
    /// (`n` of them).
    ///
    /// Computed in the database, never by reading the durations: PostgreSQL has the exact
    /// functions (`percentile_cont(0.5)` is the mean of the two middle values for an even
    /// count, `percentile_disc(0.9)` the nearest rank). SQLite has none, so it numbers the
    /// period's durations in order (`ROW_NUMBER()`, one sort) and hands back only the values at
    /// the median's and p90's ranks: memory here stays constant whatever the count.
    fn hours(&self, conn: &mut DbConnection, period: &Period, column: &str, n: i64) -> Result<Hours, AppError> {
        if n == 0 {
            return Ok(Hours { median: None, p90: None, n: 0 });
        }
        let cond = format!(" AND r.{column} IS NOT NULL");
        if self.postgres {
            let d = format!("EXTRACT(EPOCH FROM (r.{column} - r.created_at))::float8");
            let select = format!(
                "percentile_cont(0.5) WITHIN GROUP (ORDER BY {d}) AS a, percentile_disc(0.9) WITHIN GROUP (ORDER BY {d}) AS b"
            );
            let row: Seconds = self.reports(period.start, period.end, &select, &cond).get_result(conn)?;
            return Ok(Hours { median: row.a.map(hours), p90: row.b.map(hours), n });
        }
        let d = format!("(julianday(r.{column}) - julianday(r.created_at)) * 86400.0");
        // 1-based ranks: the middle one or two, and the nearest rank of p90, ceil(0.9 n).
        let (low, high, p90_rank) = ((n + 1) / 2, n / 2 + 1, (9 * n + 9) / 10);
        let mut q = self.reports_query(
            period.start,
            period.end,
            "",
            &format!("{d} AS d, ROW_NUMBER() OVER (ORDER BY {d}) AS rn"),
            &cond,
        );
        q.sql = format!("SELECT rn, d FROM ({}) ranked WHERE rn IN ({low}, {high}, {p90_rank})", q.sql);
        let ranked: HashMap<i64, f64> = q.boxed().load::<Ranked>(conn)?.into_iter().map(|r| (r.rn, r.d)).collect();
        let median = match (ranked.get(&low), ranked.get(&high)) {
            (Some(a), Some(b)) => Some((a + b) / 2.0),
            _ => None,
        };
        Ok(Hours { median: median.map(hours), p90: ranked.get(&p90_rank).copied().map(hours), n })
    }

    /// How many of the period's corrected reports fall in each of [`CORRECTION_BUCKETS`], counted
    /// in one pass over the period's reports. SQLite's day fractions are rounded to the
    /// millisecond, so a correction exactly an hour after its report counts as an hour, as on
    /// PostgreSQL.
    fn correction_buckets(&self, conn: &mut DbConnection, period: &Period) -> Result<[i64; 6], AppError> {
        let d = if self.postgres {
            "EXTRACT(EPOCH FROM (r.corrected_at - r.created_at))"
        } else {
            "ROUND((julianday(r.corrected_at) - julianday(r.created_at)) * 86400.0, 3)"
        };
        let select: Vec<String> = CORRECTION_BUCKETS
            .iter()
            .enumerate()
            .map(|(i, start)| {
                let below = CORRECTION_BUCKETS.get(i + 1).map(|end| format!(" AND {d} < {end}")).unwrap_or_default();
                format!("COALESCE(SUM(CASE WHEN {d} >= {start}{below} THEN 1 ELSE 0 END), 0) AS b{i}")
            })
            .collect();
        let row: Buckets = self
            .reports(period.start, period.end, &select.join(", "), " AND r.corrected_at IS NOT NULL")
            .get_result(conn)?;
        Ok([row.b0, row.b1, row.b2, row.b3, row.b4, row.b5])
    }

    /// The staff-only figures: `c`'s per editor and per author, and "overdue now".
    fn internal(&self, conn: &mut DbConnection, c: &Counts, now: NaiveDateTime) -> Result<Internal, AppError> {
        // Overdue now, whenever filed: the open tickets' own index (`reports_open_assignee`),
        // whose condition SQLite recognises only word for word. (The unused `decided` is cast:
        // a bare 0 is a four-byte integer on PostgreSQL, which `IdCount` cannot read.)
        let mut q = Query::new(self.postgres);
        let open = super::desk::status_sql(&workflow_open_listing(), self.postgres).replace("reports.", "r.");
        let deadline_counts: Vec<&str> =
            Status::ALL.iter().filter(|s| workflow::is_open(**s)).map(|s| s.as_str()).collect();
        q.push(&format!(
            "SELECT r.assignee_id AS id, COUNT(*) AS n, CAST(0 AS BIGINT) AS decided FROM reports r WHERE {open} AND r.status IN ({}) \
             AND r.assignee_id IS NOT NULL AND r.deadline_at < ",
            deadline_counts.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ")
        ));
        let p = q.bind(Bind::Time(now));
        q.push(&p);
        self.report_filters(&mut q);
        q.push(" GROUP BY r.assignee_id");
        let overdue: HashMap<i64, i64> = q.boxed().load::<IdCount>(conn)?.into_iter().map(|r| (r.id, r.n)).collect();

        let staff = StaffMember::all(conn)?;
        let name = |id: i64| staff.iter().find(|s| s.id == id).map_or_else(|| format!("#{id}"), |s| s.name.clone());
        let mut editors: Vec<Workload> = staff
            .iter()
            .filter(|s| !s.disabled && s.role != Role::Auditor)
            .map(|s| Workload { user_id: s.id, name: s.name.clone(), assigned: 0, decided: 0, overdue_now: 0 })
            .collect();
        let entry = |editors: &mut Vec<Workload>, id: i64| -> usize {
            match editors.iter().position(|w| w.user_id == id) {
                Some(i) => i,
                None => {
                    editors.push(Workload { user_id: id, name: name(id), assigned: 0, decided: 0, overdue_now: 0 });
                    editors.len() - 1
                }
            }
        };
        for (id, (assigned, decided)) in &c.assigned {
            let i = entry(&mut editors, *id);
            editors[i].assigned = *assigned;
            editors[i].decided = *decided;
        }
        for (id, n) in &overdue {
            let i = entry(&mut editors, *id);
            editors[i].overdue_now = *n;
        }
        editors.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
        let mut authors: Vec<AuthorCount> = c
            .authors
            .iter()
            .filter(|(_, n)| **n != 0)
            .map(|(id, n)| AuthorCount { user_id: *id, name: name(*id), corrections: *n })
            .collect();
        authors.sort_by(|a, b| b.corrections.cmp(&a.corrections).then_with(|| a.name.cmp(&b.name)));
        Ok(Internal { by_cause: c.by_cause.clone(), editors, authors })
    }
}

/// The statuses of the open tickets' partial indexes (the desk's open view).
fn workflow_open_listing() -> Vec<Status> {
    Status::ALL.iter().copied().filter(|s| !workflow::is_closed(*s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_default_period_is_the_last_twelve_months_to_today() {
        let p = StatsQuery::default().period(day("2026-12-01"), chrono_tz::UTC).unwrap();
        assert_eq!((p.from, p.to), (day("2026-01-01"), day("2026-12-01")));
        assert_eq!(p.months().len(), 12);
    }

    #[test]
    fn a_period_is_whole_days_in_the_publishers_time_zone() {
        let q = StatsQuery { from: Some(day("2026-07-01")), to: Some(day("2026-07-31")), ..Default::default() };
        let p = q.period(day("2026-12-01"), chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(p.start.to_string(), "2026-06-30 22:00:00");
        assert_eq!(p.end.to_string(), "2026-07-31 22:00:00");
    }

    #[test]
    fn bad_periods_name_the_field() {
        let today = day("2026-12-01");
        let reversed = StatsQuery { from: Some(day("2026-05-01")), to: Some(day("2026-04-30")), ..Default::default() };
        assert_eq!(reversed.period(today, chrono_tz::UTC).unwrap_err().field(), Some("to"));
        let future = StatsQuery { from: Some(day("2027-01-01")), ..Default::default() };
        assert_eq!(future.period(today, chrono_tz::UTC).unwrap_err().field(), Some("from"));
        let ten = StatsQuery { from: Some(day("2016-01-01")), to: Some(day("2025-12-31")), ..Default::default() };
        assert!(ten.period(today, chrono_tz::UTC).is_ok());
        let longer = StatsQuery { from: Some(day("2016-01-01")), to: Some(day("2026-01-01")), ..Default::default() };
        assert_eq!(longer.period(today, chrono_tz::UTC).unwrap_err().field(), Some("to"));
        for (key, value) in
            [("from", "2026-13-01"), ("to", "yesterday"), ("year", "2026"), ("section", " "), ("standard", "a\u{0}b")]
        {
            assert_eq!(StatsQuery::parse(&pairs(&[(key, value)])).unwrap_err().field(), Some(key), "{key}");
        }
    }

    #[test]
    fn hours_round_to_one_decimal() {
        assert_eq!(hours(5400.0), 1.5);
        assert_eq!(hours(3600.0 * 2.04), 2.0);
        assert_eq!(hours(3600.0 * 2.05 + 1.0), 2.1);
    }
}
