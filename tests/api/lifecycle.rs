//! Start-up, restarts, settings and the command line.

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{cli, Backend, TestApp, TestDb};

both_backends!(
    migrations_are_idempotent_on_restart,
    user_add_and_token_create_work_from_the_cli,
    demo_seeds_a_living_system,
    account_commands_change_roles_passwords_and_tokens,
);

async fn migrations_are_idempotent_on_restart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let database = app.stop().await;
    let again = TestApp::on(database, |_| {}).await;
    let response = again.client.get(again.url("/api/v1/articles/kursk")).send().await.unwrap();
    assert_eq!(response.status(), 200, "data survives a restart");
    let output = again.cli(&["migrate"]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("0 migration(s) applied"));
}

async fn user_add_and_token_create_work_from_the_cli(backend: Backend) {
    let database = TestDb::new(backend);
    let add = cli(
        &database,
        &[
            "user",
            "add",
            "--email",
            "sam@news.example",
            "--name",
            "Sam Standards",
            "--role",
            "standards_editor",
            "--password-stdin",
        ],
        Some("a very long passphrase\n"),
    );
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let short = cli(
        &database,
        &["user", "add", "--email", "kim@news.example", "--name", "Kim", "--role", "editor", "--password-stdin"],
        Some("short\n"),
    );
    assert_eq!(short.status.code(), Some(1), "a refused command fails");
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    let bad_role = cli(&database, &["user", "add", "--email", "x@news.example", "--name", "X", "--role", "boss"], None);
    assert_eq!(bad_role.status.code(), Some(1), "refused");
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("standards_editor"));
    // Nothing refused was stored: no account to give a token to.
    for refused in ["kim@news.example", "x@news.example"] {
        let token = cli(&database, &["token", "create", "--email", refused, "--name", "CMS"], None);
        assert_eq!(token.status.code(), Some(1), "{refused}");
        assert!(String::from_utf8_lossy(&token.stderr).contains(refused), "{refused}");
    }

    let token = cli(&database, &["token", "create", "--email", "sam@news.example", "--name", "CMS"], None);
    assert!(token.status.success(), "{}", String::from_utf8_lossy(&token.stderr));
    let stdout = String::from_utf8_lossy(&token.stdout);
    let token = stdout.lines().last().unwrap().trim().to_owned();
    assert!(token.starts_with("cgd_"), "token on the last line: {stdout}");

    let app = TestApp::on(database, |_| {}).await;
    let response = app
        .client
        .put(app.url("/api/v1/articles/cli-1"))
        .bearer_auth(&token)
        .json(&crate::helpers::article_json())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "the printed token works");
}

async fn demo_seeds_a_living_system(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let output = app.cli(&["demo"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let tokens: Vec<&str> = stdout.lines().filter_map(|l| l.split("/reports/").nth(1)).collect();
    assert!(tokens.len() >= 5, "{stdout}");
    let mut statuses = Vec::new();
    for token in &tokens {
        let tracking: Value = app
            .client
            .get(app.url(&format!("/api/v1/reports/{}", token.trim())))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        statuses.push(tracking["status"].as_str().unwrap().to_owned());
    }
    statuses.sort();
    statuses.dedup();
    assert!(statuses.len() >= 4, "reports in several states: {statuses:?}");
    // Its desks route its reports: the world and science stories' to their desk, in turn.
    let desks = app.get_as(&app.token, "/api/v1/desk/desks").await;
    let slugs: Vec<&str> = desks["items"].as_array().unwrap().iter().map(|d| d["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["legal", "world"]);
    let routed = app.get_as(&app.token, "/api/v1/desk/reports?desk=world&limit=100").await;
    let items = routed["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{routed}");
    assert!(items.iter().all(|r| r["section"] == "World" || r["section"] == "Science"), "{routed}");
    let again = app.cli(&["demo"]);
    assert!(again.status.success(), "running demo twice is fine");
    let desks = app.get_as(&app.token, "/api/v1/desk/desks").await;
    assert_eq!(desks["items"].as_array().unwrap().len(), 2, "the desks are described once");
    // The demo ran on the system clock: its mail is due from then.
    app.catch_up_with_the_system_clock();
    app.deliver_mail().await;
}

#[test]
fn a_bad_setting_stops_start_up_with_one_line_naming_it() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_corrigenda"))
        .env("CORRIGENDA_BIND", "not-an-address")
        .env("DATABASE_URL", "unused.db")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("CORRIGENDA_BIND"), "{stderr}");
}

#[test]
fn an_unreachable_database_is_named_at_start_up() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_corrigenda"))
        .args(["migrate"])
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot connect to PostgreSQL"), "{stderr}");
}

async fn account_commands_change_roles_passwords_and_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let erin = app.user(corrigenda::domain::accounts::Role::Editor);
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{:?}: {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    ok(app.cli(&["user", "set-role", "--email", &erin.email, "--role", "auditor"]));
    let as_auditor = app.client.get(app.url("/api/v1/desk/reports")).bearer_auth(&erin.token).send().await.unwrap();
    assert_eq!(as_auditor.status(), 403, "the new role applies at once");
    ok(app.cli(&["user", "set-role", "--email", &erin.email, "--role", "editor"]));

    let browser = app.signed_in(&erin).await;
    let out = crate::helpers::cli(
        &app.database,
        &["user", "reset-password", "--email", &erin.email, "--password-stdin"],
        Some("a brand new passphrase\n"),
    );
    assert!(out.status.success());
    assert_eq!(browser.get(app.url("/desk")).send().await.unwrap().status(), 303, "sessions end with the old password");
    assert_eq!(app.login(&app.browser(), &erin.email, &erin.password).await.status(), 401);
    assert_eq!(app.login(&app.browser(), &erin.email, "a brand new passphrase").await.status(), 303);

    let list = ok(app.cli(&["token", "list"]));
    assert!(list.contains(&erin.email) && list.contains("active"), "{list}");
    assert!(!list.contains(&erin.token), "token values are never listed");
    let id = list.lines().find(|l| l.contains(&erin.email)).unwrap().split_whitespace().next().unwrap().to_owned();
    ok(app.cli(&["token", "revoke", &id]));
    let revoked = app.client.get(app.url("/api/v1/desk/reports")).bearer_auth(&erin.token).send().await.unwrap();
    assert_eq!(revoked.status(), 401);
    assert!(ok(app.cli(&["token", "list"])).contains("revoked"));
    let again = app.cli(&["token", "revoke", &id]);
    assert_eq!(again.status.code(), Some(1), "revoking twice says so");
    assert!(String::from_utf8_lossy(&again.stderr).contains(&id), "naming the token");
}
