//! What operators' machines ask: `/healthz` (the process is up), `/readyz` (this instance can
//! serve, or what stops it), `/metrics` (behind its token, counting by route template, never a
//! path's token), and a request ID on every answer.

use std::collections::BTreeMap;
use std::time::Duration;

use diesel::connection::SimpleConnection;

use crate::both_backends;
use crate::helpers::{wait, Backend, TestApp};

both_backends!(
    liveness_needs_nothing_and_readiness_names_a_migration_not_applied,
    readiness_fails_while_the_log_does_not_verify,
    readiness_fails_while_the_key_held_is_not_the_active_one,
    metrics_need_the_token_and_count_by_route_template,
    every_answer_carries_a_request_id,
);

const METRICS_TOKEN: &str = "scraper-0123456789abcdef";

/// `GET path`: (status, content type, body).
async fn get(app: &TestApp, path: &str) -> (u16, String, String) {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    (status, content_type.unwrap_or_default(), response.text().await.unwrap())
}

/// Polls `/readyz` until its body satisfies `done`, for up to a minute; returns the last answer.
async fn readiness_until(app: &TestApp, done: impl Fn(u16, &str) -> bool) -> (u16, String) {
    let last = std::sync::Mutex::new((0, String::new()));
    let reached = wait::poll("readiness to change", Duration::from_secs(60), || async {
        let (status, _, body) = get(app, "/readyz").await;
        *last.lock().unwrap() = (status, body.clone());
        done(status, &body).then_some((status, body))
    })
    .await;
    reached.unwrap_or_else(|why| {
        let (status, body) = last.lock().unwrap().clone();
        panic!("{why}: it stayed {status}: {body}")
    })
}

fn sql(app: &TestApp, statement: &str) {
    let statement = statement.to_owned();
    app.db
        .write_blocking(move |c| {
            c.batch_execute(&statement)?;
            Ok(())
        })
        .unwrap();
}

async fn liveness_needs_nothing_and_readiness_names_a_migration_not_applied(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(get(&app, "/healthz").await, (200, "text/plain; charset=utf-8".into(), "ok\n".into()));
    let (_, ready) = readiness_until(&app, |status, _| status == 200).await;
    assert_eq!(
        ready, "ready\ndatabase: reachable\nmigrations: current\nsigning key: loaded\nlog: verified\n",
        "each check is named"
    );

    // The newest migration no longer recorded as applied: as if a newer build had not migrated yet.
    sql(
        &app,
        "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)",
    );
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    let retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"), "not an HTML page");
    let body = response.text().await.unwrap();
    assert!(
        body.starts_with("not ready: migrations 1 not applied (run `corrigenda migrate`)\n"),
        "names what failed: {body}"
    );
    assert!(body.contains("database: reachable\n") && body.contains("log: verified\n"), "{body}");
    // Alive all the same: restarting the process would not help.
    assert_eq!(get(&app, "/healthz").await.0, 200);
}

async fn readiness_fails_while_the_log_does_not_verify(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let correction = serde_json::json!({"article_id": "kursk", "kind": "correction",
        "text": "An earlier version of this article said four years; it was three."});
    let published =
        app.client.post(app.url("/api/v1/desk/corrections")).bearer_auth(&app.token).json(&correction).send().await;
    assert_eq!(published.unwrap().status(), 201);
    readiness_until(&app, |status, _| status == 200).await;
    // Changed behind the server's back, then the server restarted: its start-up check finds it.
    sql(&app, "UPDATE log_entries SET canonical = REPLACE(canonical, 'four years', 'five years') WHERE idx = 0");
    let database = app.stop().await;
    let app = TestApp::on(database, |_| {}).await;
    let (status, body) = readiness_until(&app, |_, body| !body.contains("still being verified")).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.starts_with("not ready: log failed verification: entry 0"), "names what failed: {body}");
    assert!(body.contains("database: reachable\n") && body.contains("migrations: current\n"), "{body}");
    let scraped = metrics(&app, None).await;
    assert_eq!(scraped[&("corrigenda_log_broken".to_owned(), String::new())], 1.0);
    assert_eq!(scraped[&("corrigenda_log_entries".to_owned(), String::new())], 1.0);
    assert_eq!(scraped[&("corrigenda_log_last_verified_timestamp_seconds".to_owned(), String::new())], 0.0);
}

async fn readiness_fails_while_the_key_held_is_not_the_active_one(backend: Backend) {
    use corrigenda::domain::signing::LogKey;
    let app = TestApp::spawn(backend).await;
    readiness_until(&app, |status, _| status == 200).await;
    // A rotation stopped after the hand-over was recorded, before the key file was replaced.
    let old = LogKey::load_existing(std::path::Path::new(&app.database.key_path)).unwrap();
    let new = LogKey::generate();
    new.write_private(std::path::Path::new(&format!("{}.next", app.database.key_path)), false).unwrap();
    let now = app.clock.now();
    app.db.write_blocking(|c| corrigenda::domain::keys::rotate(c, &old, &new, now)).unwrap();
    let (status, body) = readiness_until(&app, |status, _| status != 200).await;
    assert_eq!(status, 503);
    assert!(body.starts_with("not ready: signing key "), "names what failed: {body}");
    assert!(body.contains(&new.public_key()) && body.contains("log: verified\n"), "{body}");
    // Finished: ready again, without a restart.
    let out = app.cli(&["log", "rotate-key"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    readiness_until(&app, |status, _| status == 200).await;
}

/// One sample: the metric's name and its labels as written (`{a="b",...}`, or empty).
type Sample = (String, String);

/// Parses the Prometheus text exposition format strictly: every line is a `# HELP` or
/// `# TYPE` comment or a sample `name{labels} value` of a family declared before it.
fn parse_exposition(text: &str) -> BTreeMap<Sample, f64> {
    let mut families: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = BTreeMap::new();
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            && !n.starts_with(|c: char| c.is_ascii_digit())
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let (keyword, name, value) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap_or(""));
            assert!(name_ok(name), "bad name in {line:?}");
            match keyword {
                "HELP" => assert!(!value.is_empty(), "{line:?}"),
                "TYPE" => {
                    assert!(["counter", "gauge", "histogram", "summary", "untyped"].contains(&value), "{line:?}");
                    families.insert(name.to_owned(), value.to_owned());
                }
                _ => panic!("unknown comment {line:?}"),
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value in {line:?}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("bad value in {line:?}")),
        };
        let (name, labels) = match series.find('{') {
            Some(at) => {
                let labels = &series[at..];
                assert!(labels.ends_with('}'), "{line:?}");
                for pair in labels[1..labels.len() - 1].split("\",").filter(|p| !p.is_empty()) {
                    let (key, quoted) = pair.split_once('=').unwrap_or_else(|| panic!("bad label in {line:?}"));
                    assert!(name_ok(key) && quoted.starts_with('"'), "bad label {pair:?} in {line:?}");
                }
                (&series[..at], labels.to_owned())
            }
            None => (series, String::new()),
        };
        assert!(name_ok(name), "bad name in {line:?}");
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix).filter(|f| families.get(*f).is_some_and(|t| t == "histogram")))
            .unwrap_or(name);
        assert!(families.contains_key(family), "{name} has no # TYPE before it");
        assert!(samples.insert((name.to_owned(), labels), value).is_none(), "a sample twice: {line:?}");
    }
    samples
}

/// Scrapes `/metrics` (with `token` when given), asserting 200; returns the parsed samples.
async fn metrics(app: &TestApp, token: Option<&str>) -> BTreeMap<Sample, f64> {
    let mut request = app.client.get(app.url("/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    parse_exposition(&response.text().await.unwrap())
}

fn sample(samples: &BTreeMap<Sample, f64>, name: &str, labels: &str) -> f64 {
    *samples.get(&(name.to_owned(), labels.to_owned())).unwrap_or_else(|| panic!("no {name}{labels} in {samples:?}"))
}

async fn metrics_need_the_token_and_count_by_route_template(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.metrics_token = Some(METRICS_TOKEN.into())).await;
    for wrong in [None, Some("scraper-0123456789abcdeX"), Some("")] {
        let mut request = app.client.get(app.url("/metrics"));
        if let Some(token) = wrong {
            request = request.bearer_auth(token);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(refused.status(), 401, "{wrong:?}");
        assert_eq!(refused.headers()["www-authenticate"], "Bearer");
        let body = refused.text().await.unwrap();
        assert!(!body.contains("corrigenda_"), "nothing is shown: {body}");
    }

    // A report filed (its receipt mail queued), read by its token on the page and the API, and a miss.
    let (_, token) = app.filed().await;
    for path in [format!("/reports/{token}"), format!("/api/v1/reports/{token}")] {
        assert_eq!(get(&app, &path).await.0, 200, "{path}");
    }
    assert_eq!(get(&app, "/no/such/page").await.0, 404);
    readiness_until(&app, |status, _| status == 200).await;

    let response = app.client.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains(&token), "a token in the metrics:\n{text}");
    let scraped = parse_exposition(&text);
    let requests = "corrigenda_http_requests_total";
    for (route, status) in
        [("/reports/{token}", "200"), ("/api/v1/reports/{token}", "200"), ("unmatched", "404"), ("/metrics", "401")]
    {
        let labels = format!(r#"{{method="GET",route="{route}",status="{status}"}}"#);
        let expected = if route == "/metrics" { 3.0 } else { 1.0 };
        assert_eq!(sample(&scraped, requests, &labels), expected, "{route} {status}");
    }
    let filed = r#"{method="POST",route="/api/v1/articles/{id}/reports",status="201"}"#;
    assert_eq!(sample(&scraped, requests, filed), 1.0);
    let timed = r#"{method="GET",route="/reports/{token}"}"#;
    assert_eq!(sample(&scraped, "corrigenda_http_request_duration_seconds_count", timed), 1.0);
    assert!(sample(&scraped, "corrigenda_http_request_duration_seconds_sum", timed) > 0.0);
    let inf = r#"{method="GET",route="/reports/{token}",le="+Inf"}"#;
    assert_eq!(sample(&scraped, "corrigenda_http_request_duration_seconds_bucket", inf), 1.0);

    assert_eq!(sample(&scraped, "corrigenda_reports", r#"{status="new"}"#), 1.0);
    let all_reports: f64 =
        scraped.iter().filter(|((name, _), _)| name == "corrigenda_reports").map(|(_, value)| value).sum();
    assert_eq!(all_reports, 1.0, "one report in all");
    assert!(sample(&scraped, "corrigenda_outbox_queued", r#"{kind="mail"}"#) >= 1.0, "the receipt waits");
    assert_eq!(sample(&scraped, "corrigenda_outbox_queued", r#"{kind="webhook"}"#), 0.0);
    assert_eq!(sample(&scraped, "corrigenda_outbox_failed", r#"{kind="mail"}"#), 0.0);
    let age = sample(&scraped, "corrigenda_outbox_oldest_queued_age_seconds", r#"{kind="mail"}"#);
    assert!((0.0..3600.0).contains(&age), "{age}");
    let max = sample(&scraped, "corrigenda_db_pool_max_connections", "");
    let (in_use, idle) = (
        sample(&scraped, "corrigenda_db_pool_connections", r#"{state="in_use"}"#),
        sample(&scraped, "corrigenda_db_pool_connections", r#"{state="idle"}"#),
    );
    assert!(max >= 1.0 && in_use + idle >= 1.0 && in_use + idle <= max, "{in_use} in use, {idle} idle of {max}");
    assert_eq!(sample(&scraped, "corrigenda_db_pool_waiting", ""), 0.0);
    assert_eq!(sample(&scraped, "corrigenda_log_entries", ""), 0.0);
    assert_eq!(sample(&scraped, "corrigenda_log_broken", ""), 0.0);
    let verified = sample(&scraped, "corrigenda_log_last_verified_timestamp_seconds", "");
    let now = chrono::Utc::now().timestamp() as f64;
    assert!(verified > now - 3600.0 && verified <= now + 1.0, "verified at {verified}, now {now}");

    // Sent: nothing waits any more, and the scrape before this one is counted too.
    assert!(app.deliver_mail().await >= 1);
    let scraped = metrics(&app, Some(METRICS_TOKEN)).await;
    assert_eq!(sample(&scraped, "corrigenda_outbox_queued", r#"{kind="mail"}"#), 0.0);
    assert_eq!(sample(&scraped, "corrigenda_outbox_oldest_queued_age_seconds", r#"{kind="mail"}"#), 0.0);
    assert_eq!(sample(&scraped, requests, r#"{method="GET",route="/metrics",status="200"}"#), 1.0);
}

async fn every_answer_carries_a_request_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id_of = |response: &reqwest::Response| {
        response.headers().get("x-request-id").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    };
    let generated = |id: &str| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
    // A page, an API error, a page error, a missing page, a probe and a refused form.
    let paths = ["/", "/api/v1/desk/reports", "/desk/webhooks", "/no/such/page", "/healthz", "/logout"];
    let mut seen = Vec::new();
    for path in paths {
        let method = if path == "/logout" { reqwest::Method::POST } else { reqwest::Method::GET };
        let response = app.client.request(method.clone(), app.url(path)).send().await.unwrap();
        let id = id_of(&response);
        assert!(generated(&id), "{path} answered {} with request ID {id:?}", response.status());
        seen.push(id);
        let given = app.client.request(method, app.url(path)).header("x-request-id", "lb-7f3a:trace.42").send();
        let given = given.await.unwrap();
        assert_eq!(id_of(&given), "lb-7f3a:trace.42", "{path} echoes the caller's request ID");
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), paths.len(), "a new ID for each request");
    for insane in ["x".repeat(129), "two words".to_owned(), String::new()] {
        let response = app.client.get(app.url("/")).header("x-request-id", &insane).send().await.unwrap();
        let id = id_of(&response);
        assert!(generated(&id), "{insane:?} is replaced, not echoed: {id:?}");
    }
}
