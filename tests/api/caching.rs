//! Public answers are kept in memory, yet never older than an acknowledged change: made by
//! this instance or by another one on the same database.

use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{article_json, Backend, TestApp};

both_backends!(
    a_publication_on_another_instance_shows_at_once,
    cached_answers_revalidate_with_etags,
    an_article_edit_shows_at_once_everywhere,
);

/// Every cached public answer of the test article, from `base`.
const PAGES: [&str; 8] = [
    "/articles/kursk/notice",
    "/articles/kursk/corrections",
    "/api/v1/articles/kursk/corrections",
    "/articles/kursk/corrections.atom",
    "/corrections",
    "/api/v1/corrections",
    "/corrections.atom",
    "/",
];

async fn text(client: &reqwest::Client, url: String) -> String {
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.text().await.unwrap()
}

fn correction(n: usize) -> Value {
    json!({
        "article_id": "kursk",
        "kind": "clarification",
        "text": format!("Clarification number {n}: the estimate of troops came from the Pentagon, not from Kyiv."),
        "standards": ["accuracy"],
    })
}

async fn a_publication_on_another_instance_shows_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let other = app.another_instance().await.address;
    let standards = app.user(Role::StandardsEditor);
    for round in 1..=3 {
        // Both instances have every page in memory.
        for base in [app.address.clone(), other.clone()] {
            for page in PAGES {
                for _ in 0..2 {
                    text(&app.client, format!("{base}{page}")).await;
                }
            }
        }
        let checkpoint: Value =
            app.client.get(format!("{other}/api/v1/log/checkpoint")).send().await.unwrap().json().await.unwrap();
        // Published through one instance, alternately.
        let publisher = if round % 2 == 1 { app.address.clone() } else { other.clone() };
        let published = app
            .client
            .post(format!("{publisher}/api/v1/desk/corrections"))
            .bearer_auth(&standards.token)
            .json(&correction(round))
            .send()
            .await
            .unwrap();
        assert_eq!(published.status(), 201, "{}", published.text().await.unwrap());
        let wanted = format!("Clarification number {round}");
        for base in [app.address.clone(), other.clone()] {
            for page in PAGES {
                let body = text(&app.client, format!("{base}{page}")).await;
                assert!(body.contains(&wanted), "round {round}: {base}{page} is stale");
            }
            let after: Value =
                app.client.get(format!("{base}/api/v1/log/checkpoint")).send().await.unwrap().json().await.unwrap();
            assert_eq!(after["size"], checkpoint["size"].as_i64().unwrap() + 1, "{base}: checkpoint is stale");
            let entries: Value =
                app.client.get(format!("{base}/api/v1/log/entries")).send().await.unwrap().json().await.unwrap();
            assert_eq!(entries["items"].as_array().unwrap().len() as i64, after["size"].as_i64().unwrap());
        }
    }
}

async fn cached_answers_revalidate_with_etags(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    for page in PAGES {
        let first = app.client.get(app.url(page)).send().await.unwrap();
        let etag = first.headers().get("etag").unwrap_or_else(|| panic!("{page} has no ETag")).clone();
        assert!(first.headers().contains_key("cache-control"), "{page}");
        let body = first.text().await.unwrap();
        let again = app.client.get(app.url(page)).send().await.unwrap();
        assert_eq!(again.headers().get("etag"), Some(&etag), "{page}: same page, same ETag");
        assert_eq!(again.text().await.unwrap(), body, "{page}: the kept answer is the made one");
        let revalidated = app.client.get(app.url(page)).header("If-None-Match", etag.clone()).send().await.unwrap();
        assert_eq!(revalidated.status(), 304, "{page}");
        assert!(revalidated.text().await.unwrap().is_empty());
    }
    let old = app.client.get(app.url(PAGES[0])).send().await.unwrap().headers().get("etag").unwrap().clone();
    let response = app
        .client
        .post(app.url("/api/v1/desk/corrections"))
        .bearer_auth(&app.user(Role::Editor).token)
        .json(&correction(1))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let changed = app.client.get(app.url(PAGES[0])).header("If-None-Match", old).send().await.unwrap();
    assert_eq!(changed.status(), 200, "a changed notice is sent whole");
    // The notice may still be framed by the publisher's pages, from memory as when made.
    let csp = changed.headers().get("content-security-policy").unwrap().to_str().unwrap().to_owned();
    assert!(csp.contains("frame-ancestors *"), "{csp}");
}

async fn an_article_edit_shows_at_once_everywhere(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let other = app.another_instance().await.address;
    for base in [app.address.clone(), other.clone()] {
        text(&app.client, format!("{base}/articles/kursk/notice")).await;
    }
    let mut renamed = article_json();
    renamed["title"] = json!("North Korean troops in Kursk: a corrected headline");
    let response = app
        .client
        .put(format!("{other}/api/v1/articles/kursk"))
        .bearer_auth(&app.token)
        .json(&renamed)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    for base in [app.address.clone(), other.clone()] {
        let notice = text(&app.client, format!("{base}/articles/kursk/notice")).await;
        assert!(notice.contains("a corrected headline"), "{base}: the notice shows the old title");
    }
}
