//! The reader's side closed and the staff's way in: where each role lands after signing in,
//! staff navigation on public pages without touching the shared cache, the tracking page's
//! outcome, finding an article by its headline, and the notice as publishers embed it.

use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{article_json, csrf_in, Backend, TestApp};

both_backends!(
    each_role_lands_where_its_work_is,
    staff_keep_their_navigation_on_public_pages_apart_from_the_shared_copy,
    the_tracking_page_gives_the_reason_beside_the_status_and_the_appeal_as_final,
    a_report_reopened_on_appeal_and_decided_again_is_closed,
    a_corrected_report_shows_and_links_its_correction,
    a_repeated_answer_or_appeal_is_explained_in_plain_words,
    the_report_form_for_an_unregistered_article_says_so_plainly,
    articles_are_found_by_the_words_of_their_headline,
    the_notice_embeds_cleanly,
);

/// Signs in with `browser`, sending `next` as the form would; returns where sign-in sends them.
async fn sign_in(app: &TestApp, browser: &reqwest::Client, email: &str, password: &str, next: &str) -> String {
    let page = browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&page);
    let response = browser
        .post(app.url("/login"))
        .form(&[("email", email), ("password", password), ("csrf", csrf.as_str()), ("next", next)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn each_role_lands_where_its_work_is(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // A form posted without a session cannot be sent again: sign-in leads to the role's page.
    let post = app.client.post(app.url("/desk/reports/1/notes")).form(&[("body", "x")]).send().await.unwrap();
    assert_eq!(post.status(), 303);
    assert_eq!(post.headers()["location"], "/login");
    for (role, landing) in [(Role::Auditor, "/audit"), (Role::Editor, "/desk"), (Role::StandardsEditor, "/desk")] {
        let user = app.user(role);
        let browser = app.browser();
        let to = sign_in(&app, &browser, &user.email, &user.password, "").await;
        assert_eq!(to, landing, "{role:?}");
        assert_eq!(browser.get(app.url(&to)).send().await.unwrap().status(), 200, "{role:?} may use {to}");
        // A page asked for is still where sign-in goes; another site never is.
        let again = app.browser();
        assert_eq!(
            sign_in(&app, &again, &user.email, &user.password, "/corrections?kind=update").await,
            "/corrections?kind=update"
        );
        let offsite = app.browser();
        assert_eq!(sign_in(&app, &offsite, &user.email, &user.password, "https://evil.example/").await, landing);
    }
}

async fn staff_keep_their_navigation_on_public_pages_apart_from_the_shared_copy(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let editor = app.user(Role::Editor);
    let staff = app.signed_in(&editor).await;
    for page in ["/", "/standards", "/corrections", "/articles/kursk/corrections"] {
        // Staff first: whatever they get must not become what everyone gets.
        let signed = staff.get(app.url(page)).send().await.unwrap();
        assert_eq!(signed.status(), 200, "{page}");
        assert_eq!(signed.headers()["cache-control"], "private, no-store", "{page}");
        assert!(signed.headers().get("etag").is_none(), "{page}");
        let html = signed.text().await.unwrap();
        assert!(html.contains("href=\"/desk\"") && html.contains("Sign out"), "{page}: the desk navigation");
        assert!(html.contains(&editor.actor.name), "{page}");
        for _ in 0..2 {
            let anonymous = app.client.get(app.url(page)).send().await.unwrap();
            assert_eq!(anonymous.status(), 200, "{page}");
            assert!(anonymous.headers().get("etag").is_some(), "{page}: the shared copy");
            assert_ne!(anonymous.headers()["cache-control"], "private, no-store", "{page}");
            assert!(anonymous.headers()["vary"].to_str().unwrap().contains("Cookie"), "{page}");
            let html = anonymous.text().await.unwrap();
            assert!(!html.contains("Sign out") && !html.contains("href=\"/desk\""), "{page}: nobody's navigation");
        }
        // And the shared copy, now made, is not what staff get.
        let later = staff.get(app.url(page)).send().await.unwrap().text().await.unwrap();
        assert!(later.contains("Sign out"), "{page}");
    }
    // An ended session is an anonymous visitor, who is not asked to sign in.
    let stale = reqwest::Client::new();
    let page = stale.get(app.url("/")).header("cookie", "corrigenda_session=nonsense").send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "private, no-store");
    assert!(!page.text().await.unwrap().contains("Sign out"));
}

/// Posts the tracking page's form `step` (`reply` or `appeal`) with `field`.
async fn reader_post(app: &TestApp, token: &str, step: &str, field: &str, text: &str) -> reqwest::Response {
    app.client.post(app.url(&format!("/reports/{token}/{step}"))).form(&[(field, text)]).send().await.unwrap()
}

async fn tracking_page(app: &TestApp, token: &str) -> String {
    let response = app.client.get(app.url(&format!("/reports/{token}"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

async fn the_tracking_page_gives_the_reason_beside_the_status_and_the_appeal_as_final(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.filed().await;
    let moved = app
        .move_report(&app.token, id, json!({"to": "no_change", "reason": "The figure is right.", "version": 1}))
        .await;
    assert_eq!(moved.status(), 200);
    let page = tracking_page(&app, &token).await;
    let status = page.find("id=\"status-heading\"").unwrap();
    let reason = page.find("The figure is right.").unwrap();
    let appeal = page.find("id=\"appeal-heading\"").unwrap();
    assert!(status < reason && reason < appeal, "the reason sits with the status, above the appeal form");
    assert!(!page.replace("status-no_change", "").contains("no_change"), "no internal codes but the badge's class");
    assert_eq!(
        reader_post(&app, &token, "appeal", "reason", "The ministry corrected it on Monday.").await.status(),
        303
    );
    let sam = app.user(Role::StandardsEditor);
    let decided = app
        .move_report(&sam.token, id, json!({"to": "no_change", "reason": "Checked again: still right.", "version": 3}))
        .await;
    assert_eq!(decided.status(), 200);
    let page = tracking_page(&app, &token).await;
    assert!(page.contains("upheld the decision"));
    assert!(page.contains("Checked again: still right."));
    assert!(page.contains("This decision is final"));
    assert!(!page.contains("id=\"appeal-heading\""), "no second appeal is offered");
    let json: Value =
        app.client.get(app.url(&format!("/api/v1/reports/{token}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(json["appeal_outcome"]["status"], "no_change");
    assert_eq!(json["appeal_outcome"]["is_final"], true);
    app.deliver_mail().await;
}

async fn a_report_reopened_on_appeal_and_decided_again_is_closed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.filed().await;
    app.move_report(&app.token, id, json!({"to": "no_change", "reason": "The figure is right.", "version": 1})).await;
    assert_eq!(reader_post(&app, &token, "appeal", "reason", "The ministry corrected it.").await.status(), 303);
    let sam = app.user(Role::StandardsEditor);
    let reopened = app
        .move_report(&sam.token, id, json!({"to": "in_review", "reason": "Worth a second look.", "version": 3}))
        .await;
    assert_eq!(reopened.status(), 200);
    let page = tracking_page(&app, &token).await;
    assert!(page.contains("accepted your appeal") && !page.contains("This decision is final"));
    let decided = app
        .move_report(&app.token, id, json!({"to": "rejected", "reason": "Decided again: out of scope.", "version": 4}))
        .await;
    assert_eq!(decided.status(), 200);
    let page = tracking_page(&app, &token).await;
    let appeal = page.find("accepted your appeal").unwrap();
    let reason = page.find("Decided again: out of scope.").unwrap();
    let closed = page.find("This decision is final").unwrap();
    assert!(appeal < reason && reason < closed);
    assert!(!page.contains("id=\"appeal-heading\""), "one appeal only");
    app.deliver_mail().await;
}

async fn a_corrected_report_shows_and_links_its_correction(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.filed().await;
    let text =
        "An earlier version said the war was approaching its four-year mark. It was approaching its three-year mark.";
    let published = app
        .client
        .post(app.url("/api/v1/desk/corrections"))
        .bearer_auth(&app.token)
        .json(&json!({"article_id": "kursk", "kind": "correction", "text": text, "standards": ["accuracy"], "report_ids": [id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 201);
    let correction: Value = published.json().await.unwrap();
    let href = format!("/articles/kursk/corrections#correction-{}", correction["id"]);
    let page = tracking_page(&app, &token).await;
    assert!(page.contains(text), "the correction's text");
    assert!(page.contains(&format!("href=\"{href}\"")), "a link to it on the article's corrections page");
    let status = page.find("id=\"status-heading\"").unwrap();
    assert!(
        page.find(text).unwrap() > status && page.find(text).unwrap() < page.find("id=\"report-heading\"").unwrap()
    );
    let log = app.client.get(app.url("/articles/kursk/corrections")).send().await.unwrap().text().await.unwrap();
    assert!(log.contains(&format!("id=\"correction-{}\"", correction["id"])), "the link lands on it");
    app.deliver_mail().await;
}

async fn a_repeated_answer_or_appeal_is_explained_in_plain_words(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.filed().await;
    // An answer with no question open.
    let answer = reader_post(&app, &token, "reply", "body", "Here is the link again.").await;
    assert_eq!(answer.status(), 409);
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let html = answer.text().await.unwrap();
    assert!(html.contains("Your answer was not needed"));
    assert!(html.contains(&format!("href=\"/reports/{token}\">Back to your report")));
    assert!(!html.contains("Conflict") && !html.contains("in_review") && !html.contains("needs_info"));
    // An appeal sent twice.
    app.move_report(&app.token, id, json!({"to": "rejected", "reason": "Out of scope.", "version": 1})).await;
    assert_eq!(reader_post(&app, &token, "appeal", "reason", "Please look again.").await.status(), 303);
    let twice = reader_post(&app, &token, "appeal", "reason", "Please look again.").await;
    assert_eq!(twice.status(), 409);
    let html = twice.text().await.unwrap();
    assert!(html.contains("You have already appealed"));
    assert!(html.contains(&format!("href=\"/reports/{token}\">Back to your report")));
    assert!(!html.contains("Conflict") && !html.contains("no_change") && !html.contains("rejected;"));
    app.deliver_mail().await;
}

async fn the_report_form_for_an_unregistered_article_says_so_plainly(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for response in [
        app.client.get(app.url("/articles/not-yet-sent/report")).send().await.unwrap(),
        app.client
            .post(app.url("/articles/not-yet-sent/report"))
            .form(&[("category", "spelling")])
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(response.status(), 404);
        let html = response.text().await.unwrap();
        assert!(html.contains("This article is not in our corrections system yet"), "{html}");
        assert!(html.contains("\u{201c}not-yet-sent\u{201d}"), "the article looked for");
        assert!(!html.contains("CMS") && !html.contains("registered here"), "no system talk");
        assert!(html.contains("href=\"/\">Find an article"));
    }
}

async fn articles_are_found_by_the_words_of_their_headline(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let titles = [
        ("council-1", "City Council votes to close the library", "2026-11-01T09:00:00Z"),
        ("council-2", "Library reopens after council reverses course", "2026-11-02T09:00:00Z"),
        ("council-3", "COUNCIL budget: what changes", "2026-11-03T09:00:00Z"),
        ("percent", "Prices up 5% in a year", "2026-11-04T09:00:00Z"),
    ];
    for (id, title, at) in titles {
        let mut body = article_json();
        body["title"] = json!(title);
        body["url"] = json!(format!("https://news.example/{id}"));
        body["published_at"] = json!(at);
        assert!(app.put_article(id, &body).await.status().is_success());
    }
    let (status, html) = look_up(&app, "council").await;
    assert_eq!(status, 200);
    let at = |id: &str| html.find(&format!("href=\"/articles/{id}/report\"")).unwrap_or_else(|| panic!("{id} found"));
    assert!(at("council-3") < at("council-2") && at("council-2") < at("council-1"), "every case, newest first");
    assert!(!html.contains("/articles/kursk/report"));
    let (_, html) = look_up(&app, "  LIBRARY   council ").await;
    assert!(html.contains("/articles/council-1/report") && html.contains("/articles/council-2/report"));
    assert!(!html.contains("/articles/council-3/report"), "every word must match");
    let (_, html) = look_up(&app, "5%").await;
    assert!(html.contains("/articles/percent/report"));
    let (status, html) = look_up(&app, "%").await;
    assert_eq!(status, 404, "a percent sign is not a word, nor a wildcard");
    assert!(!html.contains("/articles/percent/report") && !html.contains("/articles/council-1/report"));
    let (_, html) = look_up(&app, "coun").await;
    assert!(html.contains("/articles/council-1/report"), "words match as prefixes");
    // Nothing found, with corrections published: the recent ones are still listed.
    let published = app
        .client
        .post(app.url("/api/v1/desk/corrections"))
        .bearer_auth(&app.token)
        .json(&json!({"article_id": "kursk", "kind": "clarification", "text": "The estimate came from the Pentagon.", "standards": ["accuracy"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 201);
    let (status, html) = look_up(&app, "zebra crossing").await;
    assert_eq!(status, 404);
    assert!(html.contains("no headline has all of these words") && !html.contains("registered"));
    assert!(!html.contains("No corrections have been published yet"));
    assert!(html.contains("The estimate came from the Pentagon."));
    let (status, html) = look_up(&app, "https://news.example/world/nope").await;
    assert_eq!(status, 404);
    assert!(html.contains("copied whole") && !html.contains("no headline"), "an address is not headline words");
    // The list is limited, and says so.
    for n in 0..51 {
        let mut body = article_json();
        body["title"] = json!(format!("Weather report number {n}"));
        body["url"] = json!(format!("https://news.example/weather/{n}"));
        assert!(app.put_article(&format!("weather-{n}"), &body).await.status().is_success());
    }
    let (_, html) = look_up(&app, "weather").await;
    assert_eq!(html.matches("href=\"/articles/weather-").count(), 2 * 50, "report and corrections links of 50");
    assert!(html.contains("add a word from its headline"));
}

/// The find box's answer to `q`: status and page.
async fn look_up(app: &TestApp, q: &str) -> (u16, String) {
    let response = app.client.get(app.url("/articles")).query(&[("q", q)]).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn the_notice_embeds_cleanly(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    // Registered, nothing published: only the way to report, and no list of none.
    let empty = app.client.get(app.url("/articles/kursk/notice")).send().await.unwrap().text().await.unwrap();
    assert!(empty.contains("/articles/kursk/report") && !empty.contains("All corrections to this article"));
    // Unknown to us: an empty answer the publisher's page can hold, cached like the others.
    let unknown = app.client.get(app.url("/articles/not-yet-sent/notice")).send().await.unwrap();
    assert_eq!(unknown.status(), 200);
    let etag = unknown.headers()["etag"].clone();
    assert!(unknown.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    assert!(unknown.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors *"));
    assert_eq!(unknown.text().await.unwrap(), "");
    let again =
        app.client.get(app.url("/articles/not-yet-sent/notice")).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    let published = app
        .client
        .post(app.url("/api/v1/desk/corrections"))
        .bearer_auth(&app.token)
        .json(&json!({"article_id": "kursk", "kind": "clarification", "text": "The estimate came from the Pentagon.", "standards": ["accuracy"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 201);
    let inlined = app.client.get(app.url("/articles/kursk/notice")).send().await.unwrap();
    assert!(inlined.headers()["vary"].to_str().unwrap().contains("Sec-Fetch-Dest"));
    let html = inlined.text().await.unwrap();
    assert!(html.starts_with("<section") && html.contains("All corrections to this article"));
    assert_eq!(html.matches("<a ").count(), 3);
    assert_eq!(html.matches("target=\"_top\"").count(), 3, "every link leaves the frame");
    assert!(!html.contains("font-family"), "inlined, it takes the host page's fonts");
    // Framed, it is a document of its own, kept apart from the fragment.
    for _ in 0..2 {
        let framed =
            app.client.get(app.url("/articles/kursk/notice")).header("sec-fetch-dest", "iframe").send().await.unwrap();
        assert_eq!(framed.status(), 200);
        assert!(framed.headers().get("etag").is_some());
        assert!(framed.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors *"));
        let html = framed.text().await.unwrap();
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<base target=\"_top\">"));
        assert!(html.contains("font-family:system-ui") && html.contains("The estimate came from the Pentagon."));
    }
    let fragment = app.client.get(app.url("/articles/kursk/notice")).send().await.unwrap().text().await.unwrap();
    assert!(fragment.starts_with("<section"), "the fragment stays a fragment");
    let framed_unknown = app
        .client
        .get(app.url("/articles/not-yet-sent/notice"))
        .header("sec-fetch-dest", "iframe")
        .send()
        .await
        .unwrap();
    assert_eq!(framed_unknown.status(), 200);
    assert!(framed_unknown.text().await.unwrap().ends_with("<body></body></html>"));
}
