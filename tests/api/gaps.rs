//! Behaviours the suite did not check before: the log's page cap, a generated password, the
//! `Secure` cookie on an https site, and the audit API's filters and paging.

use corrigenda::domain::accounts::Role;
use corrigenda::domain::corrections::{self, CorrectionInput};
use corrigenda::domain::notices::Notices;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{report_json, Backend, TestApp};

both_backends!(
    log_entries_come_a_thousand_at_a_time_with_the_next_index,
    user_add_without_a_password_prints_one_that_signs_in,
    the_session_cookie_is_secure_exactly_when_the_site_is_https,
    the_audit_api_filters_by_actor_kind_and_day_and_pages_without_repeats,
    behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit,
    without_trusted_proxies_a_forwarded_address_is_ignored,
    only_the_notice_may_be_framed,
);

async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn log_entries_come_a_thousand_at_a_time_with_the_next_index(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let editor = app.user(Role::Editor);
    let now = app.clock.now();
    // 1,001 corrections, published through the domain in one go (the API would take minutes).
    app.db
        .write_blocking(|c| {
            let mut notices = Notices::default();
            for i in 0..1001 {
                let input: CorrectionInput = serde_json::from_value(json!({
                    "article_id": "kursk",
                    "kind": "clarification",
                    "text": format!("Clarification number {i}: the article did not say when the figures were given."),
                }))
                .unwrap();
                corrections::publish(c, &editor.actor, &input, &mut notices, now)?;
            }
            Ok(())
        })
        .unwrap();
    let first = get_json(&app, "/api/v1/log/entries?from=0").await;
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 1000, "capped at 1,000");
    assert_eq!(items.first().unwrap()["index"], 0);
    assert_eq!(items.last().unwrap()["index"], 999);
    assert_eq!(first["next"], 1000);
    let rest = get_json(&app, "/api/v1/log/entries?from=1000").await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"][0]["index"], 1000);
    assert_eq!(rest["next"], Value::Null, "the log is done");
    let range = get_json(&app, "/api/v1/log/entries?from=10&to=15").await;
    let indexes: Vec<i64> = range["items"].as_array().unwrap().iter().map(|e| e["index"].as_i64().unwrap()).collect();
    assert_eq!(indexes, [10, 11, 12, 13, 14]);
    assert_eq!(range["next"], Value::Null, "the range asked for is done");
    assert_eq!(get_json(&app, "/api/v1/log/checkpoint").await["size"], 1001);
}

async fn user_add_without_a_password_prints_one_that_signs_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = "gen@news.example";
    let out = app.cli(&["user", "add", "--email", email, "--name", "Gen Erated", "--role", "editor"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let mut lines = stdout.lines().skip_while(|l| !l.starts_with("Password (shown once"));
    assert!(lines.next().is_some(), "the password is announced: {stdout}");
    let password = lines.next().expect("and printed on the next line").trim().to_owned();
    assert!(password.chars().count() >= 12, "at least as long as the rule asks: {password:?}");
    let response = app.login(&app.browser(), email, &password).await;
    assert_eq!(response.status(), 303, "the printed password signs in");
    assert_eq!(response.headers()["location"], "/desk");
    // A second account gets another password.
    let again = app.cli(&["user", "add", "--email", "gen2@news.example", "--name", "Gen Two", "--role", "editor"]);
    assert!(!String::from_utf8_lossy(&again.stdout).contains(&password), "each password is new");
}

/// The `Set-Cookie` header of a successful sign-in on a site at `base_url`.
async fn session_cookie(backend: Backend, base_url: &str) -> String {
    let base_url = base_url.to_owned();
    let app = TestApp::spawn_with(backend, move |s| s.base_url = Some(base_url)).await;
    let editor = app.user(Role::Editor);
    let response = app.login(&app.browser(), &editor.email, &editor.password).await;
    assert_eq!(response.status(), 303);
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("corrigenda_session="))
        .expect("a session cookie")
}

async fn the_session_cookie_is_secure_exactly_when_the_site_is_https(backend: Backend) {
    let secure = session_cookie(backend, "https://corrections.example").await;
    let attributes: Vec<&str> = secure.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"Secure"), "{secure}");
    assert!(attributes.contains(&"HttpOnly") && attributes.contains(&"SameSite=Lax"), "{secure}");
    let plain = session_cookie(backend, "http://localhost:8080").await;
    assert!(!plain.split(';').any(|a| a.trim() == "Secure"), "a browser would drop it over http: {plain}");
}

async fn the_audit_api_filters_by_actor_kind_and_day_and_pages_without_repeats(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (first, _) = app.filed().await;
    let (second, _) = app.filed().await;
    let ann = app.user(Role::Editor);
    let bob = app.user(Role::Editor);
    let auditor = app.user(Role::Auditor);
    let note = |who: &crate::helpers::TestUser, id: i64, body: &str| {
        let request = app
            .client
            .post(app.url(&format!("/api/v1/desk/reports/{id}/notes")))
            .bearer_auth(&who.token)
            .json(&json!({ "body": body }));
        async move { assert_eq!(request.send().await.unwrap().status(), 201, "a note is added") }
    };
    note(&ann, first, "Checked the wire copy.").await;
    note(&ann, second, "Same source as the first.").await;
    app.clock.advance(chrono::Duration::days(1));
    note(&bob, first, "Called the ministry.").await;
    let audit = |query: String| {
        let (app, token) = (&app, auditor.token.clone());
        async move { app.get_as(&token, &format!("/api/v1/audit/events?{query}")).await }
    };
    let ids = |page: &Value| page["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
    let all: Vec<i64> = ids(&audit("limit=100".into()).await);
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first: {all:?}");
    let notes = audit("kind=note&limit=100".into()).await;
    let bodies: Vec<&str> =
        notes["items"].as_array().unwrap().iter().map(|e| e["payload"]["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Called the ministry.", "Same source as the first.", "Checked the wire copy."]);
    let by_ann = audit(format!("actor={}&limit=100", ann.email)).await;
    let items = by_ann["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{by_ann}");
    assert!(items.iter().all(|e| e["actor"] == ann.actor.name.as_str() && e["kind"] == "note"), "{by_ann}");
    let day = app.clock.now().date();
    let today = audit(format!("kind=note&from={day}&to={day}")).await;
    assert_eq!(today["items"].as_array().unwrap().len(), 1, "only Bob's note is from today: {today}");
    let before = day.pred_opt().unwrap();
    let yesterday = audit(format!("kind=note&to={before}")).await;
    assert_eq!(yesterday["items"].as_array().unwrap().len(), 2, "{yesterday}");
    // Two at a time: the same events, in the same order, each once.
    let (mut seen, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let query = match &cursor {
            Some(c) => format!("limit=2&cursor={c}"),
            None => "limit=2".into(),
        };
        let page = audit(query).await;
        let got: Vec<i64> = ids(&page);
        assert!(got.len() <= 2, "{got:?}");
        seen.extend(got);
        pages += 1;
        assert!(pages <= all.len(), "the cursor does not move on");
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, all);
    assert_eq!(pages, all.len().div_ceil(2));
    app.deliver_mail().await;
}

/// Files a report as if from `forwarded` (an `X-Forwarded-For` value); returns the status.
async fn report_from(app: &TestApp, forwarded: &str) -> u16 {
    let request = app.client.post(app.url("/api/v1/articles/kursk/reports")).json(&report_json());
    request.header("x-forwarded-for", forwarded).send().await.unwrap().status().as_u16()
}

/// Asks for correction emails as if from `forwarded`; returns the status.
async fn subscribe_from(app: &TestApp, forwarded: &str, email: &str) -> u16 {
    let request = app.client.post(app.url("/articles/kursk/subscriptions")).form(&[("email", email)]);
    request.header("x-forwarded-for", forwarded).send().await.unwrap().status().as_u16()
}

async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.trusted_proxies = Some("127.0.0.1".into());
        s.report_rate_limit = "2/3600".into();
    })
    .await;
    app.article().await;
    assert_eq!(report_from(&app, "203.0.113.5").await, 201);
    assert_eq!(report_from(&app, "203.0.113.5").await, 201);
    assert_eq!(report_from(&app, "203.0.113.5").await, 429, "the third from one reader in an hour");
    assert_eq!(report_from(&app, "203.0.113.6").await, 201, "another reader behind the same proxy");
    // A client cannot escape by adding addresses of its own: the last untrusted hop counts.
    assert_eq!(report_from(&app, "198.51.100.1, 203.0.113.5").await, 429);
    assert_eq!(report_from(&app, "nonsense, 203.0.113.5").await, 429);
    // Subscribing (303 to the next page) counts against the same limit: the second reader has one left.
    assert_eq!(subscribe_from(&app, "203.0.113.6", "six@example.com").await, 303);
    assert_eq!(subscribe_from(&app, "203.0.113.6", "six@example.com").await, 429);
    assert_eq!(subscribe_from(&app, "203.0.113.7", "seven@example.com").await, 303);
    assert_eq!(app.report_count(), 3, "nothing refused was stored");
    // The limit refills with the server's clock, which the test moves: half an hour gives one more.
    app.clock.advance(chrono::Duration::minutes(30));
    assert_eq!(report_from(&app, "203.0.113.5").await, 201);
    assert_eq!(report_from(&app, "203.0.113.5").await, 429);
    app.deliver_mail().await;
}

async fn without_trusted_proxies_a_forwarded_address_is_ignored(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.report_rate_limit = "2/3600".into()).await;
    app.article().await;
    assert_eq!(report_from(&app, "203.0.113.5").await, 201);
    assert_eq!(report_from(&app, "203.0.113.6").await, 201);
    assert_eq!(report_from(&app, "203.0.113.7").await, 429, "all three came from this one peer");
    assert_eq!(subscribe_from(&app, "203.0.113.8", "eight@example.com").await, 429);
    assert_eq!(app.report_count(), 2);
    app.deliver_mail().await;
}

async fn only_the_notice_may_be_framed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.filed().await;
    let csp = |response: &reqwest::Response| {
        response.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    };
    let notice = app.client.get(app.url("/articles/kursk/notice")).send().await.unwrap();
    assert_eq!(notice.status(), 200);
    let policy = csp(&notice);
    assert!(policy.split(';').any(|d| d.trim() == "frame-ancestors *"), "the publisher frames it: {policy}");
    assert!(notice.headers().get("x-frame-options").is_none());
    let framed = app.client.get(app.url("/articles/kursk/notice?framed=1")).send().await.unwrap();
    assert!(csp(&framed).split(';').any(|d| d.trim() == "frame-ancestors *"), "{}", csp(&framed));
    let editor = app.user(Role::Editor);
    let browser = app.signed_in(&editor).await;
    let public = [
        "/",
        "/standards",
        "/corrections",
        "/articles/kursk/corrections",
        "/articles/kursk/report",
        &format!("/reports/{token}"),
        "/login",
        "/transparency",
        "/embed/demo/kursk",
        "/no-such-page",
    ];
    for path in public {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let policy = csp(&response);
        assert!(policy.split(';').any(|d| d.trim() == "frame-ancestors 'none'"), "{path}: {policy}");
    }
    for path in ["/desk", "/desk/corrections", "/desk/channels"] {
        let response = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let policy = csp(&response);
        assert!(policy.split(';').any(|d| d.trim() == "frame-ancestors 'none'"), "{path}: {policy}");
    }
    app.deliver_mail().await;
}
