//! Article upsert, read and import.

use serde_json::{json, Value};

use crate::both_backends;
use corrigenda::domain::accounts::Role;

use crate::helpers::{article_json, Backend, TestApp};

both_backends!(
    upsert_creates_then_updates,
    upsert_without_a_token_is_401,
    upsert_as_auditor_is_403,
    upsert_names_the_bad_field,
    upsert_refuses_a_bad_article_id,
    unknown_article_is_404,
    article_text_is_read_only_by_staff_and_tokens,
    a_publisher_may_make_article_text_public,
    import_reads_csv_and_json_lines,
    import_reports_bad_lines_with_numbers,
);

async fn upsert_creates_then_updates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let created = app.put_article("kursk", &article_json()).await;
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["published_at"], "2024-12-20T14:00:00Z");

    let mut changed = article_json();
    changed["title"] = json!("A corrected headline");
    changed["published_at"] = json!("2024-12-20T15:00:00+01:00");
    let updated = app.put_article("kursk", &changed).await;
    assert_eq!(updated.status(), 200);

    let got: Value = app.client.get(app.url("/api/v1/articles/kursk")).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["title"], "A corrected headline");
    assert_eq!(got["published_at"], "2024-12-20T14:00:00Z", "stored in UTC");
    assert_eq!(got["authors"], json!(["Randy DeSoto"]));
    assert_eq!(got["created_at"], body["created_at"], "creation time survives an update");
}

async fn upsert_without_a_token_is_401(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client.put(app.url("/api/v1/articles/a1")).json(&article_json()).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let bad = app
        .client
        .put(app.url("/api/v1/articles/a1"))
        .bearer_auth("cgd_not-a-real-token")
        .json(&article_json())
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
}

async fn upsert_as_auditor_is_403(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let now = app.clock.now();
    let token = app
        .db
        .write_blocking(|c| {
            corrigenda::domain::accounts::add_user(
                c,
                "auditor@news.example",
                "Audrey Auditor",
                corrigenda::domain::accounts::Role::Auditor,
                "a long enough password",
                now,
            )?;
            corrigenda::domain::accounts::create_token(c, "auditor@news.example", "audit", now)
        })
        .unwrap();
    let response =
        app.client.put(app.url("/api/v1/articles/a1")).bearer_auth(token).json(&article_json()).send().await.unwrap();
    assert_eq!(response.status(), 403);
}

async fn upsert_names_the_bad_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (field, value) in [
        ("url", json!("javascript:alert(1)")),
        ("title", json!("   ")),
        ("published_at", json!("last Tuesday")),
        ("authors", json!("Randy")),
    ] {
        let mut body = article_json();
        body[field] = value;
        let response = app.put_article("a1", &body).await;
        assert_eq!(response.status(), 422, "{field}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["field"], field);
    }
    let mut missing = article_json();
    missing.as_object_mut().unwrap().remove("section");
    let error: Value = app.put_article("a1", &missing).await.json().await.unwrap();
    assert_eq!(error["error"]["field"], "section");
    let unknown: Value = app.client.get(app.url("/api/v1/articles/a1")).send().await.unwrap().json().await.unwrap();
    assert_eq!(unknown["error"]["code"], "not_found", "nothing half-written");
}

async fn upsert_refuses_a_bad_article_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.put_article("has%20space", &article_json()).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["field"], "id");
    assert!(error["error"]["message"].as_str().unwrap().contains("128 characters"));
}

async fn unknown_article_is_404(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client.get(app.url("/api/v1/articles/nope")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["message"].as_str().unwrap().contains("nope"));
}

async fn import_reads_csv_and_json_lines(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("articles.csv");
    std::fs::write(
        &csv,
        "id,url,title,section,authors,published_at,text\n\
         c1,https://news.example/c1,\"Budget, approved\",Local,Maria Okafor; Tom Lindqvist,2026-11-25T08:00:00Z,The council met.\n\
         c2,https://news.example/c2,Rivers warm,Science,,2026-11-26,\n",
    )
    .unwrap();
    let output = app.cli(&["import", "articles", csv.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout} {}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("2 created, 0 updated, 0 refused"), "{stdout}");

    let jsonl = dir.path().join("articles.jsonl");
    let line = json!({"id": "c2", "url": "https://news.example/c2", "title": "Rivers warm faster", "section": "Science",
                      "authors": ["Priya Raman"], "published_at": "2026-11-26T10:00:00Z"});
    std::fs::write(&jsonl, format!("{line}\n\n")).unwrap();
    let output = app.cli(&["import", "articles", jsonl.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("0 created, 1 updated, 0 refused"), "{stdout}");

    let c1: Value = app.client.get(app.url("/api/v1/articles/c1")).send().await.unwrap().json().await.unwrap();
    assert_eq!(c1["title"], "Budget, approved");
    assert_eq!(c1["authors"], json!(["Maria Okafor", "Tom Lindqvist"]));
    let c2: Value = app.client.get(app.url("/api/v1/articles/c2")).send().await.unwrap().json().await.unwrap();
    assert_eq!(c2["title"], "Rivers warm faster");
}

async fn import_reports_bad_lines_with_numbers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("articles.jsonl");
    let good = json!({"id": "g1", "url": "https://news.example/g1", "title": "Good", "section": "World", "published_at": "2026-11-26"});
    let bad_url =
        json!({"id": "b1", "url": "ftp://x", "title": "Bad", "section": "World", "published_at": "2026-11-26"});
    let bad_id = json!({"id": "b/2", "url": "https://news.example/b2", "title": "Bad", "section": "World", "published_at": "2026-11-26"});
    std::fs::write(&file, format!("{good}\n{bad_url}\nnot json\n{bad_id}\n")).unwrap();
    let output = app.cli(&["import", "articles", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "refused lines make the exit code non-zero");
    assert!(stdout.contains("1 created, 0 updated, 3 refused"), "{stdout}");
    assert!(stdout.contains("line 2: url:"), "{stdout}");
    assert!(stdout.contains("line 3: not valid JSON"), "{stdout}");
    assert!(stdout.contains("line 4: id:"), "{stdout}");
    let g1 = app.client.get(app.url("/api/v1/articles/g1")).send().await.unwrap();
    assert_eq!(g1.status(), 200, "good lines are imported despite bad ones");
}

/// Registers the test article; returns its text as stored.
async fn registered_text(app: &TestApp) -> String {
    let put: Value = app.put_article("kursk", &article_json()).await.json().await.unwrap();
    let text = put["text"].as_str().unwrap().to_owned();
    assert!(text.contains("four-year mark"), "{text}");
    text
}

async fn article_text_is_read_only_by_staff_and_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let text = registered_text(&app).await;
    let url = app.url("/api/v1/articles/kursk");
    let anonymous = app.client.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 200);
    assert_eq!(anonymous.headers()["vary"], "Authorization, Cookie");
    let anonymous: Value = anonymous.json().await.unwrap();
    assert_eq!(anonymous["title"], article_json()["title"]);
    assert_eq!(anonymous.get("text"), None, "{anonymous}");
    let logged: Value =
        app.client.get(app.url("/api/v1/articles/kursk/corrections")).send().await.unwrap().json().await.unwrap();
    assert_eq!(logged["article"]["id"], "kursk");
    assert_eq!(logged["article"].get("text"), None, "the article's log is public too");
    // API tokens of every role, and staff signed in, read it.
    let auditor = app.user(Role::Auditor);
    for token in [&app.token, &auditor.token] {
        let got: Value = app.client.get(&url).bearer_auth(token).send().await.unwrap().json().await.unwrap();
        assert_eq!(got["text"], text);
    }
    let browser = app.signed_in(&auditor).await;
    let got: Value = browser.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["text"], text);
    // A token that is not valid is refused rather than treated as nobody.
    let bad = app.client.get(&url).bearer_auth("cgd_not-a-real-token").send().await.unwrap();
    assert_eq!(bad.status(), 401);
    let doc: Value = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let described = doc["paths"]["/api/v1/articles/{id}"]["get"]["description"].as_str().unwrap_or_default();
    assert!(described.contains("CORRIGENDA_PUBLIC_ARTICLE_TEXT"), "{described}");
}

async fn a_publisher_may_make_article_text_public(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.public_article_text = "true".into()).await;
    let text = registered_text(&app).await;
    let got: Value = app.client.get(app.url("/api/v1/articles/kursk")).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["text"], text);
    let logged: Value =
        app.client.get(app.url("/api/v1/articles/kursk/corrections")).send().await.unwrap().json().await.unwrap();
    assert_eq!(logged["article"]["text"], text);
}
