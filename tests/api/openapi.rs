//! The OpenAPI document and the server agree: methods, error answers and parameter bounds.

use std::collections::BTreeSet;

use corrigenda::domain::accounts::Role;
use reqwest::Method;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

both_backends!(
    undeclared_methods_are_405_naming_the_paths_methods,
    a_page_answers_an_undeclared_method_405_too,
    head_is_answered_as_get_without_the_body,
    every_operation_documents_the_errors_its_shape_allows,
    limits_and_indexes_are_bounded_as_documented,
    days_are_taken_only_in_the_documented_shape,
);

/// The methods the document declares, by path.
fn declared_methods(doc: &Value) -> Vec<(String, BTreeSet<String>)> {
    let paths = doc["paths"].as_object().unwrap();
    paths
        .iter()
        .map(|(path, item)| {
            let methods = item.as_object().unwrap().keys().map(|m| m.to_uppercase()).collect();
            (path.clone(), methods)
        })
        .collect()
}

async fn document(app: &TestApp) -> Value {
    app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap()
}

async fn undeclared_methods_are_405_naming_the_paths_methods(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc = document(&app).await;
    let declared = declared_methods(&doc);
    assert!(declared.len() > 20, "the document lists the API's paths");
    for (template, methods) in declared {
        // Any value will do for a path parameter: the path is known whatever the resource.
        let path = template.split('/').map(|s| if s.starts_with('{') { "1" } else { s }).collect::<Vec<_>>().join("/");
        for method in [Method::TRACE, Method::PATCH, Method::OPTIONS] {
            if methods.contains(method.as_str()) {
                continue;
            }
            let response =
                app.client.request(method.clone(), app.url(&path)).bearer_auth(&app.token).send().await.unwrap();
            assert_eq!(response.status(), 405, "{method} {path}");
            let allow: BTreeSet<String> =
                response.headers()["allow"].to_str().unwrap().split(',').map(|m| m.trim().to_owned()).collect();
            assert_eq!(allow, methods, "Allow of {path} lists exactly its documented methods");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "method_not_allowed", "{method} {path}");
        }
    }
}

async fn a_page_answers_an_undeclared_method_405_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client.request(Method::TRACE, app.url("/login")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let unknown = app.client.request(Method::TRACE, app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(unknown.status(), 404, "an unknown path stays unknown whatever the method");
}

/// `HEAD` (link checkers, caches, monitors) gets what `GET` would, without the body.
async fn head_is_answered_as_get_without_the_body(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let article = app.article().await;
    for path in [format!("/articles/{article}/notice"), "/api/v1/corrections".to_owned(), "/standards".to_owned()] {
        let got = app.client.get(app.url(&path)).send().await.unwrap();
        let (status, kind) = (got.status(), got.headers()["content-type"].clone());
        assert!(!got.bytes().await.unwrap().is_empty(), "GET {path} has a body");
        let head = app.client.head(app.url(&path)).send().await.unwrap();
        assert_eq!(head.status(), status, "HEAD {path}");
        assert_eq!(head.headers()["content-type"], kind, "HEAD {path}");
        assert!(head.bytes().await.unwrap().is_empty(), "HEAD {path} sent a body");
    }
    // A path with no GET still answers 405.
    let head = app.client.head(app.url("/logout")).send().await.unwrap();
    assert_eq!(head.status(), 405);
}

async fn every_operation_documents_the_errors_its_shape_allows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc = document(&app).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let has = |status: &str| responses.contains_key(status);
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                assert!(has("401"), "{method} {path} documents 401");
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "422"] {
                    assert!(has(status), "{method} {path} documents {status}");
                }
            }
            // Every operation reads the database, which may be unreachable or locked.
            assert!(has("503"), "{method} {path} documents 503");
            assert_eq!(
                responses["503"]["headers"]["Retry-After"]["schema"]["type"], "integer",
                "{method} {path} documents 503's Retry-After"
            );
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path} {status}");
                }
            }
        }
    }
}

/// The schema of a query parameter of an operation.
fn parameter<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
    &params.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{path} has {name}"))["schema"]
}

async fn limits_and_indexes_are_bounded_as_documented(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc = document(&app).await;
    // A standards editor reads all three lists.
    let token = app.user(Role::StandardsEditor).token;
    for (path, max) in [("/api/v1/desk/reports", 100), ("/api/v1/corrections", 500), ("/api/v1/audit/events", 500)] {
        let schema = parameter(&doc, path, "limit");
        assert_eq!((schema["minimum"].as_i64(), schema["maximum"].as_i64()), (Some(1), Some(max)), "{path}");
        for (limit, ok) in
            [("1", true), (&max.to_string(), true), ("0", false), ("-1", false), (&(max + 1).to_string(), false)]
        {
            let response =
                app.client.get(app.url(path)).query(&[("limit", limit)]).bearer_auth(&token).send().await.unwrap();
            assert_eq!(response.status().is_success(), ok, "{path}?limit={limit}: {}", response.status());
            if !ok {
                assert_eq!(response.status(), 422, "{path}?limit={limit}");
            }
        }
    }
    for name in ["from", "to"] {
        assert_eq!(parameter(&doc, "/api/v1/log/entries", name)["minimum"], 0, "{name}");
        let response = app.client.get(app.url("/api/v1/log/entries")).query(&[(name, "-1")]).send().await.unwrap();
        assert_eq!(response.status(), 422, "{name}=-1");
    }
    let repeated = app.client.get(app.url("/api/v1/log/entries?from=0&from=0")).send().await.unwrap();
    assert_eq!(repeated.status(), 200, "a repeated index is read, not refused as plain text");
}

async fn days_are_taken_only_in_the_documented_shape(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc = document(&app).await;
    let schema = parameter(&doc, "/api/v1/corrections", "from");
    assert_eq!(schema["format"], "date");
    let pattern = schema["pattern"].as_str().unwrap();
    assert_eq!(pattern, "^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
    for (day, ok) in [("2026-11-28", true), ("2026-1-28", false), ("+2026-11-28", false), ("2026-02-30", false)] {
        let response = app.client.get(app.url("/api/v1/corrections")).query(&[("from", day)]).send().await.unwrap();
        assert_eq!(response.status().is_success(), ok, "from={day}: {}", response.status());
    }
    // No schema can say `from <= to`: a reversed range is answered, and matches nothing.
    let query = [("from", "2026-11-28"), ("to", "2026-11-01")];
    let reversed = app.client.get(app.url("/api/v1/corrections")).query(&query).send().await.unwrap();
    assert_eq!(reversed.status(), 200);
    assert_eq!(reversed.json::<Value>().await.unwrap()["items"], serde_json::json!([]));
}
