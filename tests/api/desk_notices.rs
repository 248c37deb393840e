//! Who hears of what on a desk: its members of urgent reports at once and of the rest in their
//! daily digest, its lead (or the standards editors) of reports that became overdue, and its
//! chat endpoint of both.
//!
//! Mail goes through a real SMTP conversation (see `mail.rs`); chat alerts to a real HTTP
//! receiver (see `webhooks.rs`). No dispatcher runs in the background.

use chrono::{Duration, NaiveDateTime, Timelike};
use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{article_json, report_json, Backend, TestApp, TestUser, TEST_START};
use crate::smtp::{Received, Smtp};
use crate::webhooks::{deliver, dispatcher, register, Receiver};

both_backends!(
    an_urgent_report_on_a_desk_reaches_its_available_members_at_once,
    the_member_a_desk_assigns_an_urgent_report_gets_one_mail,
    an_urgent_report_moved_to_a_desk_reaches_its_members_but_not_the_mover,
    normal_reports_on_a_desk_wait_for_its_members_daily_digest,
    an_overdue_report_is_escalated_once_to_its_desks_lead,
    without_a_lead_or_a_desk_an_overdue_report_is_escalated_to_the_standards_editors,
    reports_overdue_before_the_first_desk_are_not_escalated_late,
    a_desks_chat_endpoint_hears_of_its_reports_and_escalations_once,
);

/// The hour (0-23) on the test server's clock (Europe/Berlin) at `utc`, as a setting.
fn berlin_hour(utc: NaiveDateTime) -> String {
    chrono::TimeZone::from_utc_datetime(&chrono_tz::Europe::Berlin, &utc).hour().to_string()
}

/// A server that mails through `smtp` and sends its digest at `digest_hour` (Berlin).
async fn mail_app(backend: Backend, smtp: &Smtp, digest_hour: String) -> TestApp {
    let url = smtp.url();
    TestApp::spawn_with(backend, move |s| {
        s.smtp_url = Some(url);
        s.digest_hour = digest_hour;
    })
    .await
}

/// An hour at which no test here sends a digest.
fn quiet_hour() -> String {
    berlin_hour(TEST_START + Duration::hours(12))
}

/// Creates or replaces a desk as standards editor `sam`.
async fn put_desk(app: &TestApp, sam: &TestUser, slug: &str, body: Value) {
    let response = app
        .client
        .put(app.url(&format!("/api/v1/desk/desks/{slug}")))
        .bearer_auth(&sam.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert!(status == 201 || status == 200, "{status}: {}", response.text().await.unwrap());
}

/// Marks `user` away or back.
async fn set_away(app: &TestApp, user: &TestUser, away: bool) {
    let response = app
        .client
        .post(app.url("/api/v1/desk/me/availability"))
        .bearer_auth(&user.token)
        .json(&json!({ "away": away }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// Files a report of `category` on `article` without a reader's address (so no receipt); returns its id.
async fn file(app: &TestApp, article: &str, category: &str) -> i64 {
    let mut body = report_json();
    body["category"] = json!(category);
    body.as_object_mut().unwrap().remove("reporter_email");
    if article != "kursk" {
        body["quote"] = json!("a passage");
    }
    let response = app.file_report(article, &body).await;
    assert_eq!(response.status(), 201);
    let filed: Value = response.json().await.unwrap();
    let token = filed["token"].as_str().unwrap().to_owned();
    app.db.read_blocking(|c| Ok(corrigenda::domain::reports::for_token(c, &token)?.id)).unwrap()
}

/// Registers another article, `id` in `section`, without text.
async fn other_article(app: &TestApp, id: &str, section: &str) {
    let mut body = article_json();
    body["url"] = json!(format!("https://news.example/{id}"));
    body["title"] = json!(format!("A {section} story"));
    body["section"] = json!(section);
    body.as_object_mut().unwrap().remove("text");
    assert!(app.put_article(id, &body).await.status().is_success());
}

/// Every recipient of `mails`, sorted.
fn recipients(mails: &[Received]) -> Vec<String> {
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    to
}

fn sorted(emails: &[&TestUser]) -> Vec<String> {
    let mut v: Vec<String> = emails.iter().map(|u| u.email.clone()).collect();
    v.sort();
    v
}

fn subject(m: &Received) -> String {
    m.header("Subject").unwrap()
}

fn text(m: &Received) -> String {
    m.parts().0
}

async fn ticket(app: &TestApp, id: i64) -> Value {
    app.get_as(&app.token, &format!("/api/v1/desk/reports/{id}")).await
}

async fn an_urgent_report_on_a_desk_reaches_its_available_members_at_once(backend: Backend) {
    let smtp = Smtp::start();
    let app = mail_app(backend, &smtp, quiet_hour()).await;
    let sam = app.user(Role::StandardsEditor);
    let dana = app.user(Role::StandardsEditor);
    let (ann, bob, cat) = (app.user(Role::Editor), app.user(Role::Editor), app.user(Role::Editor));
    app.article().await;
    let members = [&ann.email, &bob.email, &cat.email];
    put_desk(&app, &sam, "world", json!({"name": "World", "members": members, "sections": ["World"]})).await;
    set_away(&app, &cat, true).await;

    let id = file(&app, "kursk", "misquote").await;
    assert_eq!(app.deliver_mail().await, 2);
    let mails = smtp.received();
    assert_eq!(recipients(&mails), sorted(&[&ann, &bob]), "its members who are not away; not the standards editors");
    for m in &mails {
        assert_eq!(subject(m), format!("Urgent: high report #{id} on the World desk"));
        let body = text(m);
        assert!(body.contains("and was routed to the World desk. You are a member of that desk."), "{body}");
        assert!(body.contains(&app.url(&format!("/desk/reports/{id}"))), "{body}");
        assert!(!body.contains("assigned to you"), "the desk assigns by hand: {body}");
    }

    // Nobody on the desk is available: the standards editors hear of it instead.
    set_away(&app, &ann, true).await;
    set_away(&app, &bob, true).await;
    let second = file(&app, "kursk", "misquote").await;
    assert_eq!(app.deliver_mail().await, 2);
    let later = smtp.received()[2..].to_vec();
    assert_eq!(recipients(&later), sorted(&[&sam, &dana]));
    for m in &later {
        assert_eq!(subject(m), format!("Urgent: high report #{second}"));
        let body = text(m);
        assert!(
            body.contains("routed to the World desk. None of that desk's members is available to take it."),
            "{body}"
        );
    }

    // A normal report is not mailed at once.
    set_away(&app, &ann, false).await;
    file(&app, "kursk", "factual_error").await;
    assert_eq!(app.deliver_mail().await, 0);
}

async fn the_member_a_desk_assigns_an_urgent_report_gets_one_mail(backend: Backend) {
    let smtp = Smtp::start();
    let app = mail_app(backend, &smtp, quiet_hour()).await;
    let sam = app.user(Role::StandardsEditor);
    let (ann, bob) = (app.user(Role::Editor), app.user(Role::Editor));
    app.article().await;
    let members = [&ann.email, &bob.email];
    put_desk(&app, &sam, "world", json!({"name": "World", "members": members, "assignment": "round_robin"})).await;

    let id = file(&app, "kursk", "misquote").await;
    assert_eq!(app.deliver_mail().await, 2, "one mail each, no separate assignment mail");
    let holder = ticket(&app, id).await["assignee"]["email"].as_str().unwrap().to_owned();
    let other = if holder == ann.email { &bob.email } else { &ann.email };
    let theirs = smtp.to(&holder);
    assert_eq!(theirs.len(), 1);
    assert_eq!(subject(&theirs[0]), format!("Urgent: high report #{id} on the World desk"));
    assert!(text(&theirs[0]).contains("It is assigned to you."), "{}", text(&theirs[0]));
    let others = smtp.to(other);
    assert_eq!(others.len(), 1);
    assert!(!text(&others[0]).contains("assigned to you"), "{}", text(&others[0]));
    let kinds: Vec<String> = app.outbox_rows_with_recipients().into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(kinds, ["desk_urgent", "desk_urgent"]);

    // A normal report assigned by the desk is the assignee's usual assignment mail.
    let normal = file(&app, "kursk", "factual_error").await;
    assert_eq!(app.deliver_mail().await, 1);
    let holder = ticket(&app, normal).await["assignee"]["email"].as_str().unwrap().to_owned();
    assert_eq!(subject(smtp.to(&holder).last().unwrap()), format!("Report #{normal} is assigned to you"));
}

async fn an_urgent_report_moved_to_a_desk_reaches_its_members_but_not_the_mover(backend: Backend) {
    let smtp = Smtp::start();
    let app = mail_app(backend, &smtp, quiet_hour()).await;
    let sam = app.user(Role::StandardsEditor);
    let (ann, bob, cat) = (app.user(Role::Editor), app.user(Role::Editor), app.user(Role::Editor));
    app.article().await;
    put_desk(&app, &sam, "world", json!({"name": "World", "members": [&ann.email], "sections": ["World"]})).await;
    let night = json!({"name": "Night", "members": [&bob.email, &cat.email], "sections": ["Nowhere"]});
    put_desk(&app, &sam, "night", night).await;
    let id = file(&app, "kursk", "misquote").await;
    assert_eq!(app.deliver_mail().await, 1);
    assert_eq!(recipients(&smtp.received()), sorted(&[&ann]));

    let version = app.state_of(id).1;
    let moved = app
        .client
        .post(app.url(&format!("/api/v1/desk/reports/{id}/desk")))
        .bearer_auth(&cat.token)
        .json(&json!({"desk": "night", "reason": "The night shift has the source.", "version": version}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    assert_eq!(app.deliver_mail().await, 1, "the night desk's other member; not cat, who moved it");
    let bobs = smtp.to(&bob.email);
    assert_eq!(bobs.len(), 1);
    assert_eq!(subject(&bobs[0]), format!("Urgent: high report #{id} on the Night desk"));
    let body = text(&bobs[0]);
    let moved = format!("was moved to the Night desk from the World desk by {}. You are a member", cat.actor.name);
    assert!(body.contains(&moved), "{body}");
}

async fn normal_reports_on_a_desk_wait_for_its_members_daily_digest(backend: Backend) {
    let smtp = Smtp::start();
    // The next morning, 20 hours on (the normal report is due in 72).
    let digest_at = TEST_START + Duration::hours(20);
    let app = mail_app(backend, &smtp, berlin_hour(digest_at)).await;
    let sam = app.user(Role::StandardsEditor);
    let (ann, cat) = (app.user(Role::Editor), app.user(Role::Editor));
    app.article().await;
    other_article(&app, "derby", "Sport").await;
    put_desk(&app, &sam, "world", json!({"name": "World", "members": [&ann.email, &cat.email], "sections": ["World"]}))
        .await;
    set_away(&app, &cat, true).await;
    let normal = file(&app, "kursk", "factual_error").await;
    let urgent = file(&app, "kursk", "misquote").await;
    let elsewhere = file(&app, "derby", "factual_error").await;
    assert_eq!(app.deliver_mail().await, 1, "the urgent one, at once");
    assert_eq!(subject(&smtp.received()[0]), format!("Urgent: high report #{urgent} on the World desk"));

    app.clock.advance(digest_at - app.clock.now());
    assert_eq!(app.deliver_mail().await, 1, "one digest: ann's (cat is away)");
    let digest = smtp.to(&ann.email);
    assert_eq!(digest.len(), 2);
    assert_eq!(subject(&digest[1]), "1 new report on your desks");
    let body = text(&digest[1]);
    assert!(body.contains("New on the World desk since the last digest:"), "{body}");
    assert!(body.contains(&format!("#{normal}: factual error, normal severity, due ")), "{body}");
    assert!(body.contains(&app.url(&format!("/desk/reports/{normal}"))), "{body}");
    assert!(!body.contains(&format!("#{urgent}:")), "told of at once, not again: {body}");
    assert!(!body.contains(&format!("#{elsewhere}:")), "not on the desk: {body}");
    assert!(body.contains(&app.url("/desk?view=my_desks")), "{body}");

    // A day later nothing new reached the desk: no digest (the urgent report, overdue by now,
    // is escalated to the standards editor: the desk has no lead).
    app.clock.advance(Duration::hours(24));
    assert_eq!(app.deliver_mail().await, 1);
    assert_eq!(smtp.to(&ann.email).len(), 2);
    assert_eq!(subject(smtp.to(&sam.email).last().unwrap()), format!("Escalated: report #{urgent} is overdue"));
}

async fn an_overdue_report_is_escalated_once_to_its_desks_lead(backend: Backend) {
    let smtp = Smtp::start();
    let app = mail_app(backend, &smtp, quiet_hour()).await;
    let url = smtp.url();
    let other = app
        .another_instance_with(move |s| {
            s.smtp_url = Some(url);
            s.digest_hour = quiet_hour();
        })
        .await;
    let sam = app.user(Role::StandardsEditor);
    let (lee, ann) = (app.user(Role::Editor), app.user(Role::Editor));
    app.article().await;
    let desk = json!({"name": "World", "lead": &lee.email, "members": [&ann.email], "sections": ["World"]});
    put_desk(&app, &sam, "world", desk).await;
    let id = file(&app, "kursk", "factual_error").await;
    let other_id = file(&app, "kursk", "factual_error").await;
    app.clock.advance(Duration::hours(1));
    let later = file(&app, "kursk", "factual_error").await;
    assert_eq!(app.deliver_mail().await, 0);
    assert_eq!(ticket(&app, id).await["escalated"], json!(false));

    // Past the first two's deadline (72 h), both instances' dispatchers at once, then again.
    app.clock.advance(Duration::hours(71) + Duration::minutes(1));
    let (a, b) = tokio::join!(app.deliver_mail(), other.deliver_mail());
    assert_eq!(a + b, 2, "one mail for each overdue report, whichever dispatcher sent it");
    for _ in 0..3 {
        app.clock.advance(Duration::minutes(2));
        let (a, b) = tokio::join!(app.deliver_mail(), other.deliver_mail());
        assert_eq!(a + b, 0, "escalated once");
    }
    let mails = smtp.received();
    assert_eq!(recipients(&mails), [lee.email.clone(), lee.email.clone()]);
    let mut subjects: Vec<String> = mails.iter().map(subject).collect();
    subjects.sort();
    let mut expected =
        vec![format!("Escalated: report #{id} is overdue"), format!("Escalated: report #{other_id} is overdue")];
    expected.sort();
    assert_eq!(subjects, expected);
    let body = text(&mails[0]);
    assert!(body.contains("on the World desk, was due by "), "{body}");
    assert!(body.contains("and is overdue (status: Received)."), "{body}");
    assert!(body.contains("Nobody has taken it."), "{body}");
    assert!(body.contains("You hear of it as the World desk's lead."), "{body}");

    let t = ticket(&app, id).await;
    assert_eq!(t["escalated"], json!(true));
    let last = t["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], json!("escalated"));
    assert_eq!(last["actor_kind"], json!("system"));
    assert_eq!(last["payload"], json!({ "to": [lee.actor.name] }));
    assert_eq!(last["public"], json!(false));

    let queue = app.get_as(&app.token, "/api/v1/desk/reports?escalated=true").await;
    let items = queue["items"].as_array().unwrap();
    let ids: Vec<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [id, other_id]);
    assert!(items.iter().all(|i| i["escalated"] == json!(true)));
    let queue = app.get_as(&app.token, "/api/v1/desk/reports?escalated=false").await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 1);
    assert_eq!(queue["items"][0]["id"], json!(later));
    assert_eq!(queue["items"][0]["escalated"], json!(false));
    let counts = app.get_as(&app.token, "/api/v1/desk/reports?escalated=true&view=open").await["counts"].clone();
    let new = counts.as_array().unwrap().iter().find(|c| c["status"] == json!("new")).unwrap()["count"].clone();
    assert_eq!(new, json!(2), "the counts follow the filter");
    let bad = app.client.get(app.url("/api/v1/desk/reports?escalated=maybe")).bearer_auth(&app.token).send().await;
    let bad = bad.unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.json::<Value>().await.unwrap()["error"]["field"], json!("escalated"));

    // The third, an hour later.
    app.clock.advance(Duration::hours(1));
    assert_eq!(app.deliver_mail().await, 1);
    assert_eq!(subject(smtp.received().last().unwrap()), format!("Escalated: report #{later} is overdue"));
}

async fn without_a_lead_or_a_desk_an_overdue_report_is_escalated_to_the_standards_editors(backend: Backend) {
    let smtp = Smtp::start();
    let app = mail_app(backend, &smtp, quiet_hour()).await;
    let sam = app.user(Role::StandardsEditor);
    let dana = app.user(Role::StandardsEditor);
    let (ann, lee) = (app.user(Role::Editor), app.user(Role::Editor));
    app.article().await;
    other_article(&app, "derby", "Sport").await;
    other_article(&app, "budget", "Business").await;
    put_desk(&app, &sam, "world", json!({"name": "World", "members": [&ann.email], "sections": ["World"]})).await;
    // A lead who is away is no lead to escalate to.
    put_desk(&app, &sam, "sport", json!({"name": "Sport", "lead": &lee.email, "sections": ["Sport"]})).await;
    set_away(&app, &lee, true).await;
    let on_world = file(&app, "kursk", "factual_error").await;
    let on_sport = file(&app, "derby", "factual_error").await;
    let general = file(&app, "budget", "factual_error").await;
    assert_eq!(ticket(&app, general).await["desk"], json!(null));
    assert_eq!(app.deliver_mail().await, 0);

    app.clock.advance(Duration::hours(72) + Duration::minutes(1));
    assert_eq!(app.deliver_mail().await, 6, "each report to each standards editor");
    app.clock.advance(Duration::minutes(5));
    assert_eq!(app.deliver_mail().await, 0);
    for editor in [&sam, &dana] {
        let mine = smtp.to(&editor.email);
        assert_eq!(mine.len(), 3);
        let about = |id: i64| {
            mine.iter()
                .find(|m| subject(m) == format!("Escalated: report #{id} is overdue"))
                .map(text)
                .unwrap_or_else(|| panic!("no escalation of #{id}"))
        };
        for id in [on_world, on_sport] {
            assert!(about(id).contains("You hear of it as a standards editor: its desk has no lead available."));
        }
        assert!(about(on_sport).contains("on the Sport desk, was due by "));
        assert!(about(general).contains("in the general queue, was due by "));
        assert!(about(general).contains("You hear of it as a standards editor: it is on no desk."));
    }
    assert!(smtp.to(&lee.email).is_empty() && smtp.to(&ann.email).is_empty());
    let mut names = vec![sam.actor.name.clone(), dana.actor.name.clone()];
    names.sort();
    for id in [on_world, on_sport, general] {
        let t = ticket(&app, id).await;
        assert_eq!(t["escalated"], json!(true));
        let last = t["events"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["kind"], json!("escalated"));
        let mut told: Vec<String> =
            last["payload"]["to"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned()).collect();
        told.sort();
        assert_eq!(told, names);
    }
}

async fn reports_overdue_before_the_first_desk_are_not_escalated_late(backend: Backend) {
    let smtp = Smtp::start();
    let app = mail_app(backend, &smtp, quiet_hour()).await;
    let sam = app.user(Role::StandardsEditor);
    app.article().await;
    let old = file(&app, "kursk", "factual_error").await;
    app.clock.advance(Duration::hours(72) + Duration::minutes(1));
    assert_eq!(app.deliver_mail().await, 0, "no desk: routing, and its escalation, have not begun");
    put_desk(&app, &sam, "world", json!({"name": "World", "sections": ["World"]})).await;
    app.clock.advance(Duration::minutes(2));
    assert_eq!(app.deliver_mail().await, 0, "overdue before the first desk");
    assert_eq!(ticket(&app, old).await["escalated"], json!(false));
    let new = file(&app, "kursk", "factual_error").await;
    app.clock.advance(Duration::hours(72) + Duration::minutes(1));
    assert_eq!(app.deliver_mail().await, 1);
    assert_eq!(subject(&smtp.to(&sam.email)[0]), format!("Escalated: report #{new} is overdue"));
}

async fn a_desks_chat_endpoint_hears_of_its_reports_and_escalations_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (desk_chat, all_chat) = (Receiver::start(), Receiver::start());
    // The desk's own channel hears nothing else of the newsroom's; the other hears everything.
    let (desk_ep, _) = register(&app, &desk_chat.url, "chat", &["correction.published"]);
    let (all_ep, _) = register(&app, &all_chat.url, "chat", &[]);
    let sam = app.user(Role::StandardsEditor);
    let (ann, lee) = (app.user(Role::Editor), app.user(Role::Editor));
    app.article().await;
    let world = json!({"name": "World", "lead": &lee.email, "members": [&ann.email], "sections": ["World"], "endpoint_id": desk_ep});
    put_desk(&app, &sam, "world", world.clone()).await;
    let night = json!({"name": "Night", "members": [&lee.email], "sections": ["Nowhere"], "endpoint_id": all_ep});
    put_desk(&app, &sam, "night", night).await;
    let hooks = dispatcher(&app);
    let texts = |r: &Receiver| -> Vec<String> {
        let mut t: Vec<String> = r
            .heard()
            .iter()
            .map(|h| serde_json::from_str::<Value>(&h.body).unwrap()["text"].as_str().unwrap().to_owned())
            .collect();
        t.sort();
        t
    };
    let title = article_json()["title"].as_str().unwrap().to_owned();
    let link = |id: i64| app.url(&format!("/desk/reports/{id}"));

    let normal = file(&app, "kursk", "factual_error").await;
    let urgent = file(&app, "kursk", "misquote").await;
    assert_eq!(app.deliver_mail().await, 1, "the urgent one, to the desk's member");
    deliver(&hooks).await;
    let heard = texts(&desk_chat);
    assert_eq!(heard.len(), 2, "{heard:?}");
    let filed = |severity: &str, id: i64, category: &str| {
        heard
            .iter()
            .find(|t| t.starts_with(&format!("New {severity} severity report #{id} on \u{201c}{title}\u{201d} ({category}) for the World desk, due ")))
            .unwrap_or_else(|| panic!("no alert of #{id}: {heard:?}"))
            .clone()
    };
    assert!(filed("normal", normal, "factual error").ends_with(&link(normal)));
    assert!(filed("high", urgent, "misquote").ends_with(&link(urgent)));
    let everything = texts(&all_chat);
    assert_eq!(everything.len(), 1, "the newsroom's channel hears of the urgent one only: {everything:?}");
    assert!(everything[0].starts_with(&format!("High severity report #{urgent} ")), "{everything:?}");

    // Moved to the night desk: its endpoint hears of it.
    let version = app.state_of(normal).1;
    let moved = app
        .client
        .post(app.url(&format!("/api/v1/desk/reports/{normal}/desk")))
        .bearer_auth(&ann.token)
        .json(&json!({"desk": "night", "reason": "Overnight follow-up.", "version": version}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    deliver(&hooks).await;
    let everything = texts(&all_chat);
    assert_eq!(everything.len(), 2, "{everything:?}");
    let expected = format!(
        "Report #{normal} on \u{201c}{title}\u{201d} (normal severity) moved to the Night desk from the World desk by {}, due ",
        ann.actor.name
    );
    assert!(everything.iter().any(|t| t.starts_with(&expected) && t.ends_with(&link(normal))), "{everything:?}");

    // The urgent report's deadline (24 h) passes: the mail dispatcher escalates it to the World
    // desk's lead and alerts the desk's endpoint; the other endpoint hears of it as overdue.
    app.clock.advance(Duration::hours(24) + Duration::minutes(1));
    assert_eq!(app.deliver_mail().await, 1, "the lead's mail");
    deliver(&hooks).await;
    let heard = texts(&desk_chat);
    assert_eq!(heard.len(), 3, "{heard:?}");
    let expected = format!(
        "Escalated to {}: report #{urgent} on \u{201c}{title}\u{201d} (high severity, received) on the World desk was due ",
        lee.actor.name
    );
    assert!(heard.iter().any(|t| t.starts_with(&expected) && t.ends_with(&link(urgent))), "{heard:?}");
    let everything = texts(&all_chat);
    assert_eq!(everything.len(), 3, "{everything:?}");
    assert!(everything.iter().any(|t| t.starts_with(&format!("Overdue: report #{urgent} "))), "{everything:?}");

    // The desk's endpoint is one that hears everything anyway: one alert per event, not two.
    let mut world = world;
    world["endpoint_id"] = json!(all_ep);
    put_desk(&app, &sam, "world", world).await;
    let second = file(&app, "kursk", "misquote").await;
    assert_eq!(app.deliver_mail().await, 1);
    deliver(&hooks).await;
    let everything = texts(&all_chat);
    assert_eq!(everything.len(), 4, "{everything:?}");
    assert_eq!(everything.iter().filter(|t| t.contains(&format!("#{second} "))).count(), 1, "{everything:?}");
    app.clock.advance(Duration::hours(24) + Duration::minutes(1));
    assert_eq!(app.deliver_mail().await, 1);
    deliver(&hooks).await;
    let everything = texts(&all_chat);
    assert_eq!(everything.len(), 5, "{everything:?}");
    assert_eq!(everything.iter().filter(|t| t.contains(&format!("#{second} "))).count(), 2, "{everything:?}");
    assert!(everything.iter().any(|t| t.starts_with(&format!("Overdue: report #{second} "))), "{everything:?}");
    assert_eq!(texts(&desk_chat).len(), 3);
}
