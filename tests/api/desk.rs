//! The desk: sign-in, sessions, CSRF, roles on every route, the queue and deadlines.

use chrono::Duration;
use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{article_json, csrf_in, report_json, Backend, TestApp};

both_backends!(
    bulk_actions_move_each_ticket_with_its_own_version_check,
    the_queue_searches_headlines_passages_numbers_and_for_editors_addresses,
    a_search_of_many_matches_reads_them_in_order_page_by_page,
    the_queue_has_views_with_counts_and_ignores_unknown_parameters,
    a_readers_answer_is_marked_until_an_editor_opens_the_ticket,
    every_desk_route_refuses_anonymous_wrong_roles_and_disabled_users,
    anonymous_browsers_are_sent_to_sign_in_and_back,
    sign_in_returns_only_to_a_path_on_this_site,
    answers_for_staff_are_never_stored,
    a_form_post_without_the_right_csrf_token_changes_nothing,
    sessions_expire_when_idle_and_are_renewed_at_sign_in,
    sign_in_is_throttled_per_account,
    disabled_accounts_cannot_sign_in,
    re_enabling_an_account_does_not_revive_its_tokens,
    an_editor_works_a_ticket_through_the_browser,
    the_ticket_shows_who_else_has_it_open,
    deadlines_follow_severity_and_overdue_follows_the_clock,
    the_queue_filters_sorts_counts_and_pages,
    queue_counts_agree_with_the_listing_under_every_filter,
    signed_in_reads_write_at_most_once_a_minute,
    unknown_queue_filters_are_422_naming_them,
    the_first_run_link_creates_one_standards_editor_once,
    auditors_see_tickets_without_reader_details,
);

/// (method, path) of every desk route, with `{id}` for a report.
const ROUTES: &[(&str, &str, bool)] = &[
    ("GET", "/api/v1/desk/reports", true),
    ("GET", "/api/v1/desk/reports/{id}", false),
    ("POST", "/api/v1/desk/reports/{id}/transitions", true),
    ("POST", "/api/v1/desk/reports/{id}/assignment", true),
    ("POST", "/api/v1/desk/reports/{id}/severity", true),
    ("POST", "/api/v1/desk/reports/{id}/notes", true),
];

async fn every_desk_route_refuses_anonymous_wrong_roles_and_disabled_users(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    let auditor = app.user(Role::Auditor);
    let disabled = app.user(Role::Editor);
    let now = app.clock.now();
    app.db.write_blocking(|c| corrigenda::domain::accounts::set_disabled(c, &disabled.email, true, now)).unwrap();
    for (method, path, edits) in ROUTES {
        let url = app.url(&path.replace("{id}", &id.to_string()));
        let send = |token: Option<&str>| {
            let request = if *method == "GET" { app.client.get(&url) } else { app.client.post(&url).json(&json!({})) };
            match token {
                Some(t) => request.bearer_auth(t),
                None => request,
            }
            .send()
        };
        assert_eq!(send(None).await.unwrap().status(), 401, "anonymous {method} {path}");
        assert_eq!(send(Some(&disabled.token)).await.unwrap().status(), 401, "disabled {method} {path}");
        let as_auditor = send(Some(&auditor.token)).await.unwrap().status();
        assert_eq!(as_auditor, if *edits { 403 } else { 200 }, "auditor {method} {path}");
        // An editor gets through to the route itself: a read, or an empty change refused as a bad field.
        let expected = if *method == "GET" { 200 } else { 422 };
        assert_eq!(send(Some(&app.token)).await.unwrap().status(), expected, "editor {method} {path}");
    }
    // Pages: anonymous is sent to sign in; auditors may read the ticket but not the queue.
    let browser = app.signed_in(&auditor).await;
    assert_eq!(browser.get(app.url("/desk")).send().await.unwrap().status(), 403);
    assert_eq!(browser.get(app.url(&format!("/desk/reports/{id}"))).send().await.unwrap().status(), 200);
    app.deliver_mail().await;
}

async fn anonymous_browsers_are_sent_to_sign_in_and_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.browser();
    let response = browser.get(app.url("/desk?status=new")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?next=%2Fdesk%3Fstatus%3Dnew");
    let editor = app.user(Role::Editor);
    let page = browser.get(app.url("/login?next=%2Fdesk%3Fstatus%3Dnew")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&page);
    let signed = browser
        .post(app.url("/login"))
        .form(&[
            ("email", editor.email.as_str()),
            ("password", &editor.password),
            ("csrf", &csrf),
            ("next", "/desk?status=new"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    assert_eq!(signed.headers()["location"], "/desk?status=new");
    let cookie = signed.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let offsite =
        browser.get(app.url("/login?next=https%3A%2F%2Fevil.example")).send().await.unwrap().text().await.unwrap();
    assert!(!offsite.contains("evil.example"), "never sent elsewhere after sign-in");
}

/// Signs `user` in from a fresh sign-in page, asking to go to `next`; returns the `Location`.
async fn sign_in_to(app: &TestApp, user: &crate::helpers::TestUser, next: &str) -> String {
    let browser = app.browser();
    let page = browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&page);
    let response = browser
        .post(app.url("/login"))
        .form(&[("email", user.email.as_str()), ("password", &user.password), ("csrf", &csrf), ("next", next)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{next:?}");
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn sign_in_returns_only_to_a_path_on_this_site(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.user(Role::Editor);
    // Browsers read a backslash as a slash and drop tabs and newlines: each of these is another host.
    for hostile in [
        "//evil.example/x",
        "/\\evil.example/x",
        "/%09/evil.example/x",
        "/\t/evil.example/x",
        "/%2F/evil.example/x",
        "/%5C/evil.example/x",
        "/.//evil.example/x",
        "https://evil.example/x",
        "%2F%2Fevil.example",
        " /x",
    ] {
        assert_eq!(sign_in_to(&app, &editor, hostile).await, "/desk", "{hostile:?}");
    }
    let page = app.browser().get(app.url("/login?next=%2F%2509%2Fevil.example")).send().await.unwrap();
    assert!(!page.text().await.unwrap().contains("evil.example"), "the form does not carry it either");
    assert_eq!(sign_in_to(&app, &editor, "/desk?view=mine").await, "/desk?view=mine");
    let auditor = app.user(Role::Auditor);
    assert_eq!(sign_in_to(&app, &auditor, "/\\evil.example").await, "/audit");
}

async fn answers_for_staff_are_never_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    let sam = app.user(Role::StandardsEditor);
    let browser = app.signed_in(&sam).await;
    let pages = [
        "/desk".to_owned(),
        "/desk?view=mine".to_owned(),
        format!("/desk/reports/{id}"),
        "/desk/corrections".to_owned(),
        "/desk/corrections/new?article=kursk".to_owned(),
        "/desk/erasure".to_owned(),
        "/desk/outbox".to_owned(),
        "/desk/standards".to_owned(),
        "/desk/responses".to_owned(),
        "/desk/wordings".to_owned(),
        "/audit".to_owned(),
        "/audit/verify".to_owned(),
        "/desk/transparency".to_owned(),
    ];
    for page in &pages {
        let response = browser.get(app.url(page)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{page}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{page}");
    }
    let api = [
        "/api/v1/desk/reports".to_owned(),
        format!("/api/v1/desk/reports/{id}"),
        "/api/v1/desk/responses".to_owned(),
        "/api/v1/desk/wordings".to_owned(),
        "/api/v1/audit/events".to_owned(),
    ];
    for path in &api {
        let response = app.client.get(app.url(path)).bearer_auth(&sam.token).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    // Changes and refusals too: an article upsert, a move, and a role that may not read the queue.
    let upsert = app.put_article("kursk", &article_json()).await;
    assert_eq!((upsert.status().as_u16(), upsert.headers()["cache-control"].to_str().unwrap()), (200, "no-store"));
    let moved = app.move_report(&sam.token, id, json!({"to": "triaged", "version": 1})).await;
    assert_eq!((moved.status().as_u16(), moved.headers()["cache-control"].to_str().unwrap()), (200, "no-store"));
    let auditor = app.signed_in(&app.user(Role::Auditor)).await;
    let refused = auditor.get(app.url("/desk")).send().await.unwrap();
    assert_eq!((refused.status().as_u16(), refused.headers()["cache-control"].to_str().unwrap()), (403, "no-store"));
    // Answers that are the same for everyone keep their own caching, whoever asks.
    let style = browser.get(app.url("/static/style.css")).send().await.unwrap();
    assert_eq!(style.headers()["cache-control"], "public, max-age=3600");
    let notice = browser.get(app.url("/articles/kursk/notice")).send().await.unwrap();
    assert_eq!(notice.headers()["cache-control"], "public, max-age=60");
    app.deliver_mail().await;
}

async fn a_form_post_without_the_right_csrf_token_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    let editor = app.user(Role::Editor);
    let browser = app.signed_in(&editor).await;
    let url = app.url(&format!("/desk/reports/{id}/transitions"));
    for csrf in [None, Some("not-the-token")] {
        let mut form = vec![("to", "triaged"), ("version", "1")];
        if let Some(c) = csrf {
            form.push(("csrf", c));
        }
        let response = browser.post(&url).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 403, "{csrf:?}");
    }
    assert_eq!(app.state_of(id), ("new".into(), 1));
    let stranger = app.browser();
    let response =
        stranger.post(&url).form(&[("to", "triaged"), ("version", "1"), ("csrf", "x")]).send().await.unwrap();
    assert_eq!(response.status(), 303, "no session: sent to sign in");
    assert_eq!(app.state_of(id), ("new".into(), 1));
    app.deliver_mail().await;
}

async fn sessions_expire_when_idle_and_are_renewed_at_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.user(Role::Editor);
    let browser = app.signed_in(&editor).await;
    assert_eq!(browser.get(app.url("/desk")).send().await.unwrap().status(), 200);
    app.clock.advance(Duration::hours(3));
    assert_eq!(browser.get(app.url("/desk")).send().await.unwrap().status(), 200, "activity keeps it alive");
    app.clock.advance(Duration::hours(5));
    assert_eq!(browser.get(app.url("/desk")).send().await.unwrap().status(), 303, "idle expiry");

    // Signing in again gives a new session id; the old cookie stops working.
    let first = app.browser();
    let one = app.login(&first, &editor.email, &editor.password).await;
    let old = one.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let two = app.login(&first, &editor.email, &editor.password).await;
    let new = two.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    assert_ne!(old, new);
    // Ended with the sign-in, before its answer: no wait.
    let replay = app.client.get(app.url("/desk")).header("cookie", &old).send().await.unwrap();
    assert_eq!(replay.status(), 303, "the old session ended");
    let current = app.client.get(app.url("/desk")).header("cookie", &new).send().await.unwrap();
    assert_eq!(current.status(), 200);
    for _ in 0..9 {
        app.clock.advance(Duration::hours(3));
        app.client.get(app.url("/desk")).header("cookie", &new).send().await.unwrap();
    }
    let late = app.client.get(app.url("/desk")).header("cookie", &new).send().await.unwrap();
    assert_eq!(late.status(), 303, "absolute expiry despite activity");
}

async fn sign_in_is_throttled_per_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.user(Role::Editor);
    let browser = app.browser();
    for _ in 0..5 {
        let response = app.login(&browser, &editor.email, "wrong password, sorry").await;
        assert_eq!(response.status(), 401);
        assert!(response.text().await.unwrap().contains("Wrong email or password"));
    }
    let locked = app.login(&browser, &editor.email, &editor.password).await;
    assert_eq!(locked.status(), 429, "even the right password waits");
    assert!(locked.headers().contains_key("retry-after"));
    assert!(locked.text().await.unwrap().contains("Too many failed sign-ins"));
    app.clock.advance(Duration::minutes(16));
    assert_eq!(app.login(&browser, &editor.email, &editor.password).await.status(), 303);
}

async fn disabled_accounts_cannot_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.user(Role::Editor);
    let browser = app.signed_in(&editor).await;
    let output = app.cli(&["user", "disable", "--email", &editor.email]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(browser.get(app.url("/desk")).send().await.unwrap().status(), 303, "the session ended");
    let again = app.login(&app.browser(), &editor.email, &editor.password).await;
    assert_eq!(again.status(), 403);
    let api = app.client.get(app.url("/api/v1/desk/reports")).bearer_auth(&editor.token).send().await.unwrap();
    assert_eq!(api.status(), 401, "the token stopped working");
}

/// The status of a queue request with `token`.
async fn queue_status(app: &TestApp, token: &str) -> u16 {
    app.client.get(app.url("/api/v1/desk/reports")).bearer_auth(token).send().await.unwrap().status().as_u16()
}

async fn re_enabling_an_account_does_not_revive_its_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.user(Role::Editor);
    assert_eq!(queue_status(&app, &editor.token).await, 200);
    let disabled = app.cli(&["user", "disable", "--email", &editor.email]);
    assert!(disabled.status.success(), "{}", String::from_utf8_lossy(&disabled.stderr));
    let said = String::from_utf8_lossy(&disabled.stdout).into_owned();
    assert!(said.contains(&format!("Disabled {}; its sessions ended and 1 API token(s) were revoked", editor.email)));
    assert_eq!(queue_status(&app, &editor.token).await, 401);
    let enabled = app.cli(&["user", "enable", "--email", &editor.email]);
    assert!(enabled.status.success(), "{}", String::from_utf8_lossy(&enabled.stderr));
    assert_eq!(queue_status(&app, &editor.token).await, 401, "the old token stays revoked");
    let listed = String::from_utf8_lossy(&app.cli(&["token", "list"]).stdout).into_owned();
    assert!(listed.lines().any(|l| l.contains(&editor.email) && l.contains("revoked")), "{listed}");
    // The account itself works again, with a new token.
    assert_eq!(app.login(&app.browser(), &editor.email, &editor.password).await.status(), 303);
    let created = app.cli(&["token", "create", "--email", &editor.email, "--name", "CMS again"]);
    let token = String::from_utf8_lossy(&created.stdout).lines().last().unwrap().trim().to_owned();
    assert_eq!(queue_status(&app, &token).await, 200);
}

async fn an_editor_works_a_ticket_through_the_browser(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.filed().await;
    let editor = app.user(Role::Editor);
    let browser = app.signed_in(&editor).await;
    let queue = browser.get(app.url("/desk")).send().await.unwrap().text().await.unwrap();
    assert!(queue.contains(&format!("/desk/reports/{id}")), "the report is in the queue");
    let ticket_url = app.url(&format!("/desk/reports/{id}"));
    let page = browser.get(&ticket_url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("ada@example.com"), "editors see the reader's email");
    assert!(page.contains("<mark"), "the passage is highlighted in the article text");
    let csrf = csrf_in(&page);
    let steps: &[&[(&str, &str)]] = &[
        &[("to", "triaged"), ("version", "1")],
        &[("to", "in_review"), ("version", "2")],
        &[("to", "needs_info"), ("version", "3"), ("reason", "Which source says three years?")],
    ];
    for step in steps {
        let mut form = step.to_vec();
        form.push(("csrf", &csrf));
        let response =
            browser.post(app.url(&format!("/desk/reports/{id}/transitions"))).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 303, "{step:?}");
    }
    let note = browser
        .post(app.url(&format!("/desk/reports/{id}/notes")))
        .form(&[("body", "Waiting for the reader."), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(note.status(), 303);
    let stale = browser
        .post(app.url(&format!("/desk/reports/{id}/transitions")))
        .form(&[("to", "rejected"), ("version", "1"), ("reason", "x"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 409);
    assert!(stale.text().await.unwrap().contains("reload"), "the page says why");
    app.client
        .post(app.url(&format!("/reports/{token}/reply")))
        .form(&[("body", "Reuters, 20 December.")])
        .send()
        .await
        .unwrap();
    let page = browser.get(&ticket_url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Reuters, 20 December.") && page.contains("Waiting for the reader."));
    let version = app.state_of(id).1.to_string();
    let closed = browser
        .post(app.url(&format!("/desk/reports/{id}/transitions")))
        .form(&[
            ("to", "no_change"),
            ("version", &version),
            ("reason", "The war began in 2022; we say so."),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 303);
    assert_eq!(app.state_of(id).0, "no_change");
    app.deliver_mail().await;
}

async fn the_ticket_shows_who_else_has_it_open(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    let erin = app.user(Role::Editor);
    let sam = app.user(Role::StandardsEditor);
    let url = app.url(&format!("/desk/reports/{id}"));
    let erin_browser = app.signed_in(&erin).await;
    erin_browser.get(&url).send().await.unwrap();
    let sam_page = app.signed_in(&sam).await.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(sam_page.contains(&erin.actor.name), "Sam sees that Erin has it open");
    app.clock.advance(Duration::minutes(10));
    let api: Value = app
        .client
        .get(app.url(&format!("/api/v1/desk/reports/{id}")))
        .bearer_auth(&sam.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["also_open_by"], json!([]), "presence fades after a few minutes");
    app.deliver_mail().await;
}

async fn deadlines_follow_severity_and_overdue_follows_the_clock(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.response_targets = "normal=48h,low=5d".into()).await;
    let (id, _) = app.filed().await;
    let ticket = |app: &TestApp| {
        let request = app.client.get(app.url(&format!("/api/v1/desk/reports/{id}"))).bearer_auth(&app.token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let t = ticket(&app).await;
    assert_eq!(t["severity"], "normal", "a factual error starts normal");
    let filed = chrono::DateTime::parse_from_rfc3339(t["created_at"].as_str().unwrap()).unwrap();
    let deadline = chrono::DateTime::parse_from_rfc3339(t["deadline_at"].as_str().unwrap()).unwrap();
    assert_eq!(deadline - filed, Duration::hours(48), "configured target");
    assert_eq!(t["overdue"], false);
    app.clock.advance(Duration::hours(49));
    assert_eq!(ticket(&app).await["overdue"], true);
    let overdue: Value = app
        .client
        .get(app.url("/api/v1/desk/reports?overdue=true"))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(overdue["items"][0]["id"], id);
    let changed = app
        .client
        .post(app.url(&format!("/api/v1/desk/reports/{id}/severity")))
        .bearer_auth(&app.token)
        .json(&json!({"severity": "low", "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    let t = ticket(&app).await;
    let deadline = chrono::DateTime::parse_from_rfc3339(t["deadline_at"].as_str().unwrap()).unwrap();
    assert_eq!(deadline - filed, Duration::days(5), "recomputed from the filing time");
    assert_eq!(t["overdue"], false);
    app.move_report(&app.token, id, json!({"to": "needs_info", "reason": "Source?", "version": 2})).await;
    app.clock.advance(Duration::days(10));
    assert_eq!(ticket(&app).await["overdue"], false, "waiting on the reader is not overdue");
    app.deliver_mail().await;
}

async fn the_queue_filters_sorts_counts_and_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let me = app.user(Role::Editor);
    let mut ids = Vec::new();
    for category in ["factual_error", "spelling", "misquote", "factual_error", "broken_link"] {
        let mut body = report_json();
        body["category"] = json!(category);
        app.file_report("kursk", &body).await;
        ids.push(
            app.db
                .read_blocking(|c| {
                    use corrigenda::db::schema::reports;
                    use diesel::prelude::*;
                    Ok(reports::table.select(diesel::dsl::max(reports::id)).first::<Option<i64>>(c)?.unwrap())
                })
                .unwrap(),
        );
    }
    app.move_report(&me.token, ids[0], json!({"to": "triaged", "version": 1})).await;
    app.client
        .post(app.url(&format!("/api/v1/desk/reports/{}/assignment", ids[1])))
        .bearer_auth(&me.token)
        .json(&json!({"assignee_email": me.email, "version": 1}))
        .send()
        .await
        .unwrap();
    let get = |query: &str| {
        let request = app.client.get(app.url(&format!("/api/v1/desk/reports?{query}"))).bearer_auth(&me.token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let ids_of =
        |page: &Value| page["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let all = get("").await;
    assert_eq!(ids_of(&all).len(), 5);
    let counts: Vec<(String, i64)> = all["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["status"].as_str().unwrap().to_owned(), c["count"].as_i64().unwrap()))
        .collect();
    assert!(counts.contains(&("new".into(), 4)) && counts.contains(&("triaged".into(), 1)), "{counts:?}");
    assert_eq!(ids_of(&get("status=triaged").await), [ids[0]]);
    assert_eq!(ids_of(&get("status=triaged&status=new&category=spelling").await), [ids[1]]);
    assert_eq!(ids_of(&get("assignee=me").await), [ids[1]]);
    assert_eq!(ids_of(&get("assignee=unassigned").await).len(), 4);
    assert_eq!(ids_of(&get(&format!("assignee={}", me.email)).await), [ids[1]]);
    assert_eq!(ids_of(&get("section=World").await).len(), 5);
    assert_eq!(ids_of(&get("section=Sport").await).len(), 0);
    let by_severity = ids_of(&get("sort=severity").await);
    assert_eq!(by_severity[0], ids[2], "the misquote (high) comes first");
    // Each order, worked out here from the items' own fields, then paged two at a time.
    let rank = |s: &Value| ["legal", "high", "normal", "low"].iter().position(|r| s == r).unwrap();
    for sort in ["deadline", "age", "severity"] {
        let whole = get(&format!("sort={sort}&limit=100")).await;
        let items = whole["items"].as_array().unwrap().clone();
        let mut expected = items.clone();
        expected.sort_by_key(|i| {
            let id = i["id"].as_i64().unwrap();
            match sort {
                "deadline" => (0, i["deadline_at"].as_str().unwrap().to_owned(), id),
                "age" => (0, String::new(), id),
                _ => (rank(&i["severity"]), String::new(), id),
            }
        });
        let expected: Vec<i64> = expected.iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(ids_of(&whole), expected, "{sort}: the order");
        let mut seen = Vec::new();
        let mut pages = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let query = match &cursor {
                Some(c) => format!("sort={sort}&limit=2&cursor={c}"),
                None => format!("sort={sort}&limit=2"),
            };
            let page = get(&query).await;
            let ids = ids_of(&page);
            assert!(ids.len() <= 2, "{sort}: at most `limit` a page: {ids:?}");
            pages.push(ids.len());
            seen.extend(ids);
            match page["next"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
            assert!(pages.len() < 10, "{sort}: the cursor does not move on: {seen:?}");
        }
        assert_eq!(pages, [2, 2, 1], "{sort}: {seen:?}");
        assert_eq!(seen, expected, "{sort}: every report once, in order");
    }
    let editor_browser = app.signed_in(&me).await;
    let html = editor_browser
        .get(app.url("/desk?status=new&status=triaged&sort=severity"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("/desk/reports/{}", ids[2])));
    app.deliver_mail().await;
}

async fn unknown_queue_filters_are_422_naming_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (query, field) in
        [("status=open", "status"), ("sort=random", "sort"), ("cursor=%%%", "cursor"), ("view=everything", "view")]
    {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/desk/reports?{query}")))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{query}");
        assert_eq!(response.json::<Value>().await.unwrap()["error"]["field"], field, "{query}");
    }
    // Which addresses have accounts no schema can say: one without has no tickets.
    let ghost = app
        .client
        .get(app.url("/api/v1/desk/reports?assignee=ghost@news.example"))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(ghost.status(), 200);
    assert_eq!(ghost.json::<Value>().await.unwrap()["items"], serde_json::json!([]));
    let editor = app.user(Role::Editor);
    let page = app.signed_in(&editor).await.get(app.url("/desk?status=open")).send().await.unwrap();
    assert_eq!(page.status(), 422);
    let html = page.text().await.unwrap();
    assert!(html.contains("&quot;open&quot;") || html.contains("\"open\""), "the refused value is named: {html}");
    assert!(html.contains("status"), "and the filter it was given to");
}

async fn the_first_run_link_creates_one_standards_editor_once(backend: Backend) {
    let database = crate::helpers::TestDb::new(backend);
    let (db, _) = corrigenda::db::Db::open(&corrigenda::db::DbTarget::parse(&database.url).unwrap()).unwrap();
    let now = chrono::Utc::now().naive_utc();
    let token = db.write_blocking(|c| corrigenda::domain::sessions::setup_link(c, now)).unwrap().unwrap();
    let app = TestApp::on(database, |_| {}).await;
    // TestApp::on made an account; the link must not work once one exists.
    let closed = app.client.get(app.url(&format!("/setup/{token}"))).send().await.unwrap();
    assert_eq!(closed.status(), 404);
    let database = app.stop().await;
    let fresh = crate::helpers::TestDb::new(backend);
    drop(database);
    let (db, _) = corrigenda::db::Db::open(&corrigenda::db::DbTarget::parse(&fresh.url).unwrap()).unwrap();
    let token = db.write_blocking(|c| corrigenda::domain::sessions::setup_link(c, now)).unwrap().unwrap();
    let app = TestApp::bare(fresh).await;
    let browser = app.browser();
    let page = browser.get(app.url(&format!("/setup/{token}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csrf = csrf_in(&page.text().await.unwrap());
    let short = browser
        .post(app.url(&format!("/setup/{token}")))
        .form(&[
            ("email", "sam@news.example"),
            ("name", "Sam"),
            ("password", "short"),
            ("password_confirm", "short"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), 422);
    let form = [
        ("email", "sam@news.example"),
        ("name", "Sam Standards"),
        ("password", "a long enough passphrase"),
        ("password_confirm", "a long enough passphrase"),
        ("csrf", csrf.as_str()),
    ];
    let created = browser.post(app.url(&format!("/setup/{token}"))).form(&form).send().await.unwrap();
    assert_eq!(created.status(), 303);
    assert_eq!(browser.get(app.url("/desk")).send().await.unwrap().status(), 200, "signed in as the new account");
    let reused = app.browser().get(app.url(&format!("/setup/{token}"))).send().await.unwrap();
    assert_eq!(reused.status(), 404, "the link works once");
    let user =
        app.db.read_blocking(|c| Ok(corrigenda::db::models::User::by_email(c, "sam@news.example")?.unwrap())).unwrap();
    assert_eq!(user.role.as_str(), "standards_editor");
}

async fn auditors_see_tickets_without_reader_details(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    let auditor = app.user(Role::Auditor);
    let json: Value = app
        .client
        .get(app.url(&format!("/api/v1/desk/reports/{id}")))
        .bearer_auth(&auditor.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["reporter_email"], Value::Null);
    assert_eq!(json["reporter_redacted"], true);
    assert_eq!(json["allowed_moves"], json!([]));
    let page = app
        .signed_in(&auditor)
        .await
        .get(app.url(&format!("/desk/reports/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("ada@example.com") && !page.contains("Ada Reader"));
    assert!(!page.contains("/transitions"), "no forms for auditors");
    app.deliver_mail().await;
}

/// The counts come from maintained tallies or one grouped query: under every filter they
/// must say what the listing shows, after filing, moves, assignment and severity changes.
async fn queue_counts_agree_with_the_listing_under_every_filter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let me = app.user(Role::Editor);
    let categories = ["factual_error", "spelling", "misquote", "factual_error", "broken_link", "other", "spelling"];
    let mut ids = Vec::new();
    for category in categories {
        let mut body = report_json();
        body["category"] = json!(category);
        assert_eq!(app.file_report("kursk", &body).await.status(), 201);
        ids.push(app.state_of_last());
    }
    let post = |path: String, body: Value| {
        let request = app.client.post(app.url(&path)).bearer_auth(&me.token).json(&body);
        async move { assert_eq!(request.send().await.unwrap().status(), 200, "{path}") }
    };
    post(format!("/api/v1/desk/reports/{}/transitions", ids[0]), json!({"to": "triaged", "version": 1})).await;
    post(format!("/api/v1/desk/reports/{}/transitions", ids[1]), json!({"to": "in_review", "version": 1})).await;
    post(
        format!("/api/v1/desk/reports/{}/transitions", ids[2]),
        json!({"to": "rejected", "version": 1, "reason": "The quotation is accurate."}),
    )
    .await;
    post(format!("/api/v1/desk/reports/{}/assignment", ids[3]), json!({"assignee_email": me.email, "version": 1}))
        .await;
    post(format!("/api/v1/desk/reports/{}/assignment", ids[1]), json!({"assignee_email": me.email, "version": 2}))
        .await;
    post(format!("/api/v1/desk/reports/{}/severity", ids[4]), json!({"severity": "legal", "version": 1})).await;
    app.clock.advance(Duration::hours(30));
    let get = |query: String| {
        let request =
            app.client.get(app.url(&format!("/api/v1/desk/reports?limit=100&{query}"))).bearer_auth(&me.token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let mut compared = 0;
    for filter in [
        "",
        "category=spelling",
        "category=factual_error",
        "severity=normal",
        "severity=legal",
        "assignee=me",
        "assignee=unassigned",
        "section=World",
        "section=Sport",
        "overdue=true",
        "overdue=false",
        "category=spelling&assignee=me",
        "section=World&overdue=true&severity=normal",
    ] {
        let page = get(filter.to_owned()).await;
        let items = page["items"].as_array().unwrap();
        for count in page["counts"].as_array().unwrap() {
            let status = count["status"].as_str().unwrap();
            let listed = items.iter().filter(|i| i["status"] == status).count() as i64;
            assert_eq!(count["count"].as_i64().unwrap(), listed, "{filter:?}: {status}");
            compared += listed;
        }
    }
    assert!(compared > 20, "the filters matched reports: {compared}");
    app.deliver_mail().await;
}

/// Reading the desk writes nothing: a session's and an API token's last use are written at
/// most once a minute, so pages do not all take the single writer.
async fn signed_in_reads_write_at_most_once_a_minute(backend: Backend) {
    use corrigenda::db::schema::{api_tokens, sessions};
    use diesel::prelude::*;
    let app = TestApp::spawn(backend).await;
    let erin = app.user(Role::Editor);
    let browser = app.signed_in(&erin).await;
    let seen = || {
        app.db
            .read_blocking(|c| {
                let session: chrono::NaiveDateTime = sessions::table.select(sessions::last_seen_at).first(c)?;
                let token: Option<chrono::NaiveDateTime> = api_tokens::table
                    .inner_join(corrigenda::db::schema::users::table)
                    .filter(corrigenda::db::schema::users::email.eq(&erin.email))
                    .select(api_tokens::last_used_at)
                    .first(c)?;
                Ok((session, token))
            })
            .unwrap()
    };
    let api = |path: &str| app.client.get(app.url(path)).bearer_auth(&erin.token).send();
    assert_eq!(api("/api/v1/desk/reports").await.unwrap().status(), 200);
    let first = seen();
    assert!(first.1.is_some(), "the token's first use is written");
    app.clock.advance(Duration::seconds(30));
    for _ in 0..3 {
        assert_eq!(browser.get(app.url("/desk")).send().await.unwrap().status(), 200);
        assert_eq!(api("/api/v1/desk/reports").await.unwrap().status(), 200);
    }
    assert_eq!(seen(), first, "reads within a minute write nothing");
    app.clock.advance(Duration::seconds(61));
    assert_eq!(browser.get(app.url("/desk")).send().await.unwrap().status(), 200);
    assert_eq!(api("/api/v1/desk/reports").await.unwrap().status(), 200);
    let later = seen();
    assert!(later.0 > first.0 && later.1 > first.1, "a minute later the use is written: {first:?} -> {later:?}");
}

/// The ids in a queue page, in order.
fn ids_of(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

async fn the_queue_has_views_with_counts_and_ignores_unknown_parameters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let me = app.user(Role::Editor);
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(app.filed().await.0);
    }
    app.deliver_mail().await;
    // 0 new (unassigned), 1 mine in review, 2 waiting on the reader, 3 rejected, 4 corrected.
    let standards = app.user(Role::StandardsEditor);
    for (id, status) in ids[1..].iter().zip(["in_review", "needs_info", "rejected", "corrected"]) {
        app.reach(*id, status, &standards.actor);
    }
    app.deliver_mail().await;
    let version = app.state_of(ids[1]).1;
    let assigned = app
        .client
        .post(app.url(&format!("/api/v1/desk/reports/{}/assignment", ids[1])))
        .bearer_auth(&me.token)
        .json(&json!({ "assignee_email": me.email, "version": version }))
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.status(), 200);
    let get = |query: String| {
        let (client, url, token) =
            (app.client.clone(), app.url(&format!("/api/v1/desk/reports?{query}")), me.token.clone());
        async move {
            let response = client.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    // No desk is described: "my desks" holds nothing.
    let expected = [
        ("my_desks", vec![]),
        ("open", vec![ids[0], ids[1], ids[2]]),
        ("mine", vec![ids[1]]),
        ("unassigned", vec![ids[0], ids[2]]),
        ("waiting", vec![ids[2]]),
        ("closed", vec![ids[3], ids[4]]),
        ("all", ids.clone()),
    ];
    for (view, want) in &expected {
        let page = get(format!("view={view}&sort=age&utm_source=newsletter")).await;
        assert_eq!(&ids_of(&page), want, "view {view}");
        let counts: Vec<(String, i64)> = page["views"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["view"].as_str().unwrap().to_owned(), c["count"].as_i64().unwrap()))
            .collect();
        let wanted: Vec<(String, i64)> = expected.iter().map(|(v, ids)| ((*v).to_owned(), ids.len() as i64)).collect();
        assert_eq!(counts, wanted, "every tab's count, whatever the view");
    }
    // The API without a view lists everything, as before; a status filter narrows a view.
    assert_eq!(ids_of(&get("sort=age".into()).await), ids);
    assert_eq!(ids_of(&get("view=open&status=needs_info&sort=age".into()).await), vec![ids[2]]);
    assert_eq!(ids_of(&get("view=closed&status=new".into()).await), Vec::<i64>::new());
    // The desk opens on open work; closed tickets show their outcome, not a deadline.
    let browser = app.signed_in(&me).await;
    let page = browser.get(app.url("/desk?utm_campaign=x")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for id in &ids[..3] {
        assert!(html.contains(&format!("href=\"/desk/reports/{id}\"")), "open #{id} listed");
    }
    for id in &ids[3..] {
        assert!(!html.contains(&format!("href=\"/desk/reports/{id}\"")), "closed #{id} not listed by default");
    }
    assert!(html.contains("aria-current=\"page\">Open <span class=\"count\">3</span>"), "{html}");
    assert!(html.contains("due in "));
    let closed = browser.get(app.url("/desk?view=closed")).send().await.unwrap().text().await.unwrap();
    assert_eq!(closed.matches("<span class=\"muted\">Closed</span>").count(), 2);
    assert!(!closed.contains("due in ") && !closed.contains(" overdue<"));
}

async fn a_readers_answer_is_marked_until_an_editor_opens_the_ticket(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let me = app.user(Role::Editor);
    let (id, token) = app.filed().await;
    let assigned = app
        .client
        .post(app.url(&format!("/api/v1/desk/reports/{id}/assignment")))
        .bearer_auth(&me.token)
        .json(&json!({ "assignee_email": me.email, "version": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.status(), 200);
    let moved =
        app.move_report(&me.token, id, json!({ "to": "needs_info", "reason": "Which figure?", "version": 2 })).await;
    assert_eq!(moved.status(), 200);
    app.deliver_mail().await;
    let replied_flag = || {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/desk/reports?view=all"), app.token.clone());
        async move {
            let page: Value = client.get(url).bearer_auth(token).send().await.unwrap().json().await.unwrap();
            page["items"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap()["reader_replied"].clone()
        }
    };
    assert_eq!(replied_flag().await, json!(false));
    let answered = app
        .client
        .post(app.url(&format!("/api/v1/reports/{token}/replies")))
        .json(&json!({ "body": "The 12,000 figure." }))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 200);
    assert_eq!(replied_flag().await, json!(true));
    let rows = app.outbox_rows_with_recipients();
    assert!(
        rows.iter().any(|(kind, to)| kind == "reader_replied" && *to == me.email),
        "the assignee is told: {rows:?}"
    );
    let queue = app.signed_in(&me).await.get(app.url("/desk")).send().await.unwrap().text().await.unwrap();
    assert!(queue.contains("Reader replied"));
    // An auditor reading the ticket does not clear it; an editor opening it does.
    let auditor = app.user(Role::Auditor);
    let read = app
        .client
        .get(app.url(&format!("/api/v1/desk/reports/{id}")))
        .bearer_auth(&auditor.token)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(replied_flag().await, json!(true));
    let opened = app.signed_in(&me).await.get(app.url(&format!("/desk/reports/{id}"))).send().await.unwrap();
    assert_eq!(opened.status(), 200);
    assert_eq!(replied_flag().await, json!(false));
    app.deliver_mail().await;
}

async fn the_queue_searches_headlines_passages_numbers_and_for_editors_addresses(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.user(Role::Editor);
    put_budget_and_kursk(&app).await;
    let on_budget = report_json();
    let filed: Value = app.file_report("budget", &on_budget).await.json().await.unwrap();
    assert!(filed["token"].is_string(), "{filed}");
    let mut troops = report_json();
    troops["explanation"] = json!("The Pentagon's estimate was lower than the article's figure.");
    troops["reporter_email"] = json!("Grace@Example.org");
    app.file_report("kursk", &troops).await;
    app.deliver_mail().await;
    let ids: Vec<i64> = {
        let page = search(&app, &editor.token, "view=all&sort=age").await;
        ids_of(&page)
    };
    let (budget_id, troops_id) = (ids[0], ids[1]);
    for (q, want) in [
        ("budget", vec![budget_id]),
        ("BUDG", vec![budget_id]),
        ("council library", vec![budget_id]),
        // The last word may be the start of one; the others are whole words.
        ("council lib", vec![budget_id]),
        ("lib council", vec![]),
        ("council troops", vec![]),
        ("pentagon", vec![troops_id]),
        ("estimate lower", vec![troops_id]),
        ("four-year", vec![budget_id, troops_id]),
        ("grace@example.org", vec![troops_id]),
        ("Grace@Example.org", vec![troops_id]),
        ("zebra", vec![]),
        ("' OR 1=1 --", vec![]),
        ("\"unbalanced", vec![]),
    ] {
        let query = format!("view=all&sort=age&q={}", urlencoding(q));
        assert_eq!(ids_of(&search(&app, &editor.token, &query).await), want, "q={q}");
    }
    let by_number = format!("view=all&q=%23{troops_id}");
    assert_eq!(ids_of(&search(&app, &editor.token, &by_number).await), vec![troops_id]);
    // Counts follow the search.
    let page = search(&app, &editor.token, "view=all&q=pentagon").await;
    let total: i64 = page["counts"].as_array().unwrap().iter().map(|c| c["count"].as_i64().unwrap()).sum();
    assert_eq!(total, 1);
    assert_eq!(page["counts_capped"], json!(false));
    assert_eq!(page["views"], json!([]), "a search's tabs go without counts");
    let address_only = "view=all&q=nobody%40example.org";
    assert!(ids_of(&search(&app, &editor.token, address_only).await).is_empty());
    // A search too long is refused naming q; the desk page keeps what was typed.
    let long = "x".repeat(201);
    let refused = app
        .client
        .get(app.url(&format!("/api/v1/desk/reports?q={long}")))
        .bearer_auth(&editor.token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"]["field"], "q");
    let page = app.signed_in(&editor).await.get(app.url("/desk?q=budget")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("value=\"budget\""));
    assert!(page.contains(&format!("href=\"/desk/reports/{budget_id}\"")));
    assert!(!page.contains(&format!("href=\"/desk/reports/{troops_id}\"")));
}

/// More matches than a search gathers (`GATHER_MAX`): the queue then reads its index in order
/// and tests each ticket. Paging through every match finds each once, in order, through the
/// passage's words and through the headline's, and the counts say they are lower bounds.
async fn a_search_of_many_matches_reads_them_in_order_page_by_page(backend: Backend) {
    use corrigenda::domain::desk::{COUNT_CAP, GATHER_MAX};
    let app = TestApp::spawn(backend).await;
    let editor = app.user(Role::Editor);
    put_budget_and_kursk(&app).await;
    let mut first = report_json();
    first["explanation"] = json!("The harbour figure is wrong.");
    let filed: Value = app.file_report("budget", &first).await.json().await.unwrap();
    assert!(filed["token"].is_string(), "{filed}");
    let mut other = report_json();
    other["explanation"] = json!("The harbour opened later.");
    app.file_report("kursk", &other).await;
    app.deliver_mail().await;
    let ids = ids_of(&search(&app, &editor.token, "view=all&sort=age").await);
    let (original, on_kursk) = (ids[0], ids[1]);
    // Copies of the first report, each due a minute after the one before, and every tenth closed.
    let copies = GATHER_MAX + 100;
    let later = match backend {
        // Whole seconds, written as the server writes a time with no fraction: a fraction of
        // `.000` would not compare equal to the same instant in a cursor.
        Backend::Sqlite => "strftime('%Y-%m-%d %H:%M:%S', r.deadline_at, '+' || n.i || ' minutes')",
        Backend::Postgres => "r.deadline_at + n.i * interval '1 minute'",
    };
    let sql = format!(
        "INSERT INTO reports (article_id, token_hash, category, quote, explanation, evidence_urls, reporter_name, \
         reporter_email, status, severity, deadline_at, assignee_id, duplicate_of, version, created_at, updated_at, \
         severity_rank, quote_start, quote_end) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {copies}) \
         SELECT r.article_id, r.token_hash || '-' || n.i, r.category, r.quote, r.explanation, r.evidence_urls, \
         r.reporter_name, r.reporter_email, CASE WHEN n.i % 10 = 0 THEN 'no_change' ELSE r.status END, r.severity, \
         {later}, r.assignee_id, r.duplicate_of, r.version, r.created_at, r.updated_at, r.severity_rank, \
         r.quote_start, r.quote_end FROM reports r, n WHERE r.id = {original}"
    );
    app.db
        .write_blocking(move |c| {
            if let corrigenda::db::DbConnection::Postgres(_) = c {
                // Test data in bulk, each row counted by the figures' triggers: more than a
                // request's time limit on a busy machine.
                diesel::RunQueryDsl::execute(diesel::sql_query("SET LOCAL statement_timeout = 0"), c)?;
            }
            diesel::RunQueryDsl::execute(diesel::sql_query(sql), c)?;
            Ok(())
        })
        .unwrap();
    let pages = |query: String| {
        let app = &app;
        let token = editor.token.clone();
        async move {
            let (mut all, mut cursor, mut pages) = (Vec::new(), None::<String>, 0);
            loop {
                let mut url = format!("{query}&limit=100");
                if let Some(c) = &cursor {
                    url.push_str(&format!("&cursor={c}"));
                }
                let page = search(app, &token, &url).await;
                let items = page["items"].as_array().unwrap().clone();
                assert!(items.len() <= 100, "{query}: {} rows on a page", items.len());
                if pages == 0 {
                    assert_eq!(page["counts_capped"], json!(true), "{query}");
                    let counted: i64 =
                        page["counts"].as_array().unwrap().iter().map(|c| c["count"].as_i64().unwrap()).sum();
                    assert_eq!(counted, COUNT_CAP, "{query}: the counts stop at the cap, as lower bounds");
                }
                all.extend(items);
                pages += 1;
                cursor = page["next"].as_str().map(str::to_owned);
                if cursor.is_none() {
                    return all;
                }
            }
        }
    };
    // A word of the passage: every report, open and closed, by deadline.
    let found = pages("view=all&q=harbour".to_owned()).await;
    let mut seen: Vec<i64> = found.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(seen.len() as i64, copies + 2, "each match once");
    let deadlines: Vec<&str> = found.iter().map(|i| i["deadline_at"].as_str().unwrap()).collect();
    assert!(deadlines.windows(2).all(|w| w[0] <= w[1]), "in deadline order");
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len() as i64, copies + 2, "no repeats");
    assert!(seen.contains(&original) && seen.contains(&on_kursk));
    // A word of the headline alone, in the open view: the copies not closed and the first report.
    let open = pages("view=open&q=library".to_owned()).await;
    assert_eq!(open.len() as i64, copies - copies / 10 + 1);
    assert!(open.iter().all(|i| i["status"] == "new" && i["article_id"] == "budget"));
    assert!(!open.iter().any(|i| i["id"] == on_kursk));
    // Two words of the passage, by severity: the copies and the first report, not the other.
    let both = pages("view=all&sort=severity&q=harbour%20figure".to_owned()).await;
    assert_eq!(both.len() as i64, copies + 1);
    assert!(!both.iter().any(|i| i["id"] == on_kursk));
}

/// Registers the article "budget" (headline "Council approves the library budget", text unknown)
/// and the test article "kursk".
async fn put_budget_and_kursk(app: &TestApp) {
    let mut budget = article_json();
    budget["title"] = json!("Council approves the library budget");
    budget["url"] = json!("https://news.example/local/budget");
    budget.as_object_mut().unwrap().remove("text");
    assert!(app.put_article("budget", &budget).await.status().is_success());
    app.article().await;
}

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let response =
        app.client.get(app.url(&format!("/api/v1/desk/reports?{query}"))).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn urlencoding(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}

async fn bulk_actions_move_each_ticket_with_its_own_version_check(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let me = app.user(Role::Editor);
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(app.filed().await.0);
    }
    app.deliver_mail().await;
    let bulk = |body: Value| {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/desk/reports/bulk"), me.token.clone());
        async move { client.post(url).bearer_auth(token).json(&body).send().await.unwrap() }
    };
    // Someone moves the third ticket after the list was read: it is refused, the others move.
    let stale = app.move_report(&me.token, ids[2], json!({ "to": "triaged", "version": 1 })).await;
    assert_eq!(stale.status(), 200);
    let versions: serde_json::Map<String, Value> = ids.iter().map(|id| (id.to_string(), json!(1))).collect();
    let response = bulk(json!({
        "ids": ids, "action": "rejected", "reason": "Outside our standards: opinion, not fact.", "versions": versions,
    }))
    .await;
    assert_eq!(response.status(), 200);
    let results: Value = response.json().await.unwrap();
    let results = results["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for (result, id) in results.iter().zip(&ids) {
        assert_eq!(result["id"], json!(id));
        if *id == ids[2] {
            assert_eq!(result["ok"], json!(false));
            assert!(result["error"].as_str().unwrap().contains("was changed by"), "{result}");
        } else {
            assert_eq!(result["ok"], json!(true), "{result}");
            assert!(result.get("error").is_none());
        }
    }
    for id in &ids {
        let want = if *id == ids[2] { "triaged" } else { "rejected" };
        assert_eq!(app.state_of(*id).0, want, "#{id}");
    }
    assert_eq!(app.deliver_mail().await, 3, "each closed reader is told once");
    // Without versions the current one is used; what the workflow refuses is said per ticket.
    let response = bulk(json!({ "ids": [ids[0], ids[2]], "action": "severity", "severity": "high" })).await;
    let results: Value = response.json().await.unwrap();
    assert_eq!(results["results"][0]["ok"], json!(true));
    assert_eq!(results["results"][1]["ok"], json!(true));
    let response = bulk(json!({ "ids": [ids[0], ids[2], 999_999], "action": "duplicate", "duplicate_of": ids[1], "reason": "Same passage." })).await;
    let results: Value = response.json().await.unwrap();
    assert_eq!(results["results"][0]["ok"], json!(false), "a rejected report cannot become a duplicate");
    assert_eq!(results["results"][1]["ok"], json!(true));
    assert_eq!(results["results"][2]["error"], json!("no report has the number 999999"));
    // The request as a whole: named fields.
    for (body, field) in [
        (json!({ "ids": [], "action": "assign" }), "ids"),
        (json!({ "ids": [ids[0]], "action": "rejected" }), "reason"),
        (json!({ "ids": [ids[0]], "action": "duplicate", "reason": "x" }), "duplicate_of"),
        (json!({ "ids": [ids[0]], "action": "explode" }), "action"),
    ] {
        let response = bulk(body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(response.json::<Value>().await.unwrap()["error"]["field"], field, "{body}");
    }
    // Auditors may not.
    let auditor = app.user(Role::Auditor);
    let refused = app
        .client
        .post(app.url("/api/v1/desk/reports/bulk"))
        .bearer_auth(&auditor.token)
        .json(&json!({ "ids": [ids[3]], "action": "assign", "assignee_email": me.email }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    // The desk's form does the same, with the versions it listed.
    let browser = app.signed_in(&me).await;
    let page = browser.get(app.url("/desk?view=all")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&page);
    let version_field = format!("version-{}", ids[3]);
    let listed = app.state_of(ids[3]).1.to_string();
    assert!(page.contains(&format!("name=\"{version_field}\" value=\"{listed}\"")));
    let form = [
        ("csrf", csrf.as_str()),
        ("ids", &ids[3].to_string()),
        (version_field.as_str(), listed.as_str()),
        ("action", "assign"),
        ("assignee_email", me.email.as_str()),
        ("new_severity", "normal"),
        ("duplicate_of", ""),
        ("reason", ""),
    ];
    let done = browser.post(app.url("/desk/bulk")).form(&form).send().await.unwrap();
    assert_eq!(done.status(), 200);
    let html = done.text().await.unwrap();
    assert!(html.contains("1 changed, 0 refused."), "{html}");
    let again = browser.post(app.url("/desk/bulk")).form(&form).send().await.unwrap();
    let html = again.text().await.unwrap();
    assert!(html.contains("0 changed, 1 refused.") && html.contains("not changed: report #"), "{html}");
    let none = browser
        .post(app.url("/desk/bulk"))
        .form(&[("csrf", csrf.as_str()), ("action", "assign")])
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 422);
    assert!(none.text().await.unwrap().contains("Choose at least one report"));
    let bad = browser
        .post(app.url("/desk/bulk"))
        .form(&[("csrf", csrf.as_str()), ("ids", "abc"), ("action", "assign")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("Ids must be a report number, not &quot;abc&quot;"));
    app.deliver_mail().await;
}
