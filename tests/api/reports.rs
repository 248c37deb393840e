//! The reader's report: API and form, every validation rule, tracking, and abuse limits.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{report_json, Backend, TestApp};

both_backends!(
    filing_returns_token_status_and_url,
    missing_category_is_422,
    unknown_category_is_422,
    empty_quote_is_422,
    too_long_quote_is_422,
    quote_not_in_article_is_422,
    quote_with_other_typography_is_accepted,
    short_explanation_is_422,
    too_long_explanation_is_422,
    evidence_must_be_web_links,
    too_many_evidence_links_is_422,
    reporter_name_with_control_characters_is_422,
    bad_reporter_email_is_422,
    unknown_field_is_422,
    wrong_type_is_422,
    invalid_json_is_400,
    invalid_utf8_is_400,
    body_over_limit_is_413,
    report_on_unknown_article_is_404,
    unknown_token_is_404,
    token_is_not_guessable,
    tracking_json_never_shows_the_email,
    pages_with_a_token_in_their_url_send_no_referrer,
    xss_is_escaped_on_the_tracking_page,
    form_journey_files_and_tracks,
    form_errors_keep_the_readers_input,
    form_honeypot_refuses_and_stores_nothing,
    form_invalid_utf8_is_400,
    rate_limit_answers_429_with_retry_after,
);

/// Files `body` on the test article and expects a 422 naming `field`; nothing is stored.
async fn expect_invalid(app: &TestApp, body: Value, field: &str) -> String {
    let response = app.file_report("kursk", &body).await;
    assert_eq!(response.status(), 422, "{field}");
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "invalid_field");
    assert_eq!(error["error"]["field"], field, "{error}");
    assert_eq!(app.report_count(), 0, "a refused report stores nothing");
    error["error"]["message"].as_str().unwrap().to_owned()
}

async fn with(backend: Backend, field: &str, value: Value) -> (TestApp, Value) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let mut body = report_json();
    if value.is_null() {
        body.as_object_mut().unwrap().remove(field);
    } else {
        body[field] = value;
    }
    (app, body)
}

async fn filing_returns_token_status_and_url(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let response = app.file_report("kursk", &report_json()).await;
    assert_eq!(response.status(), 201);
    let filed: Value = response.json().await.unwrap();
    let token = filed["token"].as_str().unwrap();
    assert_eq!(filed["status"], "new");
    assert_eq!(filed["status_url"], app.url(&format!("/reports/{token}")));
    let tracking: Value =
        app.client.get(app.url(&format!("/api/v1/reports/{token}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(tracking["status"], "new");
    assert_eq!(tracking["article_id"], "kursk");
    assert_eq!(tracking["quote"], "in the war that is approaching its four-year mark", "the passage is snapshotted");
    assert_eq!(tracking["history"][0]["kind"], "report_filed");
    assert_eq!(app.report_count(), 1);
    app.deliver_mail().await;
}

async fn missing_category_is_422(backend: Backend) {
    let (app, body) = with(backend, "category", json!("")).await;
    let message = expect_invalid(&app, body, "category").await;
    assert!(message.contains("factual_error"), "names the allowed values: {message}");
}

async fn unknown_category_is_422(backend: Backend) {
    let (app, body) = with(backend, "category", json!("gossip")).await;
    expect_invalid(&app, body, "category").await;
}

async fn empty_quote_is_422(backend: Backend) {
    let (app, body) = with(backend, "quote", json!("  \n ")).await;
    expect_invalid(&app, body, "quote").await;
}

async fn too_long_quote_is_422(backend: Backend) {
    let (app, body) = with(backend, "quote", json!("war ".repeat(600))).await;
    let message = expect_invalid(&app, body, "quote").await;
    assert!(message.contains("2000"), "{message}");
}

async fn quote_not_in_article_is_422(backend: Backend) {
    let (app, body) = with(backend, "quote", json!("an estimated 50,000 North Korean troops")).await;
    let message = expect_invalid(&app, body, "quote").await;
    assert!(message.contains("does not appear in the article"), "{message}");
}

async fn quote_with_other_typography_is_accepted(backend: Backend) {
    // The article has curly quotes and single spaces; the reader typed straight quotes and a line break.
    let (app, body) = with(
        backend,
        "quote",
        json!("\"Another 1,000 have been injured in the ongoing fight\n in Russia's Kursk region"),
    )
    .await;
    let filed = app.file_report("kursk", &body).await;
    assert_eq!(filed.status(), 201);
    let token = filed.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    // Kept as the reader typed it, and located in the article: the span is the curly-quoted passage.
    let tracking: Value =
        app.client.get(app.url(&format!("/api/v1/reports/{token}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(tracking["quote"], body["quote"], "{tracking}");
    let span = app
        .db
        .read_blocking(|c| {
            use corrigenda::db::schema::reports;
            use diesel::prelude::*;
            Ok(reports::table
                .select((reports::quote_start, reports::quote_end))
                .first::<(Option<i64>, Option<i64>)>(c)?)
        })
        .unwrap();
    let (Some(start), Some(end)) = span else { panic!("the quote was not located: {span:?}") };
    let text = corrigenda::domain::quote::normalise(crate::helpers::ARTICLE_TEXT);
    let passage = "\u{201c}Another 1,000 have been injured in the ongoing fight in Russia\u{2019}s Kursk region";
    assert_eq!(&text[start as usize..end as usize], corrigenda::domain::quote::normalise(passage));
    app.deliver_mail().await;
}

async fn short_explanation_is_422(backend: Backend) {
    let (app, body) = with(backend, "explanation", json!("wrong")).await;
    expect_invalid(&app, body, "explanation").await;
}

async fn too_long_explanation_is_422(backend: Backend) {
    let (app, body) = with(backend, "explanation", json!("é".repeat(5001))).await;
    expect_invalid(&app, body, "explanation").await;
}

async fn evidence_must_be_web_links(backend: Backend) {
    for bad in ["javascript:alert(1)", "not a url", "ftp://files.example/x", "https://user:pw@example.com/"] {
        let (app, body) = with(backend, "evidence_urls", json!([bad])).await;
        expect_invalid(&app, body, "evidence_urls").await;
    }
}

async fn too_many_evidence_links_is_422(backend: Backend) {
    let links: Vec<String> = (0..11).map(|i| format!("https://example.com/{i}")).collect();
    let (app, body) = with(backend, "evidence_urls", json!(links)).await;
    expect_invalid(&app, body, "evidence_urls").await;
}

async fn reporter_name_with_control_characters_is_422(backend: Backend) {
    let (app, body) = with(backend, "reporter_name", json!("Ada\u{0}Reader")).await;
    expect_invalid(&app, body, "reporter_name").await;
}

async fn bad_reporter_email_is_422(backend: Backend) {
    for bad in ["ada", "ada@", "ada@example", "<script>@x.com"] {
        let (app, body) = with(backend, "reporter_email", json!(bad)).await;
        expect_invalid(&app, body, "reporter_email").await;
    }
}

async fn unknown_field_is_422(backend: Backend) {
    let (app, body) = with(backend, "reporter_phone", json!("555")).await;
    expect_invalid(&app, body, "reporter_phone").await;
}

async fn wrong_type_is_422(backend: Backend) {
    let (app, body) = with(backend, "evidence_urls", json!("https://example.com")).await;
    expect_invalid(&app, body, "evidence_urls").await;
}

async fn invalid_json_is_400(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let response = app
        .client
        .post(app.url("/api/v1/articles/kursk/reports"))
        .header("content-type", "application/json")
        .body("{\"category\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "bad_request");
}

async fn invalid_utf8_is_400(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let response = app
        .client
        .post(app.url("/api/v1/articles/kursk/reports"))
        .header("content-type", "application/json")
        .body(b"{\"category\": \"other\xff\xfe\"}".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["message"].as_str().unwrap().contains("UTF-8"));
}

async fn body_over_limit_is_413(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let mut body = report_json();
    body["explanation"] = json!("x".repeat(300 * 1024));
    let response = app.file_report("kursk", &body).await;
    assert_eq!(response.status(), 413);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "payload_too_large");
    let form = app
        .client
        .post(app.url("/articles/kursk/report"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("explanation={}", "x".repeat(300 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 413);
    assert_eq!(app.report_count(), 0);
}

async fn report_on_unknown_article_is_404(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.file_report("no-such-article", &report_json()).await;
    assert_eq!(response.status(), 404);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["message"].as_str().unwrap().contains("no-such-article"));
    let page = app.client.get(app.url("/articles/no-such-article/report")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("no-such-article"));
}

async fn unknown_token_is_404(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let made_up = "A".repeat(43);
    for token in [made_up.as_str(), "short", "../../etc/passwd"] {
        let api = app.client.get(app.url(&format!("/api/v1/reports/{token}"))).send().await.unwrap();
        assert_eq!(api.status(), 404, "{token}");
        let page = app.client.get(app.url(&format!("/reports/{token}"))).send().await.unwrap();
        assert_eq!(page.status(), 404, "{token}");
        assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    }
}

async fn token_is_not_guessable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let filed: Value = app.file_report("kursk", &report_json()).await.json().await.unwrap();
        let token = filed["token"].as_str().unwrap().to_owned();
        // 43 base64url characters carry 256 random bits.
        assert_eq!(token.len(), 43, "{token}");
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
        tokens.push(token);
    }
    let distinct: std::collections::BTreeSet<&String> = tokens.iter().collect();
    assert_eq!(distinct.len(), 3, "{tokens:?}");
    // Only a hash is stored: SHA-256 of the token, in hex, worked out here.
    use diesel::prelude::*;
    use sha2::{Digest, Sha256};
    let stored: Vec<String> = app
        .db
        .read_blocking(|c| {
            use corrigenda::db::schema::reports;
            Ok(reports::table.order(reports::id.asc()).select(reports::token_hash).load(c)?)
        })
        .unwrap();
    let expected: Vec<String> = tokens.iter().map(|t| hex::encode(Sha256::digest(t.as_bytes()))).collect();
    assert_eq!(stored, expected, "one row per report, each holding the hash of its token and nothing else");
    app.deliver_mail().await;
}

async fn tracking_json_never_shows_the_email(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let filed: Value = app.file_report("kursk", &report_json()).await.json().await.unwrap();
    let token = filed["token"].as_str().unwrap();
    let json = app.client.get(app.url(&format!("/api/v1/reports/{token}"))).send().await.unwrap().text().await.unwrap();
    assert!(!json.contains("ada@example.com") && !json.contains("Ada Reader"), "{json}");
    let page = app.client.get(app.url(&format!("/reports/{token}"))).send().await.unwrap();
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(!html.contains("ada@example.com") && !html.contains("Ada Reader"));
    app.deliver_mail().await;
}

/// The referrer policies a page states in its markup (`<meta name="referrer" content="...">`).
fn meta_referrer_policies(html: &str) -> Vec<String> {
    html.match_indices("<meta name=\"referrer\"")
        .map(|(at, _)| {
            let tag = &html[at..at + html[at..].find('>').unwrap()];
            tag.split("content=\"").nth(1).map(|v| v[..v.find('"').unwrap()].to_owned()).unwrap_or_default()
        })
        .collect()
}

async fn pages_with_a_token_in_their_url_send_no_referrer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.filed().await;
    // The tracking page, an unknown token's error page, the unsubscribe page and the first-run link.
    for (path, status) in [
        (format!("/reports/{token}"), 200),
        ("/reports/not-a-token".to_owned(), 404),
        ("/subscriptions/some-token/unsubscribe".to_owned(), 200),
        ("/setup/not-a-token".to_owned(), 404),
    ] {
        let page = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(page.status(), status, "{path}");
        assert_eq!(page.headers()["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(page.headers()["cache-control"], "no-store", "{path}");
        let html = page.text().await.unwrap();
        assert_eq!(meta_referrer_policies(&html), Vec::<String>::new(), "{path}: a meta would override the header");
    }
    // Other pages keep the referrer on this site only, from the header alone.
    let standards = app.client.get(app.url("/standards")).send().await.unwrap();
    assert_eq!(standards.headers()["referrer-policy"], "same-origin");
    assert_eq!(meta_referrer_policies(&standards.text().await.unwrap()), Vec::<String>::new());
    app.deliver_mail().await;
}

async fn xss_is_escaped_on_the_tracking_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut article = crate::helpers::article_json();
    article.as_object_mut().unwrap().remove("text");
    article["title"] = json!("<b>Bold</b> headline");
    app.put_article("plain", &article).await;
    let body = json!({
        "category": "other",
        "quote": "<script>alert('quote')</script>",
        "explanation": "\"><img src=x onerror=alert(1)> & more text",
        "evidence_urls": ["https://example.com/?q=<script>"],
    });
    let filed: Value = app.file_report("plain", &body).await.json().await.unwrap();
    let html = app
        .client
        .get(app.url(&format!("/reports/{}", filed["token"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(!html.contains("<b>Bold</b>"));
    assert!(
        html.contains("&lt;script&gt;alert('quote')&lt;/script&gt;")
            || html.contains("&lt;script&gt;alert(&#39;quote&#39;)"),
        "{html}"
    );
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; more text"), "{html}");
}

/// Posts the report form with `fields`.
async fn post_form(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let body = serde_urlencoded::to_string(fields).unwrap();
    app.client
        .post(app.url("/articles/kursk/report"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

const GOOD_FORM: &[(&str, &str)] = &[
    ("category", "factual_error"),
    ("quote", "approaching its four-year mark"),
    ("explanation", "It was approaching its three-year mark in December 2024."),
    ("evidence_urls", "https://example.com/a\r\nhttps://example.com/b\r\n"),
    ("reporter_name", ""),
    ("reporter_email", ""),
    ("website", ""),
];

async fn form_journey_files_and_tracks(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let form = app.client.get(app.url("/articles/kursk/report")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    for field in ["category", "quote", "explanation", "evidence_urls", "reporter_name", "reporter_email"] {
        assert!(html.contains(&format!("for=\"field-{field}\"")), "{field} has a label");
    }
    let response = post_form(&app, GOOD_FORM).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/reports/") && location.ends_with("?filed=1"), "{location}");
    let page = app.client.get(app.url(&location)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Received"), "status shown");
    assert!(html.contains("approaching its four-year mark"), "quote shown");
    assert!(html.contains("https://example.com/b"), "evidence shown");
    assert_eq!(app.report_count(), 1);
}

async fn form_errors_keep_the_readers_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let mut fields = GOOD_FORM.to_vec();
    fields[1] = ("quote", "a passage <nowhere> in the article");
    fields[5] = ("reporter_email", "ada@");
    let response = post_form(&app, &fields).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("a passage &lt;nowhere&gt; in the article"), "input kept, escaped");
    assert!(html.contains("id=\"error-quote\""), "error next to the quote");
    assert!(html.contains("id=\"error-reporter_email\""), "error next to the email");
    assert!(html.contains("It was approaching its three-year mark"), "other input kept");
    assert_eq!(app.report_count(), 0);
}

async fn form_honeypot_refuses_and_stores_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let mut fields = GOOD_FORM.to_vec();
    fields[6] = ("website", "https://spam.example");
    let response = post_form(&app, &fields).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("Leave this field empty"));
    assert_eq!(app.report_count(), 0);
}

async fn form_invalid_utf8_is_400(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let response = app
        .client
        .post(app.url("/articles/kursk/report"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("category=other&quote=%FF%FE&explanation=long+enough+text")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("UTF-8"));
}

async fn rate_limit_answers_429_with_retry_after(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.report_rate_limit = "2/600".into()).await;
    app.article().await;
    // Refused reports do not count against the reader.
    let mut bad = report_json();
    bad["category"] = json!("gossip");
    assert_eq!(app.file_report("kursk", &bad).await.status(), 422);
    assert_eq!(app.file_report("kursk", &report_json()).await.status(), 201);
    assert_eq!(post_form(&app, GOOD_FORM).await.status(), 303);
    let api = app.file_report("kursk", &report_json()).await;
    assert_eq!(api.status(), 429);
    let retry: u64 = api.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    let form = post_form(&app, GOOD_FORM).await;
    assert_eq!(form.status(), 429);
    assert!(form.headers().contains_key("retry-after"));
    assert!(form.text().await.unwrap().contains("try again"), "the reader is told why");
    assert_eq!(app.report_count(), 2);
    app.deliver_mail().await;
}
