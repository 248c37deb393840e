//! The ticket's actions and saved responses: who keeps them, the placeholders, picking one
//! on a ticket without script, and the tracking link that only the mail fills in.

use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{csrf_in, Backend, TestApp};
use crate::smtp::Smtp;

both_backends!(
    saved_responses_are_read_by_all_staff_and_kept_by_standards_editors,
    unknown_placeholders_and_bad_fields_are_422_naming_the_field,
    a_title_another_response_has_is_a_409_conflict,
    standards_editors_keep_saved_responses_on_their_page,
    a_saved_response_fills_the_reason_on_the_ticket_and_the_mail_fills_the_link,
    the_ticket_leads_with_one_action_and_speaks_from_the_desks_side,
);

fn response_json(title: &str, purpose: &str, body: &str) -> Value {
    json!({"title": title, "purpose": purpose, "body": body})
}

async fn a_title_another_response_has_is_a_409_conflict(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let sam = app.user(Role::StandardsEditor);
    let url = app.url("/api/v1/desk/responses");
    let first = response_json("Ask for a source", "question", "Which source do you mean?");
    assert_eq!(app.client.post(&url).bearer_auth(&sam.token).json(&first).send().await.unwrap().status(), 201);
    let other = response_json("Thanks", "decision", "Thank you for writing.");
    let other: Value =
        app.client.post(&url).bearer_auth(&sam.token).json(&other).send().await.unwrap().json().await.unwrap();

    let again = app.client.post(&url).bearer_auth(&sam.token).json(&first).send().await.unwrap();
    assert_eq!(again.status(), 409);
    let renamed = app
        .client
        .put(app.url(&format!("/api/v1/desk/responses/{}", other["id"])))
        .bearer_auth(&sam.token)
        .json(&response_json("Ask for a source", "decision", "Thank you for writing."))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 409);
    let error: Value = renamed.json().await.unwrap();
    assert_eq!(error["error"]["code"], "conflict");
    assert!(error["error"]["message"].as_str().unwrap().contains("already used"));
}

async fn saved_responses_are_read_by_all_staff_and_kept_by_standards_editors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let sam = app.user(Role::StandardsEditor);
    let erin = app.user(Role::Editor);
    let auditor = app.user(Role::Auditor);
    let url = app.url("/api/v1/desk/responses");
    let body = response_json("Ask for a source", "question", "Dear {reader_name}, which source do you mean?");

    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(app.client.post(&url).json(&body).send().await.unwrap().status(), 401);
    for who in [&erin, &auditor] {
        let refused = app.client.post(&url).bearer_auth(&who.token).json(&body).send().await.unwrap();
        assert_eq!(refused.status(), 403, "{}", who.email);
    }

    let created = app.client.post(&url).bearer_auth(&sam.token).json(&body).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["purpose"], "question");
    assert_eq!(created["body"], "Dear {reader_name}, which source do you mean?");

    for who in [&erin, &auditor, &sam] {
        let list: Value = app.client.get(&url).bearer_auth(&who.token).send().await.unwrap().json().await.unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "{} reads the list", who.email);
        assert_eq!(list["items"][0]["title"], "Ask for a source");
    }

    let one = app.url(&format!("/api/v1/desk/responses/{id}"));
    let changed = response_json("The passage stands", "decision", "We checked {article_title}: it is right.");
    assert_eq!(app.client.put(&one).bearer_auth(&erin.token).json(&changed).send().await.unwrap().status(), 403);
    assert_eq!(app.client.delete(&one).bearer_auth(&auditor.token).send().await.unwrap().status(), 403);
    let put = app.client.put(&one).bearer_auth(&sam.token).json(&changed).send().await.unwrap();
    assert_eq!(put.status(), 200);
    let put: Value = put.json().await.unwrap();
    assert_eq!((put["id"].as_i64(), put["purpose"].as_str()), (Some(id), Some("decision")));
    let missing = app.url("/api/v1/desk/responses/999999");
    assert_eq!(app.client.put(&missing).bearer_auth(&sam.token).json(&changed).send().await.unwrap().status(), 404);

    assert_eq!(app.client.delete(&one).bearer_auth(&sam.token).send().await.unwrap().status(), 204);
    assert_eq!(app.client.delete(&one).bearer_auth(&sam.token).send().await.unwrap().status(), 404);
    let list: Value = app.client.get(&url).bearer_auth(&erin.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"], json!([]));
}

async fn unknown_placeholders_and_bad_fields_are_422_naming_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let sam = app.user(Role::StandardsEditor);
    let url = app.url("/api/v1/desk/responses");
    let post = |body: Value| app.client.post(&url).bearer_auth(&sam.token).json(&body).send();
    for (body, field, says) in [
        (response_json("Ask", "question", "Dear {name}, which source?"), "body", "{name}"),
        (response_json("Ask {reader}", "question", "Which source?"), "title", "{reader}"),
        (response_json("Ask", "answer", "Which source?"), "purpose", "question"),
        (response_json(" ", "question", "Which source?"), "title", "required"),
        (response_json("Ask", "question", "  "), "body", "required"),
        (json!({"title": "Ask", "purpose": "question", "body": "x", "colour": "red"}), "colour", ""),
    ] {
        let response = post(body.clone()).await.unwrap();
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["field"], field, "{body}");
        assert!(error["error"]["message"].as_str().unwrap().contains(says), "{error}");
    }
    assert_eq!(post(response_json("Ask", "question", "Which source?")).await.unwrap().status(), 201);
    let twice = post(response_json("Ask", "decision", "Other words.")).await.unwrap();
    assert_eq!(twice.status(), 409, "titles are unique: another response's title is a conflict, not a bad field");
}

async fn standards_editors_keep_saved_responses_on_their_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let sam = app.user(Role::StandardsEditor);
    let erin = app.user(Role::Editor);
    let browser = app.signed_in(&sam).await;
    let standards = browser.get(app.url("/desk/standards")).send().await.unwrap().text().await.unwrap();
    assert!(standards.contains("href=\"/desk/responses\""), "linked from the standards page");
    let page = browser.get(app.url("/desk/responses")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("There are no saved responses yet."));
    let csrf = csrf_in(&page);
    let refused = browser
        .post(app.url("/desk/responses"))
        .form(&[("title", "Ask"), ("purpose", "question"), ("body", "Dear {name}"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("{name}") && refused.contains("value=\"Ask\""), "the error, and the form kept");
    let saved = browser
        .post(app.url("/desk/responses"))
        .form(&[("title", "Ask for a source"), ("purpose", "question"), ("body", "Which source?"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let id: i64 = app.db.read_blocking(|c| Ok(corrigenda::db::models::SavedResponse::all(c)?[0].id)).unwrap();
    let edit = browser.get(app.url(&format!("/desk/responses/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(edit.contains("value=\"Ask for a source\"") && edit.contains(">\nWhich source?</textarea>"));
    let changed = browser
        .post(app.url(&format!("/desk/responses/{id}")))
        .form(&[("title", "Ask for the source"), ("purpose", "question"), ("body", "Which one?"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 303);
    let page = browser.get(app.url("/desk/responses")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Ask for the source") && page.contains("Which one?"));

    // Editors read the list but have no forms, and cannot post.
    let editor = app.signed_in(&erin).await;
    let page = editor.get(app.url("/desk/responses")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Ask for the source") && !page.contains("/delete"));
    let editor_csrf = csrf_in(&page);
    let post = editor.post(app.url(&format!("/desk/responses/{id}/delete"))).form(&[("csrf", &editor_csrf)]);
    assert_eq!(post.send().await.unwrap().status(), 403);
    assert_eq!(editor.get(app.url(&format!("/desk/responses/{id}"))).send().await.unwrap().status(), 403);

    let deleted =
        browser.post(app.url(&format!("/desk/responses/{id}/delete"))).form(&[("csrf", &csrf)]).send().await.unwrap();
    assert_eq!(deleted.status(), 303);
    let page = browser.get(app.url("/desk/responses")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("There are no saved responses yet."));
}

async fn a_saved_response_fills_the_reason_on_the_ticket_and_the_mail_fills_the_link(backend: Backend) {
    let smtp = Smtp::start();
    let url = smtp.url();
    let app = TestApp::spawn_with(backend, move |s| s.smtp_url = Some(url)).await;
    let (id, token) = app.filed().await;
    let sam = app.user(Role::StandardsEditor);
    let question =
        "Dear {reader_name}, about \u{201c}{article_title}\u{201d}: which source? Answer at {tracking_link}.";
    let create =
        |body: Value| app.client.post(app.url("/api/v1/desk/responses")).bearer_auth(&sam.token).json(&body).send();
    let asked: Value =
        create(response_json("Ask for a source", "question", question)).await.unwrap().json().await.unwrap();
    let decided: Value =
        create(response_json("It stands", "decision", "We checked it.")).await.unwrap().json().await.unwrap();
    let (ask_id, decide_id) = (asked["id"].as_i64().unwrap(), decided["id"].as_i64().unwrap());

    let erin = app.user(Role::Editor);
    let browser = app.signed_in(&erin).await;
    let ticket_url = app.url(&format!("/desk/reports/{id}"));
    let page = browser.get(&ticket_url).send().await.unwrap().text().await.unwrap();
    // Each move's picker offers only the responses for it.
    let picker = |page: &str, to: &str| {
        let start = page.find(&format!("id=\"field-response-{to}\"")).unwrap();
        page[start..start + page[start..].find("</select>").unwrap()].to_owned()
    };
    assert!(
        picker(&page, "needs_info").contains("Ask for a source") && !picker(&page, "needs_info").contains("It stands")
    );
    assert!(picker(&page, "no_change").contains("It stands") && !picker(&page, "no_change").contains("Ask for"));
    assert!(page.contains(&format!("action=\"/desk/reports/{id}#move-needs_info\"")));

    // "Use" reloads the ticket with the response filled in for this report.
    let used =
        browser.get(app.url(&format!("/desk/reports/{id}?to=needs_info&response={ask_id}"))).send().await.unwrap();
    assert_eq!(used.status(), 200);
    let used = used.text().await.unwrap();
    let filled = "Dear Ada Reader, about \u{201c}Russians Appear to Commit Disturbing Act to Faces of Dead North \
                  Koreans\u{201d}: which source? Answer at {tracking_link}.";
    assert!(used.contains(&format!("aria-describedby=\"hint-reason-needs_info\">\n{filled}</textarea>")), "{used}");
    assert!(used.contains("{tracking_link} becomes a link to the reader's report in the email"));
    // A response for another purpose, or one that is gone, is refused on the page.
    let wrong =
        browser.get(app.url(&format!("/desk/reports/{id}?to=needs_info&response={decide_id}"))).send().await.unwrap();
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("The saved response is a reason for a decision"));
    let gone = browser.get(app.url(&format!("/desk/reports/{id}?to=needs_info&response=999999"))).send().await.unwrap();
    assert_eq!(gone.status(), 422);

    // Sending it: the reader's mail carries a fresh tracking link in its place, the
    // tracking page says "this page", and staff see what was written.
    let csrf = csrf_in(&used);
    let sent = browser
        .post(app.url(&format!("/desk/reports/{id}/transitions")))
        .form(&[("to", "needs_info"), ("version", "1"), ("reason", filled), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    assert_eq!(app.deliver_mail().await, 2, "the receipt and the question");
    let mails = smtp.received();
    let (text, _) = mails[1].parts();
    assert!(!text.contains("{tracking_link}"), "{text}");
    let answer_at = text.find("Answer at ").unwrap() + "Answer at ".len();
    let link = text[answer_at..].split_whitespace().next().unwrap().trim_end_matches('.').to_owned();
    assert!(link.starts_with(&app.url("/reports/")), "{text}");
    assert_eq!(app.client.get(&link).send().await.unwrap().status(), 200, "the link is a live tracking link");
    let tracking: Value =
        app.client.get(app.url(&format!("/api/v1/reports/{token}"))).send().await.unwrap().json().await.unwrap();
    let shown = tracking["question"].as_str().unwrap();
    assert!(shown.ends_with("Answer at this page.") && shown.starts_with("Dear Ada Reader"), "{shown}");
}

async fn the_ticket_leads_with_one_action_and_speaks_from_the_desks_side(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.filed().await;
    let erin = app.user(Role::Editor);
    let browser = app.signed_in(&erin).await;
    let ticket_url = app.url(&format!("/desk/reports/{id}"));
    let page = browser.get(&ticket_url).send().await.unwrap().text().await.unwrap();
    let actions = &page[page.find("id=\"actions-heading\"").unwrap()..];
    assert!(actions.contains("<button class=\"button\" type=\"submit\">Start review</button>"));
    assert_eq!(actions.matches("class=\"button\"").count(), 1, "one primary action");
    assert!(actions.contains("<button class=\"button button-danger\" type=\"submit\">Reject the report</button>"));
    assert!(!actions.contains("field-reason-triaged") && !actions.contains("field-reason-in_review"));

    // A refused move says what to do in words, and keeps what was typed.
    let csrf = csrf_in(&page);
    let refused = browser
        .post(app.url(&format!("/desk/reports/{id}/transitions")))
        .form(&[("to", "duplicate"), ("version", "1"), ("reason", "Same passage as the other one."), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("required>\nSame passage as the other one.</textarea>"), "the reason is kept");
    let empty = browser
        .post(app.url(&format!("/desk/reports/{id}/transitions")))
        .form(&[("to", "needs_info"), ("version", "1"), ("reason", " "), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    let empty = empty.text().await.unwrap();
    assert!(empty.contains("Reason is required: give the question for the reader."), "{empty}");
    assert!(!empty.contains("needs_info:"), "no internal code in the message");
    let api = app.move_report(&app.token, id, json!({"to": "appealed", "version": 1})).await;
    let message = api.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().to_owned();
    assert!(!message.contains("in_review") && !message.contains("needs_info"), "{message}");
    assert!(message.contains("\u{201c}Waiting for the reader\u{201d}"), "{message}");

    // Waiting on the reader: staff read it from their side, the reader keeps theirs.
    let asked = browser
        .post(app.url(&format!("/desk/reports/{id}/transitions")))
        .form(&[("to", "needs_info"), ("version", "1"), ("reason", "Which source?"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 303);
    let page = browser.get(&ticket_url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Waiting for the reader</span>") && !page.contains("Needs information from you"));
    assert!(page.contains("Received \u{2192} Waiting for the reader"), "the timeline");
    let queue = browser.get(app.url("/desk")).send().await.unwrap().text().await.unwrap();
    assert!(queue.contains("Waiting for the reader") && !queue.contains("Needs information from you"));
    let tracking = app.client.get(app.url(&format!("/reports/{token}"))).send().await.unwrap().text().await.unwrap();
    assert!(tracking.contains("Needs information from you") && !tracking.contains("Waiting for the reader"));
    app.deliver_mail().await;
}
