//! Desks and routing: the rules that send each report to a desk (in order, empty lists matching
//! anything), automatic assignment (round robin skipping away members, least loaded with ties
//! to the least recently assigned), concurrent filings, moves between desks, removing a desk or
//! a member, bad input, who may manage desks, and the queue's desk filter and "my desks" view.

use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, TestApp, TestUser};

both_backends!(
    rules_are_tried_in_order_and_an_empty_list_matches_anything,
    round_robin_takes_members_in_turn_and_skips_the_away,
    least_loaded_gives_the_report_to_the_fewest_open_and_ties_to_the_least_recent,
    reports_filed_at_the_same_moment_go_to_different_members,
    an_editor_moves_a_report_to_another_desk_with_a_reason,
    a_new_severity_or_section_routes_the_report_again,
    a_removed_desk_sends_its_open_reports_back_to_routing,
    a_member_removed_from_a_desk_loses_its_open_reports_and_is_told_so,
    bad_desks_are_refused_naming_the_field_and_nothing_is_stored,
    only_standards_editors_manage_desks,
    the_queue_filters_by_desk_and_members_see_their_desks,
);

/// A server without the per-reader filing limit: these tests file many reports from one address.
async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |s| s.report_rate_limit = "0".into()).await
}

async fn send(app: &TestApp, token: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Creates or replaces a desk as `standards`, expecting `status`; returns the answer.
async fn put_desk(app: &TestApp, standards: &TestUser, slug: &str, body: Value, status: u16) -> Value {
    let (got, answer) = send(app, &standards.token, "PUT", &format!("/api/v1/desk/desks/{slug}"), Some(&body)).await;
    assert_eq!(got, status, "PUT {slug}: {answer}");
    answer
}

/// Registers an article without text (any passage may be quoted) in `section`.
async fn article(app: &TestApp, id: &str, section: &str) {
    let body = json!({
        "url": format!("https://news.example/{id}"),
        "title": format!("Story {id}"),
        "section": section,
        "authors": ["A. Writer"],
        "published_at": "2026-11-30T08:00:00Z",
    });
    let response = app.put_article(id, &body).await;
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
}

/// Files a report of `category` on `article`; returns its number.
async fn file(app: &TestApp, article: &str, category: &str) -> i64 {
    let body = json!({
        "category": category,
        "quote": "the match ended three to one",
        "explanation": "It ended two to one: the third goal was disallowed.",
        "evidence_urls": [],
    });
    let response = app.file_report(article, &body).await;
    assert_eq!(response.status().as_u16(), 201, "{}", response.text().await.unwrap());
    // The tracking token is the reader's; the desk finds the report as the newest one.
    app.state_of_last()
}

async fn ticket(app: &TestApp, id: i64) -> Value {
    app.get_as(&app.token, &format!("/api/v1/desk/reports/{id}")).await
}

/// The report's desk (slug or null) and assignee's email (or null).
async fn placed(app: &TestApp, id: i64) -> (Value, Value) {
    let t = ticket(app, id).await;
    (t["desk"].clone(), t["assignee"]["email"].clone())
}

async fn set_away(app: &TestApp, user: &TestUser, away: bool) {
    let (status, body) =
        send(app, &user.token, "POST", "/api/v1/desk/me/availability", Some(&json!({ "away": away }))).await;
    assert_eq!((status, body), (200, json!({ "away": away })));
}

fn desk(members: &[&TestUser], assignment: &str) -> Value {
    json!({
        "name": "Sport",
        "members": members.iter().map(|m| m.email.clone()).collect::<Vec<_>>(),
        "assignment": assignment,
    })
}

/// The kinds of the ticket's events, in order, with the actor kind.
fn event_kinds(t: &Value) -> Vec<(String, String)> {
    t["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap().to_owned(), e["actor_kind"].as_str().unwrap().to_owned()))
        .collect()
}

async fn rules_are_tried_in_order_and_an_empty_list_matches_anything(backend: Backend) {
    let app = spawn(backend).await;
    let standards = app.user(Role::StandardsEditor);
    article(&app, "match", "Sport").await;
    article(&app, "budget", "Business").await;
    article(&app, "summit", "World").await;
    // Legal and high first, then sport (any category), then misquotes anywhere; World has no desk.
    put_desk(
        &app,
        &standards,
        "urgent",
        json!({"name": "Urgent", "severities": ["legal", "high"], "sections": ["sport", "business"]}),
        201,
    )
    .await;
    put_desk(&app, &standards, "sport", json!({"name": "Sport", "sections": ["SPORT"]}), 201).await;
    put_desk(
        &app,
        &standards,
        "misquotes",
        json!({"name": "Misquotes", "categories": ["misquote", "misattribution"]}),
        201,
    )
    .await;

    let (status, list) = send(&app, &app.token, "GET", "/api/v1/desk/desks", None).await;
    assert_eq!(status, 200);
    let order: Vec<(&str, i64)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["slug"].as_str().unwrap(), d["position"].as_i64().unwrap()))
        .collect();
    assert_eq!(order, [("urgent", 1), ("sport", 2), ("misquotes", 3)]);

    // A misquote starts high: on sport it is the urgent desk's, on World the misquote desk's.
    let sport_misquote = file(&app, "match", "misquote").await;
    let sport_typo = file(&app, "match", "spelling").await;
    let world_misquote = file(&app, "summit", "misquote").await;
    let world_error = file(&app, "summit", "factual_error").await;
    let business_error = file(&app, "budget", "factual_error").await;
    assert_eq!(placed(&app, sport_misquote).await.0, json!("urgent"));
    assert_eq!(placed(&app, sport_typo).await.0, json!("sport"), "sections compare without regard to case");
    assert_eq!(placed(&app, world_misquote).await.0, json!("misquotes"));
    assert_eq!(placed(&app, world_error).await.0, Value::Null, "no desk matches: the general queue");
    assert_eq!(placed(&app, business_error).await.0, Value::Null);

    // Routing is on the ticket's timeline, done by the system, not shown to the reader.
    let t = ticket(&app, sport_typo).await;
    assert_eq!(event_kinds(&t), [("report_filed".into(), "reader".into()), ("desk_routed".into(), "system".into())]);
    assert_eq!(t["events"][1]["public"], json!(false));
    assert_eq!(t["events"][1]["payload"]["to"], json!("sport"));

    // Moving the misquote desk first takes sport's misquotes from the urgent desk from now on.
    put_desk(
        &app,
        &standards,
        "misquotes",
        json!({"name": "Misquotes", "categories": ["misquote"], "position": 1}),
        200,
    )
    .await;
    assert_eq!(placed(&app, file(&app, "match", "misquote").await).await.0, json!("misquotes"));
    assert_eq!(placed(&app, sport_misquote).await.0, json!("urgent"), "filed reports stay where they were routed");
    let (_, list) = send(&app, &app.token, "GET", "/api/v1/desk/desks", None).await;
    let order: Vec<&str> = list["items"].as_array().unwrap().iter().map(|d| d["slug"].as_str().unwrap()).collect();
    assert_eq!(order, ["misquotes", "urgent", "sport"]);
    app.deliver_mail().await;
}

async fn round_robin_takes_members_in_turn_and_skips_the_away(backend: Backend) {
    let app = spawn(backend).await;
    let standards = app.user(Role::StandardsEditor);
    let (a, b, c) = (app.user(Role::Editor), app.user(Role::Editor), app.user(Role::Editor));
    article(&app, "match", "Sport").await;
    put_desk(&app, &standards, "sport", desk(&[&a, &b, &c], "round_robin"), 201).await;
    set_away(&app, &b, true).await;

    let mut assignees = Vec::new();
    for _ in 0..4 {
        let id = file(&app, "match", "factual_error").await;
        assignees.push(placed(&app, id).await.1);
    }
    let (ea, ec) = (json!(a.email), json!(c.email));
    assert_eq!(assignees, [ea.clone(), ec.clone(), ea.clone(), ec.clone()], "b is away and skipped");

    // Back: b, who has had no turn, is next; then the turn goes on.
    set_away(&app, &b, false).await;
    let next = file(&app, "match", "factual_error").await;
    assert_eq!(placed(&app, next).await.1, json!(b.email));
    let after = file(&app, "match", "factual_error").await;
    assert_eq!(placed(&app, after).await.1, ea);

    // Automatic assignment is an event by the system and an email to the assignee.
    let t = ticket(&app, next).await;
    let kinds = event_kinds(&t);
    assert_eq!(kinds.last().unwrap(), &("assigned".to_owned(), "system".to_owned()));
    assert_eq!(t["events"].as_array().unwrap().last().unwrap()["payload"]["assignee_name"], json!(b.actor.name));
    let mails: Vec<(String, String)> =
        app.outbox_rows_with_recipients().into_iter().filter(|(kind, _)| kind == "assignment").collect();
    let to = |u: &TestUser| mails.iter().filter(|(_, r)| *r == u.email).count();
    assert_eq!((to(&a), to(&b), to(&c)), (3, 1, 2), "{mails:?}");
    app.deliver_mail().await;

    // The desk lists who is away, and an away member's open reports for the lead.
    set_away(&app, &c, true).await;
    let (_, sport) = send(&app, &app.token, "GET", "/api/v1/desk/desks/sport", None).await;
    let members: Vec<(&str, bool, i64)> = sport["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["away"].as_bool().unwrap(), m["open_assigned"].as_i64().unwrap()))
        .collect();
    assert!(members.contains(&(a.email.as_str(), false, 3)), "{members:?}");
    assert!(members.contains(&(b.email.as_str(), false, 1)), "{members:?}");
    assert!(members.contains(&(c.email.as_str(), true, 2)), "{members:?}");
    let held: Vec<&str> =
        sport["held_by_away"].as_array().unwrap().iter().map(|h| h["assignee_email"].as_str().unwrap()).collect();
    assert_eq!(held, [c.email.as_str(), c.email.as_str()]);
    assert_eq!(sport["open_reports"], json!(6));
}

async fn least_loaded_gives_the_report_to_the_fewest_open_and_ties_to_the_least_recent(backend: Backend) {
    let app = spawn(backend).await;
    let standards = app.user(Role::StandardsEditor);
    let (a, b, c) = (app.user(Role::Editor), app.user(Role::Editor), app.user(Role::Editor));
    article(&app, "summit", "World").await;
    article(&app, "match", "Sport").await;
    // Reports in the general queue, assigned by hand: a holds two, b and c one each.
    for who in [&a, &a, &b, &c] {
        let id = file(&app, "summit", "factual_error").await;
        let body = json!({ "assignee_email": who.email, "version": 1 });
        let (status, answer) =
            send(&app, &app.token, "POST", &format!("/api/v1/desk/reports/{id}/assignment"), Some(&body)).await;
        assert_eq!(status, 200, "{answer}");
    }
    app.deliver_mail().await;
    put_desk(&app, &standards, "sport", json!({"name": "Sport", "sections": ["Sport"], "members": [a.email, b.email, c.email], "assignment": "least_loaded"}), 201).await;

    // b and c hold one each and neither was assigned here yet: the earlier account, b.
    let first = file(&app, "match", "factual_error").await;
    assert_eq!(placed(&app, first).await.1, json!(b.email));
    // c now holds the fewest.
    let second = file(&app, "match", "factual_error").await;
    assert_eq!(placed(&app, second).await.1, json!(c.email));
    // Two each: a was assigned least recently (never here).
    let third = file(&app, "match", "factual_error").await;
    assert_eq!(placed(&app, third).await.1, json!(a.email));
    // Three, two, two: b and c tie, and b's turn is older than c's.
    let fourth = file(&app, "match", "factual_error").await;
    assert_eq!(placed(&app, fourth).await.1, json!(b.email));

    // A closed report no longer counts: c decides one and gets the next.
    let body = json!({ "to": "rejected", "reason": "Not an error.", "version": ticket(&app, second).await["version"] });
    let (status, answer) =
        send(&app, &c.token, "POST", &format!("/api/v1/desk/reports/{second}/transitions"), Some(&body)).await;
    assert_eq!(status, 200, "{answer}");
    let fifth = file(&app, "match", "factual_error").await;
    assert_eq!(placed(&app, fifth).await.1, json!(c.email));
    app.deliver_mail().await;
}

async fn reports_filed_at_the_same_moment_go_to_different_members(backend: Backend) {
    let app = spawn(backend).await;
    let standards = app.user(Role::StandardsEditor);
    let (a, b) = (app.user(Role::Editor), app.user(Role::Editor));
    article(&app, "match", "Sport").await;
    put_desk(&app, &standards, "sport", desk(&[&a, &b], "round_robin"), 201).await;
    let body = json!({
        "category": "factual_error",
        "quote": "the match ended three to one",
        "explanation": "It ended two to one.",
        "evidence_urls": [],
    });
    for _ in 0..8 {
        let (one, two) = tokio::join!(app.file_report("match", &body), app.file_report("match", &body));
        assert_eq!((one.status().as_u16(), two.status().as_u16()), (201, 201));
    }
    let (status, queue) =
        send(&app, &app.token, "GET", "/api/v1/desk/reports?desk=sport&sort=age&limit=100", None).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = queue["items"].as_array().unwrap().iter().map(|r| r["assignee"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 16);
    // In filing order the turn alternates: no two consecutive reports went to one member.
    for pair in names.windows(2) {
        assert_ne!(pair[0], pair[1], "{names:?}");
    }
    assert_eq!(names.iter().filter(|n| **n == a.actor.name).count(), 8);
    assert_eq!(names.iter().filter(|n| **n == b.actor.name).count(), 8);
    app.deliver_mail().await;
}

async fn an_editor_moves_a_report_to_another_desk_with_a_reason(backend: Backend) {
    let app = spawn(backend).await;
    let standards = app.user(Role::StandardsEditor);
    let (sporty, money) = (app.user(Role::Editor), app.user(Role::Editor));
    article(&app, "match", "Sport").await;
    put_desk(
        &app,
        &standards,
        "sport",
        json!({"name": "Sport", "sections": ["Sport"], "members": [sporty.email], "assignment": "round_robin"}),
        201,
    )
    .await;
    put_desk(
        &app,
        &standards,
        "business",
        json!({"name": "Business", "sections": ["Business"], "members": [money.email], "assignment": "round_robin"}),
        201,
    )
    .await;
    let id = file(&app, "match", "factual_error").await;
    assert_eq!(placed(&app, id).await, (json!("sport"), json!(sporty.email)));
    let path = format!("/api/v1/desk/reports/{id}/desk");
    let version = ticket(&app, id).await["version"].as_i64().unwrap();

    // Refusals name what is wrong and change nothing.
    let (status, body) =
        send(&app, &app.token, "POST", &path, Some(&json!({"desk": "business", "reason": " ", "version": version})))
            .await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("reason")), "{body}");
    let (status, body) = send(
        &app,
        &app.token,
        "POST",
        &path,
        Some(&json!({"desk": "opinion", "reason": "Theirs.", "version": version})),
    )
    .await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("desk")), "{body}");
    let (status, body) = send(
        &app,
        &app.token,
        "POST",
        &path,
        Some(&json!({"desk": "business", "reason": "Theirs.", "version": version - 1})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let (status, body) =
        send(&app, &app.token, "POST", &path, Some(&json!({"desk": "sport", "reason": "Ours.", "version": version})))
            .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("on the Sport desk already"), "{body}");
    let auditor = app.user(Role::Auditor);
    let (status, _) = send(
        &app,
        &auditor.token,
        "POST",
        &path,
        Some(&json!({"desk": "business", "reason": "x", "version": version})),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(ticket(&app, id).await["version"].as_i64().unwrap(), version);

    // The move: a transfer fee is a business story. The business desk's member takes it over.
    let (status, moved) = send(
        &app,
        &app.token,
        "POST",
        &path,
        Some(&json!({"desk": "business", "reason": "It is about the club's accounts.", "version": version})),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!((moved["desk"].clone(), moved["assignee"]["email"].clone()), (json!("business"), json!(money.email)));
    assert_eq!(moved["version"].as_i64().unwrap(), version + 1);
    let routed = moved["events"].as_array().unwrap().iter().rev().find(|e| e["kind"] == "desk_routed").unwrap();
    assert_eq!(routed["actor_kind"], json!("user"));
    assert_eq!(routed["payload"]["from"], json!("sport"));
    assert_eq!(routed["payload"]["to"], json!("business"));
    assert_eq!(routed["payload"]["reason"], json!("It is about the club's accounts."));

    // To the general queue: nobody's desk, and its assignee stays.
    let body = json!({"desk": null, "reason": "Needs the standards editor.", "version": version + 1});
    let (status, moved) = send(&app, &app.token, "POST", &path, Some(&body)).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!((moved["desk"].clone(), moved["assignee"]["email"].clone()), (Value::Null, json!(money.email)));
    app.deliver_mail().await;
}

async fn a_new_severity_or_section_routes_the_report_again(backend: Backend) {
    let app = spawn(backend).await;
    let standards = app.user(Role::StandardsEditor);
    let lawyer = app.user(Role::Editor);
    article(&app, "match", "Sport").await;
    put_desk(
        &app,
        &standards,
        "legal",
        json!({"name": "Legal", "severities": ["legal"], "members": [lawyer.email], "assignment": "round_robin"}),
        201,
    )
    .await;
    put_desk(&app, &standards, "business", json!({"name": "Business", "sections": ["Business"]}), 201).await;
    let id = file(&app, "match", "factual_error").await;
    assert_eq!(placed(&app, id).await, (Value::Null, Value::Null));

    let version = ticket(&app, id).await["version"].as_i64().unwrap();
    let body = json!({"severity": "legal", "version": version});
    let (status, t) = send(&app, &app.token, "POST", &format!("/api/v1/desk/reports/{id}/severity"), Some(&body)).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!((t["desk"].clone(), t["assignee"]["email"].clone()), (json!("legal"), json!(lawyer.email)));
    let routed = t["events"].as_array().unwrap().iter().rev().find(|e| e["kind"] == "desk_routed").unwrap();
    assert_eq!(
        (routed["actor_kind"].as_str(), routed["payload"]["reason"].as_str()),
        (Some("system"), Some("its severity changed to legal"))
    );

    // Back to normal, and the article moves to Business: the business desk's now; the lawyer keeps it.
    let version = t["version"].as_i64().unwrap();
    let body = json!({"severity": "normal", "version": version});
    let (status, t) = send(&app, &app.token, "POST", &format!("/api/v1/desk/reports/{id}/severity"), Some(&body)).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["desk"], Value::Null);
    let mut moved = json!({
        "url": "https://news.example/match",
        "title": "Story match",
        "section": "Business",
        "authors": ["A. Writer"],
        "published_at": "2026-11-30T08:00:00Z",
    });
    assert_eq!(app.put_article("match", &moved).await.status().as_u16(), 200);
    assert_eq!(placed(&app, id).await, (json!("business"), json!(lawyer.email)));
    // A closed report is not routed again.
    let version = ticket(&app, id).await["version"].as_i64().unwrap();
    let body = json!({ "to": "rejected", "reason": "Not an error.", "version": version });
    let (status, _) =
        send(&app, &app.token, "POST", &format!("/api/v1/desk/reports/{id}/transitions"), Some(&body)).await;
    assert_eq!(status, 200);
    moved["section"] = json!("Sport");
    assert_eq!(app.put_article("match", &moved).await.status().as_u16(), 200);
    assert_eq!(placed(&app, id).await.0, json!("business"));
    app.deliver_mail().await;
}

async fn a_removed_desk_sends_its_open_reports_back_to_routing(backend: Backend) {
    let app = spawn(backend).await;
    let standards = app.user(Role::StandardsEditor);
    let night = app.user(Role::Editor);
    article(&app, "match", "Sport").await;
    put_desk(&app, &standards, "sport", json!({"name": "Sport", "sections": ["Sport"]}), 201).await;
    put_desk(
        &app,
        &standards,
        "night",
        json!({"name": "Night", "members": [night.email], "assignment": "round_robin"}),
        201,
    )
    .await;
    let open = file(&app, "match", "factual_error").await;
    let closed = file(&app, "match", "factual_error").await;
    let body = json!({ "to": "rejected", "reason": "Not an error.", "version": 1 });
    let (status, _) =
        send(&app, &app.token, "POST", &format!("/api/v1/desk/reports/{closed}/transitions"), Some(&body)).await;
    assert_eq!(status, 200);
    // Waiting for the reader is not closed: it counts as the desk's, and leaves with it.
    let waiting = file(&app, "match", "factual_error").await;
    let body = json!({ "to": "needs_info", "reason": "Which match do you mean?", "version": 1 });
    let (status, _) =
        send(&app, &app.token, "POST", &format!("/api/v1/desk/reports/{waiting}/transitions"), Some(&body)).await;
    assert_eq!(status, 200);
    let (_, sport) = send(&app, &app.token, "GET", "/api/v1/desk/desks/sport", None).await;
    assert_eq!(sport["open_reports"], json!(2), "{sport}");

    let (status, removed) = send(&app, &standards.token, "DELETE", "/api/v1/desk/desks/sport", None).await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed["desk"], Value::Null);
    let affected = removed["affected"].as_array().unwrap();
    assert_eq!(affected.len(), 2, "{removed}");
    assert_eq!(affected[0]["report_id"], json!(open));
    assert_eq!(
        affected[0]["outcome"],
        json!(format!("#{open} routed to the Night desk and assigned to {}", night.actor.name))
    );
    assert_eq!(placed(&app, open).await, (json!("night"), json!(night.email)));
    assert_eq!(affected[1]["report_id"], json!(waiting));
    assert_eq!(placed(&app, waiting).await, (json!("night"), json!(night.email)));
    assert_eq!(placed(&app, closed).await.0, Value::Null, "a closed report keeps the desk only in its history");
    let (status, _) = send(&app, &app.token, "GET", "/api/v1/desk/desks/sport", None).await;
    assert_eq!(status, 404);
    let (_, list) = send(&app, &app.token, "GET", "/api/v1/desk/desks", None).await;
    assert_eq!(list["items"][0]["slug"], json!("night"));
    assert_eq!(list["items"][0]["position"], json!(1));
    let (status, _) = send(&app, &standards.token, "DELETE", "/api/v1/desk/desks/sport", None).await;
    assert_eq!(status, 404);
    app.deliver_mail().await;
}

async fn a_member_removed_from_a_desk_loses_its_open_reports_and_is_told_so(backend: Backend) {
    let app = spawn(backend).await;
    let standards = app.user(Role::StandardsEditor);
    let (a, b) = (app.user(Role::Editor), app.user(Role::Editor));
    article(&app, "match", "Sport").await;
    put_desk(&app, &standards, "sport", desk(&[&a, &b], "round_robin"), 201).await;
    let first = file(&app, "match", "factual_error").await;
    let second = file(&app, "match", "factual_error").await;
    assert_eq!(placed(&app, first).await.1, json!(a.email));
    assert_eq!(placed(&app, second).await.1, json!(b.email));

    let saved = put_desk(&app, &standards, "sport", desk(&[&b], "round_robin"), 200).await;
    let affected = saved["affected"].as_array().unwrap();
    assert_eq!(affected.len(), 1, "{saved}");
    assert_eq!(
        affected[0]["outcome"],
        json!(format!(
            "#{first} unassigned from {}, who left the Sport desk, and assigned to {}",
            a.actor.name, b.actor.name
        ))
    );
    assert_eq!(placed(&app, first).await.1, json!(b.email));
    let members: Vec<&str> =
        saved["desk"]["members"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap()).collect();
    assert_eq!(members, [b.email.as_str()]);

    // On a desk that assigns by hand the report is left unassigned.
    put_desk(&app, &standards, "sport", desk(&[&a, &b], "none"), 200).await;
    let saved = put_desk(&app, &standards, "sport", desk(&[&a], "none"), 200).await;
    let outcomes: Vec<&str> =
        saved["affected"].as_array().unwrap().iter().map(|x| x["outcome"].as_str().unwrap()).collect();
    assert_eq!(
        outcomes,
        [
            format!("#{first} unassigned from {}, who left the Sport desk", b.actor.name),
            format!("#{second} unassigned from {}, who left the Sport desk", b.actor.name),
        ]
    );
    assert_eq!(placed(&app, first).await.1, Value::Null);
    app.deliver_mail().await;
}

async fn bad_desks_are_refused_naming_the_field_and_nothing_is_stored(backend: Backend) {
    let app = spawn(backend).await;
    let standards = app.user(Role::StandardsEditor);
    let auditor = app.user(Role::Auditor);
    let cases = [
        ("sport", json!({"name": "Sport", "members": ["nobody@news.example"]}), "members"),
        ("sport", json!({"name": "Sport", "members": [auditor.email]}), "members"),
        ("sport", json!({"name": "Sport", "members": "someone@news.example"}), "members"),
        ("sport", json!({"name": "Sport", "lead": "nobody@news.example"}), "lead"),
        ("sport", json!({"name": "Sport", "sections": "Sport"}), "sections"),
        ("sport", json!({"name": "Sport", "sections": [""]}), "sections"),
        ("sport", json!({"name": "Sport", "sections": [7]}), "sections[0]"),
        ("sport", json!({"name": "Sport", "categories": ["gossip"]}), "categories"),
        ("sport", json!({"name": "Sport", "severities": ["urgent"]}), "severities"),
        ("sport", json!({"name": "Sport", "assignment": "random"}), "assignment"),
        ("sport", json!({"name": "Sport", "position": 0}), "position"),
        ("sport", json!({"name": "  "}), "name"),
        ("sport", json!({"sections": []}), "name"),
        ("sport", json!({"name": "Sport", "colour": "red"}), "colour"),
        ("Sport Desk", json!({"name": "Sport"}), "slug"),
        ("-sport", json!({"name": "Sport"}), "slug"),
    ];
    for (slug, body, field) in cases {
        let path = format!("/api/v1/desk/desks/{}", slug.replace(' ', "%20"));
        let (status, answer) = send(&app, &standards.token, "PUT", &path, Some(&body)).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(answer["error"]["field"].as_str(), Some(field), "{body}: {answer}");
    }
    // An endpoint that is not a chat endpoint is a conflict.
    let (status, answer) = send(
        &app,
        &standards.token,
        "PUT",
        "/api/v1/desk/desks/sport",
        Some(&json!({"name": "Sport", "endpoint_id": 99})),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().starts_with("endpoint_id:"), "{answer}");
    let (_, list) = send(&app, &app.token, "GET", "/api/v1/desk/desks", None).await;
    assert_eq!(list, json!({"items": []}));
}

async fn only_standards_editors_manage_desks(backend: Backend) {
    let app = spawn(backend).await;
    let standards = app.user(Role::StandardsEditor);
    let editor = app.user(Role::Editor);
    let auditor = app.user(Role::Auditor);
    let body = json!({"name": "Sport", "members": [editor.email]});
    for user in [&editor, &auditor] {
        let (status, _) = send(&app, &user.token, "PUT", "/api/v1/desk/desks/sport", Some(&body)).await;
        assert_eq!(status, 403);
    }
    put_desk(&app, &standards, "sport", body, 201).await;
    for user in [&editor, &auditor] {
        let (status, _) = send(&app, &user.token, "DELETE", "/api/v1/desk/desks/sport", None).await;
        assert_eq!(status, 403);
        let (status, got) = send(&app, &user.token, "GET", "/api/v1/desk/desks/sport", None).await;
        assert_eq!((status, got["name"].as_str()), (200, Some("Sport")));
    }
    // Only someone who takes reports can be away.
    let (status, _) =
        send(&app, &auditor.token, "POST", "/api/v1/desk/me/availability", Some(&json!({"away": true}))).await;
    assert_eq!(status, 403);
    let (status, answer) =
        send(&app, &editor.token, "POST", "/api/v1/desk/me/availability", Some(&json!({"away": "yes"}))).await;
    assert_eq!((status, answer["error"]["field"].as_str()), (422, Some("away")));
    let (status, _) = send(&app, &app.token, "GET", "/api/v1/desk/desks", None).await;
    assert_eq!(status, 200);
    let (status, _) =
        app.client.get(app.url("/api/v1/desk/desks")).send().await.map(|r| (r.status().as_u16(), ())).unwrap();
    assert_eq!(status, 401);
}

async fn the_queue_filters_by_desk_and_members_see_their_desks(backend: Backend) {
    let app = spawn(backend).await;
    let standards = app.user(Role::StandardsEditor);
    let (sporty, other) = (app.user(Role::Editor), app.user(Role::Editor));
    article(&app, "match", "Sport").await;
    article(&app, "summit", "World").await;
    put_desk(
        &app,
        &standards,
        "sport",
        json!({"name": "Sport", "sections": ["Sport"], "members": [sporty.email]}),
        201,
    )
    .await;
    put_desk(
        &app,
        &standards,
        "world",
        json!({"name": "World", "sections": ["World"], "categories": ["misquote"]}),
        201,
    )
    .await;
    let mut sport = Vec::new();
    for _ in 0..3 {
        sport.push(file(&app, "match", "factual_error").await);
    }
    let world = file(&app, "summit", "misquote").await;
    let general = file(&app, "summit", "factual_error").await;
    // A closed sport report: in the desk's counts, not its open view.
    let body = json!({ "to": "rejected", "reason": "Not an error.", "version": 1 });
    let (status, _) =
        send(&app, &app.token, "POST", &format!("/api/v1/desk/reports/{}/transitions", sport[2]), Some(&body)).await;
    assert_eq!(status, 200);

    let ids = |page: &Value| -> Vec<i64> {
        page["items"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
    };
    let count = |page: &Value, status: &str| -> i64 {
        page["counts"].as_array().unwrap().iter().find(|c| c["status"] == status).unwrap()["count"].as_i64().unwrap()
    };
    let view = |page: &Value, view: &str| -> i64 {
        page["views"].as_array().unwrap().iter().find(|c| c["view"] == view).unwrap()["count"].as_i64().unwrap()
    };

    let page = app.get_as(&app.token, "/api/v1/desk/reports?desk=sport&sort=age").await;
    assert_eq!(ids(&page), sport);
    assert_eq!((count(&page, "new"), count(&page, "rejected")), (2, 1));
    assert_eq!(page["items"][0]["desk"], json!("sport"));
    assert_eq!(page["items"][0]["desk_name"], json!("Sport"));
    let page = app.get_as(&app.token, "/api/v1/desk/reports?desk=none&sort=age").await;
    assert_eq!(ids(&page), [general]);
    assert_eq!(page["items"][0]["desk"], Value::Null);
    let page = app.get_as(&app.token, "/api/v1/desk/reports?desk=world&category=misquote").await;
    assert_eq!(ids(&page), [world]);
    assert_eq!(count(&page, "new"), 1);
    let page = app.get_as(&app.token, "/api/v1/desk/reports?desk=sport&section=Sport&view=open&sort=age").await;
    assert_eq!(ids(&page), sport[..2]);

    // "My desks": a member's open reports on their desks; someone on no desk has none.
    let page = app.get_as(&sporty.token, "/api/v1/desk/reports?view=my_desks&sort=age").await;
    assert_eq!(ids(&page), sport[..2]);
    assert_eq!(view(&page, "my_desks"), 2);
    assert_eq!(view(&page, "open"), 4);
    let page = app.get_as(&sporty.token, "/api/v1/desk/reports?desk=mine&sort=age").await;
    assert_eq!(ids(&page), sport);
    let page = app.get_as(&other.token, "/api/v1/desk/reports?view=my_desks").await;
    assert_eq!((ids(&page), view(&page, "my_desks")), (vec![], 0));

    // Paging within a desk: one per page, in order, no repeats.
    let mut seen = Vec::new();
    let mut path = "/api/v1/desk/reports?desk=sport&sort=age&limit=1".to_owned();
    loop {
        let page = app.get_as(&app.token, &path).await;
        let got = ids(&page);
        assert!(got.len() <= 1);
        seen.extend(got);
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/desk/reports?desk=sport&sort=age&limit=1&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, sport);

    for bad in ["Sport%20Desk", "opinion"] {
        let (status, answer) = send(&app, &app.token, "GET", &format!("/api/v1/desk/reports?desk={bad}"), None).await;
        assert_eq!((status, answer["error"]["field"].as_str()), (422, Some("desk")), "{answer}");
    }
    app.deliver_mail().await;
}
