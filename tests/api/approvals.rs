//! No dead ends in approval: returning a pending correction to its author, withdrawing it,
//! drafting it again, and refusing to hold one for approval when nobody could approve it.

use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{csrf_in, Backend, TestApp, TestUser};
use crate::smtp::Smtp;

both_backends!(
    a_returned_correction_reaches_its_author_and_is_sent_again,
    return_and_withdraw_refuse_others_unknown_settled_and_reasonless,
    nothing_is_held_for_approval_that_nobody_could_approve,
    the_approvals_page_returns_and_withdraws_and_the_header_counts,
);

const RETRACTION_TEXT: &str = "This article has been retracted because its central claim does not stand.";

fn retraction(report: Option<i64>) -> Value {
    json!({
        "article_id": "kursk",
        "kind": "retraction",
        "text": RETRACTION_TEXT,
        "report_ids": report.into_iter().collect::<Vec<_>>(),
    })
}

async fn post(app: &TestApp, user: &TestUser, path: &str, body: &Value) -> reqwest::Response {
    app.client.post(app.url(path)).bearer_auth(&user.token).json(body).send().await.unwrap()
}

async fn draft(app: &TestApp, user: &TestUser, body: &Value) -> Value {
    let response = post(app, user, "/api/v1/desk/corrections", body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn stop(app: &TestApp, user: &TestUser, id: i64, how: &str, reason: Option<&str>) -> reqwest::Response {
    let body = match reason {
        Some(r) => json!({ "reason": r }),
        None => json!({}),
    };
    post(app, user, &format!("/api/v1/desk/corrections/{id}/{how}"), &body).await
}

async fn audit(app: &TestApp, kind: &str) -> Vec<Value> {
    let auditor = app.user(Role::Auditor);
    let page: Value = app
        .client
        .get(app.url(&format!("/api/v1/audit/events?kind={kind}")))
        .bearer_auth(&auditor.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

async fn public_count(app: &TestApp) -> usize {
    let log: Value =
        app.client.get(app.url("/api/v1/articles/kursk/corrections")).send().await.unwrap().json().await.unwrap();
    log["corrections"].as_array().unwrap().len()
}

async fn a_returned_correction_reaches_its_author_and_is_sent_again(backend: Backend) {
    let smtp = Smtp::start();
    let url = smtp.url();
    let app = TestApp::spawn_with(backend, move |s| s.smtp_url = Some(url)).await;
    let (report, _) = app.filed().await;
    let author = app.user(Role::Editor);
    let approver = app.user(Role::StandardsEditor);
    let pending = draft(&app, &author, &retraction(Some(report))).await;
    let id = pending["id"].as_i64().unwrap();
    assert_eq!(app.state_of(report).0, "awaiting_approval");

    let returned = stop(&app, &approver, id, "return", Some("Cite the ruling by its date.")).await;
    assert_eq!(returned.status(), 200);
    let body: Value = returned.json().await.unwrap();
    assert_eq!(body["status"], "returned");
    assert_eq!(body["hash"], Value::Null);
    assert_eq!(app.state_of(report).0, "in_review", "the ticket is workable again");
    assert_eq!(public_count(&app).await, 0, "a returned correction never enters the public log");
    let site: Value = app.client.get(app.url("/api/v1/corrections")).send().await.unwrap().json().await.unwrap();
    assert!(site["items"].as_array().unwrap().is_empty());

    app.deliver_mail().await;
    let mails = smtp.to(&author.email);
    let mail = mails.iter().find(|m| m.header("Subject").unwrap().contains(&format!("#{id} was returned"))).unwrap();
    let (text, _) = mail.parts();
    assert!(text.contains("Cite the ruling by its date."), "{text}");
    assert!(text.contains(&app.url(&format!("/desk/corrections/new?returned={id}"))), "{text}");

    let events = audit(&app, "correction_returned").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["payload"]["correction_id"], id);
    assert_eq!(events[0]["payload"]["reason"], "Cite the ruling by its date.");
    let ticket: Value = app
        .client
        .get(app.url(&format!("/api/v1/desk/reports/{report}")))
        .bearer_auth(&author.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(ticket.to_string().contains("Cite the ruling by its date"), "the ticket's history says why");

    // The author finds it on the desk and opens it again, pre-filled.
    let browser = app.signed_in(&author).await;
    let desk = browser.get(app.url("/desk/corrections")).send().await.unwrap().text().await.unwrap();
    assert!(desk.contains("Returned to you") && desk.contains("Cite the ruling by its date."), "{desk}");
    let edit = format!("/desk/corrections/new?returned={id}");
    assert!(desk.contains(&edit));
    let from_ticket = browser
        .get(app.url(&format!("/desk/corrections/new?report={report}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        from_ticket.contains(RETRACTION_TEXT) && from_ticket.contains(&format!("name=\"redrafts\" value=\"{id}\"")),
        "from the ticket too, the returned draft is where the next one starts"
    );
    let form = browser.get(app.url(&edit)).send().await.unwrap().text().await.unwrap();
    assert!(form.contains(RETRACTION_TEXT), "the text is pre-filled");
    assert!(form.contains(&format!("name=\"report_ids\" value=\"{report}\"")), "with its reports");
    assert!(form.contains("<option value=\"retraction\" selected>"), "and its kind");
    assert!(form.contains(&format!("name=\"redrafts\" value=\"{id}\"")), "and what it drafts again");
    let csrf = csrf_in(&form);
    let report_text = report.to_string();
    let id_text = id.to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("redrafts", id_text.as_str()),
        ("article_id", "kursk"),
        ("report_ids", report_text.as_str()),
        ("kind", "retraction"),
        ("text", "This article has been retracted: the court ruled on 3 March that its central claim was false."),
        ("supersedes", ""),
        ("publish", "1"),
    ];
    let sent = browser.post(app.url("/desk/corrections")).form(&fields).send().await.unwrap();
    assert_eq!(sent.status(), 303);
    let back = sent.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&format!("/desk/reports/{report}?done=drafted&correction=")), "{back}");
    let ticket_page = browser.get(app.url(&back)).send().await.unwrap().text().await.unwrap();
    let again = id + 1;
    assert!(ticket_page.contains(&format!("Correction #{again} sent for approval.")), "a new draft, a new number");
    assert_eq!(app.state_of(report).0, "awaiting_approval");
    let desk = browser.get(app.url("/desk/corrections")).send().await.unwrap().text().await.unwrap();
    assert!(!desk.contains("Returned to you"), "drafted again, it leaves the list");
    let fresh = browser
        .get(app.url(&format!("/desk/corrections/new?report={report}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!fresh.contains("name=\"redrafts\""), "once drafted again, the ticket starts afresh");
    let twice = post(
        &app,
        &author,
        "/api/v1/desk/corrections",
        &json!({"article_id": "kursk", "kind": "correction",
        "text": "An earlier version misstated the date of the ruling.", "redrafts": id}),
    )
    .await;
    assert_eq!(twice.status(), 422, "a returned correction is drafted again once");
    assert_eq!(twice.json::<Value>().await.unwrap()["error"]["field"], "redrafts");
    let approved = post(&app, &approver, &format!("/api/v1/desk/corrections/{again}/approval"), &json!({})).await;
    assert_eq!(approved.status(), 200);
    assert_eq!(app.state_of(report).0, "corrected");
    assert_eq!(public_count(&app).await, 1);
    app.deliver_mail().await;
}

async fn return_and_withdraw_refuse_others_unknown_settled_and_reasonless(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let (report, _) = app.filed().await;
    let author = app.user(Role::Editor);
    let other_editor = app.user(Role::Editor);
    let standards = app.user(Role::StandardsEditor);
    let _approver = app.user(Role::StandardsEditor);
    let auditor = app.user(Role::Auditor);
    let id = draft(&app, &author, &retraction(Some(report))).await["id"].as_i64().unwrap();

    assert_eq!(stop(&app, &author, id, "return", Some("x")).await.status(), 403, "editors do not return");
    assert_eq!(stop(&app, &other_editor, id, "withdraw", Some("x")).await.status(), 403, "nor withdraw others'");
    assert_eq!(stop(&app, &auditor, id, "withdraw", Some("x")).await.status(), 403);
    assert_eq!(stop(&app, &standards, 9999, "return", Some("x")).await.status(), 404);
    assert_eq!(stop(&app, &standards, 9999, "withdraw", Some("x")).await.status(), 404);
    for reason in [None, Some("   ")] {
        let missing = stop(&app, &standards, id, "return", reason).await;
        assert_eq!(missing.status(), 422);
        let body: Value = missing.json().await.unwrap();
        assert_eq!(body["error"]["field"], "reason");
        assert!(body["error"]["message"].as_str().unwrap().contains("what the author should change"), "{body}");
    }
    assert_eq!(stop(&app, &author, id, "withdraw", None).await.status(), 422);
    assert_eq!(app.state_of(report).0, "awaiting_approval", "nothing changed on a refusal");

    let withdrawn = stop(&app, &author, id, "withdraw", Some("The court has not ruled yet.")).await;
    assert_eq!(withdrawn.status(), 200);
    assert_eq!(withdrawn.json::<Value>().await.unwrap()["status"], "withdrawn");
    assert_eq!(app.state_of(report).0, "in_review");
    for how in ["return", "withdraw"] {
        let late = stop(&app, &standards, id, how, Some("Again")).await;
        assert_eq!(late.status(), 409, "{how}");
        let message = late.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("no longer awaits approval") && message.contains("withdrawn"), "{message}");
    }
    let approve = post(&app, &standards, &format!("/api/v1/desk/corrections/{id}/approval"), &json!({})).await;
    assert_eq!(approve.status(), 409, "a withdrawn correction cannot be approved");
    assert_eq!(public_count(&app).await, 0);
    let events = audit(&app, "correction_withdrawn").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["payload"]["reason"], "The court has not ruled yet.");

    // A standards editor withdraws someone else's; the author may not return their own.
    let (second, _) = app.filed().await;
    let mine = draft(&app, &standards, &retraction(Some(second))).await["id"].as_i64().unwrap();
    let own = stop(&app, &standards, mine, "return", Some("x")).await;
    assert_eq!(own.status(), 403);
    assert!(own.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("withdraw it instead"));
    let theirs = draft(&app, &author, &retraction(None)).await["id"].as_i64().unwrap();
    assert_eq!(stop(&app, &standards, theirs, "withdraw", Some("Duplicate draft.")).await.status(), 200);
    app.deliver_mail().await;
}

async fn nothing_is_held_for_approval_that_nobody_could_approve(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let (report, _) = app.filed().await;
    let editor = app.user(Role::Editor);
    let refused = post(&app, &editor, "/api/v1/desk/corrections", &retraction(Some(report))).await;
    assert_eq!(refused.status(), 409, "no standards editor at all");
    let lone = app.user(Role::StandardsEditor);
    let mut headline = json!({"article_id": "kursk", "kind": "correction", "headline": true,
        "text": "An earlier version of this headline misstated the number of troops."});
    let refused = post(&app, &lone, "/api/v1/desk/corrections", &headline).await;
    assert_eq!(refused.status(), 409, "the only standards editor cannot approve their own");
    let message = refused.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("no other standards editor could approve it"), "{message}");
    assert!(message.contains("corrigenda user add --role standards_editor"), "says how to add one: {message}");
    assert_eq!(app.state_of(report).0, "new", "nothing moved");
    // The editor's retraction can be approved by the lone standards editor.
    let held = post(&app, &editor, "/api/v1/desk/corrections", &retraction(Some(report))).await;
    assert_eq!(held.status(), 201);
    // A disabled standards editor approves nothing.
    let away = app.user(Role::StandardsEditor);
    assert!(app.cli(&["user", "disable", "--email", &away.email]).status.success());
    assert_eq!(post(&app, &lone, "/api/v1/desk/corrections", &headline).await.status(), 409);
    let _second = app.user(Role::StandardsEditor);
    headline["text"] = json!("An earlier version of this headline misstated the number of troops killed.");
    assert_eq!(post(&app, &lone, "/api/v1/desk/corrections", &headline).await.status(), 201);
    // The form says so on the page, at once.
    let browser = app.signed_in(&editor).await;
    let form = browser.get(app.url("/desk/corrections/new?article=kursk")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&form);
    assert!(app.cli(&["user", "disable", "--email", &lone.email]).status.success());
    assert!(app.cli(&["user", "disable", "--email", &_second.email]).status.success());
    let page = browser
        .post(app.url("/desk/corrections"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("article_id", "kursk"),
            ("kind", "retraction"),
            ("text", RETRACTION_TEXT),
            ("preview", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 409);
    assert!(page.text().await.unwrap().contains("corrigenda user add --role standards_editor"));
    app.deliver_mail().await;
}

async fn the_approvals_page_returns_and_withdraws_and_the_header_counts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let author = app.user(Role::Editor);
    let standards = app.user(Role::StandardsEditor);
    let first = draft(&app, &author, &retraction(None)).await["id"].as_i64().unwrap();
    let second = draft(&app, &author, &retraction(None)).await["id"].as_i64().unwrap();
    let browser = app.signed_in(&standards).await;
    let page = browser.get(app.url("/desk/corrections")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(
        "<a href=\"/desk/corrections\">Approvals<span class=\"nav-count\"><span class=\"visually-hidden\">, </span>2<span class=\"visually-hidden\"> waiting</span></span></a>"
    ));
    assert!(page.contains(&format!("action=\"/desk/corrections/{first}/return\"")));
    assert!(page.contains(&format!("action=\"/desk/corrections/{first}/withdraw\"")));
    assert!(page.contains(&format!("id=\"return-reason-{first}\" name=\"reason\"")));
    let csrf = csrf_in(&page);

    let empty = browser
        .post(app.url(&format!("/desk/corrections/{first}/return")))
        .form(&[("csrf", csrf.as_str()), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
    let text = empty.text().await.unwrap();
    assert!(text.contains(&format!("Correction #{first}: A reason is required: say what the author should change.")));
    let returned = browser
        .post(app.url(&format!("/desk/corrections/{first}/return")))
        .form(&[("csrf", csrf.as_str()), ("reason", "Name the ruling.")])
        .send()
        .await
        .unwrap();
    assert_eq!(returned.status(), 303);
    assert_eq!(returned.headers()["location"], "/desk/corrections?done=returned");
    let withdrawn = browser
        .post(app.url(&format!("/desk/corrections/{second}/withdraw")))
        .form(&[("csrf", csrf.as_str()), ("reason", "Drafted twice.")])
        .send()
        .await
        .unwrap();
    assert_eq!(withdrawn.status(), 303);
    let page = browser.get(app.url("/desk/corrections?done=withdrawn")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Withdrawn: it will not be published."));
    assert!(page.contains("<a href=\"/desk/corrections\">Approvals</a>"), "no count when nothing waits");
    assert!(page.contains("Nothing is waiting for approval."));
    let again = browser
        .post(app.url(&format!("/desk/corrections/{second}/withdraw")))
        .form(&[("csrf", csrf.as_str()), ("reason", "Again.")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);

    // The editor sees the Approvals link, can withdraw their own, and cannot return.
    let third = draft(&app, &author, &retraction(None)).await["id"].as_i64().unwrap();
    let editor = app.signed_in(&author).await;
    let page = editor.get(app.url("/desk/corrections")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<span class=\"visually-hidden\">, </span>1<span class=\"visually-hidden\"> waiting"));
    assert!(page.contains(&format!("action=\"/desk/corrections/{third}/withdraw\"")));
    assert!(!page.contains(&format!("action=\"/desk/corrections/{third}/return\"")));
    assert!(page.contains("Returned to you") && page.contains("Name the ruling."));
    app.deliver_mail().await;
}
