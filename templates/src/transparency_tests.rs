//! The transparency pages: charts that are well-formed SVG with a title and a description, the
//! numbers in the tables, the empty period, bad periods, and no internal figure in public.

#![allow(clippy::unwrap_used)]

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use crate::tests::{error, layout, staff_layout, HOSTILE, HOSTILE_ESCAPED};
use crate::transparency::{bar_chart, column_chart, monthly_chart};
use crate::*;

fn item(key: &str, label: &str, count: usize) -> CountItem {
    CountItem { key: key.to_owned(), label: label.to_owned(), count }
}

fn months(year: i32, counts: &[(usize, usize)]) -> Vec<MonthFigure> {
    counts
        .iter()
        .enumerate()
        .map(|(i, (reports, corrections))| MonthFigure {
            month: format!("{year}-{:02}", i + 1),
            reports: *reports,
            corrections: *corrections,
        })
        .collect()
}

/// A year with a known answer for every figure.
fn figures() -> StatsFigures {
    StatsFigures {
        from: "1 January 2026".to_owned(),
        to: "31 December 2026".to_owned(),
        from_iso: "2026-01-01".to_owned(),
        to_iso: "2026-12-31".to_owned(),
        reports: ReportFigures { received: 1234, open: 3, corrected: 17, no_change: 1200, rejected: 9, duplicate: 5 },
        corrections_published: 21,
        by_kind: vec![item("correction", "Correction", 15), item("clarification", "Clarification", 6)],
        by_found: vec![item("reader_report", "Reported by a reader", 17), item("staff", "Found by our staff", 4)],
        time_to_decision: DurationFigures { median: Some(12.5), p90: Some(70.0), n: 1231 },
        time_to_correction: DurationFigures { median: Some(30.25), p90: Some(160.0), n: 17 },
        time_to_correction_buckets: [1, 2, 3, 4, 5, 2],
        within_deadline_share: Some(0.875),
        by_standard: vec![
            StandardFigure { code: "accuracy".to_owned(), title: "Accuracy".to_owned(), corrections: 19 },
            StandardFigure { code: "fairness".to_owned(), title: "Fairness".to_owned(), corrections: 2 },
        ],
        by_section: vec![
            SectionFigure { section: "Politics".to_owned(), reports: 1000, corrections: 18 },
            SectionFigure { section: "Sport".to_owned(), reports: 234, corrections: 3 },
        ],
        monthly: months(
            2026,
            &[
                (100, 1),
                (90, 2),
                (120, 0),
                (80, 3),
                (101, 2),
                (99, 1),
                (102, 2),
                (103, 3),
                (104, 1),
                (105, 2),
                (106, 3),
                (124, 1),
            ],
        ),
    }
}

/// Every figure zero, over three months.
fn empty_figures() -> StatsFigures {
    StatsFigures {
        from: "1 October 2026".to_owned(),
        to: "31 December 2026".to_owned(),
        from_iso: "2026-10-01".to_owned(),
        to_iso: "2026-12-31".to_owned(),
        by_kind: vec![item("correction", "Correction", 0), item("retraction", "Retraction", 0)],
        by_found: vec![item("reader_report", "Reported by a reader", 0)],
        monthly: vec![
            MonthFigure { month: "2026-10".to_owned(), ..MonthFigure::default() },
            MonthFigure { month: "2026-11".to_owned(), ..MonthFigure::default() },
            MonthFigure { month: "2026-12".to_owned(), ..MonthFigure::default() },
        ],
        ..StatsFigures::default()
    }
}

fn internal() -> InternalFigures {
    InternalFigures {
        by_cause: vec![item("reporting", "Reporting", 13), item("editing", "Editing", 8)],
        editors: vec![EditorWorkload { name: "Workload Wanda".to_owned(), assigned: 7, decided: 41, overdue: 2 }],
        authors: vec![AuthorFigure { name: "Author Amos".to_owned(), corrections: 11 }],
    }
}

fn view(figures: Option<StatsFigures>) -> TransparencyView {
    TransparencyView {
        action: "/transparency".to_owned(),
        period: PeriodForm {
            period: "year".to_owned(),
            from: "2026-01-01".to_owned(),
            shortcuts: vec![
                PeriodLink { label: "Last 12 months".to_owned(), href: "/transparency".to_owned(), current: false },
                PeriodLink { label: "2026".to_owned(), href: "/transparency?year=2026".to_owned(), current: true },
            ],
            ..PeriodForm::default()
        },
        figures,
        annual_year: None,
        csv_href: "/transparency.csv?from=2026-01-01&to=2026-12-31".to_owned(),
        json_href: Some("/api/v1/stats?from=2026-01-01&to=2026-12-31".to_owned()),
        narrowed: Vec::new(),
    }
}

fn public_html(figures: StatsFigures) -> String {
    transparency(&layout(), &view(Some(figures))).into_string()
}

fn desk_html(figures: StatsFigures, internal: InternalFigures) -> String {
    let mut public = view(Some(figures));
    public.action = "/desk/transparency".to_owned();
    desk_transparency(&staff_layout(), &DeskTransparencyView { public, internal: Some(internal) }).into_string()
}

/// Each `<svg …>…</svg>` of a page.
fn svgs(html: &str) -> Vec<&str> {
    html.match_indices("<svg")
        .map(|(at, _)| &html[at..at + html[at..].find("</svg>").unwrap() + "</svg>".len()])
        .collect()
}

/// What the checks need of one chart.
#[derive(Debug, Default)]
struct Chart {
    role: String,
    labelledby: String,
    describedby: String,
    view_box: String,
    /// (id, text) of the `<title>` and `<desc>` that are the root's children.
    title: (String, String),
    desc: (String, String),
    /// Every `<text>`'s content, in order.
    texts: Vec<String>,
    /// The `width` of every `<rect>`, in order.
    rect_widths: Vec<f64>,
}

/// Parses `svg` as XML, failing on anything not well-formed: tags that do not nest, duplicate
/// or unquoted attributes, and entities XML does not define (an HTML `&nbsp;` would be one).
fn parse_svg(svg: &str) -> Chart {
    let mut reader = Reader::from_str(svg);
    reader.config_mut().check_end_names = true;
    let mut chart = Chart::default();
    let mut open: Vec<String> = Vec::new();
    let mut roots = 0;
    loop {
        let event = reader.read_event().unwrap_or_else(|e| panic!("not well-formed ({e}):\n{svg}"));
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if open.is_empty() {
                    roots += 1;
                }
                let attr = |key: &str| -> String {
                    let mut found = None;
                    for a in e.attributes() {
                        let a = a.unwrap_or_else(|err| panic!("bad attribute ({err}):\n{svg}"));
                        let value = a.normalized_value(XmlVersion::Implicit1_0).unwrap().into_owned();
                        if a.key.as_ref() == key.as_bytes() {
                            found = Some(value);
                        }
                    }
                    found.unwrap_or_default()
                };
                match (name.as_str(), open.len()) {
                    ("svg", 0) => {
                        chart.role = attr("role");
                        chart.labelledby = attr("aria-labelledby");
                        chart.describedby = attr("aria-describedby");
                        chart.view_box = attr("viewBox");
                    }
                    ("title", 1) => chart.title.0 = attr("id"),
                    ("desc", 1) => chart.desc.0 = attr("id"),
                    ("text", _) => chart.texts.push(String::new()),
                    ("rect", _) => chart.rect_widths.push(attr("width").parse().unwrap()),
                    _ => {}
                }
                if matches!(event, Event::Start(_)) {
                    open.push(name);
                }
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Text(ref t) => {
                let text = t.decode().unwrap().into_owned();
                append_text(&mut chart, &open, &text);
            }
            Event::GeneralRef(ref r) => {
                let text = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().unwrap();
                        let c = match name.as_ref() {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            "apos" => "'",
                            other => panic!("entity &{other}; is not defined in XML:\n{svg}"),
                        };
                        c.to_owned()
                    }
                };
                append_text(&mut chart, &open, &text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(open.is_empty(), "unclosed {open:?}:\n{svg}");
    assert_eq!(roots, 1, "one root element:\n{svg}");
    chart
}

fn append_text(chart: &mut Chart, open: &[String], text: &str) {
    match open {
        [svg, title] if svg == "svg" && title == "title" => chart.title.1.push_str(text),
        [svg, desc] if svg == "svg" && desc == "desc" => chart.desc.1.push_str(text),
        [.., last] if last == "text" => chart.texts.last_mut().unwrap().push_str(text),
        _ => {}
    }
}

/// Asserts what every chart must have, and returns it parsed.
fn assert_accessible_chart(svg: &str) -> Chart {
    let chart = parse_svg(svg);
    assert_eq!(chart.role, "img", "{svg}");
    assert!(!chart.title.0.is_empty() && chart.labelledby == chart.title.0, "title not linked: {svg}");
    assert!(!chart.desc.0.is_empty() && chart.describedby == chart.desc.0, "desc not linked: {svg}");
    assert!(!chart.title.1.trim().is_empty(), "empty title: {svg}");
    assert!(chart.desc.1.trim().len() > 20, "no real description: {svg}");
    assert!(chart.view_box.starts_with("0 0 360 "), "{svg}");
    assert!(svg.contains("width=\"100%\""), "{svg}");
    chart
}

/// The cells of the table whose id is `table-{key}`, row by row (header cell first).
fn table_rows(html: &str, key: &str) -> Vec<Vec<String>> {
    let start = html.find(&format!("id=\"table-{key}\"")).unwrap_or_else(|| panic!("no table-{key}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").unwrap()];
            let cells = row.split("</th>").flat_map(|part| part.split("</td>")).filter(|c| !c.trim().is_empty());
            cells.map(|cell| strip_tags(&cell[cell.find('>').unwrap() + 1..])).collect()
        })
        .collect()
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_owned()
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

/// The transparency pages in the states worth checking, for the checks every page gets.
pub(crate) fn every_transparency_page() -> Vec<(&'static str, maud::Markup)> {
    let mut invalid = view(None);
    invalid.period.errors = vec![error("from", "Start date is not a date."), error("to", "End date is not a date.")];
    let mut annual = view(Some(figures()));
    annual.annual_year = Some(2026);
    let mut desk_invalid = invalid.clone();
    desk_invalid.action = "/desk/transparency".to_owned();
    vec![
        ("transparency", transparency(&layout(), &view(Some(figures())))),
        ("transparency-empty", transparency(&layout(), &view(Some(empty_figures())))),
        ("transparency-invalid", transparency(&layout(), &invalid)),
        ("transparency-annual", transparency(&layout(), &annual)),
        (
            "desk-transparency",
            desk_transparency(
                &staff_layout(),
                &DeskTransparencyView { public: view(Some(figures())), internal: Some(internal()) },
            ),
        ),
        (
            "desk-transparency-invalid",
            desk_transparency(&staff_layout(), &DeskTransparencyView { public: desk_invalid, internal: None }),
        ),
    ]
}

#[test]
fn the_home_corrections_and_standards_pages_link_to_the_figures() {
    let home = home(&layout(), &HomeView::default()).into_string();
    let corrections = all_corrections(&layout(), &AllCorrectionsView::default()).into_string();
    let standards = standards(&layout(), &StandardsView::default()).into_string();
    for html in [home, corrections, standards] {
        assert!(html.contains("<a href=\"/transparency\">"), "{html}");
    }
}

// The charts.

#[test]
fn every_chart_is_well_formed_svg_with_a_title_and_a_description() {
    let html = desk_html(figures(), internal());
    let charts: Vec<Chart> = svgs(&html).into_iter().map(assert_accessible_chart).collect();
    let titles: Vec<&str> = charts.iter().map(|c| c.title.1.as_str()).collect();
    assert_eq!(
        titles,
        [
            "How long corrections took",
            "Reports and corrections by month",
            "Corrections by kind",
            "How the errors were found",
            "Corrections by standard breached",
            "Corrections by cause of the error",
        ]
    );
    // Ids are unique on the page.
    let mut ids: Vec<&str> = charts.iter().flat_map(|c| [c.title.0.as_str(), c.desc.0.as_str()]).collect();
    ids.sort_unstable();
    let count = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), count);
}

#[test]
fn the_descriptions_say_the_numbers() {
    let html = public_html(figures());
    let charts: Vec<Chart> = svgs(&html).into_iter().map(parse_svg).collect();
    assert!(charts[0].desc.1.contains("Under 1 hour: 1 report; 1 to 6 hours: 2 reports"), "{}", charts[0].desc.1);
    assert!(charts[1].desc.1.contains("1,234 reports and 21 corrections in all"), "{}", charts[1].desc.1);
    assert!(
        charts[1].desc.1.contains("Most reports: December 2026. Most corrections: April 2026."),
        "{}",
        charts[1].desc.1
    );
    assert_eq!(charts[2].desc.1, "Corrections by kind: Correction: 15 corrections; Clarification: 6 corrections.");
    assert!(charts[4].desc.1.contains("Accuracy (accuracy): 19 corrections; Fairness (fairness): 2 corrections"));
}

#[test]
fn hostile_labels_are_escaped_and_keep_the_svg_well_formed() {
    let mut figures = figures();
    figures.by_standard[0].title = HOSTILE.to_owned();
    figures.by_kind[0].label = HOSTILE.to_owned();
    let html = public_html(figures);
    for svg in svgs(&html) {
        assert_accessible_chart(svg);
    }
    assert!(!html.contains("<script>alert"));
    assert!(html.contains(HOSTILE_ESCAPED));
}

#[test]
fn bars_are_to_scale() {
    let items = vec![("Big".to_owned(), 40), ("Half".to_owned(), 20), ("None".to_owned(), 0)];
    let chart = parse_svg(&bar_chart("t", "Title", "A description of the bars.", &items).into_string());
    // The longest bar fills the room left for bars (the width less the count's room), the rest in proportion.
    assert_eq!(chart.rect_widths, [304.0, 152.0, 0.0]);
    assert_eq!(chart.texts, ["Big", "40", "Half", "20", "None", "0"]);
}

#[test]
fn a_long_label_is_shortened_on_the_chart_only() {
    let long = "A standard with a title much longer than a phone's width can show".to_owned();
    let chart = parse_svg(&bar_chart("t", "Title", "Description.", &[(long.clone(), 1)]).into_string());
    assert_eq!(chart.texts[0].chars().count(), 48);
    assert!(chart.texts[0].ends_with('…'));
}

#[test]
fn the_histogram_has_an_axis_and_a_bar_per_bucket() {
    let items: Vec<(String, String, usize)> = [("Under 1 hour", "<1 h", 3), ("1 to 6 hours", "1–6 h", 7)]
        .map(|(l, s, n)| (l.to_owned(), s.to_owned(), n))
        .into();
    let chart = parse_svg(&column_chart("h", "Title", "Description.", &items).into_string());
    assert_eq!(chart.rect_widths.len(), 2);
    // Ticks 0, 2, 4, 6, 8 on the y axis, then each bar's count and its label.
    assert_eq!(chart.texts, ["0", "2", "4", "6", "8", "3", "<1 h", "7", "1–6 h"]);
}

#[test]
fn a_long_monthly_chart_labels_at_most_twelve_months() {
    let ten_years: Vec<MonthFigure> = (2017..2027).flat_map(|year| months(year, &[(1, 1); 12])).collect();
    let chart = parse_svg(&monthly_chart("m", "Title", &ten_years).into_string());
    let month_labels: Vec<&String> =
        chart.texts.iter().filter(|t| t.len() == 3 && t.chars().all(char::is_alphabetic)).collect();
    assert!(month_labels.len() <= 12 && !month_labels.is_empty(), "{month_labels:?}");
    assert_eq!(chart.rect_widths.len(), 2 + 2 * 120, "the legend's two and a pair per month");

    let one_year = parse_svg(&monthly_chart("m", "Title", &months(2026, &[(1, 1); 12])).into_string());
    let labels: Vec<&String> =
        one_year.texts.iter().filter(|t| t.len() == 3 && t.chars().all(char::is_alphabetic)).collect();
    assert_eq!(labels.len(), 12);
    assert_eq!(labels[0], "Jan");
    assert!(one_year.texts.contains(&"2026".to_owned()));
}

// The page.

#[test]
fn numbers_appear_in_the_tables() {
    let html = public_html(figures());
    assert_eq!(
        table_rows(&html, "reports"),
        [
            row(&["Still open (not yet decided)", "3"]),
            row(&["Corrected", "17"]),
            row(&["No change needed", "1,200"]),
            row(&["Rejected", "9"]),
            row(&["Duplicate of another report", "5"]),
            row(&["All reports received", "1,234"]),
        ]
    );
    assert_eq!(
        table_rows(&html, "speed"),
        [
            row(&["From report to decision", "12.5 hours", "70.0 hours (2.9 days)", "1,231"]),
            row(&["From report to published correction", "30.2 hours", "160.0 hours (6.7 days)", "17"]),
        ]
    );
    assert_eq!(table_rows(&html, "ttc")[0], row(&["Under 1 hour", "1"]));
    assert_eq!(table_rows(&html, "ttc")[5], row(&["7 days or more", "2"]));
    assert_eq!(table_rows(&html, "monthly")[0], row(&["January 2026", "100", "1"]));
    assert_eq!(table_rows(&html, "monthly").len(), 12);
    assert_eq!(
        table_rows(&html, "kind"),
        [row(&["Correction", "15"]), row(&["Clarification", "6"]), row(&["All", "21"])]
    );
    assert_eq!(table_rows(&html, "found")[0], row(&["Reported by a reader", "17"]));
    assert_eq!(
        table_rows(&html, "standard"),
        [row(&["Accuracy", "accuracy", "19"]), row(&["Fairness", "fairness", "2"])]
    );
    assert_eq!(table_rows(&html, "section"), [row(&["Politics", "1,000", "18"]), row(&["Sport", "234", "3"])]);
    assert!(html.contains("<dt>Decided within the deadline</dt><dd>87.5%</dd>"), "{html}");
    assert!(html.contains("<dt>Reports received</dt><dd>1,234</dd>"));
    assert!(html.contains("Period: <time datetime=\"2026-01-01\">1 January 2026</time> to <time datetime=\"2026-12-31\">31 December 2026</time>"));
}

#[test]
fn every_table_is_a_labelled_focusable_region() {
    let html = desk_html(figures(), internal());
    let regions = html.matches("role=\"region\"").count();
    assert_eq!(regions, 11, "reports, speed, ttc, monthly, kind, found, standard, section, cause, editors, authors");
    for key in
        ["reports", "speed", "ttc", "monthly", "kind", "found", "standard", "section", "cause", "editors", "authors"]
    {
        assert!(
            html.contains(&format!("aria-labelledby=\"table-{key}-caption\" tabindex=\"0\"><table class=\"figures-table\" id=\"table-{key}\"><caption id=\"table-{key}-caption\">")),
            "{key}"
        );
    }
}

/// The text of the element with `id`, tags stripped.
fn text_of(html: &str, id: &str) -> String {
    let at = html.find(&format!(" id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let start = at + html[at..].find('>').unwrap() + 1;
    let name = html[..at].rsplit('<').next().unwrap().split(' ').next().unwrap().to_owned();
    strip_tags(&html[start..start + html[start..].find(&format!("</{name}>")).unwrap()])
}

#[test]
fn every_section_and_table_region_has_a_name_of_its_own() {
    let html = desk_html(figures(), internal());
    let landmarks = html
        .split('<')
        .map(|tag| tag.split('>').next().unwrap())
        .filter(|tag| tag.starts_with("section ") || tag.contains("role=\"region\""));
    let mut names: Vec<String> = landmarks
        .filter_map(|tag| tag.split("aria-labelledby=\"").nth(1))
        .map(|rest| text_of(&html, &rest[..rest.find('"').unwrap()]))
        .collect();
    let count = names.len();
    assert!(count > 20, "{names:?}");
    names.sort();
    names.dedup();
    assert_eq!(names.len(), count, "landmarks of one name");
}

#[test]
fn the_public_page_never_renders_internal_figures() {
    let public = public_html(figures());
    let desk = desk_html(figures(), internal());
    for internal_only in ["Internal", "cause", "Reporting", "Workload Wanda", "Editors' workload", "Author Amos"] {
        assert!(!public.contains(internal_only), "{internal_only} on the public page");
        assert!(desk.contains(internal_only), "{internal_only} missing from the desk page");
    }
    assert_eq!(table_rows(&desk, "editors"), [row(&["Workload Wanda", "7", "41", "2"])]);
    // The downloads carry the public figures only, and the desk's page says so.
    assert!(desk.contains(">The public figures as CSV</a>") && public.contains(">These figures as CSV</a>"));
    assert_eq!(table_rows(&desk, "authors"), [row(&["Author Amos", "11"])]);
    assert_eq!(table_rows(&desk, "cause"), [row(&["Reporting", "13"]), row(&["Editing", "8"]), row(&["All", "21"])]);
}

#[test]
fn the_desk_page_uses_the_staff_frame_and_its_own_form() {
    let desk = desk_html(figures(), internal());
    assert!(desk.contains("Signed in as Rosa Park"));
    assert!(desk.contains("<main class=\"wrap wrap-wide\""));
    assert!(desk.contains("action=\"/desk/transparency\""));
    let public = public_html(figures());
    assert!(public.contains("action=\"/transparency\""));
    assert!(!public.contains("Signed in as"));
}

#[test]
fn an_empty_period_shows_zeros_and_says_so() {
    let html = public_html(empty_figures());
    assert!(html.contains(
        "No reports were received and no corrections were published in this period, so every figure below is zero."
    ));
    assert!(html.contains("<dt>Reports received</dt><dd>0</dd>"));
    assert!(html.contains("<dt>Median time to a decision</dt><dd>None</dd>"));
    assert!(html.contains("<dt>Decided within the deadline</dt><dd>None decided</dd>"));
    assert_eq!(table_rows(&html, "reports")[5], row(&["All reports received", "0"]));
    assert_eq!(
        table_rows(&html, "monthly"),
        [row(&["October 2026", "0", "0"]), row(&["November 2026", "0", "0"]), row(&["December 2026", "0", "0"])]
    );
    assert_eq!(table_rows(&html, "speed")[0], row(&["From report to decision", "None", "None", "0"]));
    assert!(html.contains("No correction in this period named a standard as breached."));
    assert!(html.contains("No section had a report or a correction in this period."));
    let charts: Vec<Chart> = svgs(&html).into_iter().map(assert_accessible_chart).collect();
    assert_eq!(charts.len(), 4, "time to correct, monthly, kind, found");
    for chart in &charts {
        assert!(chart.desc.1.contains("at zero"), "{}", chart.desc.1);
    }
    assert_eq!(charts[2].rect_widths, [0.0, 0.0], "no bar for kinds with nothing");
    assert!(
        !html.contains("NaN") && !html.contains("\"inf") && !html.contains("\"-inf"),
        "no coordinate divides by zero"
    );
}

#[test]
fn a_non_empty_period_does_not_say_it_is_empty() {
    assert!(!public_html(figures()).contains("every figure below is zero"));
}

#[test]
fn a_bad_period_names_the_field_and_shows_no_figures() {
    let mut view = view(None);
    view.period.period = "custom".to_owned();
    view.period.from = "2026-13-01".to_owned();
    view.period.errors = vec![error("from", "Enter the start date as a real date, like 2026-01-31.")];
    let html = transparency(&layout(), &view).into_string();
    assert!(html.contains("<title>Error: Transparency figures · The Daily Example</title>"));
    assert!(html.contains("<a href=\"#field-from\">Enter the start date as a real date, like 2026-01-31.</a>"));
    assert!(html.contains("aria-describedby=\"hint-from error-from\" aria-invalid=\"true\""));
    assert!(html.contains("value=\"2026-13-01\""), "the date is kept as typed");
    assert!(html.contains("id=\"field-period-custom\" type=\"radio\" name=\"period\" value=\"custom\" checked"));
    assert!(!html.contains("<svg") && !html.contains("At a glance") && !html.contains("Download these figures"));
}

#[test]
fn the_period_error_lands_on_the_radios() {
    let mut view = view(None);
    view.period.errors = vec![error("period", "Choose month, quarter, year or custom.")];
    let html = transparency(&layout(), &view).into_string();
    assert!(html.contains("<a href=\"#field-period\">"));
    assert!(html.contains("<fieldset class=\"checkbox-group form-group has-error\" id=\"field-period\" aria-describedby=\"error-period\">"));
}

#[test]
fn the_period_forms_need_no_script_and_are_not_printed() {
    let html = public_html(figures());
    assert!(!html.contains("<script"));
    assert_eq!(html.matches("<form class=\"period-form\" method=\"get\" action=\"/transparency\"").count(), 2);
    assert!(html.contains("<section class=\"filters no-print\""));
    assert!(html.contains("<section class=\"no-print\" aria-labelledby=\"download-heading\">"));
    for period in ["month", "quarter", "year", "custom"] {
        assert!(html.contains(&format!("name=\"period\" value=\"{period}\"")));
    }
    assert!(html.contains("name=\"period\" value=\"year\" checked"));
    assert!(html.contains("<a href=\"/transparency?year=2026\" aria-current=\"page\">2026</a>"));
    assert!(html.contains("href=\"/transparency.csv?from=2026-01-01&amp;to=2026-12-31\""));
}

#[test]
fn a_narrowed_page_says_so_and_its_forms_keep_the_filter() {
    let mut view = view(Some(figures()));
    view.narrowed = vec![format!("Only the section \u{201c}{HOSTILE}\u{201d}.")];
    view.period.kept = vec![("section".to_owned(), HOSTILE.to_owned())];
    let html = transparency(&layout(), &view).into_string();
    assert!(
        html.contains(&format!("<p class=\"period-shown\">Only the section \u{201c}{HOSTILE_ESCAPED}\u{201d}.</p>"))
    );
    assert_eq!(
        html.matches(&format!("<input type=\"hidden\" name=\"section\" value=\"{HOSTILE_ESCAPED}\">")).count(),
        2
    );
    assert!(!html.contains("<script>alert"));
}

#[test]
fn the_annual_report_is_titled_with_its_year() {
    let mut view = view(Some(figures()));
    view.annual_year = Some(2026);
    let html = transparency(&layout(), &view).into_string();
    assert!(html.contains("<title>Annual report 2026 · The Daily Example</title>"));
    assert!(html.contains("<h1>The Daily Example: corrections annual report 2026</h1>"));
}

// The stylesheet.

/// The body of the stylesheet's block that starts with `head`.
fn css_block<'a>(head: &str) -> &'a str {
    let start = STYLESHEET.find(head).unwrap_or_else(|| panic!("no {head}")) + head.len();
    let mut depth = 1;
    for (i, c) in STYLESHEET[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &STYLESHEET[start..start + i];
                }
            }
            _ => {}
        }
    }
    panic!("unclosed {head}");
}

#[test]
fn chart_colours_follow_light_and_dark_mode() {
    let light = css_block(":root {");
    let dark = css_block("@media (prefers-color-scheme: dark) {");
    for var in ["--chart-1:", "--chart-2:"] {
        assert!(light.contains(var) && dark.contains(var), "{var}");
    }
    assert!(STYLESHEET.contains(".chart .chart-series-1 {\n  fill: var(--chart-1);"));
    assert!(STYLESHEET.contains(".chart .chart-series-2 {\n  fill: var(--chart-2);"));
    assert!(STYLESHEET.contains(".chart text {\n  fill: var(--text);"));
}

#[test]
fn the_print_stylesheet_hides_navigation_and_forms_and_keeps_charts_whole() {
    let print = css_block("@media print {");
    for hidden in [".site-header", ".skip-link", ".no-print"] {
        assert!(print.contains(hidden), "{hidden}");
    }
    assert!(print.contains("display: none"));
    assert!(print.contains(".chart-pair") && print.contains("break-inside: avoid"));
    // Light colours on paper, whatever the screen's mode.
    assert!(print.contains("--bg: #ffffff") && print.contains("--text: #000000"));
    // No fixed paper size: A4 and US letter both take the printer's own.
    assert!(!css_block("@page {").contains("size"));
}
