//! Limits that keep a request from waiting forever or a client from taking more than its share:
//! lock waits end in 503 with `Retry-After`, a client trickling its headers is cut off, and
//! sign-in attempts are counted per client.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{report_json, Backend, TestApp};

both_backends!(
    a_write_held_up_by_a_lock_answers_503_with_retry_after_then_succeeds,
    a_write_queued_behind_a_long_write_of_our_own,
    a_client_trickling_its_headers_is_cut_off,
    sign_in_attempts_are_limited_per_client,
    bodies_past_each_limit_are_413,
);

/// The wait limit the lock test configures (CORRIGENDA_DB_TIMEOUT), in seconds.
const SHORT_TIMEOUT: &str = "1";

/// A connection of the test's own that holds the write lock (SQLite) or the reports table
/// (PostgreSQL) until [`Holder::release`].
enum Holder {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Holder {
    fn take(backend: Backend, url: &str) -> Self {
        match backend {
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(url).unwrap();
                conn.batch_execute("BEGIN IMMEDIATE").unwrap();
                Self::Sqlite(conn)
            }
            Backend::Postgres => {
                let mut conn = PgConnection::establish(url).unwrap();
                conn.batch_execute("BEGIN; LOCK TABLE reports IN ACCESS EXCLUSIVE MODE").unwrap();
                Self::Postgres(conn)
            }
        }
    }

    fn release(self) {
        match self {
            Self::Sqlite(mut conn) => conn.batch_execute("ROLLBACK").unwrap(),
            Self::Postgres(mut conn) => conn.batch_execute("ROLLBACK").unwrap(),
        }
    }
}

async fn a_write_held_up_by_a_lock_answers_503_with_retry_after_then_succeeds(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.db_timeout = SHORT_TIMEOUT.into()).await;
    let article = app.article().await;
    let holder = Holder::take(backend, &app.database.url);

    let started = Instant::now();
    let refused = app.file_report(article, &report_json()).await;
    let waited = started.elapsed();
    assert_eq!(refused.status(), 503, "a write behind another's lock is refused, not queued");
    // The configured second, not the default ten: generous for a slow machine, short of ten.
    assert!(waited < Duration::from_secs(8), "the refusal came after {waited:?}");
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after > 0);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("try again"), "{message}");
    assert!(!message.contains("locked") && !message.contains("statement timeout"), "no driver text: {message}");

    // The reader's form keeps what was typed and says to send it again.
    let form = app
        .client
        .post(app.url(&format!("/articles/{article}/report")))
        .form(&[
            ("category", "factual_error"),
            ("quote", "in the war that is approaching its four-year mark"),
            ("explanation", "It began in February 2022."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 503);
    assert!(form.headers().contains_key("retry-after"));
    let page = form.text().await.unwrap();
    assert!(page.contains("Your report was not saved") && page.contains("It began in February 2022."), "{page}");

    holder.release();
    let filed = app.file_report(article, &report_json()).await;
    assert_eq!(filed.status(), 201, "the same write succeeds once the lock is gone");
    assert_eq!(app.report_count(), 1, "only the acknowledged report is stored");
    app.deliver_mail().await;
}

/// SQLite's single writer is taken in-process before SQLite's own lock: a write waiting for it
/// longer than the configured limit is refused like one waiting for SQLite. PostgreSQL has no
/// single writer: the second write goes ahead.
async fn a_write_queued_behind_a_long_write_of_our_own(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.db_timeout = SHORT_TIMEOUT.into()).await;
    let article = app.article().await;
    let (held_tx, held) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel::<()>();
    let db = app.db.clone();
    let long_write = std::thread::spawn(move || {
        db.write_blocking(|_| {
            held_tx.send(()).unwrap();
            let _ = release_rx.recv_timeout(Duration::from_secs(60));
            Ok(())
        })
    });
    held.recv().unwrap();
    let response = app.file_report(article, &report_json()).await;
    match backend {
        Backend::Sqlite => {
            assert_eq!(response.status(), 503, "a write waits for our own writer only so long");
            assert!(response.headers().contains_key("retry-after"));
        }
        Backend::Postgres => assert_eq!(response.status(), 201, "no single writer to wait for"),
    }
    release.send(()).unwrap();
    long_write.join().unwrap().unwrap();
    assert_eq!(app.file_report(article, &report_json()).await.status(), 201);
    app.deliver_mail().await;
}

/// Connects to the test server.
fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://")).unwrap()
}

async fn a_client_trickling_its_headers_is_cut_off(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut stream = connect(&app);
    let cut_off = tokio::task::spawn_blocking(move || {
        stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
        let started = Instant::now();
        let mut answer = Vec::new();
        // A header byte every 200 ms never completes the head; the server must give up first.
        while started.elapsed() < Duration::from_secs(60) {
            if stream.write_all(b"X").is_err() {
                return (started.elapsed(), answer);
            }
            let mut buf = [0u8; 1024];
            match stream.read(&mut buf) {
                Ok(0) => return (started.elapsed(), answer),
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(_) => return (started.elapsed(), answer),
            }
        }
        panic!("the server kept a client sending its headers for a minute");
    })
    .await
    .unwrap();
    let (after, answer) = cut_off;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "cut off after {after:?} with {answer:?}");

    // A client that sends its request at once is answered as usual.
    let mut stream = connect(&app);
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

async fn sign_in_attempts_are_limited_per_client(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.browser();
    // Each attempt names another account, so the per-account lock-out never counts; the
    // per-client limit (30 in 15 minutes) does.
    for i in 0..30 {
        let response = app.login(&browser, &format!("nobody{i}@example.com"), "wrong").await;
        assert_eq!(response.status(), 401, "attempt {i}");
    }
    let limited = app.login(&browser, "nobody-else@example.com", "wrong").await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after > 0);
    let page = limited.text().await.unwrap();
    assert!(page.to_lowercase().contains("too many sign-in attempts"), "{page}");
}

async fn bodies_past_each_limit_are_413(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // An article with its text: up to 4 MiB.
    let mut article = crate::helpers::article_json();
    article["text"] = serde_json::json!("x".repeat(4 * 1024 * 1024));
    let response = app.put_article("big", &article).await;
    assert_eq!(response.status(), 413, "an article past 4 MiB");
    // The desk's API bodies: up to 64 KiB.
    let standards = app.user(corrigenda::domain::accounts::Role::StandardsEditor);
    let response = app
        .client
        .post(app.url("/api/v1/desk/responses"))
        .bearer_auth(&standards.token)
        .json(&serde_json::json!({"title": "t", "body": "x".repeat(64 * 1024), "purpose": "acknowledgement"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413, "a desk body past 64 KiB");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");
    // The sign-in form: up to 16 KiB.
    let response = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email=a%40b.example&password={}", "x".repeat(16 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413, "a sign-in form past 16 KiB");
}
