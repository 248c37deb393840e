//! The transparency figures: the public page, the desk's version with the internal figures, and
//! their charts, drawn here as inline SVG so that no script is needed to see them.
//!
//! Every chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>`, and
//! is followed by a visible table of the same numbers: the table is what a screen reader, a
//! printout and a reader who wants exact figures use, the chart is the picture.

use maud::{html, Markup};

use crate::forms::FieldError;
use crate::layout::Layout;
use crate::partials::{count, error_summary, field_error, form_group, id_safe, messages_for, Field};

/// `/transparency` and `/desk/transparency`: the figures for a period.
#[derive(Debug, Clone, Default)]
pub struct TransparencyView {
    /// Where the period forms send their GET: `/transparency` or `/desk/transparency`.
    pub action: String,
    /// What the period forms show.
    pub period: PeriodForm,
    /// The figures; `None` when the period asked for is invalid, and the page shows why.
    pub figures: Option<StatsFigures>,
    /// The year of the annual report, when the page was asked for with `?year=`.
    pub annual_year: Option<i32>,
    /// The same figures as CSV.
    pub csv_href: String,
    /// The same figures as JSON, when the reader may fetch them.
    pub json_href: Option<String>,
    /// What the figures are narrowed to, in words, e.g. "Only the section “World”."; empty for all.
    pub narrowed: Vec<String>,
}

/// The desk's version: the public figures and those only standards editors and auditors see.
#[derive(Debug, Clone, Default)]
pub struct DeskTransparencyView {
    pub public: TransparencyView,
    /// `None` when the period asked for is invalid.
    pub internal: Option<InternalFigures>,
}

/// The period chosen, as the forms show it, with what was wrong with it.
#[derive(Debug, Clone, Default)]
pub struct PeriodForm {
    /// Radio `period`: `month`, `quarter`, `year` or `custom` ("" when none was asked for).
    pub period: String,
    /// Date input `from` (YYYY-MM-DD), as typed: the first day of a custom range, or any day of
    /// the month, quarter or year.
    pub from: String,
    /// Date input `to` (YYYY-MM-DD), as typed: the last day of a custom range.
    pub to: String,
    /// Number input `year` of the annual report form, as typed.
    pub year: String,
    /// Problems with the fields above, each naming its field.
    pub errors: Vec<FieldError>,
    /// Ready-made periods, e.g. "Last 12 months" or "2026".
    pub shortcuts: Vec<PeriodLink>,
    /// Query pairs both forms keep as hidden fields, e.g. a section filter.
    pub kept: Vec<(String, String)>,
}

/// A link to a ready-made period.
#[derive(Debug, Clone, Default)]
pub struct PeriodLink {
    pub label: String,
    pub href: String,
    /// Whether it is the period shown.
    pub current: bool,
}

/// The public figures of one period (the JSON of `GET /api/v1/stats`).
#[derive(Debug, Clone, Default)]
pub struct StatsFigures {
    /// The first and last day, formatted, e.g. "1 January 2026".
    pub from: String,
    pub to: String,
    /// The same days as YYYY-MM-DD, for `<time datetime>`.
    pub from_iso: String,
    pub to_iso: String,
    /// Reports filed in the period, by their current status.
    pub reports: ReportFigures,
    /// Corrections published in the period, superseded ones included.
    pub corrections_published: usize,
    /// Corrections by kind, e.g. ("correction", "Correction", 4).
    pub by_kind: Vec<CountItem>,
    /// Corrections by how the error was found, e.g. ("reader_report", "Reported by a reader", 3).
    pub by_found: Vec<CountItem>,
    /// From filing to the first decision, for reports filed in the period.
    pub time_to_decision: DurationFigures,
    /// From filing to the publication of the correction that resolved the report.
    pub time_to_correction: DurationFigures,
    /// The times to correction counted in [`TIME_BUCKETS`], in that order.
    pub time_to_correction_buckets: [usize; 6],
    /// Of the decided reports filed in the period, the share (0 to 1) decided at or before their
    /// deadline; `None` when none was decided.
    pub within_deadline_share: Option<f64>,
    /// Corrections per standard breached, most first.
    pub by_standard: Vec<StandardFigure>,
    /// Reports and corrections per section of the publication.
    pub by_section: Vec<SectionFigure>,
    /// Every month of the period in order, months with nothing included.
    pub monthly: Vec<MonthFigure>,
}

/// Reports filed in the period, by their current status.
#[derive(Debug, Clone, Default)]
pub struct ReportFigures {
    pub received: usize,
    /// Not yet decided.
    pub open: usize,
    pub corrected: usize,
    pub no_change: usize,
    pub rejected: usize,
    pub duplicate: usize,
}

/// A count under a machine key and its label.
#[derive(Debug, Clone, Default)]
pub struct CountItem {
    pub key: String,
    pub label: String,
    pub count: usize,
}

/// The median and 90th percentile of a duration, in hours, over `n` reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct DurationFigures {
    /// `None` when `n` is 0.
    pub median: Option<f64>,
    /// `None` when `n` is 0.
    pub p90: Option<f64>,
    pub n: usize,
}

/// Corrections that named one standard as breached.
#[derive(Debug, Clone, Default)]
pub struct StandardFigure {
    pub code: String,
    pub title: String,
    pub corrections: usize,
}

/// One section's reports and corrections.
#[derive(Debug, Clone, Default)]
pub struct SectionFigure {
    pub section: String,
    pub reports: usize,
    pub corrections: usize,
}

/// One month's reports and corrections.
#[derive(Debug, Clone, Default)]
pub struct MonthFigure {
    /// YYYY-MM.
    pub month: String,
    pub reports: usize,
    pub corrections: usize,
}

/// The figures only standards editors and auditors see (the extra JSON of `GET /api/v1/desk/stats`).
#[derive(Debug, Clone, Default)]
pub struct InternalFigures {
    /// Corrections by the cause of the error, e.g. ("editing", "Editing", 2).
    pub by_cause: Vec<CountItem>,
    /// Each editor's workload.
    pub editors: Vec<EditorWorkload>,
    /// Corrections published in the period per staff member who drafted them, most first.
    pub authors: Vec<AuthorFigure>,
}

/// One editor's workload.
#[derive(Debug, Clone, Default)]
pub struct EditorWorkload {
    pub name: String,
    /// Reports filed in the period and assigned to them now.
    pub assigned: usize,
    /// Of those, the decided ones.
    pub decided: usize,
    /// Reports assigned to them now that are past their deadline and still open, whenever filed.
    pub overdue: usize,
}

/// The corrections one staff member drafted.
#[derive(Debug, Clone, Default)]
pub struct AuthorFigure {
    pub name: String,
    pub corrections: usize,
}

/// The time-to-correction buckets, each from its lower bound (included) to the next one's
/// (excluded): under 1 hour, 1 to 6 hours, 6 to 24 hours, 1 to 3 days, 3 to 7 days, 7 days or
/// more. As (label in the table, label on the chart's axis).
pub const TIME_BUCKETS: [(&str, &str); 6] = [
    ("Under 1 hour", "<1 h"),
    ("1 to 6 hours", "1–6 h"),
    ("6 to 24 hours", "6–24 h"),
    ("1 to 3 days", "1–3 d"),
    ("3 to 7 days", "3–7 d"),
    ("7 days or more", "7+ d"),
];

/// The periods of the period form, as (value, label).
const PERIODS: [(&str, &str); 4] =
    [("month", "Month"), ("quarter", "Quarter"), ("year", "Year"), ("custom", "Custom range")];

/// The form fields, in the order the error summary lists them.
const FIELDS: [&str; 4] = ["period", "from", "to", "year"];

/// The public page.
pub fn transparency(layout: &Layout, view: &TransparencyView) -> Markup {
    let title = page_title(view);
    layout.public_page(&title, page_body(layout, view, None))
}

/// The desk's page: the public figures, then the internal ones.
pub fn desk_transparency(layout: &Layout, view: &DeskTransparencyView) -> Markup {
    let title = page_title(&view.public);
    layout.page(&title, page_body(layout, &view.public, view.internal.as_ref()))
}

/// "Transparency figures", "Annual report 2026", with "Error: " first when the period is invalid.
fn page_title(view: &TransparencyView) -> String {
    let title = match view.annual_year {
        Some(year) => format!("Annual report {year}"),
        None => "Transparency figures".to_owned(),
    };
    if view.period.errors.is_empty() {
        title
    } else {
        format!("Error: {title}")
    }
}

fn page_body(layout: &Layout, view: &TransparencyView, internal: Option<&InternalFigures>) -> Markup {
    html! {
        div.transparency {
            @match view.annual_year {
                Some(year) => h1 { (layout.publication) ": corrections annual report " (year) },
                None => h1 { "Transparency figures" },
            }
            p.lead.measure {
                "How many errors readers report to us, what we decide, how quickly, and what we correct. "
                "Every number here is counted from our records of reports and published corrections."
            }
            @if let Some(figures) = &view.figures {
                p.period-shown {
                    "Period: " time datetime=(figures.from_iso) { (figures.from) }
                    " to " time datetime=(figures.to_iso) { (figures.to) } ", both days included."
                }
                @for sentence in &view.narrowed {
                    p.period-shown { (sentence) }
                }
            }
            @if !view.period.errors.is_empty() {
                (error_summary(&view.period.errors, None, &FIELDS))
            }
            (period_forms(view))
            @if let Some(figures) = &view.figures {
                (figures_body(figures, internal))
                section.no-print aria-labelledby="download-heading" {
                    h2 #download-heading { "Download these figures" }
                    // The downloads hold the public figures only; the desk's page says so.
                    @let which = if internal.is_some() { "The public figures" } else { "These figures" };
                    ul.feed-links {
                        li { a href=(view.csv_href) type="text/csv" { (which) " as CSV" } }
                        @if let Some(json) = &view.json_href {
                            li { a href=(json) type="application/json" { (which) " as JSON" } }
                        }
                    }
                }
                (definitions())
            }
        }
    }
}

/// The period form, the annual report form and the ready-made periods. None of them is printed.
fn period_forms(view: &TransparencyView) -> Markup {
    let form = &view.period;
    let from = Field::new("from", "Start date", "For a month, quarter or year: any day in it.")
        .with_errors(messages_for(&form.errors, "from"));
    let to = Field::new("to", "End date", "For a custom range only.").with_errors(messages_for(&form.errors, "to"));
    let year = Field::new("year", "Year", "The whole calendar year, laid out for printing.")
        .with_errors(messages_for(&form.errors, "year"));
    html! {
        section.filters.no-print aria-labelledby="period-heading" {
            h2 #period-heading { "Choose a period" }
            @if !form.shortcuts.is_empty() {
                ul.period-links {
                    @for link in &form.shortcuts {
                        li {
                            a href=(link.href) aria-current=[link.current.then_some("page")] { (link.label) }
                        }
                    }
                }
            }
            form.period-form method="get" action=(view.action) accept-charset="utf-8" {
                (kept_fields(form))
                (period_radios(form))
                div.filter-grid {
                    (date_input(&from, &form.from))
                    (date_input(&to, &form.to))
                }
                div.form-actions {
                    button.button type="submit" { "Show figures" }
                }
            }
            form.period-form method="get" action=(view.action) accept-charset="utf-8" {
                (kept_fields(form))
                (form_group(&year, html! {
                    input.input.input-number id=(year.id()) type="number" name=(year.name) value=(form.year)
                        min="2000" max="9999" step="1" inputmode="numeric"
                        aria-describedby=[year.described_by()] aria-invalid=[year.invalid()];
                }))
                div.form-actions {
                    button.button.button-secondary type="submit" { "Show the annual report" }
                }
            }
        }
    }
}

/// The filters the period forms keep, as hidden fields.
fn kept_fields(form: &PeriodForm) -> Markup {
    html! {
        @for (name, value) in &form.kept {
            input type="hidden" name=(name) value=(value);
        }
    }
}

/// The `period` radios, under a legend, with their error.
fn period_radios(form: &PeriodForm) -> Markup {
    let field = Field::new("period", "Period", "").with_errors(messages_for(&form.errors, "period"));
    html! {
        fieldset.checkbox-group.form-group.has-error[field.has_error()] id=(field.id())
            aria-describedby=[field.described_by()] {
            legend.label { (field.label) }
            (field_error(&field))
            div.checkboxes {
                @for (value, label) in PERIODS {
                    @let id = format!("{}-{}", field.id(), id_safe(value));
                    div.checkbox {
                        input #(id) type="radio" name=(field.name) value=(value) checked[form.period == value];
                        label for=(id) { (label) }
                    }
                }
            }
        }
    }
}

/// A labelled date input with its hint and error.
fn date_input(field: &Field, value: &str) -> Markup {
    form_group(
        field,
        html! {
            input.input id=(field.id()) type="date" name=(field.name) value=(value)
                aria-describedby=[field.described_by()] aria-invalid=[field.invalid()];
        },
    )
}

/// Whether nothing at all happened in the period.
fn is_empty(figures: &StatsFigures) -> bool {
    figures.reports.received == 0 && figures.corrections_published == 0
}

/// Every figure, in sections, then the internal ones when given.
fn figures_body(figures: &StatsFigures, internal: Option<&InternalFigures>) -> Markup {
    html! {
        @if is_empty(figures) {
            div.panel-info.empty-period {
                p {
                    "No reports were received and no corrections were published in this period, "
                    "so every figure below is zero."
                }
            }
        }
        (at_a_glance(figures))
        (reports_section(figures))
        (speed_section(figures))
        (monthly_section(figures))
        (count_section(
            "kind",
            "Corrections by kind",
            "corrections",
            "Kind",
            "No corrections were published in this period.",
            &figures.by_kind,
        ))
        (count_section(
            "found",
            "How the errors were found",
            "corrections",
            "Found by",
            "No corrections were published in this period.",
            &figures.by_found,
        ))
        (standards_section(figures))
        (sections_section(figures))
        @if let Some(internal) = internal {
            (internal_sections(internal))
        }
    }
}

/// The headline figures.
fn at_a_glance(figures: &StatsFigures) -> Markup {
    html! {
        section.figures-section aria-labelledby="glance-heading" {
            h2 #glance-heading { "At a glance" }
            dl.stat-grid {
                div.stat {
                    dt { "Reports received" }
                    dd { (count(figures.reports.received)) }
                }
                div.stat {
                    dt { "Corrections published" }
                    dd { (count(figures.corrections_published)) }
                }
                div.stat {
                    dt { "Median time to a decision" }
                    dd { (hours_or_none(figures.time_to_decision.median)) }
                }
                div.stat {
                    dt { "Median time to a correction" }
                    dd { (hours_or_none(figures.time_to_correction.median)) }
                }
                div.stat {
                    dt { "Decided within the deadline" }
                    dd { (share(figures.within_deadline_share)) }
                }
            }
        }
    }
}

/// Reports by their current status.
fn reports_section(figures: &StatsFigures) -> Markup {
    let r = &figures.reports;
    let rows = [
        ("Still open (not yet decided)", r.open),
        ("Corrected", r.corrected),
        ("No change needed", r.no_change),
        ("Rejected", r.rejected),
        ("Duplicate of another report", r.duplicate),
    ];
    html! {
        section.figures-section aria-labelledby="reports-heading" {
            h2 #reports-heading { "What happened to the reports" }
            p.measure { "Reports filed in this period, by where each stands now." }
            (figures_table("reports", "Reports received, by status", html! {
                thead { tr { th scope="col" { "Status" } th.num scope="col" { "Reports" } } }
                tbody {
                    @for (label, n) in rows {
                        tr { th scope="row" { (label) } td.num { (count(n)) } }
                    }
                }
                tfoot { tr { th scope="row" { "All reports received" } td.num { (count(r.received)) } } }
            }))
        }
    }
}

/// Time to decision and to correction, and the distribution of the times to correction.
fn speed_section(figures: &StatsFigures) -> Markup {
    let rows = [
        ("From report to decision", figures.time_to_decision),
        ("From report to published correction", figures.time_to_correction),
    ];
    let buckets: Vec<(String, String, usize)> = TIME_BUCKETS
        .iter()
        .zip(figures.time_to_correction_buckets)
        .map(|((long, short), n)| ((*long).to_owned(), (*short).to_owned(), n))
        .collect();
    let total: usize = figures.time_to_correction_buckets.iter().sum();
    let title = "How long corrections took";
    let desc = if total == 0 {
        "No report led to a published correction in this period, so every bar is at zero.".to_owned()
    } else {
        format!(
            "Reports that led to a correction, by the time from the report to the published correction: {}.",
            listing(buckets.iter().map(|(long, _, n)| (long.as_str(), *n)), "report", "reports")
        )
    };
    html! {
        section.figures-section aria-labelledby="speed-heading" {
            h2 #speed-heading { "How quickly we act" }
            p.measure {
                "Times run from the filing of a report. Half the reports were handled within the median, "
                "nine in ten within the 90th percentile."
            }
            (figures_table("speed", "Time taken, in hours", html! {
                thead {
                    tr {
                        th scope="col" { "Measure" }
                        th.num scope="col" { "Median" }
                        th.num scope="col" { "90th percentile" }
                        th.num scope="col" { "Reports counted" }
                    }
                }
                tbody {
                    @for (label, d) in rows {
                        tr {
                            th scope="row" { (label) }
                            td.num { (duration(d.median)) }
                            td.num { (duration(d.p90)) }
                            td.num { (count(d.n)) }
                        }
                    }
                }
            }))
            p {
                "Decided at or before the deadline for its severity: "
                strong { (share(figures.within_deadline_share)) }
                " of the decided reports."
            }
            h3 #ttc-heading { (title) }
            div.chart-pair {
                (column_chart("ttc", title, &desc, &buckets))
                (figures_table("ttc", "Reports by time from report to correction", html! {
                    thead { tr { th scope="col" { "Time taken" } th.num scope="col" { "Reports" } } }
                    tbody {
                        @for (long, _, n) in &buckets {
                            tr { th scope="row" { (long) } td.num { (count(*n)) } }
                        }
                    }
                }))
            }
        }
    }
}

/// Reports and corrections per month.
fn monthly_section(figures: &StatsFigures) -> Markup {
    let title = "Reports and corrections by month";
    html! {
        section.figures-section aria-labelledby="monthly-heading" {
            h2 #monthly-heading { (title) }
            div.chart-pair {
                (monthly_chart("monthly", title, &figures.monthly))
                (figures_table("monthly", "Reports received and corrections published, per month", html! {
                    thead {
                        tr {
                            th scope="col" { "Month" }
                            th.num scope="col" { "Reports" }
                            th.num scope="col" { "Corrections" }
                        }
                    }
                    tbody {
                        @for m in &figures.monthly {
                            tr {
                                th scope="row" { time datetime=(m.month) { (month_name(&m.month)) } }
                                td.num { (count(m.reports)) }
                                td.num { (count(m.corrections)) }
                            }
                        }
                    }
                }))
            }
        }
    }
}

/// A chart and table of counts by category, e.g. corrections by kind.
fn count_section(key: &str, title: &str, unit: &str, label_heading: &str, none: &str, items: &[CountItem]) -> Markup {
    let bars: Vec<(String, usize)> = items.iter().map(|i| (i.label.clone(), i.count)).collect();
    let total: usize = items.iter().map(|i| i.count).sum();
    let desc = if total == 0 {
        format!("{none} Every bar is at zero.")
    } else {
        format!("{title}: {}.", listing(bars.iter().map(|(l, n)| (l.as_str(), *n)), &unit_one(unit), unit))
    };
    let heading = format!("{key}-heading");
    html! {
        section.figures-section aria-labelledby=(heading) {
            h2 id=(heading) { (title) }
            @if items.is_empty() {
                p.empty { (none) }
            } @else {
                div.chart-pair {
                    (bar_chart(key, title, &desc, &bars))
                    (figures_table(key, &format!("{title}, in numbers"), html! {
                        thead { tr { th scope="col" { (label_heading) } th.num scope="col" { (capitalised(unit)) } } }
                        tbody {
                            @for item in items {
                                tr { th scope="row" { (item.label) } td.num { (count(item.count)) } }
                            }
                        }
                        tfoot { tr { th scope="row" { "All" } td.num { (count(total)) } } }
                    }))
                }
            }
        }
    }
}

/// Corrections per standard breached.
fn standards_section(figures: &StatsFigures) -> Markup {
    let title = "Corrections by standard breached";
    let bars: Vec<(String, usize)> =
        figures.by_standard.iter().map(|s| (format!("{} ({})", s.title, s.code), s.corrections)).collect();
    let desc = format!(
        "Corrections that named each standard as breached; one correction may name several: {}.",
        listing(bars.iter().map(|(l, n)| (l.as_str(), *n)), "correction", "corrections")
    );
    html! {
        section.figures-section aria-labelledby="standard-heading" {
            h2 #standard-heading { (title) }
            @if figures.by_standard.is_empty() {
                p.empty { "No correction in this period named a standard as breached." }
            } @else {
                p.measure { "A correction may name more than one standard, so these can add up to more than the corrections published." }
                div.chart-pair {
                    (bar_chart("standard", title, &desc, &bars))
                    (figures_table("standard", &format!("{title}, in numbers"), html! {
                        thead {
                            tr {
                                th scope="col" { "Standard" }
                                th scope="col" { "Code" }
                                th.num scope="col" { "Corrections" }
                            }
                        }
                        tbody {
                            @for s in &figures.by_standard {
                                tr {
                                    th scope="row" { (s.title) }
                                    td { code { (s.code) } }
                                    td.num { (count(s.corrections)) }
                                }
                            }
                        }
                    }))
                }
            }
        }
    }
}

/// Reports and corrections per section of the publication.
fn sections_section(figures: &StatsFigures) -> Markup {
    html! {
        section.figures-section aria-labelledby="section-heading" {
            h2 #section-heading { "By section of the publication" }
            @if figures.by_section.is_empty() {
                p.empty { "No section had a report or a correction in this period." }
            } @else {
                (figures_table("section", "Reports received and corrections published, per section", html! {
                    thead {
                        tr {
                            th scope="col" { "Section" }
                            th.num scope="col" { "Reports" }
                            th.num scope="col" { "Corrections" }
                        }
                    }
                    tbody {
                        @for s in &figures.by_section {
                            tr { th scope="row" { (s.section) } td.num { (count(s.reports)) } td.num { (count(s.corrections)) } }
                        }
                    }
                }))
            }
        }
    }
}

/// The figures only the desk sees: causes, workloads, authors.
fn internal_sections(internal: &InternalFigures) -> Markup {
    html! {
        div.internal-figures {
            p.panel-info {
                span.tag-internal { "Internal" }
                " The figures below are for standards editors and auditors only; they are never published."
            }
            (count_section(
                "cause",
                "Corrections by cause of the error",
                "corrections",
                "Cause",
                "No corrections were published in this period.",
                &internal.by_cause,
            ))
            section.figures-section aria-labelledby="editors-heading" {
                h2 #editors-heading { "Editors' workload" }
                @if internal.editors.is_empty() {
                    p.empty { "No editor has reports of this period assigned, or overdue now." }
                } @else {
                    (figures_table("editors", "Reports filed in the period and assigned to each editor, and what is overdue now", html! {
                        thead {
                            tr {
                                th scope="col" { "Editor" }
                                th.num scope="col" { "Assigned" }
                                th.num scope="col" { "Of those, decided" }
                                th.num scope="col" { "Overdue now" }
                            }
                        }
                        tbody {
                            @for e in &internal.editors {
                                tr {
                                    th scope="row" { (e.name) }
                                    td.num { (count(e.assigned)) }
                                    td.num { (count(e.decided)) }
                                    td.num { (count(e.overdue)) }
                                }
                            }
                        }
                    }))
                }
            }
            section.figures-section aria-labelledby="authors-heading" {
                h2 #authors-heading { "Corrections per author" }
                p.measure { "Who drafted the corrections published in this period." }
                @if internal.authors.is_empty() {
                    p.empty { "No correction was published in this period." }
                } @else {
                    (figures_table("authors", "Corrections published, by who drafted them", html! {
                        thead { tr { th scope="col" { "Author" } th.num scope="col" { "Corrections" } } }
                        tbody {
                            @for a in &internal.authors {
                                tr { th scope="row" { (a.name) } td.num { (count(a.corrections)) } }
                            }
                        }
                    }))
                }
            }
        }
    }
}

/// What the figures count, for readers who want to compare them with others'.
fn definitions() -> Markup {
    html! {
        section.figures-section.measure aria-labelledby="definitions-heading" {
            h2 #definitions-heading { "How we count" }
            ul {
                li { "Reports are counted in the period they were filed in, by their status today." }
                li { "Corrections are counted in the period they were published in, including those later superseded by an amended correction." }
                li { "Days run in the publisher's time zone, and both the first and the last day are included." }
                li { "Times are in hours, to one decimal. The median of an even number of times is the mean of the two middle ones; the 90th percentile is the nearest rank." }
            }
        }
    }
}

/// A table of figures in its own focusable region, labelled by its caption, so that a table
/// wider than the screen scrolls alone. `rows` holds its head, body and foot. The caption must
/// differ from its section's heading: two landmarks of one name cannot be told apart.
fn figures_table(key: &str, caption: &str, rows: Markup) -> Markup {
    let key = id_safe(key);
    let caption_id = format!("table-{key}-caption");
    html! {
        div.table-scroll.figures-table-wrap role="region" aria-labelledby=(caption_id) tabindex="0" {
            table.figures-table id={ "table-" (key) } {
                caption id=(caption_id) { (caption) }
                (rows)
            }
        }
    }
}

// The charts.
//
// SVG shapes are written with an end tag (`rect … {}`), never as maud's void `rect …;`: the HTML
// parser reads `<rect>` inside an `<svg>` as an open element and would nest what follows in it.

/// The width of every chart's drawing, in its own units: about a phone's width, so that the
/// text stays readable when the chart is scaled down to one, and the stylesheet caps how far it
/// grows on wide screens.
const WIDTH: f64 = 360.0;
/// The charts' text size, in their units.
const FONT: f64 = 13.0;
/// The fills of the charts' two series, for when the stylesheet is not there (it sets them
/// from its light and dark palettes).
const FILL_1: &str = "#0b4fa8";
const FILL_2: &str = "#a34700";

/// The opening of a chart: its `<svg>` with the title and description that name it.
fn chart(key: &str, title: &str, desc: &str, height: f64, content: Markup) -> Markup {
    let title_id = format!("chart-{}-title", id_safe(key));
    let desc_id = format!("chart-{}-desc", id_safe(key));
    html! {
        figure.chart {
            svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox={ "0 0 " (num(WIDTH)) " " (num(height)) }
                width="100%" font-size=(num(FONT)) aria-labelledby=(title_id) aria-describedby=(desc_id) {
                title id=(title_id) { (title) }
                desc id=(desc_id) { (desc) }
                (content)
            }
        }
    }
}

/// Horizontal bars, one per item, each under its label and with its count at its end.
pub(crate) fn bar_chart(key: &str, title: &str, desc: &str, items: &[(String, usize)]) -> Markup {
    const ROW: f64 = 40.0;
    // Room at the end of the longest bar for its count.
    let bar_max = WIDTH - 56.0;
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let height = ROW * items.len() as f64 + 4.0;
    chart(
        key,
        title,
        desc,
        height,
        html! {
            line.chart-axis x1="0.5" y1="0" x2="0.5" y2=(num(height)) stroke="#6b6b6b" {}
            @for (i, (label, n)) in items.iter().enumerate() {
                @let top = ROW * i as f64;
                @let width = if max == 0 { 0.0 } else { bar_max * *n as f64 / max as f64 };
                text.chart-label x="4" y=(num(top + 14.0)) { (shortened(label, 48)) }
                rect.chart-series-1 x="1" y=(num(top + 19.0)) width=(num(width)) height="15" fill=(FILL_1) {}
                text.chart-value x=(num(width + 6.0)) y=(num(top + 31.0)) { (count(*n)) }
            }
        },
    )
}

/// Vertical bars over a y axis, one per item, with each count above its bar: the histogram of
/// the times to correction. Items are (label in the table, label on the axis, count).
pub(crate) fn column_chart(key: &str, title: &str, desc: &str, items: &[(String, String, usize)]) -> Markup {
    let max = items.iter().map(|(_, _, n)| *n).max().unwrap_or(0);
    // Room above the plot for the count over the highest bar.
    let plot = Plot::new(max, 18.0, 150.0, items.len());
    chart(
        key,
        title,
        desc,
        plot.bottom() + Plot::LABELS,
        html! {
            (plot.axes())
            @for (i, (_, short, n)) in items.iter().enumerate() {
                @let centre = num(plot.centre(i));
                @let width = plot.slot_width() * 0.7;
                @let top = plot.y(*n);
                rect.chart-series-1 x=(num(plot.centre(i) - width / 2.0)) y=(num(top)) width=(num(width))
                    height=(num(plot.bottom() - top)) fill=(FILL_1) {}
                text.chart-value x=(centre) y=(num(top - 4.0)) text-anchor="middle" { (count(*n)) }
                text.chart-label x=(centre) y=(num(plot.bottom() + 18.0)) text-anchor="middle" { (short) }
            }
        },
    )
}

/// Reports and corrections per month, as two panels over the same months, each on its own
/// scale: corrections are far fewer than reports, and would not show on the reports' scale.
pub(crate) fn monthly_chart(key: &str, title: &str, months: &[MonthFigure]) -> Markup {
    let reports: usize = months.iter().map(|m| m.reports).sum();
    let corrections: usize = months.iter().map(|m| m.corrections).sum();
    let desc = monthly_desc(months, reports, corrections);
    let reports_plot = Plot::new(months.iter().map(|m| m.reports).max().unwrap_or(0), 36.0, 100.0, months.len());
    let corrections_plot =
        Plot::new(months.iter().map(|m| m.corrections).max().unwrap_or(0), 184.0, 100.0, months.len());
    let step = label_step(months.len());
    let panels = [
        (
            "Reports received",
            &reports_plot,
            "chart-series-1",
            FILL_1,
            months.iter().map(|m| m.reports).collect::<Vec<_>>(),
        ),
        (
            "Corrections published",
            &corrections_plot,
            "chart-series-2",
            FILL_2,
            months.iter().map(|m| m.corrections).collect(),
        ),
    ];
    html! {
        (chart(key, title, &desc, corrections_plot.bottom() + Plot::LABELS, html! {
            @for (name, plot, class, fill, counts) in &panels {
                rect class=(class) x="0" y=(num(plot.y_top - 24.0)) width="12" height="12" fill=(fill) {}
                text.chart-label x="18" y=(num(plot.y_top - 13.0)) font-weight="bold" { (name) }
                (plot.axes())
                @for (i, n) in counts.iter().enumerate() {
                    @let width = plot.slot_width() * 0.7;
                    @let top = plot.y(*n);
                    rect class=(class) x=(num(plot.centre(i) - width / 2.0)) y=(num(top)) width=(num(width))
                        height=(num(plot.bottom() - top)) fill=(fill) {}
                }
            }
            @for (i, m) in months.iter().enumerate() {
                @if let Some((year, month)) = parse_month(&m.month) {
                    @if is_labelled(year, month, step) {
                        @let centre = num(corrections_plot.centre(i));
                        text.chart-label x=(centre) y=(num(corrections_plot.bottom() + 16.0)) text-anchor="middle"
                            font-size="11" {
                            (&MONTHS[month as usize - 1][..3])
                        }
                        @if month == 1 || i < step as usize {
                            text.chart-label x=(centre) y=(num(corrections_plot.bottom() + 29.0)) text-anchor="middle"
                                font-size="11" {
                                (year)
                            }
                        }
                    }
                }
            }
        }))
    }
}

/// Whether the monthly chart labels this month, when it labels one in every `step`: months on
/// the quarter, half-year or year boundaries of that step, or every `step / 12` Januaries.
fn is_labelled(year: i32, month: u32, step: u32) -> bool {
    if step <= 12 {
        (month - 1) % step == 0
    } else {
        month == 1 && year.rem_euclid((step / 12) as i32) == 0
    }
}

/// The monthly chart's description: the totals and the busiest months.
fn monthly_desc(months: &[MonthFigure], reports: usize, corrections: usize) -> String {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return "No months in this period.".to_owned();
    };
    let span = format!("from {} to {}", month_name(&first.month), month_name(&last.month));
    if reports == 0 && corrections == 0 {
        return format!("Reports and corrections each month {span}: none in any month, so every bar is at zero.");
    }
    let busiest = |pick: fn(&MonthFigure) -> usize| {
        months.iter().max_by_key(|m| (pick(m), std::cmp::Reverse(m.month.clone()))).map(|m| month_name(&m.month))
    };
    let mut desc = format!(
        "Reports and corrections each month {span}: {} and {} in all.",
        plural(reports, "report", "reports"),
        plural(corrections, "correction", "corrections")
    );
    if reports > 0 {
        if let Some(month) = busiest(|m| m.reports) {
            desc.push_str(&format!(" Most reports: {month}."));
        }
    }
    if corrections > 0 {
        if let Some(month) = busiest(|m| m.corrections) {
            desc.push_str(&format!(" Most corrections: {month}."));
        }
    }
    desc
}

/// Every how many months the monthly chart labels one: at most twelve labels, on quarter,
/// half-year or year boundaries.
fn label_step(months: usize) -> u32 {
    [1u32, 2, 3, 6, 12, 24, 60, 120].into_iter().find(|step| months.div_ceil(*step as usize) <= 12).unwrap_or(240)
}

/// The frame of a chart with a y axis: where counts and slots are drawn.
struct Plot {
    /// The count at the top of the y axis, and between its ticks.
    top: usize,
    tick: usize,
    /// The y of the top of the plot, and its height.
    y_top: f64,
    height: f64,
    slots: usize,
}

impl Plot {
    const LEFT: f64 = 40.0;
    const RIGHT: f64 = 6.0;
    /// Room under the plot for two lines of labels.
    const LABELS: f64 = 36.0;

    fn new(max: usize, y_top: f64, height: f64, slots: usize) -> Self {
        let tick = nice_tick(max);
        let top = max.div_ceil(tick).max(1) * tick;
        Plot { top, tick, y_top, height, slots: slots.max(1) }
    }

    /// The y of the baseline.
    fn bottom(&self) -> f64 {
        self.y_top + self.height
    }

    /// The y of a count.
    fn y(&self, n: usize) -> f64 {
        self.y_top + self.height * (1.0 - n as f64 / self.top as f64)
    }

    fn slot_width(&self) -> f64 {
        (WIDTH - Self::LEFT - Self::RIGHT) / self.slots as f64
    }

    /// The x of the middle of slot `i`.
    fn centre(&self, i: usize) -> f64 {
        Self::LEFT + self.slot_width() * (i as f64 + 0.5)
    }

    /// The gridlines with their counts, and the baseline.
    fn axes(&self) -> Markup {
        let ticks: Vec<usize> = (0..=self.top / self.tick).map(|i| i * self.tick).collect();
        html! {
            @for t in ticks {
                @let y = num(self.y(t));
                line.chart-grid x1=(num(Self::LEFT)) y1=(y) x2=(num(WIDTH - Self::RIGHT)) y2=(y) stroke="#d5d8dc" {}
                text.chart-label x=(num(Self::LEFT - 6.0)) y=(num(self.y(t) + 4.0)) text-anchor="end" { (count(t)) }
            }
            line.chart-axis x1=(num(Self::LEFT)) y1=(num(self.bottom())) x2=(num(WIDTH - Self::RIGHT)) y2=(num(self.bottom()))
                stroke="#6b6b6b" {}
        }
    }
}

/// The step between the y axis's ticks: 1, 2 or 5 times a power of ten, for about four ticks.
fn nice_tick(max: usize) -> usize {
    let raw = max.div_ceil(4).max(1);
    let mut magnitude: usize = 1;
    loop {
        for m in [1, 2, 5] {
            let step = m * magnitude;
            if step >= raw {
                return step;
            }
        }
        match magnitude.checked_mul(10) {
            Some(next) => magnitude = next,
            None => return raw,
        }
    }
}

// Formatting.

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// (year, month 1 to 12) of "YYYY-MM".
fn parse_month(month: &str) -> Option<(i32, u32)> {
    let (year, number) = month.split_once('-')?;
    let number: u32 = number.parse().ok()?;
    (1..=12).contains(&number).then_some((year.parse().ok()?, number))
}

/// "2026-03" as "March 2026"; anything else as it is.
fn month_name(month: &str) -> String {
    match parse_month(month) {
        Some((year, number)) => format!("{} {year}", MONTHS[number as usize - 1]),
        None => month.to_owned(),
    }
}

/// A chart coordinate, to one decimal and without a trailing ".0".
fn num(x: f64) -> String {
    let text = format!("{x:.1}");
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_owned(),
        None => text,
    }
}

/// "12.5 hours", "1 hour", or "None" when there was nothing to time.
fn hours_or_none(hours: Option<f64>) -> String {
    match hours {
        None => "None".to_owned(),
        Some(h) if (h - 1.0).abs() < f64::EPSILON => "1 hour".to_owned(),
        Some(h) if h >= 48.0 => format!("{h:.1} hours ({:.1} days)", h / 24.0),
        Some(h) => format!("{h:.1} hours"),
    }
}

/// A duration in a table: the hours, and the days beside them kept whole when the line wraps.
fn duration(hours: Option<f64>) -> Markup {
    let text = hours_or_none(hours);
    html! {
        @match text.split_once(" (") {
            Some((hours, days)) => {
                span.nowrap { (hours) }
                " "
                span.nowrap { "(" (days) }
            }
            None => { span.nowrap { (text) } }
        }
    }
}

/// A share from 0 to 1 as "87.5%", or "None" when nothing was decided.
fn share(share: Option<f64>) -> String {
    match share {
        None => "None decided".to_owned(),
        Some(s) => format!("{:.1}%", s * 100.0),
    }
}

/// "1 report", "5 reports".
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// "corrections" as "correction".
fn unit_one(unit: &str) -> String {
    unit.strip_suffix('s').unwrap_or(unit).to_owned()
}

/// "corrections" as "Corrections".
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// "Correction: 4 corrections; Update: 1 correction": every item when there are few, else the
/// largest and how many more the table lists.
fn listing<'a>(items: impl Iterator<Item = (&'a str, usize)>, one: &str, many: &str) -> String {
    const SHOWN: usize = 8;
    let items: Vec<(&str, usize)> = items.collect();
    let mut sorted = items.clone();
    if items.len() > SHOWN {
        sorted.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    }
    let mut text = sorted
        .iter()
        .take(SHOWN)
        .map(|(label, n)| format!("{label}: {}", plural(*n, one, many)))
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > SHOWN {
        text.push_str(&format!("; and {} more, listed in the table", items.len() - SHOWN));
    }
    text
}

/// `text` cut to `max` characters with an ellipsis, for a chart label (the table has it whole).
fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}
