//! The review workflow: the move table, versions, concurrency, the reader's steps and duplicates.

use corrigenda::domain::accounts::Role;
use corrigenda::domain::ids::ReportId;
use corrigenda::domain::notices::{Notice, Notices};
use corrigenda::domain::reports::Status;
use corrigenda::domain::workflow::{self, MoveRequest};
use corrigenda::error::AppError;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{report_json, Backend, TestApp};

both_backends!(
    every_state_target_and_role_is_allowed_exactly_as_the_table_says,
    a_stale_version_is_409_naming_who_changed_it,
    concurrent_moves_with_one_version_have_one_winner,
    a_bad_move_is_409_naming_the_allowed_ones,
    a_missing_reason_is_422,
    needs_info_round_trips_through_the_tracking_page,
    a_decision_can_be_appealed_once_and_only_a_standards_editor_decides,
    duplicates_stay_on_one_article_and_never_chain,
    every_action_is_on_the_timeline,
    an_unknown_report_is_404,
    overlapping_passages_are_offered_as_likely_duplicates,
    a_move_reports_what_happened_as_notices_without_sending_anything,
    an_unknown_stored_status_is_an_error_naming_it_never_a_default,
);

/// The staff moves of the README's workflow table, written out here so that a change to the
/// code's table cannot change what is expected: (from, to, who may: "editor" is any editor).
const STAFF_MOVES: &[(&str, &[&str], &str)] = &[
    ("new", &["triaged", "in_review", "needs_info", "no_change", "rejected", "duplicate"], "editor"),
    ("triaged", &["in_review", "needs_info", "no_change", "rejected", "duplicate"], "editor"),
    ("in_review", &["needs_info", "no_change", "rejected", "duplicate"], "editor"),
    ("needs_info", &["in_review", "no_change", "rejected", "duplicate"], "editor"),
    ("duplicate", &["in_review"], "standards_editor"),
    ("appealed", &["in_review", "no_change", "rejected"], "standards_editor"),
];

/// Who the table lets make a staff move, if anyone.
fn allowed_to(from: &str, to: &str) -> Option<&'static str> {
    STAFF_MOVES.iter().find(|(f, tos, _)| *f == from && tos.contains(&to)).map(|(_, _, who)| *who)
}

async fn every_state_target_and_role_is_allowed_exactly_as_the_table_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    // A primary on the same article for `duplicate` moves.
    let primary = app.file_directly();
    let users: Vec<_> = Role::ALL.iter().map(|r| app.user(*r)).collect();
    let standards = users.iter().find(|u| u.actor.role == Role::StandardsEditor).unwrap().actor.clone();
    // A retraction waits for a second standards editor to approve it.
    app.user(Role::StandardsEditor);
    let mut allowed_moves = 0;
    for from in Status::ALL {
        for to in Status::ALL {
            for user in &users {
                // A fresh report taken to `from` by the product's own moves.
                let id = app.file_directly();
                app.reach(id, from.as_str(), &standards);
                let (_, version) = app.state_of(id);
                let request = MoveRequest {
                    to: to.as_str().into(),
                    reason: Some("Checked against the transcript.".into()),
                    version,
                    duplicate_of: Some(primary),
                };
                let now = app.clock.now();
                let actor = user.actor.clone();
                let mut notices = Notices::default();
                let outcome =
                    app.db.write_blocking(|c| workflow::transition(c, id, &actor, &request, &mut notices, now));
                let role = user.actor.role;
                let who = allowed_to(from.as_str(), to.as_str());
                let allowed = match who {
                    Some("editor") => role != Role::Auditor,
                    Some(_) => role == Role::StandardsEditor,
                    None => false,
                };
                let case = format!("{from:?} -> {to:?} as {role:?}");
                match &outcome {
                    Ok(report) => {
                        assert!(allowed, "{case}: allowed, but the table does not say so");
                        assert_eq!(report.status, *to, "{case}");
                        allowed_moves += 1;
                    }
                    // Auditors may not change reports at all; editors not a standards editor's move.
                    Err(AppError::Forbidden(_)) => {
                        assert!(!allowed && (role == Role::Auditor || who == Some("standards_editor")), "{case}: 403")
                    }
                    // A move not in the table is a conflict with the report's state.
                    Err(AppError::Conflict(_)) => {
                        assert!(!allowed && role != Role::Auditor && who.is_none(), "{case}: 409")
                    }
                    Err(other) => panic!("{case}: {other:?}"),
                }
            }
        }
    }
    // Each editor move by both staff roles, each standards move by one.
    assert_eq!(allowed_moves, 2 * (6 + 5 + 4 + 4) + (1 + 3));
    app.deliver_mail().await;
}

async fn a_stale_version_is_409_naming_who_changed_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    let erin = app.user(Role::Editor);
    let first = app.move_report(&erin.token, id, json!({"to": "triaged", "version": 1})).await;
    assert_eq!(first.status(), 200);
    let body: Value = first.json().await.unwrap();
    assert_eq!(body["version"], 2);
    let stale = app.move_report(&app.token, id, json!({"to": "in_review", "version": 1})).await;
    assert_eq!(stale.status(), 409);
    let error: Value = stale.json().await.unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains(&erin.actor.name) && message.contains("reload"), "{message}");
    assert_eq!(app.state_of(id), ("triaged".into(), 2), "nothing overwritten");
    app.deliver_mail().await;
}

async fn concurrent_moves_with_one_version_have_one_winner(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = app.user(Role::Editor);
    let b = app.user(Role::Editor);
    for _ in 0..5 {
        let (id, _) = app.filed().await;
        let body_a = json!({"to": "no_change", "reason": "Accurate as published.", "version": 1});
        let body_b = json!({"to": "rejected", "reason": "Not an error.", "version": 1});
        let (ra, rb) = tokio::join!(app.move_report(&a.token, id, body_a), app.move_report(&b.token, id, body_b));
        let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "exactly one wins");
        let (status, version) = app.state_of(id);
        assert_eq!(version, 2);
        assert!(status == "no_change" || status == "rejected");
        let events: Value = app
            .client
            .get(app.url(&format!("/api/v1/desk/reports/{id}")))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let moves = events["events"].as_array().unwrap().iter().filter(|e| e["kind"] == "status_changed").count();
        assert_eq!(moves, 1, "one event for one move");
    }
    app.deliver_mail().await;
}

async fn a_bad_move_is_409_naming_the_allowed_ones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    let response = app.move_report(&app.token, id, json!({"to": "corrected", "version": 1})).await;
    assert_eq!(response.status(), 409);
    let message = response.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("publishing a correction"), "{message}");
    // The allowed moves are named as staff read them, never by their codes.
    assert!(
        message.contains("\u{201c}Triaged\u{201d}")
            && message.contains("\u{201c}In review\u{201d}")
            && message.contains("\u{201c}Waiting for the reader\u{201d}"),
        "{message}"
    );
    assert!(!message.contains("in_review") && !message.contains("needs_info"), "{message}");
    let unknown = app.move_report(&app.token, id, json!({"to": "closed", "version": 1})).await;
    assert_eq!(unknown.status(), 422);
    assert_eq!(unknown.json::<Value>().await.unwrap()["error"]["field"], "to");
    app.deliver_mail().await;
}

async fn a_missing_reason_is_422(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    for to in ["no_change", "rejected", "needs_info", "duplicate"] {
        let response = app.move_report(&app.token, id, json!({"to": to, "reason": "  ", "version": 1})).await;
        assert_eq!(response.status(), 422, "{to}");
        assert_eq!(response.json::<Value>().await.unwrap()["error"]["field"], "reason", "{to}");
    }
    assert_eq!(app.state_of(id), ("new".into(), 1));
    app.deliver_mail().await;
}

async fn needs_info_round_trips_through_the_tracking_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.filed().await;
    let question = "Which <b>transcript</b> do you mean?";
    let asked = app.move_report(&app.token, id, json!({"to": "needs_info", "reason": question, "version": 1})).await;
    assert_eq!(asked.status(), 200);
    let page = app.client.get(app.url(&format!("/reports/{token}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Which &lt;b&gt;transcript&lt;/b&gt; do you mean?"), "the question is shown, escaped");
    assert!(page.contains(&format!("action=\"/reports/{token}/reply\"")), "with a form to answer");
    let empty =
        app.client.post(app.url(&format!("/reports/{token}/reply"))).form(&[("body", " ")]).send().await.unwrap();
    assert_eq!(empty.status(), 422);
    let answered = app
        .client
        .post(app.url(&format!("/reports/{token}/reply")))
        .form(&[("body", "The one from 12 December.")])
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 303);
    assert_eq!(app.state_of(id).0, "in_review");
    let tracking: Value =
        app.client.get(app.url(&format!("/api/v1/reports/{token}"))).send().await.unwrap().json().await.unwrap();
    let kinds: Vec<&str> =
        tracking["history"].as_array().unwrap().iter().map(|h| h["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["report_filed", "status_changed", "reader_replied"]);
    let again = app
        .client
        .post(app.url(&format!("/api/v1/reports/{token}/replies")))
        .json(&json!({"body": "More"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "no open question any more");
    app.deliver_mail().await;
}

async fn a_decision_can_be_appealed_once_and_only_a_standards_editor_decides(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.filed().await;
    let early = app
        .client
        .post(app.url(&format!("/api/v1/reports/{token}/appeal")))
        .json(&json!({"reason": "Please"}))
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 409, "nothing to appeal yet");
    app.move_report(&app.token, id, json!({"to": "no_change", "reason": "The figure is right.", "version": 1})).await;
    let page = app.client.get(app.url(&format!("/reports/{token}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("The figure is right."), "the reason is shown to the reader");
    let appeal = app
        .client
        .post(app.url(&format!("/api/v1/reports/{token}/appeal")))
        .json(&json!({"reason": "The ministry corrected it on Monday."}))
        .send()
        .await
        .unwrap();
    assert_eq!(appeal.status(), 200);
    assert_eq!(app.state_of(id).0, "appealed");
    let editor = app.move_report(&app.token, id, json!({"to": "in_review", "reason": "Reopen", "version": 3})).await;
    assert_eq!(editor.status(), 403, "editors do not decide appeals");
    let sam = app.user(Role::StandardsEditor);
    let decided = app
        .move_report(&sam.token, id, json!({"to": "no_change", "reason": "Checked again: still right.", "version": 3}))
        .await;
    assert_eq!(decided.status(), 200);
    let twice = app
        .client
        .post(app.url(&format!("/reports/{token}/appeal")))
        .form(&[("reason", "Once more, please.")])
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 409);
    assert!(twice.text().await.unwrap().contains("already appealed"));
    assert_eq!(app.state_of(id).0, "no_change");
    app.deliver_mail().await;
}

async fn duplicates_stay_on_one_article_and_never_chain(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (a, _) = app.filed().await;
    let (b, _) = app.filed().await;
    let (c, _) = app.filed().await;
    let mut other = crate::helpers::article_json();
    other["url"] = json!("https://news.example/other");
    app.put_article("other", &other).await;
    let mut on_other = report_json();
    on_other["quote"] = json!("four-year mark");
    app.file_report("other", &on_other).await;
    let elsewhere = c + 1;
    let dup = |to: i64| json!({"to": "duplicate", "reason": "Same passage.", "version": 1, "duplicate_of": to});
    for (target, why) in [(a, "itself"), (elsewhere, "another article"), (9999, "no report")] {
        let response = app.move_report(&app.token, a, dup(target)).await;
        assert_eq!(response.status(), 422, "{why}");
        assert_eq!(response.json::<Value>().await.unwrap()["error"]["field"], "duplicate_of", "{why}");
    }
    assert_eq!(app.move_report(&app.token, a, dup(b)).await.status(), 200);
    let chain = app.move_report(&app.token, c, dup(a)).await;
    assert_eq!(chain.status(), 422);
    assert!(chain.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains(&format!("#{b}")));
    // Marking the primary a duplicate re-points its duplicates: still no chain.
    assert_eq!(app.move_report(&app.token, b, dup(c)).await.status(), 200);
    let ticket: Value = app
        .client
        .get(app.url(&format!("/api/v1/desk/reports/{a}")))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["duplicate_of"], c);
    app.deliver_mail().await;
}

async fn every_action_is_on_the_timeline(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.filed().await;
    let erin = app.user(Role::Editor);
    let post = |path: &str, body: Value| {
        app.client
            .post(app.url(&format!("/api/v1/desk/reports/{id}/{path}")))
            .bearer_auth(&app.token)
            .json(&body)
            .send()
    };
    assert_eq!(post("assignment", json!({"assignee_email": erin.email, "version": 1})).await.unwrap().status(), 200);
    assert_eq!(post("severity", json!({"severity": "legal", "version": 2})).await.unwrap().status(), 200);
    assert_eq!(post("notes", json!({"body": "Called the ministry."})).await.unwrap().status(), 201);
    assert_eq!(app.move_report(&app.token, id, json!({"to": "in_review", "version": 3})).await.status(), 200);
    let ticket: Value = app
        .client
        .get(app.url(&format!("/api/v1/desk/reports/{id}")))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = ticket["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["report_filed", "assigned", "severity_changed", "note", "status_changed"]);
    assert_eq!(ticket["assignee"]["email"], erin.email.as_str());
    assert_eq!(ticket["severity"], "legal");
    let public: Value =
        app.client.get(app.url(&format!("/api/v1/reports/{token}"))).send().await.unwrap().json().await.unwrap();
    let text = public.to_string();
    assert!(!text.contains("Called the ministry") && !text.contains(&erin.email), "internal events stay internal");
    let bad = post("assignment", json!({"assignee_email": "nobody@news.example", "version": 4})).await.unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.json::<Value>().await.unwrap()["error"]["field"], "assignee_email");
    app.deliver_mail().await;
}

async fn an_unknown_report_is_404(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.move_report(&app.token, 424242, json!({"to": "triaged", "version": 1})).await;
    assert_eq!(response.status(), 404);
    let page = app.client.get(app.url("/api/v1/desk/reports/abc")).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(page.status(), 404);
}

async fn overlapping_passages_are_offered_as_likely_duplicates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (first, _) = app.filed().await;
    let mut overlapping = report_json();
    overlapping["quote"] = json!("approaching its four-year mark, according to Reuters");
    app.file_report("kursk", &overlapping).await;
    let mut elsewhere = report_json();
    elsewhere["quote"] = json!("Moscow has since counterattacked");
    app.file_report("kursk", &elsewhere).await;
    let ticket: Value = app
        .client
        .get(app.url(&format!("/api/v1/desk/reports/{first}")))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["likely_duplicates"], json!([first + 1]));
    app.deliver_mail().await;
}

async fn a_move_reports_what_happened_as_notices_without_sending_anything(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    app.deliver_mail().await;
    let user = app.user(Role::Editor);
    let (_, version) = app.state_of(id);
    let request = MoveRequest {
        to: "needs_info".into(),
        reason: Some("Which figure did you mean?".into()),
        version,
        duplicate_of: None,
    };
    let (actor, now) = (user.actor.clone(), app.clock.now());
    let notices = app
        .db
        .write_blocking(|c| {
            let mut notices = Notices::default();
            workflow::transition(c, id, &actor, &request, &mut notices, now)?;
            Ok(notices)
        })
        .unwrap();
    match notices.as_slice() {
        [Notice::StatusChanged { report_id: moved, to: Status::NeedsInfo, .. }, Notice::QuestionAsked { report_id, question, reader: Some(reader) }]
            if *moved == ReportId(id) =>
        {
            assert_eq!(*report_id, ReportId(id));
            assert_eq!(question, "Which figure did you mean?");
            assert_eq!(reader.email, "ada@example.com");
            let tracked = app.client.get(app.url(&format!("/api/v1/reports/{}", reader.token))).send().await.unwrap();
            assert_eq!(tracked.status(), 200, "the notice's link opens the reader's report");
        }
        other => panic!("expected the move and one question for the reader, got {other:?}"),
    }
    assert_eq!(app.deliver_mail().await, 0, "the domain queued no mail itself: only a consumer of notices does");
}

async fn an_unknown_stored_status_is_an_error_naming_it_never_a_default(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    app.deliver_mail().await;
    app.write_status_column(id, "escalated");
    let read = app.db.read_blocking(|c| Ok(corrigenda::db::models::Report::find(c, id)?));
    let err = format!("{:?}", read.expect_err("a status this version does not know cannot be read as one it does"));
    assert!(err.contains("\"escalated\" is not a Status"), "{err}");
    // The desk refuses to act on it rather than treating it as `new`.
    let moved = app
        .client
        .post(app.url(&format!("/api/v1/desk/reports/{id}/transitions")))
        .bearer_auth(&app.token)
        .json(&json!({ "to": "triaged", "version": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 500);
    app.write_status_column(id, "new");
    assert_eq!(app.state_of(id), ("new".to_owned(), 1), "nothing was written");
}
