//! The transparency figures on a hand-built data set whose every answer was worked out by hand.
//!
//! Everything is reached through the product's own moves (filing, deciding, assigning,
//! publishing, returning, approving) at times set with the test clock. The publisher's time
//! zone is Europe/Berlin (the test settings); all times below stay well inside their days.
//!
//! Month M1, every report filed at T (the 2nd, 06:00 UTC), decided after (hours):
//!
//! | report | article (section) | outcome | hours |
//! |---|---|---|---|
//! | R1 | kursk (World) | no change | 1 |
//! | R2 | kursk | rejected | 2 |
//! | R3 | kursk | corrected by K1 | 3 |
//! | R4 | kursk | duplicate of R5 | 5 |
//! | R5 | kursk | open (new) | - |
//! | R6 | budget (Business) | no change | 8 |
//! | R7 | budget | rejected | 13 |
//! | R8 | budget | corrected by K2 | 21 |
//! | R9 | budget | no change | 34 |
//! | R10 | budget | rejected | 55 |
//! | R11 | budget, assigned to the editor | no change | 89 (past its 72 h deadline) |
//! | R12 | budget, assigned to the editor | open (new), overdue later | - |
//!
//! K1: correction, no cause or found given (other, reader_report), cites accuracy, by the editor.
//! K2: clarification, cause editing, found subject, cites accuracy and data, by standards editor 1.
//!
//! Month M2: nothing. Month M3 (the 2nd, 06:00 UTC): R13 (kursk) filed and decided no change
//! after 2 h; K3 (update of kursk, resolving nothing: found staff; cause production, cites
//! headlines, by the editor); K4 (retraction of kursk, cause source, found other_outlet, cites
//! corrections): drafted by the editor, returned, drafted again and approved by standards editor 2.
//!
//! M1 alone: decision hours 1 2 3 5 8 13 21 34 55 89 (n 10, even): median (8 + 13) / 2 = 10.5,
//! p90 the 9th = 55; within deadline 9 of 10. Correction hours 3 21: median 12, p90 the 2nd = 21.
//! M1 to M3: decision hours 1 2 2 3 5 8 13 21 34 55 89 (n 11, odd): median the 6th = 8, p90 the
//! 10th = 55; within deadline 10 of 11.

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime};
use corrigenda::domain::accounts::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{article_json, csrf_in, Backend, TestApp, TestUser};

both_backends!(
    figures_match_the_hand_computed_answers,
    internal_figures_stay_off_the_public_api_and_need_the_right_role,
    bad_input_is_422_naming_the_field,
    cause_and_found_default_and_refuse_unknown_values,
    public_figures_are_reused_until_a_change_is_recorded,
    the_day_counts_agree_with_the_indexes,
);

/// The figures as `token` (public when `None`): status and body.
async fn stats(app: &TestApp, path: &str, query: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = app.client.get(app.url(&format!("{path}?{query}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// The public figures of a period; they must answer 200.
async fn public(app: &TestApp, query: &str) -> Value {
    let (status, body) = stats(app, "/api/v1/stats", query, None).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The desk's figures of a period as `user`; they must answer 200.
async fn desk(app: &TestApp, user: &TestUser, query: &str) -> Value {
    let (status, body) = stats(app, "/api/v1/desk/stats", query, Some(&user.token)).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Registers the Business article (without text, so any quote is taken).
async fn budget_article(app: &TestApp) {
    let mut article = article_json();
    article["url"] = json!("https://news.example/business/budget");
    article["title"] = json!("Council budget passes after late-night session");
    article["section"] = json!("Business");
    article.as_object_mut().unwrap().remove("text");
    let response = app.put_article("budget", &article).await;
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
}

/// Files a report on `article` through the API; returns its number.
async fn file(app: &TestApp, article: &str) -> i64 {
    let body = json!({
        "category": "factual_error",
        "quote": "in the war that is approaching its four-year mark",
        "explanation": "The invasion began in February 2022: in December 2024 it was nearly three years.",
    });
    let response = app.file_report(article, &body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let token = response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    app.db.read_blocking(move |c| Ok(corrigenda::domain::reports::for_token(c, &token)?.id)).unwrap()
}

/// Moves report `id` (at `version`) to `to` as `user`, with a reason.
async fn decide(app: &TestApp, user: &TestUser, id: i64, to: &str, version: i64, duplicate_of: Option<i64>) {
    let mut body = json!({"to": to, "reason": "Checked against the sources.", "version": version});
    if let Some(primary) = duplicate_of {
        body["duplicate_of"] = json!(primary);
    }
    let response = app.move_report(&user.token, id, body).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

/// Posts a correction as `user`; returns the answer's status and body.
async fn post_correction(app: &TestApp, user: &TestUser, body: &Value) -> (StatusCode, Value) {
    let response =
        app.client.post(app.url("/api/v1/desk/corrections")).bearer_auth(&user.token).json(body).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// Publishes (or drafts, for approval) a correction as `user`; it must be accepted.
async fn publish(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let (status, answer) = post_correction(app, user, &body).await;
    assert_eq!(status, 201, "{answer}");
    answer
}

/// A correction's body.
fn correction(article: &str, kind: &str, standards: &[&str], reports: &[i64]) -> Value {
    json!({
        "article_id": article,
        "kind": kind,
        "text": "An earlier version of this article gave the wrong figure; it has been corrected.",
        "standards": standards,
        "report_ids": reports,
    })
}

/// Moves the clock to 06:00 UTC on the 2nd of the month `months` after the current one; returns that month's first day.
fn move_to_month(app: &TestApp, months: u32) -> NaiveDate {
    let now = app.clock.now();
    let first = now.date().with_day(1).unwrap().checked_add_months(Months::new(months)).unwrap();
    let target: NaiveDateTime = (first + Duration::days(1)).and_hms_opt(6, 0, 0).unwrap();
    assert!(target > now);
    app.clock.advance(target - now);
    first
}

/// Advances the clock to `hours` after `t`.
fn at(app: &TestApp, t: NaiveDateTime, hours: i64) {
    let now = app.clock.now();
    let target = t + Duration::hours(hours);
    assert!(target > now, "the data set's moves are in time order");
    app.clock.advance(target - now);
}

/// The last day of the month starting at `first`.
fn last_day(first: NaiveDate) -> NaiveDate {
    first.checked_add_months(Months::new(1)).unwrap() - Duration::days(1)
}

/// Assigns report `id` (at `version`) to `to` as `by`.
async fn assign(app: &TestApp, by: &TestUser, id: i64, to: &TestUser, version: i64) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/desk/reports/{id}/assignment")))
        .bearer_auth(&by.token)
        .json(&json!({"assignee_email": to.email, "version": version}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

fn hours(v: &Value) -> (Option<f64>, Option<f64>, i64) {
    (v["median"].as_f64(), v["p90"].as_f64(), v["n"].as_i64().unwrap())
}

fn month(first: NaiveDate) -> String {
    first.format("%Y-%m").to_string()
}

async fn figures_match_the_hand_computed_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    budget_article(&app).await;
    let editor = app.user(Role::Editor);
    let se1 = app.user(Role::StandardsEditor);
    let se2 = app.user(Role::StandardsEditor);
    let auditor = app.user(Role::Auditor);

    // Month M1.
    let m1 = move_to_month(&app, 1);
    let t = app.clock.now();
    let mut r = vec![0];
    for _ in 1..=5 {
        r.push(file(&app, "kursk").await);
    }
    for _ in 6..=12 {
        r.push(file(&app, "budget").await);
    }
    assign(&app, &se1, r[11], &editor, 1).await;
    assign(&app, &se1, r[12], &editor, 1).await;
    at(&app, t, 1);
    decide(&app, &editor, r[1], "no_change", 1, None).await;
    at(&app, t, 2);
    decide(&app, &editor, r[2], "rejected", 1, None).await;
    at(&app, t, 3);
    let k1 = publish(&app, &editor, correction("kursk", "correction", &["accuracy"], &[r[3]])).await;
    assert_eq!((k1["cause"].as_str(), k1["found"].as_str()), (Some("other"), Some("reader_report")), "{k1}");
    at(&app, t, 5);
    decide(&app, &editor, r[4], "duplicate", 1, Some(r[5])).await;
    at(&app, t, 8);
    decide(&app, &editor, r[6], "no_change", 1, None).await;
    at(&app, t, 13);
    decide(&app, &editor, r[7], "rejected", 1, None).await;
    at(&app, t, 21);
    let mut k2 = correction("budget", "clarification", &["accuracy", "data"], &[r[8]]);
    k2["cause"] = json!("editing");
    k2["found"] = json!("subject");
    let k2 = publish(&app, &se1, k2).await;
    assert_eq!((k2["cause"].as_str(), k2["found"].as_str()), (Some("editing"), Some("subject")), "{k2}");
    at(&app, t, 34);
    decide(&app, &editor, r[9], "no_change", 1, None).await;
    at(&app, t, 55);
    decide(&app, &editor, r[10], "rejected", 1, None).await;
    at(&app, t, 89);
    decide(&app, &editor, r[11], "no_change", 2, None).await;

    let only_m1 = format!("from={m1}&to={}", last_day(m1));
    let s = public(&app, &only_m1).await;
    assert_eq!(s["from"], m1.to_string());
    assert_eq!(s["to"], last_day(m1).to_string());
    assert_eq!(
        s["reports"],
        json!({"received": 12, "open": 2, "corrected": 2, "no_change": 4, "rejected": 3, "duplicate": 1})
    );
    assert_eq!(hours(&s["time_to_decision_hours"]), (Some(10.5), Some(55.0), 10), "even count");
    assert_eq!(hours(&s["time_to_correction_hours"]), (Some(12.0), Some(21.0), 2));
    assert_eq!(s["within_deadline_share"].as_f64(), Some(0.9));
    assert_eq!(s["corrections"]["published"], 2);
    assert_eq!(s["monthly"], json!([{"month": month(m1), "reports": 12, "corrections": 2}]));

    // Month M3 (M2 stays empty).
    let m2 = m1.checked_add_months(Months::new(1)).unwrap();
    let m3 = move_to_month(&app, 2);
    assert_eq!(m3, m1.checked_add_months(Months::new(2)).unwrap());
    let t3 = app.clock.now();
    let r13 = file(&app, "kursk").await;
    at(&app, t3, 2);
    decide(&app, &editor, r13, "no_change", 1, None).await;
    let mut k3 = correction("kursk", "update", &["headlines"], &[]);
    k3["cause"] = json!("production");
    publish(&app, &editor, k3).await;
    let mut k4 = correction("kursk", "retraction", &["corrections"], &[]);
    k4["cause"] = json!("source");
    k4["found"] = json!("other_outlet");
    let drafted = publish(&app, &editor, k4.clone()).await;
    assert_eq!(drafted["status"], "pending");
    let first = drafted["id"].as_i64().unwrap();
    let all = format!("from={m1}&to={}", last_day(m3));
    assert_eq!(desk(&app, &se1, &all).await["by_cause"]["source"], 0, "a pending correction is not counted");
    let returned = app
        .client
        .post(app.url(&format!("/api/v1/desk/corrections/{first}/return")))
        .bearer_auth(&se1.token)
        .json(&json!({"reason": "Name the outlet that found it."}))
        .send()
        .await
        .unwrap();
    assert_eq!(returned.status(), 200);
    // Drafted again from the form, which starts from the returned draft's cause and how found.
    let browser = app.signed_in(&editor).await;
    let form = browser
        .get(app.url(&format!("/desk/corrections/new?returned={first}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains(r#"<option value="source" selected>"#), "{form}");
    assert!(form.contains(r#"<option value="other_outlet" selected>"#), "{form}");
    let mut redraft = k4;
    redraft["redrafts"] = json!(first);
    let again = publish(&app, &editor, redraft).await;
    let second = again["id"].as_i64().unwrap();
    let approved = app
        .client
        .post(app.url(&format!("/api/v1/desk/corrections/{second}/approval")))
        .bearer_auth(&se2.token)
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 200);
    let approved: Value = approved.json().await.unwrap();
    assert_eq!((approved["cause"].as_str(), approved["found"].as_str()), (Some("source"), Some("other_outlet")));

    let s = desk(&app, &auditor, &all).await;
    assert_eq!(
        s["reports"],
        json!({"received": 13, "open": 2, "corrected": 2, "no_change": 5, "rejected": 3, "duplicate": 1})
    );
    assert_eq!(hours(&s["time_to_decision_hours"]), (Some(8.0), Some(55.0), 11), "odd count");
    assert_eq!(hours(&s["time_to_correction_hours"]), (Some(12.0), Some(21.0), 2));
    let share = s["within_deadline_share"].as_f64().unwrap();
    assert!((share - 10.0 / 11.0).abs() < 1e-9, "{share}");
    assert_eq!(s["corrections"]["published"], 4);
    assert_eq!(
        s["corrections"]["by_kind"],
        json!({"correction": 1, "clarification": 1, "update": 1, "editors_note": 0, "retraction": 1})
    );
    assert_eq!(s["corrections"]["by_found"], json!({"reader_report": 1, "staff": 1, "subject": 1, "other_outlet": 1}));
    assert_eq!(s["by_cause"], json!({"reporting": 0, "editing": 1, "source": 1, "production": 1, "other": 1}));
    let cited: Vec<(String, i64)> = s["by_standard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["code"].as_str().unwrap().to_owned(), b["corrections"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        cited,
        [
            ("accuracy", 2),
            ("corrections", 1),
            ("data", 1),
            ("headlines", 1),
            ("attribution", 0),
            ("fairness", 0),
            ("images", 0)
        ]
        .map(|(c, n)| (c.to_owned(), n))
        .to_vec(),
        "most cited first, then by code; every standard listed"
    );
    assert_eq!(s["by_standard"][0]["title"], "Accuracy");
    assert_eq!(
        s["by_section"],
        json!([
            {"section": "Business", "reports": 7, "corrections": 1},
            {"section": "World", "reports": 6, "corrections": 3},
        ])
    );
    assert_eq!(
        s["monthly"],
        json!([
            {"month": month(m1), "reports": 12, "corrections": 2},
            {"month": month(m2), "reports": 0, "corrections": 0},
            {"month": month(m3), "reports": 1, "corrections": 2},
        ])
    );
    let editor_row = s["editors"].as_array().unwrap().iter().find(|e| e["user_id"] == editor.actor.id).unwrap();
    assert_eq!(
        (&editor_row["assigned"], &editor_row["decided"], &editor_row["overdue_now"]),
        (&json!(2), &json!(1), &json!(1))
    );
    let nobody = s["editors"].as_array().unwrap().iter().find(|e| e["user_id"] == se2.actor.id).unwrap();
    assert_eq!((&nobody["assigned"], &nobody["overdue_now"]), (&json!(0), &json!(0)), "every editor is listed");
    assert!(s["editors"].as_array().unwrap().iter().all(|e| e["user_id"] != auditor.actor.id), "auditors edit nothing");
    let authors: Vec<(i64, i64)> = s["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["user_id"].as_i64().unwrap(), a["corrections"].as_i64().unwrap()))
        .collect();
    assert_eq!(authors, vec![(editor.actor.id, 3), (se1.actor.id, 1)], "the drafter is the author");

    // Filters: a section, a standard.
    let world = public(&app, &format!("{all}&section=World")).await;
    assert_eq!(world["reports"]["received"], 6);
    assert_eq!(hours(&world["time_to_decision_hours"]), (Some(2.0), Some(5.0), 5));
    assert_eq!(world["corrections"]["published"], 3);
    assert_eq!(world["by_section"], json!([{"section": "World", "reports": 6, "corrections": 3}]));
    let business = public(&app, &format!("{all}&section=Business")).await;
    assert_eq!(hours(&business["time_to_decision_hours"]), (Some(27.5), Some(89.0), 6));
    assert_eq!(business["within_deadline_share"].as_f64().unwrap(), 5.0 / 6.0);
    let data = public(&app, &format!("{all}&standard=data")).await;
    assert_eq!(
        data["reports"],
        json!({"received": 1, "open": 0, "corrected": 1, "no_change": 0, "rejected": 0, "duplicate": 0})
    );
    assert_eq!(data["corrections"]["by_kind"]["clarification"], 1);
    assert_eq!(data["corrections"]["published"], 1);
    assert_eq!(hours(&data["time_to_correction_hours"]), (Some(21.0), Some(21.0), 1));

    // An empty period: zeros and nulls, its month listed.
    let empty = public(&app, &format!("from={m2}&to={}", last_day(m2))).await;
    assert_eq!(
        empty["reports"],
        json!({"received": 0, "open": 0, "corrected": 0, "no_change": 0, "rejected": 0, "duplicate": 0})
    );
    assert_eq!(empty["corrections"]["published"], 0);
    assert_eq!(empty["time_to_decision_hours"], json!({"median": null, "p90": null, "n": 0}));
    assert_eq!(empty["time_to_correction_hours"], json!({"median": null, "p90": null, "n": 0}));
    assert_eq!(empty["within_deadline_share"], Value::Null);
    assert_eq!(empty["by_section"], json!([]));
    assert_eq!(empty["monthly"], json!([{"month": month(m2), "reports": 0, "corrections": 0}]));
    assert!(empty["by_standard"].as_array().unwrap().iter().all(|b| b["corrections"] == 0));
    app.deliver_mail().await;
}

async fn internal_figures_stay_off_the_public_api_and_need_the_right_role(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (report, _) = app.filed().await;
    let editor = app.user(Role::Editor);
    let mut body = correction("kursk", "correction", &["accuracy"], &[report]);
    body["cause"] = json!("reporting");
    publish(&app, &editor, body).await;

    let s = public(&app, "").await;
    for key in ["by_cause", "editors", "authors"] {
        assert!(s.get(key).is_none(), "{key} is internal: {s}");
    }
    assert_eq!(s["corrections"]["published"], 1, "the default period holds today");
    assert_eq!(s["monthly"].as_array().unwrap().len(), 12, "the last twelve months by default");
    let text = s.to_string();
    assert!(!text.contains("reporting") && !text.contains(&editor.email) && !text.contains(&editor.actor.name));

    // Neither the public log nor the public corrections carry the cause.
    for path in ["/api/v1/corrections", "/api/v1/articles/kursk/corrections", "/api/v1/log/entries?from=0&to=1"] {
        let text = app.client.get(app.url(path)).send().await.unwrap().text().await.unwrap();
        assert!(!text.contains("\"cause\"") && !text.contains("\"found\""), "{path}: {text}");
    }

    let (status, body) = stats(&app, "/api/v1/desk/stats", "", None).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = stats(&app, "/api/v1/desk/stats", "", Some(&editor.token)).await;
    assert_eq!(status, 403, "{body}");
    for role in [Role::StandardsEditor, Role::Auditor] {
        let user = app.user(role);
        let s = desk(&app, &user, "").await;
        assert_eq!(s["by_cause"]["reporting"], 1, "{s}");
        assert_eq!(s["authors"][0]["user_id"], editor.actor.id);
        assert_eq!(s["reports"]["corrected"], 1);
    }
    app.deliver_mail().await;
}

async fn bad_input_is_422_naming_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let se = app.user(Role::StandardsEditor);
    let cases = [
        ("from=2026-05-01&to=2026-04-30", "to"),
        ("from=2026-5-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-02-30", "from"),
        ("from=2016-01-01&to=2026-01-01", "to"),
        ("from=2999-01-01", "from"),
        ("section=Sport", "section"),
        ("standard=no-such-standard", "standard"),
        ("section=World%00", "section"),
        ("from=", "from"),
        ("year=2026", "year"),
    ];
    for (query, field) in cases {
        for token in [None, Some(se.token.as_str())] {
            let path = if token.is_some() { "/api/v1/desk/stats" } else { "/api/v1/stats" };
            let (status, body) = stats(&app, path, query, token).await;
            assert_eq!(status, 422, "{path}?{query}: {body}");
            assert_eq!(body["error"]["field"], field, "{path}?{query}: {body}");
        }
    }
    // Exactly ten years, a known section and a known standard are fine.
    public(&app, "from=2016-01-01&to=2025-12-31&section=World&standard=accuracy").await;
}

async fn cause_and_found_default_and_refuse_unknown_values(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let editor = app.user(Role::Editor);
    for (field, value) in [("cause", "typo"), ("found", "reader"), ("cause", "")] {
        let mut body = correction("kursk", "correction", &[], &[]);
        body[field] = json!(value);
        let (status, answer) = post_correction(&app, &editor, &body).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    // An article ID no CMS could have sent (a NUL, which PostgreSQL cannot compare) is unknown, not a failure.
    let (status, answer) = post_correction(&app, &editor, &correction("kur\u{0}sk", "correction", &[], &[])).await;
    assert_eq!(status, 404, "{answer}");
    assert!(public(&app, "").await["corrections"]["published"] == 0, "nothing refused was published");
    let staff = publish(&app, &editor, correction("kursk", "update", &[], &[])).await;
    assert_eq!((staff["cause"].as_str(), staff["found"].as_str()), (Some("other"), Some("staff")));

    // The drafting form offers both, in staff words, and records what was chosen.
    let browser = app.signed_in(&editor).await;
    let form = browser.get(app.url("/desk/corrections/new?article=kursk")).send().await.unwrap().text().await.unwrap();
    assert!(form.contains(r#"name="cause""#) && form.contains(r#"name="found""#), "{form}");
    let csrf = csrf_in(&form);
    let posted = browser
        .post(app.url("/desk/corrections"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("article_id", "kursk"),
            ("kind", "clarification"),
            ("text", "An earlier version of this article lacked context; it has been added."),
            ("cause", "editing"),
            ("found", "subject"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303, "{}", posted.text().await.unwrap());
    let se = app.user(Role::StandardsEditor);
    let s = desk(&app, &se, "").await;
    assert_eq!(s["by_cause"]["editing"], 1, "{s}");
    assert_eq!(s["corrections"]["by_found"]["subject"], 1, "{s}");
    assert_eq!(s["corrections"]["by_found"]["staff"], 1, "{s}");

    // The pending corrections page and the ticket show both to staff.
    let (report, _) = app.filed().await;
    let mut retraction = correction("kursk", "retraction", &["accuracy"], &[report]);
    retraction["cause"] = json!("production");
    let held = publish(&app, &editor, retraction).await;
    assert_eq!((held["status"].as_str(), held["found"].as_str()), (Some("pending"), Some("reader_report")));
    let pending = browser.get(app.url("/desk/corrections")).send().await.unwrap().text().await.unwrap();
    assert!(pending.contains("Cause of the error") && pending.contains("Production"), "{pending}");
    assert!(pending.contains("Reader report"), "{pending}");
    let ticket = browser.get(app.url(&format!("/desk/reports/{report}"))).send().await.unwrap().text().await.unwrap();
    assert!(ticket.contains("Production") && ticket.contains("Reader report"), "{ticket}");
    // Not on the public pages.
    let public_log = app.client.get(app.url("/corrections")).send().await.unwrap().text().await.unwrap();
    assert!(!public_log.contains("Cause of the error") && !public_log.contains("Editing"), "{public_log}");
    app.deliver_mail().await;
}

/// The public figures are counted once and reused while no event is recorded and nothing
/// public changes: a status written behind the product's back (no event) is not seen until
/// the next filing, which the next answer counts. The desk's figures are always counted.
async fn public_figures_are_reused_until_a_change_is_recorded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    budget_article(&app).await;
    let first = file(&app, "budget").await;
    let before = public(&app, "").await;
    assert_eq!((before["reports"]["received"].as_i64(), before["reports"]["rejected"].as_i64()), (Some(1), Some(0)));

    app.write_status_column(first, "rejected");
    let kept = public(&app, "").await;
    assert_eq!(kept, before, "the kept figures were not reused");
    let auditor = app.user(Role::Auditor);
    assert_eq!(desk(&app, &auditor, "").await["reports"]["rejected"], 1, "the desk's figures were reused");
    // Another period is counted on its own.
    let year = public(&app, "from=2020-01-01").await;
    assert_eq!(year["reports"]["rejected"], 1);

    file(&app, "budget").await;
    let after = public(&app, "").await;
    assert_eq!((after["reports"]["received"].as_i64(), after["reports"]["rejected"].as_i64()), (Some(2), Some(1)));
}

/// The figures of `periods` (`from`, `to`) in `tz`, from the per-day counts and from the
/// indexes, must be the same; and the counts the triggers kept must be what counting
/// everything again gives.
fn same_from_both_sources(app: &TestApp, tz: chrono_tz::Tz, periods: &[(NaiveDate, NaiveDate)], label: &str) {
    use corrigenda::domain::stats::{self, days, DeskStats, Source, StatsQuery};
    let now = app.clock.now();
    let periods = periods.to_vec();
    let label = label.to_owned();
    app.db
        .write_blocking(move |c| {
            assert_eq!(days::zone(c)?, tz.name(), "{label}: the counts follow the zone");
            for (from, to) in periods {
                let q = StatsQuery { from: Some(from), to: Some(to), ..Default::default() };
                let period = q.period(now.date() + Duration::days(1), tz)?;
                let counted = stats::compute_from(c, &q, &period, true, now, Source::Days)?;
                let scanned = stats::compute_from(c, &q, &period, true, now, Source::Indexes)?;
                assert_eq!(
                    counted.time_to_correction_buckets, scanned.time_to_correction_buckets,
                    "{label}: {from} to {to}"
                );
                let counted = serde_json::to_value(DeskStats::try_from(counted)?).unwrap();
                let scanned = serde_json::to_value(DeskStats::try_from(scanned)?).unwrap();
                assert_eq!(counted, scanned, "{label}: {from} to {to}");
            }
            let kept = day_counts(c);
            assert!(!kept.is_empty());
            days::rebuild(c)?;
            assert_eq!(day_counts(c), kept, "{label}: the triggers' counts differ from counting again");
            Ok(())
        })
        .unwrap();
}

/// Every non-zero per-day count, in key order.
fn day_counts(c: &mut corrigenda::db::DbConnection) -> Vec<(String, String, String, i64)> {
    use diesel::sql_types::{BigInt, Text};
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        day: String,
        #[diesel(sql_type = Text)]
        metric: String,
        #[diesel(sql_type = Text)]
        key: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = diesel::RunQueryDsl::load(
        diesel::sql_query("SELECT day, metric, key, n FROM stats_days WHERE n <> 0 ORDER BY day, metric, key"),
        c,
    )
    .unwrap();
    rows.into_iter().map(|r| (r.day, r.metric, r.key, r.n)).collect()
}

/// The per-day counts, kept by triggers through every kind of move (filing, deciding,
/// assigning, publishing with standards, moving an article to another section), give the
/// same figures as counting the reports and corrections, for whole months, single days and
/// odd periods, in three time zones (one with summer time, one half an hour off UTC), and
/// after the zone is changed; and they are what counting everything again gives.
async fn the_day_counts_agree_with_the_indexes(backend: Backend) {
    use corrigenda::domain::stats::{self, days, Source, StatsQuery};
    let app = TestApp::spawn(backend).await;
    app.article().await;
    budget_article(&app).await;
    let editor = app.user(Role::Editor);
    let se = app.user(Role::StandardsEditor);
    let first_day = app.clock.now().date();
    let mut seed = 7_u64;
    let mut next = move |below: i64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as i64) % below
    };
    let codes = ["accuracy", "data", "headlines", "corrections", "fairness"];
    let mut open = Vec::new();
    for i in 0..36 {
        // Filed at any minute of the day, so some fall on the next or previous local day.
        app.clock.advance(Duration::minutes(20 + next(30 * 60)));
        let article = if i % 3 == 0 { "budget" } else { "kursk" };
        let id = file(&app, article).await;
        match i % 7 {
            // Decided exactly an hour later: on a bucket's edge.
            0 => {
                app.clock.advance(Duration::hours(1));
                decide(&app, &editor, id, "no_change", 1, None).await;
            }
            1 | 4 => open.push(id),
            2 => {
                assign(&app, &se, id, &editor, 1).await;
                open.push(id);
            }
            _ => open.insert(0, id),
        }
        if i == 20 {
            // The Business article moves to Politics: its reports and corrections move with it.
            let mut article = article_json();
            article["url"] = json!("https://news.example/business/budget");
            article["title"] = json!("Council budget passes after late-night session");
            article["section"] = json!("Politics");
            article.as_object_mut().unwrap().remove("text");
            let response = app.put_article("budget", &article).await;
            assert!(response.status().is_success(), "{}", response.text().await.unwrap());
        }
    }
    // Decided later, some weeks later: durations across the histogram's buckets.
    for (i, id) in open.iter().enumerate() {
        app.clock.advance(Duration::minutes(next(4 * 24 * 60)));
        let version = app
            .db
            .read_blocking({
                let id = *id;
                move |c| Ok(corrigenda::db::models::Report::find(c, id)?.unwrap().version)
            })
            .unwrap();
        match i % 5 {
            0 => decide(&app, &editor, *id, "rejected", version, None).await,
            1 | 3 => {
                let article = if corrigenda_article_of(&app, *id) == "budget" { "budget" } else { "kursk" };
                let cited = [codes[i % codes.len()], codes[(i + 2) % codes.len()]];
                let mut body =
                    correction(article, if i % 2 == 0 { "clarification" } else { "correction" }, &cited, &[*id]);
                body["cause"] = json!(["reporting", "editing", "source"][i % 3]);
                publish(&app, &se, body).await;
            }
            2 => decide(&app, &editor, *id, "no_change", version, None).await,
            _ => {}
        }
    }
    // A correction no report asked for.
    publish(&app, &editor, correction("kursk", "update", &["headlines"], &[])).await;
    let last_day = app.clock.now().date();

    let mut periods = vec![(first_day - Duration::days(1), last_day), (first_day, first_day), (last_day, last_day)];
    let mut day = first_day;
    while day <= last_day {
        let month_start = day.with_day(1).unwrap();
        periods.push((month_start, self::last_day(month_start)));
        periods.push((day, day + Duration::days(9)));
        day += Duration::days(11);
    }
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    same_from_both_sources(&app, berlin, &periods, "Europe/Berlin");

    // The days are those of the counts: a count changed behind the triggers' back shows.
    let now = app.clock.now();
    let (counted, scanned) = app
        .db
        .write_blocking(move |c| {
            diesel::RunQueryDsl::execute(
                diesel::sql_query(
                    "UPDATE stats_days SET n = n + 100 WHERE metric = 'status' AND key = 'rejected' \
                     AND day = (SELECT MIN(day) FROM stats_days WHERE metric = 'status' AND key = 'rejected')",
                ),
                c,
            )?;
            let q = StatsQuery { from: Some(first_day), to: Some(last_day), ..Default::default() };
            let period = q.period(last_day, berlin)?;
            let counted = stats::compute_from(c, &q, &period, false, now, Source::Days)?.reports.rejected;
            let scanned = stats::compute_from(c, &q, &period, false, now, Source::Indexes)?.reports.rejected;
            days::rebuild(c)?;
            Ok((counted, scanned))
        })
        .unwrap();
    assert_eq!(counted, scanned + 100, "the figures were not read from the per-day counts");

    for zone in ["Asia/Kolkata", "America/New_York", "Europe/Berlin"] {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        assert!(app.db.write_blocking(move |c| days::follow_zone(c, tz)).unwrap(), "{zone}: counted again");
        assert!(!app.db.write_blocking(move |c| days::follow_zone(c, tz)).unwrap(), "{zone}: only once");
        same_from_both_sources(&app, tz, &periods, zone);
    }
    app.deliver_mail().await;
}

/// The article report `id` is on.
fn corrigenda_article_of(app: &TestApp, id: i64) -> String {
    app.db.read_blocking(move |c| Ok(corrigenda::db::models::Report::find(c, id)?.unwrap().article_id)).unwrap()
}
