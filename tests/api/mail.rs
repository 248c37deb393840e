//! Mail through a real SMTP conversation: every kind of message, outages, refusals, two dispatchers,
//! double opt-in, and erasure.
//!
//! No dispatcher runs in the background: each test delivers the outbox (`deliver_mail`) and
//! then reads the SMTP server's mailbox, so "no mail went out" is a fact, not a timeout.

use chrono::{Duration, Timelike};
use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{csrf_in, report_json, Backend, TestApp};
use crate::smtp::{Received, Smtp};

both_backends!(
    readers_hear_receipt_question_and_outcome,
    editors_hear_of_urgent_reports_assignments_approvals_and_overdue_tickets,
    subscribers_opt_in_twice_and_unsubscribe_in_one_click,
    an_smtp_outage_loses_nothing_and_doubles_nothing,
    a_permanent_refusal_is_marked_failed_and_shown,
    a_refusal_is_stored_without_the_address_it_quotes,
    two_dispatchers_send_each_mail_once,
    erasure_cancels_pending_mail,
    mail_claimed_by_a_dispatcher_that_died_is_sent_after_its_lease,
    a_test_that_leaves_mail_undelivered_fails,
    retries_back_off_doubling_to_an_hour_and_give_up_after_two_days,
    two_instances_at_the_digest_hour_send_one_digest,
);

/// Asserts the message's common shape and returns its decoded (text, html).
fn check(m: &Received, subject_part: &str) -> (String, String) {
    let subject = m.header("Subject").unwrap();
    assert!(subject.contains(subject_part), "{subject}");
    assert!(m.header("Message-ID").is_some_and(|id| id.starts_with('<') && id.ends_with('>')));
    assert!(m.header("Date").is_some());
    assert!(m.header("From").unwrap().contains("corrections@gazette.example"));
    let (text, html) = m.parts();
    assert!(!text.is_empty() && html.contains("<html"), "both parts");
    (text, html)
}

/// The first absolute link to this server in a text part.
fn link(text: &str, app: &TestApp, path_start: &str) -> String {
    let start = text.find(&app.url(path_start)).unwrap_or_else(|| panic!("no {path_start} link in {text}"));
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// The hour (0-23) on the test server's clock (Europe/Berlin) at `utc`, as a setting.
fn berlin_hour(utc: chrono::NaiveDateTime) -> String {
    chrono::TimeZone::from_utc_datetime(&chrono_tz::Europe::Berlin, &utc).hour().to_string()
}

async fn mail_app(backend: Backend, smtp: &Smtp) -> TestApp {
    let url = smtp.url();
    TestApp::spawn_with(backend, move |s| s.smtp_url = Some(url)).await
}

async fn readers_hear_receipt_question_and_outcome(backend: Backend) {
    let smtp = Smtp::start();
    let app = mail_app(backend, &smtp).await;
    let (id, _) = app.filed().await;
    assert_eq!(app.deliver_mail().await, 1);
    let receipt = smtp.received();
    assert_eq!(receipt.len(), 1);
    let (text, html) = check(&receipt[0], "We received your correction report");
    assert_eq!(receipt[0].to, ["ada@example.com"]);
    let tracking = link(&text, &app, "/reports/");
    assert!(html.contains(&tracking));
    assert_eq!(app.client.get(&tracking).send().await.unwrap().status(), 200);

    app.move_report(
        &app.token,
        id,
        json!({"to": "needs_info", "reason": "Which source says three years?", "version": 1}),
    )
    .await;
    assert_eq!(app.deliver_mail().await, 1);
    let mails = smtp.received();
    assert_eq!(mails.len(), 2);
    let (text, _) = check(&mails[1], "A question about your correction report");
    assert!(text.contains("Which source says three years?"));
    let answer = link(&text, &app, "/reports/");
    let token = answer.rsplit('/').next().unwrap();
    let replied = app
        .client
        .post(app.url(&format!("/reports/{token}/reply")))
        .form(&[("body", "Reuters.")])
        .send()
        .await
        .unwrap();
    assert_eq!(replied.status(), 303, "the link in the mail answers the question");

    let version = app.state_of(id).1;
    let body = json!({
        "article_id": "kursk", "kind": "correction", "report_ids": [id],
        "text": "We said four years; it was three.", "standards": ["accuracy"],
    });
    app.client.post(app.url("/api/v1/desk/corrections")).bearer_auth(&app.token).json(&body).send().await.unwrap();
    assert_eq!(app.deliver_mail().await, 1);
    let mails = smtp.received();
    assert_eq!(mails.len(), 3, "the outcome, once");
    let (text, _) = check(&mails[2], "We corrected the article you reported");
    assert!(text.contains("We said four years; it was three."));
    assert!(text.contains(&app.url("/articles/kursk/corrections#correction-")));
    let _ = version;

    // No change, then an appeal decided by a standards editor.
    let (second, _) = app.filed().await;
    app.move_report(&app.token, second, json!({"to": "no_change", "reason": "The figure is right.", "version": 1}))
        .await;
    assert_eq!(app.deliver_mail().await, 2, "the second receipt and the decision");
    let mails = smtp.received();
    assert_eq!(mails.len(), 5);
    let (text, _) = check(&mails[4], "Your correction report was decided");
    assert!(text.contains("The figure is right.") && text.contains("appeal"));
    let token = link(&text, &app, "/reports/").rsplit('/').next().unwrap().to_owned();
    app.client
        .post(app.url(&format!("/api/v1/reports/{token}/appeal")))
        .json(&json!({"reason": "It is not."}))
        .send()
        .await
        .unwrap();
    let sam = app.user(Role::StandardsEditor);
    app.move_report(&sam.token, second, json!({"to": "rejected", "reason": "Checked twice.", "version": 3})).await;
    assert_eq!(app.deliver_mail().await, 1);
    let mails = smtp.received();
    assert_eq!(mails.len(), 6);
    let (text, _) = check(mails.last().unwrap(), "Your appeal was decided");
    assert!(text.contains("Checked twice."));
}

async fn editors_hear_of_urgent_reports_assignments_approvals_and_overdue_tickets(backend: Backend) {
    let smtp = Smtp::start();
    // Eighty hours on from the test clock's start, in the middle of an hour (the digest's).
    let digest_at = crate::helpers::TEST_START + Duration::hours(80);
    let digest_hour = berlin_hour(digest_at);
    let url = smtp.url();
    let app = TestApp::spawn_with(backend, move |s| {
        s.smtp_url = Some(url);
        s.digest_hour = digest_hour;
    })
    .await;
    let sam = app.user(Role::StandardsEditor);
    let dana = app.user(Role::StandardsEditor);
    let erin = app.user(Role::Editor);
    app.article().await;
    let mut misquote = report_json();
    misquote["category"] = json!("misquote");
    misquote.as_object_mut().unwrap().remove("reporter_email");
    app.file_report("kursk", &misquote).await;
    assert_eq!(app.deliver_mail().await, 2);
    for editor in [&sam, &dana] {
        let mine = smtp.to(&editor.email);
        assert_eq!(mine.len(), 1, "urgent report to every standards editor");
        let (text, _) = check(&mine[0], "Urgent: high report");
        assert!(text.contains("/desk/reports/"));
    }
    let id = app.state_of_last();
    app.client
        .post(app.url(&format!("/api/v1/desk/reports/{id}/assignment")))
        .bearer_auth(&app.token)
        .json(&json!({"assignee_email": erin.email, "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(app.deliver_mail().await, 1);
    let (text, _) = check(&smtp.to(&erin.email)[0], &format!("Report #{id} is assigned to you"));
    assert!(text.contains(&app.url(&format!("/desk/reports/{id}"))));

    let retraction = json!({"article_id": "kursk", "kind": "retraction", "text": "We retract this article: its central claim does not stand."});
    app.client
        .post(app.url("/api/v1/desk/corrections"))
        .bearer_auth(&sam.token)
        .json(&retraction)
        .send()
        .await
        .unwrap();
    assert_eq!(app.deliver_mail().await, 1);
    assert!(smtp.to(&sam.email).len() == 1, "not to the author");
    let (text, _) = check(smtp.to(&dana.email).last().unwrap(), "awaits your approval");
    assert!(text.contains("/desk/corrections"));

    // Eighty hours on, the ticket is overdue and it is the digest hour.
    app.clock.advance(digest_at - app.clock.now());
    assert_eq!(app.deliver_mail().await, 1, "the digest, once");
    assert_eq!(smtp.received().len(), 5);
    let digest = smtp.to(&erin.email);
    let (text, _) = check(digest.last().unwrap(), "1 overdue ticket");
    assert!(text.contains(&format!("#{id}")));
}

async fn subscribers_opt_in_twice_and_unsubscribe_in_one_click(backend: Backend) {
    let smtp = Smtp::start();
    let app = mail_app(backend, &smtp).await;
    app.article().await;
    let subscribe = app
        .client
        .post(app.url("/articles/kursk/subscriptions"))
        .form(&[("email", "fan@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(subscribe.status(), 303);
    let bad = app
        .client
        .post(app.url("/articles/kursk/subscriptions"))
        .form(&[("email", "not-an-address")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(app.deliver_mail().await, 1);
    let mails = smtp.received();
    assert_eq!(mails.len(), 1);
    let (text, _) = check(&mails[0], "Confirm");
    let confirm = link(&text, &app, "/subscriptions/");
    let publish = |n: usize| {
        let body = json!({"article_id": "kursk", "kind": "update", "text": format!("Update number {n}: new figures from the ministry.")});
        app.client.post(app.url("/api/v1/desk/corrections")).bearer_auth(&app.token).json(&body).send()
    };
    publish(1).await.unwrap();
    assert_eq!(app.deliver_mail().await, 0);
    assert_eq!(smtp.to("fan@example.org").len(), 1, "nothing before confirming");
    assert_eq!(app.client.post(&confirm).send().await.unwrap().status(), 200);
    publish(2).await.unwrap();
    assert_eq!(app.deliver_mail().await, 1);
    let mails = smtp.received();
    assert_eq!(mails.len(), 2);
    let news = &mails[1];
    let (text, _) = check(news, "Correction to");
    assert!(text.contains("Update number 2"));
    let unsubscribe = news.header("List-Unsubscribe").unwrap();
    assert_eq!(news.header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    let url = unsubscribe.trim_matches(['<', '>']);
    let one_click = app.client.post(url).form(&[("List-Unsubscribe", "One-Click")]).send().await.unwrap();
    assert_eq!(one_click.status(), 200);
    publish(3).await.unwrap();
    assert_eq!(app.deliver_mail().await, 0);
    assert_eq!(smtp.to("fan@example.org").len(), 2, "no more after unsubscribing");
}

async fn an_smtp_outage_loses_nothing_and_doubles_nothing(backend: Backend) {
    let smtp = Smtp::start_down();
    let app = mail_app(backend, &smtp).await;
    for _ in 0..3 {
        app.filed().await;
    }
    assert_eq!(app.deliver_mail().await, 3, "each tried once, then left for a retry");
    let status = app.outbox_rows();
    assert_eq!(status.len(), 3);
    assert!(status.iter().all(|(s, attempts, error)| s == "queued" && *attempts >= 1 && error.is_some()), "{status:?}");
    smtp.come_up();
    app.clock.advance(Duration::hours(1));
    assert_eq!(app.deliver_mail().await, 3);
    let mails = smtp.received();
    assert_eq!(app.deliver_mail().await, 0, "nothing is due twice");
    assert_eq!(smtp.received().len(), 3, "each exactly once");
    let mut ids: Vec<String> = mails.iter().map(|m| m.header("Message-ID").unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    assert!(app.outbox_rows().iter().all(|(s, ..)| s == "sent"));
}

async fn a_permanent_refusal_is_marked_failed_and_shown(backend: Backend) {
    let smtp = Smtp::start_refusing(&["bounce@example.com"]);
    let app = mail_app(backend, &smtp).await;
    app.article().await;
    let mut body = report_json();
    body["reporter_email"] = json!("bounce@example.com");
    app.file_report("kursk", &body).await;
    assert_eq!(app.deliver_mail().await, 1);
    assert!(smtp.received().is_empty());
    let rows = app.outbox_rows();
    assert_eq!(rows[0].0, "failed", "{rows:?}");
    assert!(rows[0].2.as_deref().unwrap().contains("550"));
    let sam = app.user(Role::StandardsEditor);
    let page = app.signed_in(&sam).await.get(app.url("/desk/outbox")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("bounce@example.com") && page.contains("550"));
    let editor = app.user(Role::Editor);
    assert_eq!(app.signed_in(&editor).await.get(app.url("/desk/outbox")).send().await.unwrap().status(), 403);
}

async fn a_refusal_is_stored_without_the_address_it_quotes(backend: Backend) {
    let smtp = Smtp::start_refusing(&["bounce@example.com"]);
    let app = mail_app(backend, &smtp).await;
    app.article().await;
    let mut body = report_json();
    body["reporter_email"] = json!("bounce@example.com");
    app.file_report("kursk", &body).await;
    assert_eq!(app.deliver_mail().await, 1);
    let rows = app.outbox_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0],
        (
            "failed".to_owned(),
            1,
            Some("permanent error (550): 5.1.1 <[address]>: Recipient address rejected: User unknown".to_owned())
        )
    );
}

async fn two_dispatchers_send_each_mail_once(backend: Backend) {
    let smtp = Smtp::start();
    // Not the digest hour: two dispatchers queueing one day's digest at once is a conflict one loses.
    let quiet = berlin_hour(crate::helpers::TEST_START + Duration::hours(12));
    let url = smtp.url();
    let app = TestApp::spawn_with(backend, {
        let quiet = quiet.clone();
        move |s| {
            s.smtp_url = Some(url);
            s.digest_hour = quiet;
        }
    })
    .await;
    let url = smtp.url();
    let other = app
        .another_instance_with(move |s| {
            s.smtp_url = Some(url);
            s.digest_hour = quiet;
        })
        .await;
    app.article().await;
    for i in 0..12 {
        let mut body = report_json();
        body["reporter_email"] = json!(format!("reader{i}@example.com"));
        app.file_report("kursk", &body).await;
    }
    // Both instances' dispatchers at once: each row is claimed by one of them.
    let (mine, theirs) = tokio::join!(app.deliver_mail(), other.deliver_mail());
    assert_eq!(mine + theirs, 12, "{mine} + {theirs}");
    let mails = smtp.received();
    assert_eq!(mails.len(), 12, "each once");
    let mut ids: Vec<String> = mails.iter().map(|m| m.header("Message-ID").unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
}

/// Erasing a reader cancels their unsent mail, rewrites their outbox rows' recipient to
/// `erased` with blank bodies, and removes their subscriptions (addresses compared without
/// case); another reader's mail and subscription are untouched.
async fn erasure_cancels_pending_mail(backend: Backend) {
    let smtp = Smtp::start_down();
    let app = mail_app(backend, &smtp).await;
    app.filed().await;
    let mut other = report_json();
    other["reporter_email"] = json!("keep@example.com");
    app.file_report("kursk", &other).await;
    for email in ["ADA@example.com", "keep@example.com"] {
        let asked = app.client.post(app.url("/articles/kursk/subscriptions")).form(&[("email", email)]).send().await;
        assert_eq!(asked.unwrap().status(), 303, "{email}");
    }
    // Tried while the server is down: all four wait for a retry when the erasure comes.
    assert_eq!(app.deliver_mail().await, 4);
    assert!(app.outbox_rows().iter().all(|(s, attempts, _)| s == "queued" && *attempts == 1));
    let erased = app.cli(&["erase-reporter", "--email", "ada@example.com"]);
    assert_eq!(erased.status.code(), Some(0), "{}", String::from_utf8_lossy(&erased.stderr));
    smtp.come_up();
    app.clock.advance(Duration::hours(1));
    assert_eq!(app.deliver_mail().await, 2);
    let mut received: Vec<Vec<String>> = smtp.received().into_iter().map(|m| m.to).collect();
    received.sort();
    assert_eq!(
        received,
        [["keep@example.com"], ["keep@example.com"]],
        "only the other reader's receipt and confirmation"
    );
    type Row = (String, String, String, String, Option<String>);
    let rows: Vec<Row> = app
        .db
        .read_blocking(|c| {
            use corrigenda::db::schema::outbox;
            use diesel::prelude::*;
            Ok(outbox::table
                .order(outbox::id.asc())
                .select((
                    outbox::recipient,
                    outbox::status,
                    outbox::body_text,
                    outbox::body_html,
                    outbox::list_unsubscribe,
                ))
                .load(c)?)
        })
        .unwrap();
    let erased_rows: Vec<&Row> = rows.iter().filter(|r| r.0 == "erased").collect();
    let blank = |status: &str| ("erased".to_owned(), status.to_owned(), String::new(), String::new(), None::<String>);
    assert_eq!(erased_rows, [&blank("cancelled"), &blank("cancelled")], "the erased reader's two messages");
    let kept: Vec<(&str, &str)> =
        rows.iter().filter(|r| r.0 != "erased").map(|r| (r.0.as_str(), r.1.as_str())).collect();
    // Sent, and so blanked like any sent mail (no address kept), not erased.
    assert_eq!(kept, [("", "sent"), ("", "sent")]);
    let subscribers: Vec<String> = app
        .db
        .read_blocking(|c| {
            use corrigenda::db::schema::subscriptions;
            use diesel::prelude::*;
            Ok(subscriptions::table.order(subscriptions::id.asc()).select(subscriptions::email).load(c)?)
        })
        .unwrap();
    assert_eq!(subscribers, ["keep@example.com"], "the erased reader's subscription is gone");
    let _ = csrf_in;
    let _: Option<Value> = None;
}

async fn mail_claimed_by_a_dispatcher_that_died_is_sent_after_its_lease(backend: Backend) {
    let smtp = Smtp::start();
    let app = mail_app(backend, &smtp).await;
    let ctx = corrigenda::mail::Context { base_url: app.address.clone(), publication: "The Test Gazette".into() };
    let now = app.clock.now();
    // As a dispatcher that claimed the message and died before sending would leave it.
    app.db
        .write_blocking(move |c| {
            use corrigenda::db::schema::outbox;
            use diesel::prelude::*;
            let view = corrigenda_templates::EmailView {
                publication: "The Test Gazette".into(),
                paragraphs: vec!["Left behind by a crash.".into()],
                ..Default::default()
            };
            let message = corrigenda::mail::Outgoing {
                kind: "reader_receipt",
                to: "ada@example.com".into(),
                subject: "Orphan".into(),
                view,
            };
            corrigenda::mail::enqueue(c, &ctx, message, now)?;
            diesel::update(outbox::table)
                .set((outbox::status.eq("sending"), outbox::claimed_until.eq(now + Duration::minutes(5))))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(app.deliver_mail().await, 0);
    assert!(smtp.received().is_empty(), "not while the lease runs");
    app.clock.advance(Duration::minutes(6));
    assert_eq!(app.deliver_mail().await, 1);
    let mails = smtp.received();
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(mails[0].header("Subject").as_deref(), Some("Orphan"));
}

/// The check that ends every test app: queued mail nobody delivered fails the test.
async fn a_test_that_leaves_mail_undelivered_fails(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.filed().await;
    let left = app.undelivered_mail();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(
        (left[0].kind.as_str(), left[0].recipient.as_str(), left[0].status.as_str()),
        ("reader_receipt", "ada@example.com", "queued")
    );
    let report = app.check_mail().unwrap_err();
    assert!(report.contains("1 undelivered") && report.contains("ada@example.com"), "{report}");
    // Claimed by a dispatcher and never marked is undelivered too.
    app.db
        .write_blocking(|c| {
            use corrigenda::db::schema::outbox;
            use diesel::prelude::*;
            diesel::update(outbox::table).set(outbox::status.eq("sending")).execute(c)?;
            Ok(())
        })
        .unwrap();
    assert!(app.check_mail().unwrap_err().contains("(sending)"));
    // Ending the test app is what runs the check.
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(app)));
    let message = dropped.expect_err("dropping an app with undelivered mail fails the test");
    let message = message.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("undelivered mail") && message.contains("ada@example.com"), "{message}");

    // Delivered, or expected: an app ends cleanly.
    let app = TestApp::spawn(backend).await;
    app.filed().await;
    assert_eq!(app.deliver_mail().await, 1);
    assert!(app.undelivered_mail().is_empty());
    assert_eq!(app.check_mail(), Ok(()));
    let expected = TestApp::spawn(backend).await;
    expected.filed().await;
    assert!(expected.check_mail().is_err());
    expected.expect_undelivered_mail();
    assert_eq!(expected.check_mail(), Ok(()));
}

/// (status, attempts, next attempt, created) of the only outbox row.
fn the_row(app: &TestApp) -> (String, i32, chrono::NaiveDateTime, chrono::NaiveDateTime) {
    use corrigenda::db::schema::outbox as o;
    use diesel::prelude::*;
    let rows: Vec<(String, i32, chrono::NaiveDateTime, chrono::NaiveDateTime)> = app
        .db
        .read_blocking(|c| Ok(o::table.select((o::status, o::attempts, o::next_attempt_at, o::created_at)).load(c)?))
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows.into_iter().next().unwrap()
}

async fn retries_back_off_doubling_to_an_hour_and_give_up_after_two_days(backend: Backend) {
    let smtp = Smtp::start_down();
    let app = mail_app(backend, &smtp).await;
    app.filed().await;
    let mut gaps = Vec::new();
    loop {
        assert_eq!(app.deliver_mail().await, 1, "due, so tried: {gaps:?}");
        let (status, attempts, next, created) = the_row(&app);
        if status != "queued" {
            assert_eq!(status, "failed");
            assert!(app.clock.now() - created > Duration::days(2), "given up only after two days");
            assert_eq!(attempts as usize, gaps.len() + 1);
            break;
        }
        // The test clock also moves with real time: round to the second.
        let gap = ((next - app.clock.now()).num_milliseconds() + 500) / 1000;
        gaps.push(gap);
        assert_eq!(app.deliver_mail().await, 0, "not tried again before its time");
        let left = ((next - app.clock.now()).num_milliseconds() + 999) / 1000;
        app.clock.advance(Duration::seconds(left - 1));
        assert_eq!(app.deliver_mail().await, 0, "nor a second early");
        app.clock.advance(Duration::seconds(1));
        assert!(gaps.len() < 100, "never gives up: {gaps:?}");
    }
    // 30 s, doubling each time, then hourly, until the two days are past.
    let mut expected: Vec<i64> = (1..=7).map(|n| 15 << n).collect();
    let mut waited: i64 = expected.iter().sum();
    while waited <= 2 * 24 * 3600 {
        expected.push(3600);
        waited += 3600;
    }
    assert_eq!(gaps, expected);
    let rows = app.outbox_rows();
    assert!(
        rows[0].2.as_deref().unwrap().starts_with(&format!("gave up after {} attempts", gaps.len() + 1)),
        "{rows:?}"
    );
    smtp.come_up();
    app.clock.advance(Duration::days(1));
    assert_eq!(app.deliver_mail().await, 0, "a mail given up on is not sent later");
    assert!(smtp.received().is_empty());
}

async fn two_instances_at_the_digest_hour_send_one_digest(backend: Backend) {
    let smtp = Smtp::start();
    let digest_at = crate::helpers::TEST_START + Duration::hours(80);
    let hour = berlin_hour(digest_at);
    let (url, other_url, other_hour) = (smtp.url(), smtp.url(), hour.clone());
    let app = TestApp::spawn_with(backend, move |s| {
        s.smtp_url = Some(url);
        s.digest_hour = hour;
    })
    .await;
    let other = app
        .another_instance_with(move |s| {
            s.smtp_url = Some(other_url);
            s.digest_hour = other_hour;
        })
        .await;
    let erin = app.user(Role::Editor);
    let (id, _) = app.filed().await;
    let version = app.state_of(id).1;
    let assigned = app
        .client
        .post(app.url(&format!("/api/v1/desk/reports/{id}/assignment")))
        .bearer_auth(&app.token)
        .json(&json!({"assignee_email": erin.email, "version": version}))
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.status(), 200);
    app.deliver_mail().await;
    let before = smtp.to(&erin.email).len();
    // The ticket is overdue at the digest hour; both instances' dispatchers run at once, twice.
    app.clock.advance(digest_at - app.clock.now());
    for _ in 0..2 {
        let (mine, theirs) = tokio::join!(app.deliver_mail(), other.deliver_mail());
        assert!(mine + theirs <= 1, "{mine} + {theirs}");
    }
    let digests: Vec<_> = smtp.to(&erin.email).into_iter().skip(before).collect();
    assert_eq!(digests.len(), 1, "one digest, whichever instance queued it");
    check(&digests[0], "1 overdue ticket");
}
