//! Corrections go where the error went: the publisher's distribution channels, the checklist
//! each correction gets of the channels its error went to, marking items done by hand or by
//! the delivered email to syndication partners, the desk's open items, the auditor's view, and
//! the public "also corrected in" line.

use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{csrf_in, Backend, TestApp, TestUser};
use crate::smtp::Smtp;

both_backends!(
    standards_editors_configure_channels_and_bad_input_is_named,
    ticked_channels_become_a_checklist_that_editors_mark_done,
    the_drafting_form_ticks_channels_and_the_desk_lists_open_items,
    syndication_partners_get_the_corrective_and_the_item_is_done_on_delivery,
    approval_and_a_redraft_keep_the_ticks,
    the_public_log_names_the_other_channels_only_when_asked,
    the_demo_seeds_channels_and_a_correction_still_to_send,
);

const TEXT: &str = "An earlier version of this article misstated how long the war had lasted.";
const ORIGINAL: &str = "in the war that is approaching its four-year mark";
const CORRECTED: &str = "in the war that is approaching its three-year mark";

async fn send(app: &TestApp, user: &TestUser, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app.client.request(method, app.url(path)).bearer_auth(&user.token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn add_channel(app: &TestApp, standards: &TestUser, body: Value) -> i64 {
    let (status, channel) = send(app, standards, "POST", "/api/v1/desk/channels", Some(&body)).await;
    assert_eq!(status, 201, "{channel}");
    channel["id"].as_i64().unwrap()
}

fn correction(channels: &[i64]) -> Value {
    json!({
        "article_id": "kursk",
        "kind": "correction",
        "text": TEXT,
        "original": ORIGINAL,
        "corrected": CORRECTED,
        "channels": channels,
    })
}

async fn publish(app: &TestApp, editor: &TestUser, body: &Value) -> Value {
    let (status, published) = send(app, editor, "POST", "/api/v1/desk/corrections", Some(body)).await;
    assert_eq!(status, 201, "{published}");
    published
}

fn field(body: &Value) -> &str {
    body["error"]["field"].as_str().unwrap_or_default()
}

async fn page(browser: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let response = browser.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn post_form(browser: &reqwest::Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    browser.post(app.url(path)).form(form).send().await.unwrap()
}

async fn audit_events(app: &TestApp, kind: &str) -> Vec<Value> {
    let auditor = app.user(Role::Auditor);
    let (status, page) = send(app, &auditor, "GET", &format!("/api/v1/audit/events?kind={kind}"), None).await;
    assert_eq!(status, 200);
    page["items"].as_array().unwrap().clone()
}

async fn standards_editors_configure_channels_and_bad_input_is_named(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let standards = app.user(Role::StandardsEditor);
    let editor = app.user(Role::Editor);
    let auditor = app.user(Role::Auditor);

    let newsletter = add_channel(&app, &standards, json!({"name": "Morning newsletter", "kind": "newsletter"})).await;
    let wire = add_channel(
        &app,
        &standards,
        json!({"name": "Wire partners", "kind": "syndication", "partners": ["desk@partner.example", " DESK@partner.example "]}),
    )
    .await;
    let taken = json!({"name": "morning NEWSLETTER", "kind": "push"});
    let (status, refused) = send(&app, &standards, "POST", "/api/v1/desk/channels", Some(&taken)).await;
    assert_eq!(status, 409, "a name taken (case aside) is a conflict: {refused}");
    assert_eq!(field(&refused), "name", "{refused}");
    assert!(refused.to_string().contains("already called"), "{refused}");
    let not_syndication = json!({"name": "Alerts", "kind": "push", "partners": ["a@partner.example"]});
    let (status, refused) = send(&app, &standards, "POST", "/api/v1/desk/channels", Some(&not_syndication)).await;
    assert_eq!(status, 409, "partners on a channel of another kind conflict with it: {refused}");
    assert_eq!(field(&refused), "partners", "{refused}");
    for (body, named) in [
        (json!({"name": "  ", "kind": "push"}), "name"),
        (json!({"name": "Alerts", "kind": "push", "partners": [""]}), "partners"),
        (json!({"name": "Alerts", "kind": "pager"}), "kind"),
        (json!({"name": "Partners", "kind": "syndication", "partners": ["not an address"]}), "partners"),
    ] {
        let (status, refused) = send(&app, &standards, "POST", "/api/v1/desk/channels", Some(&body)).await;
        assert_eq!((status, field(&refused)), (422, named), "{body}: {refused}");
    }
    let (status, _) =
        send(&app, &editor, "POST", "/api/v1/desk/channels", Some(&json!({"name": "X", "kind": "push"}))).await;
    assert_eq!(status, 403, "only standards editors change the channels");

    let (status, list) = send(&app, &auditor, "GET", "/api/v1/desk/channels", None).await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let wire_row = items.iter().find(|c| c["id"] == wire).unwrap();
    assert_eq!(wire_row["partners"], json!(["desk@partner.example"]), "repeats are dropped, case aside");

    // Renamed and retired: a retired channel is offered for no new correction.
    let change = json!({"name": "Evening newsletter", "retired": true});
    let (status, changed) =
        send(&app, &standards, "PUT", &format!("/api/v1/desk/channels/{newsletter}"), Some(&change)).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!((changed["name"].as_str(), changed["retired"].as_bool()), (Some("Evening newsletter"), Some(true)));
    let (status, refused) =
        send(&app, &editor, "POST", "/api/v1/desk/corrections", Some(&correction(&[newsletter]))).await;
    assert_eq!((status, field(&refused)), (422, "channels"), "{refused}");
    let (status, refused) =
        send(&app, &editor, "POST", "/api/v1/desk/corrections", Some(&correction(&[wire, 9999]))).await;
    assert_eq!((status, field(&refused)), (422, "channels"), "an unknown id is named: {refused}");
    assert!(refused.to_string().contains("9999"), "{refused}");
    let (status, _) = send(&app, &standards, "PUT", "/api/v1/desk/channels/9999", Some(&json!({"name": "Gone"}))).await;
    assert_eq!(status, 404);
    let (status, refused) = send(
        &app,
        &standards,
        "PUT",
        &format!("/api/v1/desk/channels/{wire}"),
        Some(&json!({"name": "Evening newsletter"})),
    )
    .await;
    assert_eq!(status, 409, "a taken name: {refused}");
    assert_eq!(field(&refused), "name", "{refused}");

    // The settings page: standards editors add, rename and retire from it; editors only read it.
    let browser = app.signed_in(&standards).await;
    let (status, html) = page(&browser, &app, "/desk/channels").await;
    assert_eq!(status, 200);
    assert!(html.contains("Evening newsletter") && html.contains("Retired") && html.contains("desk@partner.example"));
    let csrf = csrf_in(&html);
    let added = post_form(
        &browser,
        &app,
        "/desk/channels",
        &[("csrf", &csrf), ("name", "Print edition"), ("kind", "print"), ("partners", "")],
    )
    .await;
    assert_eq!(added.status(), 303);
    let refused =
        post_form(&browser, &app, "/desk/channels", &[("csrf", &csrf), ("name", "Print edition"), ("kind", "print")])
            .await;
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("already called"));
    let renamed = post_form(
        &browser,
        &app,
        &format!("/desk/channels/{wire}"),
        &[("csrf", &csrf), ("name", "Syndication partners"), ("partners", "a@partner.example\nb@partner.example")],
    )
    .await;
    assert_eq!(renamed.status(), 303);
    let restored = post_form(
        &browser,
        &app,
        &format!("/desk/channels/{newsletter}/retire"),
        &[("csrf", &csrf), ("retired", "false")],
    )
    .await;
    assert_eq!(restored.status(), 303);
    let (_, list) = send(&app, &editor, "GET", "/api/v1/desk/channels", None).await;
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Evening newsletter", "Print edition", "Syndication partners"]);
    let partners = &list["items"][2]["partners"];
    assert_eq!(partners, &json!(["a@partner.example", "b@partner.example"]));
    let reader = app.signed_in(&editor).await;
    let (status, html) = page(&reader, &app, "/desk/channels").await;
    assert_eq!(status, 200);
    assert!(html.contains("Print edition") && !html.contains("Add a channel"), "editors read the list only");
    app.deliver_mail().await;
}

async fn ticked_channels_become_a_checklist_that_editors_mark_done(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let standards = app.user(Role::StandardsEditor);
    let editor = app.user(Role::Editor);
    let auditor = app.user(Role::Auditor);
    let newsletter = add_channel(&app, &standards, json!({"name": "Morning newsletter", "kind": "newsletter"})).await;
    let social = add_channel(&app, &standards, json!({"name": "Social accounts", "kind": "social"})).await;
    let print = add_channel(&app, &standards, json!({"name": "Print edition", "kind": "print"})).await;

    let published = publish(&app, &editor, &correction(&[newsletter, social, newsletter])).await;
    let id = published["id"].as_i64().unwrap();
    let checklist = published["channels"].as_array().unwrap();
    assert_eq!(checklist.len(), 2, "one item per channel ticked: {published}");
    assert!(checklist.iter().all(|i| i["done"] == false && i["done_at"].is_null()));

    // With a link, then without; marking twice is refused with 409 saying who did it.
    let path = format!("/api/v1/desk/corrections/{id}/channels/{newsletter}");
    let link = json!({"link": "https://news.example/newsletter/2024-12-21"});
    let (status, item) = send(&app, &editor, "POST", &path, Some(&link)).await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["done"], true);
    assert_eq!(item["done_via"], "staff");
    assert_eq!(item["done_by"], editor.actor.name.as_str());
    assert_eq!(item["link"], "https://news.example/newsletter/2024-12-21");
    assert!(item["done_at"].as_str().unwrap().ends_with('Z'));
    let (status, again) = send(&app, &standards, "POST", &path, Some(&json!({}))).await;
    assert_eq!(status, 409, "{again}");
    assert!(again["error"]["message"].as_str().unwrap().contains(&editor.actor.name), "{again}");

    let social_path = format!("/api/v1/desk/corrections/{id}/channels/{social}");
    for bad in ["javascript:alert(1)", "ftp://news.example/x", "not a link", "https://user:pw@news.example/"] {
        let (status, refused) = send(&app, &editor, "POST", &social_path, Some(&json!({"link": bad}))).await;
        assert_eq!((status, field(&refused)), (422, "link"), "{bad}: {refused}");
    }
    let (status, _) = send(&app, &auditor, "POST", &social_path, Some(&json!({}))).await;
    assert_eq!(status, 403, "auditors read, they do not mark");
    let (status, item) = send(&app, &editor, "POST", &social_path, Some(&json!({}))).await;
    assert_eq!((status, item["link"].clone()), (200, Value::Null), "{item}");
    let (status, _) =
        send(&app, &editor, "POST", &format!("/api/v1/desk/corrections/{id}/channels/{print}"), Some(&json!({}))).await;
    assert_eq!(status, 404, "print was not ticked");
    let (status, _) =
        send(&app, &editor, "POST", &format!("/api/v1/desk/corrections/999999/channels/{social}"), Some(&json!({})))
            .await;
    assert_eq!(status, 404);
    let (status, _) =
        send(&app, &editor, "POST", &format!("/api/v1/desk/corrections/{id}/channels/abc"), Some(&json!({}))).await;
    assert_eq!(status, 404);

    // The auditor's view: the checklist over the API, the events in the audit trail, the page.
    let (status, list) = send(&app, &auditor, "GET", &format!("/api/v1/desk/corrections/{id}/channels"), None).await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(
        items.iter().map(|i| i["name"].as_str().unwrap()).collect::<Vec<_>>(),
        ["Morning newsletter", "Social accounts"]
    );
    assert!(items.iter().all(|i| i["done"] == true));
    let (status, _) = send(&app, &auditor, "GET", "/api/v1/desk/corrections/999999/channels", None).await;
    assert_eq!(status, 404);
    let events = audit_events(&app, "channel_done").await;
    assert_eq!(events.len(), 2);
    let marked = events.iter().find(|e| e["payload"]["channel_id"] == newsletter).unwrap();
    assert_eq!(marked["payload"]["correction_id"], id);
    assert_eq!(marked["payload"]["via"], "staff");
    assert_eq!(marked["payload"]["link"], "https://news.example/newsletter/2024-12-21");
    assert_eq!(marked["actor"], editor.actor.name.as_str());
    let browser = app.signed_in(&auditor).await;
    let (_, trail) = page(&browser, &app, "/audit?kind=channel_done").await;
    assert!(trail.contains(&format!("href=\"/desk/corrections/{id}\"")), "the trail leads to the checklist");
    assert!(trail.contains("marked as sent to Morning newsletter"), "{trail}");
    let (status, html) = page(&browser, &app, &format!("/desk/corrections/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Where the error went")
            && html.contains("Morning newsletter")
            && html.contains("Social accounts")
    );
    assert!(html.contains(&format!("Marked by {}", editor.actor.name)), "who and when");
    assert!(html.contains("href=\"https://news.example/newsletter/2024-12-21\""));
    assert!(!html.contains("Mark as corrected there"), "nothing left to mark, and auditors never can");
    app.deliver_mail().await;
}

async fn the_drafting_form_ticks_channels_and_the_desk_lists_open_items(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let standards = app.user(Role::StandardsEditor);
    let editor = app.user(Role::Editor);
    let push = add_channel(&app, &standards, json!({"name": "Push alerts", "kind": "push"})).await;
    let retired = add_channel(&app, &standards, json!({"name": "Old app", "kind": "other"})).await;
    send(
        &app,
        &standards,
        "PUT",
        &format!("/api/v1/desk/channels/{retired}"),
        Some(&json!({"name": "Old app", "retired": true})),
    )
    .await;

    let browser = app.signed_in(&editor).await;
    let (status, form) = page(&browser, &app, "/desk/corrections/new?article=kursk").await;
    assert_eq!(status, 200);
    assert!(form.contains(&format!("name=\"channels\" value=\"{push}\"")), "the form offers the channels");
    assert!(!form.contains("Old app"), "retired channels are not offered");
    let csrf = csrf_in(&form);
    let push_value = push.to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("article_id", "kursk"),
        ("kind", "correction"),
        ("text", TEXT),
        ("channels", push_value.as_str()),
        ("publish", "1"),
    ];
    let posted = post_form(&browser, &app, "/desk/corrections", &fields).await;
    assert_eq!(posted.status(), 303);
    let location = posted.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location.split("correction=").nth(1).unwrap().parse().unwrap();
    let bad: Vec<(&str, &str)> = fields.iter().map(|&(k, v)| if k == "channels" { (k, "x") } else { (k, v) }).collect();
    let refused = post_form(&browser, &app, "/desk/corrections", &bad).await;
    assert_eq!(refused.status(), 422, "a channel that is not a number is named");

    // The approvals page lists it until every item is done.
    let (_, desk) = page(&browser, &app, "/desk/corrections").await;
    assert!(desk.contains("Still to correct elsewhere"));
    assert!(desk.contains(&format!("href=\"/desk/corrections/{id}\"")) && desk.contains("Push alerts"), "{desk}");
    let (status, html) = page(&browser, &app, &format!("/desk/corrections/{id}")).await;
    assert_eq!(status, 200);
    let action = format!("/desk/corrections/{id}/channels/{push}");
    assert!(html.contains(&format!("action=\"{action}\"")), "{html}");
    let csrf = csrf_in(&html);
    let refused = post_form(&browser, &app, &action, &[("csrf", &csrf), ("link", "javascript:alert(1)")]).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("must be a web address") && body.contains("javascript:alert(1)"),
        "the error and what was typed"
    );
    let marked = post_form(&browser, &app, &action, &[("csrf", &csrf), ("link", "https://news.example/push/1")]).await;
    assert_eq!(marked.status(), 303);
    let (_, html) = page(&browser, &app, &format!("/desk/corrections/{id}?done=marked")).await;
    assert!(
        html.contains("Marked: the correction reached that channel.") && html.contains("https://news.example/push/1")
    );
    let twice = post_form(&browser, &app, &action, &[("csrf", &csrf), ("link", "")]).await;
    assert_eq!(twice.status(), 409, "marking twice is refused on the page too");
    let (_, desk) = page(&browser, &app, "/desk/corrections").await;
    assert!(!desk.contains(&format!("href=\"/desk/corrections/{id}\"")), "done items leave the list");
    assert!(desk.contains("Every published correction reached every channel"));
    app.deliver_mail().await;
}

async fn syndication_partners_get_the_corrective_and_the_item_is_done_on_delivery(backend: Backend) {
    let smtp = Smtp::start();
    let url = smtp.url();
    let app = TestApp::spawn_with(backend, move |s| s.smtp_url = Some(url)).await;
    app.article().await;
    let standards = app.user(Role::StandardsEditor);
    let editor = app.user(Role::Editor);
    let wire = add_channel(
        &app,
        &standards,
        json!({"name": "Wire partners", "kind": "syndication", "partners": ["desk@one.example", "news@two.example"]}),
    )
    .await;
    let social = add_channel(&app, &standards, json!({"name": "Social accounts", "kind": "social"})).await;

    let published = publish(&app, &editor, &correction(&[wire, social])).await;
    let id = published["id"].as_i64().unwrap();
    assert_eq!(published["channels"].as_array().unwrap().len(), 2);
    // The correctives are queued with the publication: two emails are out for the wire's item.
    let (_, list) = send(&app, &editor, "GET", &format!("/api/v1/desk/corrections/{id}/channels"), None).await;
    let item = list["items"].as_array().unwrap().iter().find(|i| i["channel_id"] == wire).unwrap().clone();
    assert_eq!((item["done"].as_bool(), item["outstanding"].as_i64()), (Some(false), Some(2)), "{item}");
    let browser = app.signed_in(&editor).await;
    let (_, html) = page(&browser, &app, &format!("/desk/corrections/{id}")).await;
    assert!(html.contains("Waiting for 2 emails to be delivered"), "{html}");

    app.deliver_mail().await;
    for partner in ["desk@one.example", "news@two.example"] {
        let mails = smtp.to(partner);
        assert_eq!(mails.len(), 1, "one corrective to {partner}");
        let subject = mails[0].header("Subject").unwrap();
        assert!(subject.starts_with("CORRECTIVE: Russians Appear to Commit"), "{subject}");
        let (text, html) = mails[0].parts();
        for part in [TEXT, ORIGINAL, CORRECTED, "https://news.example/world/kursk", "CORRECTIVE:"] {
            assert!(text.contains(part), "{part} in {text}");
        }
        assert!(html.contains("https://news.example/world/kursk"));
    }
    let (_, list) = send(&app, &editor, "GET", &format!("/api/v1/desk/corrections/{id}/channels"), None).await;
    let items = list["items"].as_array().unwrap();
    let wire_item = items.iter().find(|i| i["channel_id"] == wire).unwrap();
    assert_eq!(wire_item["done"], true, "{wire_item}");
    assert_eq!(wire_item["done_via"], "mail");
    assert_eq!(wire_item["done_by"], Value::Null);
    assert_eq!(wire_item["outstanding"], 0);
    assert!(wire_item["done_at"].is_string());
    let social_item = items.iter().find(|i| i["channel_id"] == social).unwrap();
    assert_eq!(social_item["done"], false, "a channel without addresses waits for an editor");
    let events = audit_events(&app, "channel_done").await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0]["actor_kind"].as_str(), events[0]["payload"]["via"].as_str()),
        (Some("system"), Some("mail"))
    );
    // Marking what the mail did is refused like any second mark.
    let (status, _) =
        send(&app, &editor, "POST", &format!("/api/v1/desk/corrections/{id}/channels/{wire}"), Some(&json!({}))).await;
    assert_eq!(status, 409);
    let (_, html) = page(&browser, &app, &format!("/desk/corrections/{id}")).await;
    assert!(html.contains("Emailed to every partner, delivered"), "{html}");
    // Delivering again sends nothing twice.
    app.deliver_mail().await;
    assert_eq!(smtp.to("desk@one.example").len(), 1);
}

async fn approval_and_a_redraft_keep_the_ticks(backend: Backend) {
    let smtp = Smtp::start();
    let url = smtp.url();
    let app = TestApp::spawn_with(backend, move |s| s.smtp_url = Some(url)).await;
    app.article().await;
    let standards = app.user(Role::StandardsEditor);
    let approver = app.user(Role::StandardsEditor);
    let author = app.user(Role::Editor);
    let wire = add_channel(
        &app,
        &standards,
        json!({"name": "Wire partners", "kind": "syndication", "partners": ["desk@one.example"]}),
    )
    .await;
    let print = add_channel(&app, &standards, json!({"name": "Print edition", "kind": "print"})).await;
    let retraction = |channels: &[i64]| {
        json!({"article_id": "kursk", "kind": "retraction", "channels": channels,
            "text": "This article is retracted: its central claim does not stand."})
    };

    // Held for approval: the ticks are on the draft, nothing goes out yet, nothing can be marked.
    let pending = publish(&app, &author, &retraction(&[wire, print])).await;
    let id = pending["id"].as_i64().unwrap();
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["channels"].as_array().unwrap().len(), 2);
    let (status, _) =
        send(&app, &author, "POST", &format!("/api/v1/desk/corrections/{id}/channels/{print}"), Some(&json!({}))).await;
    assert_eq!(status, 409, "a pending correction has not gone anywhere");
    app.deliver_mail().await;
    assert!(smtp.to("desk@one.example").is_empty(), "no corrective before publication");
    let browser = app.signed_in(&author).await;
    let (_, desk) = page(&browser, &app, "/desk/corrections").await;
    assert!(!desk.contains(&format!("href=\"/desk/corrections/{id}\"")), "pending corrections have no open items yet");

    let (status, approved) =
        send(&app, &approver, "POST", &format!("/api/v1/desk/corrections/{id}/approval"), None).await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["channels"].as_array().unwrap().len(), 2, "approval keeps the ticks");
    app.deliver_mail().await;
    assert_eq!(smtp.to("desk@one.example").len(), 1, "the partner hears once it is published");
    let (_, list) = send(&app, &author, "GET", &format!("/api/v1/desk/corrections/{id}/channels"), None).await;
    let done: Vec<bool> = list["items"].as_array().unwrap().iter().map(|i| i["done"].as_bool().unwrap()).collect();
    assert_eq!(done, [false, true], "print open, the wire done by mail: {list}");

    // Returned to its author: the drafting form starts from it, ticks included.
    let second = publish(&app, &author, &retraction(&[print])).await;
    let second_id = second["id"].as_i64().unwrap();
    let (status, _) = send(
        &app,
        &approver,
        "POST",
        &format!("/api/v1/desk/corrections/{second_id}/return"),
        Some(&json!({"reason": "Name the ruling."})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, form) = page(&browser, &app, &format!("/desk/corrections/new?returned={second_id}")).await;
    assert!(form.contains(&format!("name=\"channels\" value=\"{print}\" checked")), "the redraft keeps the ticks");
    assert!(!form.contains(&format!("name=\"channels\" value=\"{wire}\" checked")));
    let mut redraft = retraction(&[print]);
    redraft["redrafts"] = json!(second_id);
    let redrafted = publish(&app, &author, &redraft).await;
    assert_eq!(redrafted["channels"][0]["channel_id"], print);
    app.deliver_mail().await;
}

async fn the_public_log_names_the_other_channels_only_when_asked(backend: Backend) {
    for shown in [false, true] {
        let app = TestApp::spawn_with(backend, move |s| s.show_channels = shown.to_string()).await;
        app.article().await;
        let standards = app.user(Role::StandardsEditor);
        let editor = app.user(Role::Editor);
        let newsletter = add_channel(&app, &standards, json!({"name": "Newsletter", "kind": "newsletter"})).await;
        let social = add_channel(&app, &standards, json!({"name": "Social", "kind": "social"})).await;
        let print = add_channel(&app, &standards, json!({"name": "Print", "kind": "print"})).await;
        let published = publish(&app, &editor, &correction(&[newsletter, social, print])).await;
        let id = published["id"].as_i64().unwrap();
        let log = |app: &TestApp| {
            let url = app.url("/articles/kursk/corrections");
            async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
        };
        assert!(!log(&app).await.contains("Also corrected in"), "nothing reached yet");
        for channel in [social, newsletter] {
            let path = format!("/api/v1/desk/corrections/{id}/channels/{channel}");
            assert_eq!(send(&app, &editor, "POST", &path, Some(&json!({}))).await.0, 200);
        }
        let html = log(&app).await;
        if shown {
            // The cached page is renewed by the marks.
            assert!(html.contains("Also corrected in: Newsletter, Social"), "{html}");
            assert!(!html.contains("Print"), "open items are not named");
        } else {
            assert!(!html.contains("Also corrected in"), "off unless the publisher turns it on");
        }
        app.deliver_mail().await;
    }
}

async fn the_demo_seeds_channels_and_a_correction_still_to_send(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for _ in 0..2 {
        let output = app.cli(&["demo"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let editor = app.user(Role::Editor);
    let (_, list) = send(&app, &editor, "GET", "/api/v1/desk/channels", None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 5, "seeded once: {list}");
    let browser = app.signed_in(&editor).await;
    let (_, desk) = page(&browser, &app, "/desk/corrections").await;
    assert!(desk.contains("Still to reach: </strong>Morning newsletter, Social accounts"), "{desk}");
    // The demo ran on the system clock: its mail is due from then.
    app.catch_up_with_the_system_clock();
    app.deliver_mail().await;
}
