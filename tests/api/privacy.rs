//! What the server keeps of its secrets and its readers: tokens only as hashes, no address or
//! link left in sent mail, mail files and the database readable by the server's user alone,
//! and erasure that reaches the mail files too.

use std::path::{Path, PathBuf};

use corrigenda::db::{migrate, DbConnection, DbTarget};
use corrigenda::domain::accounts::Role;
use corrigenda::domain::secrets;
use diesel::connection::SimpleConnection;
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use serde_json::json;

use crate::both_backends;
use crate::helpers::{csrf_in, mail_dir, report_json, Backend, TestApp};
use crate::smtp::{Received, Smtp};

both_backends!(
    no_token_is_stored_in_clear,
    unsubscribe_links_mailed_before_tokens_were_hashed_keep_working,
    sent_mail_leaves_no_address_or_link_in_the_outbox,
    opening_a_mailed_link_asks_and_only_the_button_acts,
    erasure_removes_the_readers_mail_files,
);

/// The first absolute link to this server starting with `path_start` in a message's text part.
fn link(mail: &Received, app: &TestApp, path_start: &str) -> String {
    let (text, _) = mail.parts();
    let start = text.find(&app.url(path_start)).unwrap_or_else(|| panic!("no {path_start} link in {text}"));
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// The token in a `/subscriptions/{token}/...` link.
fn token_of(link: &str) -> String {
    link.trim_matches(['<', '>']).rsplit('/').nth(1).unwrap().to_owned()
}

/// Subscribes `email` to the test article, confirms from the mail and returns the confirmation link.
async fn subscribed(app: &TestApp, smtp: &Smtp, email: &str) -> String {
    let asked = app.client.post(app.url("/articles/kursk/subscriptions")).form(&[("email", email)]).send().await;
    assert_eq!(asked.unwrap().status(), 303);
    app.deliver_mail().await;
    let confirm = link(smtp.to(email).last().unwrap(), app, "/subscriptions/");
    assert_eq!(app.client.post(&confirm).send().await.unwrap().status(), 200);
    confirm
}

/// The status of `email`'s subscription to the test article.
fn subscription_status(app: &TestApp, email: &str) -> String {
    let email = email.to_owned();
    app.db
        .read_blocking(move |c| {
            use corrigenda::db::schema::subscriptions;
            use diesel::prelude::*;
            Ok(subscriptions::table
                .filter(subscriptions::email.eq(email))
                .select(subscriptions::status)
                .first::<String>(c)?)
        })
        .unwrap()
}

/// Publishes an update to the test article, which its subscribers are mailed.
async fn publish(app: &TestApp) {
    let body = json!({"article_id": "kursk", "kind": "update", "text": "New figures from the ministry."});
    let published =
        app.client.post(app.url("/api/v1/desk/corrections")).bearer_auth(&app.token).json(&body).send().await.unwrap();
    assert_eq!(published.status(), 201);
}

async fn no_token_is_stored_in_clear(backend: Backend) {
    let smtp = Smtp::start();
    let url = smtp.url();
    let app = TestApp::spawn_with(backend, move |s| s.smtp_url = Some(url)).await;
    let (_, tracking) = app.filed().await;
    let confirm = subscribed(&app, &smtp, "fan@example.org").await;
    publish(&app).await;
    assert_eq!(app.deliver_mail().await, 1);
    let news = smtp.to("fan@example.org");
    assert_eq!(news.len(), 2);
    let unsubscribe = news[1].header("List-Unsubscribe").unwrap();
    let editor = app.user(Role::Editor);
    let browser = app.browser();
    let signed_in = app.login(&browser, &editor.email, &editor.password).await;
    assert_eq!(signed_in.status(), 303);
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.strip_prefix("corrigenda_session="))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .next()
        .unwrap();
    let csrf = csrf_in(&browser.get(app.url("/desk")).send().await.unwrap().text().await.unwrap());

    // Everything is sent, so the outbox holds no link either.
    let stored = app.database_text(&[]);
    assert!(stored.contains("fan@example.org"), "the dump reads the subscriptions");
    for (what, secret) in [
        ("tracking token", tracking),
        ("confirmation token", token_of(&confirm)),
        ("unsubscribe token", token_of(&unsubscribe)),
        ("session cookie", cookie),
        ("CSRF token", csrf),
    ] {
        assert!(secret.len() >= 43, "{what}: {secret}");
        assert!(!stored.contains(&secret), "the {what} is stored in clear");
    }
    // What is stored still opens what it should.
    let one_click = app.client.post(unsubscribe.trim_matches(['<', '>'])).send().await.unwrap();
    assert_eq!(one_click.status(), 200);
    publish(&app).await;
    assert_eq!(app.deliver_mail().await, 0, "unsubscribed");
}

async fn unsubscribe_links_mailed_before_tokens_were_hashed_keep_working(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let database = app.stop().await;
    // Back to the schema before the hashing migration, with a subscriber whose token is in clear.
    let token = secrets::new_token();
    let subscriber = format!(
        "INSERT INTO subscriptions (article_id, email, token_hash, unsubscribe_token, status, created_at, confirmed_at) \
         VALUES ('kursk', 'old@example.org', '{}', '{token}', 'active', '2026-11-30 10:00:00', '2026-11-30 10:05:00')",
        secrets::token_hash(&secrets::new_token())
    );
    let tree = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend.name());
    let migrations = FileBasedMigrations::from_path(tree).unwrap();
    let mut conn = DbTarget::parse(&database.url).unwrap().connect().unwrap();
    // Later migrations are reverted first, down to the hashing one.
    let mut reverted = 0;
    loop {
        let version = match &mut conn {
            DbConnection::Sqlite(c) => c.revert_last_migration(migrations.clone()).unwrap(),
            DbConnection::Postgres(c) => c.revert_last_migration(migrations.clone()).unwrap(),
        };
        reverted += 1;
        if version.to_string() == "20261201000011" {
            break;
        }
        assert!(version.to_string().as_str() > "20261201000011", "the hashing migration was not found");
    }
    match &mut conn {
        DbConnection::Sqlite(c) => c.batch_execute(&subscriber).unwrap(),
        DbConnection::Postgres(c) => c.batch_execute(&subscriber).unwrap(),
    }
    assert_eq!(migrate(&mut conn).unwrap(), reverted);
    drop(conn);

    let app = TestApp::on(database, |_| {}).await;
    assert!(!app.database_text(&[]).contains(&token), "the old token is hashed");
    let unsubscribed = app.client.post(app.url(&format!("/subscriptions/{token}/unsubscribe"))).send().await.unwrap();
    assert_eq!(unsubscribed.status(), 200);
    assert!(unsubscribed.text().await.unwrap().contains("You are unsubscribed"));
    publish(&app).await;
    assert_eq!(app.deliver_mail().await, 0, "no mail to the old subscriber");
}

async fn sent_mail_leaves_no_address_or_link_in_the_outbox(backend: Backend) {
    let smtp = Smtp::start();
    let url = smtp.url();
    let app = TestApp::spawn_with(backend, move |s| s.smtp_url = Some(url)).await;
    app.filed().await;
    subscribed(&app, &smtp, "fan@example.org").await;
    publish(&app).await;
    assert_eq!(app.deliver_mail().await, 1);
    let news = smtp.to("fan@example.org");
    assert!(news[1].header("List-Unsubscribe").is_some(), "the subscriber's mail had an unsubscribe link");

    type Row = (String, String, String, String, Option<String>, Option<String>);
    let rows: Vec<(String, Row)> = app
        .db
        .read_blocking(|c| {
            use corrigenda::db::schema::outbox;
            use diesel::prelude::*;
            Ok(outbox::table
                .order(outbox::id.asc())
                .select((
                    outbox::kind,
                    (
                        outbox::status,
                        outbox::recipient,
                        outbox::body_text,
                        outbox::body_html,
                        outbox::list_unsubscribe,
                        outbox::last_error,
                    ),
                ))
                .load(c)?)
        })
        .unwrap();
    let kinds: Vec<&str> = rows.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(kinds, ["reader_receipt", "subscription_confirm", "subscriber_correction"]);
    let blank: Row = ("sent".into(), String::new(), String::new(), String::new(), None, None);
    for (kind, row) in &rows {
        assert_eq!(row, &blank, "{kind}");
    }
    let (_, outbox) = app.tables_as_text().into_iter().find(|(table, _)| table == "outbox").unwrap();
    assert!(outbox.contains("Correction to"), "the dump reads the outbox: {outbox}");
    for secret in ["ada@example.com", "fan@example.org", "/subscriptions/", "/reports/"] {
        assert!(!outbox.contains(secret), "the outbox keeps {secret}: {outbox}");
    }
}

async fn opening_a_mailed_link_asks_and_only_the_button_acts(backend: Backend) {
    let smtp = Smtp::start();
    let url = smtp.url();
    let app = TestApp::spawn_with(backend, move |s| s.smtp_url = Some(url)).await;
    app.article().await;
    let asked = app.client.post(app.url("/articles/kursk/subscriptions")).form(&[("email", "fan@example.org")]);
    assert_eq!(asked.send().await.unwrap().status(), 303);
    assert_eq!(app.deliver_mail().await, 1);
    let confirm = link(&smtp.to("fan@example.org")[0], &app, "/subscriptions/");
    let action = confirm.strip_prefix(&app.address).unwrap().to_owned();

    // A mail scanner following the link confirms nothing.
    let page = app.client.get(&confirm).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let page = page.text().await.unwrap();
    assert!(page.contains(&format!("<form method=\"post\" action=\"{action}\">")), "{page}");
    assert!(page.contains(r#"<button class="button" type="submit">Confirm</button>"#), "{page}");
    // The one-column layout that works at 360 px wide.
    assert!(page.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#));
    assert_eq!(subscription_status(&app, "fan@example.org"), "pending");
    publish(&app).await;
    assert_eq!(app.deliver_mail().await, 0, "not subscribed yet");

    let confirmed = app.client.post(&confirm).send().await.unwrap();
    assert_eq!(confirmed.status(), 200);
    assert!(confirmed.text().await.unwrap().contains("You are subscribed"));
    assert_eq!(subscription_status(&app, "fan@example.org"), "active");
    publish(&app).await;
    assert_eq!(app.deliver_mail().await, 1);

    // The same for the unsubscribe link: the page asks, the button (or RFC 8058's one click) acts.
    let unsubscribe = smtp.to("fan@example.org")[1].header("List-Unsubscribe").unwrap();
    let unsubscribe = unsubscribe.trim_matches(['<', '>']);
    let page = app.client.get(unsubscribe).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let action = unsubscribe.strip_prefix(&app.address).unwrap();
    assert!(page.text().await.unwrap().contains(&format!("<form method=\"post\" action=\"{action}\">")));
    assert_eq!(subscription_status(&app, "fan@example.org"), "active");
    assert_eq!(app.client.post(unsubscribe).send().await.unwrap().status(), 200);
    assert_eq!(subscription_status(&app, "fan@example.org"), "unsubscribed");

    let unknown = app.client.get(app.url(&format!("/subscriptions/{}/confirm", secrets::new_token()))).send();
    assert_eq!(unknown.await.unwrap().status(), 404);
}

/// The recipients of the messages in the test server's mail folder, sorted.
fn mail_file_recipients(app: &TestApp) -> Vec<String> {
    let mut recipients: Vec<String> = std::fs::read_dir(mail_dir(&app.database))
        .unwrap()
        .map(|entry| {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            text.lines().find_map(|l| l.strip_prefix("To: ")).unwrap().to_owned()
        })
        .collect();
    recipients.sort();
    recipients
}

async fn erasure_removes_the_readers_mail_files(backend: Backend) {
    // No SMTP_URL: messages are files.
    let app = TestApp::spawn(backend).await;
    app.filed().await;
    for email in ["keep@example.com", "desk@example.org"] {
        let mut body = report_json();
        body["reporter_email"] = json!(email);
        assert_eq!(app.file_report("kursk", &body).await.status(), 201);
    }
    let asked = app.client.post(app.url("/articles/kursk/subscriptions")).form(&[("email", "ada@example.com")]);
    assert_eq!(asked.send().await.unwrap().status(), 303);
    assert_eq!(app.deliver_mail().await, 4);
    assert_eq!(
        mail_file_recipients(&app),
        ["ada@example.com", "ada@example.com", "desk@example.org", "keep@example.com"]
    );

    let out = app.cli(&["erase-reporter", "--email", "ADA@example.com"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Erased the name and email from 1 report(s) and 2 mail file(s); the public log is unchanged\n"
    );
    assert_eq!(mail_file_recipients(&app), ["desk@example.org", "keep@example.com"]);

    let sam = app.user(Role::StandardsEditor);
    let browser = app.signed_in(&sam).await;
    let page = browser.get(app.url("/desk/erasure")).send().await.unwrap().text().await.unwrap();
    let erased = browser
        .post(app.url("/desk/erasure"))
        .form(&[("csrf", csrf_in(&page).as_str()), ("email", "desk@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 200);
    assert!(erased.text().await.unwrap().contains("Erased the name and email from 1 report and 1 mail file."));
    assert_eq!(mail_file_recipients(&app), ["keep@example.com"]);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_files_and_the_database_are_for_the_servers_user_alone() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.filed().await;
    assert_eq!(app.deliver_mail().await, 1);
    let folder = mail_dir(&app.database);
    assert_eq!(mode(&folder), 0o700);
    let files: Vec<PathBuf> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1);
    assert_eq!(mode(&files[0]), 0o600);
    assert_eq!(mode(Path::new(&app.database.url)), 0o600);
    // SQLite makes these with the database file's permissions.
    for suffix in ["-wal", "-shm"] {
        assert_eq!(mode(Path::new(&format!("{}{suffix}", app.database.url))), 0o600, "{suffix}");
    }
}
