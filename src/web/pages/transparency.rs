//! The transparency figures as pages: `/transparency` for everyone, `/desk/transparency` with
//! the internal figures for standards editors and auditors, and `/transparency.csv`.
//!
//! The page's period form speaks of months, quarters, years and the annual report; it is
//! turned here into the `from` and `to` the figures take, so the pages, the CSV and the API
//! count the same days and refuse the same periods.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{Datelike, Months, NaiveDate, TimeZone};
use corrigenda_templates as views;

use super::corrections::{cell, csv_writer};
use crate::domain::filters;
use crate::domain::stats::{Hours, Internal, Stats, Tally};
use crate::error::AppError;
use crate::web::auth::{CanAudit, Signed};
use crate::web::extract::{last_value, query_pairs};
use crate::web::present::{field_error, fresh_public_page, html, public_headers, staff_layout, Naming};
use crate::web::{steps, AppState, State};

/// How the period form's errors name its fields.
const LABELS: Naming = Naming::Labels(&[
    ("period", "Period"),
    ("from", "Start date"),
    ("to", "End date"),
    ("year", "Year"),
    ("section", "Section"),
    ("standard", "Standard"),
]);

/// `GET /transparency`: the public figures for a period, with their charts.
pub async fn public(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let state: &AppState = &state;
    let pairs = query_pairs(&req);
    fresh_public_page(state, &req, |layout| async move {
        let (status, view) = page(state, &pairs, "/transparency", false).await?;
        Ok(html(status, views::transparency(&layout, &view.public)))
    })
    .await
}

/// `GET /desk/transparency`: the same, with where errors come from and who handles them.
pub async fn desk(state: State, req: HttpRequest, staff: Signed<CanAudit>) -> Result<HttpResponse, AppError> {
    let (status, view) = page(&state, &query_pairs(&req), "/desk/transparency", true).await?;
    Ok(html(status, views::desk_transparency(&staff_layout(&state, &staff), &view)))
}

/// `GET /transparency.csv`: the public figures as `figure,key,value` rows, named as in the JSON
/// of `GET /api/v1/stats` (a bad period is 422 naming the field, as on the page).
pub async fn csv(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let pairs = query_pairs(&req);
    let asked = Asked::parse(&pairs)?;
    let stats = steps::stats(&state, &asked.figures_query(&pairs), false).await?;
    let body = stats_csv(&stats)?;
    let name = format!("attachment; filename=\"transparency-{}-{}.csv\"", stats.from, stats.to);
    let mut response = HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, name))
        .body(body);
    public_headers(&mut response);
    Ok(response)
}

/// The page for `pairs`: 200 with the figures, or 422 with the period form's errors.
async fn page(
    state: &AppState,
    pairs: &[(String, String)],
    action: &str,
    internal: bool,
) -> Result<(u16, views::DeskTransparencyView), AppError> {
    let asked = Asked::parse(pairs);
    let shown = asked.as_ref().ok().cloned();
    let read = match asked {
        Ok(asked) => steps::stats(state, &asked.figures_query(pairs), internal).await,
        Err(e) => Err(e),
    };
    let today = state.config.timezone.from_utc_datetime(&state.now()).date_naive();
    let mut view = views::DeskTransparencyView {
        public: views::TransparencyView {
            action: action.to_owned(),
            period: period_form(pairs, action, today, shown.as_ref()),
            annual_year: match shown {
                Some(Asked::Annual(year)) => Some(year),
                _ => None,
            },
            ..Default::default()
        },
        internal: None,
    };
    let stats = match read {
        Ok(stats) => stats,
        Err(AppError::Invalid(errors)) => {
            view.public.period.errors = errors.into_iter().map(|e| field_error(LABELS, e)).collect();
            return Ok((422, view));
        }
        Err(other) => return Err(other),
    };
    let range = [("from".to_owned(), stats.from.to_string()), ("to".to_owned(), stats.to.to_string())];
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(range.iter().chain(&view.public.period.kept))
        .finish();
    view.public.csv_href = format!("/transparency.csv?{query}");
    view.public.json_href = Some(format!("/api/v1/stats?{query}"));
    view.public.narrowed = view.public.period.kept.iter().map(|(k, v)| narrowed(k, v)).collect();
    view.public.figures = Some(figures(&stats));
    view.internal = stats.internal.as_ref().map(internal_figures);
    Ok((200, view))
}

/// A filter the figures are narrowed by, in words.
fn narrowed(key: &str, value: &str) -> String {
    if key == "section" {
        format!("Only reports on, and corrections of, the section \u{201c}{value}\u{201d}.")
    } else {
        format!("Only corrections citing the standard \u{201c}{value}\u{201d}, and the reports they resolved.")
    }
}

/// The period forms as asked, and the ready-made periods around `today`, each keeping the
/// filters the page was asked with.
fn period_form(pairs: &[(String, String)], action: &str, today: NaiveDate, shown: Option<&Asked>) -> views::PeriodForm {
    let value = |key: &str| last_value(pairs, key).trim().to_owned();
    let kept: Vec<(String, String)> =
        PASSED_ON.iter().map(|k| ((*k).to_owned(), value(k))).filter(|(_, v)| !v.is_empty()).collect();
    let first_of_month = today.with_day(1).unwrap_or(today);
    let last_month = first_of_month.pred_opt().unwrap_or(today);
    let day = today.to_string();
    let links: [(String, Vec<(&str, String)>); 6] = [
        ("Last 12 months".to_owned(), vec![]),
        ("This month".to_owned(), vec![("period", "month".to_owned()), ("from", day.clone())]),
        ("Last month".to_owned(), vec![("period", "month".to_owned()), ("from", last_month.to_string())]),
        ("This quarter".to_owned(), vec![("period", "quarter".to_owned()), ("from", day.clone())]),
        ("This year".to_owned(), vec![("period", "year".to_owned()), ("from", day)]),
        (format!("Annual report {}", today.year() - 1), vec![("year", (today.year() - 1).to_string())]),
    ];
    let shortcuts = links
        .into_iter()
        .map(|(label, query)| {
            let pairs: Vec<(String, String)> = query.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
            let current = shown.is_some() && Asked::parse(&pairs).ok().as_ref() == shown;
            let query =
                url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs.iter().chain(&kept)).finish();
            let href = if query.is_empty() { action.to_owned() } else { format!("{action}?{query}") };
            views::PeriodLink { label, href, current }
        })
        .collect();
    views::PeriodForm {
        period: value("period"),
        from: value("from"),
        to: value("to"),
        year: value("year"),
        errors: Vec::new(),
        shortcuts,
        kept,
    }
}

/// A day for people, e.g. "1 January 2026".
fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A count for the views (counts are never negative).
fn n(count: i64) -> usize {
    usize::try_from(count).unwrap_or(0)
}

/// Counts per value of a vocabulary, with their keys and labels.
fn tally<K: Copy>(tally: &Tally<K>, name: fn(K) -> (&'static str, &'static str)) -> Vec<views::CountItem> {
    tally
        .0
        .iter()
        .map(|(k, count)| {
            let (key, label) = name(*k);
            views::CountItem { key: key.to_owned(), label: label.to_owned(), count: n(*count) }
        })
        .collect()
}

fn duration(h: &Hours) -> views::DurationFigures {
    views::DurationFigures { median: h.median, p90: h.p90, n: n(h.n) }
}

/// The public figures for the views.
fn figures(s: &Stats) -> views::StatsFigures {
    let r = &s.reports;
    views::StatsFigures {
        from: day(s.from),
        to: day(s.to),
        from_iso: s.from.to_string(),
        to_iso: s.to.to_string(),
        reports: views::ReportFigures {
            received: n(r.received),
            open: n(r.open),
            corrected: n(r.corrected),
            no_change: n(r.no_change),
            rejected: n(r.rejected),
            duplicate: n(r.duplicate),
        },
        corrections_published: n(s.corrections.published),
        by_kind: tally(&s.corrections.by_kind, |k| (k.as_str(), k.label())),
        by_found: tally(&s.corrections.by_found, |k| (k.as_str(), k.label())),
        time_to_decision: duration(&s.time_to_decision_hours),
        time_to_correction: duration(&s.time_to_correction_hours),
        time_to_correction_buckets: s.time_to_correction_buckets.map(n),
        within_deadline_share: s.within_deadline_share,
        by_standard: s
            .by_standard
            .iter()
            .map(|b| views::StandardFigure {
                code: b.code.clone(),
                title: b.title.clone(),
                corrections: n(b.corrections),
            })
            .collect(),
        by_section: s
            .by_section
            .iter()
            .map(|b| views::SectionFigure {
                section: b.section.clone(),
                reports: n(b.reports),
                corrections: n(b.corrections),
            })
            .collect(),
        monthly: s
            .monthly
            .iter()
            .map(|m| views::MonthFigure {
                month: m.month.clone(),
                reports: n(m.reports),
                corrections: n(m.corrections),
            })
            .collect(),
    }
}

/// The internal figures for the desk's view.
fn internal_figures(i: &Internal) -> views::InternalFigures {
    views::InternalFigures {
        by_cause: tally(&i.by_cause, |k| (k.as_str(), k.label())),
        editors: i
            .editors
            .iter()
            .map(|e| views::EditorWorkload {
                name: e.name.clone(),
                assigned: n(e.assigned),
                decided: n(e.decided),
                overdue: n(e.overdue_now),
            })
            .collect(),
        authors: i
            .authors
            .iter()
            .map(|a| views::AuthorFigure { name: a.name.clone(), corrections: n(a.corrections) })
            .collect(),
    }
}

/// A number as the JSON writes it (`70.0`, `0.875`, `12`), or empty for null.
fn number<T: serde::Serialize>(value: Option<T>) -> String {
    value.and_then(|v| serde_json::to_string(&v).ok()).unwrap_or_default()
}

/// The CSV of the public figures: a header, then one `figure,key,value` row per number. A
/// figure is the JSON's path to an object or list, the key the object's member or the list
/// item's name (a standard's code, a section, a month), so every row has its JSON twin.
fn stats_csv(s: &Stats) -> Result<Vec<u8>, AppError> {
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let mut row = |figure: &str, key: &str, value: String| rows.push((figure.to_owned(), key.to_owned(), value));
    row("from", "", s.from.to_string());
    row("to", "", s.to.to_string());
    let r = &s.reports;
    for (key, count) in [
        ("received", r.received),
        ("open", r.open),
        ("corrected", r.corrected),
        ("no_change", r.no_change),
        ("rejected", r.rejected),
        ("duplicate", r.duplicate),
    ] {
        row("reports", key, count.to_string());
    }
    row("corrections", "published", s.corrections.published.to_string());
    for (kind, count) in &s.corrections.by_kind.0 {
        row("corrections.by_kind", kind.as_str(), count.to_string());
    }
    for (found, count) in &s.corrections.by_found.0 {
        row("corrections.by_found", found.as_str(), count.to_string());
    }
    for (figure, h) in [
        ("time_to_decision_hours", &s.time_to_decision_hours),
        ("time_to_correction_hours", &s.time_to_correction_hours),
    ] {
        row(figure, "median", number(h.median));
        row(figure, "p90", number(h.p90));
        row(figure, "n", h.n.to_string());
    }
    row("within_deadline_share", "", number(s.within_deadline_share));
    for b in &s.by_standard {
        row("by_standard.title", &b.code, b.title.clone());
        row("by_standard.corrections", &b.code, b.corrections.to_string());
    }
    for b in &s.by_section {
        row("by_section.reports", &b.section, b.reports.to_string());
        row("by_section.corrections", &b.section, b.corrections.to_string());
    }
    for m in &s.monthly {
        row("monthly.reports", &m.month, m.reports.to_string());
        row("monthly.corrections", &m.month, m.corrections.to_string());
    }
    let mut out = csv_writer();
    let fail = |e: csv::Error| AppError::Internal(e.into());
    out.write_record(["figure", "key", "value"]).map_err(fail)?;
    for (figure, key, value) in &rows {
        out.write_record([cell(figure), cell(key), cell(value)]).map_err(fail)?;
    }
    out.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
}

/// The figures' own query parameters that the pages pass on as they are.
const PASSED_ON: [&str; 2] = ["section", "standard"];

/// What the period form asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Asked {
    /// Nothing: the figures' default period.
    Default,
    /// A range of days, either given or worked out from a month, quarter or year.
    Range { from: Option<String>, to: Option<String> },
    /// The annual report of a year.
    Annual(i32),
}

impl Asked {
    /// Reads the page's query: `year` (the annual report) first, else `period` with `from`
    /// (any day of the month, quarter or year) or `from` and `to` (a custom range).
    ///
    /// A year that is not one, an unknown period, or a month, quarter or year without a day in
    /// it is 422 naming the field; the days of a custom range are checked with the figures'.
    fn parse(pairs: &[(String, String)]) -> Result<Self, AppError> {
        let value = |key: &str| last_value(pairs, key).trim().to_owned();
        let year = value("year");
        if !year.is_empty() {
            return match year.parse::<i32>() {
                Ok(y) if (1000..=9999).contains(&y) => Ok(Self::Annual(y)),
                _ => Err(AppError::invalid("year", format!("{year:?} is not a year like 2026"))),
            };
        }
        let (period, from, to) = (value("period"), value("from"), value("to"));
        let given = |s: String| (!s.is_empty()).then_some(s);
        let months = match period.as_str() {
            "" | "custom" if from.is_empty() && to.is_empty() => return Ok(Self::Default),
            "" | "custom" => return Ok(Self::Range { from: given(from), to: given(to) }),
            "month" => 1,
            "quarter" => 3,
            "year" => 12,
            other => {
                return Err(AppError::invalid(
                    "period",
                    format!("{other:?} is not a period: choose month, quarter, year or custom"),
                ))
            }
        };
        if from.is_empty() {
            return Err(AppError::invalid("from", format!("is needed: give any day of the {period}")));
        }
        let (first, last) = enclosing(filters::day("from", &from)?, months);
        Ok(Self::Range { from: Some(first.to_string()), to: Some(last.to_string()) })
    }

    /// The figures' query: the period's days, and the filters passed on.
    fn figures_query(&self, pairs: &[(String, String)]) -> Vec<(String, String)> {
        let mut query: Vec<(String, String)> = match self {
            Self::Default => Vec::new(),
            Self::Range { from, to } => [("from", from), ("to", to)]
                .into_iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_owned(), v.clone())))
                .collect(),
            Self::Annual(year) => {
                vec![("from".into(), format!("{year}-01-01")), ("to".into(), format!("{year}-12-31"))]
            }
        };
        query.extend(pairs.iter().filter(|(k, _)| PASSED_ON.contains(&k.as_str())).cloned());
        query
    }
}

/// The first and last day of the calendar month, quarter (`months` 3) or year (12) that holds `day`.
fn enclosing(day: NaiveDate, months: u32) -> (NaiveDate, NaiveDate) {
    let start_month = (day.month0() / months) * months + 1;
    let first = NaiveDate::from_ymd_opt(day.year(), start_month, 1).unwrap_or(day);
    let last = first.checked_add_months(Months::new(months)).and_then(|d| d.pred_opt()).unwrap_or(day);
    (first, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn range(from: &str, to: &str) -> Asked {
        Asked::Range { from: Some(from.to_owned()), to: Some(to.to_owned()) }
    }

    fn field(result: Result<Asked, AppError>) -> String {
        result.unwrap_err().field().unwrap_or_default().to_owned()
    }

    #[test]
    fn months_quarters_and_years_hold_the_day_given() {
        let asked = |period, from| Asked::parse(&pairs(&[("period", period), ("from", from)])).unwrap();
        assert_eq!(asked("month", "2026-02-17"), range("2026-02-01", "2026-02-28"));
        assert_eq!(asked("month", "2024-02-01"), range("2024-02-01", "2024-02-29"));
        assert_eq!(asked("month", "2026-12-31"), range("2026-12-01", "2026-12-31"));
        assert_eq!(asked("quarter", "2026-05-31"), range("2026-04-01", "2026-06-30"));
        assert_eq!(asked("quarter", "2026-12-01"), range("2026-10-01", "2026-12-31"));
        assert_eq!(asked("quarter", "2026-01-01"), range("2026-01-01", "2026-03-31"));
        assert_eq!(asked("year", "2026-07-04"), range("2026-01-01", "2026-12-31"));
    }

    #[test]
    fn a_custom_range_is_passed_on_as_given() {
        let asked = Asked::parse(&pairs(&[("period", "custom"), ("from", "2026-03-05"), ("to", "x")])).unwrap();
        assert_eq!(asked, Asked::Range { from: Some("2026-03-05".into()), to: Some("x".into()) });
        let asked = Asked::parse(&pairs(&[("from", "2026-03-05")])).unwrap();
        assert_eq!(asked, Asked::Range { from: Some("2026-03-05".into()), to: None });
        assert_eq!(Asked::parse(&pairs(&[])).unwrap(), Asked::Default);
        assert_eq!(Asked::parse(&pairs(&[("period", ""), ("from", " "), ("to", "")])).unwrap(), Asked::Default);
    }

    #[test]
    fn the_annual_report_takes_the_whole_year() {
        let asked = Asked::parse(&pairs(&[("year", "2026"), ("period", "month"), ("from", "2020-01-01")])).unwrap();
        assert_eq!(asked, Asked::Annual(2026));
        assert_eq!(
            asked.figures_query(&pairs(&[("section", "Politics"), ("utm", "x")])),
            pairs(&[("from", "2026-01-01"), ("to", "2026-12-31"), ("section", "Politics")])
        );
    }

    #[test]
    fn bad_periods_name_their_field() {
        assert_eq!(field(Asked::parse(&pairs(&[("year", "20x6")]))), "year");
        assert_eq!(field(Asked::parse(&pairs(&[("year", "99999")]))), "year");
        assert_eq!(field(Asked::parse(&pairs(&[("period", "week"), ("from", "2026-01-01")]))), "period");
        assert_eq!(field(Asked::parse(&pairs(&[("period", "month")]))), "from");
        assert_eq!(field(Asked::parse(&pairs(&[("period", "quarter"), ("from", "2026-02-30")]))), "from");
    }
}
