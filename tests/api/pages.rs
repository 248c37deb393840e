//! Public pages, unknown routes and the OpenAPI document.

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

both_backends!(
    home_page_explains_and_offers_the_find_box,
    find_by_id_or_url_opens_the_report_form,
    find_of_an_unknown_article_says_so,
    unknown_paths_are_404_as_page_or_json,
    openapi_document_covers_every_route,
    stylesheet_is_served,
);

async fn home_page_explains_and_offers_the_find_box(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
    let html = response.text().await.unwrap();
    assert!(html.contains("The Test Gazette"), "publication name from settings");
    assert!(html.contains("name=\"q\""), "find box");
    assert!(html.contains("No corrections have been published yet"), "empty state");
    assert!(html.contains("href=\"/standards\"") && html.contains("href=\"/corrections\""));
}

async fn find_by_id_or_url_opens_the_report_form(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    for q in ["kursk", "https://news.example/world/kursk", "https://news.example/world/kursk?utm_source=x#top"] {
        let response = app.client.get(app.url("/articles")).query(&[("q", q)]).send().await.unwrap();
        assert_eq!(response.status(), 303, "{q}");
        assert_eq!(response.headers()["location"], "/articles/kursk/report", "{q}");
    }
}

async fn find_of_an_unknown_article_says_so(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client.get(app.url("/articles")).query(&[("q", "<i>missing</i>")]).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("No article with the ID or address"));
    assert!(html.contains("&lt;i&gt;missing&lt;/i&gt;") && !html.contains("<i>missing</i>"));
}

async fn unknown_paths_are_404_as_page_or_json(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let page = app.client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("Not Found"));
    let api = app.client.get(app.url("/api/v1/nothing")).send().await.unwrap();
    assert_eq!(api.status(), 404);
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

async fn openapi_document_covers_every_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc: Value = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/articles/{id}", "put"),
        ("/api/v1/articles/{id}", "get"),
        ("/api/v1/articles/{id}/reports", "post"),
        ("/api/v1/reports/{token}", "get"),
        ("/api/v1/reports/{token}/replies", "post"),
        ("/api/v1/reports/{token}/appeal", "post"),
        ("/api/v1/articles/{id}/corrections", "get"),
        ("/api/v1/corrections", "get"),
        ("/api/v1/desk/reports", "get"),
        ("/api/v1/desk/reports/{id}", "get"),
        ("/api/v1/desk/reports/{id}/transitions", "post"),
        ("/api/v1/desk/reports/{id}/assignment", "post"),
        ("/api/v1/desk/reports/{id}/severity", "post"),
        ("/api/v1/desk/reports/{id}/notes", "post"),
        ("/api/v1/desk/corrections", "post"),
        ("/api/v1/desk/corrections/{id}/approval", "post"),
        ("/api/v1/desk/responses", "get"),
        ("/api/v1/desk/responses", "post"),
        ("/api/v1/desk/responses/{id}", "put"),
        ("/api/v1/desk/responses/{id}", "delete"),
        ("/api/v1/desk/wordings", "get"),
        ("/api/v1/desk/wordings/{kind}", "put"),
        ("/api/v1/desk/wordings/{kind}", "delete"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

async fn stylesheet_is_served(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client.get(app.url("/static/style.css")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let served = response.text().await.unwrap();
    let source = include_str!("../../templates/src/style.css");
    assert_eq!(served, source, "the stylesheet as written");
}
