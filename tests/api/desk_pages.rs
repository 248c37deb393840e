//! Desks in the browser and on the command line: the desks page (standards editors add, change
//! and remove desks by form; editors mark themselves away and back), the queue's desk filter
//! and default view, the ticket's move form, and `corrigenda desk add | list | remove`.

use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{csrf_in, Backend, TestApp, TestUser};

both_backends!(
    standards_editors_add_change_and_remove_desks_by_form,
    a_bad_member_or_category_is_named_beside_its_field,
    editors_read_the_desks_and_mark_themselves_away_and_back,
    the_queue_opens_on_my_desks_for_members_and_on_open_for_others,
    the_queue_filters_by_desk_and_keeps_the_filter_in_its_links,
    the_ticket_moves_a_report_and_refuses_a_missing_reason,
    the_command_line_adds_lists_and_removes_desks,
);

async fn page(browser: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let response = browser.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn post(browser: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    browser.post(app.url(path)).form(form).send().await.unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Creates (or replaces) desk `slug` through the API as `standards`.
async fn put_desk(app: &TestApp, standards: &TestUser, slug: &str, body: Value) {
    let response = app
        .client
        .put(app.url(&format!("/api/v1/desk/desks/{slug}")))
        .bearer_auth(&standards.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
}

async fn desk_json(app: &TestApp, slug: &str) -> Value {
    app.get_as(&app.token, &format!("/api/v1/desk/desks/{slug}")).await
}

/// The ticket's desk slug as the API gives it.
async fn desk_of(app: &TestApp, id: i64) -> Value {
    app.get_as(&app.token, &format!("/api/v1/desk/reports/{id}")).await["desk"].clone()
}

async fn standards_editors_add_change_and_remove_desks_by_form(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let (standards, editor) = (app.user(Role::StandardsEditor), app.user(Role::Editor));
    let browser = app.signed_in(&standards).await;
    let (status, html) = page(&browser, &app, "/desk/desks").await;
    assert_eq!(status, 200);
    assert!(html.contains("No desks yet") && html.contains("Add a desk"), "{html}");
    let csrf = csrf_in(&html);

    let added = post(
        &browser,
        &app,
        "/desk/desks",
        &[
            ("csrf", &csrf),
            ("slug", "world"),
            ("name", "World"),
            ("members", &editor.email),
            ("lead", &editor.email),
            ("sections", "World, Europe"),
            ("categories", "factual_error"),
            ("categories", "misquote"),
            ("assignment", "round_robin"),
            ("position", ""),
        ],
    )
    .await;
    assert_eq!(added.status(), 303);
    assert_eq!(location(&added), "/desk/desks?done=added&desk=world#desk-world");
    let desk = desk_json(&app, "world").await;
    assert_eq!(desk["members"][0]["email"], json!(editor.email));
    assert_eq!(desk["lead"], json!(editor.email));
    assert_eq!(desk["sections"], json!(["World", "Europe"]));
    assert_eq!(desk["categories"], json!(["factual_error", "misquote"]));
    assert_eq!(desk["severities"], json!([]));
    assert_eq!(desk["assignment"], json!("round_robin"));
    let (_, html) = page(&browser, &app, "/desk/desks?done=added&desk=world").await;
    assert!(html.contains("The World desk was added: new reports its rules take go to it."), "{html}");
    assert!(html.contains("<dt>Takes</dt><dd>World, Europe \u{b7} factual error, misquote \u{b7} any severity</dd>"));
    assert!(html.contains("<a href=\"/desk?desk=world\">0<span"));

    // A report its rules take goes to it and to its one member; the change form drops that member.
    let id = app.file_directly();
    assert_eq!(desk_of(&app, id).await, json!("world"));
    let changed = post(
        &browser,
        &app,
        "/desk/desks/world",
        &[("csrf", &csrf), ("name", "World news"), ("sections", "World"), ("assignment", "none")],
    )
    .await;
    assert_eq!(changed.status(), 303);
    assert_eq!(location(&changed), format!("/desk/desks?done=saved&desk=world&affected={id}#desk-world"));
    let (_, html) = page(&browser, &app, &location(&changed)).await;
    assert!(html.contains("The World news desk was saved."), "{html}");
    assert!(html.contains(&format!("Report #{id} is now on the World news desk, unassigned.")), "{html}");
    assert_eq!(desk_json(&app, "world").await["members"], json!([]));

    // Removed: its open report goes back to routing, here to the general queue.
    let removed = post(&browser, &app, "/desk/desks/world/delete", &[("csrf", &csrf)]).await;
    assert_eq!(removed.status(), 303);
    assert_eq!(location(&removed), format!("/desk/desks?done=removed&desk=world&affected={id}"));
    let (_, html) = page(&browser, &app, &location(&removed)).await;
    assert!(html.contains("The desk world was removed."), "{html}");
    assert!(html.contains(&format!("Report #{id} is now in the general queue, unassigned.")), "{html}");
    assert_eq!(desk_of(&app, id).await, Value::Null);
    let gone = post(&browser, &app, "/desk/desks/world", &[("csrf", &csrf), ("name", "World")]).await;
    assert_eq!(gone.status(), 404, "a change form never brings a removed desk back");
    app.deliver_mail().await;
}

async fn a_bad_member_or_category_is_named_beside_its_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (standards, auditor) = (app.user(Role::StandardsEditor), app.user(Role::Auditor));
    let browser = app.signed_in(&standards).await;
    let csrf = csrf_in(&page(&browser, &app, "/desk/desks").await.1);
    let refused = post(
        &browser,
        &app,
        "/desk/desks",
        &[
            ("csrf", &csrf),
            ("slug", "sport"),
            ("name", "Sport"),
            ("members", "nobody@news.example"),
            ("members", &auditor.email),
            ("categories", "gossip"),
        ],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("<title>Error: Desks"), "{html}");
    assert!(
        html.contains("<a href=\"#field-members\">Members: no editor has the email nobody@news.example.</a>"),
        "{html}"
    );
    assert!(html.contains(&format!("Members: {} is not an active editor.", auditor.email)), "{html}");
    assert!(html.contains("id=\"error-members\"") && html.contains("id=\"error-categories\""), "{html}");
    assert!(html.contains("Kinds of error: &quot;gossip&quot; is not a category"), "{html}");
    assert!(html.contains("value=\"sport\""), "what was typed is kept");
    assert_eq!(app.get_as(&app.token, "/api/v1/desk/desks").await["items"], json!([]));

    put_desk(&app, &standards, "sport", json!({"name": "Sport"})).await;
    let refused = post(
        &browser,
        &app,
        "/desk/desks/sport",
        &[("csrf", &csrf), ("name", "Sport"), ("severities", "urgent"), ("position", "first")],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains(
            "<a href=\"#field-position-sport\">Place in the rule order must be a whole number, 1 or more.</a>"
        ),
        "{html}"
    );
    let refused =
        post(&browser, &app, "/desk/desks/sport", &[("csrf", &csrf), ("name", "Sport"), ("severities", "urgent")])
            .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("<a href=\"#field-severities-sport\">Severities: &quot;urgent&quot; is not a severity"),
        "{html}"
    );
    assert!(html.contains("<details class=\"stop-form\" open>"), "the refused desk's form is open");
    let taken =
        post(&browser, &app, "/desk/desks", &[("csrf", &csrf), ("slug", "sport"), ("name", "Sport again")]).await;
    assert_eq!(taken.status(), 422, "the add form never replaces a desk");
    assert!(taken
        .text()
        .await
        .unwrap()
        .contains("<a href=\"#field-slug\">Slug: the Sport desk already has the slug &quot;sport&quot;: change it with its own form.</a>"));
    assert_eq!(desk_json(&app, "sport").await["name"], json!("Sport"));
    let bad_slug = post(
        &browser,
        &app,
        "/desk/desks",
        &[("csrf", &csrf), ("slug", "Sport Desk"), ("name", "S"), ("members", "nobody@news.example")],
    )
    .await;
    assert_eq!(bad_slug.status(), 422);
    let html = bad_slug.text().await.unwrap();
    assert!(html.contains("<a href=\"#field-slug\">Slug: &quot;Sport Desk&quot; is not a desk slug"), "{html}");
    assert!(html.contains("Members: no editor has the email nobody@news.example."), "every error at once: {html}");
}

async fn editors_read_the_desks_and_mark_themselves_away_and_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (standards, editor, auditor) =
        (app.user(Role::StandardsEditor), app.user(Role::Editor), app.user(Role::Auditor));
    put_desk(&app, &standards, "world", json!({"name": "World", "members": [editor.email], "lead": standards.email}))
        .await;
    let browser = app.signed_in(&editor).await;
    let (status, html) = page(&browser, &app, "/desk/desks").await;
    assert_eq!(status, 200);
    assert!(!html.contains("action=\"/desk/desks"), "editors read the desks: {html}");
    assert!(html.contains("You are available") && html.contains("I am away"));
    let csrf = csrf_in(&html);
    let away = post(&browser, &app, "/desk/me/availability", &[("csrf", &csrf), ("away", "true")]).await;
    assert_eq!((away.status().as_u16(), location(&away)), (303, "/desk/desks?done=away".to_owned()));
    let (_, html) = page(&browser, &app, "/desk/desks?done=away").await;
    assert!(html.contains("You are marked away: desks skip you when they assign new reports."), "{html}");
    assert!(html.contains("<span class=\"badge badge-away\">Away</span>") && html.contains("I am back"));
    assert_eq!(desk_json(&app, "world").await["members"][0]["away"], json!(true));
    let refused = post(&browser, &app, "/desk/desks", &[("csrf", &csrf), ("slug", "x"), ("name", "X")]).await;
    assert_eq!(refused.status(), 403);
    let back = post(&browser, &app, "/desk/me/availability", &[("csrf", &csrf), ("away", "false")]).await;
    assert_eq!(location(&back), "/desk/desks?done=back");
    assert_eq!(desk_json(&app, "world").await["members"][0]["away"], json!(false));
    let bad = post(&browser, &app, "/desk/me/availability", &[("csrf", &csrf), ("away", "maybe")]).await;
    assert_eq!(bad.status(), 422);

    let browser = app.signed_in(&auditor).await;
    let (status, html) = page(&browser, &app, "/desk/desks").await;
    assert_eq!(status, 200);
    assert!(html.contains("World") && !html.contains("/desk/me/availability"), "auditors only read: {html}");
}

async fn the_queue_opens_on_my_desks_for_members_and_on_open_for_others(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let (standards, member, other) = (app.user(Role::StandardsEditor), app.user(Role::Editor), app.user(Role::Editor));
    put_desk(&app, &standards, "world", json!({"name": "World", "members": [member.email]})).await;
    let id = app.file_directly();
    let (status, html) = page(&app.signed_in(&member).await, &app, "/desk").await;
    assert_eq!(status, 200);
    assert!(html.contains("aria-current=\"page\">My desks"), "{html}");
    assert!(html.contains(&format!("href=\"/desk/reports/{id}\"")));
    assert!(html.contains("<td data-label=\"Desk\">World</td>"), "{html}");
    let (_, html) = page(&app.signed_in(&member).await, &app, "/desk?status=new").await;
    assert!(!html.contains("aria-current=\"page\">My desks"), "a status asked for is kept");
    let (_, html) = page(&app.signed_in(&other).await, &app, "/desk").await;
    assert!(html.contains("aria-current=\"page\">Open"), "{html}");
    assert!(html.contains(&format!("href=\"/desk/reports/{id}\"")));
}

async fn the_queue_filters_by_desk_and_keeps_the_filter_in_its_links(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let (standards, editor) = (app.user(Role::StandardsEditor), app.user(Role::Editor));
    put_desk(&app, &standards, "world", json!({"name": "World"})).await;
    let (on_desk, moved) = (app.file_directly(), app.file_directly());
    let (_, version) = app.state_of(moved);
    let body = json!({"desk": null, "reason": "Not a world story", "version": version});
    let response = app
        .client
        .post(app.url(&format!("/api/v1/desk/reports/{moved}/desk")))
        .bearer_auth(&editor.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

    let browser = app.signed_in(&editor).await;
    let (status, html) = page(&browser, &app, "/desk?desk=world").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("href=\"/desk/reports/{on_desk}\""))
            && !html.contains(&format!("href=\"/desk/reports/{moved}\""))
    );
    assert!(html.contains("<option value=\"world\" selected>World</option>"), "{html}");
    assert!(html.contains("<option value=\"\">Any desk</option><option value=\"mine\">My desks</option><option value=\"none\">General queue</option>"));
    assert!(html.contains("href=\"/desk?desk=world&amp;status=new\""), "the counts keep the desk: {html}");
    assert!(html.contains("href=\"/desk?desk=world&amp;view=closed\""), "so do the tabs: {html}");
    let (_, html) = page(&browser, &app, "/desk?desk=none").await;
    assert!(
        html.contains(&format!("href=\"/desk/reports/{moved}\""))
            && !html.contains(&format!("href=\"/desk/reports/{on_desk}\""))
    );
    assert!(html.contains("<td data-label=\"Desk\"><span class=\"muted\">General queue</span></td>"));
    let (status, html) = page(&browser, &app, "/desk?desk=nowhere").await;
    assert_eq!(status, 422);
    assert!(html.contains("no desk has the slug"), "{html}");
}

async fn the_ticket_moves_a_report_and_refuses_a_missing_reason(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let (standards, editor) = (app.user(Role::StandardsEditor), app.user(Role::Editor));
    put_desk(&app, &standards, "world", json!({"name": "World", "sections": ["World"]})).await;
    put_desk(&app, &standards, "europe", json!({"name": "Europe", "sections": ["Europe"]})).await;
    let id = app.file_directly();
    let browser = app.signed_in(&editor).await;
    let path = format!("/desk/reports/{id}");
    let (_, html) = page(&browser, &app, &path).await;
    assert!(html.contains("<dt>Desk</dt><dd>World</dd>"), "{html}");
    assert!(
        html.contains("<option value=\"\">General queue</option><option value=\"europe\">Europe</option>"),
        "{html}"
    );
    let csrf = csrf_in(&html);
    let (_, version) = app.state_of(id);
    let v = version.to_string();

    let refused = post(
        &browser,
        &app,
        &format!("{path}/desk"),
        &[("csrf", &csrf), ("desk", "europe"), ("reason", "  "), ("version", &v)],
    )
    .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Reason is required."));
    let stale = post(
        &browser,
        &app,
        &format!("{path}/desk"),
        &[("csrf", &csrf), ("desk", "europe"), ("reason", "Kept for later"), ("version", &(version - 1).to_string())],
    )
    .await;
    assert_eq!(stale.status(), 409);
    assert!(stale.text().await.unwrap().contains("Kept for later"), "the typed reason is kept");
    let unknown = post(
        &browser,
        &app,
        &format!("{path}/desk"),
        &[("csrf", &csrf), ("desk", "mars"), ("reason", "Far"), ("version", &v)],
    )
    .await;
    assert_eq!(unknown.status(), 422);

    let moved = post(
        &browser,
        &app,
        &format!("{path}/desk"),
        &[("csrf", &csrf), ("desk", "europe"), ("reason", "A European story"), ("version", &v)],
    )
    .await;
    assert_eq!((moved.status().as_u16(), location(&moved)), (303, format!("{path}?done=desk")));
    assert_eq!(desk_of(&app, id).await, json!("europe"));
    let (_, html) = page(&browser, &app, &format!("{path}?done=desk")).await;
    assert!(html.contains("<dt>Desk</dt><dd>Europe</dd>") && html.contains("A European story"), "{html}");
    assert!(html.contains("Moved. The timeline keeps the reason."));
    app.deliver_mail().await;
}

async fn the_command_line_adds_lists_and_removes_desks(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let editor = app.user(Role::Editor);
    let out = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
    let err = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();

    let added = app.cli(&[
        "desk",
        "add",
        "world",
        "--name",
        "World",
        "--member",
        &editor.email,
        "--section",
        "World",
        "--category",
        "factual_error",
        "--assignment",
        "round_robin",
    ]);
    assert!(added.status.success(), "{}", err(&added));
    assert_eq!(
        out(&added),
        format!(
            "Created desk world (World): place 1 in the rule order, 1 member(s) ({}), assignment round_robin\n",
            editor.email
        )
    );
    for (args, named) in [
        (
            vec!["desk", "add", "sport", "--name", "Sport", "--member", "nobody@news.example"],
            "members: no editor has the email nobody@news.example",
        ),
        (
            vec!["desk", "add", "sport", "--name", "Sport", "--severity", "urgent"],
            "severities: \"urgent\" is not a severity",
        ),
        (
            vec!["desk", "add", "sport", "--name", "Sport", "--assignment", "random"],
            "assignment: \"random\" is not an assignment mode",
        ),
        (vec!["desk", "add", "Sport", "--name", "Sport"], "slug: \"Sport\" is not a desk slug"),
        (vec!["desk", "add", "sport", "--name", " "], "name: is required"),
    ] {
        let refused = app.cli(&args);
        assert_eq!(refused.status.code(), Some(1), "{args:?}");
        assert!(err(&refused).contains(named), "{args:?}: {}", err(&refused));
    }
    let id = app.file_directly();
    assert_eq!(desk_of(&app, id).await, json!("world"));

    let list = app.cli(&["desk", "list"]);
    assert!(list.status.success());
    let lines: Vec<String> = out(&list).lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(
        lines,
        [
            "# SLUG NAME ASSIGNMENT MEMBERS OPEN RULES",
            "1 world World round_robin 1 1 World / factual_error / any severity"
        ]
    );

    let replaced = app.cli(&["desk", "add", "world", "--name", "World", "--section", "World"]);
    assert!(replaced.status.success(), "{}", err(&replaced));
    assert!(out(&replaced)
        .starts_with("Replaced desk world (World): place 1 in the rule order, 0 member(s), assignment none\n"));
    assert!(out(&replaced).contains(&format!("#{id} unassigned from ")), "{}", out(&replaced));

    let removed = app.cli(&["desk", "remove", "world"]);
    assert!(removed.status.success(), "{}", err(&removed));
    assert_eq!(
        out(&removed),
        format!("Removed desk world; 1 open report(s) went back to routing\n  #{id} returned to the general queue\n")
    );
    assert_eq!(desk_of(&app, id).await, Value::Null);
    let events = app.get_as(&app.token, &format!("/api/v1/desk/reports/{id}")).await["events"].clone();
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["kind"], &last["actor_kind"]),
        (&json!("desk_routed"), &json!("system")),
        "the command line acts as no one: {last}"
    );
    let again = app.cli(&["desk", "remove", "world"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(err(&again).contains("no desk has the slug \"world\""), "{}", err(&again));
    let empty = app.cli(&["desk", "list"]);
    assert_eq!(out(&empty), "No desks: every report goes to the general queue.\n");
    app.catch_up_with_the_system_clock();
    app.deliver_mail().await;
}
