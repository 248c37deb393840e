//! The retention setting: reports closed for longer than it lose their reader's name and
//! email (and the reader's mail files), on the server's schedule; nothing else is touched.

use std::time::Duration as StdDuration;

use chrono::Duration;
use corrigenda::domain::accounts::Role;
use corrigenda::mail::retention::Retention;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{mail_dir, report_json, wait, Backend, ServeOutput, TestApp, TestDb, TestUser};

both_backends!(
    reports_closed_longer_than_the_setting_lose_their_readers_details,
    serve_erases_at_start_up_only_when_the_setting_is_on,
    the_erasure_goes_in_batches,
);

const DAYS: u32 = 30;

/// Files a report by `email` and returns (id, tracking token).
async fn file(app: &TestApp, email: &str) -> (i64, String) {
    let mut body = report_json();
    body["reporter_name"] = json!(format!("Reader {email}"));
    body["reporter_email"] = json!(email);
    let filed = app.file_report("kursk", &body).await;
    assert_eq!(filed.status(), 201);
    let token = filed.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    (app.state_of_last(), token)
}

/// Moves report `id` to `to` (with a reason) as `token`'s user.
async fn close(app: &TestApp, token: &str, id: i64, to: &str) {
    let version = app.state_of(id).1;
    let moved = app.move_report(token, id, json!({"to": to, "reason": "The article is right.", "version": version}));
    assert_eq!(moved.await.status(), 200);
}

/// The reader's (name, email) still on report `id`.
fn details(app: &TestApp, id: i64) -> (Option<String>, Option<String>) {
    let report = app.db.read_blocking(|c| Ok(corrigenda::db::models::Report::find(c, id)?.unwrap())).unwrap();
    (report.reporter_name, report.reporter_email)
}

/// The recipients of the mail files, sorted.
fn mail_files(database: &TestDb) -> Vec<String> {
    let mut to: Vec<String> = std::fs::read_dir(mail_dir(database))
        .map(|dir| {
            dir.map(|entry| {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                text.lines().find_map(|l| l.strip_prefix("To: ")).unwrap().to_owned()
            })
            .collect()
        })
        .unwrap_or_default();
    to.sort();
    to
}

/// The events of report `id` as the desk reads them.
async fn events(app: &TestApp, user: &TestUser, id: i64) -> Vec<Value> {
    let ticket = app.client.get(app.url(&format!("/api/v1/desk/reports/{id}"))).bearer_auth(&user.token).send();
    let ticket: Value = ticket.await.unwrap().json().await.unwrap();
    ticket["events"].as_array().unwrap().clone()
}

async fn reports_closed_longer_than_the_setting_lose_their_readers_details(backend: Backend) {
    // No SMTP_URL: each reader's receipt is a mail file.
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let sam = app.user(Role::StandardsEditor);
    let (old, _) = file(&app, "old@example.com").await;
    let (recent, _) = file(&app, "recent@example.com").await;
    let (open, _) = file(&app, "both@example.com").await;
    let (old_of_open, _) = file(&app, "both@example.com").await;
    let (reopened, reopened_token) = file(&app, "appealed@example.com").await;
    let (duplicate, _) = file(&app, "duplicate@example.com").await;
    close(&app, &app.token, old, "no_change").await;
    close(&app, &app.token, old_of_open, "rejected").await;
    close(&app, &app.token, reopened, "no_change").await;
    let version = app.state_of(duplicate).1;
    let marked = app.move_report(
        &app.token,
        duplicate,
        json!({"to": "duplicate", "reason": "Same passage.",
        "version": version, "duplicate_of": open}),
    );
    assert_eq!(marked.await.status(), 200);
    app.clock.advance(Duration::days(2));
    close(&app, &app.token, recent, "no_change").await;
    // The reader appeals on day 20; the appeal is decided on day 25: closed again, 6 days ago at the end.
    app.clock.advance(Duration::days(18));
    let appeal = json!({"reason": "The date is still wrong."});
    let url = app.url(&format!("/api/v1/reports/{reopened_token}/appeal"));
    assert_eq!(app.client.post(url).json(&appeal).send().await.unwrap().status(), 200);
    app.clock.advance(Duration::days(5));
    close(&app, &sam.token, reopened, "no_change").await;
    app.deliver_mail().await;
    let before = mail_files(&app.database);
    assert!(before.contains(&"old@example.com".to_owned()) && before.contains(&"both@example.com".to_owned()));

    // Day 31: `old` has been closed DAYS + 1 days, `recent` DAYS - 1.
    app.clock.advance(Duration::days(6));
    let job = Retention::new(app.db.clone(), mail_dir(&app.database), app.clock.clone(), DAYS);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(job.run(StdDuration::from_secs(3600), stopped));
    // The first round runs at once.
    wait::until_async("the first round", StdDuration::from_secs(60), || async {
        details(&app, old).1.is_none().then_some(())
    })
    .await;
    stop.send(true).unwrap();
    tokio::time::timeout(StdDuration::from_secs(60), running).await.expect("it stops when told").unwrap();

    assert_eq!(details(&app, old), (None, None), "closed DAYS + 1 days ago");
    assert_eq!(details(&app, old_of_open), (None, None), "closed DAYS + 1 days ago, though its reader has another");
    assert_eq!(details(&app, recent).1.as_deref(), Some("recent@example.com"), "closed DAYS - 1 days ago");
    assert_eq!(details(&app, open).1.as_deref(), Some("both@example.com"), "open");
    assert_eq!(details(&app, reopened).1.as_deref(), Some("appealed@example.com"), "closed again 6 days ago");
    assert_eq!(details(&app, duplicate).1.as_deref(), Some("duplicate@example.com"), "its primary is open");
    assert_eq!(
        mail_files(&app.database),
        before.into_iter().filter(|to| to != "old@example.com").collect::<Vec<_>>(),
        "only the mail of a reader no report holds any more is removed"
    );

    // The audit trail says what happened, on the ticket, and nowhere whose details they were.
    let erased: Vec<Value> =
        events(&app, &sam, old).await.into_iter().filter(|e| e["kind"] == "reporter_erased").collect();
    assert_eq!(erased.len(), 1, "{erased:?}");
    assert_eq!(erased[0]["payload"]["retention_days"], DAYS);
    assert!(erased[0]["actor"].is_null(), "{erased:?}");
    assert!(!erased[0].to_string().contains("old@example.com"));
    assert!(events(&app, &sam, recent).await.iter().all(|e| e["kind"] != "reporter_erased"));

    // A second round finds nothing more; a day later `recent` is due too.
    let job = Retention::new(app.db.clone(), mail_dir(&app.database), app.clock.clone(), DAYS);
    assert_eq!(job.round(None).await.unwrap().reports, 0);
    app.clock.advance(Duration::days(2));
    let files = mail_files(&app.database).iter().filter(|to| *to == "recent@example.com").count();
    assert!(files > 0);
    let erased = job.round(None).await.unwrap();
    assert_eq!((erased.reports, erased.files), (1, files));
    assert_eq!(details(&app, recent), (None, None));
}

/// Whether a server at `address` answers `/healthz` with 200.
fn healthy(address: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(address) else { return false };
    let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let mut answer = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

/// Runs `corrigenda serve` on `database` until `done` holds, then stops it with SIGTERM;
/// returns its stdout.
fn serve(database: &TestDb, retention: Option<&str>, done: impl Fn() -> bool) -> String {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_corrigenda"));
    command
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", &database.url)
        .env("CORRIGENDA_SIGNING_KEY", &database.key_path)
        .env("CORRIGENDA_MAIL_DIR", mail_dir(database))
        .env("RUST_LOG", "warn")
        .env_remove("CORRIGENDA_RETENTION_DAYS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    if let Some(days) = retention {
        command.env("CORRIGENDA_RETENTION_DAYS", days);
    }
    let mut server = command.spawn().unwrap();
    let output = ServeOutput::follow(&mut server, std::io::sink());
    let address = output.address().expect("serve ended before it listened");
    // Answering a request, it is past start-up and stops cleanly on SIGTERM.
    wait::until("the server to start and erase", StdDuration::from_secs(60), || {
        (healthy(&address) && done()).then_some(())
    });
    // SAFETY: kill only sends a signal to the child started above.
    assert_eq!(unsafe { libc::kill(server.id() as libc::pid_t, libc::SIGTERM) }, 0);
    let status =
        wait::until("the server to exit after SIGTERM", StdDuration::from_secs(120), || server.try_wait().unwrap());
    assert!(status.success(), "serve exited with {status:?}");
    output.finished()
}

async fn serve_erases_at_start_up_only_when_the_setting_is_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let (id, _) = file(&app, "long.ago@example.com").await;
    close(&app, &app.token, id, "no_change").await;
    app.deliver_mail().await;
    let db = app.db.clone();
    let database = app.stop().await;
    // Closed 40 days ago: the binary's clock cannot be moved, so the report is made older.
    db.write_blocking(move |c| {
        use corrigenda::db::schema::reports;
        use diesel::prelude::*;
        let then = chrono::Utc::now().naive_utc() - Duration::days(40);
        diesel::update(reports::table.find(id)).set(reports::updated_at.eq(then)).execute(c)?;
        Ok(())
    })
    .unwrap();
    let email = |db: &corrigenda::db::Db| {
        db.read_blocking(move |c| Ok(corrigenda::db::models::Report::find(c, id)?.unwrap().reporter_email)).unwrap()
    };
    let files = mail_files(&database);
    assert!(!files.is_empty() && files.iter().all(|to| to == "long.ago@example.com"), "{files:?}");

    // Unset: a whole run, from start to a clean stop, erases nothing.
    let out = serve(&database, None, || true);
    assert!(!out.contains("Retention"), "{out}");
    assert_eq!(email(&db).as_deref(), Some("long.ago@example.com"));
    assert_eq!(mail_files(&database), files);

    // Set: the round at start-up erases the report's details and the reader's mail file.
    let out = serve(&database, Some(&DAYS.to_string()), || email(&db).is_none());
    assert!(out.contains("closed more than 30 days ago"), "{out}");
    assert!(mail_files(&database).is_empty());
}

async fn the_erasure_goes_in_batches(backend: Backend) {
    use corrigenda::domain::erasure::{erase_closed, RETENTION_BATCH};
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let mut body = report_json();
    // A name and no address: no mail to deliver.
    body.as_object_mut().unwrap().remove("reporter_email");
    let count = RETENTION_BATCH + RETENTION_BATCH / 2;
    for _ in 0..count {
        assert_eq!(app.file_report("kursk", &body).await.status(), 201);
    }
    app.db
        .write_blocking(|c| {
            use corrigenda::db::schema::reports;
            use diesel::prelude::*;
            diesel::update(reports::table).set(reports::status.eq("rejected")).execute(c)?;
            Ok(())
        })
        .unwrap();
    app.clock.advance(Duration::days(i64::from(DAYS) + 1));
    let now = app.clock.now();
    let first = app.db.write_blocking(move |c| erase_closed(c, DAYS, 0, now)).unwrap();
    assert_eq!(first.reports as i64, RETENTION_BATCH, "one batch at most");
    let after = first.next.expect("more to do");
    let second = app.db.write_blocking(move |c| erase_closed(c, DAYS, after, now)).unwrap();
    assert_eq!((second.reports as i64, second.next), (RETENTION_BATCH / 2, None));
    // A round goes through every batch.
    for _ in 0..count {
        assert_eq!(app.file_report("kursk", &body).await.status(), 201);
    }
    app.db
        .write_blocking(|c| {
            use corrigenda::db::schema::reports;
            use diesel::prelude::*;
            diesel::update(reports::table).set(reports::status.eq("no_change")).execute(c)?;
            Ok(())
        })
        .unwrap();
    app.clock.advance(Duration::days(i64::from(DAYS) + 1));
    let job = Retention::new(app.db.clone(), mail_dir(&app.database), app.clock.clone(), DAYS);
    assert_eq!(job.round(None).await.unwrap().reports as i64, count);
    assert_eq!(job.round(None).await.unwrap().reports, 0);
}
