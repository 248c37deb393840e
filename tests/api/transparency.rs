//! The transparency pages: the figures on the public and the desk page, bad periods, who may
//! see the internal figures, and the CSV that says what the JSON says.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, TimeZone};
use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{report_json, Backend, TestApp};

both_backends!(
    the_public_page_shows_the_figures_with_charts_and_tables,
    bad_periods_are_refused_with_the_field_named,
    the_public_page_never_shows_internal_figures,
    the_desk_page_is_for_standards_editors_and_auditors,
    the_csv_says_what_the_json_says,
    an_empty_period_shows_zeros_and_says_so,
    the_annual_report_covers_the_year,
    the_histogram_puts_each_correction_in_its_span,
    the_figures_are_counted_afresh_for_every_visitor,
    a_section_narrows_the_figures_and_the_forms_keep_it,
);

/// Today in the test server's time zone (Europe/Berlin), as the figures count days.
fn today(app: &TestApp) -> NaiveDate {
    chrono_tz::Europe::Berlin.from_utc_datetime(&app.clock.now()).date_naive()
}

/// Two reports on the test article, one resolved by a correction whose error came from
/// editing; and a report on an article whose section looks like a spreadsheet formula.
async fn arrange(app: &TestApp) {
    app.article().await;
    let filed: Value = app.file_report("kursk", &report_json()).await.json().await.unwrap();
    let token = filed["token"].as_str().unwrap().to_owned();
    let id = app.db.read_blocking(move |c| Ok(corrigenda::domain::reports::for_token(c, &token)?.id)).unwrap();
    let mut second = report_json();
    second["quote"] = json!("deployed over 10,000 troops");
    assert_eq!(app.file_report("kursk", &second).await.status(), 201);
    let correction = json!({
        "article_id": "kursk",
        "kind": "correction",
        "text": "An earlier version said the war was approaching its four-year mark. It was approaching its three-year mark.",
        "standards": ["accuracy"],
        "report_ids": [id],
        "cause": "editing",
    });
    let published = app
        .client
        .post(app.url("/api/v1/desk/corrections"))
        .bearer_auth(&app.token)
        .json(&correction)
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 201, "{}", published.text().await.unwrap());
    let formula = json!({
        "url": "https://news.example/formula",
        "title": "A story in an odd section",
        "section": "=HYPERLINK(\"https://evil.example\")",
        "authors": ["Sam Odd"],
        "published_at": "2024-12-20T14:00:00Z",
    });
    assert!(app.put_article("formula", &formula).await.status().is_success());
    let mut odd = report_json();
    odd["quote"] = json!("anything at all");
    assert_eq!(app.file_report("formula", &odd).await.status(), 201);
    app.deliver_mail().await;
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A headline figure as the page writes it.
fn headline(label: &str, value: &str) -> String {
    format!("<dt>{label}</dt><dd>{value}</dd>")
}

/// A table row of a label and counts as the page writes it.
fn table_row(label: &str, counts: &[&str]) -> String {
    let cells: String = counts.iter().map(|c| format!("<td class=\"num\">{c}</td>")).collect();
    format!("<th scope=\"row\">{label}</th>{cells}")
}

async fn the_public_page_shows_the_figures_with_charts_and_tables(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    arrange(&app).await;
    let (status, page) = get(&app.client, &app, "/transparency").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&headline("Reports received", "3")), "{page}");
    assert!(page.contains(&headline("Corrections published", "1")));
    assert!(page.contains(&table_row("Still open (not yet decided)", &["2"])));
    assert!(page.contains(&table_row("Corrected", &["1"])));
    assert!(page.contains(&table_row("World", &["2", "1"])), "by section");
    assert!(page.contains(&table_row("Reader report", &["1"])), "by how found");
    assert!(page.contains(&table_row("Correction", &["1"])), "by kind");
    let month = today(&app).format("%B %Y").to_string();
    assert!(page.contains(&format!(">{month}</time></th><td class=\"num\">3</td><td class=\"num\">1</td>")), "{page}");
    assert!(page.contains(&table_row("Under 1 hour", &["1"])), "the correction came at once");
    // The charts: each an image named by its title and described.
    let charts = page.matches("<svg ").count();
    assert!(charts >= 5, "{charts} charts");
    assert_eq!(page.matches("role=\"img\"").count(), charts);
    assert_eq!(page.matches("<title id=\"chart-").count(), charts);
    assert_eq!(page.matches("<desc id=\"chart-").count(), charts);
    assert!(!page.contains("<script"));
    // The period's CSV and JSON, and the way back to the rest of the site.
    let day = today(&app);
    let from = day.with_day(1).unwrap().checked_sub_months(chrono::Months::new(11)).unwrap();
    assert!(page.contains(&format!("href=\"/transparency.csv?from={from}&amp;to={day}\"")), "{page}");
    assert!(page.contains(&format!("href=\"/api/v1/stats?from={from}&amp;to={day}\"")));
    for linked in ["/", "/corrections", "/standards"] {
        let (_, html) = get(&app.client, &app, linked).await;
        assert!(html.contains("<a href=\"/transparency\">"), "{linked} links to the figures");
    }
}

async fn bad_periods_are_refused_with_the_field_named(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    for (query, field, words) in [
        ("from=2026-13-01", "from", "Start date &quot;2026-13-01&quot; is not a date"),
        ("period=custom&from=2026-05-01&to=2026-04-01", "to", "End date"),
        ("from=2010-01-01&to=2026-01-01", "to", "longer than 10 years"),
        ("year=twenty", "year", "Year &quot;twenty&quot; is not a year"),
        ("period=week&from=2026-01-01", "period", "Period &quot;week&quot; is not a period"),
        ("period=month", "from", "Start date is needed"),
        ("section=Nowhere", "section", "Section"),
        ("standard=nothing", "standard", "Standard"),
    ] {
        let (status, page) = get(&app.client, &app, &format!("/transparency?{query}")).await;
        assert_eq!(status, 422, "{query}");
        assert!(page.contains("<title>Error: "), "{query}");
        assert!(page.contains(words), "{query}: {page}");
        assert!(!page.contains("<svg"), "{query}: no figures");
        if ["from", "to", "year", "period"].contains(&field) {
            assert!(page.contains(&format!("href=\"#field-{field}\"")), "{query} links to its field");
        }
        let (status, _) = get(&app.client, &app, &format!("/transparency.csv?{query}")).await;
        assert_eq!(status, 422, "the CSV of {query}");
    }
}

async fn the_public_page_never_shows_internal_figures(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    arrange(&app).await;
    let auditor = app.user(Role::Auditor);
    let (_, desk) = get(&app.signed_in(&auditor).await, &app, "/desk/transparency").await;
    let (_, public) = get(&app.client, &app, "/transparency").await;
    // Signed in, the public page is still the public page (with the staff's navigation).
    let (_, public_signed_in) = get(&app.signed_in(&auditor).await, &app, "/transparency").await;
    for internal in ["Corrections by cause of the error", "Editors' workload", "Corrections per author", "Desk Editor"]
    {
        assert!(desk.contains(internal), "{internal} on the desk page");
        assert!(!public.contains(internal), "{internal} on the public page");
        assert!(!public_signed_in.contains(internal), "{internal} on the public page for staff");
    }
    assert!(desk.contains(&table_row("Editing", &["1"])), "{desk}");
    assert!(desk.contains(&table_row("Desk Editor", &["1"])), "the author of the correction");
}

async fn the_desk_page_is_for_standards_editors_and_auditors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    arrange(&app).await;
    let (status, _) = get(&app.client, &app, "/desk/transparency?year=2026").await;
    assert_eq!(status, 303, "anonymous visitors are asked to sign in");
    let response = app.client.get(app.url("/desk/transparency")).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/login?next=%2Fdesk%2Ftransparency");
    let editor = app.user(Role::Editor);
    let (status, _) = get(&app.signed_in(&editor).await, &app, "/desk/transparency").await;
    assert_eq!(status, 403, "editors are refused, as on the audit trail");
    for role in [Role::StandardsEditor, Role::Auditor] {
        let user = app.user(role);
        let browser = app.signed_in(&user).await;
        let (status, page) = get(&browser, &app, "/desk/transparency").await;
        assert_eq!(status, 200, "{role:?}");
        assert!(page.contains("Corrections by cause of the error"), "{role:?}");
        assert!(page.contains("action=\"/desk/transparency\""));
        assert!(page.contains("<a href=\"/desk/transparency\">Figures</a>"), "the staff header links to it");
        let (status, _) = get(&browser, &app, "/desk/transparency?from=2026-02-30").await;
        assert_eq!(status, 422);
    }
}

/// Every number of the JSON as (figure, key, value), the rows the CSV should have: an object's
/// members under its path, a list's items under the path and member by the item's name.
fn flatten(json: &Value) -> BTreeSet<(String, String, String)> {
    fn scalar(v: &Value) -> String {
        match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
    fn walk(path: &str, value: &Value, rows: &mut BTreeSet<(String, String, String)>) {
        match value {
            Value::Object(members) => {
                for (k, v) in members {
                    let inner = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    match v {
                        Value::Object(_) | Value::Array(_) => walk(&inner, v, rows),
                        _ if path.is_empty() => {
                            rows.insert((k.clone(), String::new(), scalar(v)));
                        }
                        _ => {
                            rows.insert((path.to_owned(), k.clone(), scalar(v)));
                        }
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    let name = ["code", "section", "month"].iter().find_map(|k| item[*k].as_str()).unwrap();
                    for (k, v) in item.as_object().unwrap() {
                        if !["code", "section", "month"].contains(&k.as_str()) {
                            rows.insert((format!("{path}.{k}"), name.to_owned(), scalar(v)));
                        }
                    }
                }
            }
            _ => unreachable!(),
        }
    }
    let mut rows = BTreeSet::new();
    walk("", json, &mut rows);
    rows
}

/// The CSV's rows after its header, with the header checked.
fn csv_rows(text: &str) -> BTreeSet<(String, String, String)> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap(), vec!["figure", "key", "value"]);
    reader.records().map(|r| r.unwrap()).map(|r| (r[0].to_owned(), r[1].to_owned(), r[2].to_owned())).collect()
}

async fn the_csv_says_what_the_json_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    arrange(&app).await;
    let day = today(&app);
    for (csv_query, json_query) in [
        (format!("from={day}&to={day}"), format!("from={day}&to={day}")),
        (format!("year={}", day.year()), format!("from={}-01-01&to={}-12-31", day.year(), day.year())),
        (String::new(), String::new()),
    ] {
        let json: Value =
            app.client.get(app.url(&format!("/api/v1/stats?{json_query}"))).send().await.unwrap().json().await.unwrap();
        let response = app.client.get(app.url(&format!("/transparency.csv?{csv_query}"))).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename="));
        let text = response.text().await.unwrap();
        let mut expected = flatten(&json);
        // The section that looks like a formula is defused, as in the corrections CSV.
        let formula = "=HYPERLINK(\"https://evil.example\")";
        expected =
            expected.into_iter().map(|(f, k, v)| (f, if k == formula { format!("'{k}") } else { k }, v)).collect();
        assert!(expected.iter().any(|(_, k, _)| k.starts_with("'=HYPERLINK")), "the data has the odd section");
        assert_eq!(csv_rows(&text), expected, "{csv_query}");
        assert!(!text.contains("\n\"=") && !text.contains(",\"="), "no cell starts a formula");
        assert_eq!(json["reports"]["received"], 3);
    }
}

async fn an_empty_period_shows_zeros_and_says_so(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    arrange(&app).await;
    let (status, page) = get(&app.client, &app, "/transparency?period=month&from=2020-03-10").await;
    assert_eq!(status, 200);
    assert!(page.contains("No reports were received and no corrections were published in this period"), "{page}");
    assert!(page.contains(&headline("Reports received", "0")));
    assert!(page.contains(&headline("Median time to a decision", "None")));
    assert!(page.contains(
        "<time datetime=\"2020-03-01\">1 March 2020</time> to <time datetime=\"2020-03-31\">31 March 2020</time>"
    ));
    assert!(page.contains(&format!(
        ">March 2020</time></th>{}",
        ["0", "0"].map(|c| format!("<td class=\"num\">{c}</td>")).concat()
    )));
    let (_, busy) = get(&app.client, &app, "/transparency").await;
    assert!(!busy.contains("No reports were received"));
}

async fn the_annual_report_covers_the_year(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    arrange(&app).await;
    let year = today(&app).year();
    let (status, page) = get(&app.client, &app, &format!("/transparency?year={year}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("<title>Annual report {year} · The Test Gazette</title>")));
    assert!(page.contains(&format!("<h1>The Test Gazette: corrections annual report {year}</h1>")));
    assert!(page.contains(&format!("<time datetime=\"{year}-01-01\">")));
    assert!(page.contains(&format!("<time datetime=\"{year}-12-31\">")));
    assert_eq!(page.matches("scope=\"row\"><time datetime=").count(), 12, "every month of the year");
    assert!(page.contains(&headline("Reports received", "3")));
    assert!(page.contains("class=\"filters no-print\""), "the forms are not printed");
}

/// Files a report quoting `quote` from the test article; returns its id.
async fn file(app: &TestApp, quote: &str) -> i64 {
    let mut body = report_json();
    body["quote"] = json!(quote);
    let filed: Value = app.file_report("kursk", &body).await.json().await.unwrap();
    let token = filed["token"].as_str().unwrap().to_owned();
    app.db.read_blocking(move |c| Ok(corrigenda::domain::reports::for_token(c, &token)?.id)).unwrap()
}

/// Publishes a correction resolving report `id`.
async fn correct(app: &TestApp, id: i64) {
    let body = json!({
        "article_id": "kursk",
        "kind": "clarification",
        "text": "An earlier version of this article was unclear.",
        "standards": ["accuracy"],
        "report_ids": [id],
    });
    let published =
        app.client.post(app.url("/api/v1/desk/corrections")).bearer_auth(&app.token).json(&body).send().await.unwrap();
    assert_eq!(published.status(), 201);
}

async fn the_histogram_puts_each_correction_in_its_span(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let quick = file(&app, "deployed over 10,000 troops").await;
    let hour = file(&app, "counterattacked and included North Korean troops").await;
    let days = file(&app, "launched an incursion into the Russian territory").await;
    app.clock.advance(chrono::Duration::minutes(30));
    correct(&app, quick).await;
    // Exactly an hour, and exactly three days, after filing: each bucket holds its lower bound.
    app.clock.advance(chrono::Duration::minutes(30));
    correct(&app, hour).await;
    app.clock.advance(chrono::Duration::hours(71));
    correct(&app, days).await;
    app.deliver_mail().await;
    let (status, page) = get(&app.client, &app, "/transparency").await;
    assert_eq!(status, 200);
    for (span, n) in [
        ("Under 1 hour", "1"),
        ("1 to 6 hours", "1"),
        ("6 to 24 hours", "0"),
        ("1 to 3 days", "0"),
        ("3 to 7 days", "1"),
        ("7 days or more", "0"),
    ] {
        assert!(page.contains(&table_row(span, &[n])), "{span}: {page}");
    }
    let stats: Value = app.client.get(app.url("/api/v1/stats")).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats["time_to_correction_hours"]["n"], 3, "the histogram counts the same reports");
    assert!(stats.get("time_to_correction_buckets").is_none(), "the API's figures stay as documented");
}

async fn the_figures_are_counted_afresh_for_every_visitor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    arrange(&app).await;
    let response = app.client.get(app.url("/transparency")).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert!(response.text().await.unwrap().contains(&headline("Reports received", "3")));
    // A new report changes nothing the shared page cache follows; the figures still count it.
    file(&app, "counterattacked and included North Korean troops").await;
    app.deliver_mail().await;
    let (_, page) = get(&app.client, &app, "/transparency").await;
    assert!(page.contains(&headline("Reports received", "4")), "{page}");
    let auditor = app.user(Role::Auditor);
    let response = app.signed_in(&auditor).await.get(app.url("/transparency")).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "private, no-store");
}

async fn a_section_narrows_the_figures_and_the_forms_keep_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    arrange(&app).await;
    let (day, year) = (today(&app), today(&app).year());
    let (status, page) = get(&app.client, &app, &format!("/transparency?period=year&from={day}&section=World")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Only reports on, and corrections of, the section \u{201c}World\u{201d}."));
    assert!(page.contains(&headline("Reports received", "2")), "the odd section's report is left out");
    assert_eq!(page.matches("<input type=\"hidden\" name=\"section\" value=\"World\">").count(), 2);
    assert!(
        page.contains(&format!("href=\"/transparency.csv?from={year}-01-01&amp;to={year}-12-31&amp;section=World\""))
    );
    assert!(page.contains("&amp;section=World\">This quarter</a>"), "{page}");
    let csv = app.client.get(app.url(&format!("/transparency.csv?year={year}&section=World"))).send().await.unwrap();
    let csv = csv.text().await.unwrap();
    let json = format!("/api/v1/stats?from={year}-01-01&to={year}-12-31&section=World");
    let json: Value = app.client.get(app.url(&json)).send().await.unwrap().json().await.unwrap();
    assert_eq!(csv_rows(&csv), flatten(&json));
    let (_, all) = get(&app.client, &app, &format!("/transparency?period=year&from={day}")).await;
    assert!(!all.contains("Only reports on"), "the whole publication is not narrowed");
    assert!(all.contains(&headline("Reports received", "3")));
}
