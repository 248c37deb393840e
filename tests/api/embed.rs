//! What publishers embed: the select-to-report script, the report form it opens (filled in from
//! the link, however hostile), the demonstration page, and when an article was last corrected in
//! the notice's JSON-LD and the article's corrections as JSON.

use chrono::{DateTime, Duration, Utc};
use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, TestApp, ARTICLE_TEXT};

both_backends!(
    the_script_is_small_javascript_cacheable_and_safe_under_a_strict_policy,
    the_report_form_is_filled_from_the_link,
    hostile_links_fill_the_form_harmlessly,
    the_demo_page_shows_the_article_with_the_notice_and_the_widget,
    the_demo_page_shows_the_text_only_where_it_is_public,
    the_latest_correction_dates_the_notice_and_the_log,
);

/// A quote from the test article, as a reader selects it.
const QUOTE: &str = "in the war that is approaching its four-year mark";

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).send().await.unwrap()
}

/// The report form's textarea content for the passage, as sent (still HTML-escaped).
fn quote_field(page: &str) -> &str {
    let open = page.find("name=\"quote\"").expect("the form has a quote field");
    let start = open + page[open..].find('>').unwrap() + 1;
    let end = start + page[start..].find("</textarea>").unwrap();
    // An HTML parser drops a newline right after `<textarea>`; maud writes one.
    page[start..end].strip_prefix('\n').unwrap_or(&page[start..end])
}

/// The category selected on the report form, if any.
fn selected_category(page: &str) -> Option<String> {
    let select = &page[page.find("name=\"category\"").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    select.split("<option").find(|o| o.contains(" selected")).map(|o| {
        let value = &o[o.find("value=\"").unwrap() + 7..];
        value[..value.find('"').unwrap()].to_owned()
    })
}

async fn the_script_is_small_javascript_cacheable_and_safe_under_a_strict_policy(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = get(&app, "/embed/report.js").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert!(header("content-type").starts_with("text/javascript"), "{}", header("content-type"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("cross-origin-resource-policy"), "cross-origin");
    assert!(header("cache-control").contains("public") && header("cache-control").contains("max-age=86400"));
    let etag = header("etag");
    assert!(etag.starts_with('"') && etag.len() == 18, "{etag}");
    let script = response.text().await.unwrap();
    assert!(script.len() < 5 * 1024, "the script has {} bytes", script.len());
    // It finds its own tag and the article, builds the form's address from its own, and opens it.
    for needed in
        ["data-article", "/embed/report.js", "/articles/", "/report", "?quote=", "encodeURIComponent", "_blank"]
    {
        assert!(script.contains(needed), "the script lacks {needed:?}");
    }
    assert!(script.contains("'Enter'") && script.contains("ctrlKey"), "no Ctrl+Enter");
    // Nothing a strict Content-Security-Policy refuses: no eval, no style attributes, no inline HTML.
    for refused in ["eval(", "Function(", "setAttribute('style'", "cssText", "innerHTML", "insertAdjacentHTML"] {
        assert!(!script.contains(refused), "the script uses {refused:?}");
    }

    let again = app.client.get(app.url("/embed/report.js")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.text().await.unwrap().is_empty());
    let version = etag.trim_matches('"');
    let pinned = get(&app, &format!("/embed/report.js?v={version}")).await;
    assert_eq!(pinned.headers()["cache-control"], "public, max-age=31536000, immutable");
    let other = get(&app, "/embed/report.js?v=0000").await;
    assert!(other.headers()["cache-control"].to_str().unwrap().contains("max-age=86400"), "an old version");
    let head = app.client.head(app.url("/embed/report.js")).send().await.unwrap();
    assert_eq!(head.status(), 200);
}

async fn the_report_form_is_filled_from_the_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let link = format!("/articles/kursk/report?quote={}&category=misquote", urlencoding(QUOTE));
    let response = get(&app, &link).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert_eq!(quote_field(&page), QUOTE);
    assert_eq!(selected_category(&page).as_deref(), Some("misquote"));
    // Without a link's values the form is empty, as before.
    let empty = get(&app, "/articles/kursk/report").await.text().await.unwrap();
    assert_eq!(quote_field(&empty), "");
    assert_eq!(selected_category(&empty), None);
    // The filled form files like any other.
    let report = json!({
        "category": "misquote", "quote": QUOTE,
        "explanation": "The invasion began in February 2022: nearly three years, not four.", "evidence_urls": [],
    });
    assert_eq!(app.file_report("kursk", &report).await.status(), 201);
    app.deliver_mail().await;
}

async fn hostile_links_fill_the_form_harmlessly(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    // Markup is escaped, never run; an unknown category is ignored.
    let script = "</textarea><script>alert(1)</script>";
    let page = get(&app, &format!("/articles/kursk/report?quote={}&category=arson", urlencoding(script))).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert_eq!(quote_field(&page), "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    assert!(!page.contains("<script>alert(1)"));
    assert_eq!(selected_category(&page), None);
    // Too long: cut to the form's limit of 2,000 characters.
    let long = "ä".repeat(3000);
    let page = get(&app, &format!("/articles/kursk/report?quote={}", urlencoding(&long))).await.text().await.unwrap();
    assert_eq!(quote_field(&page).chars().count(), 2000);
    // Control characters go; bad percent-encoding and bad UTF-8 do not break the page.
    for query in ["quote=a%00b%07c%0D%0Ad", "quote=%ZZ%FF%C3", "quote=&quote=x&category=", "category=%00", "quote"] {
        let response = get(&app, &format!("/articles/kursk/report?{query}")).await;
        assert_eq!(response.status(), 200, "{query}");
        let page = response.text().await.unwrap();
        assert!(!quote_field(&page).chars().any(|c| c.is_control() && c != '\n'), "{query}");
    }
    let page = get(&app, "/articles/kursk/report?quote=a%00b%07c%0D%0Ad").await.text().await.unwrap();
    assert_eq!(quote_field(&page), "abc\nd");
    // An address longer than the server reads is refused, not a failure.
    let huge = get(&app, &format!("/articles/kursk/report?quote={}", "x".repeat(40_000))).await;
    assert!(!huge.status().is_server_error(), "{}", huge.status());
    if huge.status() == 200 {
        assert_eq!(quote_field(&huge.text().await.unwrap()).len(), 2000);
    }
    // An article the CMS has not registered: the usual page, whatever the link holds.
    let unknown = get(&app, "/articles/no-such-article/report?quote=x&category=misquote").await;
    assert_eq!(unknown.status(), 404);
}

async fn the_demo_page_shows_the_article_with_the_notice_and_the_widget(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.public_article_text = "true".into()).await;
    app.article().await;
    let response = get(&app, "/embed/demo/kursk").await;
    assert_eq!(response.status(), 200);
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("script-src 'self';") && !policy.contains("unsafe-inline"), "{policy}");
    assert!(policy.contains("style-src 'self' 'unsafe-hashes' 'sha256-"), "{policy}");
    let page = response.text().await.unwrap();
    assert!(page.contains("Russians Appear to Commit Disturbing Act"), "the headline");
    let first = ARTICLE_TEXT.split("\n\n").next().unwrap().trim();
    assert!(page.contains(&first[..60]), "the text's first paragraph");
    // The widget's tag as a publisher writes it, pinned to the script's version.
    let etag = get(&app, "/embed/report.js").await.headers()["etag"].to_str().unwrap().trim_matches('"').to_owned();
    let tag =
        format!("<script src=\"{}/embed/report.js?v={etag}\" data-article=\"kursk\" defer></script>", app.address);
    assert!(page.contains(&tag), "the widget's tag");
    // The notice, with its "Submit a correction" link for readers without JavaScript.
    assert!(page.contains("class=\"corrigenda-notice\""));
    assert!(page.contains(&format!("href=\"{}/articles/kursk/report\"", app.address)));
    // No script of its own besides the widget and the JSON-LD data.
    assert_eq!(page.matches("<script").count(), 2, "{page}");

    let unknown = get(&app, "/embed/demo/no-such-article").await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let odd = get(&app, "/embed/demo/%3Cscript%3E").await;
    assert_eq!(odd.status(), 404);
    assert!(!odd.text().await.unwrap().contains("<script>"));
}

async fn the_demo_page_shows_the_text_only_where_it_is_public(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let first = ARTICLE_TEXT.split("\n\n").next().unwrap().trim();
    let page = get(&app, "/embed/demo/kursk").await.text().await.unwrap();
    assert!(!page.contains(&first[..60]), "the text is not public");
    assert!(page.contains("The article's text is not public on this site"), "and the page says so");
    let editor = app.user(Role::Editor);
    let staff = app.signed_in(&editor).await;
    let page = staff.get(app.url("/embed/demo/kursk")).send().await.unwrap();
    assert_eq!(page.headers()["cache-control"], "private, no-store");
    assert!(page.text().await.unwrap().contains(&first[..60]), "staff see the text");
    // The anonymous page stays without it.
    assert!(!get(&app, "/embed/demo/kursk").await.text().await.unwrap().contains(&first[..60]));
}

/// The JSON-LD of the notice of `kursk`.
async fn notice_json_ld(app: &TestApp) -> Value {
    let html = get(app, "/articles/kursk/notice").await.text().await.unwrap();
    let open = "<script type=\"application/ld+json\">";
    let start = html.find(open).unwrap() + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

fn time(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap_or_else(|| panic!("not a time: {value}"))).unwrap().to_utc()
}

async fn the_latest_correction_dates_the_notice_and_the_log(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let log = |app: &TestApp| {
        let request = app.client.get(app.url("/api/v1/articles/kursk/corrections")).send();
        async move { request.await.unwrap().json::<Value>().await.unwrap() }
    };
    // No correction: no date.
    assert_eq!(log(&app).await["date_modified"], Value::Null);
    assert!(notice_json_ld(&app).await.get("dateModified").is_none());

    let publish = |kind: &str| {
        let body = json!({
            "article_id": "kursk", "kind": kind, "standards": ["accuracy"],
            "text": "An earlier version said the war was approaching its four-year mark. It was its third year.",
        });
        app.client.post(app.url("/api/v1/desk/corrections")).bearer_auth(&app.token).json(&body).send()
    };
    let first: Value = publish("correction").await.unwrap().json().await.unwrap();
    assert!(first["published_at"].is_string(), "{first}");
    app.clock.advance(Duration::days(2));
    let second: Value = publish("clarification").await.unwrap().json().await.unwrap();
    assert!(second["published_at"].is_string(), "{second}");
    assert!(time(&second["published_at"]) - time(&first["published_at"]) >= Duration::days(2));
    let answer = log(&app).await;
    assert_eq!(answer["date_modified"], second["published_at"], "the latest correction's time");
    let ld = notice_json_ld(&app).await;
    assert_eq!(time(&ld["dateModified"]).timestamp(), time(&second["published_at"]).timestamp());
    let newest = ld["correction"].as_array().unwrap().iter().map(|c| c["datePublished"].clone()).max_by_key(time);
    assert_eq!(Some(ld["dateModified"].clone()), newest, "as the newest datePublished says it");

    // A retraction drafted now and approved a day later dates the article from its approval.
    let approver = app.user(Role::StandardsEditor);
    let pending: Value = publish("retraction").await.unwrap().json().await.unwrap();
    assert_eq!(pending["status"], "pending", "{pending}");
    assert_eq!(log(&app).await["date_modified"], second["published_at"], "a pending one changes nothing");
    app.clock.advance(Duration::days(1));
    let approved: Value = app
        .client
        .post(app.url(&format!("/api/v1/desk/corrections/{}/approval", pending["id"])))
        .bearer_auth(&approver.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(time(&approved["published_at"]) - time(&second["published_at"]) >= Duration::days(1));
    assert_eq!(log(&app).await["date_modified"], approved["published_at"]);
    assert_eq!(
        time(&notice_json_ld(&app).await["dateModified"]).timestamp(),
        time(&approved["published_at"]).timestamp()
    );
    // Documented for CMS authors.
    let document: Value = get(&app, "/api/v1/openapi.json").await.json().await.unwrap();
    let field = &document["components"]["schemas"]["ArticleCorrections"]["properties"]["date_modified"];
    assert!(field["description"].as_str().unwrap_or_default().contains("dateModified"), "{field}");
    app.deliver_mail().await;
}

/// `text` percent-encoded for a query string.
fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The README's "Integrating with your CMS" receiver, verbatim from `docs/webhook_receiver.py`,
/// accepts a Standard Webhooks signature made here with an HMAC of our own, and refuses a
/// changed body, another secret, an old timestamp, a missing header and another scheme.
#[test]
fn the_readme_webhook_receiver_checks_signatures() {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(root.join("docs/webhook_receiver.py")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains(&format!("```python\n{example}```")), "the README shows docs/webhook_receiver.py verbatim");
    let python = std::env::var("CORRIGENDA_PYTHON").unwrap_or_else(|_| "python3".into());
    if std::process::Command::new(&python).arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "{python} is needed to test the README's webhook receiver");
        eprintln!("SKIPPED: the README's webhook receiver was not run ({python} not found)");
        return;
    }

    let b64 = base64::engine::general_purpose::STANDARD;
    let key: [u8; 32] = rand::random();
    let secret = format!("whsec_{}", b64.encode(key));
    let sign = |key: &[u8], id: &str, stamp: i64, body: &str| {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        mac.update(format!("{id}.{stamp}.{body}").as_bytes());
        format!("v1,{}", b64.encode(mac.finalize().into_bytes()))
    };
    let now = Utc::now().timestamp();
    let body = r#"{"type":"correction.published","timestamp":"2026-12-01T10:00:00Z","data":{"article_id":"kursk","text":"Zürich – “quoted”"}}"#;
    let case = |id: &str, stamp: i64, signature: String, body: &str, expect: bool| {
        json!({ "headers": { "webhook-id": id, "webhook-timestamp": stamp.to_string(), "webhook-signature": signature },
                "body": b64.encode(body), "expect": expect })
    };
    let good = sign(&key, "msg_1", now, body);
    let stale = now - 6 * 60;
    let cases = json!([
        case("msg_1", now, good.clone(), body, true),
        // Several signatures (e.g. while the secret is rotated): one good one is enough.
        case("msg_1", now, format!("v1,{} {good}", b64.encode([0u8; 32])), body, true),
        case("msg_1", now - 4 * 60, sign(&key, "msg_1", now - 4 * 60, body), body, true),
        case("msg_1", now, good.clone(), &body.replace("kursk", "other"), false),
        case("msg_2", now, good.clone(), body, false),
        case("msg_1", now, sign(&[7u8; 32], "msg_1", now, body), body, false),
        case("msg_1", stale, sign(&key, "msg_1", stale, body), body, false),
        case("msg_1", now, good.replacen("v1,", "v2,", 1), body, false),
        json!({ "headers": {}, "body": b64.encode(body), "expect": false }),
    ]);
    let driver = format!(
        "import base64, importlib.util, json, sys\n\
         spec = importlib.util.spec_from_file_location('receiver', {path:?})\n\
         receiver = importlib.util.module_from_spec(spec); spec.loader.exec_module(receiver)\n\
         cases = json.load(sys.stdin)\n\
         print(json.dumps([receiver.verify({secret:?}, c['headers'], base64.b64decode(c['body'])) for c in cases]))\n",
        path = root.join("docs/webhook_receiver.py").display().to_string(),
    );
    let mut child = std::process::Command::new(&python)
        .args(["-c", &driver])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), cases.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let verdicts: Vec<bool> = serde_json::from_slice(&output.stdout).unwrap();
    let expected: Vec<bool> = cases.as_array().unwrap().iter().map(|c| c["expect"].as_bool().unwrap()).collect();
    assert_eq!(verdicts, expected);
}
