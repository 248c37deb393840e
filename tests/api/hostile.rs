//! Hostile reports, generated: whatever a client posts, the answer is a filed report or a 4xx
//! that says what is wrong, never a 5xx, and a report is stored exactly when it was acknowledged.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

use corrigenda::domain::accounts::Role;

use crate::both_backends;
use crate::helpers::{report_json, Backend, TestApp};

both_backends!(
    hostile_report_json_is_filed_whole_or_refused_naming_a_field,
    hostile_report_forms_are_filed_whole_or_refused_on_the_form,
    a_nul_in_an_article_id_or_a_filter_is_refused_not_a_server_error,
);

/// Cases per property: few in an ordinary run, `PROPTEST_CASES` in the long run.
fn config(ci: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(ci);
    // A failing case is kept as a plain test instead (the runner has no source file to write beside).
    Config { cases, failure_persistence: None, ..Config::default() }
}

/// Runs `check` on `cases` values of `strategy` against a live server, shrinking a failure.
fn run<S: Strategy>(
    cases: u32,
    strategy: S,
    check: impl Fn(S::Value) -> futures_util::future::BoxFuture<'static, Result<(), String>>,
) where
    S::Value: Send + 'static,
{
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(config(cases));
    let outcome = tokio::task::block_in_place(|| {
        runner.run(&strategy, |value| handle.block_on(check(value)).map_err(TestCaseError::fail))
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// One character, weighted towards controls, NULs and characters that have broken parsers.
fn hostile_char() -> impl Strategy<Value = char> + Clone {
    prop_oneof![
        4 => any::<char>(),
        3 => proptest::char::range(' ', '~'),
        2 => proptest::char::range('\0', '\u{1f}'),
        1 => proptest::char::range('\u{7f}', '\u{9f}'),
        1 => proptest::sample::select(&['\u{202e}', '\u{feff}', '\u{2028}', '\u{200b}', '\u{ad}', '\u{2026}', '\u{130}'][..]),
    ]
}

/// Hostile text: short mostly, sometimes thousands of characters.
fn hostile_text() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        6 => proptest::collection::vec(hostile_char(), 0..40).prop_map(String::from_iter),
        1 => (proptest::collection::vec(hostile_char(), 1..6), 2000..9000_usize)
            .prop_map(|(pattern, n)| pattern.into_iter().cycle().take(n).collect()),
    ]
}

/// Any JSON value, of a type a field does not expect as often as of one it does.
fn hostile_json() -> impl Strategy<Value = Value> + Clone {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        hostile_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::btree_map(hostile_text(), inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A value for one field: one that passes (weighted, so many reports are filed), hostile text,
/// or JSON of any type; `None` leaves the field out.
fn field(good: &'static [&'static str]) -> impl Strategy<Value = Option<Value>> + Clone {
    prop_oneof![
        5 => proptest::sample::select(good).prop_map(|v| Some(Value::from(v))),
        2 => hostile_text().prop_map(|v| Some(Value::from(v))),
        1 => hostile_json().prop_map(Some),
        1 => Just(None),
    ]
}

const CATEGORIES: &[&str] = &["factual_error", "misquote", "spelling", "other", " missing_context "];
const QUOTES: &[&str] = &[
    "in the war that is approaching its four-year mark",
    "Approaching  its four-year MARK",
    "approaching its four\u{2010}year mark",
    "in the war ... four-year mark",
];
const EXPLANATIONS: &[&str] = &[
    "The invasion began in February 2022: in December 2024 it was nearly three years.",
    "It was three years, not four.\r\nSee the link.",
    "Three, <b>not</b> four: \u{201c}three-year\u{201d} & more.",
];
const NAMES: &[&str] = &["Ada Reader", "  Zoë O'Brien  ", ""];
const EMAILS: &[&str] = &["ada@example.com", " zoe@news.example ", ""];

/// The article a report is posted to: the test article mostly, else any short text in the path
/// (a path of thousands of characters is refused by the client before it is sent).
fn article_id() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just("kursk".to_owned()),
        1 => proptest::collection::vec(hostile_char(), 0..200).prop_map(String::from_iter),
    ]
}

/// A report's JSON fields, perhaps with a key the API does not know.
fn report_object() -> impl Strategy<Value = Value> {
    let evidence = prop_oneof![
        4 => proptest::collection::vec(
            prop_oneof![Just(Value::from("https://example.com/a?b=1")), hostile_text().prop_map(Value::from)],
            0..4,
        )
        .prop_map(|v| Some(Value::Array(v))),
        1 => hostile_json().prop_map(Some),
        1 => Just(None),
    ];
    (
        (field(CATEGORIES), field(QUOTES), field(EXPLANATIONS)),
        (evidence, field(NAMES), field(EMAILS)),
        proptest::option::weighted(0.1, (hostile_text(), hostile_json())),
    )
        .prop_map(|((category, quote, explanation), (evidence, name, email), stray)| {
            let mut body = serde_json::Map::new();
            for (key, value) in [
                ("category", category),
                ("quote", quote),
                ("explanation", explanation),
                ("evidence_urls", evidence),
                ("reporter_name", name),
                ("reporter_email", email),
            ] {
                if let Some(value) = value {
                    body.insert(key.to_owned(), value);
                }
            }
            if let Some((key, value)) = stray {
                body.insert(key, value);
            }
            Value::Object(body)
        })
}

/// A request body: a report object mostly, sometimes other JSON or bytes that are not JSON.
fn json_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => report_object().prop_map(|v| v.to_string().into_bytes()),
        1 => hostile_json().prop_map(|v| v.to_string().into_bytes()),
        1 => proptest::collection::vec(any::<u8>(), 0..64),
    ]
}

/// The path segment of an article id, percent-encoded as a client must send it.
fn segment(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string()
}

async fn hostile_report_json_is_filed_whole_or_refused_naming_a_field(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::spawn_with(backend, |s| s.report_rate_limit = "0".into()).await);
    app.article().await;
    let shared = app.clone();
    run(48, (article_id(), json_body()), move |(article, body)| {
        let app = shared.clone();
        Box::pin(async move {
            let has_blank_key = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v.as_object().map(|o| o.contains_key("")))
                .unwrap_or(false);
            let before = app.report_count();
            let response = app
                .client
                .post(app.url(&format!("/api/v1/articles/{}/reports", segment(&article))))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let answer: Value = response.json().await.map_err(|e| format!("{status}: not JSON: {e}"))?;
            let stored = app.report_count() - before;
            match status {
                201 if stored == 1 && answer["token"].as_str().is_some_and(|t| t.len() == 43) => Ok(()),
                // The field named may be blank only when the body has a blank key.
                422 if stored == 0
                    && answer["error"]["field"].as_str().is_some_and(|f| !f.is_empty() || has_blank_key) =>
                {
                    Ok(())
                }
                400 | 404 if stored == 0 && answer["error"]["message"].as_str().is_some_and(|m| !m.is_empty()) => {
                    Ok(())
                }
                _ => Err(format!("{status} with {stored} report(s) stored: {answer}")),
            }
        })
    });
    app.deliver_mail().await;
}

/// A report form's fields as posted, the honeypot empty mostly.
fn form_body() -> impl Strategy<Value = Vec<(String, String)>> {
    let text = |good: &'static [&'static str]| prop_oneof![3 => proptest::sample::select(good).prop_map(str::to_owned), 1 => hostile_text()];
    let evidence = prop_oneof![
        Just("https://example.com/a\r\nhttps://example.com/b\r\n".to_owned()),
        Just(String::new()),
        hostile_text(),
    ];
    (
        (text(CATEGORIES), text(QUOTES), text(EXPLANATIONS), evidence),
        (text(NAMES), text(EMAILS), prop_oneof![6 => Just(String::new()), 1 => hostile_text()]),
        proptest::option::weighted(0.1, (hostile_text(), hostile_text())),
    )
        .prop_map(|((category, quote, explanation, evidence), (name, email, website), stray)| {
            let mut fields = vec![
                ("category".to_owned(), category),
                ("quote".to_owned(), quote),
                ("explanation".to_owned(), explanation),
                ("evidence_urls".to_owned(), evidence),
                ("reporter_name".to_owned(), name),
                ("reporter_email".to_owned(), email),
                ("website".to_owned(), website),
            ];
            fields.extend(stray);
            fields
        })
}

async fn hostile_report_forms_are_filed_whole_or_refused_on_the_form(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::spawn_with(backend, |s| s.report_rate_limit = "0".into()).await);
    app.article().await;
    let shared = app.clone();
    run(32, (article_id(), form_body()), move |(article, fields)| {
        let app = shared.clone();
        Box::pin(async move {
            let before = app.report_count();
            let response = app
                .client
                .post(app.url(&format!("/articles/{}/report", segment(&article))))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(&fields).map_err(|e| e.to_string())?)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let location = response.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_owned);
            let page = response.text().await.map_err(|e| e.to_string())?;
            let stored = app.report_count() - before;
            let filed = location.as_deref().is_some_and(|l| l.starts_with("/reports/") && l.ends_with("?filed=1"));
            match status {
                303 if stored == 1 && filed => Ok(()),
                422 if stored == 0 && page.contains("There is a problem") => Ok(()),
                // An unknown article gets its own page; an empty id matches no route at all.
                404 if stored == 0
                    && (page.contains("We cannot take reports on this article yet")
                        || (article.is_empty() && page.contains("<title>Not Found"))) =>
                {
                    Ok(())
                }
                _ => Err(format!(
                    "{status} with {stored} report(s) stored: {}",
                    page.chars().take(400).collect::<String>()
                )),
            }
        })
    });
    app.deliver_mail().await;
}

/// Found by the properties above on PostgreSQL, which refuses a NUL in text: these were 500s.
async fn a_nul_in_an_article_id_or_a_filter_is_refused_not_a_server_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let editor = app.token.clone();
    let auditor = app.user(Role::Auditor).token;
    let report = app.client.post(app.url("/api/v1/articles/a%00b/reports")).json(&report_json()).send().await.unwrap();
    assert_eq!(report.status(), 404);
    let form = app
        .client
        .post(app.url("/articles/%00/report"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("category=other&quote=four-year+mark&explanation=It+was+three+years+then.")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 404);
    assert_eq!(
        app.client.get(app.url("/api/v1/articles/%00")).bearer_auth(&editor).send().await.unwrap().status(),
        404
    );
    for (path, field) in [
        ("/api/v1/desk/reports?section=%00", "section"),
        ("/api/v1/desk/reports?assignee=a%00%40news.example", "assignee"),
        ("/api/v1/corrections?section=%00", "section"),
        ("/api/v1/corrections?standard=x%00", "standard"),
        ("/api/v1/audit/events?actor=%00", "actor"),
    ] {
        let token = if path.contains("audit") { &auditor } else { &editor };
        let response = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), 422, "{path}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["field"], field, "{path}");
    }
    assert_eq!(app.report_count(), 0);
}
